"""SARIF that GitHub code scanning accepts fully: the OASIS schema (/work/shared/schemas copy in
tests/schemas) and the limits and properties of GitHub's "SARIF support for code scanning" page."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema

from stablint.linter.engine import LintOptions, lint_paths
from stablint.linter.reporters import sarif
from stablint.linter.rules import catalog

from conftest import CORPUS, ROOT

SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
#: GitHub's documented limits (docs.github.com, "SARIF support for code scanning").
GITHUB = {"description": 1024, "rule_name": 255, "tags": 20, "results_per_run": 25_000}
PRECISION = {"very-high", "high", "medium", "low"}
PROBLEM_SEVERITY = {"error", "warning", "recommendation"}


def _check_descriptor(d: dict) -> None:
    assert d["id"] and len(d["name"]) <= GITHUB["rule_name"]
    assert 0 < len(d["shortDescription"]["text"]) <= GITHUB["description"]
    assert 0 < len(d["fullDescription"]["text"]) <= GITHUB["description"], (d["id"], len(d["fullDescription"]["text"]))
    assert d["help"]["text"].strip() and d["help"]["markdown"].strip()
    assert d["properties"]["precision"] in PRECISION
    assert d["properties"]["problem.severity"] in PROBLEM_SEVERITY
    assert len(d["properties"]["tags"]) <= GITHUB["tags"]


def test_every_rule_descriptor_within_github_limits():
    for rule in catalog():
        d = sarif._rule_descriptor(rule.code, rule.name, rule.severity)
        _check_descriptor(d)
        # help comes from the rule page of docs/rules/ (the same text `stablint explain` prints)
        page = (ROOT / "docs" / "rules" / f"{rule.name}.md").read_text()
        assert d["help"]["markdown"].strip() in page
        assert "<!--" not in d["help"]["markdown"] and "```" not in d["help"]["text"]
        assert d["help"]["text"].startswith(f"{rule.name} ({rule.code})")


def test_clip_keeps_sentences_and_limit():
    text = "First sentence is here. " * 100
    out = sarif.clip(text)
    assert len(out) <= 1024 and out.endswith(".")
    word = sarif.clip("word " * 600)
    assert len(word) <= 1024 and word.endswith("…")
    assert sarif.clip("short\n  text") == "short text"


def test_corpus_log_github_ready(monkeypatch):
    monkeypatch.chdir(ROOT)
    log = sarif.to_sarif(lint_paths([str(CORPUS.relative_to(ROOT))], LintOptions(isolated=True)))
    errors = list(jsonschema.Draft4Validator(SCHEMA).iter_errors(log))
    assert not errors, [e.message for e in errors[:3]]
    run = log["runs"][0]
    assert run["automationDetails"]["id"] == "stablint/"
    assert len(run["results"]) <= GITHUB["results_per_run"] and run["results"]
    for d in run["tool"]["driver"]["rules"]:
        _check_descriptor(d)
    for r in run["results"]:
        assert len(r["message"]["text"]) <= 10_000
        # no partialFingerprints key that GitHub ignores: the upload action adds primaryLocationLineHash
        assert set(r.get("partialFingerprints", {})) <= {"primaryLocationLineHash"}
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["endLine"] >= region["startLine"]
        if region["endLine"] == region["startLine"]:
            assert region["endColumn"] > region["startColumn"]
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]
        assert uri["uriBaseId"] == "%SRCROOT%" and not uri["uri"].startswith(("/", "file:"))


def test_end_column_is_the_end_of_the_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = "training:\n  learning_rate: 2.0e-4\n  learning_rate: 1.0e-3\n"
    Path("t.yaml").write_text(text)
    log = sarif.to_sarif(lint_paths(["t.yaml"], LintOptions(isolated=True)))
    res = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "STL001")
    region = res["locations"][0]["physicalLocation"]["region"]
    line = text.splitlines()[region["startLine"] - 1]
    assert region["endLine"] == region["startLine"] and region["endColumn"] == len(line) + 1


def test_uris_are_relative_to_the_repository_root(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "configs").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "configs" / "t.yaml").write_text("training:\n  learning_rate: 2.0e-4\n  learning_rate: 1.0e-3\n")
    monkeypatch.chdir(repo / "configs")  # lint from a subdirectory
    log = sarif.to_sarif(lint_paths(["t.yaml"], LintOptions(isolated=True)))
    run = log["runs"][0]
    loc = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "configs/t.yaml", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    assert os.path.isfile(repo / loc["uri"])
