"""exclude / extend-exclude / force-exclude / respect-gitignore (stablint/linter/exclude.py), as ruff does."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from stablint.linter.config import load_config
from stablint.linter.document import InputError
from stablint.linter.engine import LintOptions, lint_paths

RISKY = "model:\n  name: gpt2\ntraining:\n  learning_rate: 2e-4\n  learning_rate: 1e-3\n"


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def _linted(root: Path, *paths: str, **opts) -> list[str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = lint_paths(list(paths) or ["."], LintOptions(**opts))
    finally:
        os.chdir(cwd)
    own = {".stablint.yaml", "pyproject.toml"}  # stablint's own config files (judged by detection, not here)
    return sorted(os.path.normpath(r.path) for r in result.results if os.path.basename(r.path) not in own)


def test_default_skips_dot_and_build_dirs(tmp_path):
    _tree(tmp_path, {"a.yaml": RISKY, ".github/w.yaml": RISKY, "build/b.yaml": RISKY, "sub/venv/c.yaml": RISKY})
    assert _linted(tmp_path) == ["a.yaml"]


def test_extend_exclude_adds_to_defaults(tmp_path):
    _tree(tmp_path, {".stablint.yaml": "extend-exclude: ['tests/', '*_old.yaml', 'configs/legacy/*.yaml']\n",
                     "train.yaml": RISKY, "tests/conftest.yaml": RISKY, "a/tests/x.yaml": RISKY,
                     "b_old.yaml": RISKY, "configs/legacy/l.yaml": RISKY, "configs/keep.yaml": RISKY,
                     "x/configs/legacy/anchored.yaml": RISKY, "build/b.yaml": RISKY})
    assert _linted(tmp_path) == ["configs/keep.yaml", "train.yaml", "x/configs/legacy/anchored.yaml"]


def test_exclude_replaces_defaults_and_negation(tmp_path):
    _tree(tmp_path, {".stablint.yaml": "exclude: ['*.yaml', '!keep.yaml']\n",
                     "drop.yaml": RISKY, "keep.yaml": RISKY, "build/keep.yaml": RISKY})
    # `build/` is no longer excluded (exclude replaces the defaults); the negation re-includes keep.yaml
    assert _linted(tmp_path) == ["build/keep.yaml", "keep.yaml"]


def test_patterns_are_relative_to_the_config_dir(tmp_path):
    _tree(tmp_path, {"proj/pyproject.toml": "[tool.stablint]\nextend-exclude = ['/top.yaml']\n",
                     "proj/top.yaml": RISKY, "proj/sub/top.yaml": RISKY})
    assert _linted(tmp_path) == ["proj/sub/top.yaml"]


def test_explicit_files_kept_unless_force_exclude(tmp_path):
    _tree(tmp_path, {".stablint.yaml": "extend-exclude: ['tests/']\n", "tests/t.yaml": RISKY, "train.yaml": RISKY})
    assert _linted(tmp_path, "tests/t.yaml", "train.yaml") == ["tests/t.yaml", "train.yaml"]
    assert _linted(tmp_path, "tests/t.yaml", "train.yaml", force_exclude=True) == ["train.yaml"]
    (tmp_path / ".stablint.yaml").write_text("extend-exclude: ['tests/']\nforce-exclude: true\n")
    assert _linted(tmp_path, "tests/t.yaml", "train.yaml") == ["train.yaml"]


def test_gitignore_respected_in_walks(tmp_path):
    _tree(tmp_path, {".gitignore": "outputs/\n*.gen.yaml\n!keep.gen.yaml\n", "sub/.gitignore": "local.yaml\n",
                     ".git/info/exclude": "scratch.yaml\n",
                     "train.yaml": RISKY, "outputs/run/config.yaml": RISKY, "x.gen.yaml": RISKY,
                     "keep.gen.yaml": RISKY, "sub/local.yaml": RISKY, "local.yaml": RISKY, "scratch.yaml": RISKY})
    assert _linted(tmp_path) == ["keep.gen.yaml", "local.yaml", "train.yaml"]
    # a file named explicitly is linted even when git ignores it (git never passes those to hooks)
    assert _linted(tmp_path, "outputs/run/config.yaml") == ["outputs/run/config.yaml"]
    (tmp_path / ".stablint.yaml").write_text("respect-gitignore: false\n")
    assert "outputs/run/config.yaml" in _linted(tmp_path)


def test_gitignore_agrees_with_git(tmp_path):
    """Our matching against `git check-ignore` on the same tree (git's own semantics)."""
    files = {".gitignore": "logs/\n/rooted.yaml\n**/deep/*.yaml\n*.tmp.yaml\n!important.tmp.yaml\n",
             "a/.gitignore": "!../x.yaml\nlocal*.yaml\n", "rooted.yaml": "", "a/rooted.yaml": "",
             "logs/l.yaml": "", "a/logs/l.yaml": "", "a/b/deep/d.yaml": "", "q.tmp.yaml": "",
             "important.tmp.yaml": "", "a/local1.yaml": "", "a/b/local2.yaml": "", "plain.yaml": ""}
    _tree(tmp_path, files)
    if subprocess.run(["git", "init", "-q", str(tmp_path)], capture_output=True).returncode != 0:
        pytest.skip("git is not available")
    from stablint.linter.exclude import GitIgnore

    gi = GitIgnore()
    for rel in files:
        if rel.endswith(".gitignore"):
            continue
        git = subprocess.run(["git", "check-ignore", "-q", rel], cwd=tmp_path).returncode == 0
        assert gi.ignored(str(tmp_path / rel), False) == git, rel


def test_schema_rejects_bad_exclude(tmp_path):
    cfg = tmp_path / ".stablint.yaml"
    cfg.write_text("exclude: tests/\n")
    with pytest.raises(InputError) as err:
        load_config(str(cfg))
    assert "exclude" in err.value.message and "expected array" in err.value.message
    cfg.write_text("force-exclude: 'yes'\n")
    with pytest.raises(InputError) as err:
        load_config(str(cfg))
    assert "force-exclude" in err.value.message


def test_config_values_parsed(tmp_path):
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text('[tool.stablint]\nexclude = ["a/"]\nextend-exclude = ["b/"]\nforce-exclude = true\n'
                   "respect-gitignore = false\n")
    c = load_config(str(cfg))
    assert (c.exclude, c.extend_exclude, c.force_exclude, c.respect_gitignore) == (["a/"], ["b/"], True, False)


def test_readme_config_example_is_valid(tmp_path):
    import re

    from conftest import ROOT

    block = re.search(r"```yaml\n# \.stablint\.yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    (tmp_path / ".stablint.yaml").write_text(block)
    assert load_config(str(tmp_path / ".stablint.yaml")).extend_exclude
