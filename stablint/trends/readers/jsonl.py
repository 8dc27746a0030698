"""Reader for JSONL logs: the probe's own trace format and other one-dict-per-line logs.

research/probe_anchors.md §11.4: one object per line with a step key (``step``,
``iter``, ``global_step``, ``_step``); ``json.loads`` accepts ``NaN``/``Infinity``.
Covers the stablint trace (optional first line ``{"meta": {...}}``, keys of
:class:`~stablint.trends.trace.StepRecord`, ``"NaN"`` strings), mmengine/mmcv
``*.log.json`` (``mode: val`` rows give ``eval_loss``), W&B history exports and
HF ``log_history`` dumps. Rows without a step key are numbered by position.
"""

from __future__ import annotations

import json
from typing import Any

from ...linter.document import InputError
from ..trace import Trace
from .common import STEP_KEYS, RowMerger, split_metrics, to_float


def parse(path: str, text: str) -> Trace:
    """Parse JSONL text.

    Raises:
        InputError: a line that is not a JSON object (with its line and column), or no rows.
    """
    merger = RowMerger()
    meta: dict[str, Any] = {"format": "jsonl"}
    auto = 0
    for lineno, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        try:
            row = json.loads(s)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"invalid JSON line: {exc.msg}", lineno, exc.colno + (len(line) - len(line.lstrip()))) from None
        except RecursionError:
            raise InputError(path, "JSON nested too deeply", lineno) from None
        if not isinstance(row, dict):
            raise InputError(path, "expected one JSON object per line", lineno)
        if set(row) == {"meta"} and isinstance(row["meta"], dict):
            meta.update(row["meta"])
            meta["format"] = "stablint-trace"
            continue
        step = None
        for k in STEP_KEYS:
            if k in row:
                step = to_float(row[k])
                if step is None:
                    raise InputError(path, f"{k!r} is not a number", lineno)
                break
        if step is None:
            step = float(auto)
        auto = int(step) + 1
        values = split_metrics(row)
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
        raise InputError(path, "no metric rows in the JSONL log")
    meta.pop("record_lines", None)
    return merger.trace(meta)
