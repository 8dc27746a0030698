"""The four core risk rules of issue 2: STL101, STL201, STL301, STL401.

Positive and negative cases from realistic configs in several dialects and from
the real corpus (tests/corpus/MANIFEST.tsv says what is notable in each file).
"""

from __future__ import annotations

import textwrap

import pytest

from conftest import EXAMPLES, corpus_file
from stablint.linter.engine import LintOptions, build_plan, lint_paths
from stablint.linter.loaders import load_path
from stablint.linter.plan import PlanValue
from stablint.linter.rules import by_key
from stablint.linter.rules.plateau_patience_too_long import max_cuts


def findings(result, code):
    """Findings of one rule code in a LintResult."""
    return [f for f in result.findings if f.code == code]


def lint_file(path, code, **rule_options):
    """Lint one existing file with only rule ``code`` enabled."""
    name = by_key(code).name
    opts = LintOptions(select=[code], isolated=True, rule_options={name: rule_options} if rule_options else {})
    res = lint_paths([path], opts)
    assert not res.errors, res.errors
    return findings(res, code)


@pytest.fixture
def lint_one(lint_text):
    """Lint ``text`` written as ``name`` with only rule ``code``; returns (findings, dialect)."""
    def _lint(name, text, code, **rule_options):
        opts = {"select": [code], "isolated": True}
        if rule_options:
            opts["rule_options"] = {by_key(code).name: rule_options}
        res = lint_text(name, textwrap.dedent(text), **opts)
        assert not res.errors, res.errors
        dialect = res.results[0].plan.dialect if res.results and res.results[0].plan else None
        return findings(res, code), dialect
    return _lint


# --------------------------------------------------------------------------- STL101
SEED002_LIKE = """\
training:
  learning_rate: 0.0005
  num_epochs: 50
  scheduler: ReduceLROnPlateau
  scheduler_patience: {patience}
  scheduler_factor: 0.7
"""


def test_stl101_generic_fires_with_the_numbers(lint_one):
    found, dialect = lint_one("config.yaml", SEED002_LIKE.format(patience=10), "STL101")
    assert dialect == "generic"
    assert len(found) == 1
    f = found[0]
    assert f.severity == "warning" and f.field == "scheduler.patience"
    assert "epoch 11 of 50" in f.message and "22%" in f.message
    assert "0.7^4" in f.message  # at most 4 cuts fit in 50 epochs
    assert f.line == 5
    assert f.fix == {"field": "scheduler.patience", "key": "training.scheduler_patience", "value": 8}


def test_stl101_generic_short_patience_is_silent(lint_one):
    found, _ = lint_one("config.yaml", SEED002_LIKE.format(patience=5), "STL101")
    assert found == []


def test_stl101_suggested_patience_is_just_below_the_limit(lint_one):
    # the fix the rule proposes (8) must itself pass, and 9 must not
    assert lint_one("config.yaml", SEED002_LIKE.format(patience=8), "STL101")[0] == []
    assert len(lint_one("config.yaml", SEED002_LIKE.format(patience=9), "STL101")[0]) == 1


def test_stl101_threshold_is_an_option(lint_one):
    found, _ = lint_one("config.yaml", SEED002_LIKE.format(patience=10), "STL101", max_patience_ratio=0.25)
    assert found == []


def test_stl101_lightning_cli_epochs(lint_one):
    text = """\
    trainer:
      max_epochs: 30
      check_val_every_n_epoch: 1
    model:
      class_path: mypkg.Segmenter
    optimizer:
      class_path: torch.optim.AdamW
      init_args:
        lr: 0.0005
    lr_scheduler:
      class_path: lightning.pytorch.cli.ReduceLROnPlateau
      init_args:
        monitor: val/loss
        patience: 10
        factor: 0.5
    """
    found, dialect = lint_one("config.yaml", text, "STL101")
    assert dialect == "lightning-cli"
    assert len(found) == 1 and "epoch 11 of 30" in found[0].message


def test_stl101_hf_patience_in_evaluations_is_converted_to_steps(lint_one):
    text = """\
    model_name_or_path: bert-base-uncased
    output_dir: out
    do_train: true
    per_device_train_batch_size: 16
    learning_rate: 3.0e-5
    max_steps: 5000
    eval_strategy: steps
    eval_steps: 200
    lr_scheduler_type: reduce_lr_on_plateau
    lr_scheduler_kwargs:
      patience: 10
      factor: 0.5
    metric_for_best_model: eval_loss
    """
    found, dialect = lint_one("train.yaml", text, "STL101")
    assert dialect == "hf-trainer"
    assert len(found) == 1
    assert "step 2200 of 5000" in found[0].message  # (10 + 1) evaluations x 200 steps
    assert found[0].fix is None  # the limit is in steps, the key in evaluations: no automatic fix


def test_stl101_real_corpus_long_runs_are_silent():
    # torch default patience 10 of 200 epochs; neuraloperator patience 100 of 10000 epochs
    assert lint_file(corpus_file("lightning_cli", "burn_scars"), "STL101") == []
    assert lint_file(corpus_file("neuraloperator", "burgers_pino_config.py"), "STL101") == []
    assert lint_file(corpus_file("neuraloperator", "burgers_pino_config.yaml"), "STL101") == []


def test_stl101_real_corpus_short_run_fires(tmp_path):
    # the neuraloperator Burgers recipe (patience 100) shortened to 300 epochs
    src = open(corpus_file("neuraloperator", "burgers_pino_config.yaml")).read()
    assert "n_epochs: 10000" in src
    p = tmp_path / "burgers_short.yaml"
    p.write_text(src.replace("n_epochs: 10000", "n_epochs: 300"))
    found = lint_file(str(p), "STL101")
    assert len(found) == 1 and "epoch 101 of 300" in found[0].message


def test_stl101_run_length_unknown_is_info_only(lint_one):
    text = """\
    opt:
      learning_rate: 5.0e-5
      grad_clip: 1.0
      scheduler: ReduceLROnPlateau
      scheduler_patience: {p}
    """
    found, _ = lint_one("config.yaml", text.format(p=10), "STL101")
    assert [f.severity for f in found] == ["info"]
    assert "not in the config" in found[0].message
    assert lint_one("config.yaml", text.format(p=5), "STL101")[0] == []


def test_stl101_not_a_plateau_scheduler_is_silent(lint_one):
    # neuraloperator configs keep scheduler_patience next to a StepLR scheduler
    assert lint_file(corpus_file("neuraloperator", "darcy_config"), "STL101") == []
    text = """\
    training:
      learning_rate: 0.001
      num_epochs: 20
      scheduler:
        type: StepLR
        step_size: 5
        patience: 10
    """
    assert lint_one("config.yaml", text, "STL101")[0] == []


@pytest.mark.parametrize("window, run, cooldown, expected", [
    (11, 50, 0, 4),    # cuts after epochs 11, 22, 33, 44
    (6, 50, 0, 8),
    (11, 11, 0, 0),    # the run ends before the first cut
    (11, 50, 5, 3),    # cooldown delays every later cut
])
def test_max_cuts(window, run, cooldown, expected):
    assert max_cuts(window, run, cooldown) == expected


# --------------------------------------------------------------------------- STL201
def test_stl201_generic_severity_follows_the_effective_batch(lint_one):
    base = "training:\n  batch_size: 1\n  learning_rate: 0.0001\n  max_steps: 60000\n"
    found, _ = lint_one("config.yaml", base, "STL201")
    assert [f.severity for f in found] == ["warning"] and "effective batch 1" in found[0].message
    found, _ = lint_one("config.yaml", base + "  gradient_accumulation_steps: 4\n", "STL201")
    assert [f.severity for f in found] == ["info"] and "effective batch of 4" in found[0].message
    found, _ = lint_one("config.yaml", base + "  gradient_accumulation_steps: 16\n", "STL201")
    assert [f.severity for f in found] == ["info"] and "effective batch to 16" in found[0].message  # a note only
    found, _ = lint_one("config.yaml", base + "  gradient_accumulation_steps: 16\n", "STL201", report_accumulated=False)
    assert found == []
    found, _ = lint_one("config.yaml", base.replace("batch_size: 1", "batch_size: 2"), "STL201")
    assert found == []


def test_stl201_min_effective_batch_is_an_option(lint_one):
    text = "training:\n  batch_size: 1\n  gradient_accumulation_steps: 16\n  learning_rate: 0.0001\n"
    found, _ = lint_one("config.yaml", text, "STL201", min_effective_batch=32)
    assert [f.severity for f in found] == ["info"]


def test_stl201_batchnorm_is_an_error_even_with_accumulation(lint_one):
    text = """\
    model = dict(
        type='ImageClassifier',
        backbone=dict(type='ResNet', depth=50, norm_cfg=dict(type='BN', requires_grad=True)),
        head=dict(type='LinearClsHead', num_classes=10, loss=dict(type='CrossEntropyLoss', loss_weight=1.0)))
    train_dataloader = dict(batch_size=1, num_workers=2)
    optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4), accumulative_counts=16)
    train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
    """
    found, dialect = lint_one("resnet50_config.py", text, "STL201")
    assert dialect == "mmengine"
    assert [f.severity for f in found] == ["error"]
    assert "BatchNorm" in found[0].message
    found, _ = lint_one("resnet50_config.py", text.replace("batch_size=1", "batch_size=32"), "STL201")
    assert found == []


def test_stl201_lightning_world_size_counts(lint_one):
    text = """\
    trainer:
      max_epochs: 10
      devices: {devices}
    model:
      class_path: mypkg.Model
    data:
      init_args:
        batch_size: 1
    """
    assert [f.severity for f in lint_one("config.yaml", text.format(devices=1), "STL201")[0]] == ["warning"]
    assert [f.severity for f in lint_one("config.yaml", text.format(devices=8), "STL201")[0]] == ["info"]


def test_stl201_unresolved_accumulation_is_silent(lint_one):
    text = """\
    GRAD_ACC=${GRAD_ACC}
    python train.py --per_device_train_batch_size 1 --gradient_accumulation_steps $GRAD_ACC \\
        --learning_rate 2e-5 --num_train_epochs 3 --output_dir out
    """
    found, dialect = lint_one("run.sh", text, "STL201")
    assert dialect == "hf-trainer" and found == []
    found, _ = lint_one("run.sh", text.replace("$GRAD_ACC", "1"), "STL201")
    assert [f.severity for f in found] == ["warning"]


def test_stl201_real_corpus():
    # micro-batch 1 without accumulation (MANIFEST: "micro_batch 1 grad_accum 1")
    found = lint_file(corpus_file("axolotl", "gptq-lora"), "STL201")
    assert [f.severity for f in found] == ["warning"]
    found = lint_file(corpus_file("llamafactory", "galore"), "STL201")
    assert [f.severity for f in found] == ["warning"]
    # QLoRA-style micro-batch 1 x accumulation 8: the standard recipe, a note at info level only
    assert [f.severity for f in lint_file(corpus_file("llamafactory", "qwen3_lora_sft.yaml"), "STL201")] == ["info"]
    assert [f.severity for f in lint_file(corpus_file("nanogpt_pyconfig", "finetune_shakespeare"), "STL201")] == ["info"]  # 1 x 32
    # 1 x 2 is reported, at info level only
    assert [f.severity for f in lint_file(corpus_file("axolotl", "falcon"), "STL201")] == ["info"]


# --------------------------------------------------------------------------- STL301
def test_stl301_generic_orders_of_magnitude(lint_one):
    text = """\
    training:
      learning_rate: 0.001
      epochs: 100
    loss_weights:
      segmentation: 1.0
      depth: {w}
    """
    found, _ = lint_one("config.yaml", text.format(w=0.001), "STL301")
    assert len(found) == 1 and found[0].severity == "info"
    assert "'segmentation' 1 vs 'depth' 0.001" in found[0].message and "3.0 orders" in found[0].message
    assert found[0].line == 5  # at the largest term
    assert lint_one("config.yaml", text.format(w=0.05), "STL301")[0] == []
    assert lint_one("config.yaml", text.format(w=0.001), "STL301", max_ratio=10000)[0] == []


def test_stl301_zero_weight_is_info_and_optional(lint_one):
    text = """\
    training:
      learning_rate: 0.001
      epochs: 100
    loss_weights:
      l2: 0.0
      equation: 0.2
      ic: 0.8
    """
    found, _ = lint_one("config.yaml", text, "STL301")
    assert [(f.severity, "'l2'" in f.message) for f in found] == [("info", True)]
    assert lint_one("config.yaml", text, "STL301", report_zero_weights=False)[0] == []


def test_stl301_real_corpus():
    found = lint_file(corpus_file("detectron2", "Panoptic-DeepLab"), "STL301")
    assert len(found) == 1 and "CENTER_LOSS_WEIGHT' 200" in found[0].message and "OFFSET_LOSS_WEIGHT' 0.01" in found[0].message
    found = lint_file(corpus_file("neuraloperator", "burgers_pino_config.yaml"), "STL301")
    assert len(found) == 1 and "'l2' has weight 0" in found[0].message  # .2 / .8 otherwise: no span finding
    # DETR-style 1 / 5 / 2 weights are ordinary
    assert lint_file(corpus_file("openmmlab", "detr_r50"), "STL301") == []


# --------------------------------------------------------------------------- STL401
SEED004_LIKE = """\
USE_LORA=True \\
LORA_RANK={r} \\
LORA_ALPHA={alpha} \\
LEARNING_RATE={lr} \\
BATCH_SIZE=16 \\
python3 training.py
"""


def test_stl401_generic_shell_env(lint_one):
    found, dialect = lint_one("run.sh", SEED004_LIKE.format(r=8, alpha=16.0, lr="1e-5"), "STL401")
    assert dialect == "generic"
    assert len(found) == 1 and found[0].severity == "warning"
    assert "alpha/r = 16/8 = 2" in found[0].message and "2e-05" in found[0].message
    assert found[0].fix["field"] == "lora.alpha" and found[0].fix["value"] == 20
    # the product the fix proposes passes
    assert lint_one("run.sh", SEED004_LIKE.format(r=8, alpha=20, lr="1e-5"), "STL401")[0] == []
    assert lint_one("run.sh", SEED004_LIKE.format(r=16, alpha=32.0, lr="2e-5"), "STL401")[0] == []


def test_stl401_rslora_changes_the_scale(lint_one):
    text = """\
    lora_rank: 64
    lora_alpha: 16
    use_rslora: {rs}
    learning_rate: 2.0e-5
    batch_size: 8
    """
    found, _ = lint_one("config.yaml", text.format(rs="false"), "STL401")
    assert len(found) == 1 and "16/64" in found[0].message  # 0.25 x 2e-5 = 5e-6
    found, _ = lint_one("config.yaml", text.format(rs="true"), "STL401")
    assert found == []  # 16/sqrt(64) = 2 -> 4e-5


def test_stl401_small_scale_compensated_by_lr_is_info(lint_one):
    text = "lora_rank: 128\nlora_alpha: 16\nlearning_rate: 0.001\nbatch_size: 8\n"
    found, _ = lint_one("config.yaml", text, "STL401")
    assert [f.severity for f in found] == ["info"] and found[0].field == "lora.alpha"


def test_stl401_llamafactory_default_alpha_counts(lint_one):
    text = """\
    model_name_or_path: Qwen/Qwen3-4B-Instruct-2507
    stage: sft
    do_train: true
    finetuning_type: lora
    lora_rank: 8
    lora_target: all
    dataset: alpaca_en_demo
    template: qwen3_nothink
    per_device_train_batch_size: 1
    gradient_accumulation_steps: 8
    learning_rate: {lr}
    num_train_epochs: 3.0
    lr_scheduler_type: cosine
    """
    found, dialect = lint_one("qwen3_lora_sft.yaml", text.format(lr="5.0e-6"), "STL401")
    assert dialect == "llamafactory"
    assert len(found) == 1 and "lora_alpha=16 is the default of LLaMA-Factory" in found[0].message  # 2 x rank
    assert lint_one("qwen3_lora_sft.yaml", text.format(lr="1.0e-4"), "STL401")[0] == []


def test_stl401_preference_stage_is_exempt():
    # run.stage is filled by the LLM dialects; set here on the plan the way they do
    plan = build_plan(load_path(str(EXAMPLES / "seed004_before.sh")), LintOptions())
    rule = by_key("STL401")
    assert len(list(rule.check(plan, dict(rule.options)))) == 1
    plan.set("run.stage", PlanValue("dpo"))
    assert list(rule.check(plan, dict(rule.options))) == []


def test_stl401_real_corpus():
    # MANIFEST: r=64 alpha=16 with lr 2e-5 -> tiny effective update
    found = lint_file(corpus_file("torchtune", "mistral__7B_lora_single_device"), "STL401")
    assert len(found) == 1 and "16/64" in found[0].message
    # axolotl replit: r 8, alpha 16, lr 1e-5 (the seed 004 numbers)
    assert len(lint_file(corpus_file("axolotl", "replit"), "STL401")) == 1
    # published recipes are silent: QLoRA r=64 alpha=16 lr 2e-4; torchtune r=8 alpha=16 lr 3e-4
    assert lint_file(corpus_file("axolotl", "falcon"), "STL401") == []
    assert lint_file(corpus_file("torchtune", "llama3__8B_lora_single_device"), "STL401") == []
    assert lint_file(corpus_file("llamafactory", "qwen3_lora_sft.yaml"), "STL401") == []
    # LoRA keys present but no adapter (axolotl `adapter:` empty): not a LoRA run
    assert lint_file(corpus_file("axolotl", "mpt-7b"), "STL401") == []


def test_stl401_threshold_is_an_option(lint_one):
    found, _ = lint_one("run.sh", SEED004_LIKE.format(r=16, alpha=32.0, lr="2e-5"), "STL401", min_scaled_lr=5e-5)
    assert len(found) == 1


# --------------------------------------------------------------------------- shared
@pytest.mark.parametrize("code, signal", [
    ("STL101", "lr-cut-too-late"), ("STL201", "noise-scale"),
    ("STL301", "task-grad-share"), ("STL401", "lora-effective-update"),
])
def test_rule_metadata(code, signal):
    rule = by_key(code)
    assert rule.signal == signal
    assert rule.options and all(k.replace("_", "").isalnum() for k in rule.options)
    assert set(rule.sections()) == {"What it does", "Why is this bad?", "Example", "Use instead", "References"}
