"""bench/validity: the sweep is well formed and the ground-truth label follows README's rule (no training here)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.validity import labels  # noqa: E402
from bench.validity.sweep import cases  # noqa: E402
from stablint.linter.engine import LintOptions, lint_file  # noqa: E402


def _run(val, first=1.0, tail=0.5, status="ok", init=1.0):
    return {"status": status, "val_losses": val, "first_loss": first, "tail_loss": tail, "init_loss": init}


def test_worse_than_the_fix_needs_both_margins():
    ref = _run([0.9, 0.5])
    assert labels.worse(_run([0.9, 0.54]), ref)                # +8 %, +0.04 > 0.01 x L0
    assert not labels.worse(_run([0.9, 0.52]), ref)            # +4 %: inside y = 5 %
    tiny = _run([0.9, 0.0105], init=1.0)
    assert not labels.worse(tiny, _run([0.9, 0.01]))           # +5 % but 0.0005 < 0.01 x L0
    assert labels.worse(_run([1.0, float("nan")], status="nonfinite"), ref)
    assert not labels.worse(_run([1.0], tail=2.0), _run([1.0], tail=3.0))  # both diverged: the fix does not help


def test_multitask_outcome_weighs_every_term_alike():
    run = {"status": "ok", "val_losses": [1.0], "terms_first": {"a": 70.0, "b": 0.1},
           "terms_tail": {"a": 7.0, "b": 0.1}}
    assert abs(labels.outcome(run) - 0.55) < 1e-9  # (0.1 + 1.0) / 2: term b never learned


def test_lr_never_cut_compares_after_warmup():
    assert labels.lr_never_cut({"lr_after_warmup": 1e-3, "lr_last": 1e-3})
    assert not labels.lr_never_cut({"lr_after_warmup": 1e-3, "lr_last": 5e-4})


def test_sweep_has_40_unique_configs_and_each_family_crosses_its_rule(tmp_path):
    cs = cases()
    assert len(cs) >= 40 and len({c.id for c in cs}) == len(cs)
    assert all(c.long_steps >= 20 * c.probe_steps for c in cs)
    fired: dict = {}
    for c in cs:
        p = tmp_path / (c.id.replace("/", "__") + c.ext)
        p.write_text(c.text)
        fr = lint_file(str(p), LintOptions())
        assert fr.error is None, (c.id, fr.error)
        fired.setdefault(c.family, set()).add(c.rule in {f.rule for f in fr.findings})
    # the rule fires in every family but the LoRA grid's above-threshold LRs (the clean side of that grid)
    assert {f for f, v in fired.items() if True not in v} == {"s4-lora-lr0.0001", "s4-lora-lr0.001",
                                                                 "s4-lora-hf-lr0.001"}, fired
    assert sum(v == {True, False} for v in fired.values()) >= 8, fired  # both sides of the threshold
