"""Cross-file plans: a launch script or config referencing other config files fills the plan,
with provenance into the file that holds each value; nothing is guessed from similar names."""

from __future__ import annotations

import json
import shutil

from stablint.linter.crossfile import references, resolve_path
from stablint.linter.engine import LintOptions, lint_file, lint_paths
from stablint.linter.loaders import load_path

from conftest import corpus_file

LF_YAML = corpus_file("llamafactory", "train_lora__qwen3_lora_sft")
LF_SH = corpus_file("shell_launch", "LLaMA-Factory")


def plan_of(path):
    fr = lint_file(str(path), LintOptions(isolated=True))
    assert fr.error is None, fr.error
    return fr.plan


def test_llamafactory_cli_positional_yaml_from_repo_root(tmp_path):
    (tmp_path / ".git").mkdir()
    yaml_path = tmp_path / "examples" / "train_lora" / "qwen3_lora_sft.yaml"
    yaml_path.parent.mkdir(parents=True)
    shutil.copy(LF_YAML, yaml_path)
    script = tmp_path / "scripts" / "sft.sh"
    script.parent.mkdir()
    # LLaMA-Factory merges command-line overrides over the YAML (read_args → OmegaConf.merge)
    script.write_text("#!/bin/bash\nllamafactory-cli train examples/train_lora/qwen3_lora_sft.yaml \\\n"
                      "    --learning_rate 5e-5\n")
    plan = plan_of(script)
    assert plan.number("optimizer.lr") == 5e-5 and plan.get("optimizer.lr").source.path == str(script)
    assert plan.value("lora.r") == 8
    src = plan.get("lora.r").source
    assert (src.path, src.line) == (str(yaml_path), 9)
    assert plan.number("batch.grad_accum") == 8 and plan.number("warmup.ratio") == 0.1
    assert any(n.startswith("merged ") and n.endswith(str(yaml_path)) for n in plan.notes)
    assert any(d.path == str(yaml_path) for d in plan.documents)


def test_corpus_script_is_self_contained_and_not_linked_by_name():
    # The corpus .sh is LLaMA-Factory's flag-for-flag twin of examples/train_lora/qwen3_lora_sft.yaml: it names
    # no file, and the YAML sits in tests/corpus/llamafactory under a flattened name. Linking the two by a
    # similar name would be a guess, so the script's plan is built from its own flags only.
    assert references(load_path(LF_SH)) == []
    plan = plan_of(LF_SH)
    assert not any("merged" in n for n in plan.notes)
    assert all(pv.source.path == LF_SH for _, pv in plan.items() if pv.source)
    assert plan.number("optimizer.lr") == 1e-4 and plan.value("lora.r") == 8


def test_unresolvable_reference_leaves_a_note_only():
    asft = corpus_file("llamafactory", "asft")
    plan = plan_of(asft)
    assert any(n.startswith("referenced file not found: examples/deepspeed/ds_z0_config.json") for n in plan.notes)
    # the corpus has a different DeepSpeed file (ds_z3_offload_config.json): it must not be picked up
    assert all(pv.source.path == asft for _, pv in plan.items() if pv.source)


def test_lightning_multiple_configs_later_overrides_earlier(tmp_path):
    (tmp_path / "a.yaml").write_text("learning_rate: 0.1\nbatch_size: 8\nepochs: 5\n")
    (tmp_path / "b.yaml").write_text("learning_rate: 0.01\nweight_decay: 0.05\n")
    script = tmp_path / "fit.sh"
    script.write_text("python main.py fit --config a.yaml --config=b.yaml --trainer.max_epochs 3\n")
    plan = plan_of(script)
    assert plan.number("optimizer.lr") == 0.01 and plan.get("optimizer.lr").source.path.endswith("b.yaml")
    assert plan.number("batch.per_device") == 8 and plan.get("batch.per_device").source.path.endswith("a.yaml")
    assert plan.number("optimizer.weight_decay") == 0.05


def test_deepspeed_json_fills_missing_fields_and_referencing_file_wins(tmp_path):
    ds = {"train_micro_batch_size_per_gpu": "auto", "gradient_clipping": 0.5,
          "optimizer": {"type": "AdamW", "params": {"lr": 3e-4, "weight_decay": 0.1}}}
    (tmp_path / "ds_config.json").write_text(json.dumps(ds, indent=2))
    cfg = tmp_path / "train.yaml"
    cfg.write_text("model_name_or_path: gpt2\noutput_dir: out\nlearning_rate: 2.0e-5\nper_device_train_batch_size: 4\n"
                   "num_train_epochs: 1\ndeepspeed: ds_config.json\n")
    plan = plan_of(cfg)
    assert plan.number("optimizer.lr") == 2e-5 and plan.get("optimizer.lr").source.path == str(cfg)
    assert plan.number("batch.per_device") == 4
    clip = plan.get("clip.max_norm")
    assert clip is not None and clip.number == 0.5 and clip.source.path.endswith("ds_config.json")


def test_findings_point_into_the_referenced_file(tmp_path):
    (tmp_path / "base.yaml").write_text("learning_rate: 0.001\nbatch_size: 32\nepochs: 10\ndropout: 1.5\n")
    script = tmp_path / "run.sh"
    script.write_text("python train.py base.yaml --seed 1\n")
    res = lint_paths([str(script)], LintOptions(isolated=True))
    hit = [f for f in res.findings if f.code == "STL003" and f.field == "model.dropout"]
    assert hit and hit[0].path == str(tmp_path / "base.yaml") and hit[0].line == 4


def test_cycles_missing_and_unresolved_references(tmp_path):
    (tmp_path / "a.yaml").write_text("learning_rate: 0.1\nbatch_size: 8\nconfig: b.yaml\n")
    (tmp_path / "b.yaml").write_text("epochs: 3\nbatch_size: 16\nconfig: a.yaml\n")
    plan = plan_of(tmp_path / "a.yaml")
    assert plan.number("batch.per_device") == 8 and plan.number("run.epochs") == 3
    fastchat = corpus_file("shell_launch", "FastChat")  # --deepspeed $PATH_TO_DEEPSPEED_CONFIG: unset variable
    assert references(load_path(fastchat)) == []
    assert resolve_path("no/such/file.yaml", str(tmp_path / "a.yaml")) is None


def test_corpus_lints_without_errors_from_references(corpus):
    res = lint_paths([str(corpus / "shell_launch"), str(corpus / "llamafactory")], LintOptions(isolated=True))
    assert res.files == 14 and not res.errors
