"""README.md opens with the two newcomer commands, and CI runs the README's test command."""

from __future__ import annotations

import re

from conftest import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_readme_starts_with_setup_lint_and_test_commands():
    text = (ROOT / "README.md").read_text()
    assert text.index("```bash") < 300, "the commands must be at the top of the README"
    setup_lint, setup_test = _commands()[:2]
    assert "stablint lint examples/" in setup_lint and setup_lint.startswith("pip install")
    assert "pytest" in setup_test and setup_test.startswith("pip install")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert _commands()[1] in ci.splitlines()
