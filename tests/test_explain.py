"""`stablint explain NAME|CODE` prints the rule's generated page; unknown rules exit 2."""

from __future__ import annotations

from click.testing import CliRunner

from stablint.cli import cli
from stablint.linter.rules import all_rules


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_explain_by_code_and_name_are_the_same_page():
    for rule in all_rules():
        by_code = run("explain", rule.code)
        by_name = run("explain", rule.name)
        assert by_code.exit_code == 0 and by_code.output == by_name.output
        assert by_code.output.startswith(f"# {rule.name} ({rule.code})")
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
            assert section in by_code.output


def test_explain_lowercase_code_and_options_table():
    out = run("explain", "stl002").output
    assert out.startswith("# yaml-float-as-string (STL002)")
    assert "| `all_keys` | `True` |" in out and "```yaml\nmodel_name_or_path: gpt2" in out


def test_explain_unknown_rule_exits_2():
    r = run("explain", "no-such-rule")
    assert r.exit_code == 2
    assert "no rule named 'no-such-rule'" in r.output and "STL001 duplicate-key" in r.output
