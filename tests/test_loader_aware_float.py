"""yaml-float-as-string (STL002) is an error only where the framework's loader is certain (issue 12).

OmegaConf (``${...}`` interpolation is its signature), jsonargparse (Lightning CLI) and ruamel read
``1e-4`` as a float; a custom script's loader is a guess (info); TRL recipes may be read by
``TrlParser``, which converts typed fields through argparse defaults (info); HF's
``parse_yaml_file`` and ultralytics keep the string (error). The open-r1 lines are from
huggingface/open-r1 ``recipes/Qwen2.5-1.5B-Instruct/grpo/config_demo.yaml``
(@1b6fcacd32705d75cc3da8461cea3f477aa84cec, Apache-2.0) with its ``2.0e-05`` written ``2e-5``.
"""

from __future__ import annotations


def stl002(res):
    return [(f.field, f.severity) for f in res.findings if f.code == "STL002"]


CUSTOM = "training:\n  learning_rate: 2e-4\n  batch_size: 48\n  epochs: 300\nscheduler:\n  eta_min: 5e-7\n"


def test_custom_yaml_loader_unknown_is_info(lint_text):
    res = lint_text("config.yaml", CUSTOM, isolated=True)
    assert res.results[0].plan.dialect == "generic" and not res.results[0].plan.loader_known
    got = stl002(res)
    assert got and {sev for _, sev in got} == {"info"}
    assert any("loader is not certain" in f.message for f in res.findings if f.code == "STL002")


def test_custom_yaml_with_interpolation_is_omegaconf(lint_text):
    text = CUSTOM + "paths:\n  out: ${hydra:runtime.cwd}/out\n"
    res = lint_text("config.yaml", text, isolated=True)
    assert res.results[0].plan.loader == "omegaconf"
    assert stl002(res) == []
    # a quoted number stays a string for OmegaConf too
    res = lint_text("config.yaml", text.replace("2e-4", "'2e-4'"), isolated=True)
    assert ("optimizer.lr", "info") in stl002(res)


HF = ("model_name_or_path: gpt2\noutput_dir: out\nper_device_train_batch_size: 8\nnum_train_epochs: 3\n"
      "lr_scheduler_type: cosine\nlearning_rate: 2e-5\n")


def test_hf_training_arguments_yaml_is_an_error(lint_text):
    assert ("optimizer.lr", "error") in stl002(lint_text("train.yaml", HF, isolated=True))


def test_trl_recipe_loader_is_not_certain(lint_text):
    text = HF + "use_vllm: true\nnum_generations: 7\nmax_prompt_length: 512\n"
    res = lint_text("config_demo.yaml", text, isolated=True)
    assert res.results[0].plan.dialect == "hf-trainer" and not res.results[0].plan.loader_known
    assert stl002(res) == [("optimizer.lr", "info")]


def test_ultralytics_is_an_error(lint_text):
    text = "model: yolov8n.pt\ndata: coco128.yaml\nepochs: 100\noptimizer: AdamW\nlr0: 1e-3\nlrf: 0.01\nmosaic: 1.0\n"
    assert ("optimizer.lr", "error") in stl002(lint_text("train.yaml", text, isolated=True))
