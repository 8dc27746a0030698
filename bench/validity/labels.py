"""Ground-truth labels from the long runs (the rule of README "Ground-truth label", fixed before
any probe result was looked at; change it only with a note in the README).

Constants: :data:`Y` (relative margin, 5 %), :data:`EPS` (resolution floor, 1 % of the initial
validation loss, or 0.01 of the relative-progress outcome of multitask runs).
"""

from __future__ import annotations

import math

#: A config is "worse than its fix" when its outcome exceeds the reference's by more than 5 % ...
Y = 0.05
#: ... and by more than this share of the initial validation loss (run-to-run resolution floor).
EPS = 0.01
#: Signals whose label is "worse than the fix"; ``lr-never-changes`` is labelled by the LR trace.
WORSE_SIGNALS = ("lr-ab", "clip-saturation", "task-grad-share", "lora-effective-update", "noise-scale",
                 "loss-spike", "lr-cut-too-late", "update-ratio")


def _f(v):
    return v if isinstance(v, (int, float)) and math.isfinite(v) else None


def outcome(run: dict) -> float | None:
    """The long run's outcome (lower is better); ``None`` = diverged / non-finite.

    Multitask runs (>= 2 loss terms): mean over terms of (term loss over the last 10 % of the
    steps / term loss at step 0), unweighted by construction (the weights cancel), so that a
    term that never learns counts as much as the dominant one. Otherwise: the last finite
    validation loss (one per epoch).
    """
    if run["status"] == "nonfinite":
        return None
    if run.get("terms_first") and run.get("terms_tail") and len(run["terms_first"]) >= 2:
        r = [run["terms_tail"][k] / run["terms_first"][k] for k in run["terms_first"] if run["terms_first"][k]]
        return sum(r) / len(r) if r and all(map(math.isfinite, r)) else None
    vals = [v for v in (_f(x) for x in run["val_losses"]) if v is not None]
    return vals[-1] if vals else None


def diverged(run: dict) -> bool:
    """Non-finite, no finite outcome, or a training loss that ends above where it started."""
    if outcome(run) is None:
        return True
    first, tail = _f(run.get("first_loss")), _f(run.get("tail_loss"))
    return first is not None and tail is not None and tail > first


def worse(run: dict, ref: dict) -> bool:
    """The config's long run ends worse than its reference (the family's fix) by > Y and > EPS."""
    dc, dr = diverged(run), diverged(ref)
    if dc or dr:
        return dc and not dr
    a, b = outcome(run), outcome(ref)
    floor = EPS * (abs(_f(run.get("init_loss")) or 1.0) if not run.get("terms_first") else 1.0)
    return a > b * (1 + Y) and a - b > floor


def lr_never_cut(run: dict) -> bool:
    """The LR at the last step equals the LR right after warmup (relative tolerance 1e-6)."""
    a, b = _f(run.get("lr_after_warmup")), _f(run.get("lr_last"))
    if a is None or b is None:
        return False
    return abs(a - b) <= 1e-6 * max(abs(a), 1e-30)


def plateaued(run: dict) -> bool:
    """Descriptive only: the last quarter of the epochs improved the validation loss by < 1 %."""
    vals = [v for v in (_f(x) for x in run["val_losses"]) if v is not None]
    if len(vals) < 4:
        return False
    q = vals[-max(2, len(vals) // 4):]
    return q[0] - min(q) < 0.01 * abs(q[0])


def label(signal: str, run: dict, ref: dict) -> bool | None:
    """Positive label of ``signal`` on this config (``None`` = no label for this signal)."""
    if signal in WORSE_SIGNALS:
        return worse(run, ref)
    if signal == "lr-never-changes":
        return lr_never_cut(run)
    return None
