"""kohya-ss sd-scripts TOML dialect (issue 15): section flattening, defaults, silence on dataset configs.

Layouts reconstructed from real files of the unseen benchmark (bench/unseen/MANIFEST.tsv; no
licence, so not copied): cyber-meow/sd_training_config ``lora_config.toml`` (sections
``[Basics]``, ``[Optimizer]``, ``[Lr_scheduler]`` ...), Off-Live/kohya-lora-training
``setting.toml`` (flat), chaoerlie/sdbench ``configs/train_lora.toml`` (one section per model
variant), MahitMehta/headshots-lora ``train/dataset_config.toml`` (a dataset config).
"""

from __future__ import annotations

from stablint.linter.engine import LintOptions, build_plan, lint_paths
from stablint.linter.loaders import load_path

SECTIONED = """\
[Basics]
pretrained_model_name_or_path = "/path/to/model"
train_data_dir = "/path/to/dataset"
max_train_steps = 10000
max_train_epochs = 2
[Save]
save_precision = "fp16"
save_model_as = "safetensors"
save_every_n_epochs = 10
[Network_setup]
network_dim = 16
network_alpha = 8
[Optimizer]
train_batch_size = 8
gradient_accumulation_steps = 1
optimizer_type = "AdamW8bit"
unet_lr = 2e-4
text_encoder_lr = 2e-4
max_grad_norm = 1.0
[Lr_scheduler]
lr_scheduler = "constant"
lr_warmup_steps = 0
[Training_preciscion]
mixed_precision = "bf16"
"""

FLAT = """\
output_dir = "output"
save_precision = "fp16"
save_every_n_epochs = 1
max_train_steps = 3000
mixed_precision = "fp16"
optimizer_type = "AdamW8bit"
learning_rate = 5e-5
lr_scheduler = "cosine"
lr_warmup_steps = 4000
unet_lr = 5e-5
text_encoder_lr = 2.5e-5
network_module = "networks.lora"
network_dim = 8
"""


def _plan(tmp_path, text, name="config.toml"):
    p = tmp_path / name
    p.write_text(text)
    return build_plan(load_path(str(p)), LintOptions(isolated=True), load_path), p


def test_sections_are_flattened(tmp_path):
    plan, _ = _plan(tmp_path, SECTIONED)
    assert plan.dialect == "kohya"
    assert plan.number("optimizer.lr") == 2e-4 and plan.get("optimizer.lr").source.key == "unet_lr"
    assert plan.value("optimizer.type") == "adamw"
    # max_train_epochs overrides max_train_steps
    assert plan.number("run.epochs") == 2 and not plan.has("run.max_steps")
    assert plan.value("precision.bf16") is True and plan.value("precision.fp16") is False
    assert plan.number("batch.per_device") == 8 and plan.value("batch.sample_kind") == "image"
    # diffusion LoRA: network_dim/alpha stay out of the LLM-calibrated lora.* fields
    assert not plan.has("lora.r") and not plan.has("lora.alpha")


def test_flat_file_warmup_longer_than_run(tmp_path):
    plan, path = _plan(tmp_path, FLAT, "setting.toml")
    assert plan.dialect == "kohya" and plan.number("warmup.steps") == 4000 and plan.number("run.max_steps") == 3000
    res = lint_paths([str(path)], LintOptions(isolated=True))
    assert not res.errors
    assert [f.rule for f in res.findings if f.severity != "info"] == ["warmup-exceeds-training"]
    assert not plan.has("batch.per_device")  # no train_batch_size: the batch may come from a dataset config


def test_defaults_fill_in(tmp_path):
    plan, _ = _plan(tmp_path, 'network_module = "networks.lora"\nnetwork_dim = 32\nsave_model_as = "safetensors"\n'
                              'output_name = "x"\n')
    assert plan.number("optimizer.lr") == 2e-6 and plan.get("optimizer.lr").source.default is True
    assert plan.number("run.max_steps") == 1600 and plan.value("scheduler.type") == "constant"


def test_warmup_ratio_below_one(tmp_path):
    plan, _ = _plan(tmp_path, FLAT.replace("lr_warmup_steps = 4000", "lr_warmup_steps = 0.05"))
    assert plan.number("warmup.ratio") == 0.05 and not plan.has("warmup.steps")


def test_variant_sections_setting_the_same_keys_are_not_read(tmp_path):
    text = ('model_type = "SD3"\n[SD]\nlearning_rate = 1e-4\noptimizer_type = "AdamW8bit"\nmixed_precision = "fp16"\n'
            'network_module = "networks.lora"\nsave_model_as = "safetensors"\n'
            '[flux]\nlearning_rate = 8e-4\noptimizer_type = "adamw8bit"\nmixed_precision = "bf16"\n'
            'network_module = "networks.lora_flux"\nnetwork_dim = 4\n')
    plan, path = _plan(tmp_path, text)
    assert plan.dialect == "kohya" and not plan.has("optimizer.lr") and plan.notes
    assert lint_paths([str(path)], LintOptions(isolated=True)).findings == []


def test_dataset_config_and_diffusers_args_are_not_kohya(tmp_path):
    ds = ('[general]\ncaption_extension = ".txt"\nshuffle_caption = true\nkeep_tokens = 1\n\n'
          '[[datasets]]\nresolution = [1024, 1024]\nbatch_size = 1\n\n[[datasets.subsets]]\nimage_dir = "images"\n'
          'num_repeats = 10\n')
    assert _plan(tmp_path, ds, "dataset_config.toml")[0].dialect != "kohya"
    diffusers = ('pretrained_model_name_or_path = "runwayml/stable-diffusion-v1-5"\ntrain_batch_size = 1\n'
                 'learning_rate = 1e-4\nlr_warmup_steps = 500\nmax_train_steps = 15000\nmixed_precision = "fp16"\n')
    assert _plan(tmp_path, diffusers, "args.toml")[0].dialect != "kohya"
