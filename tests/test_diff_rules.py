"""PR-diff rules (STL701-703) and ``stablint lint --base REV`` on real git history.

Seed 004 (shared/seeds/004_*.txt): the batch went 32 -> 16 after an OOM and the
learning rate stayed 1e-5; examples/seed004_before.sh is that launch script.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from stablint.linter.rules import all_rules, by_key, diff_rules

from conftest import EXAMPLES

GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"]


def _git(repo, *args):
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _repo(tmp_path, files_before: dict[str, str]):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    for name, text in files_before.items():
        (repo / name).write_text(text)
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    return repo


def _lint(repo, *args):
    proc = subprocess.run([sys.executable, "-m", "stablint", "lint", "--format", "json", "--isolated", *args],
                          cwd=repo, capture_output=True, text=True)
    data = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else None
    return proc, data


def _codes(data):
    return sorted(f["code"] for f in data["findings"] if f["code"].startswith("STL7"))


SEED004 = (EXAMPLES / "seed004_before.sh").read_text()


def test_seed004_batch_halved_after_oom(tmp_path):
    base = SEED004.replace("BATCH_SIZE=16", "BATCH_SIZE=32")
    repo = _repo(tmp_path, {"run.sh": base})
    (repo / "run.sh").write_text(SEED004)  # the OOM fix: 32 -> 16, LR still 1e-5
    proc, data = _lint(repo, "--base", "HEAD", "run.sh")
    assert _codes(data) == ["STL701"], data
    f = next(f for f in data["findings"] if f["code"] == "STL701")
    line = SEED004.splitlines().index("BATCH_SIZE=16 \\") + 1
    assert (f["line"], f["field"], f["rule"]) == (line, "batch.per_device", "lr-not-rescaled")
    assert "32 -> 16" in f["message"] and "1e-05" in f["message"]
    assert proc.returncode == 1


def test_rescaled_lr_or_grad_accum_is_quiet(tmp_path):
    base = SEED004.replace("BATCH_SIZE=16", "BATCH_SIZE=32")
    repo = _repo(tmp_path, {"run.sh": base})
    (repo / "run.sh").write_text(SEED004.replace("LEARNING_RATE=1e-5", "LEARNING_RATE=7e-6"))
    assert _codes(_lint(repo, "--base", "HEAD", "run.sh")[1]) == []
    (repo / "run.sh").write_text(SEED004.replace("BATCH_SIZE=16 \\", "BATCH_SIZE=16 \\\nGRADIENT_ACCUMULATION_STEPS=2 \\"))
    assert _codes(_lint(repo, "--base", "HEAD", "run.sh")[1]) == []


YAML = "learning_rate: {lr}\nbatch_size: {bs}\nmax_grad_norm: {clip}\nnum_epochs: 3\n"


@pytest.mark.parametrize("before,after,expected", [
    (dict(lr="3.0e-5", bs=16, clip=1.0), dict(lr="3.0e-4", bs=16, clip=1.0), ["STL702"]),   # 10x up
    (dict(lr="3.0e-4", bs=16, clip=1.0), dict(lr="5.0e-5", bs=16, clip=1.0), ["STL702"]),   # 6x down
    (dict(lr="3.0e-5", bs=16, clip=1.0), dict(lr="9.0e-5", bs=16, clip=1.0), []),           # exactly 3x: allowed
    (dict(lr="1.0e-4", bs=16, clip=1.0), dict(lr="8.0e-4", bs=128, clip=1.0), []),          # linear scaling 8x
    (dict(lr="1.0e-4", bs=16, clip=1.0), dict(lr="1.0e-4", bs=16, clip=0.1), ["STL703"]),   # clip 10x tighter
    (dict(lr="1.0e-4", bs=16, clip=1.0), dict(lr="1.0e-4", bs=16, clip=0.5), []),           # 2x: allowed
    (dict(lr="1.0e-4", bs=16, clip=0.5), dict(lr="1.0e-4", bs=16, clip=5.0), []),           # loosened
    (dict(lr="1.0e-4", bs=64, clip=1.0), dict(lr="1.0e-4", bs=16, clip=1.0), ["STL701"]),
])
def test_yaml_changes(tmp_path, before, after, expected):
    repo = _repo(tmp_path, {"train.yaml": YAML.format(**before)})
    (repo / "train.yaml").write_text(YAML.format(**after))
    assert _codes(_lint(repo, "--base", "HEAD", "train.yaml")[1]) == expected


def test_thresholds_are_options_and_selectable(tmp_path):
    repo = _repo(tmp_path, {"train.yaml": YAML.format(lr="3.0e-5", bs=16, clip=1.0)})
    (repo / "train.yaml").write_text(YAML.format(lr="3.0e-4", bs=16, clip=0.1))
    assert _codes(_lint(repo, "--base", "HEAD", "train.yaml")[1]) == ["STL702", "STL703"]
    assert _codes(_lint(repo, "--base", "HEAD", "--ignore", "lr-jump", "train.yaml")[1]) == ["STL703"]
    assert _codes(_lint(repo, "--base", "HEAD", "--select", "STL70", "--ignore", "STL703", "train.yaml")[1]) == ["STL702"]
    (repo / ".stablint.yaml").write_text("rules:\n  lr-jump:\n    max_ratio: 20\n")
    proc = subprocess.run([sys.executable, "-m", "stablint", "lint", "--format", "json", "--base", "HEAD", "train.yaml"],
                          cwd=repo, capture_output=True, text=True)
    assert _codes(json.loads(proc.stdout)) == ["STL703"], proc.stderr


def test_inline_suppression(tmp_path):
    repo = _repo(tmp_path, {"train.yaml": YAML.format(lr="3.0e-5", bs=16, clip=1.0)})
    (repo / "train.yaml").write_text(YAML.format(lr="3.0e-4  # stablint: disable=lr-jump -- tuned in sweep 12", bs=16, clip=1.0))
    assert _codes(_lint(repo, "--base", "HEAD", "train.yaml")[1]) == []


def test_new_file_and_outside_repo_have_no_diff_findings(tmp_path):
    repo = _repo(tmp_path, {"other.yaml": "learning_rate: 1.0e-4\nbatch_size: 8\n"})
    (repo / "new.yaml").write_text(YAML.format(lr="3.0e-4", bs=16, clip=0.1))
    proc, data = _lint(repo, "--base", "HEAD", "new.yaml")
    assert _codes(data) == [] and proc.returncode in (0, 1)


def test_unknown_revision_is_a_usage_error(tmp_path):
    repo = _repo(tmp_path, {"train.yaml": YAML.format(lr="3.0e-5", bs=16, clip=1.0)})
    proc, _ = _lint(repo, "--base", "no-such-branch", "train.yaml")
    assert proc.returncode == 2 and "unknown revision 'no-such-branch'" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc, _ = _lint(repo, "--base", "--upload-pack=x", "train.yaml")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_registry_metadata():
    rules = diff_rules()
    assert [(r.code, r.name) for r in rules] == [("STL701", "lr-not-rescaled"), ("STL702", "lr-jump"),
                                                  ("STL703", "clip-tightened")]
    single = {r.code for r in all_rules()}
    for r in rules:
        assert r.code not in single and by_key(r.name) is r and by_key(r.code) is r
        assert set(r.sections()) >= {"What it does", "Why is this bad?", "Example", "Use instead", "References"}
        assert list(r.check(None, r.options)) == []  # one plan cannot show a change
        assert r.options and r.severity == "warning"


def test_explain_knows_diff_rules():
    proc = subprocess.run([sys.executable, "-m", "stablint", "explain", "STL701"], capture_output=True, text=True)
    assert proc.returncode == 0 and "Goyal" in proc.stdout and "Malladi" in proc.stdout
