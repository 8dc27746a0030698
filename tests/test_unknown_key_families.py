"""unknown-key (STL004) against the key set of the file's own framework family and releases (issue 12).

The sets come from ``known_keys.json`` (``tools/gen_known_keys.py``). Real files used here:

* yolov5 ``data/hyps/hyp.scratch-low.yaml`` (ultralytics/yolov5@5081342f04fb287fc2e5f2b5a4e06752b7937b1c,
  AGPL-3.0): a minimal reconstruction (its keys, not its comments).
* yolov7 ``data/hyp.scratch.p5.yaml`` (WongKinYiu/yolov7@0d882e553e2fd43f26d79f9f67a0f2cdae0e1a45, GPL-3.0):
  minimal reconstruction.
* open-r1 ``recipes/Qwen2.5-1.5B-Instruct/grpo/config_demo.yaml``
  (huggingface/open-r1@1b6fcacd32705d75cc3da8461cea3f477aa84cec, Apache-2.0), with the
  ``hub_model_revision`` field its own ``GRPOConfig`` subclass adds (``src/open_r1/configs.py``) and
  other recipes set.
"""

from __future__ import annotations

import json

import pytest

from stablint.linter.dialects import known_keys as kk

YOLOV5_HYP = """lr0: 0.01
lrf: 0.01
momentum: 0.937
weight_decay: 0.0005
warmup_epochs: 3.0
warmup_momentum: 0.8
warmup_bias_lr: 0.1
box: 0.05
cls: 0.5
cls_pw: 1.0
obj: 1.0
obj_pw: 1.0
iou_t: 0.20
anchor_t: 4.0
fl_gamma: 0.0
hsv_h: 0.015
hsv_s: 0.7
hsv_v: 0.4
degrees: 0.0
translate: 0.1
scale: 0.5
shear: 0.0
perspective: 0.0
flipud: 0.0
fliplr: 0.5
mosaic: 1.0
mixup: 0.0
copy_paste: 0.0
"""

OPEN_R1_GRPO = """model_name_or_path: Qwen/Qwen2.5-1.5B-Instruct
model_revision: main
torch_dtype: bfloat16
attn_implementation: flash_attention_2
dataset_name: AI-MO/NuminaMath-TIR
dataset_configs:
- all
num_processes: 7
bf16: true
use_vllm: true
vllm_device: auto
vllm_gpu_memory_utilization: 0.7
do_eval: true
eval_strategy: steps
eval_steps: 100
gradient_accumulation_steps: 16
gradient_checkpointing: true
hub_model_id: Qwen2.5-1.5B-Open-R1-GRPO
hub_model_revision: v00.00
hub_strategy: every_save
learning_rate: 2.0e-05
log_completions: true
logging_steps: 1
lr_scheduler_type: cosine
max_prompt_length: 512
max_completion_length: 1024
max_steps: -1
num_generations: 7
num_train_epochs: 1
output_dir: data/Qwen2.5-1.5B-Open-R1-GRPO
per_device_eval_batch_size: 32
per_device_train_batch_size: 16
save_strategy: "epoch"
seed: 42
warmup_ratio: 0.1
"""


def stl004(res):
    return [f for f in res.findings if f.code == "STL004"]


def test_every_key_set_names_its_sources():
    data = json.loads(open(kk._DATA, encoding="utf-8").read())
    assert "tools/gen_known_keys.py" in data["_header"]["generated_by"]
    for name, sources in data["sets"].items():
        assert len(sources) >= 2, name  # more than one release: renames stay known
        for src in sources:
            assert src["version"] and src["keys"] and src["classes"], (name, src["version"])
            assert src.get("sha256") or src.get("commit"), (name, src["version"])  # the exact input


def test_yolov5_hyp_is_not_checked_against_yolov8_args(lint_text):
    res = lint_text("hyp.scratch-low.yaml", YOLOV5_HYP, isolated=True)
    assert res.results[0].plan.dialect == "ultralytics"
    assert stl004(res) == []  # was: obj, obj_pw, iou_t, anchor_t, fl_gamma "unknown", "did you mean 'kobj'"
    # a typo in a yolov5 hyp: suggested from yolov5's own keys, at info (the generation is not in the file)
    res = lint_text("hyp.scratch-low.yaml", YOLOV5_HYP.replace("mosaic:", "mosiac:"), isolated=True)
    [f] = stl004(res)
    assert f.severity == "info" and "did you mean 'mosaic'" in f.message and "yolov5" in f.message
    assert f.fix is None


def test_yolov7_hyp_keys_are_not_reported(lint_text):
    text = YOLOV5_HYP + "paste_in: 0.15\nloss_ota: 1\n"  # yolov7 data/hyp.scratch.p5.yaml / p6 keys
    assert stl004(lint_text("hyp.scratch.p5.yaml", text, isolated=True)) == []


def test_yolov8_cfg_stays_closed_and_suggests_only_yolov8_keys(lint_text):
    text = "model: yolov8n.pt\ndata: coco128.yaml\nepochs: 100\nlr0: 0.01\nmosaic: 1.0\nwarmup_epoch: 5\nfoo_bar: 1\n"
    got = {f.field: f for f in stl004(lint_text("train.yaml", text, isolated=True))}
    assert set(got) == {"warmup_epoch", "foo_bar"}
    assert got["warmup_epoch"].severity == "warning" and got["warmup_epoch"].fix["value"] == "warmup_epochs"
    assert "8.0.0-8.4.190" in got["warmup_epoch"].message


def test_ultralytics_args_yaml_dump_is_info(lint_text):
    keys = sorted(kk.ULTRALYTICS.versions[-1][1] - {"lr0", "lrf", "mosaic"})  # what 8.4.190 writes
    text = "".join(f"{k}: null\n" for k in keys) + "lr0: 0.01\nlrf: 0.01\nmosaic: 1.0\nnew_in_9_0: true\n"
    [f] = stl004(lint_text("args.yaml", text, isolated=True))
    assert f.field == "new_in_9_0" and f.severity == "info"


def test_trl_recipe_with_subclass_fields_is_silent(lint_text):
    res = lint_text("config_demo.yaml", OPEN_R1_GRPO, isolated=True)
    assert res.results[0].plan.dialect == "hf-trainer"
    # dataset_configs (open-r1 ScriptArguments), hub_model_revision (open-r1 GRPOConfig): not typos
    assert stl004(res) == []
    # chat_template (open-r1/alignment-handbook script arguments) is not a typo of TRL's chat_template_path
    assert stl004(lint_text("config_demo.yaml", OPEN_R1_GRPO + "chat_template: x\n", isolated=True)) == []
    # a real typo in a TRL config: reported, at info (TRL fields differ between releases)
    [f] = stl004(lint_text("config_demo.yaml", OPEN_R1_GRPO + "lr_scheduler_kwarg: {}\n", isolated=True))
    assert f.severity == "info" and "did you mean 'lr_scheduler_kwargs'" in f.message


def test_training_arguments_dump_is_silent(lint_text):
    # a TrainingArguments.to_json_string() dump of transformers 4.36.2 plus one field a subclass added
    fields = {k: None for k in kk.TRAINING_ARGUMENTS.versions[4][1]}
    assert kk.TRAINING_ARGUMENTS.versions[4][0] == "4.36.2"
    fields.update({"learning_rate": 2e-5, "output_dir": "out", "per_device_train_batch_size": 8,
                   "save_safetensor": True})
    assert stl004(lint_text("training_args.json", json.dumps(fields, indent=1), isolated=True)) == []
    # the same near miss in a hand-written file is a typo of TrainingArguments
    hand = {"output_dir": "out", "learning_rate": 2e-5, "per_device_train_batch_size": 8, "num_train_epochs": 3,
            "lr_scheduler_type": "cosine", "save_safetensor": True}
    [f] = stl004(lint_text("args.json", json.dumps(hand), isolated=True))
    assert f.severity == "warning" and f.fix == {"key": "save_safetensor", "value": "save_safetensors"}


def test_never_suggests_a_neighbouring_frameworks_key(lint_text):
    # lora_rnak is one letter from LLaMA-Factory's lora_rank, which the HF parser does not know: an
    # HF TrainingArguments file gets no "did you mean 'lora_rank'" (that would not fix it)
    text = ("output_dir: out\nlearning_rate: 2.0e-5\nper_device_train_batch_size: 8\nnum_train_epochs: 3\n"
            "lr_scheduler_type: cosine\nlora_rnak: 8\n")
    assert stl004(lint_text("train.yaml", text, isolated=True)) == []
    # while a LLaMA-Factory file does get it
    lf = text + "stage: sft\nfinetuning_type: lora\ntemplate: qwen3\n"
    [f] = stl004(lint_text("lf.yaml", lf, isolated=True))
    assert "did you mean 'lora_rank'" in f.message and "LLaMA-Factory" in f.message


def test_release_ranges():
    ks = kk.KeySet("x", "x", (("1", frozenset({"a", "b"})), ("2", frozenset({"a"})), ("3", frozenset({"a", "b"}))))
    assert (ks.where("a"), ks.where("b"), ks.span()) == ("", " (not in 2)", "1-3")
    assert ks.consistent_with({"b", "zzz"}) == frozenset({"a", "b"})
    assert kk.TRAINING_ARGUMENTS.where("evaluation_strategy") == " (in 4.20.1-4.46.3)"


def test_suggestion_says_which_releases_have_it(lint_text):
    text = ("output_dir: out\nlearning_rate: 2.0e-5\nper_device_train_batch_size: 8\nnum_train_epochs: 3\n"
            "lr_scheduler_type: cosine\neval_stratgy: steps\n")
    [f] = stl004(lint_text("train.yaml", text, isolated=True))
    assert "did you mean 'eval_strategy' (in 4.41.2-5.25.0)?" in f.message


@pytest.mark.parametrize("extra,severity", [("lora_dropuot", "warning"), ("new_field_of_0_30", "warning")])
def test_peft_hand_written_lora_config_is_closed(lint_text, extra, severity):
    cfg = {"peft_type": "LORA", "r": 8, "lora_alpha": 16, "target_modules": ["q_proj"], extra: 0.1}
    [f] = stl004(lint_text("adapter_config.json", json.dumps(cfg), isolated=True))
    assert f.field == extra and f.severity == severity


def test_peft_saved_adapter_config_with_newer_fields_is_info(lint_text):
    cfg = {k: None for k in kk.PEFT_LORA.versions[2][1]}  # what save_pretrained of PEFT 0.10.0 writes
    cfg.update({"peft_type": "LORA", "r": 8, "lora_alpha": 16, "target_modules": ["q_proj"],
                "a_field_of_a_newer_peft": True})
    [f] = stl004(lint_text("adapter_config.json", json.dumps(cfg), isolated=True))
    assert f.severity == "info"
    # no peft_type: maybe a custom script's LoRA settings, not PEFT's
    custom = {"r": 8, "lora_alpha": 16, "target_modules": ["q_proj"], "learning_rate": 1e-4}
    assert stl004(lint_text("lora.json", json.dumps(custom), isolated=True)) == []
