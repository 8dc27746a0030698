"""Monotonic-trend statistics (pure Python): Mann-Kendall test and Theil-Sen slope.

Used by ``grad-norm-growth`` (issue 16): "the grad norm keeps growing" is a monotonic
trend, which a late/early median ratio after a warm-up cut can hide. Both are rank
methods, robust to the outliers and heavy tails of logged grad norms.

References:
- Mann, H. B. (1945) "Nonparametric tests against trend", Econometrica 13(3):245-259;
  Kendall, M. G. (1975) *Rank Correlation Methods*, 4th ed. The statistic
  ``S = sum_{i<j} sign(x_j - x_i)``, its variance under H0 with the tie correction
  ``Var S = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)] / 18`` and the continuity-corrected
  ``Z = (S - sign(S)) / sqrt(Var S)`` are as in Gilbert, R. O. (1987) *Statistical Methods
  for Environmental Pollution Monitoring*, §16.4 (the form scipy-free implementations such
  as ``pymannkendall.original_test`` use).
- Theil, H. (1950) "A rank-invariant method of linear and polynomial regression analysis";
  Sen, P. K. (1968) "Estimates of the regression coefficient based on Kendall's tau",
  JASA 63:1379-1389: the slope is the median of all pairwise slopes.

Logged series are long (10,000+ points) and autocorrelated (neighbouring grad norms are
not independent draws), which makes a point-level Mann-Kendall p-value overconfident.
:func:`bin_medians` therefore first reduces the series to at most ``bins`` medians of
consecutive points (default 40): the test then asks whether the *level* of the series
moves monotonically, and stays O(bins^2).
"""

from __future__ import annotations

import math

from .stats import _median


def bin_medians(xs: list[float], ys: list[float], bins: int = 40) -> tuple[list[float], list[float]]:
    """``(x medians, y medians)`` of ``min(bins, n)`` consecutive, near-equal groups of the points.

    ``xs``/``ys`` have the same length (ordered by x). Returns the lists unchanged when
    ``n <= bins``.
    """
    n = len(ys)
    if n <= bins:
        return list(xs), list(ys)
    bx, by = [], []
    for b in range(bins):
        lo, hi = b * n // bins, (b + 1) * n // bins
        bx.append(_median(xs[lo:hi]))
        by.append(_median(ys[lo:hi]))
    return bx, by


def mann_kendall(ys: list[float]) -> tuple[int, float, float]:
    """Mann-Kendall trend test of ``ys`` (in order): ``(S, Z, p_increasing)``.

    ``p_increasing`` is the one-sided p-value of "no trend" against "increasing"
    (normal approximation, adequate from n >= 10; Gilbert 1987 §16.4). ``S`` > 0 means
    more increasing than decreasing pairs. For n < 3 returns ``(0, 0.0, 1.0)``.
    """
    n = len(ys)
    if n < 3:
        return 0, 0.0, 1.0
    s = 0
    for i in range(n - 1):
        yi = ys[i]
        for j in range(i + 1, n):
            d = ys[j] - yi
            s += (d > 0) - (d < 0)
    ties: dict[float, int] = {}
    for y in ys:
        ties[y] = ties.get(y, 0) + 1
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties.values() if t > 1)) / 18.0
    if var <= 0:
        return s, 0.0, 1.0
    z = (s - (1 if s > 0 else -1 if s < 0 else 0)) / math.sqrt(var)
    p = 0.5 * math.erfc(z / math.sqrt(2.0))  # P(Z >= z) under H0
    return s, z, p


def theil_sen(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Theil-Sen line through the points: ``(slope, intercept)``.

    Slope: median of ``(y_j - y_i) / (x_j - x_i)`` over pairs with ``x_j != x_i``;
    intercept: median of ``y - slope * x`` (Sen 1968). ``(0.0, median y)`` when no pair
    has distinct x. Raises IndexError on empty input.
    """
    slopes = []
    n = len(xs)
    for i in range(n - 1):
        for j in range(i + 1, n):
            dx = xs[j] - xs[i]
            if dx:
                slopes.append((ys[j] - ys[i]) / dx)
    if not slopes:
        return 0.0, _median(ys)
    b = _median(slopes)
    return b, _median([y - b * x for x, y in zip(xs, ys)])
