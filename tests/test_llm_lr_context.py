"""Issue 15: a learning rate inside the optimizer's range but wrong for its context.

``full-finetune-lr-too-high`` (STL504) and ``preference-lr-too-high`` (STL505), and the plan fields they
read: ``finetune.full`` (set only where the framework certainly trains no adapter) and ``run.stage``
(TRL preference-config fields, axolotl ``datasets``/``pretraining_dataset``).

Real files: tests/corpus (its MANIFEST.tsv records repo/path/commit/licence) and bench/unseen/files
(bench/unseen/MANIFEST.tsv: u0319 marcocst/DiRA, u0323 Mdkar/mastersThesis, u0414 Stillerman/axolotl-mdel,
u0430 techar/axolotl_v0, u1301 dgme-syz/open-r1, u1303 sergeykochetkov/alignment-handbook, u1305
HazyResearch/axolive; all Apache-2.0 or MIT). Reconstructions cite their issue thread.
"""

from __future__ import annotations

import os
import textwrap

from conftest import corpus_file as corpus
from conftest import line_of

from stablint.linter.dialects.stages import trl_config_stage
from stablint.linter.engine import LintOptions, build_plan, lint_paths
from stablint.linter.loaders import load_path

BENCH = os.path.join(os.path.dirname(__file__), os.pardir, "bench", "unseen", "files")
RULES = ["full-finetune-lr-too-high", "preference-lr-too-high"]


def bench(name: str) -> str:
    return os.path.join(BENCH, name)


def plan_of(path: str):
    return build_plan(load_path(path), LintOptions())


def findings(path: str, select: list[str] = RULES):
    res = lint_paths([path], LintOptions(select=select, isolated=True))
    assert not res.errors, res.errors
    return res.findings


def write(tmp_path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return str(p)


# -- full-finetune-lr-too-high ---------------------------------------------------------------------

def test_axolotl_fft_example_at_lora_lr():
    """axolotl examples/qwen3.5/27b-fft.yaml: no adapter, chat_template data, learning_rate 0.0002."""
    path = corpus("axolotl", "27b-fft")
    plan = plan_of(path)
    full = plan.get("finetune.full")
    assert full.value is True and full.source.framework_default  # axolotl's adapter default (None)
    assert plan.value("run.stage") == "sft"
    (f,) = findings(path)
    assert (f.code, f.severity, f.line) == ("STL504", "info", line_of(path, "learning_rate:"))
    assert "0.0002" in f.message


def test_llamafactory_full_sft_at_1e4():
    """LLaMA-Factory examples/ascend/qwen3moe_full_sft_fsdp.yaml: finetuning_type full, learning_rate 1.0e-4."""
    path = corpus("llamafactory", "qwen3moe_full_sft_fsdp")
    plan = plan_of(path)
    assert plan.value("finetune.full") is True and not plan.get("finetune.full").source.default
    assert [f.code for f in findings(path)] == ["STL504"]


def test_published_full_finetunes_are_silent():
    """The recipes the threshold comes from: LLaMA-Factory llama3_full_sft 1e-5 (u0319), axolotl phi-ft 3e-6
    (u0430), axolotl llama-3 fft-8b 2e-5 (u1305), LLaMA-Factory megatron 3e-6."""
    for path in (bench("u0319_llama3_full_sft.yaml"), bench("u0430_phi-ft.yml"), bench("u1305_fft-8b.yaml"),
                 corpus("llamafactory", "megatron__qwen3_moe_full")):
        assert plan_of(path).value("finetune.full") is True, path
        assert findings(path) == [], path


def test_torchtune_full_recipes_are_sft_and_full():
    """torchtune llama2/7B_full.yaml (bench u0440, Trainy-ai/torchtune fork, BSD-3-Clause): a plain
    torchtune.models builder and alpaca_dataset: a full SFT at 2e-5, silent; raised to 2e-4 it is judged."""
    path = bench("u0440_7B_full.yaml")
    plan = plan_of(path)
    assert (plan.value("run.stage"), plan.value("finetune.full")) == ("sft", True)
    assert findings(path) == []


def test_torchtune_full_at_lora_lr(tmp_path):
    text = open(bench("u0440_7B_full.yaml"), encoding="utf-8").read()
    assert "lr: 2e-5" in text
    path = write(tmp_path, "7B_full.yaml", text.replace("lr: 2e-5", "lr: 2e-4"))
    assert [f.code for f in findings(path)] == ["STL504"]


def test_galore_full_is_not_judged():
    """use_galore replaces AdamW's update (LLaMA-Factory hparams/finetuning_args.py): finetune.full is left unset."""
    assert not plan_of(corpus("llamafactory", "galore__llama3_full_sft")).has("finetune.full")


def test_continued_pretraining_is_not_a_finetune():
    """axolotl examples/tiny-llama/pretrain.yml (u0414): pretraining_dataset, no adapter, lr 2e-4. Continued
    pretraining publishes LRs this high (Code Llama 3e-4), so the stage is pretrain and the rule is silent."""
    path = bench("u0414_pretrain.yml")
    plan = plan_of(path)
    assert plan.value("finetune.full") is True and plan.value("run.stage") == "pretrain"
    assert findings(path) == []


def test_adapter_state_unknown_is_silent(tmp_path):
    """A TrainingArguments file cannot say whether the script wraps the model in PEFT: silent at 2e-4,
    and the same file with an explicit use_peft: false is judged."""
    text = """
        model_name_or_path: meta-llama/Llama-2-7b-hf
        learning_rate: 2.0e-4
        num_train_epochs: 3
        per_device_train_batch_size: 4
        lr_scheduler_type: cosine
        warmup_ratio: 0.03
        output_dir: out
        """
    path = write(tmp_path, "sft.yaml", text)
    assert not plan_of(path).has("finetune.full")
    assert findings(path) == []
    json_path = write(tmp_path, "training_args.json", '{"model_name_or_path": "gpt2", "learning_rate": 0.0002, '
                      '"num_train_epochs": 3, "per_device_train_batch_size": 8, "lr_scheduler_type": "linear", '
                      '"output_dir": "out"}')
    assert findings(json_path) == []
    # an SFT stage is still needed (trl sft would name it in a launch script); the flag alone says only "full"
    peft_off = write(tmp_path, "full.yaml", text + "use_peft: false\n")
    assert plan_of(peft_off).value("finetune.full") is True
    assert findings(peft_off) == []


def test_axolotl_adapter_forms(tmp_path):
    """adapter: lora trains an adapter; an empty adapter is a stated full fine-tune; llama-adapter is another adapter."""
    base = "base_model: meta-llama/Llama-2-7b-hf\nsequence_len: 2048\nsample_packing: true\nmicro_batch_size: 2\n" \
           "datasets:\n  - path: mhenrichsen/alpaca_2k_test\n    type: alpaca\nlearning_rate: 0.0002\n"
    lora = write(tmp_path, "lora.yml", base + "adapter: lora\nlora_r: 16\nlora_alpha: 32\n")
    assert not plan_of(lora).has("finetune.full") and findings(lora) == []
    empty = write(tmp_path, "empty.yml", base + "adapter:\n")
    pv = plan_of(empty).get("finetune.full")
    assert pv.value is True and not pv.source.default
    assert [f.code for f in findings(empty)] == ["STL504"]
    other = write(tmp_path, "other.yml", base + "adapter: llama-adapter\n")
    assert not plan_of(other).has("finetune.full") and findings(other) == []
    completion = write(tmp_path, "cpt.yml", base.replace("type: alpaca", "type: completion"))
    assert not plan_of(completion).has("run.stage") and findings(completion) == []


def test_threshold_is_an_option():
    path = corpus("llamafactory", "qwen3moe_full_sft_fsdp")
    res = lint_paths([path], LintOptions(select=RULES, isolated=True,
                                         rule_options={"full-finetune-lr-too-high": {"min_lr": 2e-4}}))
    assert res.findings == []


# -- preference-lr-too-high ------------------------------------------------------------------------

def test_torchtune_lora_dpo_at_5e4():
    """torchtune recipes/configs/llama2/7B_lora_dpo.yaml: DPOLoss, lora_llama2_7b, lr 5e-4 (100x LoRA DPO recipes)."""
    path = corpus("torchtune", "7B_lora_dpo")
    (f,) = findings(path)
    assert (f.code, f.severity) == ("STL505", "info")
    assert "LoRA preference recipes" in f.message


def test_alignment_handbook_dpo_recipes_are_silent():
    """zephyr-7b-beta dpo/config_full.yaml (u0323, 5e-7) and dpo/config_qlora.yaml (u1303, 5e-6): the TRL fields
    name a preference stage; the recipes are silent, and the QLoRA one no longer gets lora-scaling-too-low."""
    full, qlora = bench("u0323_config_full.yaml"), bench("u1303_config_qlora.yaml")
    assert plan_of(full).value("run.stage") == "preference"
    assert plan_of(qlora).value("run.stage") == "preference"
    assert findings(full) == [] and findings(qlora) == []
    assert findings(qlora, ["lora-scaling-too-low", "lora-lr-too-low"]) == []


def test_full_dpo_at_sft_lr(tmp_path):
    """The zephyr DPO recipe (u0323) with the SFT LR 2e-5 and adapters switched off: above 1e-5 (Llama 3's DPO LR)
    for a DPO-only loss_type; a file that may be ORPO gets ORPO's 2e-5 (xfactlab/orpo#5)."""
    text = open(bench("u0323_config_full.yaml"), encoding="utf-8").read().replace("learning_rate: 5.0e-7",
                                                                                  "learning_rate: 2.0e-5")
    text = text.rstrip("\n") + "\n"
    ambiguous = write(tmp_path, "pref.yaml", text + "use_peft: false\n")
    assert findings(ambiguous) == []  # ORPO's authors recommend up to 2e-5
    dpo = write(tmp_path, "dpo.yaml", text + "use_peft: false\nloss_type: sigmoid\n")
    assert plan_of(dpo).value("run.stage") == "dpo"
    (f,) = findings(dpo)
    assert f.code == "STL505" and "full-parameter DPO" in f.message
    higher = write(tmp_path, "pref5.yaml", text.replace("2.0e-5", "5.0e-5") + "use_peft: false\n")
    assert [f.code for f in findings(higher)] == ["STL505"]
    # adapter state unknown: judged by the LoRA bound (5e-5), never by the full-parameter one
    unknown = write(tmp_path, "dpo_unknown.yaml", text + "loss_type: sigmoid\n")
    assert findings(unknown) == []


def test_lora_dpo_at_1e4_reconstruction(tmp_path):
    """https://github.com/huggingface/trl/issues/1236: LoRA (r 16, alpha 16) DPO of Qwen-14B-Chat at
    learning_rate 1e-4; the DPO loss jumps between 0.0076 and 3.95. Reconstructed as a LLaMA-Factory file."""
    path = write(tmp_path, "qwen_dpo.yaml", """
        model_name_or_path: Qwen/Qwen-14B-Chat
        stage: dpo
        do_train: true
        finetuning_type: lora
        lora_rank: 16
        lora_alpha: 16
        lora_dropout: 0.05
        pref_beta: 0.1
        dataset: sakura_dpo
        template: qwen
        cutoff_len: 768
        per_device_train_batch_size: 1
        gradient_accumulation_steps: 1
        learning_rate: 1.0e-4
        num_train_epochs: 1.0
        lr_scheduler_type: linear
        warmup_ratio: 0.1
        output_dir: saves/qwen14b/lora/dpo
        """)
    (f,) = findings(path)
    assert f.code == "STL505" and f.line == line_of(path, "learning_rate:")


def test_llamafactory_lora_dpo_example_is_silent():
    assert findings(corpus("llamafactory", "qwen3_lora_dpo")) == []


def test_grpo_is_not_judged():
    """open-r1 Qwen2.5-1.5B-Instruct/grpo/config_demo.yaml (u1301): beta and max_prompt_length, but num_generations
    marks an online trainer; its 2e-5 is the published recipe. No preference stage, no finding."""
    path = bench("u1301_config_demo.yaml")
    assert plan_of(path).value("run.stage") is None
    assert findings(path) == []
    assert findings(corpus("torchtune", "3B_full_grpo")) == []


def test_trl_config_stage_kinds(tmp_path):
    def stage(text: str):
        return trl_config_stage(load_path(write(tmp_path, "c.yaml", text)))
    common = "beta: 0.1\nmax_prompt_length: 512\nlearning_rate: 5.0e-7\n"
    assert stage(common) == "preference"
    assert stage(common + "desirable_weight: 1.0\n") == "kto"
    assert stage(common + "rpo_alpha: 1.0\n") == "dpo"
    assert stage(common + "loss_type: ipo\n") == "dpo"
    assert stage(common + "cpo_alpha: 1.0\nloss_type: simpo\n") == "simpo"
    assert stage(common + "num_generations: 8\n") is None
    assert stage("beta: 0.1\nlearning_rate: 5.0e-7\n") is None
