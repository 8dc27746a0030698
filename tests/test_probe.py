"""stablint probe: timeline compression, verdicts on the seed examples, reports, clean failures.

Needs torch (the ``stablint[probe]`` extra); tiny step counts keep the whole file at a few seconds.
"""

import json
import math

import pytest

torch = pytest.importorskip("torch")
from click.testing import CliRunner  # noqa: E402

from stablint.cli import cli  # noqa: E402
from stablint.probes import loop, runner, spec as probe_spec  # noqa: E402
from stablint.trends.trace import Trace  # noqa: E402

pytestmark = pytest.mark.probe
VERDICTS = {"confirmed", "not-observed", "inconclusive"}


def _plan(path):
    plan, findings = runner.load(path)
    return plan, findings


def _check(rep, signal):
    return next(c for c in rep.checks if c["signal"] == signal)


def test_spec_compresses_patience_and_warmup():
    plan, _ = _plan("examples/seed002_before.yaml")
    s = probe_spec.spec_from_plan(plan, steps=200)
    assert s.scheduler == "plateau" and s.sched["patience"] == 10
    # patience 10 (+1 to act) fits twice into the horizon: K = 200 // 22
    assert s.steps_per_epoch == 9 and s.epochs >= 2 * 11
    plan3, _ = _plan("examples/seed003_before.config.py")
    s3 = probe_spec.spec_from_plan(plan3, steps=120)
    assert s3.warmup_steps == 1  # 500 of 60000 steps, compressed to a 120-step horizon
    assert s3.micro_batch == 1 and s3.grad_accum == probe_spec.MAX_PROBE_ACCUM
    assert any("accumulation 16 capped" in n for n in s3.notes)


def test_absurd_learning_rate_is_a_clean_error(tmp_path):
    cfg = tmp_path / "train.yaml"
    cfg.write_text("training:\n  learning_rate: 1.0e9\n  batch_size: 8\n")
    res = CliRunner().invoke(cli, ["probe", str(cfg)])
    assert res.exit_code == 2
    assert f"{cfg}:2:" in res.output and "optimizer.lr" in res.output


def test_missing_torch_says_how_to_install(monkeypatch):
    import stablint.probes as probes

    def missing():
        raise probes.ProbeUnavailable(probes.INSTALL_HINT)

    monkeypatch.setattr(probes, "require_torch", missing)
    res = CliRunner().invoke(cli, ["probe", "examples/seed000_before.yaml"])
    assert res.exit_code == 2 and "stablint[probe]" in res.output


def test_seed000_clip_saturation_before_not_after():
    before = runner.probe_path("examples/seed000_before.yaml", steps=60, device="cpu")
    after = runner.probe_path("examples/seed000_after.yaml", steps=60, device="cpu")
    b, a = _check(before, "clip-saturation"), _check(after, "clip-saturation")
    # saturation is measured, but with AdamW it did not predict a worse long run (bench/validity): reported
    # as inconclusive, the measured verdict kept in the evidence
    assert before.spec.optimizer == "adamw"
    assert b["verdict"] == "inconclusive" and b["evidence"]["measured_verdict"] == "confirmed"
    assert b["evidence"]["clip_rate"] >= 0.5 and "bench/validity" in b["note"]
    assert a["verdict"] == "not-observed" and a["evidence"]["clip_rate"] < 0.5
    # the suggested threshold (p90 of the pre-clip norm) is reported
    assert b["evidence"]["p90"] > before.spec.max_grad_norm


def test_seed001_task_grad_share_confirms_only_a_strong_imbalance(tmp_path):
    # share_max 0.95 (bench/validity): seed 001's own weights (1.0 / 1.2 / 1.2) did not make the surrogate's
    # long run worse than the AFTER weights, and are no longer confirmed; weights 1 : 0.01 are
    text = open("examples/seed001_before.yaml").read()
    strong = tmp_path / "strong.yaml"
    strong.write_text(text.replace("peak_amplitude: 1.2", "peak_amplitude: 0.01").replace("peak_latency: 1.2",
                                                                                          "peak_latency: 0.01"))
    before = runner.probe_path("examples/seed001_before.yaml", steps=80, device="cpu")
    worse = runner.probe_path(str(strong), steps=80, device="cpu")
    after = runner.probe_path("examples/seed001_after.yaml", steps=80, device="cpu")
    assert before.spec.target == worse.spec.target == "multitask"
    b, w, a = (_check(r, "task-grad-share") for r in (before, worse, after))
    assert w["verdict"] == "confirmed" and w["evidence"]["dominant_term"] == "threshold"
    assert b["verdict"] != "confirmed" and b["evidence"]["median_max_over_min"] > 10  # imbalanced, not dominated
    assert a["verdict"] == "not-observed"


def test_every_finding_gets_a_verdict_and_trace_roundtrips(tmp_path):
    out = tmp_path / "trace.jsonl"
    res = CliRunner().invoke(cli, ["probe", "examples/seed002_before.yaml", "--steps", "40", "--format", "json",
                                   "--device", "cpu", "--trace-out", str(out)])
    assert res.exit_code in (0, 1), res.output
    doc = json.loads(res.output)
    assert doc["horizon"]["steps"] == 40 and doc["runs"]["main"]["steps"] > 0
    for f in doc["findings"]:
        assert f["probe"]["verdict"] in VERDICTS and "evidence" in f["probe"]
        assert f["probe"]["evidence_from"] == "surrogate"  # a built-in target, not the user's model
    lines = out.read_text().splitlines()
    meta = json.loads(lines[0])["meta"]
    trace = Trace.from_records([json.loads(x) for x in lines[1:]], meta)
    assert meta["steps_per_epoch"] == doc["horizon"]["steps_per_epoch"]
    assert len(trace.series("grad_norm")) == doc["runs"]["main"]["steps"]


def test_markdown_report_lists_findings():
    res = CliRunner().invoke(cli, ["probe", "examples/seed000_before.yaml", "--steps", "20", "--format", "markdown"])
    assert res.exit_code in (0, 1), res.output
    assert res.output.startswith("## stablint probe") and "| code | rule | verdict |" in res.output
    assert "not your model" in res.output


def test_lora_adapter_starts_at_the_base_model():
    from stablint.probes.lora import LoRALinear

    base = torch.nn.Linear(16, 8)
    x = torch.randn(4, 16)
    ref = base(x)
    lora = LoRALinear(base, r=4, alpha=16, use_rslora=True)
    assert torch.equal(lora(x), ref) and lora.relative_update() == 0.0
    assert lora.scaling == pytest.approx(16 / 2)  # rsLoRA: alpha / sqrt(r)
    assert not base.weight.requires_grad


def test_divergence_ends_cleanly_with_nonfinite_status():
    s = probe_spec.ProbeSpec(target="mlp-regression", steps=30, steps_per_epoch=10, lr=1e4, optimizer="sgd")
    res = loop.run(s)
    assert res.status == "nonfinite" and res.steps_done < 30
    last = res.trace.records[-1]
    assert not (math.isfinite(last.loss) and math.isfinite(last.grad_norm))


def test_user_target_protocol():
    res = CliRunner().invoke(cli, ["probe", "examples/seed001_before.yaml", "--steps", "16", "--format", "json",
                                   "--target", "examples.custom_target:build"])
    assert res.exit_code in (0, 1), res.output
    doc = json.loads(res.output)
    assert doc["target"] == "examples.custom_target:build" and doc["runs"]["main"]["status"] == "ok"
    assert all(f["probe"]["evidence_from"] == "user-model" for f in doc["findings"])
    assert runner.evidence_from("examples.custom_target:build") == "user-model"
    assert runner.evidence_from("hf:/models/tiny") == "user-model" and runner.evidence_from("lm") == "surrogate"
    bad = CliRunner().invoke(cli, ["probe", "examples/seed001_before.yaml", "--target", "no_such_mod:build"])
    assert bad.exit_code == 2 and "cannot import target" in bad.output


def test_downgrade_only_where_the_validity_benchmark_found_a_direction_unreliable():
    from types import SimpleNamespace

    from stablint.probes.verdicts import downgrade

    conf = {"verdict": "confirmed", "evidence": {"clip_rate": 1.0}, "note": "clipped"}
    adam, sgd = SimpleNamespace(optimizer="adamw"), SimpleNamespace(optimizer="sgd")
    out = downgrade(conf, "clip-saturation", "clip-too-aggressive", adam)
    assert out["verdict"] == "inconclusive" and out["evidence"] == {"clip_rate": 1.0, "measured_verdict": "confirmed"}
    assert out["note"].startswith("clipping saturates") and out["note"].endswith("[measured: clipped]")
    assert conf["verdict"] == "confirmed" and "measured_verdict" not in conf["evidence"]  # input untouched
    assert downgrade(conf, "clip-saturation", "clip-too-aggressive", sgd) == conf  # no SGD data: kept
    assert downgrade(conf, "lr-never-changes", "early-stop-before-lr-drop", adam) == conf  # 4 of 4 right
    assert downgrade(conf, "lr-never-changes", "plateau-monitors-train-loss", adam)["verdict"] == "inconclusive"
    assert downgrade(conf, "task-grad-share", "loss-weight-imbalance", adam) == conf
    clean = {"verdict": "not-observed", "evidence": {}, "note": ""}
    assert downgrade(clean, "clip-saturation", "clip-too-aggressive", adam) == clean
