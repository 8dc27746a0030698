"""Inline suppressions in YAML, TOML, Python and shell; file-wide; base files; unused ones (STL005)."""

from __future__ import annotations

from click.testing import CliRunner

from stablint.cli import cli
from stablint.linter.engine import LintOptions, lint_paths
from stablint.linter.suppressions import parse

from conftest import corpus_file

RISKY = "learning_rate: 1e-4\nbatch_size: 32\nepochs: 10\nlearning_rate: 2e-4\n"


def findings(path, **opts):
    return [(f.code, f.line) for f in lint_paths([str(path)], LintOptions(isolated=True, **opts)).findings]


def test_line_before_and_same_line_by_name_and_code(tmp_path):
    p = tmp_path / "train.yaml"
    p.write_text("learning_rate: 1e-4  # stablint: disable=STL002 -- the trainer casts it\nbatch_size: 32\nepochs: 10\n"
                 "# stablint: disable=duplicate-key -- the override is deliberate\n\nlearning_rate: 2e-4\n")
    got = findings(p)
    assert ("STL001", 6) not in got and ("STL002", 1) not in got
    assert ("STL002", 6) in got  # only the named rule is suppressed on line 6
    assert not any(c == "STL005" for c, _ in got)
    everything = findings(p, suppressions=False)
    assert {("STL001", 6), ("STL002", 1)} <= set(everything) and not any(c == "STL005" for c, _ in everything)


def test_unused_unknown_and_malformed_are_reported(tmp_path):
    p = tmp_path / "train.yaml"
    p.write_text(RISKY + "weight_decay: 0.1  # stablint: disable=invalid-value,STL001\n"
                 "dropout: 0.1  # stablint: disabel=STL003\n# stablint: disable-file=no-such-rule\n")
    res = lint_paths([str(p)], LintOptions(isolated=True))
    msgs = {(f.line, f.message) for f in res.findings if f.code == "STL005"}
    assert (5, "suppression of 'invalid-value' is unused: no such finding on the line it covers") in msgs
    assert (5, "suppression of 'STL001' is unused: no such finding on the line it covers") in msgs
    assert any(line == 6 and "cannot parse" in m for line, m in msgs)
    assert (7, "suppression names unknown rule 'no-such-rule'") in msgs
    # a rule switched off by --ignore cannot use its suppressions: not reported as unused
    res = lint_paths([str(p)], LintOptions(isolated=True, ignore=["invalid-value"]))
    assert not any("'invalid-value'" in f.message for f in res.findings)
    # unused-suppression can itself be switched off
    assert not any(f.code == "STL005" for f in lint_paths([str(p)], LintOptions(isolated=True, ignore=["STL005"])).findings)


def test_disable_file_in_toml_and_json_has_none(tmp_path):
    t = tmp_path / "train.toml"
    t.write_text("# stablint: disable-file=invalid-value -- exploratory sweep\n[training]\nlr = -0.1\nbatch_size = 8\nepochs = 3\n")
    assert findings(t) == []
    assert ("STL003", 3) in findings(t, suppressions=False)
    assert parse('{"lr": 0.1} # stablint: disable=STL003', "json", "x.json") == []


def test_python_comments_via_tokenize_not_strings(tmp_path):
    p = tmp_path / "config" / "train_cfg.py"
    p.parent.mkdir()
    p.write_text('note = "# stablint: disable=STL003"\nlearning_rate = -1.0  # stablint: disable=invalid-value\n'
                 'batch_size = 8\nepochs = 2\n')
    ds = parse(p.read_text(), "python", str(p))
    assert [(d.line, d.names) for d in ds] == [(2, ("invalid-value",))]
    assert not any(c == "STL003" for c, _ in findings(p))


def test_shell_comment_before_a_continued_command_covers_it(tmp_path):
    src = corpus_file("shell_launch", "FastChat")
    text = open(src).read()
    p = tmp_path / "train_lora.sh"
    p.write_text("# stablint: disable=yaml-float-as-string,STL003 -- checked by hand\n" + text)
    ds = parse(p.read_text(), "shell", str(p))
    assert ds[0].lines == frozenset(range(2, 2 + text.count("\n")))  # the whole backslash-continued command
    assert ds[0].reason == "checked by hand"


def test_finding_in_base_file_is_suppressed_there(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("learning_rate: 0.001\nbatch_size: 32\nepochs: 10\n"
                    "dropout: 1.5  # stablint: disable=invalid-value -- shared by all runs\n")
    run = tmp_path / "run.sh"
    run.write_text(f"python train.py {base.name} --seed 1 --warmup_steps 10\n")
    res = lint_paths([str(run)], LintOptions(isolated=True))
    assert not any(f.code == "STL003" for f in res.findings)
    res = lint_paths([str(run)], LintOptions(isolated=True, suppressions=False))
    assert any(f.code == "STL003" and f.path.endswith("base.yaml") and f.line == 4 for f in res.findings)


def test_cli_no_suppressions_flag(tmp_path):
    p = tmp_path / "train.yaml"
    p.write_text(RISKY.replace("learning_rate: 2e-4", "learning_rate: 2e-4  # stablint: disable=STL001,STL002"))
    r = CliRunner().invoke(cli, ["lint", "--isolated", "--select", "STL001", str(p)])
    assert r.exit_code == 0 and "STL001" not in r.output
    r = CliRunner().invoke(cli, ["lint", "--isolated", "--select", "STL001", "--no-suppressions", str(p)])
    assert r.exit_code == 1 and f"{p}:4:1: STL001" in r.output
