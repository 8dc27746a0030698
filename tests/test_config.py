"""Configuration: discovery (nearest wins, stops at the repo root), select/ignore/extend-select,
per-rule severity and options, per-file-ignores, fail-on, --config/--isolated, and broken configs (exit 2)."""

from __future__ import annotations

import json

import jsonschema
import pytest
from click.testing import CliRunner

from stablint.cli import cli
from stablint.linter.config import ConfigResolver, load_config, schema
from stablint.linter.document import InputError
from stablint.linter.engine import LintOptions, exit_code, lint_paths

# a custom training YAML with a duplicated learning rate written the YAML 1.1 way (seed-style)
RISKY = "learning_rate: 1e-4\nbatch_size: 32\nepochs: 10\nlearning_rate: 2e-4\n"


def codes(result) -> set[str]:
    return {f.code for f in result.findings}


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    return tmp_path / "repo"


def test_nearest_config_wins_and_pyproject_without_table_is_skipped(repo):
    write(repo / "pyproject.toml", '[project]\nname = "x"\n\n[tool.stablint]\nignore = ["duplicate-key"]\n')
    write(repo / "exp" / ".stablint.yaml", "ignore: [STL002]\n")
    write(repo / "other" / "pyproject.toml", '[project]\nname = "other"\n')  # no [tool.stablint]: skipped
    a = write(repo / "exp" / "a.yaml", RISKY)
    b = write(repo / "other" / "b.yaml", RISKY)
    ra, rb = lint_paths([str(a)]), lint_paths([str(b)])
    assert "STL002" not in codes(ra) and "STL001" in codes(ra)      # exp/.stablint.yaml only (no merging)
    assert "STL001" not in codes(rb) and "STL002" in codes(rb)      # repo/pyproject.toml
    resolver = ConfigResolver()
    assert resolver.for_file(str(b)).path == str(repo / "pyproject.toml")


def test_walk_stops_at_repository_root(tmp_path, repo):
    write(tmp_path / ".stablint.yaml", "ignore: [duplicate-key]\n")  # outside the repo: not used
    f = write(repo / "configs" / "train.yaml", RISKY)
    assert "STL001" in codes(lint_paths([str(f)]))
    assert ConfigResolver().for_file(str(f)) is None


def test_select_extend_select_and_cli_precedence(repo):
    write(repo / ".stablint.yaml", "select: [STL00]\nextend-select: [invalid-value]\nignore: [STL002]\n")
    f = write(repo / "train.yaml", RISKY + "dropout: 1.5\n")
    r = lint_paths([str(f)])
    assert {"STL001", "STL003"} <= codes(r) and "STL002" not in codes(r)
    r = lint_paths([str(f)], LintOptions(select=["STL002"]))  # --select replaces select; ignore still applies
    assert codes(r) <= {"STL003"}
    r = lint_paths([str(f)], LintOptions(ignore=["STL001"]))   # --ignore adds to ignore
    assert "STL001" not in codes(r) and "STL003" in codes(r)


def test_rule_severity_and_options(repo):
    write(repo / "pyproject.toml", "[tool.stablint.rules.duplicate-key]\nseverity = \"info\"\n"
                                   "[tool.stablint.rules.STL002]\nother_keys_severity = \"info\"\n")
    # HF TrainingArguments YAML: HfArgumentParser.parse_yaml_file's PyYAML is certain (a generic
    # file's loader is a guess, and yaml-float-as-string stays at info there)
    f = write(repo / "train.yaml", RISKY.replace("batch_size: 32\nepochs: 10\n",
                                                 "per_device_train_batch_size: 32\nnum_train_epochs: 10\n"))
    r = lint_paths([str(f)])
    assert r.results[0].plan.dialect == "hf-trainer"
    sev = {(x.code, x.line): x.severity for x in r.findings}
    assert sev[("STL001", 4)] == "info"
    assert sev[("STL002", 1)] == "info"  # option other_keys_severity applied (default warning)
    assert sev[("STL002", 4)] == "error"  # the canonical field keeps the rule's default severity


def test_per_file_ignores_relative_glob_and_basename(repo):
    write(repo / ".stablint.yaml", "per-file-ignores:\n  'legacy/*.yaml': [duplicate-key]\n  'sweep_*.yaml': [STL002]\n")
    legacy = write(repo / "legacy" / "old.yaml", RISKY)
    sweep = write(repo / "runs" / "sweep_1.yaml", RISKY)
    fresh = write(repo / "runs" / "new.yaml", RISKY)
    r = lint_paths([str(repo)])
    by_file = {p: {f.code for f in r.findings if f.path == str(p)} for p in (legacy, sweep, fresh)}
    assert "STL001" not in by_file[legacy] and "STL002" in by_file[legacy]
    assert "STL002" not in by_file[sweep] and "STL001" in by_file[sweep]
    assert {"STL001", "STL002"} <= by_file[fresh]


def test_fail_on_from_config_and_cli_override(repo):
    write(repo / ".stablint.yaml", "fail-on: error\nrules:\n  duplicate-key: {severity: warning}\n  STL002: {severity: warning}\n")
    f = write(repo / "train.yaml", RISKY)
    r = lint_paths([str(f)])
    assert r.fail_on == "error" and {x.severity for x in r.findings if x.code in ("STL001", "STL002")} == {"warning"}
    assert exit_code(r, None) == (1 if any(x.severity == "error" for x in r.findings) else 0)
    assert exit_code(r, "warning") == 1
    runner = CliRunner()
    only = ["--select", "STL001,STL002"]
    assert runner.invoke(cli, ["lint", *only, str(f)]).exit_code == 0
    assert runner.invoke(cli, ["lint", *only, "--fail-on", "warning", str(f)]).exit_code == 1


def test_config_and_isolated_flags(repo, tmp_path):
    write(repo / ".stablint.yaml", "ignore: [STL001]\n")
    other = write(tmp_path / "elsewhere" / "strict.toml", "[tool.stablint]\nignore = [\"STL002\"]\n")
    f = write(repo / "train.yaml", RISKY)
    runner = CliRunner()
    out = json.loads(runner.invoke(cli, ["lint", "--format", "json", str(f)]).output)
    assert "STL001" not in {x["code"] for x in out["findings"]}
    out = json.loads(runner.invoke(cli, ["lint", "--format", "json", "--config", str(other), str(f)]).output)
    assert "STL001" in {x["code"] for x in out["findings"]} and "STL002" not in {x["code"] for x in out["findings"]}
    out = json.loads(runner.invoke(cli, ["lint", "--format", "json", "--isolated", str(f)]).output)
    assert {"STL001", "STL002"} <= {x["code"] for x in out["findings"]}


BROKEN = [
    (".stablint.yaml", "select: [STL001\nignore: []\n", 2, "invalid YAML"),
    (".stablint.yaml", "select: [STL001]\nselct: [STL002]\n", 2, "invalid config: selct: unknown key"),
    (".stablint.yaml", "ignore:\n  - STL001\n  - no-such-rule\n", 3, "invalid config: ignore.1: unknown rule 'no-such-rule'"),
    (".stablint.yaml", "rules:\n  lora-scaling-too-loww:\n    severity: info\n", 2, "rules.lora-scaling-too-loww: unknown rule"),
    (".stablint.yaml", "rules:\n  STL002:\n    all_keys: true\n    max_ratio: 2\n", 4, "rules.STL002.max_ratio: unknown option for rule yaml-float-as-string"),
    (".stablint.yaml", "rules:\n  STL002:\n    all_keys: 'yes please'\n", 3, "rules.STL002.all_keys: expected bool"),
    (".stablint.yaml", "fail-on: warn\n", 1, "fail-on: expected one of error, warning, info; got 'warn'"),
    (".stablint.yaml", "rules:\n  duplicate-key: {severity: fatal}\n", 2, "rules.duplicate-key.severity"),
    ("pyproject.toml", "[tool.stablint]\nselect = \"STL1\"\n", 2, "tool.stablint.select: expected array, got string 'STL1'"),
    ("pyproject.toml", "[tool.stablint\nselect = []\n", 1, ""),
]


@pytest.mark.parametrize("name,text,line,message", BROKEN, ids=[f"{n}:{m or 'toml-syntax'}"[:60] for n, _, _, m in BROKEN])
def test_broken_config_exits_2_with_position(repo, name, text, line, message):
    cfg = write(repo / name, text)
    f = write(repo / "train.yaml", RISKY)
    r = CliRunner().invoke(cli, ["lint", str(f)])
    assert r.exit_code == 2, r.output
    err = next(ln for ln in r.output.splitlines() if ln.startswith(str(cfg)))
    assert err.startswith(f"{cfg}:{line}:"), err
    assert message in err
    assert "Traceback" not in r.output


def test_broken_config_reported_once_for_many_files(repo):
    write(repo / ".stablint.yaml", "selct: []\n")
    for i in range(3):
        write(repo / f"t{i}.yaml", RISKY)
    r = lint_paths([str(repo)])
    assert len(r.errors) == 1 and r.errors[0].path.endswith(".stablint.yaml") and exit_code(r) == 2


def test_explicit_toml_without_table_is_an_error(tmp_path):
    p = write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert load_config(str(p)) is None
    with pytest.raises(InputError, match="no \\[tool.stablint\\] table"):
        load_config(str(p), explicit=True)


def test_yaml12_numbers_in_own_config_and_schema_is_valid(repo):
    jsonschema.validators.validator_for(schema()).check_schema(schema())
    cfg = write(repo / ".stablint.yaml", "rules:\n  invalid-value: {severity: warning}\n")
    assert load_config(str(cfg)).severity == {"invalid-value": "warning"}
