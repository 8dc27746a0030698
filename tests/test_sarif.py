"""SARIF 2.1.0 output (``--format sarif``) validated against the official schema
(tests/schemas/sarif-schema-2.1.0.json, OASIS; see tests/schemas/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from stablint.cli import cli
from stablint.linter.engine import LintOptions, lint_paths
from stablint.linter.reporters.sarif import to_sarif

from conftest import ROOT

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)

RISKY = """\
model:
  name: gpt2
training:
  learning_rate: 2e-4
  batch_size: 1
  epochs: 30
  learning_rate: 1e-3
"""


def _validate(log: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def _sarif(args, cwd) -> dict:
    res = CliRunner().invoke(cli, ["lint", "--format", "sarif", "--isolated", *args], catch_exceptions=False)
    assert res.exit_code in (0, 1, 2), res.output
    return json.loads(res.output)


def test_corpus_sarif_is_schema_valid(monkeypatch):
    monkeypatch.chdir(ROOT)
    log = _sarif(["tests/corpus"], ROOT)
    _validate(log)
    run = log["runs"][0]
    results = run["results"]
    assert results, "the corpus has findings"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert sorted(rule_ids) == sorted({r["ruleId"] for r in results})  # only rules with results
    for r in results:
        rule = run["tool"]["driver"]["rules"][r["ruleIndex"]]
        assert rule["id"] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].startswith("tests/corpus/")
        assert loc["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert (ROOT / loc["artifactLocation"]["uri"]).is_file()
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1
        assert r["fingerprints"]["stablint/v1"]
    fps = [r["fingerprints"]["stablint/v1"] for r in results]
    assert len(fps) == len(set(fps))


def test_rule_metadata(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("train.yaml").write_text(RISKY)
    log = _sarif(["train.yaml"], tmp_path)
    _validate(log)
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    dup = rules["STL001"]
    assert dup["name"] == "duplicate-key"
    assert dup["shortDescription"]["text"] and "keep the last value silently" in dup["fullDescription"]["text"]
    assert "## Why is this bad?" in dup["help"]["markdown"]
    assert dup["helpUri"].endswith("/docs/rules/duplicate-key.md")
    assert dup["defaultConfiguration"]["level"] == "error"
    res = [r for r in log["runs"][0]["results"] if r["ruleId"] == "STL001"][0]
    region = res["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) == (7, "train.yaml")
    assert res["level"] == "error"


def test_fingerprints_ignore_line_moves(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("train.yaml").write_text(RISKY)
    before = {(r["ruleId"], r["fingerprints"]["stablint/v1"]) for r in to_sarif(lint_paths(["train.yaml"], LintOptions(isolated=True)))["runs"][0]["results"]}
    Path("train.yaml").write_text("# a comment\n# another\n" + RISKY)
    after_log = to_sarif(lint_paths(["train.yaml"], LintOptions(isolated=True)))
    after = {(r["ruleId"], r["fingerprints"]["stablint/v1"]) for r in after_log["runs"][0]["results"]}
    assert before == after and before
    assert min(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after_log["runs"][0]["results"]) >= 3


def test_input_errors_are_notifications(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("broken.yaml").write_text("lr: [1, 2\n")
    log = _sarif(["broken.yaml"], tmp_path)
    _validate(log)
    inv = log["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    note = inv["toolExecutionNotifications"][0]
    assert note["level"] == "error" and "broken.yaml" in note["message"]["text"]


def test_empty_run_is_valid(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("ok.json").write_text('{"learning_rate": 0.0001, "num_train_epochs": 3}\n')
    log = _sarif(["ok.json"], tmp_path)
    _validate(log)
    assert log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"] == []


@pytest.mark.parametrize("name", ["a b.yaml", "ünï.yaml"])
def test_uris_are_percent_encoded(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(RISKY)
    log = _sarif([name], tmp_path)
    _validate(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert " " not in uri and uri.isascii()
