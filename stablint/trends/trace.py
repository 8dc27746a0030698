"""The Trace: per-step training records, written by the probe and read by ``diagnose``.

A Trace is a list of :class:`StepRecord` plus metadata. Its on-disk form is
JSONL: an optional first line ``{"meta": {...}}`` then one JSON object per
record with the keys of :class:`StepRecord` (absent keys = not measured).
Units: ``step`` counts optimizer steps from 0; ``epoch`` may be fractional;
``grad_norm`` is the **pre-clip** global L2 norm; ``lr`` is the LR of the first
param group at that step.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Iterator

#: Keys of a JSONL record that map to StepRecord fields (others go to ``extra``).
RECORD_KEYS = ("step", "epoch", "loss", "eval_loss", "lr", "grad_norm", "clipped", "loss_terms",
               "update_ratio", "loss_scale", "phase")


@dataclass
class StepRecord:
    """One logged step.

    Attributes:
        step: optimizer step index (0-based for the probe; as logged for real runs).
        epoch: epoch position (fractional allowed), if known.
        loss: training loss (for HF logs, the mean over the logging window).
        eval_loss: validation loss when an evaluation happened at this step.
        lr: learning rate applied at this step.
        grad_norm: global gradient L2 norm **before** clipping.
        clipped: True when clipping changed the gradient at this step.
        loss_terms: named loss components ``{term: value}`` (weighted as configured).
        update_ratio: ||Δθ|| / ||θ|| over the step (median over tensors), if measured.
        loss_scale: AMP loss scale, if any.
        phase: free label (``"train"``, ``"warmup"``, ``"ab-lr/3"``...).
        extra: any other logged metric (``eval_accuracy`` ...).
    """

    step: int
    epoch: float | None = None
    loss: float | None = None
    eval_loss: float | None = None
    lr: float | None = None
    grad_norm: float | None = None
    clipped: bool | None = None
    loss_terms: dict[str, float] | None = None
    update_ratio: float | None = None
    loss_scale: float | None = None
    phase: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict without ``None`` values; non-finite floats as the strings ``"NaN"``/``"Infinity"``."""
        out: dict[str, Any] = {}
        for k, v in asdict(self).items():
            if v is None or (k == "extra" and not v):
                continue
            out[k] = _finite(v)
        return out


def _finite(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    return v


@dataclass
class Trace:
    """A sequence of step records plus what is known about the run.

    Attributes:
        records: in step order.
        meta: e.g. ``{"source": "trainer_state.json", "format": "hf-trainer-state",
            "max_grad_norm": 1.0, "steps_per_epoch": 50, "horizon_steps": 300}``.
    """

    records: list[StepRecord] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)

    def series(self, key: str) -> list[tuple[int, float]]:
        """``(step, value)`` pairs where ``key`` was measured (NaN kept, ``None`` skipped)."""
        out = []
        for r in self.records:
            v = getattr(r, key, None) if key in RECORD_KEYS else r.extra.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                out.append((r.step, float(v)))
        return out

    def write_jsonl(self, fh) -> None:
        """Write the JSONL form (meta line first) to a text file handle."""
        fh.write(json.dumps({"meta": _finite(self.meta)}) + "\n")
        for r in self.records:
            fh.write(json.dumps(r.to_json()) + "\n")

    def __iter__(self) -> Iterator[StepRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    @classmethod
    def from_records(cls, rows: Iterable[dict[str, Any]], meta: dict[str, Any] | None = None) -> "Trace":
        """Build from JSON-like dicts (unknown keys go to ``extra``; ``"NaN"`` strings become floats)."""
        recs = []
        for i, row in enumerate(rows):
            kw: dict[str, Any] = {"extra": {}}
            for k, v in row.items():
                v = _parse_nonfinite(v)
                if k in RECORD_KEYS:
                    kw[k] = v
                else:
                    kw["extra"][k] = v
            kw.setdefault("step", i)
            recs.append(StepRecord(**kw))
        return cls(records=recs, meta=dict(meta or {}))


def _parse_nonfinite(v: Any) -> Any:
    if isinstance(v, str) and v in ("NaN", "nan", "Infinity", "-Infinity", "inf", "-inf"):
        return float(v.replace("Infinity", "inf"))
    if isinstance(v, dict):
        return {k: _parse_nonfinite(x) for k, x in v.items()}
    return v
