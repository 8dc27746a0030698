"""Dialect gaps that caused false positives on the real corpus: ``run.stage`` (preference/RL
recipes), world sizes set by the launcher (torchtitan ``data_parallel_shard_degree = -1``,
axolotl expert parallelism) and the generic dialect's scheduler interval.

Each test reads real corpus files (tests/corpus) or the seed examples, and checks both the
plan field and the lint outcome the field changes."""

from __future__ import annotations

import os
import textwrap

import pytest

from conftest import corpus_file as corpus
from conftest import line_of

from stablint.linter.dialects.stages import ds_chat_stage, normalize_stage, trl_stage
from stablint.linter.engine import LintOptions, build_plan, lint_paths
from stablint.linter.loaders import load_path

HERE = os.path.dirname(__file__)
CORPUS = os.path.join(HERE, "corpus")
EXAMPLES = os.path.join(HERE, os.pardir, "examples")




def plan_of(path: str):
    return build_plan(load_path(path), LintOptions())


def codes(path: str, select: list[str]) -> list[str]:
    res = lint_paths([path], LintOptions(select=select, isolated=True))
    assert not res.errors, res.errors
    return [f.code for f in res.findings]


def write(tmp_path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return str(p)


# -- run.stage -------------------------------------------------------------------------------
@pytest.mark.parametrize("family, name, stage, key, needle", [
    ("llamafactory", "qwen3_lora_dpo", "dpo", "stage", "stage:"),
    ("llamafactory", "qwen3_lora_sft.yaml", "sft", "stage", "stage:"),
    ("torchtune", "3B_full_grpo", "grpo", "loss._component_", "_component_: torchtune.dev.grpo.loss"),
    ("torchtune", "7B_full_ppo_low_memory", "ppo", "loss._component_", "_component_: torchtune.rlhf.loss.PPOLoss"),
    ("torchtune", "7B_lora_dpo", "dpo", "loss._component_", "_component_: torchtune.rlhf.loss.DPOLoss"),
])
def test_stage_is_read_from_the_file_with_its_line(family, name, stage, key, needle):
    path = corpus(family, name)
    pv = plan_of(path).get("run.stage")
    assert pv is not None and pv.resolved
    assert (pv.value, pv.source.key, pv.source.line) == (stage, key, line_of(path, needle))
    assert pv.source.default is False


def test_torchtune_sft_recipes_have_no_stage():
    """A cross-entropy recipe names no preference/RL objective; its instruction/chat dataset builder
    (alpaca_dataset, ...) makes it SFT. The KD recipe (teacher_model) is not claimed to be SFT."""
    for name in ("8B_lora_single_device", "mistral__7B_lora_single_device", "1.5B_lora_single_device"):
        pv = plan_of(corpus("torchtune", name)).get("run.stage")
        assert (pv.value, pv.source.key) == ("sft", "dataset._component_"), name
    assert not plan_of(corpus("torchtune", "8B_to_1B_KD_lora")).has("run.stage")


def test_torchtune_rl_keys_without_a_loss_component(tmp_path):
    """grpo_samples wins over ppo_epochs (the GRPO recipe has both)."""
    text = open(corpus("torchtune", "3B_full_grpo"), encoding="utf-8").read()
    no_loss = text.replace("_component_: torchtune.dev.grpo.loss.GRPOSimpleLoss", "kind: grpo")
    assert no_loss != text
    plan = plan_of(write(tmp_path, "grpo.yaml", no_loss))
    assert plan.value("run.stage") == "grpo" and plan.get("run.stage").source.key == "grpo_samples"
    ppo_only = no_loss.replace("grpo_samples: 16", "")
    assert plan_of(write(tmp_path, "ppo.yaml", ppo_only)).value("run.stage") == "ppo"


def test_llamafactory_stage_defaults_to_sft_and_pt_is_pretrain(tmp_path):
    text = open(corpus("llamafactory", "qwen3_lora_dpo"), encoding="utf-8").read()
    pv = plan_of(write(tmp_path, "nostage.yaml", text.replace("stage: dpo\n", ""))).get("run.stage")
    assert pv.value == "sft" and pv.source.default is True
    assert plan_of(write(tmp_path, "pt.yaml", text.replace("stage: dpo", "stage: pt"))).value("run.stage") == "pretrain"


def test_llamafactory_cli_script_stage():
    plan = plan_of(os.path.join(CORPUS, "shell_launch", "hiyouga__LLaMA-Factory__examples__train_lora__qwen3_lora_sft.sh"))
    assert plan.dialect == "llamafactory" and plan.value("run.stage") == "sft"


def test_ds_chat_step_from_script_path():
    step2 = corpus("shell_launch", "step2_dpo_finetuning")
    step1 = corpus("shell_launch", "step1_supervised_finetuning")
    p2, p1 = plan_of(step2), plan_of(step1)
    assert p2.dialect == p1.dialect == "deepspeed"
    assert p2.value("run.stage") == "dpo" and p1.value("run.stage") == "sft"
    assert p2.get("run.stage").source.key == "script path"


def test_ds_chat_step3_flags_mean_ppo(tmp_path):
    path = write(tmp_path, "run_step3.sh", """
        #!/bin/bash
        deepspeed --num_gpus 8 main.py \\
           --data_path Dahoas/rm-static \\
           --data_split 2,4,4 \\
           --actor_model_name_or_path $ACTOR \\
           --critic_model_name_or_path $CRITIC \\
           --per_device_generation_batch_size 4 \\
           --per_device_training_batch_size 4 \\
           --actor_learning_rate 9.65e-6 \\
           --lora_dim 128 \\
           --offload \\
           --output_dir out
        """)
    plan = plan_of(path)
    assert plan.dialect == "deepspeed"
    pv = plan.get("run.stage")
    assert (pv.value, pv.source.key, pv.source.line) == ("ppo", "actor_model_name_or_path", 5)


def test_ds_chat_stage_reads_command_path(tmp_path):
    path = write(tmp_path, "run.sh", """
        deepspeed training/step2_reward_model_finetuning/main.py \\
           --data_split 2,4,4 --lora_dim 128 --learning_rate 5e-5 --per_device_train_batch_size 8
        """)
    assert ds_chat_stage(load_path(path)) == "rm"


def test_axolotl_rl_key(tmp_path):
    text = open(corpus("axolotl", "llama-3__lora-1b"), encoding="utf-8").read()
    path = write(tmp_path, "dpo.yml", "rl: dpo\n" + text)
    pv = plan_of(path).get("run.stage")
    assert (pv.value, pv.source.key, pv.source.line) == ("dpo", "rl", 1)
    # without rl, datasets whose every type is a prompt format (alpaca, chat_template...) mean SFT
    sft = plan_of(corpus("axolotl", "llama-3__lora-1b")).get("run.stage")
    assert (sft.value, sft.source.key) == ("sft", "datasets[].type")
    assert plan_of(write(tmp_path, "rm.yml", "reward_model: true\n" + text)).value("run.stage") == "rm"


def test_trl_scripts_name_the_stage(tmp_path):
    path = write(tmp_path, "run_dpo.sh", """
        accelerate launch trl/scripts/dpo.py \\
            --learning_rate 5e-7 --per_device_train_batch_size 1 --gradient_accumulation_steps 1 \\
            --lr_scheduler_type cosine --warmup_ratio 0.1 --num_train_epochs 1 --output_dir out
        """)
    plan = plan_of(path)
    assert plan.dialect == "hf-trainer" and plan.value("run.stage") == "dpo"
    assert trl_stage(load_path(write(tmp_path, "g.sh", "trl grpo --learning_rate 1e-6 --output_dir o\n"))) == "grpo"
    # a plain training script is not a stage claim
    assert trl_stage(load_path(corpus("shell_launch", "run_peft_qlora_fsdp"))) is None


def test_normalize_stage():
    assert [normalize_stage(s) for s in ("pt", "SFT", " dpo ", "reward", "rlhf", "ipo", "", None, 3)] == \
        ["pretrain", "sft", "dpo", "rm", "ppo", "ipo", None, None, None]


@pytest.mark.parametrize("family, name, code", [
    ("llamafactory", "qwen3_lora_dpo", "STL401"),
    ("shell_launch", "step2_dpo_finetuning", "STL401"),
    ("torchtune", "3B_full_grpo", "STL201"),
])
def test_preference_and_rl_recipes_are_exempt(family, name, code, tmp_path):
    """The rule stays silent on the real file, and fires once the stage is the SFT one."""
    path = corpus(family, name)
    assert codes(path, [code]) == []
    text = open(path, encoding="utf-8").read()
    if family == "llamafactory":
        sft = text.replace("stage: dpo", "stage: sft")
    elif family == "torchtune":
        sft = text.replace("torchtune.dev.grpo.loss.GRPOSimpleLoss", "torchtune.modules.loss.CEWithChunkedOutputLoss")
        sft = sft.replace("grpo_samples: 16", "").replace("ppo_epochs: 1", "")
    else:
        sft = text
    assert sft != text or family == "shell_launch"
    out = write(tmp_path, "step1_supervised_finetuning_run.sh" if family == "shell_launch" else os.path.basename(path), sft)
    assert codes(out, [code]) == [code]


# -- world size set by the launcher ----------------------------------------------------------
@pytest.mark.parametrize("name", ["llama3_8b", "llama4_17bx128e", "qwen3_32b", "deepseek_v3"])
def test_torchtitan_fill_degree_leaves_world_size_unresolved(name):
    path = corpus("torchtitan", name)
    pv = plan_of(path).get("batch.world_size")
    assert pv is not None and pv.resolved is False and pv.number is None
    assert pv.source.line == line_of(path, "data_parallel_shard_degree")


@pytest.mark.parametrize("name", ["llama3_8b", "llama4_17bx128e"])
def test_torchtitan_batch_one_is_silent_unless_the_degree_is_stated(name, tmp_path):
    path = corpus("torchtitan", name)
    assert codes(path, ["STL201"]) == []
    text = open(path, encoding="utf-8").read()
    one = text.replace("data_parallel_shard_degree = -1", "data_parallel_shard_degree = 1")
    assert one != text
    out = write(tmp_path, "one.toml", one)
    assert plan_of(out).value("batch.world_size") == 1
    assert codes(out, ["STL201"]) == ["STL201"]
    eight = write(tmp_path, "eight.toml", text.replace("data_parallel_shard_degree = -1", "data_parallel_shard_degree = 8"))
    assert plan_of(eight).value("batch.world_size") == 8
    res = lint_paths([eight], LintOptions(select=["STL201"], isolated=True))
    assert [f.severity for f in res.findings] == ["info"]  # effective batch 8: a note, not a warning


def test_torchtitan_default_shard_degree_is_also_fill(tmp_path):
    text = open(corpus("torchtitan", "llama3_8b"), encoding="utf-8").read()
    out = write(tmp_path, "nodeg.toml", text.replace("data_parallel_shard_degree = -1\n", ""))
    pv = plan_of(out).get("batch.world_size")
    assert pv.resolved is False and pv.source.default is True


def test_axolotl_expert_parallel_means_several_ranks(tmp_path):
    path = corpus("axolotl", "qwen3_30ba3b_ep_lora_4gpu")
    pv = plan_of(path).get("batch.world_size")
    assert pv.resolved is False and pv.source.line == line_of(path, "expert_parallel_size")
    assert codes(path, ["STL201"]) == []
    text = open(path, encoding="utf-8").read()
    # the same file without expert parallelism: "4gpu" in its name is not evidence
    out = write(tmp_path, "qwen3_30ba3b_ep_lora_4gpu.yaml", text.replace("expert_parallel_size: 4", "expert_parallel_size: 1"))
    assert not plan_of(out).has("batch.world_size")
    assert codes(out, ["STL201"]) == ["STL201"]


# -- generic scheduler interval ----------------------------------------------------------------
def test_generic_hf_style_schedule_steps_per_step():
    """Seed 003: get_linear_schedule_with_warmup, warmup_steps 500, max_steps 60000."""
    for name in ("seed003_before.config.py", "seed003_after.config.py"):
        plan = plan_of(os.path.join(EXAMPLES, name))
        assert plan.dialect == "generic" and plan.value("scheduler.interval") == "step", name


def test_generic_restart_schedule_without_evidence_has_no_interval():
    """Seed 001: CosineAnnealingWarmRestarts, no word on when the loop steps it (torch documents both
    per-epoch and per-batch ``step(epoch + i / iters)`` use): interval unknown, T_0 keeps no unit."""
    plan = plan_of(os.path.join(EXAMPLES, "seed001_before.yaml"))
    assert plan.has("scheduler.interval") and plan.value("scheduler.interval") is None
    assert plan.value("scheduler.t_0") == 30 and plan.unit("scheduler.t_0") is None


@pytest.mark.parametrize("name", ["seed000_before.yaml", "seed002_before.yaml"])
def test_generic_plateau_and_restart_loops_stay_per_epoch(name):
    plan = plan_of(os.path.join(EXAMPLES, name))
    assert plan.value("scheduler.interval") == "epoch"
    for field in ("scheduler.patience", "scheduler.t_0"):
        if plan.has(field):
            assert plan.unit(field) == "epoch"


@pytest.mark.parametrize("text, interval", [
    ("lr: 1.0e-4\nepochs: 30\nscheduler: get_linear_schedule_with_warmup\n", "step"),
    ("lr: 1.0e-4\nepochs: 30\nscheduler: OneCycleLR\n", "step"),
    ("lr: 1.0e-4\nmax_steps: 20000\nscheduler: cosine\nt_max: 20000\n", "step"),
    # no evidence of when the custom loop steps a cosine (trlx steps per optimizer step): unknown
    ("lr: 1.0e-4\nepochs: 30\nwarmup_steps: 0\nscheduler: cosine\nt_max: 30\n", None),
    ("lr: 1.0e-4\nmax_steps: 20000\nwarmup_steps: 500\nscheduler: StepLR\nstep_size: 10\n", "epoch"),
    ("lr: 1.0e-4\nepochs: 30\nscheduler: CosineAnnealingLR\nt_max: 30\n", None),
])
def test_generic_interval_evidence(tmp_path, text, interval):
    plan = plan_of(write(tmp_path, "train.yaml", text))
    assert plan.dialect == "generic" and plan.value("scheduler.interval") == interval
    if plan.has("scheduler.t_max"):
        assert plan.unit("scheduler.t_max") == {"step": "opt_step", "epoch": "epoch", None: None}[interval]
