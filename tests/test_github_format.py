"""``--format github``: workflow-command annotations with the runner's escaping
(actions/toolkit core/src/command.ts: data %,\\r,\\n; properties also : and ,)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from stablint.cli import cli
from stablint.linter.finding import Finding
from stablint.linter.reporters.github import command, escape_data, escape_property, finding_command

from conftest import ROOT

LINE = re.compile(r"^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:]*)(?:,[a-zA-Z]+=[^,:]*)*)::(.*)$")


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    m = LINE.match(line)
    assert m, line
    props = dict(p.split("=", 1) for p in m.group(2).split(","))
    return m.group(1), props, m.group(3)


def _unescape(s: str) -> str:
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


@pytest.mark.parametrize("raw,data,prop", [
    ("100% sure", "100%25 sure", "100%25 sure"),
    ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
    ("x: 1, y", "x: 1, y", "x%3A 1%2C y"),
    ("%0A", "%250A", "%250A"),  # an already-escaped-looking value stays literal
])
def test_escaping(raw, data, prop):
    assert escape_data(raw) == data
    assert escape_property(raw) == prop
    assert _unescape(prop) == raw


def test_finding_round_trips_through_the_parser():
    f = Finding(code="STL101", rule="plateau-patience-too-long", severity="info", message="patience 10: epochs, 5% of run",
                path="dir,odd/cfg:1.yaml", line=4, column=3, hint="lower it\nor raise factor", end_line=4, end_column=9)
    kind, props, msg = _parse(finding_command(f))
    assert kind == "notice"
    assert _unescape(props["file"]) == "dir,odd/cfg:1.yaml"
    assert (props["line"], props["col"], props["endLine"], props["endColumn"]) == ("4", "3", "4", "9")
    assert _unescape(props["title"]) == "stablint STL101 (plateau-patience-too-long)"
    assert _unescape(msg) == "patience 10: epochs, 5% of run\nlower it\nor raise factor"
    assert command("warning", "m") == "::warning::m"


def test_cli_on_corpus(monkeypatch):
    monkeypatch.chdir(ROOT)
    res = CliRunner().invoke(cli, ["lint", "--format", "github", "--isolated", "tests/corpus"])
    assert res.exit_code in (1, 2)
    lines = res.output.splitlines()
    assert lines and all(LINE.match(line) for line in lines), [line for line in lines if not LINE.match(line)][:3]
    warnings = [_parse(line) for line in lines if line.startswith("::warning")]
    assert warnings
    for _, props, _ in warnings:
        assert (ROOT / _unescape(props["file"])).is_file()
        assert re.fullmatch(r"stablint STL\d{3} \([a-z0-9-]+\)", _unescape(props["title"]))


def test_input_error_is_an_error_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bad.json").write_text('{"lr": 1e-4,}\n')
    res = CliRunner().invoke(cli, ["lint", "--format", "github", "--isolated", "bad.json"])
    assert res.exit_code == 2
    kind, props, msg = _parse(res.output.splitlines()[0])
    assert kind == "error" and props["file"] == "bad.json" and props["line"] == "1"
