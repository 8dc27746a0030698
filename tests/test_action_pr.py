"""The Action on a pull request checked out the default way (``actions/checkout``, depth 1).

The workspace is a ``git clone --depth=1`` of an "origin" repository holding the PR's base
and head commits, so the base commit is absent as on a real runner; the simulated runner of
tests/test_action.py then runs action.yml's steps with the default inputs.
"""

from __future__ import annotations

import subprocess

import pytest

from test_action import GIT, SEED004, run_action


@pytest.fixture
def shallow_pr(tmp_path):
    """(workspace, base sha): a depth-1 clone of a repo whose head halves the batch (seed 004)."""
    origin = tmp_path / "origin"
    (origin / "configs").mkdir(parents=True)
    subprocess.run([*GIT, "init", "-q"], cwd=origin, check=True)
    (origin / "configs" / "run.sh").write_text(SEED004.replace("BATCH_SIZE=16", "BATCH_SIZE=32"))
    (origin / "README.md").write_text("docs\n")
    subprocess.run([*GIT, "add", "."], cwd=origin, check=True)
    subprocess.run([*GIT, "commit", "-qm", "base"], cwd=origin, check=True)
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=origin, capture_output=True, text=True).stdout.strip()
    (origin / "configs" / "run.sh").write_text(SEED004)
    subprocess.run([*GIT, "commit", "-qam", "OOM: batch 32 -> 16"], cwd=origin, check=True)
    # allow fetching a commit by id, as github.com does
    subprocess.run(["git", "config", "uploadpack.allowAnySHA1InWant", "true"], cwd=origin, check=True)
    ws = tmp_path / "ws"
    subprocess.run(["git", "clone", "-q", "--depth=1", f"file://{origin}", str(ws)], check=True)
    assert subprocess.run(["git", "cat-file", "-e", f"{base}^{{commit}}"], cwd=ws).returncode != 0  # base absent
    return ws, base


def _runner(tmp_path, name):
    sim = tmp_path / name
    sim.mkdir()
    return sim


@pytest.mark.parametrize("only_changed", ["false", "true"])
def test_default_inputs_pass_on_a_depth1_checkout(shallow_pr, tmp_path, only_changed):
    ws, base = shallow_pr
    outputs, summary, log, _, rc = run_action(ws, {"install": "false", "only-changed": only_changed},
                                              _runner(tmp_path, f"r-{only_changed}"),
                                              event={"pull_request": {"base": {"sha": base}}})
    assert "::error" not in log and outputs["exit-code"] == "1", log  # findings, not a usage error
    assert rc == 1
    # the action fetched the base itself, so the PR-diff rule saw the batch halving
    assert any("STL701 (lr-not-rescaled)" in line for line in log.splitlines() if line.startswith("::warning")), log
    assert "## stablint:" in summary and "### configs/run.sh" in summary
    assert subprocess.run(["git", "cat-file", "-e", f"{base}^{{commit}}"], cwd=ws).returncode == 0


def test_unfetchable_base_skips_diff_rules_with_a_notice(shallow_pr, tmp_path):
    ws, base = shallow_pr
    subprocess.run(["git", "remote", "remove", "origin"], cwd=ws, check=True)
    outputs, summary, log, _, rc = run_action(ws, {"install": "false", "only-changed": "true"},
                                              _runner(tmp_path, "r"), event={"pull_request": {"base": {"sha": base}}})
    assert outputs["exit-code"] != "2" and "::error" not in log, log
    notices = [line for line in log.splitlines() if line.startswith("::notice")]
    assert len(notices) == 1 and base in notices[0] and "STL7xx" in notices[0] and "fetch-depth: 0" in notices[0]
    assert "STL701" not in log  # the diff rules did not run
    assert "PR-diff rules (STL7xx) are skipped" in summary
    assert "### configs/run.sh" in summary  # the file is still linted (single-file rules)


def test_config_exclusions_hold_for_changed_files(shallow_pr, tmp_path):
    ws, base = shallow_pr
    (ws / ".stablint.yaml").write_text("extend-exclude: ['configs/']\n")
    outputs, summary, log, _, rc = run_action(ws, {"install": "false", "only-changed": "true"},
                                              _runner(tmp_path, "r"), event={"pull_request": {"base": {"sha": base}}})
    assert outputs["exit-code"] == "0" and outputs["findings"] == "0", log  # configs/run.sh is excluded
    assert rc == 0
