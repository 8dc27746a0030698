"""The rule catalog's real failures (issue 15: "the rule catalog page lists, per rule, the real
failures it would have caught").

Every :class:`~stablint.linter.rules.base.Caught` record names its source; one with a
``reproduction`` is linted here, and the test fails unless the rule reports that file. A PR-diff
rule's reproduction is ``OLD..NEW`` (two files: the config before and after the change).
"""

from __future__ import annotations

import os
import re

import pytest

from stablint.linter.diff import check_change
from stablint.linter.engine import LintOptions, lint_paths
from stablint.linter.rules import catalog, diff_rules
from stablint.linter.rules.base import CAUGHT_KINDS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_DIFF = {r.name for r in diff_rules()}
_SOURCE = re.compile(r"^(https://\S+|shared/seeds/\d{3}_[0-9a-f]+\.txt|[\w.-]+/[\w.-]+ \S+@[0-9a-f]{7,40})$")

CASES = [(r, c) for r in catalog() for c in r.caught]


def _id(case) -> str:
    rule, c = case
    return f"{rule.name}:{os.path.basename(c.reproduction.split('..')[-1]) or c.source[-30:]}"


def _plan(path: str):
    res = lint_paths([path], LintOptions(isolated=True))
    assert not res.errors, [e.to_dict() for e in res.errors]
    return res.results[0].plan


def test_catalog_has_real_failures():
    """At least the seeds' rules and the thread-backed rules carry evidence (not an empty list)."""
    assert len(CASES) >= 38
    assert len({r.name for r, _ in CASES}) >= 21


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_caught_record_is_well_formed(case):
    rule, c = case
    assert c.kind in CAUGHT_KINDS
    assert _SOURCE.match(c.source), c.source
    assert c.what.strip() and not c.what.endswith("."), c.what
    if c.kind == "write-up":
        assert c.source.startswith("shared/seeds/")
    if c.kind == "config":
        assert c.reproduction or "@" in c.source


@pytest.mark.parametrize("case", [c for c in CASES if c[1].reproduction], ids=_id)
def test_reproduction_is_reported(case):
    rule, c = case
    if rule.name in _DIFF:
        old, new = (os.path.join(ROOT, p) for p in c.reproduction.split(".."))
        found = check_change(_plan(old), _plan(new), [rule], LintOptions(isolated=True))
    else:
        assert ".." not in c.reproduction
        path = os.path.join(ROOT, c.reproduction)
        assert os.path.isfile(path), c.reproduction
        res = lint_paths([path], LintOptions(isolated=True))
        found = [f for f in res.findings if f.rule == rule.name]
    assert found, f"{rule.name} does not report {c.reproduction}"


def test_reconstructions_cite_their_thread():
    """A reconstruction under tests/caught/ quotes its source in a comment (the URL appears in the file)."""
    checked = 0
    for rule, c in CASES:
        for part in c.reproduction.split(".."):
            if part.startswith("tests/caught/"):
                text = open(os.path.join(ROOT, part), encoding="utf-8").read()
                assert c.source in text, (part, c.source)
                checked += 1
    assert checked


def test_caught_readme_lists_every_reconstruction():
    """tests/caught/README.md has a row for every file under tests/caught/ (rule, source, what it reproduces)."""
    folder = os.path.join(ROOT, "tests", "caught")
    readme = open(os.path.join(folder, "README.md"), encoding="utf-8").read()
    missing = [f for f in sorted(os.listdir(folder)) if f != "README.md" and f"`{f}`" not in readme]
    assert not missing, missing
