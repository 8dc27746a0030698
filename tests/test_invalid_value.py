"""invalid-value: the fast pre-check agrees with jsonschema (the authority) on the shipped schema."""

from __future__ import annotations

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from stablint.linter.rules.invalid_value import FAST_KEYWORDS, maybe_invalid, schema


def _keywords(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            out.add(k)
            if k == "properties":
                for sub in v.values():
                    _keywords(sub, out)
            elif isinstance(v, dict):
                _keywords(v, out)
    return out


def test_schema_uses_only_keywords_the_fast_path_understands():
    assert _keywords(schema(), set()) <= FAST_KEYWORDS | {"properties"}


values = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(-2, 2, allow_nan=False),
                   st.sampled_from([0, 1, 0.5, 1.0, 1e-4, -1e-4, 2.0, "min", "max", "step", "", "x"]),
                   st.lists(st.floats(-1, 2, allow_nan=False), max_size=4), st.dictionaries(st.text(max_size=3), st.floats(-1, 2), max_size=3))


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(schema()["properties"]) + ["not.a.field"]), values, max_size=6))
def test_fast_path_never_misses_an_error(instance):
    valid = jsonschema.Draft202012Validator(schema()).is_valid(instance)
    if not valid:
        assert maybe_invalid(instance, schema()), instance


def test_schema_covers_every_plan_field():
    """A plan field missing from the schema fails ``additionalProperties: false`` on every plan that sets
    it: jsonschema would then be imported on the lint path for a valid file (issue 7 cold start)."""
    from stablint.linter.plan import FIELDS

    assert set(schema()["properties"]) == set(FIELDS)


def test_linting_the_valid_corpus_never_imports_jsonschema(tmp_path):
    """The corpus has no out-of-range value, so the fast pre-check must settle every plan."""
    import subprocess
    import sys
    from pathlib import Path

    corpus = Path(__file__).parent / "corpus"
    code = ("import sys\nfrom stablint.linter.engine import LintOptions, lint_paths\n"
            f"r = lint_paths([{str(corpus)!r}], LintOptions(jobs=1))\n"
            "assert not [f for f in r.findings if f.code == 'STL003'], 'corpus has an invalid value now'\n"
            "print('jsonschema' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr


def test_messages_show_values_not_internal_reprs(lint_text):
    """issue 17: a mapping where a list was expected printed loader Node reprs; out-of-range
    values inside a list name the element and say the bound in words."""
    res = lint_text("train.yaml", "optimizer:\n  lr: 1.0e-4\n  betas:\n    b1: 0.9\n    b2: 0.999\n"
                                  "training:\n  learning_rate: 1.0e-4\n", isolated=True)
    assert not [f for f in res.findings if f.rule == "invalid-value"]  # a layout we do not read is no error
    res = lint_text("t2.yaml", "optimizer:\n  lr: 1.0e-4\n  betas: [0.9, 1.5]\ntraining:\n  learning_rate: 0\n",
                    isolated=True)
    msgs = {f.field: f for f in res.findings if f.rule == "invalid-value"}
    assert msgs["optimizer.betas"].message == "optimizer.betas[1] = 1.5 is invalid: it must be < 1"
    assert "betas" in msgs["optimizer.betas"].hint
    assert msgs["optimizer.lr"].message.endswith("= 0 is invalid: it must be > 0")
    for f in res.findings:
        assert "Node(" not in f.message and "Node(" not in (f.hint or "")
