"""The pre-commit hooks (.pre-commit-hooks.yaml): drift against the CLI, the ``files``
pattern against the loaders' extensions, and a real ``pre-commit try-repo`` run
(check-jsonschema's pattern, linter_anchors.md §E).

``try-repo`` clones the *committed* HEAD of this repository (``--ref`` is passed
explicitly so uncommitted edits of other files never leak in) and pip-installs it
into a hook environment, which needs network access to PyPI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib

import click
import pytest
import yaml

from stablint import action
from stablint.cli import COMMANDS, cli
from stablint.linter.loaders import EXTENSIONS

from conftest import ROOT, poison_workspace as _poison

HOOKS = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"]


def _command(entry: str) -> tuple[click.Command, list[str]]:
    words = entry.split()
    assert words[0] == "stablint", entry
    assert words[1] in COMMANDS, f"hook entry names unknown sub-command {words[1]!r}"
    return cli.get_command(click.Context(cli), words[1]), words[2:]


def test_stablint_hook_shape():
    hook = HOOKS["stablint"]
    assert hook["language"] == "python" and hook["require_serial"] is True  # one summary for all files
    assert "stages" not in hook  # runs by default
    cmd, opts = _command(hook["entry"])
    valid = {o for p in cmd.params if isinstance(p, click.Option) for o in p.opts + p.secondary_opts}
    assert all(o in valid for o in opts if o.startswith("-")), opts
    assert "text" in hook["types"]


def test_probe_hook_is_manual():
    hook = HOOKS["stablint-probe"]
    assert hook["stages"] == ["manual"] and hook["language"] == "python"
    probe_extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["probe"]
    assert hook["additional_dependencies"] == probe_extra
    if "probe" not in COMMANDS:
        pytest.skip("`stablint probe` is not registered in stablint.cli.COMMANDS yet")
    _command(hook["entry"])


@pytest.mark.parametrize("hook_id", sorted(HOOKS))
def test_files_pattern_matches_loader_extensions(hook_id):
    pattern = re.compile(HOOKS[hook_id]["files"])
    for ext in EXTENSIONS:
        assert pattern.search(f"configs/sub dir/train{ext}"), ext
    for path in ("README.md", "notes.txt", "train.yaml.bak", "model.pt", "data.csv", "Dockerfile", "yaml"):
        assert not pattern.search(path), path
    assert set(action.CONFIG_EXTENSIONS) == set(EXTENSIONS)  # the action filters changed files the same way


def _head() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def _committed(path: str) -> bool:
    return subprocess.run(["git", "cat-file", "-e", f"HEAD:{path}"], cwd=ROOT, capture_output=True).returncode == 0


@pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed (pip install pre-commit)")
def test_try_repo_risky_then_healthy(tmp_path):
    if not (ROOT / ".git").exists() or not _committed(".pre-commit-hooks.yaml"):
        pytest.skip("needs a git checkout whose HEAD contains .pre-commit-hooks.yaml (try-repo clones HEAD)")
    repo = tmp_path / "project"
    repo.mkdir()
    subprocess.run([*GIT, "init", "-q"], cwd=repo, check=True)
    # risky: the learning rate is written twice; the first value (the one people edit) is ignored
    (repo / "risky.yaml").write_text("training:\n  learning_rate: 2.0e-5\n  num_epochs: 3\n  learning_rate: 2.0e-4\n")
    (repo / "healthy.yaml").write_text("training:\n  learning_rate: 2.0e-5\n  num_epochs: 3\n")
    (repo / "README.md").write_text("not a config\n")
    markers = tmp_path / "markers"
    _poison(repo, markers)  # shlex.py, json.py, sitecustomize.py, stablint/ ... in the repository (issue 18)
    # every non-config file a real ML repository also has (issue 17): workflows, compose, conda, k8s, Ansible,
    # tsconfig, devcontainer, model config.json, trainer_state.json, dataset cards, pytest files ...
    shutil.copytree(ROOT / "tests" / "noncfg", repo / "noncfg")
    noncfg = sorted(str(p.relative_to(repo)) for p in (repo / "noncfg").rglob("*") if p.is_file())
    subprocess.run([*GIT, "add", "."], cwd=repo, check=True)
    env = {**os.environ, "PRE_COMMIT_COLOR": "never", "PRE_COMMIT_HOME": str(tmp_path / "pc-cache")}
    env.pop("PRE_COMMIT", None)

    def try_repo(*files):
        return subprocess.run(["pre-commit", "try-repo", str(ROOT), "stablint", "--ref", _head(), "--verbose",
                               "--files", *files], cwd=repo, capture_output=True, text=True, env=env, timeout=600)

    bad = try_repo("risky.yaml", "README.md", "json.py", *noncfg)
    if bad.returncode == 3 and "pip" in (bad.stdout + bad.stderr).lower():
        pytest.skip("pre-commit could not build the hook environment (no network to PyPI?)")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "risky.yaml:4:3: STL001 [error] duplicate key 'learning_rate'" in bad.stdout
    assert "README.md" not in bad.stdout.split("- hook id: stablint", 1)[-1]
    assert all(ln.startswith("risky.yaml:") for ln in bad.stdout.splitlines() if re.search(r"STL\d+", ln)), bad.stdout
    assert sorted(p.name for p in markers.iterdir()) == []  # the hook imported nothing from the repository
    good = try_repo("healthy.yaml", "README.md", *noncfg)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    hook_output = good.stdout.split("- hook id: stablint", 1)[-1]
    assert not re.search(r"STL\d+|\.(ya?ml|json|toml|py):\d+", hook_output), hook_output  # no finding, no error
    assert re.search(r"\b1 file checked: 0 errors, 0 warnings, 0 infos; \d+ skipped \(not training configs", hook_output)
