"""Reader for Lightning ``CSVLogger`` ``metrics.csv`` (research/probe_anchors.md §11.2).

Columns are the sorted union of all logged keys plus ``step``; rows are sparse
(empty cell = not logged). ``lr-<Optimizer>`` comes from ``LearningRateMonitor``,
``grad_2.0_norm_total`` from Lightning's ``grad_norm`` utility; ``<name>_step`` /
``<name>_epoch`` are forked on_step/on_epoch metrics (``train_loss_step`` is
preferred over ``train_loss_epoch``). Rows with the same step are merged.
Also reads any CSV with a step-like column and metric columns.

A bad row never rejects the whole log (issue 16): rows with more cells than the header
or a non-numeric step are skipped and counted (``trace.meta["skipped"]``), non-numeric
metric cells are dropped (their rows counted). Held-out columns (``test_*`` from
``trainer.test``, ``predict_*``) never enter the training series: rows holding only
them go to ``trace.meta["held_out"]``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ...linter.document import InputError
from ..trace import Trace
from .common import STEP_KEYS, RowMerger, SkipCounter, is_held_out, split_metrics, to_float


def parse(path: str, text: str) -> Trace:
    """Parse CSV text.

    Raises:
        InputError: no header, malformed CSV quoting, or no readable metric row (then at the
            first skipped row's line).
    """
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames
    if not header:
        raise InputError(path, "empty CSV: no header row")
    step_col = next((h for h in header if h and h.strip().lower() in STEP_KEYS), None)
    # prefer the per-step fork of a metric over its per-epoch fork
    order = sorted(header, key=lambda h: (h or "").endswith("_epoch"))
    merger = RowMerger()
    meta: dict[str, Any] = {"format": "lightning-csv"}
    skips = SkipCounter()
    first_error: InputError | None = None
    held = [h for h in order if h and is_held_out(h)]
    train_cols = [h for h in order if h and not is_held_out(h)]
    held_out: list[dict[str, Any]] = []
    try:
        for i, row in enumerate(reader):
            line = reader.line_num
            if None in row:
                first_error = first_error or InputError(
                    path, f"row has {len(header) + len(row[None])} cells, header has {len(header)}", line)
                skips.add("with more cells than the header", line)
                continue
            if step_col is not None:
                step = to_float(row.get(step_col))
                if step is None or step != step or abs(step) == float("inf"):
                    if not (row.get(step_col) or "").strip():
                        step = float(i)
                    else:
                        first_error = first_error or InputError(path, f"step {row.get(step_col)!r} is not a number",
                                                                line)
                        skips.add("without a numeric step", line)
                        continue
            else:
                step = float(i)
            bad: list[str] = []
            values = split_metrics({h: row[h] for h in train_cols}, bad)
            if bad:
                skips.add("with non-numeric values", line)
            if values:
                merger.add(int(step), values, line)
            elif held:
                ho = {h: f for h in held if (f := to_float(row[h])) is not None}
                if ho:
                    held_out.append({"step": int(step), **ho})
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV: {exc}", reader.line_num) from None
    if not len(merger):
        if first_error is not None:
            raise first_error
        raise InputError(path, "no metric rows in the CSV")
    if held_out:
        meta["held_out"] = held_out
    skips.meta(meta)
    if step_col is None:
        meta["step_unit"] = "row"
    return merger.trace(meta)
