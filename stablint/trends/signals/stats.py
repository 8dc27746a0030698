"""Small numeric helpers shared by the signal modules (pure Python, no numpy)."""

from __future__ import annotations

import math


def _median_sorted(s: list[float]) -> float:
    """Median of an already sorted, non-empty list (mean of the two middle values for even length).

    Raises IndexError on an empty list.
    """
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def _median(xs: list[float]) -> float:
    """Median of ``xs`` (any order, non-empty; raises IndexError when empty)."""
    return _median_sorted(sorted(xs))


def _pct(xs: list[float], q: float) -> float:
    """Percentile ``q`` in [0, 1] of ``xs``, linear interpolation between ranks (numpy's default); NaN when empty."""
    s = sorted(xs)
    if not s:
        return float("nan")
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _g(x: float | None, digits: int = 4) -> float | None:
    """Round for evidence output (``digits`` significant digits); ``None``, 0, NaN and Inf pass through.

    Shared with the probe (``stablint.probes.signals_probe``) so both report evidence alike.
    """
    if x is None or not math.isfinite(x) or x == 0:
        return x
    return float(f"{x:.{digits}g}")


def _rel_drop(a: float, b: float) -> float:
    """Relative decrease from ``a`` to ``b``: ``(a - b) / |a|`` (positive = improvement; 0.0 when ``a`` is 0)."""
    return (a - b) / abs(a) if a != 0 else 0.0
