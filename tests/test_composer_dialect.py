"""MosaicML Composer / llm-foundry dialect (issue 15, item 2): time strings, units, detection, rules.

Real files (tests/corpus/composer, rows in tests/corpus/MANIFEST.tsv, Apache-2.0):
mosaicml/llm-foundry@8c8dd48f7216 ``scripts/train/yamls/pretrain/mpt-125m.yaml``,
``scripts/train/yamls/finetune/mpt-7b_dolly_sft.yaml``, ``scripts/train/yamls/pretrain/mpt-small-cpu.yaml``,
``scripts/eval/yamls/mpt_eval.yaml``, ``mcli/mcli-llama3-finetune.yaml``; mosaicml/examples@daddaeff7a53
``examples/benchmarks/bert/yamls/main/mosaic-bert-base-uncased.yaml``.

The expected time-string results are those of ``Time.from_timestring`` at mosaicml/composer@6405188805a0
(``composer/core/time.py``), read line by line: ``verify_wct``/``strptime`` first, then
``^(.+)(iter|ep|ba|sp|tok|dur|sec)$`` (case-insensitive), ``float()`` of the number, and a
``TypeError`` for a non-integral count in any unit but ``dur``.
"""

from __future__ import annotations

import pytest

from conftest import corpus_file
from stablint.linter.dialects import detection
from stablint.linter.dialects.composer import Time, parse_time
from stablint.linter.engine import LintOptions, build_plan, lint_paths
from stablint.linter.loaders import load_path


def plan_of(path):
    return build_plan(load_path(str(path)), LintOptions())


def findings(path):
    return lint_paths([str(path)], LintOptions(isolated=True)).findings


# -- time strings ------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("4800ba", Time(4800, "ba")),
    ("1ep", Time(1, "ep")),
    ("0.05dur", Time(0.05, "dur")),
    ("3e4tok", Time(30000, "tok")),          # the from_timestring docstring example
    ("286720000sp", Time(286720000, "sp")),
    ("1_719_000_000_000tok", Time(1719000000000, "tok")),  # float() reads underscores (ModernBERT)
    ("5EP", Time(5, "ep")),                  # _TIME_STR_REGEX is IGNORECASE, StringEnum case-insensitive
    ("2.0ba", Time(2, "ba")),                # int(2.0) == 2.0
    ("1e-3dur", Time(0.001, "dur")),
    ("0iter", Time(0, "iter")),
    ("10sec", Time(10, "sec")),
    ("1h30m", Time(5400, "sec")),            # verify_wct + strptime('%Hh%Mm%Ss')
    ("59s", Time(59, "sec")),
    ("-5ba", Time(-5, "ba")),                # Composer accepts negative counts
])
def test_time_strings_as_composer_parses_them(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", [
    "1.5ba",     # TypeError: value 1.5 is not an integer. Units ba require integer values.
    "0.5ep",
    "garbage", "ba", "xba", "100batch", "10 steps",
    "90s",       # strptime's %S takes at most 2 digits <= 61, and 's' is not a TimeUnit value
    "25h",       # hour 25: strptime ValueError, and 'h' is not a TimeUnit value
    "infba", "nanba", "1e400ba",            # int(inf) OverflowError / int(nan) ValueError
])
def test_bad_time_strings_are_none_never_a_traceback(text):
    assert parse_time(text) is None


def test_integers_need_the_keys_integer_unit():
    assert parse_time(12, "ep") == Time(12, "ep")   # ensure_time(max_duration, TimeUnit.EPOCH)
    assert parse_time(12) is None                   # t_warmup: from_timestring only
    assert parse_time(True, "ep") is None
    assert parse_time(1.5, "ep") is None            # Time(1.5, 'ep') raises TypeError
    assert parse_time(None) is None and parse_time([1, 2]) is None


# -- real files: detection and plan ------------------------------------------------

def test_mpt_125m_plan_units_and_lines():
    path = corpus_file("composer", "mpt-125m")
    det = detection(load_path(path))
    assert det.name == "composer" and det.confidence == "high"
    plan = plan_of(path)
    assert plan.loader == "omegaconf"
    run = plan.get("run.max_steps")
    assert (run.value, run.unit, run.source.line, run.raw) == (4800, "opt_step", 77, "4800ba")
    ws = plan.get("warmup.steps")
    assert (ws.value, ws.unit, ws.source.line) == (100, "opt_step", 60)
    assert plan.value("scheduler.type") == "cosine" and plan.value("scheduler.raw_type") == "cosine_with_warmup"
    assert plan.value("scheduler.interval") == "step"
    assert (plan.value("scheduler.min_lr"), plan.unit("scheduler.min_lr")) == (0.1, "fraction_of_lr")
    assert plan.value("optimizer.type") == "adamw" and plan.value("optimizer.decoupled_weight_decay") is True
    assert plan.value("optimizer.lr") == 6e-4 and plan.value("optimizer.betas") == [0.9, 0.95]
    assert plan.value("batch.global") == 256 and plan.value("batch.per_device") == 16
    assert not plan.has("batch.grad_accum")  # ceil(256 / world_size / 16): the world size is the launcher's
    assert plan.value("clip.max_norm") == 1.0 and plan.value("precision.bf16") is True
    assert (plan.value("eval.interval"), plan.unit("eval.interval")) == (500, "opt_step")
    assert not plan.has("model.name")  # model.name is llm-foundry's model class (mpt_causal_lm), not a checkpoint
    assert findings(path) == []


def test_sft_epochs_and_batch_warmup_stay_apart():
    path = corpus_file("composer", "mpt-7b_dolly_sft")
    plan = plan_of(path)
    assert (plan.value("run.epochs"), plan.unit("run.epochs")) == (2, "epoch")
    assert (plan.value("warmup.steps"), plan.unit("warmup.steps")) == (50, "opt_step")
    assert plan.value("model.name") == "mosaicml/mpt-7b"
    assert plan.value("scheduler.type") == "linear"
    assert findings(path) == []  # 50 batches vs 2 epochs: not comparable without the dataset size


def test_samples_become_steps_with_the_global_batch():
    plan = plan_of(corpus_file("composer", "mosaic-bert-base-uncased"))
    run = plan.get("run.max_steps")
    assert (run.value, run.unit, run.raw) == (70000, "opt_step", "286720000sp")  # 286720000 / 4096
    assert (plan.value("warmup.ratio"), plan.unit("warmup.ratio")) == (0.06, "ratio")
    assert (plan.value("eval.interval"), plan.unit("eval.interval")) == (2000, "opt_step")
    assert any("286720000sp = 70000 optimizer steps" in n for n in plan.notes)


def test_warmup_longer_than_the_run_is_an_error():
    # 10 batches of training, 100 batches of warmup: CosineAnnealingWithWarmupScheduler returns
    # t / t_warmup for every step (state.timestamp < t_warmup), the LR never reaches its peak
    fs = findings(corpus_file("composer", "mpt-small-cpu"))
    assert [(f.rule, f.severity, f.line) for f in fs] == [("warmup-exceeds-training", "error", 61)]


def test_eval_config_trains_nothing():
    path = corpus_file("composer", "mpt_eval")
    plan = plan_of(path)
    assert plan.value("run.stage") == "inference"
    assert findings(path) == []


def test_mcli_run_file_reads_parameters():
    path = corpus_file("composer", "mcli-llama3-finetune")
    det = detection(load_path(path))
    assert det.name == "composer" and "key parameters.global_train_batch_size" in det.evidence
    plan = plan_of(path)
    assert plan.get("optimizer.lr").source.key == "parameters.optimizer.lr"
    assert (plan.value("run.epochs"), plan.value("batch.global")) == (1, 64)
    pv = plan.get("batch.per_device")
    assert pv is not None and not pv.resolved  # device_train_microbatch_size: auto


# -- reconstructions (the keys and values of real files, changed one at a time) -------

BASE = """\
max_seq_len: 2048
model:
  name: hf_causal_lm
  pretrained_model_name_or_path: meta-llama/Llama-2-7b-hf
optimizer:
  name: decoupled_adamw
  lr: 1.0e-5
  weight_decay: 0.1
scheduler:
  name: cosine_with_warmup
  t_warmup: {warmup}
  alpha_f: 0.1
max_duration: {duration}
eval_interval: 100ba
global_train_batch_size: {gb}
device_train_microbatch_size: 8
device_eval_batch_size: 8
console_log_interval: 1ba
precision: {precision}
"""


def _write(tmp_path, **kw):
    values = {"warmup": "100ba", "duration": "1000ba", "gb": 64, "precision": "amp_bf16", **kw}
    p = tmp_path / "train.yaml"
    p.write_text(BASE.format(**values))
    return p


def test_tokens_become_steps_only_with_global_batch_and_seq_len(tmp_path):
    plan = plan_of(_write(tmp_path, duration="1.31072e9tok", warmup="0.01dur"))
    assert plan.value("run.max_steps") == 10000  # 1.31072e9 / (64 × 2048)
    text = BASE.format(warmup="100ba", duration="1e9tok", gb=64, precision="amp_bf16").replace("max_seq_len: 2048\n",
                                                                                             "max_seq_len: ${x}\n")
    p = tmp_path / "train.yaml"
    p.write_text(text)
    pv = plan_of(p).get("run.max_steps")
    assert pv is not None and not pv.resolved  # the tokens per step are not stated


def test_decoupled_weight_decay_is_not_coupled_adam(tmp_path):
    # DecoupledAdamW decays by (lr / initial_lr) × weight_decay per step (decoupled_weight_decay.py):
    # adam-coupled-weight-decay must stay silent whatever the decay
    fs = findings(_write(tmp_path))
    assert [f.rule for f in fs] == []


def test_time_garbage_is_unresolved_never_a_traceback(tmp_path):
    plan = plan_of(_write(tmp_path, duration="1.5ba", warmup="lots"))
    for name in ("run.max_steps", "warmup.steps"):
        pv = plan.get(name)
        assert pv is not None and not pv.resolved, name
    assert findings(tmp_path / "train.yaml") == []


def test_variables_interpolation_stays_unresolved(tmp_path):
    p = tmp_path / "train.yaml"
    p.write_text(BASE.format(warmup="100ba", duration="${variables.max_duration}", gb=64, precision="amp_bf16")
                 + "variables:\n  max_duration: 50ba\n")
    plan = plan_of(p)
    assert not plan.get("run.max_steps").resolved
    assert findings(p) == []  # no resolver: warmup 100ba vs an unknown run is not compared


def test_fp16_on_a_bf16_checkpoint_and_horizon(tmp_path):
    p = _write(tmp_path, precision="amp_fp16")
    plan = plan_of(p)
    assert plan.value("precision.fp16") is True and plan.value("model.name") == "meta-llama/Llama-2-7b-hf"
    # amp_fp16 is torch.autocast(float16) with a GradScaler (composer/core/precision.py) on a bf16 checkpoint
    assert [f.rule for f in findings(p)] == ["fp16-on-bf16-model"]
    text = BASE.format(warmup="100ba", duration="1000ba", gb=64, precision="amp_bf16").replace(
        "  alpha_f: 0.1\n", "  alpha_f: 0.1\n  t_max: 0.3dur\n")
    p.write_text(text)
    plan = plan_of(p)
    assert (plan.value("scheduler.t_max"), plan.unit("scheduler.t_max")) == (300, "opt_step")
    # t_max 300ba < max_duration 1000ba: Composer raises in _raise_if_max_duration_exceeds_t_max
    assert [f.rule for f in findings(p)] == ["schedule-horizon-mismatch"]


def test_not_claimed_without_composer_keys(tmp_path):
    p = tmp_path / "asr.yaml"
    # icefall/NeMo speech recipes use max_duration for seconds of audio per batch
    p.write_text("max_duration: 200\nnum_epochs: 30\nlr: 0.001\nbatch_size: 16\nprecision: bf16\n")
    assert detection(load_path(str(p))).name != "composer"


def test_composer_hparams_layout_when_forced():
    # Composer 0.9 (yahp) hparams file: optimizers/schedulers registries, train_batch_size (global)
    path = corpus_file("composer", "resnet50")
    assert detection(load_path(path)).name != "composer"  # not distinctive enough to detect
    plan = build_plan(load_path(path), LintOptions(dialect="composer"))
    assert plan.dialect == "composer" and plan.loader == "pyyaml" and plan.loader_known is False
    assert plan.value("optimizer.type") == "sgd" and plan.value("optimizer.decoupled_weight_decay") is True
    assert plan.value("optimizer.lr") == 2.048 and plan.value("batch.global") == 2048
    assert (plan.value("warmup.steps"), plan.unit("warmup.steps")) == (8, "epoch")  # t_warmup "8ep"
    assert (plan.value("run.epochs"), plan.value("scheduler.type")) == (90, "cosine")


def test_omegaconf_reads_exponent_floats(tmp_path):
    # om.load (llmfoundry/command_utils/train.py train_from_yaml) reads 5e-5 as a float; PyYAML would not
    p = _write(tmp_path)
    p.write_text(p.read_text().replace("lr: 1.0e-5", "lr: 5e-5"))
    plan = plan_of(p)
    assert plan.loader == "omegaconf" and plan.value("optimizer.lr") == 5e-5
    assert not plan.get("optimizer.lr").as_string
    assert [f.rule for f in findings(p)] == []


def test_uneven_micro_batches_are_not_an_inconsistent_batch(tmp_path):
    # global 48, micro 5: llm-foundry's calculate_batch_size_info only needs 48 % world_size == 0 and
    # trains ceil(device_batch / 5) micro-batches per step (the last one smaller)
    p = _write(tmp_path, gb=48)
    p.write_text(p.read_text().replace("device_train_microbatch_size: 8", "device_train_microbatch_size: 5"))
    assert "inconsistent-batch-size" not in [f.rule for f in findings(p)]


def test_peft_config_lora_fields(tmp_path):
    # llm-foundry scripts/train/yamls/finetune/dbrx-lora-ft.yaml's model.peft_config (r 64, lora_alpha 128)
    p = _write(tmp_path)
    p.write_text(p.read_text().replace(
        "  pretrained_model_name_or_path: meta-llama/Llama-2-7b-hf\n",
        "  pretrained_model_name_or_path: meta-llama/Llama-2-7b-hf\n  peft_config:\n    r: 64\n    peft_type: LORA\n"
        "    task_type: CAUSAL_LM\n    lora_alpha: 128\n    lora_dropout: 0.05\n"))
    plan = plan_of(p)
    assert plan.value("lora.enabled") is True
    assert (plan.value("lora.r"), plan.value("lora.alpha"), plan.value("lora.dropout")) == (64, 128, 0.05)
    p.write_text(p.read_text().replace("peft_type: LORA", "peft_type: IA3"))  # get_peft_config raises for it
    assert not plan_of(p).has("lora.enabled")
