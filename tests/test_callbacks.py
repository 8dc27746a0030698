"""stablint.watch and the torch-free Recorder: per-step trace, online signals, stop_on, torchrun (gloo)."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES, ROOT

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.probe

import stablint  # noqa: E402
from stablint.callbacks.core import Recorder  # noqa: E402
from stablint.commands.diagnose import run_diagnose  # noqa: E402

WATCH_LOOP = str(EXAMPLES / "run" / "watch_loop.py")
SGD_HIGH = str(EXAMPLES / "run" / "sgd_lr_high.yaml")


def _loop(w, model, opt, steps, nan_at=None, lr_boost=None):
    g = torch.Generator().manual_seed(0)
    for i in range(steps):
        x = torch.randn(16, 4, generator=g)
        loss = (model(x) ** 2).mean()
        if nan_at is not None and i >= nan_at:
            loss = loss * float("nan")
        opt.zero_grad()
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        w.step(loss=loss, grad_norm=gn, terms={"a": loss * 0.5, "b": loss * 0.5})
    return i


def test_watch_writes_the_trace_diagnose_reads(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    trace = tmp_path / "t.jsonl"
    with stablint.watch(model, opt, max_grad_norm=1.0, trace=str(trace), update_ratio_every=5) as w:
        g = torch.Generator().manual_seed(0)
        for _ in range(30):
            x = torch.randn(16, 4, generator=g)
            loss = (model(x) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            w.step(loss=loss, grad_norm=gn)
    rows = [json.loads(x) for x in trace.read_text().splitlines()]
    assert rows[0]["meta"]["max_grad_norm"] == 1.0
    recs = rows[1:]
    assert [r["step"] for r in recs] == list(range(30))
    # the LR the step used (read before scheduler.step()): 0.01 for steps 0..9, 0.005 for 10..19
    assert recs[9]["lr"] == pytest.approx(0.01) and recs[10]["lr"] == pytest.approx(0.005)
    assert all(r["clipped"] == (r["grad_norm"] > 1.0) for r in recs)
    assert sum("update_ratio" in r for r in recs) == 6  # steps 0, 5, ..., 25
    res = run_diagnose(str(trace))
    assert not res.errors and len(res.trace) == 30 and res.trace.meta["format"] == "stablint-trace"


def test_stop_on_nonfinite_ends_within_ten_steps(tmp_path, capsys):
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    trace = tmp_path / "t.jsonl"
    with stablint.watch(model, opt, max_grad_norm=1.0, trace=str(trace), config=SGD_HIGH,
                        stop_on=("nonfinite-values",)) as w:
        _loop(w, model, opt, 100, nan_at=37)
    assert w.stopped is not None and w.stopped.signal == "nonfinite-values"
    last = w.stopped.step
    assert len(w.trace) == last + 1 and 37 <= last <= 37 + 10
    assert w.stopped.evidence["first_step"] == 37
    assert w.stopped.config_line.startswith(f"{SGD_HIGH}:4:") and "lr" in w.stopped.config_line
    err = capsys.readouterr().err
    assert "STL909" in err and "sgd_lr_high.yaml:4" in err
    meta_stop = [json.loads(x) for x in trace.read_text().splitlines()][-1]["meta"]["stop"]
    assert meta_stop["signal"] == "nonfinite-values" and meta_stop["step"] == last


def test_no_stop_without_stop_on_and_when_healthy():
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    with stablint.watch(model, opt, max_grad_norm=1.0) as w:
        assert _loop(w, model, opt, 30, nan_at=5) == 29  # NaN but no stop_on: the loop runs to the end
    assert w.stopped is None and any(f.code == "STL909" for f in w.findings())
    with stablint.watch(model, opt, max_grad_norm=1.0, stop_on=("nonfinite-values", "loss-divergence")) as w2:
        assert _loop(w2, torch.nn.Linear(4, 1), opt, 20) == 19
    assert w2.stopped is None


def test_recorder_divergence_stop_is_checked_every_ten_steps():
    r = Recorder(None, stop_on=("loss-divergence",), verbose=False)
    for i in range(40):
        r.record(i, loss=1.0 if i < 20 else 1.0 * 3 ** (i - 19))
        if r.stop:
            break
    assert r.stop is not None and r.stop.signal == "loss-divergence"
    assert i % 10 == 9 and 20 < i <= 30
    with pytest.raises(ValueError):
        Recorder(None, stop_on=("loss-plateau",))


def test_watch_loop_example_stops_with_the_config_line(tmp_path):
    trace = tmp_path / "w.jsonl"
    p = subprocess.run([sys.executable, WATCH_LOOP, "--lr", "5", "--trace", str(trace), "--config", SGD_HIGH],
                       capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "stopped: STL903 loss-divergence" in p.stdout
    assert f"config: {SGD_HIGH}:4: optimizer.lr = 5.0" in p.stderr
    res = run_diagnose(str(trace), SGD_HIGH)
    assert any(f.code == "STL903" for f in res.findings)


@pytest.mark.skipif(shutil.which("torchrun") is None and not os.path.exists(os.path.join(os.path.dirname(sys.executable), "torchrun")),
                    reason="torchrun not installed")
def test_torchrun_two_gloo_processes_write_one_trace(tmp_path):
    trace = tmp_path / "w.jsonl"
    torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    p = subprocess.run([torchrun, "--standalone", "--nproc_per_node", "2", WATCH_LOOP, "--lr", "5",
                        "--trace", str(trace), "--config", SGD_HIGH], capture_output=True, text=True, timeout=120,
                       cwd=tmp_path, env=env)
    assert p.returncode == 0, p.stdout + p.stderr
    # both ranks left the loop at the same step (the stop was broadcast), one trace, one stop message
    assert "rank 0: steps 10, stopped: STL903" in p.stdout and "rank 1: steps 10, stopped: rank-0" in p.stdout
    assert p.stderr.count("stablint: stopped the run") == 1
    assert list(tmp_path.glob("*.jsonl")) == [trace]
    rows = [json.loads(x) for x in trace.read_text().splitlines() if '"meta"' not in x]
    assert [r["step"] for r in rows] == list(range(10)) and all(math.isfinite(r["grad_norm"]) for r in rows[:2])
