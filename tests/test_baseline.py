"""Baselines: ``--write-baseline`` / ``--baseline`` keyed by (path, rule, field), never lines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from stablint.cli import cli
from stablint.linter import baseline
from stablint.linter.engine import LintOptions, lint_paths

from conftest import CORPUS, cli_runner

RISKY = """\
training:
  learning_rate: 2e-4
  batch_size: 8
  epochs: 30
  learning_rate: 1e-3
"""


def _lint(*args):
    res = cli_runner().invoke(cli, ["lint", "--format", "json", "--isolated", *args])
    out = res.stdout
    start = out.find("{")
    return res, (json.loads(out[start:out.rfind("}") + 1]) if start >= 0 else None)


def test_corpus_baseline_round_trip(tmp_path, monkeypatch):
    shutil.copytree(CORPUS / "axolotl", tmp_path / "axolotl")
    shutil.copytree(CORPUS / "neuraloperator", tmp_path / "neuraloperator")
    monkeypatch.chdir(tmp_path)
    res, data = _lint("axolotl", "neuraloperator")
    assert data["findings"], "these corpus families have findings"
    res, _ = _lint("--write-baseline", "stablint-baseline.json", "axolotl", "neuraloperator")
    assert res.exit_code == 0
    recorded = json.loads(Path("stablint-baseline.json").read_text())
    assert recorded["version"] == 1 and sum(e["count"] for e in recorded["findings"]) == len(data["findings"])
    assert all("line" not in e for e in recorded["findings"])
    assert all(not e["path"].startswith("/") for e in recorded["findings"])
    res, again = _lint("--baseline", "stablint-baseline.json", "axolotl", "neuraloperator")
    assert (res.exit_code, again["findings"]) == (0, [])


def test_line_moves_do_not_resurrect_and_new_findings_show(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("train.yaml").write_text(RISKY)
    _lint("--write-baseline", "base.json", "train.yaml")
    Path("train.yaml").write_text("# moved down\n\n\n" + RISKY)
    res, data = _lint("--baseline", "base.json", "train.yaml")
    assert (res.exit_code, data["findings"]) == (0, [])
    Path("train.yaml").write_text(RISKY + "  optimizer: adamw\n  optimizer: sgd\n")  # a second duplicate key
    res, data = _lint("--baseline", "base.json", "train.yaml")
    assert res.exit_code == 1
    assert [(f["code"], f["field"]) for f in data["findings"]] == [("STL001", "training.optimizer")]


def test_stale_entries_are_listed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("train.yaml").write_text(RISKY)
    _lint("--write-baseline", "base.json", "train.yaml")
    Path("train.yaml").write_text(RISKY.replace("  learning_rate: 1e-3\n", ""))  # duplicate fixed
    res, data = _lint("--baseline", "base.json", "train.yaml")
    err = res.stderr
    assert "stale baseline entry: train.yaml STL001 (duplicate-key) field 'training.learning_rate'" in err


def test_counts_and_paths_relative_to_baseline_file(tmp_path):
    cfg = tmp_path / "configs" / "train.yaml"
    cfg.parent.mkdir()
    cfg.write_text(RISKY)
    result = lint_paths([str(cfg)], LintOptions(isolated=True))
    b = baseline.write(str(tmp_path / "b.json"), result.findings)
    assert {k[0] for k in b.counts} == {"configs/train.yaml"}
    loaded = baseline.load(str(tmp_path / "b.json"))
    assert loaded.counts == b.counts
    new, stale = loaded.filter(result.findings + result.findings[:1])  # one extra occurrence
    assert len(new) == 1 and stale == []


def test_bad_baseline_is_an_input_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("train.yaml").write_text(RISKY)
    Path("b.json").write_text('{"version": 1, "findings": [\n  {"path": 3}\n]}\n')
    res, _ = _lint("--baseline", "b.json", "train.yaml")
    assert res.exit_code == 2
    Path("b.json").write_text('{"version": 1,\n "findings": [}\n')
    res, _ = _lint("--baseline", "b.json", "train.yaml")
    err = res.stderr
    assert res.exit_code == 2 and "b.json:2:" in err and "Traceback" not in err
    res, _ = _lint("--baseline", "missing.json", "train.yaml")
    assert res.exit_code == 2
