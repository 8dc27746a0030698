"""The Lightning callback on a real ``lightning.pytorch.Trainer`` and ``probe --run --mode lightning-cli``."""

from __future__ import annotations

import json
import sys

import pytest

from conftest import EXAMPLES

torch = pytest.importorskip("torch")
L = pytest.importorskip("lightning.pytorch")
pytestmark = pytest.mark.probe

RUN = EXAMPLES / "run"
CLI_SCRIPT = str(RUN / "lightning_tiny_cli.py")
CLI_CFG = str(RUN / "lightning_tiny.yaml")


def _module():
    sys.path.insert(0, str(RUN))
    try:
        import lightning_tiny_cli as m
    finally:
        sys.path.remove(str(RUN))
    return m


def _fit(tmp_path, cb, **kw):
    m = _module()
    torch.manual_seed(0)
    opts = dict(max_steps=20, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                enable_progress_bar=False, enable_model_summary=False, default_root_dir=str(tmp_path))
    opts.update(kw)
    trainer = L.Trainer(callbacks=[cb], **opts)
    trainer.fit(m.Regression(lr=0.01), m.RandomData(n=1024))
    return trainer


def test_lightning_callback_records_pre_clip_norm_per_optimizer_step(tmp_path):
    from stablint.callbacks.lightning import StablintCallback

    trace = tmp_path / "t.jsonl"
    cb = StablintCallback(str(trace))
    _fit(tmp_path, cb, gradient_clip_val=0.001, accumulate_grad_batches=2)
    rows = [json.loads(x) for x in trace.read_text().splitlines()]
    assert rows[0]["meta"]["max_grad_norm"] == 0.001 and rows[0]["meta"]["accumulate_grad_batches"] == 2
    recs = rows[1:]
    assert [r["step"] for r in recs] == list(range(1, 21))
    # clipped to 0.001 after the hook: the recorded norm is the pre-clip one, far above the threshold
    assert all(r["grad_norm"] > 0.1 and r["clipped"] is True for r in recs)
    assert all(r["lr"] == pytest.approx(0.01) for r in recs)


def test_lightning_stop_on_divergence(tmp_path, capsys):
    from stablint.callbacks.lightning import StablintCallback

    m = _module()
    cb = StablintCallback(str(tmp_path / "t.jsonl"), stop_on=("nonfinite-values", "loss-divergence"))
    trainer = L.Trainer(callbacks=[cb], max_steps=300, accelerator="cpu", devices=1, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                        default_root_dir=str(tmp_path))
    trainer.fit(m.Regression(lr=3.0), m.RandomData(n=4096))
    assert cb.recorder.stop is not None and trainer.global_step < 300
    assert trainer.global_step - cb.recorder.stop.step <= 1
    assert "stablint: stopped the run" in capsys.readouterr().err


def test_probe_run_lightning_cli_confirms_clip_finding(tmp_path):
    from stablint.probes.report_run import render_json
    from stablint.probes.user_run import run_user

    pytest.importorskip("jsonargparse")
    ur = run_user(CLI_CFG, [sys.executable, CLI_SCRIPT, "fit", "--config", CLI_CFG], mode="lightning-cli",
                  steps=30, echo=lambda line: None, cwd=str(tmp_path))
    doc = json.loads(render_json(ur))
    assert "--trainer.max_steps=30" in doc["run"]["command"]
    f = next(f for f in doc["findings"] if f["code"] == "STL302")
    assert f["probe"]["verdict"] == "confirmed" and f["probe"]["evidence_from"] == "user-run"
    assert f["probe"]["evidence"]["clipped"] == f["probe"]["evidence"]["samples"] > 0
