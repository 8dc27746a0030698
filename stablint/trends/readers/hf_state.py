"""Reader for Hugging Face ``trainer_state.json`` (``log_history``), research/probe_anchors.md §11.1.

Semantics kept from the Trainer: ``loss`` is the mean over the logging window
(rounded to 4 decimals), ``grad_norm`` and ``learning_rate`` are the instant
values of the window's last optimizer step, ``grad_norm`` is **pre-clip**.
Train, eval and the final summary row are separate ``log_history`` entries;
entries with the same ``step`` are merged into one record. Bare ``NaN`` /
``Infinity`` tokens (written when training diverged) are accepted. Eval rows of
several datasets (``eval_<name>_loss``) stay in ``extra`` under their own names.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...linter.document import InputError
from ..trace import Trace
from .common import RowMerger, split_metrics, to_float

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
    meta: dict[str, Any] = {"format": "hf-trainer-state"}
    for i, row in enumerate(history):
        if not isinstance(row, dict):
            raise InputError(path, f"log_history[{i}] is not an object", lines[i] if lines else 1)
        step = to_float(row.get("step"))
        if step is None:
            raise InputError(path, f"log_history[{i}] has no numeric 'step'", lines[i] if lines else 1)
        if any(k in row for k in _SUMMARY_KEYS):
            meta["summary"] = {k: v for k, v in row.items() if isinstance(v, (int, float, str))}
            continue
        merger.add(int(step), split_metrics(row), lines[i] if lines else 0)
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
