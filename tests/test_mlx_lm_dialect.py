"""mlx-lm LoRA YAML dialect (issue 15): detection, LR from ``lr_schedule``, the direct ``scale``.

Real files (bench/unseen/files, redistributable): jschroeder-mips/llm_training_mlx
``configs/lora_config.yaml`` (u0296) and openatlaspro-AI/mlx-lora-finetune ``lora_config.yaml``
(u0355); commits and licences in bench/unseen/MANIFEST.tsv. The others are reconstructions of
mlx-lm's ``examples/lora_config.yaml`` layout.
"""

from __future__ import annotations

import os

from stablint.linter.engine import LintOptions, build_plan
from stablint.linter.loaders import load_path

FILES = os.path.join(os.path.dirname(__file__), "..", "bench", "unseen", "files")


def _plan(path):
    return build_plan(load_path(str(path)), LintOptions(isolated=True), load_path)


def _write(tmp_path, text, name="lora_config.yaml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_real_file_detected_with_direct_scale():
    plan = _plan(os.path.join(FILES, "u0296_lora_config.yaml"))
    assert plan.dialect == "mlx-lm"
    assert plan.value("lora.enabled") is True and plan.number("lora.r") == 16 and plan.number("lora.scale") == 16
    assert plan.number("optimizer.lr") == 1e-5 and plan.value("optimizer.type") == "adam"
    assert plan.number("run.max_steps") == 600 and plan.value("model.name") == "mistralai/Mistral-7B-Instruct-v0.3"
    assert not plan.has("lora.alpha")


def test_float_resolver_means_no_string_lr(lint_text):
    """mlx-lm adds a float resolver to SafeLoader: ``1e-5`` is a number, no yaml-float-as-string."""
    text = "model: mlx-community/x\ntrain: true\niters: 600\nbatch_size: 4\nlearning_rate: 1e-5\n" \
           "steps_per_eval: 50\nlora_parameters:\n  rank: 8\n  scale: 20.0\n  dropout: 0.0\n"
    res = lint_text("lora_config.yaml", text, isolated=True)
    assert not res.errors and [f for f in res.findings if f.rule == "yaml-float-as-string"] == []


def test_lr_schedule_overrides_learning_rate(tmp_path):
    text = ("model: m\ntrain: true\niters: 1000\nbatch_size: 2\nlearning_rate: 1e-5\nsteps_per_report: 10\n"
            "lr_schedule:\n  name: cosine_decay\n  warmup: 100\n  warmup_init: 1e-7\n  arguments: [3e-4, 900, 1e-7]\n"
            "lora_parameters:\n  rank: 8\n  scale: 20.0\n  dropout: 0.0\n")
    plan = _plan(_write(tmp_path, text))
    lr = plan.get("optimizer.lr")
    assert lr.number == 3e-4 and lr.source.key == "lr_schedule.arguments[0]" and lr.source.line == 11
    assert plan.value("scheduler.type") == "cosine" and plan.number("warmup.steps") == 100


def test_scale_is_the_multiplier_in_lora_rules(tmp_path):
    """scale 20 × lr 1e-5 = 2e-4 (mlx-lm's own example): no LoRA finding; scale 1 × 1e-5 is too low."""
    from stablint.linter.engine import lint_paths

    ok = _write(tmp_path, "model: m\ntrain: true\niters: 600\nbatch_size: 4\nlearning_rate: 1e-5\nsteps_per_eval: 50\n"
                          "lora_parameters:\n  rank: 8\n  scale: 20.0\n  dropout: 0.0\n", "ok.yaml")
    low = _write(tmp_path, "model: m\ntrain: true\niters: 600\nbatch_size: 4\nlearning_rate: 1e-5\nsteps_per_eval: 50\n"
                           "lora_parameters:\n  rank: 8\n  scale: 1.0\n  dropout: 0.0\n", "low.yaml")
    opts = LintOptions(select=["STL401", "STL402", "STL403"], isolated=True)
    assert lint_paths([str(ok)], opts).findings == []
    hits = lint_paths([str(low)], opts).findings
    assert [h.rule for h in hits] == ["lora-scaling-too-low"]
    assert hits[0].fix["key"] == "lora_parameters.scale" and hits[0].fix["value"] == 3


def test_alpha_different_from_rank_is_release_dependent(tmp_path):
    """Older mlx-examples multiplied scale by alpha/rank: such a file gets no LoRA fields (no guess)."""
    text = ("model: m\ntrain: true\niters: 100\nbatch_size: 4\nlearning_rate: 1e-6\nsteps_per_eval: 50\n"
            "lora_parameters:\n  rank: 8\n  alpha: 16\n  scale: 10.0\n  dropout: 0.0\n")
    plan = _plan(_write(tmp_path, text))
    assert plan.dialect == "mlx-lm" and not plan.has("lora.enabled") and not plan.has("lora.scale")


def test_defaults_without_lora_parameters_and_full_finetune(tmp_path):
    plan = _plan(_write(tmp_path, "model: m\ntrain: true\niters: 1000\nbatch_size: 1\nlearning_rate: 1.0e-05\n"
                                  "steps_per_eval: 100\nsave_every: 200\nval_batches: 25\n"))
    assert plan.number("lora.scale") == 10 and plan.get("lora.scale").source.default is True
    full = _plan(_write(tmp_path, "model: m\nfine_tune_type: full\niters: 10\nsteps_per_eval: 5\nval_batches: 2\n"
                                  "adapter_path: a\n", "full.yaml"))
    assert full.value("lora.enabled") is False and full.number("optimizer.lr") == 1e-5


def test_grad_accumulation_leaves_run_length_unset(tmp_path):
    plan = _plan(_write(tmp_path, "model: m\ntrain: true\niters: 800\nbatch_size: 2\ngrad_accumulation_steps: 2\n"
                                  "learning_rate: 5e-6\nsteps_per_eval: 20\nval_batches: 25\nsave_every: 20\n"))
    assert plan.dialect == "mlx-lm" and not plan.has("run.max_steps") and plan.number("batch.grad_accum") == 2


def test_not_detected_on_other_llm_configs(tmp_path):
    p = _write(tmp_path, "model_name_or_path: gpt2\nlearning_rate: 1e-5\nper_device_train_batch_size: 4\n"
                         "num_train_epochs: 1\noutput_dir: out\n", "hf.yaml")
    assert _plan(p).dialect != "mlx-lm"
