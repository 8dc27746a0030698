"""fp16-on-bf16-model (STL603, issue 15): fp16 on a checkpoint pretrained in bf16, from evidence only.

Real file: gaozhangyang/FoldGPT@f46b580a4ece497513d12aa6fe888b8d5028d33b
``examples/train_lora/llama3_lora_dpo.yaml`` (Apache-2.0; bench/unseen u0242, calibration half):
Llama-3-8B-Instruct DPO with ``fp16: true``. The other cases are minimal reconstructions of the
threads cited in the rule's references (QwenLM/Qwen3#670, huggingface/transformers#14189).
"""

from __future__ import annotations

import json
import os

import pytest

from stablint.linter.pretrain_dtype import family_of

CODE = "STL603"
REAL = os.path.join(os.path.dirname(__file__), "..", "bench", "unseen", "files", "u0242_llama3_lora_dpo.yaml")


def _hits(result):
    assert not result.errors, result.errors
    return [f for f in result.findings if f.code == CODE]


def test_real_llamafactory_llama3_fp16(lint_text):
    with open(REAL, encoding="utf-8") as fh:
        text = fh.read()
    hits = _hits(lint_text("llama3_lora_dpo.yaml", text, select=[CODE], isolated=True))
    assert len(hits) == 1
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.startswith("fp16:"))
    assert hits[0].line == line and "Llama 3" in hits[0].message


def test_qwen2_fp16_sft_thread(lint_text):
    """QwenLM/Qwen3#670: Qwen2-7B-Instruct full SFT in fp16 → nan tokens, loss 0."""
    text = ("model_name_or_path: Qwen/Qwen2-7B-Instruct\nstage: sft\nfinetuning_type: full\n"
            "learning_rate: 1.0e-5\nper_device_train_batch_size: 2\nfp16: true\n")
    hits = _hits(lint_text("qwen2_full_sft.yaml", text, select=[CODE], isolated=True))
    assert [h.field for h in hits] == ["precision.fp16"]


def test_t5_v1_1_fp16_thread(lint_text):
    """huggingface/transformers#14189: t5-v1_1-base with --fp16 goes to nan (HF TrainingArguments JSON)."""
    args = {"model_name_or_path": "google/t5-v1_1-base", "output_dir": "out", "do_train": True,
            "per_device_train_batch_size": 8, "learning_rate": 1e-4, "fp16": True}
    hits = _hits(lint_text("training_args.json", json.dumps(args), select=[CODE], isolated=True))
    assert len(hits) == 1 and "T5" in hits[0].message


@pytest.mark.parametrize("text", [
    # bf16 on: nothing to report
    "model_name_or_path: Qwen/Qwen2.5-7B\nstage: sft\nfinetuning_type: lora\nbf16: true\nfp16: false\n",
    # a model outside the table (GPT-2 was trained in fp32/fp16): no evidence, silent
    "model_name_or_path: gpt2\nstage: sft\nfinetuning_type: lora\nfp16: true\n",
    # TinyLlama is not "llama-2/3": the family pattern needs a separator before the name
    "model_name_or_path: TinyLlama/TinyLlama-1.1B-Chat-v1.0\nstage: sft\nfinetuning_type: lora\nfp16: true\n",
])
def test_silent_without_evidence_or_with_bf16(lint_text, text):
    assert _hits(lint_text("run.yaml", text, select=[CODE], isolated=True)) == []


def test_axolotl_bf16_auto_is_silent(lint_text):
    """axolotl ``bf16: auto`` picks bf16 on a GPU that has it: fp16 is then ignored, so no finding."""
    text = ("base_model: mistralai/Mistral-7B-v0.1\nmodel_type: MistralForCausalLM\nadapter: qlora\n"
            "micro_batch_size: 2\nlearning_rate: 0.0002\nbf16: auto\nfp16: true\n")
    assert _hits(lint_text("qlora.yml", text, select=[CODE], isolated=True)) == []


def test_local_config_json_decides(tmp_path, lint_text):
    """A local checkpoint folder's config.json torch_dtype is the evidence, and overrides the table."""
    run = "model_name_or_path: ./ckpt\nstage: sft\nfinetuning_type: lora\nfp16: true\n"
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "config.json").write_text(json.dumps({"model_type": "mything", "torch_dtype": "bfloat16"}))
    hits = _hits(lint_text("run.yaml", run, select=[CODE], isolated=True))
    assert len(hits) == 1 and "config.json" in hits[0].message
    # the same folder name saved in float16: silent even though the name would match Qwen2
    (tmp_path / "qwen2-7b").mkdir()
    (tmp_path / "qwen2-7b" / "config.json").write_text(json.dumps({"torch_dtype": "float16"}))
    assert _hits(lint_text("run2.yaml", run.replace("./ckpt", "./qwen2-7b"), select=[CODE], isolated=True)) == []


def test_families_option_narrows_the_table(lint_text):
    text = "model_name_or_path: google/flan-t5-large\nstage: sft\nfinetuning_type: full\nfp16: true\n"
    assert _hits(lint_text("a.yaml", text, select=[CODE], isolated=True)) != []
    opts = {"fp16-on-bf16-model": {"families": ["Qwen2/Qwen2.5/Qwen3"]}}
    assert _hits(lint_text("b.yaml", text, select=[CODE], isolated=True, rule_options=opts)) == []


@pytest.mark.parametrize("name,family", [
    ("meta-llama/Meta-Llama-3-8B-Instruct", "Llama 3"), ("models/llama3-8b", "Llama 3"),
    ("NousResearch/Llama-2-7b-hf", "Llama 2"), ("./models/Qwen2.5-1.5B-Instruct", "Qwen2/Qwen2.5/Qwen3"),
    ("google/gemma-2b", "Gemma"), ("t5-base", "T5"), ("google/mt5-small", "T5"),
    ("TinyLlama/TinyLlama-1.1B", None), ("Qwen/Qwen-7B", None), ("gpt2", None), ("facebook/detr-resnet-50", None),
])
def test_family_table(name, family):
    fam = family_of(name)
    assert (fam.name if fam else None) == family
    if fam:
        assert fam.source.startswith("https://")


def test_local_config_outside_the_repository_is_not_read(tmp_path):
    """The checkpoint's config.json is reached through the config, so it must stay inside the repository."""
    from stablint.linter.engine import LintOptions, lint_paths

    outside = tmp_path / "outside" / "ckpt"
    outside.mkdir(parents=True)
    (outside / "config.json").write_text(json.dumps({"torch_dtype": "bfloat16"}))
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    cfg = repo / "run.yaml"
    cfg.write_text(f"model_name_or_path: {outside}\nstage: sft\nfinetuning_type: lora\nfp16: true\n")
    res = lint_paths([str(cfg)], LintOptions(select=[CODE], isolated=True))
    assert _hits(res) == []
    # the same folder inside the repository is read
    inside = repo / "ckpt"
    inside.mkdir()
    (inside / "config.json").write_text(json.dumps({"torch_dtype": "bfloat16"}))
    cfg.write_text("model_name_or_path: ckpt\nstage: sft\nfinetuning_type: lora\nfp16: true\n")
    assert len(_hits(lint_paths([str(cfg)], LintOptions(select=[CODE], isolated=True)))) == 1
