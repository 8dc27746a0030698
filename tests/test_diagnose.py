"""``stablint diagnose``: CLI contract, reports, and verdicts of static findings against real runs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from stablint.cli import cli
from stablint.linter.finding import Finding
from stablint.trends.judge import judge
from stablint.trends.readers import read_log
from stablint.trends.signals import Check
from stablint.trends.trace import StepRecord, Trace

CORPUS_HF = "tests/corpus/hf_trainer_json/aigoncharov__trainer_state_viz__trainer_state.json"


def run(*args):
    return CliRunner().invoke(cli, ["diagnose", *args])


def test_json_contract_on_corpus_log():
    r = run(CORPUS_HF, "--format", "json", "--fail-on", "info")
    assert r.exit_code == 1, r.output
    assert run(CORPUS_HF).exit_code == 0  # overfitting ships at info (tests/logs_real: P 0.88 / R 0.88)
    doc = json.loads(r.output)
    assert doc["version"] == 1 and doc["files"] == 1 and doc["errors"] == []
    f = next(x for x in doc["findings"] if x["rule"] == "overfitting")
    assert f["severity"] == "info"
    assert f["code"] == "STL910" and f["path"] == CORPUS_HF and f["dialect"] == "trace"
    assert f["line"] > 1 and f["steps"] == [401, 12030] and "UMLAUT" in f["source"]
    assert doc["trace"]["records"] == 31 and doc["checks"]["clip-saturation"]["fired"] is None


def test_healthy_log_exits_zero():
    r = run("tests/logs/healthy_trainer_state.json", "--max-grad-norm", "1.0")
    assert r.exit_code == 0, r.output
    assert "0 errors, 0 warnings, 0 infos" in r.output


def test_fail_on_and_exit_zero():
    assert run(CORPUS_HF, "--fail-on", "error").exit_code == 0
    assert run("tests/logs/hf_nan_signature.json", "--fail-on", "error").exit_code == 1
    assert run(CORPUS_HF, "--exit-zero").exit_code == 0


@pytest.mark.parametrize("content,name", [
    ('{"log_history": [{"loss": 1.0, "step": 1}, {"loss": ', "trainer_state.json"),
    ("\x00\x01binary", "weird.bin"),
    ("hello\n", "out.log"),
])
def test_malformed_log_is_exit_2_without_traceback(tmp_path, content, name):
    p = tmp_path / name
    p.write_text(content)
    r = run(str(p))
    assert r.exit_code == 2
    assert r.output.startswith(f"{p}:") and "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_missing_log_and_format_override(tmp_path):
    assert run(str(tmp_path / "nope.json")).exit_code == 2
    p = tmp_path / "log.txt"
    p.write_text('{"step": 1, "loss": 2.0}\n{"step": 2, "loss": 1.9}\n')
    r = run(str(p), "--format-in", "jsonl", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.output)["trace"]["records"] == 2


def test_config_findings_are_judged_confirmed_for_seed002():
    r = run("tests/logs/seed002_late_lr_cut.json", "--config", "tests/logs/seed002_config.yaml", "--format", "json")
    doc = json.loads(r.output)
    assert doc["files"] == 2
    stl101 = next(f for f in doc["findings"] if f["rule"] == "plateau-patience-too-long")
    assert stl101["probe"]["verdict"] == "confirmed" and stl101["probe"]["signal"] == "lr-cut-too-late"
    assert stl101["probe"]["evidence"]["lag_epochs"] == pytest.approx(13.0)  # best epoch 11 -> deciding eval at 24


def test_short_horizon_is_inconclusive_never_refuted():
    r = run("tests/logs/healthy_trainer_state.json", "--config", "tests/logs/seed002_config.yaml", "--format", "json")
    doc = json.loads(r.output)
    stl101 = next(f for f in doc["findings"] if f["rule"] == "plateau-patience-too-long")
    assert stl101["probe"]["verdict"] == "inconclusive"
    assert "patience window" in stl101["probe"]["note"]


def _finding(rule):
    return Finding(code="STL000", rule=rule, severity="warning", message="m", path="c.yaml")


def test_judge_clip_verdicts_follow_the_measured_rate():
    seed0 = read_log("tests/logs/seed000_clip_saturation.jsonl")
    healthy = read_log("tests/logs/healthy_trainer_state.json")
    f = _finding("clip-too-aggressive")
    assert judge([f], seed0, options={"max_grad_norm": 1.0})[0].probe["verdict"] == "confirmed"
    assert judge([f], healthy, options={"max_grad_norm": 1.0})[0].probe["verdict"] == "not-observed"
    assert judge([f], healthy)[0].probe["verdict"] == "inconclusive"  # no threshold known
    short = Trace([StepRecord(step=i, grad_norm=5.0, loss=1.0) for i in range(8)])
    assert judge([f], short, options={"max_grad_norm": 1.0})[0].probe["verdict"] == "inconclusive"


def test_judge_missing_warmup_and_batch_one():
    seed3 = read_log("tests/logs/seed003_batch_one_no_progress.log")
    healthy = read_log("tests/logs/healthy_trainer_state.json")
    warm, bs1 = _finding("missing-warmup"), _finding("batch-size-one")
    # seed 003 had a 500-step warm-up: its spikes (log rows 23 and 51 of 80) are past the early quarter
    assert judge([warm], seed3)[0].probe["verdict"] == "not-observed"
    early = Trace([StepRecord(step=i, loss=(9.0 if i == 6 else 3.0 - i / 100)) for i in range(100)])
    assert judge([warm], early)[0].probe["verdict"] == "confirmed"
    assert judge([warm], healthy)[0].probe["verdict"] == "not-observed"
    assert judge([bs1], seed3)[0].probe["verdict"] == "confirmed"  # spike rate (research §12)
    assert judge([bs1], healthy)[0].probe["verdict"] == "inconclusive"  # noise scale needs the probe


def test_judge_uses_probe_checks_and_leaves_unjudged_rules_alone():
    healthy = read_log("tests/logs/healthy_trainer_state.json")
    f, other = _finding("lr-out-of-range"), _finding("duplicate-key")
    out = judge([f, other], healthy, checks={"lr-ab": Check("lr-ab", True, {"loss_gain": 0.12}, "t", "s")})
    assert out[0].probe["verdict"] == "confirmed" and out[0].probe["evidence"]["loss_gain"] == 0.12
    assert out[1].probe is None
    assert judge([f], healthy)[0].probe["verdict"] == "inconclusive"


def test_judge_task_share_from_loss_terms():
    dominated = Trace([StepRecord(step=i, loss=71.0, loss_terms={"threshold": 70.0, "peak_latency": 1.0})
                       for i in range(10)])
    balanced = Trace([StepRecord(step=i, loss=2.0, loss_terms={"a": 1.0, "b": 1.0}) for i in range(10)])
    f = _finding("loss-weight-imbalance")
    assert judge([f], dominated)[0].probe["verdict"] == "confirmed"
    assert judge([f], balanced)[0].probe["verdict"] == "not-observed"


def test_markdown_report():
    r = run("tests/logs/seed002_late_lr_cut.json", "--format", "markdown")
    assert r.output.startswith("# stablint diagnose")
    assert "| STL908 | lr-cut-too-late |" in r.output and "| STL901 | loss-spike |" in r.output


def test_plot_png_or_clear_message(tmp_path):
    out = tmp_path / "run.png"
    r = run("tests/logs/seed002_late_lr_cut.json", "--plot", str(out), "--fail-on", "info")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "needs matplotlib" in r.output and not out.exists()
    else:
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert r.exit_code == 1
