"""Rule docs are executable: every registered rule has all sections, its Example
triggers it, its "Use instead" does not, and docs/rules/ matches the rules."""

from __future__ import annotations

import pytest

from stablint import docs
from stablint.linter.engine import LintOptions, lint_paths
from stablint.linter.rules import all_rules
from stablint.linter.rules.base import SECTIONS, code_block

from conftest import ROOT

EXT = {"yaml": ".yaml", "yml": ".yaml", "json": ".json", "toml": ".toml", "python": ".py", "py": ".py",
       "sh": ".sh", "bash": ".sh", "shell": ".sh"}
RULES = all_rules()


def _codes(tmp_path, section: str, name: str) -> set[str]:
    block = code_block(section)
    assert block is not None, f"{name}: no fenced config block"
    lang, text = block
    assert lang in EXT, f"{name}: unsupported fence language {lang!r}"
    path = tmp_path / f"{name}{EXT[lang]}"
    path.write_text(text)
    result = lint_paths([str(path)], LintOptions(isolated=True))
    assert not result.errors, [e.to_dict() for e in result.errors]
    return {f.code for f in result.findings}


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_sections_present(rule):
    sections = rule.sections()
    missing = [s for s in SECTIONS if not sections.get(s)]
    assert not missing, f"{rule.name} docstring lacks {missing}"


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_example_triggers_and_fix_does_not(rule, tmp_path):
    sections = rule.sections()
    assert rule.code in _codes(tmp_path, sections["Example"], "example"), f"Example of {rule.name} does not trigger it"
    assert rule.code not in _codes(tmp_path, sections["Use instead"], "use_instead"), \
        f"'Use instead' of {rule.name} still triggers it"


def test_docs_dir_is_up_to_date():
    stale = docs.stale(str(ROOT / "docs" / "rules"))
    assert not stale, f"docs/rules/ is stale ({stale}); run `python -m stablint.docs`"


def test_stale_detection(tmp_path):
    out = tmp_path / "rules"
    assert docs.main([str(out)]) == 0
    assert docs.stale(str(out)) == []
    page = out / f"{RULES[0].name}.md"
    page.write_text(page.read_text().replace("## Example", "## Exampel"))
    (out / "removed-rule.md").write_text("# gone\n")
    assert set(docs.stale(str(out))) == {page.name, "removed-rule.md"}
    assert docs.main(["--check", str(out)]) == 1
    docs.write(str(out))
    assert docs.stale(str(out)) == [] and not (out / "removed-rule.md").exists()


def test_missing_section_is_detected():
    from dataclasses import replace

    rule = RULES[0]
    broken = replace(rule, doc=rule.doc.replace("### Why is this bad?", "### Why"))
    assert "Why is this bad?" not in broken.sections()
    assert "## Why is this bad?\n\n\n" in docs.render_rule(broken)  # the page shows an empty section
