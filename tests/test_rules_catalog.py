"""The rule catalog (issue 3): positive and negative cases per rule, in at least two dialects
each, plus real corpus files that must (or must not) trigger.

Each config below is what a user of that framework writes; the assertions check the
detected dialect too, so a test cannot pass because the file fell back to another dialect.
"""

from __future__ import annotations

import json

import pytest

from stablint.linter.engine import LintOptions, lint_paths
from stablint.linter.rules import all_rules, by_key

from conftest import corpus_file


@pytest.fixture
def run(lint_text):
    """``run(name, text, dialect)`` → ``{code: [Finding]}``; asserts the detected dialect."""

    def _run(name: str, text: str, dialect: str | None = None):
        res = lint_text(name, text, isolated=True)
        assert not res.errors, [e.to_dict() for e in res.errors]
        plan = res.results[0].plan
        if dialect is not None:
            assert plan is not None and plan.dialect == dialect, (plan.dialect if plan else None)
        out: dict[str, list] = {}
        for f in res.findings:
            out.setdefault(f.code, []).append(f)
        return out

    return _run


def lint_corpus(path: str) -> dict[str, list]:
    """Lint one corpus file; ``{code: [Finding]}``."""
    res = lint_paths([path], LintOptions(isolated=True))
    assert not res.errors
    out: dict[str, list] = {}
    for f in res.findings:
        out.setdefault(f.code, []).append(f)
    return out


# --- STL102 early-stop-before-lr-drop -----------------------------------------------------------

def test_early_stop_before_lr_drop_generic_seed_002(run):
    text = ("training:\n  optimizer: adam\n  learning_rate: 0.0005\n  epochs: 100\n"
            "  scheduler_patience: 10\n  scheduler_factor: 0.7\n  early_stopping_patience: 10\n")
    got = run("config.yaml", text, "generic")
    assert [f.line for f in got["STL102"]] == [5]
    assert "11 bad epochs" in got["STL102"][0].message


def test_early_stop_before_lr_drop_generic_fixed_seed_002_is_clean(run):
    text = ("training:\n  optimizer: adam\n  learning_rate: 0.0005\n  epochs: 100\n"
            "  scheduler_patience: 5\n  early_stopping_patience: 7\n")
    assert "STL102" not in run("config.yaml", text, "generic")


def test_early_stop_before_lr_drop_lightning(run):
    text = """trainer:
  max_epochs: 100
  callbacks:
    - class_path: lightning.pytorch.callbacks.EarlyStopping
      init_args:
        monitor: val/loss
        patience: 5
model:
  class_path: mypkg.Model
optimizer:
  class_path: torch.optim.AdamW
  init_args:
    lr: 0.001
lr_scheduler:
  class_path: lightning.pytorch.cli.ReduceLROnPlateau
  init_args:
    monitor: val/loss
    patience: 10
"""
    got = run("config.yaml", text, "lightning-cli")
    assert "STL102" in got
    assert "STL102" not in run("config.yaml", text.replace("patience: 10", "patience: 2"), "lightning-cli")


def test_early_stop_before_lr_drop_silent_across_units(run, corpus):
    # burn_scars: plateau patience 10 (default) vs early stopping 40: the LR drops first
    assert "STL102" not in lint_corpus(corpus_file("lightning_cli", "burn_scars"))


# --- STL103 plateau-monitors-train-loss ----------------------------------------------------------

def test_plateau_monitors_train_loss_generic(run):
    text = ("training:\n  optimizer: adam\n  learning_rate: 0.00005\n  epochs: 200\n  scheduler:\n"
            "    type: ReduceLROnPlateau\n    monitor: train_loss\n    patience: 5\n")
    assert "STL103" in run("config.yaml", text, "generic")
    assert "STL103" not in run("config.yaml", text.replace("train_loss", "val_loss"), "generic")


@pytest.mark.parametrize("name", ["burgers_config.yaml", "poisson_gino_config.yaml"])
def test_plateau_monitors_train_loss_neuraloperator_corpus(name):
    got = lint_corpus(corpus_file("neuraloperator", name))
    assert got["STL103"][0].dialect == "neuraloperator"


def test_plateau_monitors_train_loss_silent_for_steplr_neuraloperator():
    assert "STL103" not in lint_corpus(corpus_file("neuraloperator", "darcy_config"))


def test_plateau_monitors_train_loss_lightning(run):
    text = """trainer:
  max_epochs: 50
model:
  class_path: mypkg.Model
optimizer:
  class_path: torch.optim.AdamW
  init_args:
    lr: 0.001
lr_scheduler:
  class_path: lightning.pytorch.cli.ReduceLROnPlateau
  init_args:
    monitor: train/loss
    patience: 3
"""
    assert "STL103" in run("config.yaml", text, "lightning-cli")
    assert "STL103" not in run("config.yaml", text.replace("train/loss", "val/loss"), "lightning-cli")


# --- STL104 missing-warmup -----------------------------------------------------------------------

HF_FULL_FT = """model_name_or_path: meta-llama/Llama-3.1-8B
output_dir: out
per_device_train_batch_size: 4
gradient_accumulation_steps: 8
learning_rate: 3.0e-4
lr_scheduler_type: cosine
num_train_epochs: 1
optim: adamw_torch
bf16: true
"""


def test_missing_warmup_hf_trainer(run):
    got = run("train.yaml", HF_FULL_FT, "hf-trainer")
    assert "STL104" in got
    assert "STL104" not in run("train.yaml", HF_FULL_FT + "warmup_ratio: 0.03\n", "hf-trainer")
    # a fine-tuning LR below the transformer-scale threshold is left alone
    assert "STL104" not in run("train.yaml", HF_FULL_FT.replace("3.0e-4", "2.0e-5"), "hf-trainer")


def test_missing_warmup_generic_lora(run):
    text = ("model: gpt2\nuse_lora: true\nlora_rank: 16\nlora_alpha: 32\noptimizer: adamw\n"
            "learning_rate: 0.0003\nscheduler: cosine\nmax_steps: 2000\nwarmup_steps: 0\n")
    assert "STL104" in run("config.yaml", text, "generic")
    assert "STL104" not in run("config.yaml", text.replace("warmup_steps: 0", "warmup_steps: 100"), "generic")
    # small effective LoRA step (alpha/r 0.25 x 1e-4): B = 0 at init, no warmup needed
    assert "STL104" not in run("config.yaml", text.replace("lora_alpha: 32", "lora_alpha: 4")
                               .replace("0.0003", "0.0001"), "generic")


def test_missing_warmup_silent_on_corpus_lora_without_warmup():
    # PEFT QLoRA-FSDP example: warmup_steps 0 but alpha/r x lr = 2e-4 (small LoRA step)
    assert "STL104" not in lint_corpus(corpus_file("shell_launch", "run_peft_qlora_fsdp"))


def test_missing_warmup_axolotl_implicit_warmup(run):
    text = ("base_model: meta-llama/Llama-3.2-1B\ndatasets:\n  - path: tatsu-lab/alpaca\n    type: alpaca\n"
            "micro_batch_size: 2\ngradient_accumulation_steps: 4\nnum_epochs: 1\noptimizer: adamw_torch\n"
            "lr_scheduler: cosine\nlearning_rate: 0.0003\nsequence_len: 2048\n")
    assert "STL104" not in run("config.yml", text, "axolotl")  # axolotl adds min(3%, 100) warmup steps
    # ... but an explicit warmup_steps: 0 is kept (the builder tests `cfg.warmup_steps is not None`)
    assert "STL104" in run("config.yml", text + "warmup_steps: 0\n", "axolotl")


def test_missing_warmup_llamafactory_full_ft(run):
    text = ("model_name_or_path: Qwen/Qwen3-4B\nstage: sft\ndo_train: true\nfinetuning_type: full\n"
            "dataset: alpaca_en_demo\ntemplate: qwen3\noutput_dir: saves\nper_device_train_batch_size: 4\n"
            "gradient_accumulation_steps: 8\nlearning_rate: 2.0e-4\nnum_train_epochs: 3.0\n"
            "lr_scheduler_type: cosine\nbf16: true\n")
    assert "STL104" in run("qwen3_full_sft.yaml", text, "llamafactory")
    assert "STL104" not in run("qwen3_full_sft.yaml", text + "warmup_ratio: 0.1\n", "llamafactory")


# --- STL105 warmup-exceeds-training --------------------------------------------------------------

def test_warmup_exceeds_training_generic(run):
    text = "training:\n  optimizer: adamw\n  learning_rate: 0.0002\n  max_steps: 500\n  warmup_steps: 1000\n"
    got = run("config.yaml", text, "generic")
    assert got["STL105"][0].severity == "error"
    got = run("config.yaml", text.replace("1000", "300"), "generic")
    assert got["STL105"][0].severity == "warning" and "60%" in got["STL105"][0].message
    assert "STL105" not in run("config.yaml", text.replace("1000", "25"), "generic")


def test_warmup_exceeds_training_hf_ratio_and_steps(run):
    text = HF_FULL_FT.replace("num_train_epochs: 1\n", "max_steps: 200\nwarmup_steps: 250\n")
    assert run("train.yaml", text, "hf-trainer")["STL105"][0].severity == "error"
    assert "STL105" not in run("train.yaml", text.replace("warmup_steps: 250", "warmup_steps: 10"), "hf-trainer")


def test_warmup_exceeds_training_torchtitan(run):
    text = ("[job]\ndump_folder = \"./outputs\"\n[model]\nname = \"llama3\"\nflavor = \"8B\"\n"
            "[optimizer]\nname = \"AdamW\"\nlr = 3e-4\n[lr_scheduler]\nwarmup_steps = 1200\n"
            "[training]\nlocal_batch_size = 1\nseq_len = 8192\nsteps = 1000\n")
    assert "STL105" in run("llama3_8b.toml", text, "torchtitan")
    assert "STL105" not in run("llama3_8b.toml", text.replace("warmup_steps = 1200", "warmup_steps = 200"),
                               "torchtitan")


# --- STL106 scheduler-never-fires ----------------------------------------------------------------

def test_scheduler_never_fires_generic_steplr(run):
    text = ("training:\n  optimizer: sgd\n  learning_rate: 0.1\n  epochs: 50\n  scheduler: StepLR\n"
            "  step_size: 60\n  gamma: 0.1\n")
    assert "STL106" in run("config.yaml", text, "generic")
    assert "STL106" not in run("config.yaml", text.replace("step_size: 60", "step_size: 20"), "generic")


def test_scheduler_never_fires_detectron2_steps(run):
    text = ("MODEL:\n  META_ARCHITECTURE: GeneralizedRCNN\nSOLVER:\n  IMS_PER_BATCH: 16\n  BASE_LR: 0.02\n"
            "  STEPS: (100000, 120000)\n  MAX_ITER: 90000\n")
    got = run("mask_rcnn.yaml", text, "detectron2")
    assert "none of the milestones" in got["STL106"][0].message
    partial = run("mask_rcnn.yaml", text.replace("(100000, 120000)", "(60000, 120000)"), "detectron2")
    assert "1 of 2 milestones" in partial["STL106"][0].message
    assert "STL106" not in run("mask_rcnn.yaml", text.replace("(100000, 120000)", "(60000, 80000)"), "detectron2")


def test_scheduler_never_fires_mmengine_milestones(run):
    text = ("optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001))\n"
            "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)\n"
            "param_scheduler = [dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[16, 22], gamma=0.1)]\n")
    assert "STL106" in run("configs/schedule_1x.py", text, "mmengine")
    assert "STL106" not in lint_corpus(corpus_file("openmmlab", "schedule_1x"))


# --- STL107 schedule-increases-lr ----------------------------------------------------------------

def test_schedule_increases_lr_generic(run):
    text = ("training:\n  optimizer: sgd\n  learning_rate: 0.01\n  epochs: 90\n  scheduler: StepLR\n"
            "  step_size: 30\n  gamma: 10\n")
    assert run("config.yaml", text, "generic")["STL107"][0].severity == "error"
    assert "STL107" not in run("config.yaml", text.replace("gamma: 10", "gamma: 0.1"), "generic")


def test_schedule_increases_lr_plateau_factor_generic(run):
    text = ("training:\n  optimizer: adam\n  learning_rate: 0.001\n  epochs: 90\n"
            "  scheduler_patience: 3\n  scheduler_factor: 2\n")
    assert "STL107" in run("config.yaml", text, "generic")


def test_schedule_increases_lr_mmengine(run):
    text = ("optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9))\n"
            "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12)\n"
            "param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[8, 11], gamma=10)]\n")
    assert "STL107" in run("configs/sched.py", text, "mmengine")
    assert "STL107" not in run("configs/sched.py", text.replace("gamma=10", "gamma=0.1"), "mmengine")


# --- STL108 min-lr-above-lr ----------------------------------------------------------------------

def test_min_lr_above_lr_generic(run):
    text = "training:\n  optimizer: adamw\n  learning_rate: 0.0001\n  epochs: 100\n  scheduler: cosine\n  eta_min: 0.001\n"
    assert "raises the LR" in run("config.yaml", text, "generic")["STL108"][0].message
    assert "STL108" not in run("config.yaml", text.replace("eta_min: 0.001", "eta_min: 0.000001"), "generic")


def test_min_lr_above_lr_nanogpt(run):
    text = ("out_dir = 'out'\nlearning_rate = 3e-5\nmax_iters = 5000\nlr_decay_iters = 5000\nmin_lr = 6e-5\n"
            "warmup_iters = 100\nbatch_size = 12\nblock_size = 1024\ngradient_accumulation_steps = 4\n")
    assert "STL108" in run("config/train_small.py", text, "nanogpt")
    assert "STL108" not in run("config/train_small.py", text.replace("min_lr = 6e-5", "min_lr = 3e-6"), "nanogpt")


def test_min_lr_above_lr_silent_for_constant_nanogpt_corpus():
    # decay_lr = False: nanoGPT's default min_lr 6e-5 > lr 3e-5 is never used
    assert "STL108" not in lint_corpus(corpus_file("nanogpt_pyconfig", "finetune_shakespeare"))


# --- STL109 schedule-horizon-mismatch ------------------------------------------------------------

def test_schedule_horizon_mismatch_epoch_stepped(run):
    text = ("default: &DEFAULT\n  opt:\n    n_epochs: 300\n    learning_rate: 0.001\n"
            "    scheduler: CosineAnnealingLR\n    scheduler_T_max: 500\n")
    got = run("config.yaml", text, "neuraloperator")  # neuraloperator steps per epoch
    assert "35%" in got["STL109"][0].message  # cos schedule at 300/500 of its period
    assert "STL109" not in run("config.yaml", text.replace("T_max: 500", "T_max: 300"), "neuraloperator")


def test_schedule_horizon_mismatch_silent_when_the_loop_is_unknown(run):
    # a custom config: the file does not say whether its loop steps the scheduler per epoch or
    # per batch (trlx steps per optimizer step), so T_max is not compared with the epoch count
    text = ("training:\n  optimizer: adamw\n  learning_rate: 0.001\n  epochs: 300\n"
            "  scheduler: CosineAnnealingLR\n  t_max: 500\n")
    assert "STL109" not in run("config.yaml", text, "generic")
    # a warmup counted in steps is evidence of a per-step loop: then the horizon is in steps
    stepped = text.replace("epochs: 300", "max_steps: 300\n  warmup_steps: 10")
    assert "STL109" in run("config.yaml", stepped, "generic")


def test_schedule_horizon_mismatch_nanogpt(run):
    text = ("out_dir = 'out'\nlearning_rate = 6e-4\nmax_iters = 600000\nlr_decay_iters = 60000\nmin_lr = 6e-5\n"
            "warmup_iters = 2000\nbatch_size = 12\nblock_size = 1024\ngradient_accumulation_steps = 40\n")
    got = run("config/train_gpt2.py", text, "nanogpt")
    assert "10% of the 600000-iteration run" in got["STL109"][0].message
    assert "STL109" not in run("config/train_gpt2.py", text.replace("lr_decay_iters = 60000",
                                                                  "lr_decay_iters = 600000"), "nanogpt")


def test_schedule_horizon_mismatch_silent_on_default_run_length():
    # nanoRWKV sets lr_decay_iters but no max_iters: the run length is only train.py's default
    assert "STL109" not in lint_corpus(corpus_file("nanogpt_pyconfig", "nanoRWKV"))


# --- STL202 inconsistent-batch-size --------------------------------------------------------------

def test_inconsistent_batch_size_deepspeed(run):
    cfg = {"train_batch_size": 48, "train_micro_batch_size_per_gpu": 5, "gradient_accumulation_steps": 2,
           "optimizer": {"type": "AdamW", "params": {"lr": 1e-4}}}
    got = run("ds_config.json", json.dumps(cfg, indent=2), "deepspeed")
    assert "40 or 50" in got["STL202"][0].hint
    cfg["train_batch_size"] = 40
    assert "STL202" not in run("ds_config.json", json.dumps(cfg, indent=2), "deepspeed")


def test_inconsistent_batch_size_deepspeed_without_accumulation(run):
    cfg = {"train_batch_size": 100, "train_micro_batch_size_per_gpu": 8, "fp16": {"enabled": True}}
    assert "integer division" in run("ds_config.json", json.dumps(cfg), "deepspeed")["STL202"][0].message


def test_inconsistent_batch_size_silent_on_corpus_auto_and_bert():
    assert "STL202" not in lint_corpus(corpus_file("deepspeed", "bsz64k_lamb"))
    assert "STL202" not in lint_corpus(corpus_file("deepspeed", "zero3_bf16"))


def test_inconsistent_batch_size_torchtitan(run):
    text = ("[job]\ndump_folder = \"./outputs\"\n[model]\nname = \"llama3\"\n[optimizer]\nname = \"AdamW\"\n"
            "lr = 3e-4\n[lr_scheduler]\nwarmup_steps = 200\n[training]\nlocal_batch_size = 3\n"
            "global_batch_size = 64\nseq_len = 8192\nsteps = 1000\n")
    got = run("train.toml", text, "torchtitan")
    assert "STL202" in got
    assert "STL202" not in run("train.toml", text.replace("local_batch_size = 3", "local_batch_size = 4"), "torchtitan")


# --- STL302 clip-too-aggressive ------------------------------------------------------------------

def test_clip_too_aggressive_generic(run):
    text = "training:\n  optimizer: adamw\n  learning_rate: 0.0001\n  epochs: 50\n  max_grad_norm: 0.01\n"
    assert run("config.yaml", text, "generic")["STL302"][0].severity == "warning"
    assert "STL302" not in run("config.yaml", text.replace("0.01", "1.0"), "generic")


def test_clip_too_aggressive_sgd_is_info(run):
    text = "training:\n  optimizer: sgd\n  learning_rate: 0.1\n  epochs: 50\n  grad_clip: 0.2\n"
    assert run("config.yaml", text, "generic")["STL302"][0].severity == "info"


def test_clip_too_aggressive_hf(run):
    assert "STL302" in run("train.yaml", HF_FULL_FT + "warmup_ratio: 0.03\nmax_grad_norm: 0.05\n", "hf-trainer")
    # QLoRA's published 0.3 is fine
    assert "STL302" not in run("train.yaml", HF_FULL_FT + "warmup_ratio: 0.03\nmax_grad_norm: 0.3\n", "hf-trainer")


def test_clip_too_aggressive_silent_on_detr_corpus():
    assert "STL302" not in lint_corpus(corpus_file("openmmlab", "detr_r50"))  # DETR max_norm 0.1, published


# --- STL402 lora-scaling-too-high ----------------------------------------------------------------

def test_lora_scaling_too_high_generic(run):
    text = ("model: llama-3-8b\nuse_lora: true\nlora_rank: 8\nlora_alpha: 256\nlearning_rate: 0.0002\n"
            "optimizer: adamw\nepochs: 3\n")
    assert "= 32" in run("config.yaml", text, "generic")["STL402"][0].message
    assert "STL402" not in run("config.yaml", text.replace("lora_alpha: 256", "lora_alpha: 16"), "generic")


def test_lora_scaling_too_high_rslora_compensated_by_lr_axolotl_corpus(run):
    # deepseek-v2 QLoRA: rsLoRA r 256 / alpha 256 → scale 16, but lr 2e-5 keeps scale × lr at 3.2e-4 (published range)
    assert "STL402" not in lint_corpus(corpus_file("axolotl", "deepseek-v2"))
    text = ("base_model: deepseek-ai/DeepSeek-V2-Lite\ndatasets:\n  - path: tatsu-lab/alpaca\n    type: alpaca\n"
            "adapter: lora\nlora_r: 256\nlora_alpha: 256\npeft_use_rslora: true\nmicro_batch_size: 2\n"
            "gradient_accumulation_steps: 4\nnum_epochs: 1\nlearning_rate: 0.0002\n")
    got = run("qlora.yaml", text, "axolotl")
    assert "alpha/sqrt(r)" in got["STL402"][0].message


def test_lora_scaling_too_high_torchtune(run):
    text = ("model:\n  _component_: torchtune.models.llama3.lora_llama3_8b\n  lora_attn_modules: ['q_proj', 'v_proj']\n"
            "  lora_rank: 8\n  lora_alpha: 128\noptimizer:\n  _component_: torch.optim.AdamW\n  lr: 3.0e-4\n"
            "lr_scheduler:\n  _component_: torchtune.training.lr_schedulers.get_cosine_schedule_with_warmup\n"
            "  num_warmup_steps: 100\nepochs: 1\nbatch_size: 2\n")
    assert "STL402" in run("8B_lora.yaml", text, "torchtune")
    assert "STL402" not in run("8B_lora.yaml", text.replace("lora_alpha: 128", "lora_alpha: 16"), "torchtune")


# --- STL403 lora-lr-too-low ----------------------------------------------------------------------

def test_lora_lr_too_low_generic(run):
    text = "model: gpt2\nuse_lora: true\nlora_rank: 8\nlearning_rate: 0.00001\noptimizer: adamw\nepochs: 3\n"
    assert "STL403" in run("config.yaml", text, "generic")
    assert "STL403" not in run("config.yaml", text.replace("0.00001", "0.0002"), "generic")


def test_lora_lr_too_low_defers_to_stl401_when_alpha_known(run):
    text = ("model: gpt2\nuse_lora: true\nlora_rank: 8\nlora_alpha: 16\nlearning_rate: 0.00001\n"
            "optimizer: adamw\nepochs: 3\n")
    got = run("config.yaml", text, "generic")
    assert "STL403" not in got and "STL401" in got


def test_lora_lr_too_low_hf_shell(run):
    sh = ("python train.py --model_name_or_path gpt2 --output_dir out --use_peft --lora_r 8 "
          "--learning_rate 1e-5 --num_train_epochs 3 --per_device_train_batch_size 8\n")
    assert "STL403" in run("run_lora.sh", sh, "hf-trainer")
    assert "STL403" not in run("run_lora.sh", sh.replace("1e-5", "2e-4"), "hf-trainer")


@pytest.mark.parametrize("stage,fires", [("sft", True), ("dpo", False), ("ppo", False), (None, True)])
def test_lora_lr_too_low_preference_stages_exempt(stage, fires):
    # DPO/PPO publish LoRA LRs around 5e-6 (LLaMA-Factory qwen3_lora_dpo.yaml); the plan field run.stage decides
    from stablint.linter.plan import PlanValue, Provenance, TrainingPlan

    plan = TrainingPlan(path="x.yaml", dialect="llamafactory")
    src = Provenance("x.yaml", 3, 1, "learning_rate")
    plan.set("lora.enabled", PlanValue(True, source=src))
    plan.set("lora.r", PlanValue(8, source=src))
    plan.set("optimizer.lr", PlanValue(5e-6, source=src))
    if stage:
        plan.set("run.stage", PlanValue(stage, source=src))
    rule = by_key("lora-lr-too-low")
    assert bool(list(rule.check(plan, dict(rule.options)))) is fires


# --- STL501 lr-out-of-range ----------------------------------------------------------------------

def test_lr_out_of_range_generic(run):
    text = "training:\n  optimizer: adamw\n  learning_rate: 0.1\n  epochs: 12\n  batch_size: 16\n"
    assert "above the published range of adamw" in run("config.yaml", text, "generic")["STL501"][0].message
    assert "STL501" not in run("config.yaml", text.replace("adamw", "sgd"), "generic")
    assert "below" in run("config.yaml", text.replace("adamw", "sgd").replace("0.1", "0.00001"),
                          "generic")["STL501"][0].message


def test_lr_out_of_range_ultralytics(run):
    text = "model: yolov8n.pt\ndata: coco128.yaml\nepochs: 100\noptimizer: AdamW\nlr0: 0.5\nlrf: 0.01\nmosaic: 1.0\n"
    assert "STL501" in run("hyp.yaml", text, "ultralytics")
    assert "STL501" not in run("hyp.yaml", text.replace("lr0: 0.5", "lr0: 0.001"), "ultralytics")


@pytest.mark.parametrize("family,name", [("openmmlab", "mocov3"), ("axolotl", "muon"), ("deepspeed", "lamb")])
def test_lr_out_of_range_family_aware_on_corpus(family, name):
    # LARS 9.6, Muon 0.02, LAMB 0.011: huge for AdamW, published for their family
    assert "STL501" not in lint_corpus(corpus_file(family, name))


# --- STL502 adam-coupled-weight-decay ------------------------------------------------------------

def test_adam_coupled_weight_decay_generic(run):
    text = "training:\n  optimizer: adam\n  learning_rate: 0.001\n  weight_decay: 0.05\n  epochs: 100\n"
    assert run("config.yaml", text, "generic")["STL502"][0].fix["value"] == "adamw"
    assert "STL502" not in run("config.yaml", text.replace("adam\n", "adamw\n"), "generic")


def test_adam_coupled_weight_decay_lightning_corpus():
    assert "STL502" in lint_corpus(corpus_file("lightning_cli", "burn_scars"))


def test_adam_coupled_weight_decay_deepspeed_adam_is_adamw(run, corpus):
    assert "STL502" not in lint_corpus(corpus_file("deepspeed", "imagenet"))  # DS "Adam" runs AdamW mode
    cfg = {"train_batch_size": 32, "train_micro_batch_size_per_gpu": 4, "zero_optimization": {"stage": 2},
           "optimizer": {"type": "Adam", "params": {"lr": 1e-3, "weight_decay": 0.01,
                                                                           "adam_w_mode": False}}}
    assert "STL502" in run("ds_config.json", json.dumps(cfg), "deepspeed")


# --- STL601 conflicting-precision / STL602 static-loss-scale -------------------------------------

def test_conflicting_precision_generic_and_hf(run):
    text = "training:\n  optimizer: adamw\n  learning_rate: 0.0002\n  epochs: 3\n  fp16: true\n  bf16: true\n"
    assert run("config.yaml", text, "generic")["STL601"][0].severity == "error"
    assert "STL601" not in run("config.yaml", text.replace("fp16: true", "fp16: false"), "generic")
    assert "STL601" in run("train.yaml", HF_FULL_FT + "fp16: true\nwarmup_ratio: 0.03\n", "hf-trainer")


def test_conflicting_precision_axolotl_is_warning(run):
    text = ("base_model: meta-llama/Llama-3.2-1B\ndatasets:\n  - path: tatsu-lab/alpaca\n    type: alpaca\n"
            "micro_batch_size: 2\ngradient_accumulation_steps: 4\nnum_epochs: 1\nlearning_rate: 0.0002\n"
            "bf16: true\nfp16: true\n")
    assert run("config.yml", text, "axolotl")["STL601"][0].severity == "warning"


def test_static_loss_scale_deepspeed(run):
    cfg = {"train_batch_size": 32, "train_micro_batch_size_per_gpu": 4, "fp16": {"enabled": True, "loss_scale": 1},
           "optimizer": {"type": "AdamW", "params": {"lr": 1e-4}}}
    assert "STL602" in run("ds_config.json", json.dumps(cfg), "deepspeed")
    cfg["fp16"]["loss_scale"] = 0
    assert "STL602" not in run("ds_config.json", json.dumps(cfg), "deepspeed")


def test_static_loss_scale_silent_on_corpus_dynamic():
    assert "STL602" not in lint_corpus(corpus_file("deepspeed", "bsz64k_lamb"))  # loss_scale 0 = dynamic


# --- STL004 unknown-key --------------------------------------------------------------------------

def test_unknown_key_ultralytics(run):
    text = "model: yolov8n.pt\ndata: coco128.yaml\nepochs: 100\nlr0: 0.01\nlrf: 0.01\nmosaic: 1.0\nwarmup_epoch: 5\n"
    got = run("train.yaml", text, "ultralytics")
    assert got["STL004"][0].fix == {"key": "warmup_epoch", "value": "warmup_epochs"}
    assert got["STL004"][0].line == 7
    assert "STL004" not in run("train.yaml", text.replace("warmup_epoch:", "warmup_epochs:"), "ultralytics")


def test_unknown_key_hf_trainer_typo_only(run):
    got = run("train.yaml", HF_FULL_FT + "warmup_ratio: 0.03\nlr_scheduler_typ: linear\n", "hf-trainer")
    assert "did you mean 'lr_scheduler_type'" in got["STL004"][0].message
    # a script's own argument (no near match) is not reported: HF YAML often feeds extra dataclasses
    assert "STL004" not in run("train.yaml", HF_FULL_FT + "warmup_ratio: 0.03\nmy_dataset_mix: a\n", "hf-trainer")


def test_unknown_key_llamafactory(run):
    text = ("model_name_or_path: Qwen/Qwen3-4B\nstage: sft\ndo_train: true\nfinetuning_type: lora\nlora_rank: 8\n"
            "lora_traget: all\ndataset: alpaca_en_demo\ntemplate: qwen3\ncutoff_len: 2048\noutput_dir: saves\n"
            "per_device_train_batch_size: 1\ngradient_accumulation_steps: 8\nlearning_rate: 1.0e-4\n"
            "num_train_epochs: 3.0\nlr_scheduler_type: cosine\nwarmup_ratio: 0.1\nbf16: true\n")
    got = run("qwen3_lora_sft.yaml", text, "llamafactory")
    assert "did you mean 'lora_target'" in got["STL004"][0].message
    assert "STL004" not in run("qwen3_lora_sft.yaml", text.replace("lora_traget", "lora_target"), "llamafactory")


def test_unknown_key_silent_on_corpus_scripts_and_configs(corpus):
    res = lint_paths([str(corpus)], LintOptions(isolated=True))
    assert [f for f in res.findings if f.code == "STL004"] == []


# --- catalog-wide --------------------------------------------------------------------------------

def test_every_catalog_rule_is_registered_with_options_and_signal():
    names = {r.name: r for r in all_rules()}
    expected = {"unknown-key", "early-stop-before-lr-drop", "plateau-monitors-train-loss", "missing-warmup",
                "warmup-exceeds-training", "scheduler-never-fires", "schedule-increases-lr", "min-lr-above-lr",
                "schedule-horizon-mismatch", "inconsistent-batch-size", "clip-too-aggressive",
                "lora-scaling-too-high", "lora-lr-too-low", "lr-out-of-range", "adam-coupled-weight-decay",
                "conflicting-precision", "static-loss-scale"}
    assert expected <= set(names)
    codes = [r.code for r in all_rules()]
    assert len(codes) == len(set(codes))
    assert names["clip-too-aggressive"].signal == "clip-saturation"
    assert names["missing-warmup"].signal == "loss-spike"
    assert names["lr-out-of-range"].signal == "lr-ab"
    assert names["plateau-monitors-train-loss"].signal == "lr-never-changes"
    assert names["scheduler-never-fires"].signal == "lr-never-changes"
    assert names["lora-lr-too-low"].signal == "lora-effective-update"


def test_thresholds_are_options(run):
    text = "training:\n  optimizer: adamw\n  learning_rate: 0.0001\n  epochs: 50\n  max_grad_norm: 0.2\n"
    assert "STL302" not in run("config.yaml", text, "generic")
    res = lint_paths([str(_write(run, text))], LintOptions(isolated=True,
                                                           rule_options={"clip-too-aggressive": {"min_max_norm": 0.5}}))
    assert [f.code for f in res.findings if f.code == "STL302"] == ["STL302"]


def _write(run, text):
    import tempfile
    from pathlib import Path

    d = Path(tempfile.mkdtemp())
    p = d / "config.yaml"
    p.write_text(text)
    return p
