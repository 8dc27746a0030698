"""A saved PEFT run folder is one run: ``adapter_config.json`` + ``training_args.json`` (issue 12).

Real files: adityaxdubey/grpo-accounting-finetune@6bc4977e2c3b3303136718943f5188ac58760195
``adapter_config.json`` and ``training_args.json`` (a TRL GRPOConfig dump), cut to the keys that
matter; the low-scale cases change only ``lora_alpha``.
"""

from __future__ import annotations

import json

from stablint.linter.engine import LintOptions, build_plan, lint_paths
from stablint.linter.loaders import load_path

ADAPTER = {
    "alpha_pattern": {}, "auto_mapping": None,
    "base_model_name_or_path": "unsloth/meta-llama-3.1-8b-instruct-unsloth-bnb-4bit",
    "bias": "none", "fan_in_fan_out": False, "inference_mode": True, "init_lora_weights": True,
    "lora_alpha": 64, "lora_bias": False, "lora_dropout": 0, "modules_to_save": None, "peft_type": "LORA",
    "r": 64, "rank_pattern": {}, "revision": None,
    "target_modules": ["o_proj", "up_proj", "down_proj", "v_proj", "gate_proj", "k_proj", "q_proj"],
    "task_type": "CAUSAL_LM", "use_dora": False, "use_rslora": False,
}
TRAINING_ARGS = {
    "output_dir": "outputs", "overwrite_output_dir": None, "do_train": False, "eval_strategy": "no",
    "per_device_train_batch_size": 6, "per_device_eval_batch_size": 4, "gradient_accumulation_steps": 2,
    "learning_rate": 0.0002, "weight_decay": 0.1, "adam_beta1": 0.9, "adam_beta2": 0.99, "adam_epsilon": 1e-08,
    "max_grad_norm": 1.0, "num_train_epochs": 3.0, "max_steps": 100, "lr_scheduler_type": "cosine",
    "lr_scheduler_kwargs": {}, "warmup_ratio": 0.1, "warmup_steps": 0, "logging_steps": 1, "save_steps": 20,
    "seed": 3407, "bf16": False, "fp16": True, "optim": "paged_adamw_8bit", "report_to": [],
}


def _run(tmp_path, adapter=ADAPTER, args=TRAINING_ARGS):
    d = tmp_path / "outputs"
    d.mkdir(parents=True)
    (d / "adapter_config.json").write_text(json.dumps(adapter, indent=2))
    if args is not None:
        (d / "training_args.json").write_text(json.dumps(args))
    return d


def _plan(path):
    return build_plan(load_path(str(path)), LintOptions())


def test_adapter_and_training_args_are_one_run(tmp_path):
    d = _run(tmp_path)
    plan = _plan(d / "adapter_config.json")
    assert plan.dialect == "peft"
    lr = plan.get("optimizer.lr")
    assert lr.value == 0.0002 and lr.source.path.endswith("training_args.json")
    other = _plan(d / "training_args.json")
    assert other.number("lora.alpha") == 64 and other.get("lora.alpha").source.path.endswith("adapter_config.json")
    assert [f.rule for f in lint_paths([str(d)]).findings if f.rule.startswith("lora")] == []


def test_low_scale_is_judged_with_the_sibling_lr(tmp_path):
    d = _run(tmp_path, adapter=dict(ADAPTER, lora_alpha=2))
    found = [f for f in lint_paths([str(d)]).findings if f.rule == "lora-scaling-too-low"]
    assert len(found) == 1  # the same finding from both files, reported once
    assert found[0].path.endswith("training_args.json") and found[0].severity == "warning"
    assert "2/64" in found[0].message


def test_without_lr_only_a_scale_no_recipe_lr_can_fix(tmp_path):
    d = _run(tmp_path, adapter=dict(ADAPTER, lora_alpha=2), args=None)
    found = [f for f in lint_paths([str(d / "adapter_config.json")]).findings if f.rule == "lora-scaling-too-low"]
    assert len(found) == 1 and found[0].field == "lora.alpha" and "not in this run's files" in found[0].message
    # alpha/r 0.125 (8/64): a published LR (QLoRA's 2e-4 x 0.125 = 2.5e-5) works, so no finding without an LR
    d2 = _run(tmp_path / "b", adapter=dict(ADAPTER, lora_alpha=8), args=None)
    assert [f for f in lint_paths([str(d2)]).findings if f.rule == "lora-scaling-too-low"] == []


def test_defaults_are_not_evidence_without_lr(tmp_path):
    adapter = {k: v for k, v in ADAPTER.items() if k != "lora_alpha"}  # PEFT default alpha 8 → 8/64
    adapter["r"] = 256  # 8/256 = 0.03 would be below 0.05, but alpha is only the default
    d = _run(tmp_path, adapter=adapter, args=None)
    assert [f for f in lint_paths([str(d)]).findings if f.rule == "lora-scaling-too-low"] == []


def test_sibling_must_be_recognised_and_in_the_same_folder(tmp_path):
    d = _run(tmp_path, adapter=dict(ADAPTER, lora_alpha=2), args={"dataset_id": "x", "num_train_epochs": 5})
    plan = _plan(d / "adapter_config.json")
    assert not plan.has("optimizer.lr") and not plan.has("run.epochs")  # not a TrainingArguments dump: not used
    assert not any("one run with" in n for n in plan.notes)
    sub = d / "checkpoint-20"
    sub.mkdir()
    (sub / "adapter_config.json").write_text(json.dumps(ADAPTER))
    (d / "training_args.json").write_text(json.dumps(TRAINING_ARGS))
    assert not _plan(sub / "adapter_config.json").has("optimizer.lr")  # the parent's file is not this run's
