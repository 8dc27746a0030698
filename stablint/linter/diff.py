"""PR-diff checks (``stablint lint --base REV``): compare each changed config with its
version at ``REV`` and run the rules that only a change can reveal (STL7xx).

For every linted file inside a git work tree, the file's text at ``REV``
(``git show REV:<path>``) is loaded with the same loaders
(:func:`~stablint.linter.loaders.load_text`) and normalized with the same
dialect detection; base files it inherits (``_base_``) are read at ``REV`` too.
A file that did not exist at ``REV`` has nothing to compare with and is skipped.

Diff rules are :class:`DiffRule` records: the same metadata as any
:class:`~stablint.linter.rules.base.Rule` (so ``stablint rules``, ``explain``,
``--select``/``--ignore`` and suppressions treat them alike), plus
``diff_check(old_plan, new_plan, options)``. Their single-plan ``check`` yields
nothing: one plan cannot show a change.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from .document import Document, InputError
from .finding import Finding
from .plan import TrainingPlan
from .rules.base import Rule


def no_single_plan_check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """The single-plan ``check`` of a diff rule: a change needs two plans, so nothing."""
    return iter(())


@dataclass(frozen=True)
class DiffRule(Rule):
    """A rule over a change: ``diff_check(old_plan, new_plan, options) -> Iterable[Finding]``.

    Findings point into the new plan (the changed file at HEAD).
    """

    diff_check: Callable[[TrainingPlan, TrainingPlan, dict[str, Any]], Iterable[Finding]] | None = None


def ratio(old: float, new: float) -> float:
    """How many times larger the bigger of two positive numbers is (>= 1); ``inf`` if one is 0."""
    lo, hi = sorted((abs(old), abs(new)))
    return float("inf") if lo == 0 else hi / lo


class GitError(Exception):
    """``git`` failed (not a repository, unknown revision); message is git's own."""


def _git(args: list[str], cwd: str) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"cannot run git: {exc}") from None
    if proc.returncode != 0:
        raise GitError(proc.stderr.strip() or f"git {' '.join(args)} failed")
    return proc.stdout


def verify_rev(rev: str, cwd: str = ".") -> str:
    """The commit id of ``rev``.

    Raises:
        GitError: not a git work tree, or ``rev`` names no commit.
    """
    if rev.startswith("-"):
        raise GitError(f"invalid revision {rev!r}")
    try:
        return _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd).strip()
    except GitError:
        raise GitError(f"unknown revision {rev!r} (not a commit of the git repository in {os.path.abspath(cwd)})") from None


def text_at(rev: str, path: str) -> str | None:
    """The text of ``path`` at commit ``rev``, or ``None`` when it did not exist there.

    Raises:
        GitError: ``path`` is not inside a git work tree.
    """
    directory = os.path.dirname(os.path.abspath(path)) or "."
    top = _git(["rev-parse", "--show-toplevel"], directory).strip()
    rel = os.path.relpath(os.path.realpath(path), os.path.realpath(top)).replace(os.sep, "/")
    try:
        return _git(["show", f"{rev}:{rel}"], top)
    except GitError:
        return None


def plan_at(rev: str, path: str, options) -> TrainingPlan | None:
    """The plan of ``path`` as it was at ``rev`` (``None`` when the file is new or unreadable there)."""
    from .engine import build_plan
    from .loaders import load_text

    text = text_at(rev, path)
    if text is None:
        return None

    def load_base(p: str) -> Document | None:
        t = text_at(rev, p)
        try:
            return load_text(p, t) if t is not None else None
        except InputError:
            return None

    try:
        doc = load_text(path, text)
        return build_plan(doc, options, loader=load_base)
    except (InputError, KeyError, RecursionError):
        return None


def selected_diff_rules(options) -> list[DiffRule]:
    """The diff rules enabled by ``options.select``/``options.ignore`` (same matching as other rules)."""
    from .engine import selected_rules
    from .rules import diff_rules

    return selected_rules(options, diff_rules())


def check_change(old: TrainingPlan, new: TrainingPlan, rules: Iterable[DiffRule], options) -> list[Finding]:
    """Run diff ``rules`` on one change with option overrides and severities of ``options``."""
    out: list[Finding] = []
    for rule in rules:
        opts = dict(rule.options)
        opts.update(options.rule_options.get(rule.name, {}))
        for f in rule.diff_check(old, new, opts):
            sev = options.severity.get(rule.name)
            out.append(f.with_(severity=sev) if sev else f)
    return out


def apply(result, rev: str, options) -> list[Finding]:
    """Add the findings of the enabled diff rules, comparing each linted file with ``rev``.

    Each file's configuration (``.stablint.yaml`` / ``pyproject.toml``: select, ignore,
    options, severities, per-file-ignores) and its inline ``# stablint: disable=``
    comments apply as for every other rule. Mutates ``result.findings`` (kept sorted)
    and returns the added findings.

    Raises:
        GitError: ``rev`` is not a commit of the repository in the working directory.
    """
    from .config import ConfigResolver
    from .suppressions import Suppressions

    verify_rev(rev)
    configs = ConfigResolver(options.config_file, options.isolated)
    added: list[Finding] = []
    for fr in result.results:
        if fr.plan is None or fr.error is not None:
            continue
        try:
            cfg = configs.for_file(fr.path)
        except InputError:
            continue
        file_options = cfg.apply(options, fr.path) if cfg else options
        rules = selected_diff_rules(file_options)
        if not rules:
            continue
        try:
            old = plan_at(rev, fr.path, file_options)
        except GitError:
            continue
        if old is None or old.dialect != fr.plan.dialect:
            continue
        found = [f for f in check_change(old, fr.plan, rules, file_options) if not (cfg and cfg.drops(f))]
        if getattr(options, "suppressions", True):
            found = Suppressions().filter(found, {r.name for r in rules}, fr.plan.documents)
        added.extend(found)
    result.findings.extend(added)
    result.findings.sort(key=Finding.sort_key)
    return added
