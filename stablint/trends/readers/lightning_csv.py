"""Reader for Lightning ``CSVLogger`` ``metrics.csv`` (research/probe_anchors.md §11.2).

Columns are the sorted union of all logged keys plus ``step``; rows are sparse
(empty cell = not logged). ``lr-<Optimizer>`` comes from ``LearningRateMonitor``,
``grad_2.0_norm_total`` from Lightning's ``grad_norm`` utility; ``<name>_step`` /
``<name>_epoch`` are forked on_step/on_epoch metrics (``train_loss_step`` is
preferred over ``train_loss_epoch``). Rows with the same step are merged.
Also reads any CSV with a step-like column and metric columns.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ...linter.document import InputError
from ..trace import Trace
from .common import STEP_KEYS, RowMerger, split_metrics, to_float


def parse(path: str, text: str) -> Trace:
    """Parse CSV text.

    Raises:
        InputError: no header, no metric columns, or a non-numeric step (with its line).
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
    try:
        for i, row in enumerate(reader):
            line = reader.line_num
            if None in row:
                raise InputError(path, f"row has {len(header) + len(row[None])} cells, header has {len(header)}", line)
            if step_col is not None:
                step = to_float(row.get(step_col))
                if step is None:
                    if not (row.get(step_col) or "").strip():
                        step = float(i)
                    else:
                        raise InputError(path, f"step {row.get(step_col)!r} is not a number", line)
            else:
                step = float(i)
            values = split_metrics({h: row[h] for h in order if h})
            if values:
                merger.add(int(step), values, line)
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV: {exc}", reader.line_num) from None
    if not len(merger):
        raise InputError(path, "no metric rows in the CSV")
    if step_col is None:
        meta["step_unit"] = "row"
    return merger.trace(meta)
