"""Hostile inputs (issue 7): each gives a clear error with a position and exit 2, quickly, with nothing executed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from click.testing import CliRunner

from conftest import ROOT
from stablint.cli import cli


def lint_json(*paths: str, extra: tuple[str, ...] = (), timeout: int = 60) -> tuple[int, dict, str]:
    r = subprocess.run([sys.executable, "-m", "stablint", "lint", "--format", "json", *extra, *paths],
                       capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert "Traceback" not in r.stderr, r.stderr[-3000:]
    return r.returncode, json.loads(r.stdout), r.stderr


def only_error(data: dict) -> dict:
    assert len(data["errors"]) == 1, data["errors"]
    e = data["errors"][0]
    assert e["line"] >= 1 and e["column"] >= 1 and e["message"]
    return e


def _bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ",".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


CASES = {
    "bomb.yaml": (_bomb(), "alias expansion"),
    "deep.yaml": ("a: " + "[" * 20000 + "]" * 20000 + "\n", "nesting deeper"),
    "deep_block.yaml": ("".join(" " * i + f"k{i}:\n" for i in range(1500)) + " " * 1500 + "v: 1\n", "nesting deeper"),
    "deep.json": ('{"a": ' + "[" * 20000 + "]" * 20000 + "}", "nesting"),
    "deep.toml": ("a = " + "[" * 20000 + "]" * 20000 + "\n", "nesting"),
    "conflict.yaml": ("lr: 1.0e-4\n<<<<<<< HEAD\nbatch_size: 8\n=======\nbatch_size: 16\n>>>>>>> feature\n", "merge-conflict"),
    "bad.toml": ("[optimizer\nlr = 1\n", "invalid TOML"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_text_inputs(tmp_path, name):
    text, expected = CASES[name]
    canary = tmp_path / "CANARY"
    p = tmp_path / name
    p.write_text(text.replace("CANARY", str(canary)))
    code, data, _ = lint_json(str(p), timeout=30)
    assert code == 2
    assert expected in only_error(data)["message"]
    assert not canary.exists()


@pytest.mark.parametrize("name,text", [("list_root.yaml", "- 1\n- 2\n"), ("scalar_root.json", "42")])
def test_non_mapping_root_is_skipped_not_an_error(tmp_path, name, text):
    # no training config has a list/scalar root: Ansible playbooks and JSON datasets must not block a
    # commit (issue 17); --dialect still reports the error
    p = tmp_path / name
    p.write_text(text)
    code, data, _ = lint_json(str(p), timeout=30)
    assert code == 0 and data["errors"] == [] and data["findings"] == []
    code, data, _ = lint_json(str(p), extra=("--dialect", "generic"), timeout=30)
    assert code == 2 and "must be a mapping" in only_error(data)["message"]


PYTHON_TAGS = {
    "python_tag.yaml": "lr: !!python/object/apply:os.system ['touch CANARY']\nbatch_size: 0\n",
    "python_seq.yaml": "lr: 0.1\nbatch_size: 0\nx: !!python/object/apply:os.system\n  - touch CANARY\n",
    "python_new.yaml": "lr: !!python/object/new:os.system [touch CANARY]\nbatch_size: 0\n",
}


def test_python_tag_payloads_are_live():
    # the control: yaml.unsafe_load runs each payload (so "no CANARY" below means stablint built nothing)
    import tempfile

    import yaml
    for text in PYTHON_TAGS.values():
        with tempfile.TemporaryDirectory() as d:
            canary = os.path.join(d, "CANARY")
            yaml.unsafe_load(text.replace("CANARY", canary))
            assert os.path.exists(canary), text


@pytest.mark.parametrize("name", sorted(PYTHON_TAGS))
def test_python_tags_construct_nothing_and_the_rest_is_linted(tmp_path, name):
    canary = tmp_path / "CANARY"
    p = tmp_path / name
    p.write_text(PYTHON_TAGS[name].replace("CANARY", str(canary)))
    code, data, _ = lint_json(str(p), extra=("--isolated",), timeout=30)
    assert not canary.exists()
    assert data["errors"] == [] and code == 1  # not an input error: the file is linted ...
    rules = {f["rule"] for f in data["findings"]}
    assert "invalid-value" in rules  # ... (batch_size 0 is found) ...
    assert not any(f["line"] == 1 and f["rule"] in ("lr-out-of-range", "invalid-value")
                   for f in data["findings"] if name != "python_seq.yaml")  # ... and the tagged lr is unresolved


def test_python_config_that_calls_os_system_eval_exec_import_runs_nothing(tmp_path):
    canary = tmp_path / "CANARY"
    cfg = tmp_path / "configs" / "train_cfg.py"
    cfg.parent.mkdir()
    cfg.write_text(
        "import os\n"
        f"os.system('touch {canary}')\n"
        f"eval(\"open('{canary}', 'w')\")\n"
        f"exec(\"open('{canary}', 'w')\")\n"
        f"__import__('os').system('touch {canary}')\n"
        f"lr = __import__('pathlib').Path('{canary}').touch()\n"
        "learning_rate = 3e-4\nbatch_size = 8\nmax_iters = 1000\n"
    )
    code, data, _ = lint_json(str(cfg))
    assert code in (0, 1) and data["errors"] == []
    assert not canary.exists()


def test_binary_non_utf8_nul_and_empty(tmp_path):
    (tmp_path / "a.yaml").write_bytes(os.urandom(2048).replace(b"\n", b"\x00") + b"\x00")
    (tmp_path / "b.yaml").write_bytes("lr: 0.1\nname: caf\xe9\n".encode("latin-1"))
    (tmp_path / "c.json").write_bytes(b'{"lr": 0.1,\x00 "x": 1}')
    (tmp_path / "d.yaml").write_text("")
    (tmp_path / "e.toml").write_text("# only a comment\n")
    code, data, _ = lint_json(str(tmp_path))
    assert code == 2
    by_file = {os.path.basename(e["path"]): e for e in data["errors"]}
    assert set(by_file) == {"a.yaml", "b.yaml", "c.json"}
    assert "binary" in by_file["a.yaml"]["message"]
    assert "UTF-8" in by_file["b.yaml"]["message"] and by_file["b.yaml"]["line"] == 2
    assert data["files"] == 5  # the empty files are linted (no findings), not errors


def test_huge_file_refused_quickly_and_limit_can_be_raised(tmp_path):
    p = tmp_path / "huge.yaml"
    chunk = "".join(f"key_{i}: {i}\n" for i in range(1000))
    with open(p, "w") as fh:
        while fh.tell() < 30 * 1024 * 1024:
            fh.write(chunk)
    code, data, _ = lint_json(str(p), timeout=20)
    assert code == 2 and "limit" in only_error(data)["message"]
    small = tmp_path / "small.yaml"
    small.write_text("learning_rate: 1.0e-4\n" + "x: 1\n" * 300)
    assert lint_json(str(small), extra=("--max-file-size", "100"))[0] == 2
    assert lint_json(str(small), extra=("--max-file-size", "100000"))[0] in (0, 1)


def test_symlink_loops_in_directories_terminate(tmp_path):
    d = tmp_path / "repo" / "configs"
    d.mkdir(parents=True)
    (d / "train.yaml").write_text("learning_rate: 1.0e-4\nbatch_size: 8\n")
    os.symlink(tmp_path / "repo", d / "loop")
    os.symlink(d / "self.yaml", d / "self.yaml")  # a dangling self-loop link
    code, data, _ = lint_json(str(tmp_path / "repo"), timeout=20)
    assert data["files"] == 1 and code in (0, 1)
    code, data, _ = lint_json(str(d / "self.yaml"), timeout=20)
    assert code == 2 and only_error(data)["message"].startswith("cannot read file")


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    (tmp_path / "a.yaml").write_text("a: [1, 2\n")
    (tmp_path / "b.yaml").write_text("learning_rate: 1.0e-4\nlearning_rate: 2.0e-4\n")
    code, data, _ = lint_json(str(tmp_path))
    assert code == 2 and len(data["errors"]) == 1
    assert any(f["rule"] == "duplicate-key" for f in data["findings"])


# Our own regular expressions on long lines (issue 18): each of these was quadratic or worse
# before (a TOML line of "[" + spaces took 64 s at 4,000 characters). The per-file time limit
# (10 s by default) would turn a regression into an input error, which this test refuses.
LONG_LINES = {
    "header.toml": 'note = """\n[' + " " * 200_000 + '\n"""\nlr = 1e-4\n',
    "vars.sh": "X=" + "${a:-" * 40_000 + "\nLR=" + "1" * 200_000 + "x\npython train.py --lr $LR\n",
    "keys.toml": "a" + ".a" * 100_000 + " = 1\n",  # 100,000 nested tables: a depth error, fast
}


@pytest.mark.parametrize("name", sorted(LONG_LINES))
def test_long_lines_are_linear(tmp_path, name):
    f = tmp_path / name
    f.write_text(LONG_LINES[name])
    res = CliRunner().invoke(cli, ["lint", "--format", "json", str(f)])
    assert "file not checked" not in res.output and "Traceback" not in res.output, res.output[:500]


def test_long_text_log_line_is_linear(tmp_path):
    import time

    from stablint.trends.readers import read_log

    log = tmp_path / "train.log"
    log.write_text("step 1 loss 2.0\n" + "a." * 100_000 + "\n" + "${a:-" * 20_000 + "\nstep 2 loss 1.9\n")
    t0 = time.perf_counter()
    try:
        read_log(str(log))
    except Exception as exc:  # noqa: BLE001 - only the time matters here; errors are the readers' tests
        assert "Traceback" not in str(exc)
    assert time.perf_counter() - t0 < 20
