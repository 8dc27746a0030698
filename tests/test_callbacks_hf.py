"""The HF Trainer callback on a real ``transformers.Trainer`` and ``probe --run`` on an unmodified HF script."""

from __future__ import annotations

import json
import statistics
import sys

import pytest

from conftest import EXAMPLES, cli_runner

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytestmark = pytest.mark.probe

from stablint.cli import cli as main  # noqa: E402

RUN = EXAMPLES / "run"
SCRIPT = str(RUN / "hf_tiny_train.py")
CLIP_CFG = str(RUN / "hf_tiny_clip.yaml")


def _trainer(tmp_path, callbacks=(), **kw):
    sys.path.insert(0, str(RUN))
    try:
        from hf_tiny_train import Tokens
    finally:
        sys.path.remove(str(RUN))
    torch.manual_seed(0)
    model = transformers.GPT2LMHeadModel(transformers.GPT2Config(vocab_size=64, n_positions=32, n_embd=32,
                                                                 n_layer=1, n_head=2))
    args = transformers.TrainingArguments(output_dir=str(tmp_path / "out"), report_to=[], save_strategy="no",
                                          disable_tqdm=True, use_cpu=True, per_device_train_batch_size=8,
                                          **{"learning_rate": 5e-4, "logging_steps": 5, "max_steps": 30, **kw})
    return transformers.Trainer(model=model, args=args, train_dataset=Tokens(n=256), callbacks=list(callbacks))


def _rows(path):
    return [json.loads(x) for x in open(path, encoding="utf-8") if not x.startswith('{"meta"')]


def test_attached_callback_records_every_optimizer_step(tmp_path):
    from stablint.callbacks.hf import StablintCallback

    trace = tmp_path / "t.jsonl"
    tr = _trainer(tmp_path, max_grad_norm=0.5, gradient_accumulation_steps=2, max_steps=12)
    cb = StablintCallback(str(trace)).attach(tr)
    tr.train()
    rows = _rows(trace)
    assert [r["step"] for r in rows] == list(range(1, 13))  # HF's global_step, one per optimizer step
    logged = {h["step"]: h for h in tr.state.log_history if "grad_norm" in h}
    for step, h in logged.items():  # our pre-clip norm is HF's logged (pre-clip) norm of that step
        assert rows[step - 1]["grad_norm"] == pytest.approx(h["grad_norm"], rel=1e-4)
    # the LR the step used: HF's default linear decay over 12 steps, no warm-up (HF's own logged LR is
    # this value in transformers 5 and the next step's in 4.40, read after scheduler.step())
    assert [r["lr"] for r in rows] == pytest.approx([5e-4 * (1 - k / 12) for k in range(12)], rel=1e-6)
    # HF's logged loss is the mean over the logging window of the per-step losses we record
    assert sorted(logged) == [5, 10]
    win = statistics.mean(r["loss"] for r in rows[:5])
    assert win == pytest.approx(next(h["loss"] for h in tr.state.log_history if h.get("step") == 5), rel=1e-3)
    assert all(r["clipped"] == (r["grad_norm"] > 0.5) for r in rows)
    assert any("update_ratio" in r for r in rows)
    assert cb.recorder.trace.meta["gradient_accumulation_steps"] == 2


def test_plain_callbacks_argument_records_what_hf_logs(tmp_path):
    from stablint.callbacks.hf import StablintCallback

    trace = tmp_path / "t.jsonl"
    tr = _trainer(tmp_path, callbacks=[StablintCallback(str(trace))], max_steps=15)
    tr.train()
    rows = _rows(trace)
    assert [r["step"] for r in rows] == [5, 10, 15]
    hist = [h for h in tr.state.log_history if "loss" in h and "grad_norm" in h]
    assert [r["loss"] for r in rows] == pytest.approx([h["loss"] for h in hist])


def test_stop_on_nonfinite_stops_the_trainer(tmp_path, capsys):
    from stablint.callbacks.hf import StablintCallback

    tr = _trainer(tmp_path, learning_rate=1e6, max_grad_norm=0.0, max_steps=200, logging_steps=50)
    cb = StablintCallback(str(tmp_path / "t.jsonl"), stop_on=("nonfinite-values", "loss-divergence"),
                          config=CLIP_CFG).attach(tr)
    tr.train()
    rec = cb.recorder
    assert rec.stop is not None and cb.stopped_by == rec.stop.signal
    assert tr.state.global_step == rec.stop.step < 200
    if rec.stop.signal == "nonfinite-values":
        assert rec.stop.step - rec.stop.evidence["first_step"] <= 10
    assert "stablint: stopped the run" in capsys.readouterr().err


@pytest.fixture(scope="module")
def clip_run(tmp_path_factory):
    """One ``probe --run`` of the unmodified HF script (the subprocess imports torch + transformers: ~7-20 s)."""
    from stablint.probes.user_run import run_user

    tmp = tmp_path_factory.mktemp("run")
    trace = tmp / "run.jsonl"
    ur = run_user(CLIP_CFG, [sys.executable, SCRIPT, CLIP_CFG, str(tmp / "out")], steps=30, trace_out=str(trace),
                  echo=lambda line: None)
    return ur, trace


def test_probe_run_unmodified_script_confirms_clip_finding(clip_run):
    from stablint.probes.report_run import exit_code, render_json

    ur, trace = clip_run
    assert exit_code(ur) == 1
    doc = json.loads(render_json(ur))
    assert doc["evidence_from"] == "user-run" and doc["run"]["ended_by"] == "budget-steps"
    assert doc["run"]["returncode"] == 0  # the callback stopped training; the script ended normally
    f = next(f for f in doc["findings"] if f["code"] == "STL302")
    assert f["probe"]["verdict"] == "confirmed" and f["probe"]["evidence_from"] == "user-run"
    rows = _rows(trace)
    assert len(rows) == 30
    # the numbers are this run's: median pre-clip grad norm of the post-warm-up steps
    norms = sorted(r["grad_norm"] for r in rows[5:])
    assert f["probe"]["evidence"]["p50"] == pytest.approx(statistics.median(norms), rel=0.05)
    assert f["probe"]["evidence"]["max_grad_norm"] == 0.001


def test_probe_run_text_says_where_the_evidence_comes_from(clip_run):
    from stablint.probes.report_run import render_markdown, render_text

    ur, _ = clip_run
    text = render_text(ur)
    assert "evidence from YOUR OWN training run" in text and "stopped at the --steps budget" in text
    assert "run: confirmed (clip-saturation" in text
    md = render_markdown(ur)
    assert "| STL302 | clip-too-aggressive | 6 | **confirmed** | clip-saturation |" in md


def test_probe_run_usage_errors(tmp_path):
    r = cli_runner().invoke(main, ["probe", "--run", CLIP_CFG, "--target", "lm", "--", "python", "x.py"])
    assert r.exit_code == 2 and "--run" in r.stderr
    r = cli_runner().invoke(main, ["probe", "--run", CLIP_CFG])
    assert r.exit_code == 2 and "training command" in r.stderr
    r = cli_runner().invoke(main, ["probe", "--run", CLIP_CFG, "--", str(tmp_path / "no-such-binary")])
    assert r.exit_code == 2 and "cannot start the command" in r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1\n")
    r = cli_runner().invoke(main, ["probe", "--run", str(bad), "--", "true"])
    assert r.exit_code == 2 and str(bad) in r.stderr and "Traceback" not in r.output
