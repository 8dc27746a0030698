"""CLI contract (design.md): exit codes, JSON shape, text format, selection, bad input, no torch on the lint path."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from stablint.cli import cli

RISKY = "learning_rate: 1e-4\nbatch_size: 32\nepochs: 10\nlearning_rate: 2e-4\n"


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_json_contract_and_exit_1(tmp_path):
    p = tmp_path / "train.yaml"
    p.write_text(RISKY)
    r = run("lint", "--format", "json", str(p))
    assert r.exit_code == 1
    data = json.loads(r.output)
    assert set(data) == {"version", "findings", "files", "errors"} and data["version"] == 1 and data["files"] == 1
    f = next(f for f in data["findings"] if f["rule"] == "duplicate-key")
    for key in ("code", "rule", "severity", "message", "path", "line", "column", "field", "dialect"):
        assert key in f
    assert (f["code"], f["line"], f["column"], f["severity"]) == ("STL001", 4, 1, "error")


def test_text_format_and_hint(tmp_path):
    p = tmp_path / "train.yaml"
    p.write_text(RISKY)
    r = run("lint", str(p))
    line = next(ln for ln in r.output.splitlines() if "STL001" in ln)
    assert line.startswith(f"{p}:4:1: STL001 [error] duplicate key 'learning_rate'")
    assert r.output.splitlines()[r.output.splitlines().index(line) + 1].startswith("    hint: ")


def test_select_ignore_by_name_code_and_prefix(tmp_path):
    p = tmp_path / "train.yaml"
    p.write_text(RISKY)
    assert {f["rule"] for f in json.loads(run("lint", "--format", "json", "--select", "STL001", str(p)).output)["findings"]} == {"duplicate-key"}
    out = json.loads(run("lint", "--format", "json", "--ignore", "duplicate-key,STL002", str(p)).output)
    assert not any(f["rule"] in ("duplicate-key", "yaml-float-as-string") for f in out["findings"])
    assert run("lint", "--select", "no-such-rule", str(p)).exit_code == 2


def test_exit_zero_and_clean_file(tmp_path):
    p = tmp_path / "train.yaml"
    p.write_text(RISKY)
    assert run("lint", "--exit-zero", str(p)).exit_code == 0
    ok = tmp_path / "ok.yaml"
    ok.write_text("learning_rate: 1.0e-4\nbatch_size: 32\n")
    assert run("lint", str(ok)).exit_code == 0


def test_bad_file_does_not_stop_others_and_exits_2(tmp_path):
    bad = tmp_path / "a_bad.yaml"
    bad.write_text("a: [1, 2\n")
    good = tmp_path / "b_dup.yaml"
    good.write_text(RISKY)
    r = run("lint", "--format", "json", str(tmp_path))
    assert r.exit_code == 2
    data = json.loads(r.output)
    assert data["files"] == 2 and len(data["errors"]) == 1
    assert data["errors"][0]["path"].endswith("a_bad.yaml") and data["errors"][0]["line"] >= 1
    assert any(f["rule"] == "duplicate-key" for f in data["findings"])


def test_missing_path_and_unknown_dialect(tmp_path):
    assert run("lint", str(tmp_path / "nope.yaml")).exit_code == 2
    assert run("lint", "--dialect", "nope", str(tmp_path)).exit_code == 2


def test_rules_json_lists_metadata():
    data = json.loads(run("rules", "--format", "json").output)
    assert {"STL001", "STL002", "STL003"} <= {r["code"] for r in data}
    for r in data:
        assert {"code", "name", "severity", "summary", "options"} <= set(r)


def test_corpus_lints_without_traceback(corpus):
    r = subprocess.run([sys.executable, "-m", "stablint", "lint", "--format", "json", str(corpus)],
                       capture_output=True, text=True, timeout=120)
    assert "Traceback" not in r.stderr, r.stderr[-2000:]
    data = json.loads(r.stdout)
    assert data["files"] >= 80
    # every file is either linted or listed in errors with a position
    assert all(e["line"] >= 1 and e["column"] >= 1 for e in data["errors"])
    assert not any("internal error" in e["message"] for e in data["errors"]), data["errors"]
    assert r.returncode == 2  # three corpus files are broken upstream


@pytest.mark.parametrize("target", ["tests/corpus", "examples"])
def test_lint_path_never_imports_torch(target):
    code = ("import sys; from stablint.cli import main\n"
            "try:\n    main(['lint', '--exit-zero', %r])\nexcept SystemExit:\n    pass\n"
            "assert 'torch' not in sys.modules, 'torch imported'\n" % target)
    from conftest import ROOT

    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]


def test_jobs_gives_identical_results(corpus):
    outs = []
    for jobs in ("1", "2"):
        r = subprocess.run([sys.executable, "-m", "stablint", "lint", "--format", "json", "--exit-zero", "-j", jobs, str(corpus)],
                           capture_output=True, text=True, timeout=120)
        assert "Traceback" not in r.stderr, r.stderr[-2000:]
        outs.append(json.loads(r.stdout))
    assert outs[0] == outs[1] and outs[0]["files"] >= 80 and len(outs[0]["errors"]) == 3
