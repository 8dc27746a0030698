"""Framework facts live on the dialects, thresholds in rule options.

``Dialect`` class attributes (``model_family``, ``precision_conflict``, ``unknown_keys``,
``cli_flags_are_keys``) are read by rules through ``dialects.facts_of(plan)``; the warmup a
framework adds by default is a plan field with default provenance. No rule option names a
dialect, and a config that still sets one of the removed dialect-list options gets exit 2
with a message saying where the setting went.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from stablint.cli import cli
from stablint.linter.dialects import Dialect, all_dialects, dialect_names, facts_of, get
from stablint.linter.plan import PlanValue, Provenance, TrainingPlan
from stablint.linter.rules import all_rules, by_key

#: allowed values of each fact (documented on ``Dialect``)
ALLOWED = {
    "model_family": {None, "transformer"},
    "precision_conflict": {"raises", "bf16-wins"},
    "unknown_keys": {"closed", "typos-only"},
    "cli_flags_are_keys": {True, False},
    "micro_batch_split": {"exact", "ceil"},
}


def test_every_dialect_fact_has_an_allowed_value():
    for d in all_dialects():
        for fact, allowed in ALLOWED.items():
            assert getattr(d, fact) in allowed, (d.name, fact, getattr(d, fact))


def test_facts_per_framework():
    # the values the rules relied on when they were dialect lists in rule options
    assert {d.name for d in all_dialects() if d.model_family == "transformer"} == {
        "hf-trainer", "axolotl", "llamafactory", "torchtune", "torchtitan", "nanogpt", "mlx-lm"}
    assert {d.name for d in all_dialects() if d.precision_conflict == "bf16-wins"} == {"axolotl"}
    assert {d.name for d in all_dialects() if d.unknown_keys == "closed"} == {"ultralytics", "peft"}
    assert {d.name for d in all_dialects() if d.cli_flags_are_keys} == {"llamafactory", "ultralytics"}
    assert {d.name for d in all_dialects() if d.micro_batch_split == "ceil"} == {"composer"}
    # a closed key policy means nothing without a key set
    assert all(d.known_keys for d in all_dialects() if d.unknown_keys == "closed")


def test_no_rule_option_names_a_dialect():
    names = set(dialect_names())
    for rule in all_rules():
        for opt, default in rule.options.items():
            values = default if isinstance(default, (list, tuple, set)) else [default]
            assert not names & {v for v in values if isinstance(v, str)}, (rule.name, opt, default)


def test_facts_of_uses_plan_framework_then_registry_then_defaults(lint_text):
    res = lint_text("config.yml", "base_model: m\nmicro_batch_size: 2\nsequence_len: 512\nlearning_rate: 0.0002\n",
                    isolated=True)
    plan = res.results[0].plan
    assert plan.dialect == "axolotl" and plan.framework is get("axolotl")
    assert facts_of(plan).precision_conflict == "bf16-wins"
    # a plan built by hand (no framework) finds its dialect by name
    assert facts_of(TrainingPlan(path="x.yaml", dialect="ultralytics")) is get("ultralytics")
    # a plan whose dialect changed after normalize (an "unknown" script adopting a referenced file's dialect)
    stale = TrainingPlan(path="x.sh", dialect="llamafactory", framework=get("generic"))
    assert facts_of(stale) is get("llamafactory")
    # unknown names get the documented defaults
    base = facts_of(TrainingPlan(path="x.yaml", dialect="unknown"))
    assert (base.model_family, base.precision_conflict, base.unknown_keys, base.cli_flags_are_keys) == (
        Dialect.model_family, "raises", "typos-only", False)


def _both_precisions(dialect: str) -> TrainingPlan:
    plan = TrainingPlan(path="x.yaml", dialect=dialect)
    src = Provenance("x.yaml", 2, 1, "fp16")
    plan.set("precision.fp16", PlanValue(True, source=src))
    plan.set("precision.bf16", PlanValue(True, source=src))
    return plan


@pytest.mark.parametrize("dialect,severity", [("axolotl", "warning"), ("hf-trainer", "error"),
                                              ("deepspeed", "error"), ("generic", "error"), ("unknown", "error")])
def test_conflicting_precision_severity_follows_the_dialect_fact(dialect, severity):
    rule = by_key("conflicting-precision")
    got = list(rule.check(_both_precisions(dialect), dict(rule.options)))
    assert [f.severity for f in got] == [severity]


def test_unknown_key_shell_flags_checked_only_for_framework_clis(lint_text):
    lf = ("#!/bin/bash\nllamafactory-cli train --model_name_or_path Qwen/Qwen3-4B --stage sft --do_train "
          "--finetuning_type lora --lerning_rate 1e-4 --num_train_epochs 3\n")
    res = lint_text("train_lf.sh", lf, isolated=True)
    assert res.results[0].plan.dialect == "llamafactory"
    assert [f.field for f in res.findings if f.code == "STL004"] == ["lerning_rate"]
    # the same typo in flags of a user's train.py (HF-style flags): not checked
    user = ("#!/bin/bash\npython run_clm.py --model_name_or_path gpt2 --output_dir out --learning_rate 3e-4 "
            "--lr_scheduler_typ cosine --num_train_epochs 3 --per_device_train_batch_size 8 --optim adamw_torch\n")
    res = lint_text("train_user.sh", user, isolated=True)
    assert res.results[0].plan.dialect == "hf-trainer"
    assert [f for f in res.findings if f.code == "STL004"] == []


# --- missing-warmup: the framework's default warmup is a plan field, not a dialect list ---------------

AXOLOTL = ("base_model: meta-llama/Llama-3.2-1B\ndatasets:\n  - path: tatsu-lab/alpaca\n    type: alpaca\n"
           "micro_batch_size: 2\ngradient_accumulation_steps: 4\noptimizer: adamw_torch\nlr_scheduler: cosine\n"
           "learning_rate: 0.0003\nsequence_len: 2048\n")
TITAN = ('[job]\ndump_folder = "./outputs"\n[optimizer]\nname = "AdamW"\nlr = 8e-4\n[lr_scheduler]\n'
         'decay_type = "cosine"\n[training]\nlocal_batch_size = 8\nsteps = 1000\n')
NANOGPT = ("out_dir = 'out'\neval_interval = 250\neval_iters = 200\nalways_save_checkpoint = False\n"
           "learning_rate = 6e-4\nmax_iters = 5000\nblock_size = 256\nn_layer = 6\n")


def _warmup(lint_text, name: str, text: str, dialect: str):
    res = lint_text(name, text, isolated=True)
    plan = res.results[0].plan
    assert plan.dialect == dialect
    ws = plan.get("warmup.steps")
    return ws, [f for f in res.findings if f.code == "STL104"]


@pytest.mark.parametrize("name,text,dialect,steps", [
    ("config.yml", AXOLOTL + "max_steps: 2000\n", "axolotl", 60),   # min(int(0.03 * 2000), 100)
    ("config.yml", AXOLOTL + "max_steps: 2000\nwarmup_steps: null\n", "axolotl", 60),  # null = not set
    ("job.toml", TITAN, "torchtitan", 200),                         # JobConfig lr_scheduler.warmup_steps
    ("train_x.py", NANOGPT, "nanogpt", 2000),                       # train.py warmup_iters
])
def test_framework_default_warmup_is_in_the_plan_and_silences_the_rule(lint_text, name, text, dialect, steps):
    ws, found = _warmup(lint_text, name, text, dialect)
    assert ws.value == steps and ws.source.default
    assert found == []


@pytest.mark.parametrize("name,text,dialect", [
    ("job.toml", TITAN.replace('decay_type = "cosine"\n', 'decay_type = "cosine"\nwarmup_steps = 0\n'), "torchtitan"),
    ("train_x.py", NANOGPT + "warmup_iters = 0\n", "nanogpt"),
    ("config.yml", AXOLOTL + "max_steps: 2000\nwarmup_steps: 0\n", "axolotl"),  # kept: `is not None` test
    ("config.yml", AXOLOTL + "max_steps: 2000\nwarmup_ratio: 0\n", "axolotl"),
    # the framework itself gives these runs no warmup: int(0.03 * 20) = 0; decay_lr False holds learning_rate
    ("config.yml", AXOLOTL + "max_steps: 20\n", "axolotl"),
    ("train_x.py", NANOGPT + "decay_lr = False\n", "nanogpt"),
])
def test_no_warmup_in_a_transformer_framework_is_reported(lint_text, name, text, dialect):
    _, found = _warmup(lint_text, name, text, dialect)
    assert len(found) == 1 and "with no warmup" in found[0].message


# --- removed options -----------------------------------------------------------------------------

@pytest.mark.parametrize("rule,opt,fact", [
    ("missing-warmup", "transformer_dialects", "model_family"),
    ("missing-warmup", "implicit_warmup_dialects", "framework default"),
    ("conflicting-precision", "bf16_wins_dialects", "precision_conflict"),
    ("unknown-key", "closed_dialects", "unknown_keys"),
    ("unknown-key", "shell_dialects", "cli_flags_are_keys"),
])
def test_config_setting_a_removed_option_says_where_it_went(tmp_path, rule, opt, fact):
    (tmp_path / ".git").mkdir()
    cfg = tmp_path / ".stablint.yaml"
    cfg.write_text(f"rules:\n  {rule}:\n    {opt}: [axolotl]\n")
    f = tmp_path / "train.yaml"
    f.write_text("learning_rate: 0.0001\nepochs: 3\n")
    r = CliRunner().invoke(cli, ["lint", str(f)])
    assert r.exit_code == 2, r.output
    err = next(ln for ln in r.output.splitlines() if ln.startswith(str(cfg)))
    assert err.startswith(f"{cfg}:3:"), err
    assert f"rules.{rule}.{opt}: option removed from rule {rule}" in err and fact in err
    assert "Traceback" not in r.output
    assert opt in by_key(rule).retired_options and opt not in by_key(rule).options
