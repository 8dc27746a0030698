"""Every verdict says why, sources a user can open, which model the probe trained (issue 17).

No torch needed: the probe-only checks are fed recorded numbers (the shapes RunResult has).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from stablint.trends import judge
from stablint.trends.signals import SOURCES, Check, measure
from stablint.trends.signals.clipping import check_clip
from stablint.trends.signals.catalog import resolve_options
from stablint.trends.readers import read_log
from stablint.trends.trace import Trace

from conftest import ROOT

LOGS = sorted(p for p in (ROOT / "tests" / "logs").glob("*") if p.suffix in (".jsonl", ".csv", ".json", ".log"))


def _probe_sources() -> list[str]:
    import ast

    tree = ast.parse((ROOT / "stablint" / "probes" / "signals_probe.py").read_text())
    return [n.value.value for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
            and isinstance(n.value.value, str) and n.targets[0].id.startswith("SRC_")]


@pytest.mark.parametrize("source", list(SOURCES.values()) + _probe_sources())
def test_sources_are_pages_a_user_can_open(source):
    assert "research/" not in source  # research/ notes are not in the repository
    pages = re.findall(r"(docs/[\w/.-]+\.md)(?:#([\w-]+))?", source)
    assert pages or "https://" in source, source
    for page, anchor in pages:
        text = (ROOT / page).read_text()
        if anchor:
            assert f"\n## {anchor}\n" in text, (page, anchor)


def test_signals_page_links_every_signal():
    text = (ROOT / "docs" / "signals.md").read_text()
    for name in list(SOURCES) + ["lr-ab", "noise-scale", "task-grad-share", "lora-effective-update",
                                 "update-ratio", "init-loss"]:
        assert f"\n## {name}\n" in text, name


@pytest.mark.parametrize("log", LOGS, ids=lambda p: p.name)
def test_every_measured_check_gives_a_sentence(log):
    trace = read_log(str(log))
    for name, check in measure(trace, {"max_grad_norm": 1.0}).items():
        v = judge._verdict(check, 100)
        assert v["note"].strip(), (name, check)


def _run(val_losses, init=2.0, status="ok", **kw):
    return SimpleNamespace(val_losses=val_losses, init_loss=init, status=status, steps_done=100, lora_rel=1e-5,
                           noise=kw.get("noise", []), shares=kw.get("shares", []), update_ratios=[])


def test_probe_only_checks_each_verdict_has_a_reason():
    from stablint.probes import signals_probe as sp

    checks = [
        sp.lora_effective_update(_run([1.95, 1.9]), _run([1.7, 1.5])),      # alpha x4 helps 5x: confirmed
        sp.lora_effective_update(_run([1.5, 1.0]), _run([1.2, 0.9])),       # 1.1x: not observed
        sp.noise_scale(_run([1.0], noise=[(2, 5.0, 8, 2.0)] * 3), 2),
        sp.noise_scale(_run([1.0], noise=[(2, 1.01, 8, 1.0)] * 3), 64),
        sp.task_grad_share(_run([1.0], shares=[{"a": 0.95, "b": 0.05}] * 4)),
        sp.task_grad_share(_run([1.0], shares=[{"a": 0.5, "b": 0.5}] * 4)),
        sp.init_loss(_run([1.0], init=5.6), 5.545),
        sp.init_loss(_run([1.0], init=20.0), 5.545),
    ]
    assert {c.fired for c in checks} == {True, False}
    for c in checks:
        v = judge._verdict(c, 100)
        assert v["note"].strip() and not v["note"].endswith(":"), c


@pytest.mark.parametrize("fired,word", [(True, "held"), (False, "did not hold"), (None, "not measurable")])
def test_fallback_sentence(fired, word):
    v = judge._verdict(Check("lr-ab", fired, {}, "some condition"), 10)
    assert word in v["note"] and "some condition" in v["note"]


def test_clip_flags_are_not_grad_norms():
    """issue 17: warm-up over the whole probe made the fallback read 0/1 flags as norms at 0.5."""
    rows = [{"step": i, "loss": 2.0, "grad_norm": 2.0, "clipped": True, "lr": 1e-3} for i in range(1, 41)]
    trace = Trace.from_records(rows, {"max_grad_norm": 1.0, "warmup_steps": 100})
    c = check_clip(trace, resolve_options({}, trace))
    assert c.fired is None and "warm-up covers" in c.reason
    flags_only = Trace.from_records([{"step": i, "loss": 2.0, "clipped": True} for i in range(1, 41)],
                                    {"max_grad_norm": 1.0})
    c = check_clip(flags_only, resolve_options({}, flags_only))
    assert c.fired is None and c.evidence["clipped_flags"] == 40 and "0.5" not in c.reason


def test_model_sentence_names_the_model():
    pytest.importorskip("torch")
    from stablint.probes.report import BUILTIN_MODELS, model_sentence
    from stablint.probes.targets import BUILTIN

    assert set(BUILTIN_MODELS) == set(BUILTIN)
    assert "built-in stand-in 'lm'" in model_sentence("lm") and "not your model" in model_sentence("lm")
    assert model_sentence("hf:/models/tiny") == "your Hugging Face model /models/tiny (--hf-model)"
    assert model_sentence("mypkg.models:build") == "your model from --target mypkg.models:build"


def test_fix_outcome_says_when_a_fix_did_not_help():
    pytest.importorskip("torch")
    from stablint.probes.report import fix_outcome

    same = {"fix": {"key": "max_grad_norm", "value": 2.0}, "before": {"verdict": "confirmed"},
            "after": {"verdict": "confirmed", "note": "clipping acted on 80% of steps"}}
    assert "did not help" in fix_outcome(same) and "80%" in fix_outcome(same)
    better = {**same, "after": {"verdict": "not-observed"}}
    assert fix_outcome(better) is None
