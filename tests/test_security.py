"""The threat model of docs/security.md, as tests: what a pull request controls cannot run code,
forge workflow commands or Markdown, or stall the lint.

1. Poisoned workspace: the Action's install, run and gate steps run in a checkout that holds
   ``shlex.py``, ``uuid.py``, ``json.py``, ``sitecustomize.py``, ``usercustomize.py`` and a
   ``stablint/`` package, with ``PYTHONPATH=.`` set as a careless workflow might; none is imported.
2. Hostile file names, keys and values: no workflow command but ours, no raw HTML, link, image or
   extra table cell in the summary, no control character in text or SARIF output.
3. Bounds: the integer-power chain and the ReDoS pair of issue 18 end fast with a clear error.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from stablint import action
from stablint.cli import cli as main
from stablint.linter.reporters import escape

from conftest import cli_runner, poison_workspace as _poison
from test_action import GIT, run_action

@pytest.fixture
def poisoned_repo(tmp_path):
    """A PR checkout with a risky config (a duplicate key) and poisoned modules, committed."""
    repo = tmp_path / "ws"
    repo.mkdir()
    subprocess.run([*GIT, "init", "-q"], cwd=repo, check=True)
    (repo / "train.yaml").write_text("training:\n  learning_rate: 1.0e-4\n  num_epochs: 3\n  learning_rate: 2.0e-4\n")
    subprocess.run([*GIT, "add", "."], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "base"], cwd=repo, check=True)
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    markers = tmp_path / "markers"
    _poison(repo, markers)
    subprocess.run([*GIT, "add", "."], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "poison"], cwd=repo, check=True)
    return repo, base, markers


@pytest.mark.parametrize("fmt", ["github", "text"])
def test_action_steps_never_import_from_the_workspace(poisoned_repo, tmp_path, fmt):
    repo, base, markers = poisoned_repo
    sim = tmp_path / "runner"
    sim.mkdir()
    outputs, summary, log, _, rc = run_action(
        repo, {"install": "false", "format": fmt}, sim,
        event={"pull_request": {"base": {"sha": base}}}, extra_env={"PYTHONPATH": str(repo)})
    assert sorted(p.name for p in markers.iterdir()) == []
    assert "poisoned" not in log
    # the lint itself ran: train.yaml's duplicate key fails the job (the poisoned .py files are not configs it flags)
    assert outputs["exit-code"] in ("1", "2") and rc == int(outputs["exit-code"]), log
    assert "train.yaml" in summary


def test_install_step_runs_isolated_outside_the_workspace(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(action.subprocess, "run", lambda argv, **kw: calls.append((argv, kw.get("cwd"))))
    monkeypatch.setenv("RUNNER_TEMP", str(tmp_path))
    monkeypatch.setenv("ACTION_PATH", str(tmp_path / "action"))
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out"))
    monkeypatch.setenv("STABLINT_INPUT_INSTALL", "true")
    monkeypatch.chdir(tmp_path)
    assert action.install() == 0
    assert [argv[1] for argv, _ in calls] == ["-I", "-I"]  # venv creation, then pip
    assert all(cwd == str(tmp_path) for _, cwd in calls)
    assert action.lint_command(["a.yaml"], "", "", None)[:2] == [sys.executable, "-I"]


def test_action_yml_runs_every_python_isolated():
    text = (Path(action.__file__).parents[1] / "action.yml").read_text()
    runs = re.findall(r"^\s*run: (.*)$", text, re.M)
    assert runs and all(" -I " in r for r in runs), runs


HOSTILE_NAMES = [
    "a\n::error file=README.md,line=1::pwned.yaml",
    "::add-mask::secret.yaml",
    "<img src=x onerror=alert(1)>.yaml",
    "[click](https%3A%2F%2Fevil.example)|`x`|![i](http%3A%2F%2Fevil.example%2Fp.png).yaml",
    "\x1b[2J\x1b[31mred\u202eevil.yaml",
]
HOSTILE_KEY = "k<script>alert(1)</script>|![x](http://evil.example/p.png)::error::x\x1b[31m"


@pytest.fixture
def hostile_repo(tmp_path):
    repo = tmp_path / "ws"
    repo.mkdir()
    for name in HOSTILE_NAMES:
        # a duplicate key whose name is hostile too: its message quotes the key
        (repo / name).write_text(f"training:\n  learning_rate: 1.0e-4\n  {json.dumps(HOSTILE_KEY)}: 1\n"
                                 f"  {json.dumps(HOSTILE_KEY)}: 2\n")
    (repo / "broken\n::warning::x.yaml").write_text("a: [1, 2\n")  # an input error about a hostile name
    return repo


def _unframed(log: str) -> str:
    """``log`` without the text inside ``::stop-commands::`` frames (the runner reads none of it)."""
    return re.sub(r"^::stop-commands::([0-9a-f]{32})\n.*?^::\1::$", "", log, flags=re.M | re.S)


def _only_our_commands(log: str) -> None:
    assert "\x1b" not in log and "\u202e" not in log
    log = _unframed(log)
    for line in log.splitlines():
        if line.startswith("::"):
            assert re.match(r"::(error|warning|notice)( [a-zA-Z]+=[^:,\r\n]*(,[a-zA-Z]+=[^:,\r\n]*)*)?::", line) or \
                re.match(r"::(stop-commands::)?[0-9a-f]{32}::$|::stop-commands::[0-9a-f]{32}$", line), line
    assert not re.search(r"^::(add-mask|set-output|set-env|add-path)", log, re.M)


def _frames_closed(log: str) -> None:
    tokens = re.findall(r"^::stop-commands::([0-9a-f]{32})$", log, re.M)
    for t in tokens:
        assert f"\n::{t}::" in log


@pytest.mark.parametrize("fmt", ["github", "text"])
def test_hostile_names_and_values_forge_nothing(hostile_repo, tmp_path, fmt):
    sim = tmp_path / "runner"
    sim.mkdir()
    outputs, summary, log, _, rc = run_action(hostile_repo, {"install": "false", "format": fmt, "diff-rules": "false"}, sim)
    assert outputs["exit-code"] == "2" and int(outputs["errors"]) == len(HOSTILE_NAMES), log
    _only_our_commands(log)
    if fmt == "text":  # everything the text report prints sits inside one stop-commands frame
        _frames_closed(log)
        assert "::error file=README.md" in log  # the name is shown, but framed
        inside = log.split("::stop-commands::", 1)[1]
        assert re.search(r"^[0-9a-f]{32}\n", inside)
    else:
        assert not re.search(r"^::error file=README\.md", log, re.M)
    # the summary: no HTML tag, link, image or autolink from the PR; each table row keeps its cells
    ours = re.sub(r"\[STL\d+ [a-z\\-]+\]\(https://github\.com/[^)\s]+/docs/rules/[a-z-]+\.md\)", "", summary)
    raw = re.sub(r"\\.", "", ours)  # what is left when our rule links and every backslash escape are taken out
    assert "<" not in raw and "](http" not in raw and "![" not in raw and "`" not in raw
    assert "\x1b" not in summary and "\u202e" not in summary
    for row in (r for r in summary.splitlines() if r.startswith("|")):
        assert len(re.findall(r"(?<!\\)\|", row)) in (4, 5), row  # input-error rows have 3 cells, findings 4
    sarif = json.loads((hostile_repo / outputs["sarif-file"]).read_text())
    texts = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert texts and not any("\x1b" in t or "\u202e" in t for t in texts)


def test_terminal_output_of_lint_has_no_control_characters(hostile_repo):
    res = CliRunner().invoke(main, ["lint", str(hostile_repo)])
    assert res.exit_code == 2
    assert "\x1b" not in res.output and "\u202e" not in res.output
    lines = res.output.splitlines()
    # one line per finding or error, each starting with the (escaped) path: a newline in a name forges no line
    assert not any(line.startswith("::") for line in lines), lines


@pytest.mark.parametrize("text", ["a\n::error::x", "%0A", "x,y:z", "\r\n", "\x1b[31m", "\u202e", ""])
def test_workflow_escapes_round_trip_to_one_line(text):
    data, prop = escape.workflow_data(text), escape.workflow_property(text)
    assert "\n" not in data and "\r" not in data and "\x1b" not in data
    assert not set(prop) & set(":,\n\r")
    decoded = data.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
    assert decoded.replace("\r", "") == escape.terminal(text.replace("\r", ""), multiline=True)


@pytest.mark.parametrize("text", ["<b>x</b>", "[a](http://e)", "![i](x)", "a|b", "`c`", "www.evil.example",
                                  "https://evil.example", "*em* _em_", "&amp;", "- item", "1. item", "$x$", "a\nb"])
def test_markdown_escape_leaves_no_syntax(text):
    out = escape.markdown(text)
    unescaped = re.sub(r"\\.", "", out)
    assert not set(unescaped) & set("<>[]!|`*_&$\n"), out
    assert "www." not in out.lower() and "https:" not in out
    assert re.sub(r"\\(.)", r"\1", out) == text.replace("\n", " ")  # shown as written


def test_integer_power_chain_is_a_fast_clear_error(tmp_path):
    cfg = tmp_path / "bomb.py"
    cfg.write_text("a = 10 ** 64\nb = a ** 64\nc = b ** 64\nd = c ** 64\ne = d ** 64\n")
    t0 = time.perf_counter()
    res = CliRunner().invoke(main, ["lint", str(cfg)])
    assert time.perf_counter() - t0 < 5  # generous: the bound is checked before any big number is built
    assert res.exit_code == 2
    assert re.search(r"bomb\.py:2:5: error: integer constant too large to evaluate", res.output), res.output


@pytest.mark.parametrize("body", [
    "x = 'ab'\n" + "x = x + x\n" * 40,  # doubling string: 2**41 characters
    "x = 3\n" + "x *= x\n" * 40,  # squaring: 2**40 bits
    "d0 = {" + ", ".join(f"'k{i}': {i}" for i in range(5000)) + "}\n" + "".join(
        f"d{i + 1} = {{**d{i}}}\n" for i in range(400)),  # 2 million key copies
])
def test_folding_bounds(tmp_path, body):
    cfg = tmp_path / "c.py"
    cfg.write_text(body)
    res = CliRunner().invoke(main, ["lint", str(cfg)])
    assert res.exit_code == 2 and re.search(r"c\.py:\d+:\d+: error: .*(too large|too long|too complex)", res.output), res.output


def test_redos_pattern_from_config_is_linear(tmp_path):
    (tmp_path / ".stablint.yaml").write_text('rules:\n  plateau-monitors-train-loss:\n    train_pattern: "(a+)+$"\n')
    (tmp_path / "train.yaml").write_text(
        "training:\n  learning_rate: 1.0e-4\n  num_epochs: 30\n  scheduler:\n    type: ReduceLROnPlateau\n"
        f"    monitor: {'a' * 5000}!\n    patience: 2\n")
    t0 = time.perf_counter()
    res = CliRunner().invoke(main, ["lint", str(tmp_path / "train.yaml")])
    assert time.perf_counter() - t0 < 5, "user pattern matched with backtracking"
    assert res.exit_code in (0, 1), res.output
    assert "Traceback" not in res.output


def test_invalid_re2_pattern_is_a_config_error(tmp_path):
    (tmp_path / ".stablint.yaml").write_text("rules:\n  plateau-monitors-train-loss:\n    train_pattern: '(a)\\1'\n")
    (tmp_path / "train.yaml").write_text("training:\n  learning_rate: 1.0e-4\n")
    res = CliRunner().invoke(main, ["lint", str(tmp_path / "train.yaml")])
    assert res.exit_code == 2
    assert re.search(r"\.stablint\.yaml:3:\d+: error: .*not a valid RE2 pattern", res.output), res.output


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="no SIGALRM timer on this platform")
def test_per_file_time_limit(monkeypatch, tmp_path):
    from stablint.linter import engine

    def slow(*a, **k):
        time.sleep(5)

    monkeypatch.setattr(engine, "load_path", slow)
    (tmp_path / "a.yaml").write_text("lr: 1\n")
    t0 = time.perf_counter()
    res = CliRunner().invoke(main, ["lint", "--file-timeout", "0.3", str(tmp_path / "a.yaml")])
    assert time.perf_counter() - t0 < 3
    assert res.exit_code == 2 and "file not checked: took longer than 0.3 s" in res.output, res.output


def _git_repo(path: Path) -> Path:
    path.mkdir()
    subprocess.run([*GIT, "init", "-q"], cwd=path, check=True)
    return path


SECRET_YAML = "oauth_token: ghp_SECRET\nlearning_rate: 1.0e-4\nlearning_rate: 2.0e-4\n"


def test_symlink_out_of_the_repository_is_not_read(tmp_path):
    repo = _git_repo(tmp_path / "repo")
    (tmp_path / "hosts.yml").write_text(SECRET_YAML)
    (repo / "train.yaml").symlink_to(tmp_path / "hosts.yml")
    res = cli_runner().invoke(main, ["lint", "--format", "json", str(repo / "train.yaml")])
    assert res.exit_code == 2 and "SECRET" not in res.output and "oauth_token" not in res.output
    assert "not read: this symlink resolves outside the repository" in json.loads(res.output)["errors"][0]["message"]


def test_symlink_into_dot_git_is_not_read(tmp_path):
    repo = _git_repo(tmp_path / "repo")
    (repo / ".git" / "secret.yaml").write_text(SECRET_YAML)
    (repo / "train.yaml").symlink_to(repo / ".git" / "secret.yaml")
    res = cli_runner().invoke(main, ["lint", str(repo / "train.yaml")])
    assert res.exit_code == 2 and "resolves into a .git directory" in res.output and "SECRET" not in res.output


RISKY_BASE = ("param_scheduler = [dict(type='ReduceOnPlateauLR', monitor='loss', patience=30, by_epoch=True)]\n"
              "train_cfg = dict(by_epoch=True, max_epochs=50)\n")


@pytest.mark.parametrize("base", ["{outside}", "../sched.py", ".git/sched.py"])
def test_base_files_outside_the_repository_are_not_read(tmp_path, base):
    repo = _git_repo(tmp_path / "repo")
    (tmp_path / "sched.py").write_text(RISKY_BASE)
    (repo / ".git" / "sched.py").write_text(RISKY_BASE)
    base = base.format(outside=tmp_path / "sched.py")
    (repo / "cfg.py").write_text(f"_base_ = [{base!r}]\noptim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3))\n")
    res = cli_runner().invoke(main, ["lint", "--format", "json", str(repo / "cfg.py")])
    assert not any(f["path"].endswith("sched.py") for f in json.loads(res.output)["findings"]), res.output


def test_base_inside_the_repository_is_still_read(tmp_path):
    repo = _git_repo(tmp_path / "repo")
    (repo / "configs" / "_base_").mkdir(parents=True)
    (repo / "configs" / "_base_" / "sched.py").write_text(RISKY_BASE)
    (repo / "configs" / "cfg.py").write_text("_base_ = ['./_base_/sched.py']\noptim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3))\n")
    res = cli_runner().invoke(main, ["lint", "--format", "json", str(repo / "configs" / "cfg.py")])
    assert any(f["path"].endswith("sched.py") for f in json.loads(res.output)["findings"]), res.output


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="no SIGALRM timer on this platform")
def test_per_file_time_limit_on_stdin(monkeypatch):
    from stablint.linter import loaders

    monkeypatch.setattr(loaders, "load_text", lambda *a, **k: time.sleep(5))
    res = cli_runner().invoke(main, ["lint", "--file-timeout", "0.3", "--stdin-filename", "train.yaml", "-"],
                              input="lr: 1\n")
    assert res.exit_code == 2 and "file not checked: took longer than 0.3 s" in res.output, res.output
