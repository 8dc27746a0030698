"""Which paths a lint run skips: ``exclude``/``extend-exclude``/``force-exclude`` and ``.gitignore``.

The semantics follow ruff's (docs.astral.sh/ruff/settings: ``exclude``, ``extend-exclude``,
``force-exclude``, ``respect-gitignore``):

- ``exclude`` (gitignore-style patterns, relative to the directory of the config file that
  sets it) *replaces* the default list :data:`DEFAULT_EXCLUDE` (VCS, virtual-env, cache and
  build directories, and every dot-directory); ``extend-exclude`` adds to it.
- A pattern without ``/`` matches a file or directory name at any depth (``tests``,
  ``*_test.py``); with a ``/`` it is anchored at the config's directory (``configs/old/*.yaml``);
  a trailing ``/`` matches directories only; ``!`` re-includes. Matching uses
  :class:`pathspec.GitIgnoreSpec` (git's own wildmatch rules, ``**`` included).
- Directory walks skip excluded paths and, with ``respect-gitignore`` (default true), paths
  git ignores: the ``.gitignore`` of every directory from the repository root (the nearest
  directory holding ``.git``) down to the file, deeper files winning, plus ``.git/info/exclude``.
  The user's global ``core.excludesFile`` is not read.
- Files named explicitly on the command line (what pre-commit passes) are always linted,
  unless ``force-exclude`` is true or ``--force-exclude`` is given; then ``exclude`` and
  ``extend-exclude`` apply to them too (``.gitignore`` does not: git never hands an ignored
  file to a hook).
"""

from __future__ import annotations

import os
from functools import lru_cache

#: Directory names skipped when no ``exclude`` is configured (the engine's historic SKIP_DIRS,
#: close to ruff's default ``exclude``), as directory-only patterns, plus every dot-directory.
DEFAULT_EXCLUDE: tuple[str, ...] = tuple(f"{d}/" for d in sorted({
    ".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", "site-packages", "build", "dist", ".eggs", ".idea", ".vscode"})) + (".*/",)


@lru_cache(maxsize=512)
def _spec(patterns: tuple[str, ...]):
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def _rel(path: str, root: str, is_dir: bool) -> str | None:
    """``path`` relative to ``root`` (``/``-separated, ``/`` appended for directories), or None outside it."""
    rel = os.path.relpath(os.path.abspath(path), root)
    if rel == os.curdir or rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    rel = rel.replace(os.sep, "/")
    return rel + "/" if is_dir else rel


def _matches(patterns: tuple[str, ...], root: str, path: str, is_dir: bool) -> bool | None:
    """True excluded, False re-included (``!``), None no pattern matched."""
    rel = _rel(path, root, is_dir)
    if rel is None or not patterns:
        return None
    return _spec(patterns).check_file(rel).include


class GitIgnore:
    """``.gitignore`` matching with git's precedence (deeper files override; last match wins)."""

    def __init__(self) -> None:
        self._roots: dict[str, str | None] = {}
        self._files: dict[str, tuple[str, ...]] = {}

    def repo_root(self, directory: str) -> str | None:
        """The nearest directory at or above ``directory`` that holds ``.git``, or ``None``."""
        directory = os.path.abspath(directory)
        if directory not in self._roots:
            parent = os.path.dirname(directory)
            if os.path.exists(os.path.join(directory, ".git")):
                self._roots[directory] = directory
            else:
                self._roots[directory] = None if parent == directory else self.repo_root(parent)
        return self._roots[directory]

    def _patterns(self, ignore_file: str) -> tuple[str, ...]:
        if ignore_file not in self._files:
            try:
                with open(ignore_file, encoding="utf-8", errors="replace") as fh:
                    self._files[ignore_file] = tuple(fh.read().splitlines())
            except OSError:
                self._files[ignore_file] = ()
        return self._files[ignore_file]

    def ignored(self, path: str, is_dir: bool) -> bool:
        """True when git would ignore ``path`` (a file, or a directory with ``is_dir``)."""
        path = os.path.abspath(path)
        root = self.repo_root(os.path.dirname(path))
        if root is None:
            return False
        # ignore files from the lowest to the highest precedence
        sources = [(os.path.join(root, ".git", "info", "exclude"), root)]
        rel_dir = os.path.relpath(os.path.dirname(path), root)
        directory = root
        sources.append((os.path.join(root, ".gitignore"), root))
        if rel_dir != os.curdir:
            for part in rel_dir.split(os.sep):
                directory = os.path.join(directory, part)
                sources.append((os.path.join(directory, ".gitignore"), directory))
        verdict = None
        for ignore_file, base in sources:
            hit = _matches(self._patterns(ignore_file), base, path, is_dir)
            if hit is not None:
                verdict = hit
        return bool(verdict)


class Excluder:
    """Decides, per path, whether a lint run skips it (see the module docstring).

    Args:
        configs: a :class:`~stablint.linter.config.ConfigResolver` (the config governing each path).
        force_exclude: ``--force-exclude``: apply ``exclude`` patterns to explicit files too.
    """

    def __init__(self, configs, force_exclude: bool = False) -> None:
        self.configs = configs
        self.force_exclude = force_exclude
        self.gitignore = GitIgnore()

    def _config(self, path: str):
        from .document import InputError

        try:
            return self.configs.for_file(path)
        except InputError:  # a broken config is reported when its files are linted
            return None

    def _pattern_excluded(self, cfg, path: str, is_dir: bool) -> bool:
        """``exclude`` (or the defaults) then ``extend-exclude``; a later match wins."""
        path = os.path.abspath(path)
        root = cfg.root if cfg is not None else os.getcwd()
        if _rel(path, root, is_dir) is None:  # outside the config's tree: judge by its own name
            root = os.path.dirname(path)
        patterns = DEFAULT_EXCLUDE if cfg is None or cfg.exclude is None else tuple(cfg.exclude)
        verdict = _matches(patterns, root, path, is_dir)
        if cfg is not None:
            hit = _matches(tuple(cfg.extend_exclude), root, path, is_dir)
            if hit is not None:
                verdict = hit
        return bool(verdict)

    def walk_excluded(self, path: str, is_dir: bool) -> bool:
        """True when a directory walk skips ``path`` (exclude patterns, then ``.gitignore``)."""
        cfg = self._config(path)  # a directory is judged by its parent's config, as ruff does
        if self._pattern_excluded(cfg, path, is_dir):
            return True
        respect = cfg.respect_gitignore if cfg is not None else True
        return respect and self.gitignore.ignored(path, is_dir)

    def explicit_excluded(self, path: str) -> bool:
        """True when a file named on the command line is skipped (only with force-exclude)."""
        cfg = self._config(path)
        force = self.force_exclude or (cfg is not None and cfg.force_exclude)
        return force and self._pattern_excluded(cfg, path, False)
