"""Shared fixtures: paths to the vendored corpus and a helper to lint text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
EXAMPLES = ROOT / "examples"
#: tests/noncfg is a fixture (a repository's non-config files, test_filekinds.py), not tests to run
collect_ignore_glob = ["noncfg/*"]


@pytest.fixture
def corpus() -> Path:
    """The vendored real-config corpus (tests/corpus, see MANIFEST.tsv for sources and licences)."""
    return CORPUS


@pytest.fixture
def lint_text(tmp_path):
    """Write ``text`` to ``tmp_path/name`` and lint it; returns the LintResult."""
    from stablint.linter.engine import LintOptions, lint_paths

    def _lint(name: str, text: str, **opts):
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return lint_paths([str(p)], LintOptions(**opts))

    return _lint


def corpus_file(family: str, contains: str) -> str:
    """The single corpus file of ``family`` whose name contains ``contains``."""
    matches = [f for f in os.listdir(CORPUS / family) if contains in f]
    assert len(matches) == 1, (family, contains, matches)
    return str(CORPUS / family / matches[0])


def line_of(path: str, needle: str) -> int:
    """1-based line of the first line of ``path`` whose text starts (after indent) with ``needle``."""
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if line.strip().startswith(needle):
                return i
    raise AssertionError(f"{needle!r} not in {path}")


def cli_runner():
    """A click ``CliRunner`` that keeps stderr apart from stdout on every click the ranges allow.

    click < 8.2 mixes the two unless asked (``mix_stderr=False``); click >= 8.2 removed the
    argument and always keeps them apart.
    """
    from click.testing import CliRunner

    try:
        return CliRunner(mix_stderr=False)
    except TypeError:
        return CliRunner()


POISON_MODULES = ("shlex.py", "uuid.py", "json.py", "sitecustomize.py", "usercustomize.py", "re.py", "yaml.py")


def poison_workspace(workspace, marker_dir) -> None:
    """Write modules into ``workspace`` that, if imported, leave a marker file in ``marker_dir`` (issue 18)."""
    marker_dir.mkdir(exist_ok=True)
    for name in POISON_MODULES:
        (workspace / name).write_text(
            f"import pathlib\npathlib.Path({str(marker_dir)!r}, {name!r}).write_text('imported')\n"
            "raise SystemExit('poisoned module imported')\n")
    pkg = workspace / "stablint"
    pkg.mkdir()
    for name in ("__init__.py", "__main__.py", "action.py"):
        (pkg / name).write_text(f"import pathlib\npathlib.Path({str(marker_dir)!r}, 'stablint-{name}').write_text('x')\n")
