"""The logged learning-rate trace: its series, LR equality, and plateau-style LR cuts.

Shared by ``lr-never-changes`` (:mod:`.lr_constant`) and ``lr-cut-too-late``
(:mod:`.lr_cut`); :func:`lr_cuts` is public (tests, the judge).
"""

from __future__ import annotations

from ..trace import Trace
from .catalog import DEFAULT_OPTIONS
from .series import points


def _lr_points(trace: Trace, o: dict | None = None) -> list[tuple[int, int, float]]:
    """The finite, non-negative ``lr`` values as ``(record index, step, lr)``."""
    return [p for p in points(trace, "lr", o=o) if p[2] >= 0]


def _same(a: float, b: float, tol: float) -> bool:
    """``a`` and ``b`` equal within relative tolerance ``tol`` (of the larger magnitude)."""
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e-300)


def lr_cuts(trace: Trace, o: dict | None = None) -> list[tuple[int, int, float, float]]:
    """Plateau-style LR cuts: ``(point index in the lr series, step, lr before, lr after)``.

    A cut is a drop to <= ``lr_cut_ratio`` x the previous value after >= 3 points of
    constant LR that is the first decrease (since the last increase) or repeats the
    factor of the previous cut: a step function, not a cosine/linear decay, even one
    stepped per epoch.

    Args:
        trace: the run; only its ``lr`` values count (logged points, not steps).
        o: options (missing keys from :data:`DEFAULT_OPTIONS`): ``lr_rel_tol`` (1e-6,
            equality of two LRs) and ``lr_cut_ratio`` (0.9). The 3 flat points and the 5%
            tolerance on a repeated factor are hard-coded.

    Returns:
        The cuts in step order; empty when there is none. Never raises.
    """
    o = {**DEFAULT_OPTIONS, **(o or {})}
    pts = _lr_points(trace, o)
    tol, ratio = float(o["lr_rel_tol"]), float(o["lr_cut_ratio"])
    out = []
    prev_drop: float | None = None   # ratio of the previous decrease since the last increase
    prev_was_cut = False
    for i in range(1, len(pts)):
        a, b = pts[i - 1][2], pts[i][2]
        if _same(a, b, tol):
            continue
        if b > a:  # warm-up or a warm restart: start over
            prev_drop, prev_was_cut = None, False
            continue
        r = b / a if a > 0 else 0.0
        flat = i >= 3 and _same(pts[i - 3][2], a, tol) and _same(pts[i - 2][2], a, tol)
        # the first decrease, or a repeat of a previous cut with the same factor (ReduceLROnPlateau's
        # fixed factor); a per-epoch cosine/exponential decay starts with small drops and is never a cut
        is_cut = flat and r <= ratio and (prev_drop is None or (prev_was_cut and abs(r / prev_drop - 1) < 0.05))
        if is_cut:
            out.append((i, pts[i][1], a, b))
        prev_drop, prev_was_cut = r, is_cut
    return out
