"""Reader for JSONL logs: the probe's own trace format and other one-dict-per-line logs.

research/probe_anchors.md §11.4: one object per line with a step key (``step``,
``iter``, ``global_step``, ``_step``); ``json.loads`` accepts ``NaN``/``Infinity``.
Covers the stablint trace (optional first line ``{"meta": {...}}``, keys of
:class:`~stablint.trends.trace.StepRecord`, ``"NaN"`` strings), mmengine/mmcv
``*.log.json`` (``mode: val`` rows give ``eval_loss``), W&B history exports and
HF ``log_history`` dumps. Rows without a step key are numbered by position.

A bad line never rejects the whole log (issue 16): lines that are not JSON objects or
whose step is not a number are skipped and counted (``trace.meta["skipped"]``), and
non-numeric metric values are dropped (their lines counted). Only a log with no
readable row at all is an error (at the first bad line). Rows whose metrics are all
held-out (``predict_*`` / ``test_*``) go to ``trace.meta["held_out"]``.
"""

from __future__ import annotations

import json
from typing import Any

from ...linter.document import InputError
from ..trace import Trace
from .common import STEP_KEYS, RowMerger, SkipCounter, is_held_out, split_metrics, to_float


def parse(path: str, text: str) -> Trace:
    """Parse JSONL text.

    Raises:
        InputError: a line that is not a JSON object (with its line and column), or no rows.
    """
    merger = RowMerger()
    meta: dict[str, Any] = {"format": "jsonl"}
    auto = 0
    skips = SkipCounter()
    first_error: InputError | None = None
    held_out: list[dict[str, Any]] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        try:
            row = json.loads(s)
        except json.JSONDecodeError as exc:
            first_error = first_error or InputError(path, f"invalid JSON line: {exc.msg}", lineno,
                                                    exc.colno + (len(line) - len(line.lstrip())))
            skips.add("not valid JSON", lineno)
            continue
        except RecursionError:
            first_error = first_error or InputError(path, "JSON nested too deeply", lineno)
            skips.add("not valid JSON", lineno)
            continue
        if not isinstance(row, dict):
            first_error = first_error or InputError(path, "expected one JSON object per line", lineno)
            skips.add("not an object", lineno)
            continue
        if set(row) == {"meta"} and isinstance(row["meta"], dict):
            meta.update(row["meta"])
            meta["format"] = "stablint-trace"
            continue
        metrics = [k for k in row if k not in STEP_KEYS and k != "epoch"]
        if metrics and all(is_held_out(k) for k in metrics):
            held_out.append({k: v for k, v in row.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)})
            continue
        step = None
        bad_step = False
        for k in STEP_KEYS:
            if k in row:
                step = to_float(row[k])
                if step is None or step != step or abs(step) == float("inf"):
                    first_error = first_error or InputError(path, f"{k!r} is not a number", lineno)
                    bad_step = True
                break
        if bad_step:
            skips.add("without a numeric step", lineno)
            continue
        if step is None:
            step = float(auto)
        auto = int(step) + 1
        bad: list[str] = []
        values = split_metrics({k: v for k, v in row.items() if not is_held_out(k)}, bad)
        if bad:
            skips.add("with non-numeric values", lineno)
        if isinstance(row.get("loss_terms"), dict):
            values["loss_terms"] = {k: f for k, v in row["loss_terms"].items() if (f := to_float(v)) is not None}
        if isinstance(row.get("clipped"), bool):
            values["clipped"] = row["clipped"]
        if isinstance(row.get("phase"), str):
            values["phase"] = row["phase"]
        if str(row.get("mode", "")).lower() in ("val", "eval", "valid", "validation") and "loss" in values:
            values["eval_loss"] = values.pop("loss")
        values.pop("clipped", None) if not isinstance(row.get("clipped"), bool) else None
        if values:
            merger.add(int(step), values, lineno)
    if not len(merger):
        if first_error is not None:
            raise first_error
        raise InputError(path, "no metric rows in the JSONL log")
    meta.pop("record_lines", None)
    if held_out:
        meta["held_out"] = held_out
    skips.meta(meta)
    return merger.trace(meta)
