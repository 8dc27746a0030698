"""LLM fine-tuning dialects: detection and normalization on the real corpus plus small
realistic fixtures (HF TrainingArguments YAML/JSON, PEFT adapter_config.json, axolotl
free-form dicts) that the corpus lacks."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from conftest import corpus_file as corpus
from conftest import line_of

from stablint.linter.dialects import Context, detect
from stablint.linter.engine import LintOptions, lint_paths
from stablint.linter.loaders import load_path

CORPUS = os.path.join(os.path.dirname(__file__), "corpus")
MINE = {"hf-trainer", "peft", "axolotl", "llamafactory", "torchtune", "deepspeed"}
#: corpus family → the dialect every (loadable) file in it must get
FAMILY = {"axolotl": "axolotl", "llamafactory": "llamafactory", "torchtune": "torchtune", "deepspeed": "deepspeed"}
SHELL = {
    "hiyouga__LLaMA-Factory__examples__train_lora__qwen3_lora_sft.sh": "llamafactory",
    "huggingface__peft__examples__int8_training__run_adalora_whisper_int8.sh": "hf-trainer",
    "huggingface__peft__examples__sft__run_peft_qlora_fsdp.sh": "hf-trainer",
    "lm-sys__FastChat__scripts__train_lora.sh": "hf-trainer",
    "microsoft__DeepSpeedExamples__applications__DeepSpeed-Chat__training__step1_supervised_finetuning__training_scripts__opt__single_gpu__run_6.7b_lora.sh": "deepspeed",
    "microsoft__DeepSpeedExamples__applications__DeepSpeed-Chat__training__step2_dpo_finetuning__training_scripts__llama2__run_llama2_7b_lora.sh": "deepspeed",
}




def plan_of(path: str):
    doc = load_path(path)
    dialect = detect(doc)
    assert dialect is not None, path
    return dialect.normalize(doc, Context(lambda p: None))


def write(tmp_path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return str(p)


def _loadable(family: str):
    for name in sorted(os.listdir(os.path.join(CORPUS, family))):
        path = os.path.join(CORPUS, family, name)
        if "TEMPLATE" not in name:  # sed template with unquoted placeholders: not JSON
            yield path


# -- detection -------------------------------------------------------------------------

@pytest.mark.parametrize("path,expected", [(p, d) for fam, d in FAMILY.items() for p in _loadable(fam)]
                         + [(os.path.join(CORPUS, "shell_launch", n), d) for n, d in SHELL.items()],
                         ids=lambda v: os.path.basename(v)[-48:] if isinstance(v, str) and "/" in v else v)
def test_llm_corpus_files_get_their_dialect(path, expected):
    assert detect(load_path(path)).name == expected


def test_other_families_are_not_claimed_by_llm_dialects():
    claimed = []
    for family in sorted(os.listdir(CORPUS)):
        if family in FAMILY or family == "shell_launch" or not os.path.isdir(os.path.join(CORPUS, family)):
            continue
        for name in sorted(os.listdir(os.path.join(CORPUS, family))):
            try:
                doc = load_path(os.path.join(CORPUS, family, name))
            except Exception:  # broken files are another test's business
                continue
            d = detect(doc)
            if d is not None and d.name in MINE:
                claimed.append((family, name, d.name))
    assert claimed == []


def test_trainer_state_log_is_not_a_training_arguments_file():
    doc = load_path(os.path.join(CORPUS, "hf_trainer_json", "aigoncharov__trainer_state_viz__trainer_state.json"))
    assert (detect(doc).name if detect(doc) else None) not in MINE


# -- axolotl ---------------------------------------------------------------------------

def test_axolotl_qlora_values_units_and_lines():
    path = corpus("axolotl", "falcon__config-7b-qlora")
    plan = plan_of(path)
    assert plan.loader == "pyyaml" and plan.coerces
    assert plan.value("lora.enabled") is True and plan.get("lora.enabled").source.line == line_of(path, "adapter:")
    assert (plan.value("lora.r"), plan.value("lora.alpha")) == (64, 16)
    assert plan.get("lora.r").source.line == line_of(path, "lora_r:")
    assert plan.get("batch.per_device").unit == "per_device" and plan.value("batch.per_device") == 1
    assert plan.value("batch.grad_accum") == 2 and plan.global_batch() == 2
    pv = plan.get("early_stopping.patience")
    assert (pv.value, pv.unit, pv.source.line) == (3, "eval", line_of(path, "early_stopping_patience:"))
    assert (plan.value("warmup.ratio"), plan.unit("warmup.ratio")) == (0.1, "ratio")
    assert not plan.has("warmup.steps")
    assert plan.value("optimizer.type") == "adamw"  # paged_adamw_32bit
    assert plan.get("precision.bf16").resolved is False  # bf16: auto
    assert plan.value("eval.interval") == 0.25 and plan.unit("eval.interval") == "epoch"  # evals_per_epoch: 4
    clip = plan.get("clip.max_norm")
    assert clip.value == 1.0 and clip.source.default  # HF default, axolotl passes it only when set


def test_axolotl_lr_without_dot_is_coerced_not_a_string():
    plan = plan_of(corpus("axolotl", "deepseek-v2__qlora-fsdp"))
    pv = plan.get("optimizer.lr")
    assert pv.value == pytest.approx(2e-5) and pv.raw == "2e-5" and not pv.as_string
    assert plan.value("lora.use_rslora") is True
    result = lint_paths([corpus("axolotl", "deepseek-v2__qlora-fsdp")], LintOptions(select=["STL002"]))
    assert result.findings == []


def test_axolotl_empty_adapter_means_full_finetune():
    plan = plan_of(corpus("axolotl", "mpt-7b__config"))
    assert plan.value("lora.enabled") is False and plan.value("lora.r") == 8
    assert any("adapter is empty" in n for n in plan.notes)


def test_axolotl_batch_size_gives_grad_accum_and_defaults():
    path = corpus("axolotl", "replit-3b__config-lora")
    plan = plan_of(path)
    ga = plan.get("batch.grad_accum")
    assert ga.value == 8 and ga.source.line == line_of(path, "batch_size:") and not ga.source.default
    for name, value in (("scheduler.type", "cosine"), ("optimizer.type", "adamw")):  # `lr_scheduler:`/`optimizer:` empty
        assert plan.value(name) == value and plan.get(name).source.default


def test_axolotl_max_steps_overrides_epochs_and_fractional_warmup_steps():
    plan = plan_of(corpus("axolotl", "qwen3_30ba3b_ep_lora"))
    assert (plan.value("run.max_steps"), plan.unit("run.max_steps")) == (50, "opt_step")
    assert (plan.value("warmup.ratio"), plan.unit("warmup.ratio")) == (0.1, "ratio")  # warmup_steps: 0.1
    muon = plan_of(corpus("axolotl", "muon-pretrain"))
    assert muon.value("run.max_steps") == 305 and not muon.has("run.epochs")
    assert (muon.value("warmup.steps"), muon.unit("warmup.steps")) == (10, "opt_step")
    assert muon.value("optimizer.type") == "muon" and not muon.has("optimizer.decoupled_weight_decay")


def test_axolotl_free_form_dicts_are_not_coerced(tmp_path):
    path = write(tmp_path, "axolotl.yml", """
        base_model: NousResearch/Llama-3.2-1B
        adapter: lora
        lora_r: 16
        lora_alpha: 32
        micro_batch_size: 2
        gradient_accumulation_steps: 4
        num_epochs: 1
        max_steps: 2000
        learning_rate: 2e-4
        warmup_steps: 0
        lr_scheduler: cosine
        lr_scheduler_kwargs:
          min_lr: 1e-6
        """)
    plan = plan_of(path)
    assert plan.dialect == "axolotl"
    assert not plan.get("optimizer.lr").as_string  # typed field: pydantic converts it
    min_lr = plan.get("scheduler.min_lr")
    assert min_lr.as_string and min_lr.value == pytest.approx(1e-6)
    assert min_lr.source.line == 13 and min_lr.source.key == "lr_scheduler_kwargs.min_lr"
    # an explicit warmup_steps: 0 is kept: the builder tests `cfg.warmup_steps is not None`
    assert plan.value("warmup.steps") == 0 and not plan.get("warmup.steps").source.default
    findings = lint_paths([path], LintOptions(select=["STL002"])).findings
    assert [(f.line, f.field) for f in findings] == [(13, "scheduler.min_lr")]


# -- LLaMA-Factory -----------------------------------------------------------------------

def test_llamafactory_alpha_defaults_to_twice_the_rank():
    path = corpus("llamafactory", "train_lora__qwen3_lora_sft")
    plan = plan_of(path)
    assert plan.loader == "omegaconf"
    assert plan.value("lora.enabled") is True and plan.value("lora.r") == 8
    alpha = plan.get("lora.alpha")
    assert alpha.value == 16 and alpha.source.default and alpha.source.line == line_of(path, "lora_rank:")
    assert (plan.value("run.epochs"), plan.unit("run.epochs")) == (3.0, "epoch")
    assert plan.value("warmup.ratio") == 0.1 and plan.value("scheduler.type") == "cosine"
    assert plan.value("clip.max_norm") == 1.0 and plan.get("clip.max_norm").source.default


def test_llamafactory_full_finetune_and_omegaconf_floats():
    path = corpus("llamafactory", "megatron__qwen3_moe_full")
    plan = plan_of(path)
    assert plan.value("lora.enabled") is False and not plan.has("lora.alpha")
    lr = plan.get("optimizer.lr")
    assert lr.value == pytest.approx(3e-6) and lr.raw == "3e-6" and not lr.as_string
    assert lr.source.line == line_of(path, "learning_rate:")
    assert lint_paths([path], LintOptions(select=["STL002"])).findings == []
    assert plan.value("scheduler.type") == "constant"


def test_llamafactory_max_steps_overrides_epochs():
    plan = plan_of(corpus("llamafactory", "megatron_bridge__llama3_sft"))
    assert plan.value("run.max_steps") == 1000 and not plan.has("run.epochs")
    assert (plan.value("warmup.steps"), plan.unit("warmup.steps")) == (10, "opt_step")
    assert plan.value("optimizer.betas") == [0.9, 0.999]
    assert plan.value("lora.enabled") is True and plan.value("lora.alpha") == 16  # rank defaults to 8


def test_llamafactory_cli_flags():
    path = os.path.join(CORPUS, "shell_launch", "hiyouga__LLaMA-Factory__examples__train_lora__qwen3_lora_sft.sh")
    plan = plan_of(path)
    assert plan.loader == "argparse"
    assert plan.value("optimizer.lr") == pytest.approx(1e-4) and not plan.get("optimizer.lr").as_string
    assert plan.get("optimizer.lr").source.line == line_of(path, "--learning_rate")
    assert plan.value("lora.r") == 8 and plan.value("lora.alpha") == 16 and plan.get("lora.alpha").source.default
    assert plan.value("precision.bf16") is True and plan.global_batch() == 8


def test_llamafactory_early_stopping_steps_count_evaluations(tmp_path):
    path = write(tmp_path, "lf.yaml", """
        model_name_or_path: Qwen/Qwen3-4B
        stage: sft
        finetuning_type: lora
        lora_rank: 16
        lora_alpha: 8
        learning_rate: 1e-4
        early_stopping_steps: 5
        """)
    plan = plan_of(path)
    assert (plan.value("early_stopping.patience"), plan.unit("early_stopping.patience")) == (5, "eval")
    assert plan.value("lora.alpha") == 8 and not plan.get("lora.alpha").source.default


# -- torchtune -------------------------------------------------------------------------

def test_torchtune_lr_is_a_float_for_omegaconf():
    path = corpus("torchtune", "qwen2__1.5B_lora_single_device")
    plan = plan_of(path)
    assert plan.loader == "omegaconf"
    lr = plan.get("optimizer.lr")
    assert lr.value == pytest.approx(2e-3) and not lr.as_string and lr.source.key == "optimizer.lr"
    assert lint_paths([path], LintOptions(select=["STL002"])).findings == []
    # profiler.warmup_steps is the profiler's, not the LR warmup
    warm = plan.get("warmup.steps")
    assert (warm.value, warm.unit, warm.source.key) == (100, "opt_step", "lr_scheduler.num_warmup_steps")
    assert not plan.has("clip.max_norm")  # clip_grad_norm: null
    assert (plan.value("lora.r"), plan.value("lora.alpha")) == (32, 64) and plan.value("lora.enabled") is True
    assert plan.global_batch() == 16 and plan.value("precision.bf16") is True


def test_torchtune_max_steps_per_epoch_is_not_a_total():
    plan = plan_of(corpus("torchtune", "llama2__7B_lora_dpo"))
    assert not plan.has("run.max_steps") and plan.value("run.epochs") == 1
    assert any("caps each epoch" in n for n in plan.notes)
    assert plan.value("optimizer.weight_decay") == 0.05 and not plan.get("optimizer.weight_decay").source.default


def test_torchtune_adamw_default_weight_decay_and_kd_weights():
    plan = plan_of(corpus("torchtune", "mistral__7B_lora_single_device"))
    wd = plan.get("optimizer.weight_decay")
    assert wd.value == 0.01 and wd.source.default
    assert (plan.value("lora.r"), plan.value("lora.alpha")) == (64, 16)
    kd = plan_of(corpus("torchtune", "8B_to_1B_KD"))
    weights = kd.get("loss.weights").value
    assert weights["kd_loss"].value == 0.5 and weights["class_loss"].value == 0.5


# -- DeepSpeed ---------------------------------------------------------------------------

def test_deepspeed_auto_values_are_unresolved():
    plan = plan_of(corpus("deepspeed", "ds_z3_offload_config"))
    for name in ("batch.global", "batch.per_device", "batch.grad_accum", "clip.max_norm", "precision.fp16"):
        assert plan.get(name).resolved is False, name
    assert plan.global_batch() is None
    assert plan.value("precision.loss_scale") == "dynamic"  # fp16.loss_scale: 0


def test_deepspeed_adam_runs_adamw_and_clipping_zero_is_off():
    path = corpus("deepspeed", "imagenet__config__ds_fp16_config")
    plan = plan_of(path)
    assert plan.value("optimizer.type") == "adam" and plan.value("optimizer.decoupled_weight_decay") is True
    assert plan.get("optimizer.decoupled_weight_decay").source.default
    assert (plan.value("batch.global"), plan.unit("batch.global")) == (256, "global")
    assert plan.value("clip.max_norm") == 0 and plan.get("clip.max_norm").source.line == line_of(path, '"gradient_clipping"')
    assert plan.value("optimizer.betas") == [0.8, 0.999]


def test_deepspeed_warmup_lr_peak_and_lamb():
    plan = plan_of(corpus("deepspeed", "Megatron_GPT2__ds_config_func_scheduler"))
    assert plan.value("scheduler.type") == "warmup_only" and plan.value("scheduler.interval") == "step"
    assert plan.value("optimizer.lr") == 0.001 and plan.get("optimizer.lr").source.key == "scheduler.params.warmup_max_lr"
    assert (plan.value("warmup.steps"), plan.unit("warmup.steps")) == (10, "opt_step")
    lamb = plan_of(corpus("deepspeed", "bing_bert"))
    assert lamb.value("optimizer.type") == "lamb" and lamb.value("optimizer.lr") == pytest.approx(0.011)
    assert lamb.value("batch.global") == 65536 and lamb.value("batch.per_device") == 64


def test_deepspeed_batch_triple_gives_world_size(tmp_path):
    path = write(tmp_path, "ds_config.json", json.dumps({
        "train_batch_size": 256, "train_micro_batch_size_per_gpu": 8, "gradient_accumulation_steps": 4,
        "optimizer": {"type": "Adam", "params": {"lr": 3e-4, "weight_decay": 0.1, "adam_w_mode": False}},
        "fp16": {"enabled": True, "loss_scale": 128}}, indent=2))
    plan = plan_of(path)
    assert plan.value("batch.world_size") == 8 and plan.global_batch() == 256
    assert plan.value("optimizer.decoupled_weight_decay") is False
    assert plan.value("precision.loss_scale") == 128


def test_deepspeed_chat_script_lora_scaling():
    path = os.path.join(CORPUS, "shell_launch", [n for n, d in SHELL.items() if "single_gpu" in n][0])
    plan = plan_of(path)
    assert plan.value("lora.r") == 128 and plan.value("lora.enabled") is True
    alpha = plan.get("lora.alpha")
    assert alpha.value == 1 and alpha.source.default  # LinearLayer_LoRA scales by 1 / lora_dim
    assert plan.value("batch.world_size") == 1  # deepspeed --num_gpus 1
    assert plan.global_batch() == 8 * 16
    assert (plan.value("warmup.steps"), plan.value("run.epochs")) == (0, 16)


# -- HF TrainingArguments -----------------------------------------------------------------

def test_hf_shell_flags_fastchat():
    path = os.path.join(CORPUS, "shell_launch", "lm-sys__FastChat__scripts__train_lora.sh")
    plan = plan_of(path)
    assert plan.loader == "argparse"
    assert plan.value("lora.enabled") is True and (plan.value("lora.r"), plan.value("lora.alpha")) == (8, 16)
    assert (plan.value("warmup.ratio"), plan.unit("warmup.ratio")) == (0.03, "ratio")
    assert (plan.value("eval.interval"), plan.unit("eval.interval")) == (100, "opt_step")
    assert plan.value("run.epochs") == 150 and plan.get("run.epochs").source.line == line_of(path, "--num_train_epochs")


def test_hf_yaml_warmup_ratio_and_string_lr(tmp_path):
    path = write(tmp_path, "sft.yaml", """
        model_name_or_path: meta-llama/Llama-3.1-8B
        output_dir: out
        per_device_train_batch_size: 4
        gradient_accumulation_steps: 8
        learning_rate: 1e-4
        num_train_epochs: 2
        warmup_steps: 0.05
        lr_scheduler_type: cosine
        """)
    plan = plan_of(path)
    assert plan.dialect == "hf-trainer" and plan.loader == "pyyaml"
    assert plan.get("optimizer.lr").as_string and plan.value("optimizer.lr") == pytest.approx(1e-4)
    assert (plan.value("warmup.ratio"), plan.unit("warmup.ratio")) == (0.05, "ratio") and not plan.has("warmup.steps")
    assert plan.get("warmup.ratio").source.line == 7
    assert plan.value("clip.max_norm") == 1.0 and plan.get("clip.max_norm").source.default
    findings = lint_paths([path], LintOptions(select=["STL002"])).findings
    assert [(f.line, f.field) for f in findings] == [(5, "optimizer.lr")]


def test_hf_yaml_plateau_max_steps_and_kwargs_string(tmp_path):
    path = write(tmp_path, "train.yaml", """
        output_dir: out
        per_device_train_batch_size: 8
        learning_rate: 0.0002
        num_train_epochs: 5
        max_steps: 3000
        warmup_steps: 100
        warmup_ratio: 0.1
        eval_strategy: steps
        eval_steps: 200
        lr_scheduler_type: reduce_lr_on_plateau
        lr_scheduler_kwargs: '{"patience": 3, "factor": 0.5}'
        """)
    plan = plan_of(path)
    assert plan.value("run.max_steps") == 3000 and not plan.has("run.epochs")
    assert (plan.value("warmup.steps"), plan.unit("warmup.steps")) == (100, "opt_step") and not plan.has("warmup.ratio")
    pat = plan.get("scheduler.patience")
    assert (pat.value, pat.unit, pat.source.line) == (3, "eval", 11)
    assert plan.value("scheduler.factor") == 0.5 and plan.value("scheduler.type") == "plateau"
    assert plan.value("scheduler.monitor") == "eval_loss" and plan.get("scheduler.monitor").source.default
    assert (plan.value("eval.interval"), plan.unit("eval.interval")) == (200, "opt_step")


def test_hf_json_quoted_number_is_a_string(tmp_path):
    path = write(tmp_path, "args.json", json.dumps({
        "output_dir": "out", "per_device_train_batch_size": 16, "num_train_epochs": 3,
        "learning_rate": "5e-5", "weight_decay": 0.01, "lr_scheduler_type": "linear", "warmup_ratio": 0.06}, indent=2))
    plan = plan_of(path)
    assert plan.dialect == "hf-trainer" and plan.loader == "json"
    assert plan.get("optimizer.lr").as_string and plan.value("optimizer.weight_decay") == 0.01
    assert plan.get("optimizer.lr").source.line == 5


# -- PEFT -----------------------------------------------------------------------------

def test_peft_adapter_config_values_and_defaults(tmp_path):
    path = write(tmp_path, "adapter_config.json", json.dumps({
        "base_model_name_or_path": "meta-llama/Llama-2-7b-hf", "peft_type": "LORA", "task_type": "CAUSAL_LM",
        "r": 64, "lora_alpha": 16, "lora_dropout": 0.05, "target_modules": ["q_proj", "v_proj"],
        "inference_mode": True}, indent=2))
    plan = plan_of(path)
    assert plan.dialect == "peft" and plan.loader == "json"
    assert (plan.value("lora.r"), plan.value("lora.alpha"), plan.value("lora.dropout")) == (64, 16, 0.05)
    assert plan.get("lora.r").source.line == 5 and not plan.get("lora.r").source.default
    assert plan.value("lora.use_rslora") is False and plan.get("lora.use_rslora").source.default
    bare = plan_of(write(tmp_path, "bare.json", json.dumps({"peft_type": "LORA", "target_modules": ["q_proj"]})))
    assert (bare.value("lora.r"), bare.value("lora.alpha")) == (8, 8) and bare.get("lora.alpha").source.default


def test_peft_non_lora_types_fill_no_lora_fields(tmp_path):
    plan = plan_of(write(tmp_path, "adapter_config.json", json.dumps(
        {"peft_type": "ADALORA", "init_r": 12, "target_r": 8, "lora_alpha": 32})))
    assert plan.dialect == "peft" and not plan.has("lora.r") and not plan.has("lora.enabled")


# -- whole corpus ---------------------------------------------------------------------------

def test_lint_llm_corpus_families_never_crash():
    paths = [os.path.join(CORPUS, f) for f in ("axolotl", "llamafactory", "torchtune", "deepspeed", "shell_launch")]
    result = lint_paths(paths)
    assert result.files == 39  # 9 axolotl + 8 LLaMA-Factory + 8 torchtune + 8 DeepSpeed + 6 scripts
    assert [os.path.basename(e.path) for e in result.errors] == [
        "microsoft__DeepSpeedExamples__training__data_efficiency__gpt_finetuning__finetune__ds_config_gpt2_TEMPLATE.json"]
    dialects = {r.plan.dialect for r in result.results if r.plan is not None}
    assert dialects == {"axolotl", "llamafactory", "torchtune", "deepspeed", "hf-trainer"}
