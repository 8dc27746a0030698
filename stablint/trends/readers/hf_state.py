"""Reader for Hugging Face ``trainer_state.json`` (``log_history``), research/probe_anchors.md §11.1.

Semantics kept from the Trainer: ``loss`` is the mean over the logging window
(rounded to 4 decimals), ``grad_norm`` and ``learning_rate`` are the instant
values of the window's last optimizer step, ``grad_norm`` is **pre-clip**.
Train, eval and the final summary row are separate ``log_history`` entries;
entries with the same ``step`` are merged into one record. Bare ``NaN`` /
``Infinity`` tokens (written when training diverged) are accepted. Eval rows of
several datasets (``eval_<name>_loss``) stay in ``extra`` under their own names.

A bad entry never rejects the whole log (issue 16): entries that are not objects or
carry no numeric ``step`` are skipped and counted (``trace.meta["skipped"]``), non-numeric
metric values are dropped and their entries counted. Entries whose metrics are all
held-out (``predict_*`` / ``test_*``, written by ``Trainer.predict`` or
``evaluate(metric_key_prefix="test")``, often without a step) go to
``trace.meta["held_out"]`` (a list of dicts), never into the training series.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...linter.document import InputError
from ..trace import Trace
from .common import RowMerger, SkipCounter, is_held_out, split_metrics, to_float

_STEP_RE = re.compile(r'"step"\s*:')
_SUMMARY_KEYS = ("train_runtime", "total_flos", "train_samples_per_second")


def parse(path: str, text: str) -> Trace:
    """Parse the text of a ``trainer_state.json`` (or a bare ``log_history`` list).

    Raises:
        InputError: invalid JSON (with its line/column), or no ``log_history`` list of objects.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputError(path, "JSON nested too deeply") from None
    if isinstance(data, dict):
        history = data.get("log_history")
        if not isinstance(history, list):
            raise InputError(path, "not a trainer_state.json: no 'log_history' list")
        top = data
    elif isinstance(data, list):
        history, top = data, {}
    else:
        raise InputError(path, "not a trainer_state.json: top level is neither an object nor a list")
    lines = _row_lines(text, len(history))
    merger = RowMerger()
    skips = SkipCounter()
    meta: dict[str, Any] = {"format": "hf-trainer-state"}
    held_out: list[dict[str, Any]] = []
    for i, row in enumerate(history):
        line = lines[i] if lines else 0
        if not isinstance(row, dict):
            skips.add("not an object", line)
            continue
        metrics = [k for k in row if k not in ("step", "epoch")]
        if metrics and all(is_held_out(k) for k in metrics):
            held_out.append({k: v for k, v in row.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)})
            continue
        step = to_float(row.get("step"))
        if step is None or step != step or abs(step) == float("inf"):
            skips.add("without a step", line)
            continue
        if any(k in row for k in _SUMMARY_KEYS):
            meta["summary"] = {k: v for k, v in row.items() if isinstance(v, (int, float, str))}
            continue
        bad: list[str] = []
        values = split_metrics({k: v for k, v in row.items() if not is_held_out(k)}, bad)
        if bad:
            skips.add("with non-numeric values", line)
        if values:
            merger.add(int(step), values, line)
    if held_out:
        meta["held_out"] = held_out
    skips.meta(meta)
    for key in ("logging_steps", "eval_steps", "max_steps", "num_train_epochs", "train_batch_size", "global_step"):
        if isinstance(top.get(key), (int, float)) and not isinstance(top.get(key), bool):
            meta[key] = top[key]
    if meta.get("max_steps") and meta.get("num_train_epochs"):
        meta["steps_per_epoch"] = meta["max_steps"] / meta["num_train_epochs"]
    return merger.trace(meta)


def _row_lines(text: str, rows: int) -> list[int] | None:
    """1-based line of each log_history row's ``"step"`` key (one per row), or None when the count differs."""
    positions = [m.start() for m in _STEP_RE.finditer(text)]
    if len(positions) != rows:
        return None
    out, line, last = [], 1, 0
    for pos in positions:
        line += text.count("\n", last, pos)
        last = pos
        out.append(line)
    return out
