"""Log readers on the real corpus trainer_state.json and on logs shaped after the seed write-ups."""

from __future__ import annotations

import math

import pytest

from stablint.linter.document import InputError
from stablint.trends.readers import detect_format, read_log
from stablint.trends.readers.tensorboard import write_events

CORPUS_HF = "tests/corpus/hf_trainer_json/aigoncharov__trainer_state_viz__trainer_state.json"


def test_hf_corpus_merges_rows_per_step_and_keeps_eval_groups():
    t = read_log(CORPUS_HF)
    assert t.meta["format"] == "hf-trainer-state"
    # 216 log_history rows: 30 train rows + 6 eval groups x 31 evaluations, merged on 31 steps
    assert len(t) == 31
    last = t.records[-1]
    assert last.step == 12030 and last.loss == pytest.approx(0.0549) and last.lr == 1e-05
    assert last.extra["eval_g0_loss"] == pytest.approx(2.7486727237701416)
    assert t.meta["steps_per_epoch"] == pytest.approx(401.0)
    # record lines point at the record's "step" key in the file
    text = open(CORPUS_HF).read().splitlines()
    line = t.meta["record_lines"][1]
    assert '"step": 401' in text[line - 1]


def test_hf_nan_tokens_are_read_as_nan():
    t = read_log("tests/logs/hf_nan_signature.json")
    bad = [r for r in t.records if r.grad_norm is not None and math.isnan(r.grad_norm)]
    assert len(bad) == 9 and all(r.loss == 0.0 for r in bad)


def test_lightning_csv_sparse_rows_and_lr_column():
    t = read_log("tests/logs/seed001_early_collapse.csv")
    assert t.meta["format"] == "lightning-csv"
    assert t.records[0].loss == pytest.approx(537177) and t.records[0].lr == pytest.approx(2e-4)
    # the per-step fork wins over train_loss_epoch; val_loss lands as eval_loss on the merged step
    r40 = next(r for r in t.records if r.step == 40)
    assert r40.eval_loss is not None and r40.loss != r40.extra.get("train_loss_epoch")


def test_jsonl_probe_trace_roundtrip(tmp_path):
    from stablint.trends.trace import StepRecord, Trace

    src = Trace([StepRecord(step=i, loss=2.0 - i / 10, lr=1e-3, grad_norm=float("nan") if i == 3 else 1.0,
                            loss_terms={"a": 1.0, "b": 0.1}) for i in range(5)], meta={"max_grad_norm": 1.0})
    p = tmp_path / "trace.jsonl"
    with open(p, "w") as fh:
        src.write_jsonl(fh)
    t = read_log(str(p))
    assert t.meta["format"] == "stablint-trace" and t.meta["max_grad_norm"] == 1.0
    assert [r.loss for r in t.records] == [r.loss for r in src.records]
    assert math.isnan(t.records[3].grad_norm) and t.records[0].loss_terms == {"a": 1.0, "b": 0.1}


def test_text_hf_dicts_nanogpt_and_generic(tmp_path):
    t = read_log("tests/logs/seed003_batch_one_no_progress.log")
    assert t.meta["step_unit"] == "log-row" and len(t) == 80
    t4 = read_log("tests/logs/seed004_lora_plateau.log")
    r = next(r for r in t4.records if r.step == 2000)
    # the eval-time train estimate (6.75) does not overwrite the iteration loss; val loss is kept
    assert r.eval_loss == pytest.approx(6.93) and r.loss != pytest.approx(6.75)
    p = tmp_path / "train.log"
    p.write_text("step 10 | loss 2.50 | lr 1.0e-04 | grad_norm 0.5\nsome warning\nstep 20 | loss 2.40 | lr 1.0e-04 "
                 "| grad_norm nan\nEpoch 3 done\n")
    g = read_log(str(p))
    assert [r.step for r in g.records] == [10, 20] and math.isnan(g.records[1].grad_norm)


def test_tensorboard_own_writer_roundtrip(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    write_events(str(run / "events.out.tfevents.1.host"),
                 [(s, tag, v) for s in range(5) for tag, v in (("train/loss", 3.0 - s * 0.25),
                                                               ("train/learning_rate", 1e-4),
                                                               ("train/grad_norm", 0.5 + s))])
    # a restart re-logs step 4 later: newest value wins
    write_events(str(run / "events.out.tfevents.2.host"), [(4, "train/loss", 9.0)], wall_time=100.0)
    assert detect_format(str(run)) == "tensorboard"
    t = read_log(str(run))
    assert [r.step for r in t.records] == list(range(5))
    assert t.records[2].loss == pytest.approx(2.5) and t.records[4].loss == pytest.approx(9.0)
    assert t.records[1].lr == pytest.approx(1e-4) and t.records[3].grad_norm == pytest.approx(3.5)


def test_tensorboard_torch_writer_if_available(tmp_path):
    import importlib.util

    if importlib.util.find_spec("tensorboard") is None:  # torch's writer needs the tensorboard package
        pytest.skip("tensorboard not installed")
    tb = pytest.importorskip("torch.utils.tensorboard")
    w = tb.SummaryWriter(str(tmp_path))
    for s in range(3):
        w.add_scalar("train/loss", 1.0 / (s + 1), s)
    w.close()
    t = read_log(str(tmp_path))
    assert [round(r.loss, 4) for r in t.records] == [1.0, 0.5, 0.3333]


@pytest.mark.parametrize("content,fmt,where", [
    ('{"log_history": [\n  {"loss": 1.0, "step": 1},\n  {"loss": \n', "hf", (4, 1)),
    ('{"step": 2, "loss": }\n{"step": }\n', "jsonl", (1, 21)),
    ("step,loss\nabc,0.4\n", "csv", (2, 1)),
    ("nothing to see here\n", "text", (1, 1)),
])
def test_malformed_logs_raise_input_error_with_position(tmp_path, content, fmt, where):
    p = tmp_path / f"log.{ {'hf': 'json', 'jsonl': 'jsonl', 'csv': 'csv', 'text': 'log'}[fmt] }"
    p.write_text(content)
    with pytest.raises(InputError) as ei:
        read_log(str(p))
    assert (ei.value.line, ei.value.column) == where


@pytest.mark.parametrize("content,name,skipped", [
    ('{"step": 1, "loss": 1.0}\n{"step": 2, "loss": }\n{"step": "x", "loss": 2}\n{"step": 3, "loss": "abc", "lr": 1}\n',
     "log.jsonl", {"not valid JSON": 1, "without a numeric step": 1, "with non-numeric values": 1}),
    ("step,loss\n1,0.5\nabc,0.4\n2,0.3,9\n3,zz\n", "metrics.csv",
     {"without a numeric step": 1, "with more cells than the header": 1, "with non-numeric values": 1}),
    ('{"log_history": [{"loss": 1.0, "step": 1}, {"loss": 0.9}, 7, {"loss": null, "grad_norm": 2, "step": 2}]}',
     "trainer_state.json", {"without a step": 1, "not an object": 1, "with non-numeric values": 1}),
])
def test_bad_entries_are_skipped_and_counted_not_fatal(tmp_path, content, name, skipped):
    """Issue 16: one bad entry never rejects the whole log; what was skipped is counted by reason."""
    p = tmp_path / name
    p.write_text(content)
    t = read_log(str(p))
    assert t.meta["skipped"] == skipped
    assert [r.step for r in t.records] == sorted({r.step for r in t.records}) and t.records[0].loss in (1.0, 0.5)


def test_not_an_event_file(tmp_path):
    p = tmp_path / "events.out.tfevents.x"
    p.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00garbagegarbagegarbage")
    with pytest.raises(InputError, match="not a TensorBoard event file"):
        read_log(str(p))


def test_detect_format_by_content(tmp_path):
    assert detect_format("tests/logs/healthy_trainer_state.json") == "hf"
    assert detect_format("tests/logs/seed000_clip_saturation.jsonl") == "jsonl"
    assert detect_format("tests/logs/seed003_batch_one_no_progress.log") == "text"
    p = tmp_path / "metrics.txt"
    p.write_text("epoch,step,train_loss\n0,1,0.5\n")
    assert detect_format(str(p)) == "csv"


def test_seq2seq_predict_entries_without_step_are_kept_apart():
    """Issue 16: a Seq2SeqTrainer log that calls ``predict`` after every evaluation.

    Shape (key names, entry order, step-less ``predict_*`` entries) from the real
    ``trainer_state.json`` of github.com/Jaong/Checkpoint-of-CPT (commit
    6a9b832a2ca4c5f3b2dc273070e70159e1aadd8f, no licence: so the numbers here are ours;
    the real file itself is checked by tests/test_logs_real.py when the corpus cache is present).
    """
    t = read_log("tests/logs/seq2seq_predict_entries_trainer_state.json")
    assert len(t.meta["held_out"]) == 4 and all("predict_loss" in h for h in t.meta["held_out"])
    assert "skipped" not in t.meta
    assert sum(1 for r in t.records if r.loss is not None) == 4
    assert sum(1 for r in t.records if r.eval_loss is not None) == 4
    assert not any(k.startswith("predict_") for r in t.records for k in r.extra)


def test_diagnose_header_says_what_was_skipped(tmp_path):
    """Issue 16: the header line (text and Markdown) counts the skipped entries by reason."""
    from click.testing import CliRunner

    from stablint.cli import cli

    p = tmp_path / "trainer_state.json"
    p.write_text('{"log_history": [{"loss": 1.0, "step": 1}, {"loss": 0.9}, {"loss": 0.8, "step": 2}]}')
    for fmt in ("text", "markdown"):
        r = CliRunner().invoke(cli, ["diagnose", str(p), "--format", fmt])
        assert r.exit_code == 0 and "skipped 1 entry (1 without a step)" in r.output, r.output
