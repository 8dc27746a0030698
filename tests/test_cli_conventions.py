"""ruff-like conventions of `stablint lint` (issue 17): --color/NO_COLOR, --output-file, --quiet,
--statistics, stdin `-` with --stdin-filename, did-you-mean, no-files warning, --show-settings."""

from __future__ import annotations

import json

import pytest

from stablint.cli import cli

from conftest import cli_runner

BAD = "optimizer:\n  lr: 1.0e-4\n  betas: [0.9, 1.5]\ntraining:\n  learning_rate: 0\n"


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.yaml").write_text(BAD)
    return tmp_path


def _run(args, **kw):
    return cli_runner().invoke(cli, ["lint", "--isolated", *args], **kw)


def test_color_flag_and_no_color(work, monkeypatch):
    assert "\x1b[" in _run(["--color", "always", "t.yaml"]).stdout
    assert "\x1b[" not in _run(["--color", "never", "t.yaml"]).stdout
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[" in _run(["t.yaml"]).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in _run(["t.yaml"]).stdout  # NO_COLOR wins (no-color.org)


def test_output_file_quiet_and_statistics(work):
    res = _run(["-o", "report.json", "--format", "json", "t.yaml"])
    assert res.exit_code == 1 and res.stdout == ""
    data = json.loads((work / "report.json").read_text())
    assert len(data["findings"]) == 2
    quiet = _run(["-q", "t.yaml"]).stdout
    assert "checked" not in quiet and quiet.count("STL003") == 2
    stats = _run(["--statistics", "t.yaml"])
    assert stats.stdout == "2\tSTL003\tinvalid-value\n" and stats.exit_code == 1
    bad = _run(["-o", str(work / "missing" / "dir" / "r.txt"), "t.yaml"])
    assert bad.exit_code == 2 and "cannot write" in bad.stderr


def test_stdin_with_filename(work):
    (work / "sub").mkdir()
    (work / "sub" / ".stablint.yaml").write_text("ignore: [invalid-value]\n")
    res = cli_runner().invoke(cli, ["lint", "-", "--stdin-filename", "cfg/run.yaml"], input=BAD)
    assert res.exit_code == 1 and res.stdout.startswith("cfg/run.yaml:3:3: STL003")
    # the config of the named file's directory applies
    res = cli_runner().invoke(cli, ["lint", "-", "--stdin-filename", "sub/run.yaml"], input=BAD)
    assert res.exit_code == 0 and "STL003" not in res.stdout
    json_in = '{"learning_rate": 1e-4,\n "learning_rate": 2e-4}\n'  # read as JSON because of the name
    res = cli_runner().invoke(cli, ["lint", "--isolated", "-", "--stdin-filename", "args.json"], input=json_in)
    assert res.stdout.startswith("args.json:2:") and "STL001" in res.stdout
    assert _run(["-", "t.yaml"], input=BAD).exit_code == 2
    assert _run(["--stdin-filename", "x.yaml", "t.yaml"]).exit_code == 2


def test_did_you_mean(work):
    res = _run(["--select", "lora-scalign-too-low", "t.yaml"])
    assert res.exit_code == 2 and "did you mean 'lora-scaling-too-low'?" in res.stderr
    res = _run(["--ignore", "zzzzzz", "t.yaml"])
    assert res.exit_code == 2 and "did you mean" not in res.stderr


def test_warning_when_no_file_found(work):
    (work / "empty").mkdir()
    (work / "empty" / "notes.md").write_text("hi\n")
    res = _run(["empty"])
    assert res.exit_code == 0 and "warning: no config files found under empty" in res.stderr
    assert "warning" not in _run(["-q", "empty"]).stderr


def test_show_settings(work):
    (work / ".stablint.yaml").write_text("ignore: [batch-size-one]\nextend-exclude: ['tests/']\n"
                                         "rules:\n  plateau-patience-too-long: {max_patience_ratio: 0.15}\n")
    res = cli_runner().invoke(cli, ["lint", "--show-settings", "t.yaml"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["config_file"].endswith(".stablint.yaml") and data["ignore"] == ["batch-size-one"]
    assert data["extend_exclude"] == ["tests/"] and "batch-size-one" not in data["rules"]
    assert data["rules"]["plateau-patience-too-long"]["max_patience_ratio"] == 0.15
