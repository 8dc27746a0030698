"""``stablint lint --fix`` / ``--diff`` (stablint/linter/fix.py): safe, layout-preserving text edits."""

from __future__ import annotations

import shutil

import yaml

from stablint.cli import cli
from stablint.linter.engine import LintOptions, lint_paths

from conftest import CORPUS, cli_runner

HF = ("# HF TrainingArguments\ntraining:\n  learning_rate: 1e-4   # peak LR\n  weight_decay: 5e-2\n"
      "  max_steps: 1000\n  warmup_ratio: 0.1\n")


def test_diff_then_fix_keeps_comments_and_layout(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.yaml").write_text(HF)
    diff = cli_runner().invoke(cli, ["lint", "--isolated", "--diff", "train.yaml"])
    assert diff.exit_code == 1
    assert "\n-  learning_rate: 1e-4   # peak LR\n" in diff.stdout
    assert "\n+  learning_rate: 1.0e-4   # peak LR\n" in diff.stdout and "+  weight_decay: 5.0e-2\n" in diff.stdout
    assert (tmp_path / "train.yaml").read_text() == HF  # --diff writes nothing
    res = cli_runner().invoke(cli, ["lint", "--isolated", "--fix", "train.yaml"])
    assert res.exit_code == 0 and "fixed 2 findings in 1 file" in res.stderr and "STL002" not in res.stdout
    new = (tmp_path / "train.yaml").read_text()
    assert new == HF.replace("1e-4", "1.0e-4").replace("5e-2", "5.0e-2")
    assert yaml.safe_load(new)["training"]["learning_rate"] == 1e-4  # now a float for PyYAML
    again = cli_runner().invoke(cli, ["lint", "--isolated", "--diff", "train.yaml"])
    assert again.exit_code == 0 and again.stdout == ""


def test_ambiguous_or_quoted_values_are_left_alone(tmp_path):
    from stablint.linter import fix

    text = "training:\n  learning_rate: '1e-4'\n  sched: {lr: 1e-4}\n"
    p = tmp_path / "t.yaml"
    p.write_text(text)
    findings = lint_paths([str(p)], LintOptions(isolated=True)).findings
    assert fix.plan_fixes(findings) == {}


def test_fix_changes_nothing_in_the_corpus(tmp_path):
    """The 84 real configs have no yaml-float-as-string finding (their frameworks coerce `1e-4`), so
    --fix must leave every byte as it is: a fixer never edits what no finding names."""
    copies = tmp_path / "corpus"
    shutil.copytree(CORPUS, copies)
    from stablint.linter import fix

    findings = lint_paths([str(copies)], LintOptions(isolated=True)).findings
    assert findings  # the corpus has findings of other rules; none of them is auto-fixed
    assert fix.plan_fixes(findings) == {}
