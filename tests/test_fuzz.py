"""Property-based fuzzing of the whole lint path (issue 7).

Property: for any input — raw bytes, mutated real corpus files, or generated configs
built from the real dialects' key vocabularies — linting never raises, never reports an
internal error, and every input error carries a 1-based position.

Quick by default (CI); the long run is ``STABLINT_FUZZ_EXAMPLES=10000 python -m pytest
tests/test_fuzz.py -p no:cacheprovider`` (see bench/README.md for the reported result).
"""

from __future__ import annotations

import json
import os
import tempfile

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS
from stablint.linter.engine import LintOptions, lint_file

EXAMPLES = int(os.environ.get("STABLINT_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES <= 100)

CORPUS_FILES = sorted(str(p) for p in CORPUS.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")
EXT = {".yaml": ".yaml", ".yml": ".yaml", ".json": ".json", ".toml": ".toml", ".py": ".py", ".sh": ".sh"}

#: key vocabulary from the dialects (research/dialects.md tables)
KEYS = ["learning_rate", "lr", "per_device_train_batch_size", "micro_batch_size", "batch_size", "gradient_accumulation_steps",
        "num_train_epochs", "max_steps", "warmup_steps", "warmup_ratio", "lr_scheduler_type", "lr_scheduler",
        "max_grad_norm", "fp16", "bf16", "lora_r", "lora_rank", "lora_alpha", "lora_dropout", "adapter", "optimizer",
        "scheduler", "scheduler_patience", "early_stopping_patience", "weights", "_component_", "class_path", "init_args",
        "_target_", "SOLVER", "BASE_LR", "IMS_PER_BATCH", "STEPS", "_BASE_", "_base_", "train_batch_size",
        "train_micro_batch_size_per_gpu", "gradient_clipping", "zero_optimization", "lr0", "lrf", "epochs", "patience",
        "opt", "n_epochs", "trainer", "model", "data", "callbacks", "defaults", "r", "use_rslora", "type", "params",
        "monitor", "factor", "mode", "T_max", "step_size", "gamma", "milestones", "loss_weight", "max_norm"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["auto", "1e-4", "5e-05", "yes", "off", "???", "${oc.env:LR}", "$LR", "nan", "-1", "0", "1e309",
                     "torch.optim.Adam", "ReduceLROnPlateau", "cosine", "lora", "(60000, 80000)", "None"]),
)
configs = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=6)),
    max_leaves=30,
)


def _check(path: str) -> None:
    fr = lint_file(path, LintOptions())
    if fr.error is not None:
        assert fr.error.line >= 1 and fr.error.column >= 1
        assert "internal error" not in fr.error.message, fr.error.message
    for f in fr.findings:
        assert f.line >= 1 and f.column >= 1 and f.code.startswith("STL")


def _write(data: bytes, suffix: str) -> str:
    fd, path = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return path


@FUZZ
@given(st.binary(max_size=2048), st.sampled_from(list(EXT.values())))
def test_raw_bytes(data, suffix):
    path = _write(data, suffix)
    try:
        _check(path)
    finally:
        os.unlink(path)


@FUZZ
@given(st.sampled_from(CORPUS_FILES), st.data())
def test_mutated_corpus_files(src, data):
    text = open(src, encoding="utf-8", errors="replace").read().splitlines(keepends=True) or ["\n"]
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text) - 1))
        op = data.draw(st.sampled_from(["delete", "dup", "garbage", "number", "indent", "truncate"]))
        if op == "delete" and len(text) > 1:
            del text[i]
        elif op == "dup":
            text.insert(i, text[i])
        elif op == "garbage":
            text[i] = text[i][: len(text[i]) // 2] + data.draw(st.sampled_from(["{", "]", ": :", "\t", "&a", "*a", "!!x", "'", '"', "\\", "#", "=", "<<: *a"])) + text[i][len(text[i]) // 2:]
        elif op == "number":
            text[i] = text[i].replace("1", data.draw(st.sampled_from(["1e-4", "0", "-1", "1e400", "nan", "auto", "True"])), 1)
        elif op == "indent":
            text[i] = "  " + text[i]
        else:
            text = text[: i + 1]
    path = _write("".join(text).encode("utf-8", "replace"), EXT.get(os.path.splitext(src)[1], ".yaml"))
    try:
        _check(path)
    finally:
        os.unlink(path)


@FUZZ
@given(st.dictionaries(st.sampled_from(KEYS), configs, max_size=10), st.sampled_from(["yaml", "json", "py"]))
def test_generated_configs(cfg, fmt):
    if fmt == "yaml":
        data, suffix = yaml.safe_dump(cfg, allow_unicode=True).encode(), ".yaml"
    elif fmt == "json":
        data, suffix = json.dumps(cfg).encode(), ".json"
    else:
        data, suffix = "".join(f"{k} = {v!r}\n" for k, v in cfg.items() if k.isidentifier()).encode(), ".py"
    path = _write(data, suffix)
    try:
        _check(path)
    finally:
        os.unlink(path)


# -- reporters (issue 18): hostile strings through every output format ---------------------------
_HOSTILE_PIECES = ["::error::", "::add-mask::", "%0A", "\n", "\r", "\x1b[31m", "\u202e", "<img src=x>", "](http://e)",
                   "![i](x)", "|", "`", "www.evil.example", "https://evil.example", "&amp;", "- ", "1. ", "$x$", ",", ":"]
hostile_text = st.lists(st.one_of(st.sampled_from(_HOSTILE_PIECES), st.text(max_size=8)), max_size=8).map("".join)


def _result(path: str, message: str, key: str):
    from stablint.linter.document import InputError
    from stablint.linter.engine import LintResult
    from stablint.linter.finding import Finding

    f = Finding(path=path, line=3, column=1, code="STL001", rule="duplicate-key", severity="error",
                message=f"duplicate key {key!r}: {message}", hint=message, field="training.learning_rate",
                dialect="generic")
    return LintResult(findings=[f], errors=[InputError(path, message, 2, 1)], files=1)


@FUZZ
@given(path=hostile_text.map(lambda s: s.replace("\0", "")), message=hostile_text, key=hostile_text)
def test_reporters_escape_every_hostile_string(path, message, key):
    import re

    from stablint.action import summary_markdown
    from stablint.linter.reporters import render

    result = _result(path or "x", message, key)
    text = render("text", result)
    github = render("github", result)
    sarif = json.loads(render("sarif", result))
    summary = summary_markdown(result, "warning", False)
    for out in (text, github, summary, json.dumps(sarif, ensure_ascii=False)):
        assert "\x1b" not in out and "\u202e" not in out and "\r" not in out
    # github: exactly one command line per finding/error, each one of ours
    lines = github.splitlines()
    assert len(lines) == 2 and all(re.match(r"::(error|warning|notice) [a-zA-Z]+=", ln) for ln in lines), lines
    # text: one line per error, finding and hint, plus the summary; nothing starts a command
    assert len(text.splitlines()) == 3 + bool(message)
    # summary: nothing left unescaped that Markdown or HTML would act on (our rule link aside)
    rows = "\n".join(r for r in summary.splitlines() if r.startswith(("|", "###")))
    ours = re.sub(r"\[STL001 duplicate\\?-key\]\([^)\s]+\)", "", rows)
    raw = re.sub(r"\\.", "", ours)
    assert not set(raw) & set("<>`!&$~*_[]"), summary
    assert all(len(re.findall(r"(?<!\\)\|", row)) in (4, 5) for row in summary.splitlines() if row.startswith("|"))
