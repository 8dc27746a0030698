"""Only training configs are judged (issue 17 item 1, issue 12 category 4): non-configs are skipped silently."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, cli_runner, corpus_file

from stablint.cli import cli
from stablint.linter import filekinds
from stablint.linter.engine import LintOptions, lint_paths

NONCFG = ROOT / "tests" / "noncfg"
#: every fixture file and the phrase its skip reason must contain
EXPECTED = {
    "docker-compose.yml": "Docker Compose",
    ".github/workflows/ci.yml": "GitHub Actions workflow",
    "environment.yml": "conda environment",
    "mkdocs.yml": "MkDocs",
    "k8s-job.yaml": "Kubernetes manifest",
    "playbook.yml": "root is a list",
    "tsconfig.json": "TypeScript",
    ".devcontainer/devcontainer.json": "dev container",
    ".pre-commit-config.yaml": "pre-commit config",
    "model/config.json": "model config",
    "model/tokenizer_config.json": "tokenizer config",
    "checkpoint-500/trainer_state.json": "training log",
    "lightning_logs/version_0/hparams.yaml": "logger output",
    "lightning_logs/version_0/metrics.csv": "CSV",
    "dataset_infos.json": "dataset metadata",
    "dataset_card.yaml": "dataset card",
    "tests/test_train.py": "pytest test module",
    "dataset/README.md": "dataset card",
    "README.md": "Markdown document",
}


def _all_files(root: Path) -> list[str]:
    return sorted(str(p) for p in root.rglob("*") if p.is_file())


def test_fixture_lists_every_file():
    assert {os.path.relpath(p, NONCFG) for p in _all_files(NONCFG)} == set(EXPECTED)


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_each_non_config_is_skipped_with_its_reason(rel):
    res = lint_paths([str(NONCFG / rel)], LintOptions())
    assert res.findings == [] and res.errors == []
    skip = res.results[0].skipped
    assert skip is not None and EXPECTED[rel] in skip.reason, (rel, skip)


def test_hook_style_run_on_all_files_exits_0_silently_and_a_risky_config_still_blocks(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(NONCFG, repo)
    files = _all_files(repo)
    res = cli_runner().invoke(cli, ["lint", "--format", "json", *files])
    assert res.exit_code == 0, res.output
    import json

    out = json.loads(res.stdout)
    assert out["findings"] == [] and out["errors"] == []
    # the same repository with one risky training config (LoRA alpha/r x LR below every recipe)
    cfg = repo / "configs" / "sft.yaml"
    cfg.parent.mkdir()
    shutil.copy(corpus_file("llamafactory", "megatron_bridge__llama3_sft"), cfg)
    res = cli_runner().invoke(cli, ["lint", *files, str(cfg)])
    assert res.exit_code == 1, res.output
    assert all(line.startswith(str(cfg)) for line in res.stdout.splitlines() if "STL" in line)


def test_show_files_lists_skip_reasons(tmp_path):
    res = cli_runner().invoke(cli, ["lint", "--show-files", *_all_files(NONCFG)])
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert len(lines) == len(EXPECTED) and all(": skipped: " in line for line in lines)


def test_hparams_yaml_outside_a_logger_folder_is_a_config(tmp_path):
    p = tmp_path / "configs" / "hparams.yaml"
    p.parent.mkdir()
    shutil.copy(NONCFG / "lightning_logs" / "version_0" / "hparams.yaml", p)
    res = lint_paths([str(p)], LintOptions())
    assert res.results[0].skipped is None and res.results[0].plan.dialect == "generic"


def test_model_config_with_training_keys_is_not_skipped(tmp_path):
    # axolotl files carry model_type too; a file with training keys is never taken for a model config
    path = corpus_file("axolotl", "llama-3__lora-1b")
    res = lint_paths([path], LintOptions())
    assert res.results[0].skipped is None and res.results[0].plan.dialect == "axolotl"


def test_forced_dialect_lints_a_file_whose_name_is_skipped():
    path = str(NONCFG / "checkpoint-500" / "trainer_state.json")
    res = lint_paths([path], LintOptions(dialect="generic"))
    assert res.results[0].skipped is None and res.results[0].plan is not None


def test_no_dialect_means_skipped(lint_text):
    res = lint_text("notes.yaml", "title: meeting notes\nattendees: [a, b]\n")
    assert res.findings == [] and res.errors == []
    assert res.results[0].skipped.how == "no dialect"


def test_name_table_entries_are_well_formed():
    for pattern, reason in filekinds.NON_CONFIG_NAMES:
        assert pattern and reason and not pattern.startswith("/"), pattern


def test_probe_refuses_a_non_config_with_its_reason():
    from stablint.linter.document import InputError
    from stablint.probes.runner import load

    with pytest.raises(InputError, match=r"not a training config \(Docker Compose file\)"):
        load(str(NONCFG / "docker-compose.yml"))


def test_python_source_is_skipped_but_a_python_config_is_not(lint_text):
    # a helper module beside the configs: module-level constants and functions (issue 17: our own source
    # tree gave 14 invalid-value errors)
    src = lint_text("configs/utils.py", "lr = 0.1\nbatch_size = 1\n\n\ndef build(cfg):\n    return cfg\n")
    assert src.findings == [] and src.errors == [] and "Python source" in src.results[0].skipped.reason
    cfg = lint_text("configs/train_cfg.py", "learning_rate = 3e-4\nbatch_size = 1\nepochs = 10\n")
    assert cfg.results[0].skipped is None and any(f.rule == "batch-size-one" for f in cfg.findings)
    # nanoGPT's train.py defines functions but is claimed by its framework's dialect: still linted
    nano = lint_text("train_cfg.py", "eval_iters = 200\nlr_decay_iters = 5000\nwarmup_iters = 100\ndecay_lr = True\n"
                                     "always_save_checkpoint = False\nlearning_rate = 6e-4\n\ndef get_lr(it):\n"
                                     "    return learning_rate\n")
    assert nano.results[0].skipped is None and nano.results[0].plan.dialect == "nanogpt"


def test_stablint_source_tree_gives_no_finding_or_error():
    files = [str(p) for p in (ROOT / "stablint").rglob("*") if p.suffix in (".py", ".json", ".yaml")]
    res = lint_paths(files, LintOptions())
    assert res.errors == [] and res.findings == []
    assert all(fr.skipped is not None for fr in res.results)


def test_stdin_named_like_a_non_config_is_skipped_as_a_file_would_be(tmp_path, monkeypatch):
    """``lint - --stdin-filename NAME`` (main's stdin mode) skips by name like a file on disk;
    the same text under a config name is still linted, and ``--dialect`` still forces it."""
    monkeypatch.chdir(tmp_path)
    text = "learning_rate: 1e-4\nlearning_rate: 2e-4\n"  # a duplicated key: STL001 when linted
    skipped = cli_runner().invoke(cli, ["lint", "--isolated", "-", "--stdin-filename", ".vscode/settings.json"],
                                  input='{"learning_rate": 1e-4,\n "learning_rate": 2e-4}\n')
    assert skipped.exit_code == 0 and "STL001" not in skipped.stdout, skipped.output
    linted = cli_runner().invoke(cli, ["lint", "--isolated", "-", "--stdin-filename", "train.yaml"], input=text)
    assert linted.exit_code == 1 and "STL001" in linted.stdout
    forced = cli_runner().invoke(cli, ["lint", "--isolated", "--dialect", "generic", "-", "--stdin-filename",
                                       "mkdocs.yml"], input=text)
    assert "STL001" in forced.stdout
