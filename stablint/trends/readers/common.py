"""Shared by the log readers: metric-name aliases and step-merging of logged rows.

Every reader turns its rows (``{metric: value}`` with a step) into a
:class:`~stablint.trends.trace.Trace` through :class:`RowMerger`, so that the
same alias table (research/probe_anchors.md §11.4: "map key aliases to canonical
names") applies to every format.
"""

from __future__ import annotations

import math
from typing import Any

from ..trace import StepRecord, Trace

#: Canonical StepRecord field → metric names (lower-case) that mean it.
ALIASES: dict[str, tuple[str, ...]] = {
    "loss": ("loss", "train_loss", "train/loss", "loss/train", "train_loss_step", "training_loss", "train/loss_step",
             "trainer/loss", "train/loss_iter"),
    "eval_loss": ("eval_loss", "val_loss", "eval/loss", "val/loss", "loss/val", "loss/validation", "valid_loss",
                  "validation_loss", "val_loss_epoch", "validation/loss", "valid/loss"),
    "lr": ("lr", "learning_rate", "train/learning_rate", "train/lr", "learning-rate", "lr/pg0", "lr_0"),
    "grad_norm": ("grad_norm", "train/grad_norm", "grad_2.0_norm_total", "gradient_norm", "grad_norm_total",
                  "total_norm", "pre_clip_grad_norm", "train/grad_norm_step", "grad_norm_step"),
    "epoch": ("epoch", "train/epoch"),
    "loss_scale": ("loss_scale", "train/loss_scale", "scaler/scale"),
    "update_ratio": ("update_ratio",),
}
#: Metric names that give the step of a row.
STEP_KEYS = ("step", "iter", "global_step", "_step", "iteration", "trainer/global_step", "train/global_step")

_STEP_SET = set(STEP_KEYS) | {k.upper() for k in STEP_KEYS} | {k.title() for k in STEP_KEYS}
_LOOKUP = {alias: canon for canon, names in ALIASES.items() for alias in names}


_CANON_CACHE: dict[str, str | None] = {}


def canonical(name: str) -> str | None:
    """The StepRecord field a metric name maps to (``"train/loss"`` → ``"loss"``; ``lr-AdamW`` → ``"lr"``), else None."""
    try:
        return _CANON_CACHE[name]
    except KeyError:
        pass
    low = name.strip().lower()
    hit = _LOOKUP.get(low)
    if hit is None and low.startswith("lr-") and "/" not in low.split("-", 1)[1]:
        hit = "lr"  # Lightning LearningRateMonitor: lr-<Optimizer>
    if len(_CANON_CACHE) < 10000:
        _CANON_CACHE[name] = hit
    return hit


def to_float(v: Any) -> float | None:
    """A number (bool excluded), or a numeric / NaN / Infinity string, as float; else None."""
    t = type(v)
    if t is float:
        return v
    if t is int:
        return float(v)
    if t is bool:
        return None
    if isinstance(v, str):
        s = v.strip()
        if not s:
            return None
        try:
            return float(s)
        except ValueError:
            return None
    return None


_PLAIN = frozenset(("loss", "eval_loss", "lr", "grad_norm", "epoch", "loss_scale", "update_ratio", "loss_terms"))


class RowMerger:
    """Collects logged rows and merges those with the same step into one StepRecord.

    Later rows win for the same key (a restarted run re-logs a step: keep the
    newest, research §11.3). The first line a step was seen on is kept for
    locating findings.
    """

    def __init__(self) -> None:
        self._rows: dict[int, dict[str, Any]] = {}
        self._lines: dict[int, int] = {}
        self._order: list[int] = []

    def add(self, step: int, values: dict[str, Any], line: int = 0, keep_first: tuple[str, ...] = ()) -> None:
        """Merge ``values`` (canonical field names or ``extra`` names) into the record of ``step``.

        ``keep_first``: keys that must not overwrite an existing value (e.g. nanoGPT's
        eval-time train-loss estimate vs the logged iteration loss).
        """
        row = self._rows.get(step)
        if row is None:
            row = self._rows[step] = {}
            self._lines[step] = line
            self._order.append(step)
        for k, v in values.items():
            if k in keep_first and k in row:
                continue
            row[k] = v

    def __len__(self) -> int:
        return len(self._rows)

    def trace(self, meta: dict[str, Any]) -> Trace:
        """The merged Trace, records sorted by step; ``meta["record_lines"]`` holds each record's line (0 = unknown)."""
        steps = sorted(self._rows)
        records = []
        plain = _PLAIN
        for s in steps:
            row = self._rows[s]
            kw: dict[str, Any] = {}
            extra: dict[str, Any] = {}
            for k, v in row.items():
                if k in plain:
                    kw[k] = v
                elif k == "clipped":
                    kw[k] = bool(v)
                elif k == "phase":
                    kw[k] = str(v)
                else:
                    extra[k] = v
            records.append(StepRecord(step=s, extra=extra, **kw))
        meta = dict(meta)
        meta["record_lines"] = [self._lines[s] for s in steps]
        return Trace(records=records, meta=meta)


#: Prefixes of held-out metrics (``Trainer.predict`` / ``evaluate(metric_key_prefix="test")``): never training
#: metrics, never merged into the train/eval series (``predict_loss`` is not ``loss``).
HELD_OUT_PREFIXES = ("predict_", "test_", "predict/", "test/")


def is_held_out(name: str) -> bool:
    """True for a ``predict_*`` / ``test_*`` metric name (case-insensitive)."""
    return name.strip().lower().startswith(HELD_OUT_PREFIXES)


def split_metrics(row: dict[str, Any], bad: list[str] | None = None) -> dict[str, Any]:
    """Map a raw ``{metric: value}`` row to canonical fields (numbers only; unknown metrics go to ``extra`` names).

    The first alias found wins for each canonical field (``train_loss_step`` before ``train_loss_epoch``).
    ``bad``: when given, the names of canonical metrics (loss, lr, grad_norm...) whose value is
    present but not a number (``"loss": "abc"``, ``null``) are appended to it; the value is dropped.
    """
    out: dict[str, Any] = {}
    for k, v in row.items():
        if k in _STEP_SET:
            continue
        f = v if type(v) is float else to_float(v)
        if f is None:
            if bad is not None and canonical(k) is not None and not (isinstance(v, str) and not v.strip()):
                bad.append(k)
            continue
        canon = canonical(k)
        if canon is None:
            out[k] = f
        elif canon not in out:
            out[canon] = f
    return out


class SkipCounter:
    """Counts log entries a reader skipped instead of rejecting the whole log, by reason.

    Reasons are short phrases (``"without a step"``, ``"with non-numeric values"``,
    ``"not valid JSON"``...). :meth:`meta` gives the ``trace.meta["skipped"]`` dict
    (reason → count) and ``trace.meta["skipped_first_line"]`` (1-based line of the first
    skipped entry, 0 when unknown), which ``diagnose`` prints in its header line.
    """

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.first_line = 0

    def add(self, reason: str, line: int = 0) -> None:
        """Count one skipped entry (``line``: its 1-based line when known)."""
        self.counts[reason] = self.counts.get(reason, 0) + 1
        if line and not self.first_line:
            self.first_line = line

    def __len__(self) -> int:
        return sum(self.counts.values())

    def meta(self, meta: dict[str, Any]) -> dict[str, Any]:
        """``meta`` with ``skipped`` / ``skipped_first_line`` set when anything was skipped (returned, same dict)."""
        if self.counts:
            meta["skipped"] = dict(self.counts)
            if self.first_line:
                meta["skipped_first_line"] = self.first_line
        return meta


def is_finite(v: float | None) -> bool:
    """True for a finite float."""
    return v is not None and math.isfinite(v)
