"""Dialect detection with evidence and confidence; defaults only for a framework we are sure of (issue 12 item 1)."""

from __future__ import annotations

import json
import os

from conftest import cli_runner, corpus_file, line_of

from stablint.cli import cli
from stablint.linter import dialects
from stablint.linter.engine import LintOptions, build_plan, lint_paths
from stablint.linter.loaders import load_text

# A custom LoRA trainer's YAML (minimal reconstruction of the issue-12 category-3 file): it shares
# ``lora_rank``, ``template`` and ``max_samples`` with LLaMA-Factory, nothing that only LLaMA-Factory has.
CUSTOM_LORA = """\
model_path: THUDM/chatglm3-6b
template: chatglm3
max_samples: 5000
lora_rank: 8
learning_rate: 5.0e-6
batch_size: 4
num_epochs: 2
output_dir: out/chatglm3-lora
"""

# The same run written for LLaMA-Factory: finetuning_type and lora_target are LLaMA-Factory's own.
LF_SFT = """\
model_name_or_path: Qwen/Qwen3-4B-Instruct-2507
stage: sft
do_train: true
finetuning_type: lora
lora_target: all
template: qwen3_nothink
cutoff_len: 2048
per_device_train_batch_size: 1
gradient_accumulation_steps: 8
learning_rate: 5.0e-6
num_train_epochs: 3.0
"""


def _plan(name: str, text: str, **opts):
    return build_plan(load_text(name, text), LintOptions(**opts))


def test_weak_llamafactory_keys_alone_are_generic_without_defaults():
    plan = _plan("lora.yaml", CUSTOM_LORA)
    det = plan.detection
    assert (plan.dialect, det.confidence, det.candidate) == ("generic", "low", "llamafactory")
    # LLaMA-Factory's lora_alpha = 2 x lora_rank default is not invented for this file
    assert not plan.has("lora.alpha") and plan.value("lora.r") == 8


def test_weak_keys_give_no_finding_that_llamafactory_defaults_would(lint_text):
    custom = lint_text("custom/lora.yaml", CUSTOM_LORA, select=["lora-scaling-too-low"])
    assert custom.findings == []
    lf = lint_text("lf/sft.yaml", LF_SFT, select=["lora-scaling-too-low"])  # same LR and rank in LLaMA-Factory
    assert len(lf.findings) == 1
    assert "(lora_rank=8, lora_alpha=16 are defaults of LLaMA-Factory, not written in the file)" in lf.findings[0].message


def test_real_llamafactory_file_is_high_with_evidence():
    path = corpus_file("llamafactory", "train_lora__qwen3_lora_sft")
    with open(path, encoding="utf-8") as fh:
        det = dialects.detection(load_text(path, fh.read()))
    assert (det.name, det.confidence, det.fills_defaults) == ("llamafactory", "high", True)
    assert "key finetuning_type" in det.evidence and "key lora_target" in det.evidence
    assert "llamafactory (high; " in det.describe()


def test_one_strong_and_one_weak_key_is_medium_stated_values_only():
    plan = _plan("lf.yaml", "finetuning_type: lora\ntemplate: llama3\nlearning_rate: 1.0e-4\n")
    assert (plan.dialect, plan.detection.confidence) == ("llamafactory", "medium")
    assert plan.value("optimizer.lr") == 1e-4
    # neither LLaMA-Factory's rank-8 nor HF's batch-8 default is filled in
    assert not plan.has("lora.r") and not plan.has("batch.per_device") and not plan.has("run.epochs")


def test_hf_two_shared_keys_are_medium_three_are_high():
    two = _plan("args.json", json.dumps({"num_train_epochs": 2, "warmup_ratio": 0.1, "learning_rate": 3e-5}))
    assert (two.dialect, two.detection.confidence) == ("hf-trainer", "medium")
    assert not two.has("batch.per_device")  # TrainingArguments' default 8 withheld
    three = _plan("args.json", json.dumps({"num_train_epochs": 2, "warmup_ratio": 0.1, "max_grad_norm": 1.0,
                                           "learning_rate": 3e-5}))
    assert three.detection.confidence == "high"
    bs = three.get("batch.per_device")
    assert bs.value == 8 and bs.source.framework_default


def test_forced_dialect_is_certain():
    plan = _plan("lora.yaml", CUSTOM_LORA, dialect="llamafactory")
    assert plan.detection.forced and plan.detection.confidence == "high"
    assert plan.value("lora.alpha") == 16  # the user said it is LLaMA-Factory: its defaults apply


def test_derived_values_are_kept_and_not_cited_as_defaults():
    path = corpus_file("nanogpt_pyconfig", "karpathy__nanoGPT__config__train_gpt2")
    res = lint_paths([path], LintOptions())
    plan = res.results[0].plan
    assert plan.detection.confidence == "high"
    for f in res.findings:  # nanoGPT's global batch is computed from stated keys, never "a default"
        assert "batch_size*gradient_accumulation_steps" not in f.message


def test_ambiguous_between_unrelated_dialects_is_not_high():
    # YOLO hyp keys and TrainingArguments names in one flat YAML: neither framework is certain
    text = ("lr0: 0.01\nlrf: 0.01\nwarmup_bias_lr: 0.1\nmosaic: 1.0\nhsv_h: 0.015\n"
            "num_train_epochs: 3\nwarmup_ratio: 0.1\nmax_grad_norm: 1.0\n")
    doc = load_text("mixed.yaml", text)
    det = dialects.detection(doc)
    assert (det.name, det.confidence, det.rival) == ("hf-trainer", "medium", "ultralytics"), det
    assert not build_plan(doc, LintOptions()).has("batch.per_device")  # no TrainingArguments default


def test_show_files_prints_dialect_confidence_and_evidence(tmp_path):
    (tmp_path / "sft.yaml").write_text(LF_SFT)
    (tmp_path / "lora.yaml").write_text(CUSTOM_LORA)
    res = cli_runner().invoke(cli, ["lint", "--show-files", str(tmp_path)])
    assert res.exit_code == 0, res.output
    lines = dict(line.split(": ", 1) for line in res.stdout.splitlines())
    assert lines[str(tmp_path / "sft.yaml")].startswith("linted as llamafactory (high; key cutoff_len")
    assert lines[str(tmp_path / "lora.yaml")].startswith("linted as generic (low; ")
    assert "too weak for llamafactory" in lines[str(tmp_path / "lora.yaml")]


# -- stablint plan ---------------------------------------------------------------------
def test_plan_command_text_shows_dialect_fields_origin_and_defaults():
    path = corpus_file("llamafactory", "megatron_bridge__llama3_sft")
    res = cli_runner().invoke(cli, ["plan", path])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "dialect:    llamafactory (high confidence; fills its defaults)" in out
    assert "key finetuning_type" in out
    lr_line = next(line for line in out.splitlines() if line.strip().startswith("optimizer.lr "))
    assert "5e-06" in lr_line and f"{os.path.basename(path)}:{line_of(path, 'learning_rate:')} (learning_rate)" in lr_line
    alpha = next(line for line in out.splitlines() if line.strip().startswith("lora.alpha "))
    assert "16" in alpha and "default of LLaMA-Factory (lora_alpha)" in alpha
    assert "not in the plan:" in out and "optimizer.eps" in out


def test_plan_command_json_bases_units_and_skips(tmp_path):
    (tmp_path / "_base_").mkdir()
    (tmp_path / "_base_" / "schedule.py").write_text(
        "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001))\n"
        "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)\n")
    child = tmp_path / "child.py"
    child.write_text("_base_ = ['./_base_/schedule.py']\noptim_wrapper = dict(optimizer=dict(lr=0.01))\n")
    (tmp_path / "trainer_state.json").write_text('{"log_history": [], "global_step": 0, "train_batch_size": 1}')
    res = cli_runner().invoke(cli, ["plan", "--format", "json", str(child), str(tmp_path / "trainer_state.json")])
    assert res.exit_code == 0, res.output
    mm, log = json.loads(res.stdout)["plans"]
    assert mm["dialect"] == "mmengine" and mm["detection"]["confidence"] == "high"
    assert mm["bases"] == [str(tmp_path / "_base_" / "schedule.py")]
    lr, epochs = mm["fields"]["optimizer.lr"], mm["fields"]["run.epochs"]
    assert (lr["value"], lr["origin"], lr["source"]["path"], lr["source"]["line"]) == (0.01, "file", str(child), 2)
    assert (epochs["value"], epochs["unit"], epochs["source"]["path"]) == (12, "epoch", str(tmp_path / "_base_" / "schedule.py"))
    assert "optimizer.eps" in mm["absent"]
    assert log == {"path": str(tmp_path / "trainer_state.json"), "skipped": "training log (HF Trainer state)"}


def test_plan_command_lists_missing_bases_and_loader_certainty(tmp_path):
    child = tmp_path / "child.py"
    child.write_text("_base_ = ['./_base_/gone.py']\noptim_wrapper = dict(optimizer=dict(lr=0.01))\n")
    custom = tmp_path / "custom.yaml"
    custom.write_text("learning_rate: 1e-4\nbatch_size: 8\nepochs: 3\n")
    res = cli_runner().invoke(cli, ["plan", "--format", "json", str(child), str(custom)])
    assert res.exit_code == 0, res.output
    mm, gen = json.loads(res.stdout)["plans"]
    assert [(m["ref"], m["line"], m["key"]) for m in mm["missing_bases"]] == [("./_base_/gone.py", 1, "_base_")]
    assert mm["loader_known"] is True and gen["loader_known"] is False and gen["missing_bases"] == []
    text = cli_runner().invoke(cli, ["plan", str(child), str(custom)]).stdout
    assert "not found:  ./_base_/gone.py (child.py:1; looked for " in text
    assert "(guessed: the framework is not known)" in text


def test_plan_command_missing_file_exits_2(tmp_path):
    res = cli_runner().invoke(cli, ["plan", str(tmp_path / "nope.yaml")])
    assert res.exit_code == 2 and "no such file" in res.stderr


# tloen/alpaca-lora finetune.py's arguments (its README's command, as a YAML for a fire/argparse wrapper):
# base_model, micro_batch_size, num_epochs, lora_r, lora_target_modules and val_set_size are axolotl names too
ALPACA_LORA = """\
base_model: decapoda-research/llama-7b-hf
data_path: yahma/alpaca-cleaned
output_dir: ./lora-alpaca
batch_size: 128
micro_batch_size: 4
num_epochs: 3
learning_rate: 1.0e-4
cutoff_len: 512
val_set_size: 2000
lora_r: 8
lora_alpha: 16
lora_dropout: 0.05
lora_target_modules: [q_proj, v_proj]
"""


def test_alpaca_lora_arguments_are_not_taken_for_axolotl():
    plan = _plan("alpaca.yaml", ALPACA_LORA)
    assert (plan.dialect, plan.detection.candidate) == ("generic", "axolotl")
    assert not plan.has("clip.max_norm")  # axolotl's max_grad_norm 1.0 default is not invented


def test_axolotl_with_one_own_key_is_medium_and_two_are_high():
    one = _plan("a.yaml", "base_model: m\nsequence_len: 2048\nmicro_batch_size: 2\nlearning_rate: 2.0e-4\n")
    assert (one.dialect, one.detection.confidence) == ("axolotl", "medium") and not one.has("run.epochs")
    two = _plan("a.yaml", "base_model: m\nsequence_len: 2048\nsample_packing: true\nmicro_batch_size: 2\n"
                          "gradient_accumulation_steps: 4\nlearning_rate: 2.0e-4\n")
    assert two.detection.confidence == "high"
    epochs = two.get("run.epochs")  # axolotl's num_epochs default 1
    assert epochs.value == 1 and epochs.source.framework_default


def test_default_note_skips_a_key_the_message_already_names_but_not_a_longer_word():
    from stablint.linter.engine import _with_default_note
    from stablint.linter.finding import Finding

    plan = _plan("lf/sft.yaml", LF_SFT)  # optim (adamw) and lora_alpha are LLaMA-Factory defaults here
    base = Finding("STL000", "x", "warning", "", plan.path)
    named = _with_default_note(base.with_(message="lora_alpha 16 is low"), plan, ["lora.alpha"])
    assert named.message == "lora_alpha 16 is low"
    longer = _with_default_note(base.with_(message="the optimizer is adamw"), plan, ["optimizer.type"])
    assert longer.message.endswith("(optim=adamw is the default of LLaMA-Factory, not written in the file)")
    stated = _with_default_note(base.with_(message="m"), plan, ["optimizer.lr"])  # written in the file
    assert stated.message == "m"
