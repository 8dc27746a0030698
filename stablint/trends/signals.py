"""Runtime signals: trend analysis over a :class:`~stablint.trends.trace.Trace`.

Shared by ``stablint probe`` (a short instrumented run) and ``stablint diagnose``
(logs of a run that already happened). Pure Python, no numpy, never imports torch.

Public API (stable; the probe depends on it):

- :func:`analyze(trace, options=None) -> list[Signal]`: every runtime finding that
  fired, in :data:`SIGNALS` order. Each :class:`Signal` carries its name and code
  (STL9xx, shared vocabulary), severity, message, step range, evidence numbers,
  threshold text and the threshold's source.
- :func:`measure(trace, options=None) -> dict[str, Check]`: the measurement behind
  each signal, *including those that did not fire* (``Check.fired`` is ``True``,
  ``False`` or ``None`` = could not be measured: series missing or too short). The
  judge (:mod:`stablint.trends.judge`) turns checks into verdicts.
- :data:`SIGNALS`: name → code; :data:`DEFAULT_OPTIONS`: every threshold, with its
  source in :data:`OPTION_SOURCES`. Options may be overridden per call.

Units: ``step`` values are whatever the trace logged (optimizer steps for HF,
Lightning, the probe; iterations for nanoGPT); "points" are logged records, not
steps (HF logs every ``logging_steps`` = 500 by default). ``grad_norm`` is the
pre-clip global L2 norm; HF's ``loss`` is a mean over the logging window.

Thresholds come from research/probe_anchors.md §10 and §13 (sources named per
option); those marked *proposed* are stablint's own and still need calibration.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..linter.finding import Finding
from .trace import Trace

#: Runtime finding name → code (shared vocabulary with the probe; do not renumber).
SIGNALS: dict[str, str] = {
    "loss-spike": "STL901",
    "loss-plateau": "STL902",
    "loss-divergence": "STL903",
    "early-collapse-then-plateau": "STL904",
    "grad-norm-growth": "STL905",
    "clip-saturation": "STL906",
    "lr-never-changes": "STL907",
    "lr-cut-too-late": "STL908",
    "nonfinite-values": "STL909",
    "overfitting": "STL910",
}

#: Every threshold (option name → default). ``None`` = derived from the trace length.
DEFAULT_OPTIONS: dict[str, Any] = {
    # spikes (OLMo 2 spike score, research §10)
    "spike_k": None,              # robust sigmas; None: 7 for >= 1000 points, else 4
    "spike_window": None,         # previous points in the rolling median; None: min(100, n/4)
    "spike_min_history": 5,       # points before the first judged one
    "spike_min_ratio": 1.25,      # and loss >= 1.25 x rolling median (proposed)
    # divergence (fastai / Lightning LR-finder stop rule, research §8, §13)
    "divergence_factor": 4.0,
    "ema_beta": 0.98,
    "divergence_min_points": 3,   # sustained for >= 3 logged points, or until the end (proposed)
    # plateau (TheDeepChecker NonDecreasing, research §13)
    "plateau_windows": 4,
    "plateau_fraction": 0.5,      # the windows cover the last half of the logged points (proposed)
    "plateau_min_decrease": 0.05,
    "plateau_min_points": 12,
    # early collapse then plateau (seed 001; Karpathy "hockey stick", research §7.1)
    "collapse_drop": 0.99,
    "collapse_fraction": 0.1,
    "collapse_after_min_decrease": 0.1,
    # grad-norm growth (OPT logbook / OLMo 2: growing norms precede spikes, research §10)
    "grad_growth_factor": 4.0,    # late median / early median (proposed)
    "grad_min_points": 10,
    "warmup_fraction": 0.1,       # leading share of points skipped as warm-up (proposed)
    "warmup_steps": None,         # explicit warm-up length in steps (wins over the fraction)
    # clip saturation (Tuning Playbook: > 50% clipped = extremely aggressive, research §7.3)
    "max_grad_norm": None,
    "clip_rate_warn": 0.5,
    "clip_rate_severe": 0.9,
    "clip_min_samples": 20,       # research §13 verdict logic: < 20 post-warm-up steps is inconclusive
    # learning rate
    "lr_min_points": 10,
    "lr_rel_tol": 1e-6,
    "lr_constant_fraction": 0.8,  # constant over >= 80% of the run (after warm-up) (proposed)
    "lr_cut_ratio": 0.9,          # a drop to <= 0.9 x after a flat stretch is a plateau-style cut
    "lr_cut_max_lag_epochs": 5,   # seed 002's fix: patience 10 -> 5 (proposed)
    "lr_cut_max_lag_fraction": 0.2,  # when epochs are unknown (proposed)
    "lr_cut_max_rise": 2.0,       # or the monitored loss rose >= 2 x its best before the cut (proposed)
    "plateau_scheduler": False,   # the config has a plateau scheduler (set by judge from the plan): a run with
                                  # no LR cut at all long after its best loss is then a late cut too
    # overfitting (UMLAUT check_overfitting; SMD Overfit ratio 0.1; research §13 overfit_gap)
    "overfit_min_rise": 0.05,     # final eval >= 1.05 x best eval (proposed)
    "overfit_min_evals": 3,
    "overfit_patience": 2,        # evaluations after the best one, all worse
}

#: Option name prefix → where its default comes from (printed with each finding).
SOURCES: dict[str, str] = {
    "loss-spike": "OLMo 2 spike score (7 robust sigma over a rolling window; 4 for short runs), "
                  "research/probe_anchors.md §10",
    "loss-plateau": "TheDeepChecker NonDecreasing (< 5% decrease per window), research/probe_anchors.md §13",
    "loss-divergence": "fastai/Lightning lr_find stop rule (smoothed loss > 4 x best, EMA 0.98), "
                       "research/probe_anchors.md §8, §13",
    "early-collapse-then-plateau": "Karpathy recipe 'hockey stick' loss (init well); seed 001; "
                                   "research/probe_anchors.md §7.1 (proposed threshold)",
    "grad-norm-growth": "OPT-175B logbook and OLMo 2 (grad-norm growth precedes loss spikes), "
                        "research/probe_anchors.md §10 (proposed threshold)",
    "clip-saturation": "Google Deep Learning Tuning Playbook (> 50% of updates clipped = extremely aggressive; "
                       "clip near the p90 of grad norms), research/probe_anchors.md §7.3, §13",
    "lr-never-changes": "Tuning Playbook ('important to have some (non-constant) schedule'); seed 000, "
                        "research/probe_anchors.md §7.3 (proposed threshold)",
    "lr-cut-too-late": "seed 002 (ReduceLROnPlateau patience 10: best epoch 10, spike 13, cut 24); "
                       "research/probe_anchors.md §12 (proposed threshold)",
    "nonfinite-values": "SMD ExplodingTensor, AUTOTRAINER nan_loss; HF logging_nan_inf_filter "
                        "('grad_norm': NaN with 'loss': 0.0), research/probe_anchors.md §11.1, §13",
    "overfitting": "UMLAUT check_overfitting (eval up while train down), SMD Overfit, "
                   "research/probe_anchors.md §13 overfit_gap",
}

_FIELD = {
    "loss-spike": "trace.loss", "loss-plateau": "trace.loss", "loss-divergence": "trace.loss",
    "early-collapse-then-plateau": "trace.loss", "grad-norm-growth": "trace.grad_norm",
    "clip-saturation": "trace.grad_norm", "lr-never-changes": "trace.lr", "lr-cut-too-late": "trace.lr",
    "nonfinite-values": "trace.loss", "overfitting": "trace.eval_loss",
}


@dataclass(frozen=True)
class Signal:
    """One runtime finding over a trace.

    Attributes:
        name: kebab-case name from :data:`SIGNALS` (``"loss-spike"``).
        code: ``STL9xx`` code of ``name``.
        severity: ``"error"`` | ``"warning"`` | ``"info"``.
        message: one sentence with the measured numbers.
        start_step, end_step: logged step range the finding covers (inclusive).
        evidence: the numbers (JSON-ready floats/ints/strings).
        threshold: the firing condition with its value, in words.
        source: where the threshold comes from.
        field: the trace series, ``"trace.loss"``, ``"trace.grad_norm"``, ``"trace.lr"``...
        index: index in ``trace.records`` of the first record of the range (for line lookup).
    """

    name: str
    code: str
    severity: str
    message: str
    start_step: int | None
    end_step: int | None
    evidence: dict[str, Any]
    threshold: str
    source: str
    field: str = "trace.loss"
    index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of all attributes."""
        return {k: getattr(self, k) for k in ("name", "code", "severity", "message", "start_step", "end_step",
                                              "evidence", "threshold", "source", "field", "index")}

    def to_finding(self, path: str, line: int = 1, column: int = 1) -> Finding:
        """This signal as a :class:`Finding` located in ``path`` (the log file).

        ``dialect`` is ``"trace"``; the hint holds the threshold and its source; the
        step range goes to ``Finding.extra["steps"]``.
        """
        return Finding(code=self.code, rule=self.name, severity=self.severity, message=self.message, path=path,
                       line=line, column=column, field=self.field, dialect="trace",
                       hint=f"threshold: {self.threshold} [{self.source}]",
                       extra={"steps": [self.start_step, self.end_step], "evidence": self.evidence,
                              "threshold": self.threshold, "source": self.source})


@dataclass
class Check:
    """The measurement behind one signal, fired or not.

    Attributes:
        signal: signal name (runtime :data:`SIGNALS` or a probe-only name such as ``"lr-ab"``).
        fired: True = the condition held; False = measured and clean; None = not measurable
            (series missing, too few points, horizon too short).
        evidence: measured numbers (always filled as far as measured).
        threshold: firing condition in words.
        source: origin of the threshold.
        reason: why ``fired`` is None, or a short explanation.
        result: the :class:`Signal` when fired.
    """

    signal: str
    fired: bool | None
    evidence: dict[str, Any] = field(default_factory=dict)
    threshold: str = ""
    source: str = ""
    reason: str = ""
    result: Signal | None = None


# --------------------------------------------------------------------------- helpers

def _opts(options: dict[str, Any] | None, trace: Trace) -> dict[str, Any]:
    o = dict(DEFAULT_OPTIONS)
    if trace.meta.get("max_grad_norm") is not None:
        o["max_grad_norm"] = trace.meta["max_grad_norm"]
    if trace.meta.get("warmup_steps") is not None:
        o["warmup_steps"] = trace.meta["warmup_steps"]
    for k, v in (options or {}).items():
        if v is not None or k not in o:
            o[k] = v
    return o


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def points(trace: Trace, key: str, finite: bool = True, o: dict | None = None) -> list[tuple[int, int, float]]:
    """``(record index, step, value)`` of ``key`` (a StepRecord field or an ``extra`` key).

    Args:
        finite: drop NaN/Inf values (the ``nonfinite-values`` signal reports them).
        o: options dict of one :func:`measure` call; its ``"_cache"`` memoizes series.
    """
    cache = o.get("_cache") if o is not None else None
    if cache is not None and (key, finite) in cache:
        return cache[(key, finite)]
    recs = trace.records
    if key in _RECORD_FIELDS:
        raw = [(i, r.step, getattr(r, key)) for i, r in enumerate(recs)]
    else:
        raw = [(i, r.step, r.extra.get(key)) for i, r in enumerate(recs)]
    out = []
    isf = math.isfinite
    for i, st, v in raw:
        t = type(v)
        if t is float:
            if finite and not isf(v):
                continue
            out.append((i, st, v))
        elif t is int:
            out.append((i, st, float(v)))
    if cache is not None:
        cache[(key, finite)] = out
    return out


_RECORD_FIELDS = frozenset(("loss", "eval_loss", "lr", "grad_norm", "epoch", "update_ratio", "loss_scale"))


def _median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])


def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    if not s:
        return float("nan")
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _g(x: float | None, digits: int = 4) -> float | None:
    """Round for evidence output (significant digits); ``None`` passes through."""
    if x is None or not math.isfinite(x) or x == 0:
        return x
    return float(f"{x:.{digits}g}")


def _rel_drop(a: float, b: float) -> float:
    """Relative decrease from ``a`` to ``b`` (positive = improvement)."""
    return (a - b) / abs(a) if a != 0 else 0.0


def _warmup_cut(pts: list[tuple[int, int, float]], o: dict[str, Any]) -> int:
    """Number of leading points to skip as warm-up."""
    if not pts:
        return 0
    if o.get("warmup_steps"):
        first = pts[0][1]
        return sum(1 for p in pts if p[1] - first < o["warmup_steps"])
    return int(len(pts) * float(o["warmup_fraction"]))


def _loss_points(trace: Trace, o: dict | None = None) -> tuple[list[tuple[int, int, float]], str]:
    pts = points(trace, "loss", o=o)
    if len(pts) >= 3:
        return pts, "loss"
    ev = points(trace, "eval_loss", o=o)
    return (ev, "eval_loss") if len(ev) > len(pts) else (pts, "loss")


def steps_per_epoch(trace: Trace) -> float | None:
    """Optimizer steps per epoch: ``meta["steps_per_epoch"]`` or inferred from (step, epoch) pairs."""
    spe = trace.meta.get("steps_per_epoch")
    if spe:
        return float(spe)
    pairs = [(r.step, r.epoch) for r in trace.records if r.epoch and r.epoch > 0 and isinstance(r.epoch, (int, float))]
    if len(pairs) < 2:
        return None
    (s0, e0), (s1, e1) = pairs[0], pairs[-1]
    if e1 > e0 and s1 > s0:
        return (s1 - s0) / (e1 - e0)
    return s1 / e1 if e1 > 0 and s1 > 0 else None


def horizon_steps(trace: Trace) -> int:
    """Steps covered by the trace: ``meta["horizon_steps"]`` or last step - first step."""
    if trace.meta.get("horizon_steps") is not None:
        return int(trace.meta["horizon_steps"])
    if not trace.records:
        return 0
    return int(trace.records[-1].step - trace.records[0].step)


# --------------------------------------------------------------------------- checks

def _make(name: str, severity: str, message: str, start: int | None, end: int | None, ev: dict,
          threshold: str, index: int | None, field_: str | None = None) -> Check:
    sig = Signal(name=name, code=SIGNALS[name], severity=severity, message=message, start_step=start, end_step=end,
                 evidence=ev, threshold=threshold, source=SOURCES[name], field=field_ or _FIELD[name], index=index)
    return Check(name, True, ev, threshold, SOURCES[name], result=sig)


def _clean(name: str, ev: dict, threshold: str, reason: str = "") -> Check:
    return Check(name, False, ev, threshold, SOURCES[name], reason)


def _unknown(name: str, reason: str, threshold: str = "", ev: dict | None = None) -> Check:
    return Check(name, None, ev or {}, threshold, SOURCES.get(name, ""), reason)


def check_nonfinite(trace: Trace, o: dict) -> Check:
    """NaN/Inf in loss, grad_norm, eval_loss, lr or loss terms; HF's ``grad_norm: NaN`` + ``loss: 0.0`` signature."""
    name = "nonfinite-values"
    thr = "any NaN/Inf in loss, grad_norm, eval_loss, lr or loss terms"
    first = last = first_idx = None
    counts: dict[str, int] = {}
    hf_sig = 0
    measured = 0
    bad_idx: set[int] = set()
    for key in ("loss", "grad_norm", "eval_loss", "lr"):
        allp = points(trace, key, finite=False, o=o)
        measured += len(allp)
        bad = [p for p in allp if not math.isfinite(p[2])]
        if bad:
            counts[key] = len(bad)
            bad_idx.update(p[0] for p in bad)
            if key == "grad_norm":
                hf_sig = sum(1 for p in bad if trace.records[p[0]].loss == 0.0)
    for i, r in enumerate(trace.records):
        for term, v in (r.loss_terms or {}).items():
            if isinstance(v, float) and not math.isfinite(v):
                counts[f"loss_terms.{term}"] = counts.get(f"loss_terms.{term}", 0) + 1
                bad_idx.add(i)
    if bad_idx:
        first_idx, last_idx = min(bad_idx), max(bad_idx)
        first, last = trace.records[first_idx].step, trace.records[last_idx].step
    if not measured:
        return _unknown(name, "no loss, grad_norm, eval_loss or lr values in the log", thr)
    ev: dict[str, Any] = {f"nonfinite_{k}": v for k, v in counts.items()}
    if not counts:
        return _clean(name, {"values_checked": measured}, thr)
    ev["first_step"] = first
    ev["last_step"] = last
    if hf_sig:
        ev["nan_grad_norm_with_zero_loss"] = hf_sig
    total = sum(counts.values())
    which = ", ".join(f"{k} x{v}" for k, v in counts.items())
    msg = f"non-finite values from step {first} to {last} ({which})"
    if hf_sig:
        msg += (f"; {hf_sig} rows have grad_norm NaN with loss 0.0 (the Trainer's logging_nan_inf_filter hides the "
                "NaN losses: training has diverged)")
    fld = "trace.grad_norm" if "loss" not in counts and "grad_norm" in counts else "trace.loss"
    ev["nonfinite_total"] = total
    return _make(name, "error", msg, first, last, ev, thr, first_idx, fld)


def check_spikes(trace: Trace, o: dict) -> Check:
    """Loss above the rolling median of the previous w points by > k robust sigma (MAD x 1.4826)."""
    name = "loss-spike"
    pts, key = _loss_points(trace, o)
    n = len(pts)
    k = o["spike_k"] if o["spike_k"] is not None else (7.0 if n >= 1000 else 4.0)
    w = int(o["spike_window"] or max(5, min(100, n // 4)))
    min_ratio = float(o["spike_min_ratio"])
    thr = (f"loss > rolling median of the previous {w} points + {k:g} x 1.4826 x MAD, and >= {min_ratio:g} x "
           f"that median")
    hist = int(o["spike_min_history"])
    if n < hist + 2:
        return _unknown(name, f"only {n} loss points (need >= {hist + 2})", thr, {"points": n})
    vals = [p[2] for p in pts]
    window = sorted(vals[:hist]) if hist < w else sorted(vals[max(0, hist - w):hist])
    spikes: list[tuple[int, float, float]] = []  # (point index, value, median)
    for j in range(hist, n):
        m = len(window)
        med = window[m // 2] if m % 2 else 0.5 * (window[m // 2 - 1] + window[m // 2])
        v = vals[j]
        if v - med > (min_ratio - 1.0) * abs(med):
            mad = _median([abs(x - med) for x in window]) * 1.4826
            if v - med > k * mad:
                spikes.append((j, v, med))
        # slide the window
        bisect.insort(window, v)
        if len(window) > w:
            window.pop(bisect.bisect_left(window, vals[j - w]))
    checked = n - hist
    if not spikes:
        return _clean(name, {"points_checked": checked, "window": w, "k": k}, thr)
    episodes: list[list[tuple[int, float, float]]] = []
    for s in spikes:
        if episodes and s[0] == episodes[-1][-1][0] + 1:
            episodes[-1].append(s)
        else:
            episodes.append([s])
    worst = max(spikes, key=lambda s: s[1] / s[2] if s[2] > 0 else s[1] - s[2])
    first = episodes[0]
    ev = {"episodes": len(episodes), "spike_points": len(spikes), "points_checked": checked,
          "spike_rate": _g(len(spikes) / checked), "first_step": pts[first[0][0]][1],
          "worst_step": pts[worst[0]][1], "worst_loss": _g(worst[1]), "median_before": _g(worst[2]),
          "worst_ratio": _g(worst[1] / worst[2]) if worst[2] > 0 else None, "window": w, "k": k,
          "series": key}
    start, end = pts[first[0][0]][1], pts[episodes[-1][-1][0]][1]
    msg = (f"{len(episodes)} loss spike{'s' if len(episodes) != 1 else ''}: worst at step {ev['worst_step']} "
           f"({ev['worst_loss']} vs median {ev['median_before']} of the previous {w} points)")
    return _make(name, "warning", msg, start, end, ev, thr, pts[first[0][0]][0],
                 "trace.eval_loss" if key == "eval_loss" else "trace.loss")


def _ema(vals: list[float], beta: float) -> list[float]:
    out, avg = [], 0.0
    for i, v in enumerate(vals):
        avg = beta * avg + (1 - beta) * v
        out.append(avg / (1 - beta ** (i + 1)))
    return out


def _beta(o: dict, n: int) -> float:
    """EMA beta: 0.98 (fastai) for long logs; span n/20 for short ones so a 30-point log is not flattened."""
    span = max(1.0, n / 20.0)
    return min(float(o["ema_beta"]), 1.0 - 2.0 / (span + 1.0))


def check_divergence(trace: Trace, o: dict) -> Check:
    """Smoothed (bias-corrected EMA) loss > ``divergence_factor`` x the best smoothed loss so far, sustained."""
    name = "loss-divergence"
    pts, key = _loss_points(trace, o)
    n = len(pts)
    fac = float(o["divergence_factor"])
    thr = f"smoothed loss > {fac:g} x best smoothed loss for >= {o['divergence_min_points']} points"
    if n < 5:
        return _unknown(name, f"only {n} loss points", thr, {"points": n})
    beta = _beta(o, n)
    sm = _ema([p[2] for p in pts], beta)
    best = sm[0]
    best_j = 0
    run_start = None
    need = int(o["divergence_min_points"])
    for j, s in enumerate(sm):
        if best > 0 and s > fac * best:
            if run_start is None:
                run_start = j
            if j - run_start + 1 >= need or j == n - 1:
                ev = {"best_smoothed": _g(best), "best_step": pts[best_j][1], "smoothed": _g(s),
                      "ratio": _g(s / best), "max_loss_after": _g(max(p[2] for p in pts[run_start:])),
                      "ema_beta": _g(beta), "series": key}
                msg = (f"loss diverged from step {pts[run_start][1]}: smoothed loss {ev['smoothed']} is "
                       f"{ev['ratio']} x the best {ev['best_smoothed']} (step {ev['best_step']})")
                return _make(name, "error", msg, pts[run_start][1], pts[-1][1], ev, thr, pts[run_start][0],
                             "trace.eval_loss" if key == "eval_loss" else "trace.loss")
        else:
            run_start = None
        if s < best:
            best, best_j = s, j
    return _clean(name, {"best_smoothed": _g(best), "final_smoothed": _g(sm[-1]), "ema_beta": _g(beta)}, thr)


def _window_medians(vals: list[float], nwin: int, size: int) -> list[float]:
    n = len(vals)
    return [_median(vals[n - (nwin - i) * size: n - (nwin - i - 1) * size]) for i in range(nwin)]


def check_plateau(trace: Trace, o: dict) -> Check:
    """Window medians over the last half of the points fall < 5% each and < 5% overall."""
    name = "loss-plateau"
    pts, key = _loss_points(trace, o)
    n = len(pts)
    W = int(o["plateau_windows"])
    d = float(o["plateau_min_decrease"])
    thr = (f"each of the last {W} windows (last {o['plateau_fraction']:.0%} of the points) lowers the median loss "
           f"by < {d:.0%}, and by < {d:.0%} in all")
    if n < int(o["plateau_min_points"]):
        return _unknown(name, f"only {n} loss points (need >= {o['plateau_min_points']})", thr, {"points": n})
    size = max(2, int(n * float(o["plateau_fraction"]) / W))
    if (W + 1) * size > n:
        size = max(1, n // (W + 1))
    meds = _window_medians([p[2] for p in pts], W + 1, size)
    drops = [_rel_drop(meds[i - 1], meds[i]) for i in range(1, len(meds))]
    total = _rel_drop(meds[0], meds[-1])
    start_i = n - (W + 1) * size
    ev = {"window_medians": [_g(m) for m in meds], "window_points": size, "total_decrease": _g(total),
          "max_window_decrease": _g(max(drops)), "series": key}
    if all(x < d for x in drops) and total < d:
        msg = (f"loss plateaued from step {pts[start_i][1]} to {pts[-1][1]}: window medians "
               f"{' -> '.join(f'{m:.4g}' for m in meds)} (total change {-total:+.1%}, threshold -{d:.0%})")
        return _make(name, "warning", msg, pts[start_i][1], pts[-1][1], ev, thr, pts[start_i][0],
                     "trace.eval_loss" if key == "eval_loss" else "trace.loss")
    return _clean(name, ev, thr)


def check_collapse(trace: Trace, o: dict) -> Check:
    """A >= 99% loss drop within the first 10% of the steps, then < 10% further improvement."""
    name = "early-collapse-then-plateau"
    pts, _ = _loss_points(trace, o)
    n = len(pts)
    drop_thr = float(o["collapse_drop"])
    thr = (f"loss drops >= {drop_thr:.0%} within the first {o['collapse_fraction']:.0%} of the steps, then improves "
           f"< {o['collapse_after_min_decrease']:.0%}")
    if n < 10:
        return _unknown(name, f"only {n} loss points", thr, {"points": n})
    s0, s1 = pts[0][1], pts[-1][1]
    limit = s0 + float(o["collapse_fraction"]) * (s1 - s0)
    early = [p for p in pts[1:] if p[1] <= limit] or [pts[1]]
    l0 = pts[0][2]
    low = min(early, key=lambda p: p[2])
    if l0 <= 0:
        return _clean(name, {"initial_loss": _g(l0)}, thr, "initial loss <= 0")
    drop = 1 - low[2] / l0
    rest = [p[2] for p in pts if p[1] > low[1]]
    ev = {"initial_loss": _g(l0), "early_min_loss": _g(low[2]), "early_min_step": low[1], "early_drop": _g(drop, 6)}
    if drop < drop_thr or len(rest) < 4:
        return _clean(name, ev, thr)
    size = max(2, len(rest) // 8)
    a, b = _median(rest[:size]), _median(rest[-size:])
    after = _rel_drop(a, b)
    ev.update({"after_start_median": _g(a), "final_median": _g(b), "after_decrease": _g(after)})
    if after < float(o["collapse_after_min_decrease"]):
        msg = (f"loss fell {drop:.2%} ({ev['initial_loss']} -> {ev['early_min_loss']}) by step {low[1]}, then "
               f"stayed flat ({a:.4g} -> {b:.4g}, {-after:+.1%}): a badly scaled loss or init hit a floor")
        return _make(name, "warning", msg, pts[0][1], pts[-1][1], ev, thr, pts[0][0])
    return _clean(name, ev, thr)


def check_grad_growth(trace: Trace, o: dict) -> Check:
    """Median pre-clip grad norm of the last 20% of points >= 4 x that of the first 20% after warm-up."""
    name = "grad-norm-growth"
    pts = [p for p in points(trace, "grad_norm", o=o) if p[2] > 0]
    fac = float(o["grad_growth_factor"])
    thr = f"median grad norm of the last 20% of points >= {fac:g} x that of the first 20% after warm-up"
    pts = pts[_warmup_cut(pts, o):]
    n = len(pts)
    if n < int(o["grad_min_points"]):
        return _unknown(name, f"only {n} grad_norm points after warm-up", thr, {"points": n})
    q = max(2, n // 5)
    a = _median([p[2] for p in pts[:q]])
    b = _median([p[2] for p in pts[-q:]])
    # least-squares slope of log ||g|| per 1000 steps
    xs = [p[1] for p in pts]
    ys = [math.log(p[2]) for p in pts]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx * 1000 if sxx else 0.0
    ratio = b / a
    ev = {"early_median": _g(a), "late_median": _g(b), "ratio": _g(ratio), "max": _g(max(p[2] for p in pts)),
          "log_slope_per_1000_steps": _g(slope), "points": n}
    if ratio >= fac and slope > 0:
        msg = (f"pre-clip gradient norm grew {ratio:.3g}x (median {a:.3g} -> {b:.3g}, max {ev['max']}) from step "
               f"{pts[0][1]} to {pts[-1][1]}")
        return _make(name, "warning", msg, pts[0][1], pts[-1][1], ev, thr, pts[0][0])
    return _clean(name, ev, thr)


def check_clip(trace: Trace, o: dict) -> Check:
    """Share of post-warm-up steps whose pre-clip grad norm exceeds ``max_grad_norm``."""
    name = "clip-saturation"
    c = o.get("max_grad_norm")
    warn, severe = float(o["clip_rate_warn"]), float(o["clip_rate_severe"])
    thr = f"grad_norm > max_grad_norm on >= {warn:.0%} of post-warm-up steps (>= {severe:.0%}: nearly every step)"
    c = _num(c)
    if not c or c <= 0:
        return _unknown(name, "max_grad_norm unknown (pass --max-grad-norm or --config)", thr)
    pts = points(trace, "grad_norm", o=o)
    pts = pts[_warmup_cut(pts, o):]
    n = len(pts)
    if n == 0:
        flags = [(i, r.step, r.clipped) for i, r in enumerate(trace.records) if r.clipped is not None]
        if not flags:
            return _unknown(name, "no grad_norm values in the log", thr)
        pts = [(i, s, 1.0 if f else 0.0) for i, s, f in flags]
        c = 0.5
        n = len(pts)
    over = [p for p in pts if p[2] > c]
    rate = len(over) / n
    g = [p[2] for p in pts]
    ci = 1.96 * math.sqrt(rate * (1 - rate) / n) if n else float("nan")
    ev = {"clip_rate": _g(rate), "samples": n, "clipped": len(over), "max_grad_norm": c, "p50": _g(_pct(g, 0.5)),
          "p90": _g(_pct(g, 0.9)), "max": _g(max(g)), "ci95_halfwidth": _g(ci)}
    if n < int(o["clip_min_samples"]):
        return _unknown(name, f"only {n} post-warm-up grad_norm samples (need >= {o['clip_min_samples']})", thr, ev)
    if rate >= warn:
        how = "nearly every step" if rate >= severe else "more than half of the steps"
        msg = (f"gradient clipping at {c:g} acted on {rate:.0%} of {n} logged steps ({how}); pre-clip grad norm "
               f"p50 {ev['p50']}, p90 {ev['p90']}, max {ev['max']}: clipping this hard is a hidden LR cut "
               f"(set max_grad_norm near the p90, or lower the LR)")
        return _make(name, "warning", msg, over[0][1], over[-1][1], ev, thr, over[0][0])
    return _clean(name, ev, thr)


def _lr_points(trace: Trace, o: dict | None = None) -> list[tuple[int, int, float]]:
    return [p for p in points(trace, "lr", o=o) if p[2] >= 0]


def _same(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e-300)


def check_lr_constant(trace: Trace, o: dict, plateau: Check | None = None) -> Check:
    """LR identical over >= 80% of the logged steps (after any warm-up); warning when the loss also plateaued."""
    name = "lr-never-changes"
    pts = _lr_points(trace, o)
    tol = float(o["lr_rel_tol"])
    frac = float(o["lr_constant_fraction"])
    thr = f"learning rate unchanged (rel. tol {tol:g}) over >= {frac:.0%} of the logged steps"
    n = len(pts)
    if n < int(o["lr_min_points"]):
        return _unknown(name, f"only {n} learning-rate points", thr, {"points": n})
    j = n - 1
    while j > 0 and _same(pts[j - 1][2], pts[j][2], tol):
        j -= 1
    span = pts[-1][1] - pts[0][1]
    const_span = pts[-1][1] - pts[j][1]
    share = const_span / span if span else 1.0
    ev = {"lr": pts[-1][2], "constant_from_step": pts[j][1], "constant_share": _g(share), "points": n,
          "distinct_values": len({p[2] for p in pts})}
    if share >= frac and n - j >= int(o["lr_min_points"]):
        sev = "info"
        msg = f"learning rate stayed at {pts[-1][2]:g} from step {pts[j][1]} to {pts[-1][1]} ({share:.0%} of the run)"
        if plateau is not None and plateau.fired:
            sev = "warning"
            msg += "; the loss plateaued meanwhile and no scheduler reacted"
        return _make(name, sev, msg, pts[j][1], pts[-1][1], ev, thr, pts[j][0])
    return _clean(name, ev, thr)


def lr_cuts(trace: Trace, o: dict | None = None) -> list[tuple[int, int, float, float]]:
    """Plateau-style LR cuts: ``(point index in the lr series, step, lr before, lr after)``.

    A cut is a drop to <= ``lr_cut_ratio`` x the previous value after >= 3 points of
    constant LR that is the first decrease (since the last increase) or repeats the
    factor of the previous cut: a step function, not a cosine/linear decay, even one
    stepped per epoch.
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


def check_lr_cut_late(trace: Trace, o: dict) -> Check:
    """The first plateau-style LR cut came > 5 epochs (or > 20% of the run) after the best monitored loss."""
    name = "lr-cut-too-late"
    max_ep, max_frac = float(o["lr_cut_max_lag_epochs"]), float(o["lr_cut_max_lag_fraction"])
    max_rise = float(o["lr_cut_max_rise"])
    thr = (f"first plateau LR cut > {max_ep:g} epochs (or > {max_frac:.0%} of the run) after the best monitored loss, "
           f"or after it rose >= {max_rise:g} x the best")
    lr_pts = _lr_points(trace, o)
    if len(lr_pts) < 4:
        return _unknown(name, f"only {len(lr_pts)} learning-rate points", thr)
    cuts = lr_cuts(trace, o)
    if not cuts:
        if not o.get("plateau_scheduler"):
            return _unknown(name, "no plateau-style LR cut in the log", thr, {"cuts": 0})
        return _no_cut(trace, o, name, thr, max_ep, max_frac)
    _, cut_step, before, after = cuts[0]
    ev_pts = [p for p in points(trace, "eval_loss", o=o) if p[1] <= cut_step]
    tr_pts = [p for p in points(trace, "loss", o=o) if p[1] <= cut_step]
    mon, key = (ev_pts, "eval_loss") if len(ev_pts) >= 3 else (tr_pts, "loss")
    if len(mon) < 3:
        return _unknown(name, "too few loss points before the first LR cut", thr, {"cut_step": cut_step})
    best = min(mon, key=lambda p: p[2])
    worst_after = max((p for p in mon if p[1] > best[1]), key=lambda p: p[2], default=best)
    lag = cut_step - best[1]
    spe = steps_per_epoch(trace)
    span = horizon_steps(trace) or 1
    ev = {"cut_step": cut_step, "lr_before": before, "lr_after": after, "best_step": best[1], "best_loss": _g(best[2]),
          "lag_steps": lag, "worst_loss_before_cut": _g(worst_after[2]), "monitored": key}
    if spe:
        ev["lag_epochs"] = _g(lag / spe)
        late = lag / spe > max_ep
        lag_txt = f"{lag / spe:.3g} epochs"
    else:
        ev["lag_fraction"] = _g(lag / span)
        late = lag / span > max_frac
        lag_txt = f"{lag} steps ({lag / span:.0%} of the run)"
    rose = best[2] > 0 and worst_after[2] >= max_rise * best[2]
    ev["rise_before_cut"] = _g(worst_after[2] / best[2]) if best[2] > 0 else None
    if late or rose:
        msg = (f"LR was first cut ({before:g} -> {after:g}) at step {cut_step}, {lag_txt} after the best {key} "
               f"{best[2]:.4g} (step {best[1]}); {key} reached {worst_after[2]:.4g} meanwhile")
        idx = next((p[0] for p in mon if p[1] == best[1]), None)
        return _make(name, "warning", msg, best[1], cut_step, ev, thr, idx)
    return _clean(name, ev, thr)


def _no_cut(trace: Trace, o: dict, name: str, thr: str, max_ep: float, max_frac: float) -> Check:
    """No LR cut at all: fired when the run still went on (or was stopped) long after its best loss.

    A plateau scheduler that never cut while the monitored loss stalled for more than the
    allowed lag is the same failure as a late cut (seed 002: early stopping can end the run
    before the scheduler ever acts); a run whose loss kept improving is clean, and a run too
    short to tell stays unknown.
    """
    ev_pts = points(trace, "eval_loss", o=o)
    mon, key = (ev_pts, "eval_loss") if len(ev_pts) >= 3 else (points(trace, "loss", o=o), "loss")
    if len(mon) < 3:
        return _unknown(name, "no plateau-style LR cut in the log", thr, {"cuts": 0})
    best = min(mon, key=lambda p: p[2])
    end = mon[-1][1]
    stall = end - best[1]
    spe = steps_per_epoch(trace)
    span = horizon_steps(trace) or 1
    ev = {"cuts": 0, "best_step": best[1], "best_loss": _g(best[2]), "last_step": end, "stall_steps": stall,
          "monitored": key}
    if spe:
        ev["stall_epochs"] = _g(stall / spe)
        late, stall_txt = stall / spe > max_ep, f"{stall / spe:.3g} epochs"
    else:
        ev["stall_fraction"] = _g(stall / span)
        late, stall_txt = stall / span > max_frac, f"{stall} steps ({stall / span:.0%} of the run)"
    if late:
        msg = (f"the LR was never cut although the best {key} {best[2]:.4g} came at step {best[1]}, "
               f"{stall_txt} before the run ended (step {end})")
        idx = next((p[0] for p in mon if p[1] == best[1]), None)
        return _make(name, "warning", msg, best[1], end, ev, thr, idx)
    return _unknown(name, "no plateau-style LR cut in the log, and the loss was still improving", thr, ev)


_EVAL_LOSS = re.compile(r"^eval_(.+_)?loss$")


def eval_series(trace: Trace, o: dict | None = None) -> dict[str, list[tuple[int, int, float]]]:
    """Every evaluation-loss series: ``eval_loss`` plus ``extra`` keys ``eval_<name>_loss``."""
    out = {}
    ev = points(trace, "eval_loss", o=o)
    if ev:
        out["eval_loss"] = ev
    names: set[str] = set()
    for r in trace.records:
        if r.extra:
            names.update(r.extra)
    keys = sorted(k for k in names if _EVAL_LOSS.match(k))
    for k in keys:
        pts = points(trace, k, o=o)
        if pts:
            out[k] = pts
    return out


def _train_at(train: list[tuple[int, int, float]], step: int, width: int = 2) -> float | None:
    """Median of the train losses logged at or just before ``step`` (up to ``width`` + 1 points)."""
    steps = [p[1] for p in train]
    j = bisect.bisect_right(steps, step)
    if j == 0:
        return None
    return _median([p[2] for p in train[max(0, j - 1 - width):j]])


def check_overfitting(trace: Trace, o: dict) -> Check:
    """Eval loss rose >= 5% above its best over >= 2 evaluations while the train loss kept falling."""
    name = "overfitting"
    rise_thr, pat = float(o["overfit_min_rise"]), int(o["overfit_patience"])
    thr = (f"after its best, eval loss is worse on the last >= {pat} evaluations and ends >= {rise_thr:.0%} above the "
           f"best, while the train loss fell")
    series = {k: v for k, v in eval_series(trace, o).items() if len(v) >= int(o["overfit_min_evals"])}
    train = points(trace, "loss", o=o)
    if not series:
        return _unknown(name, "fewer than 3 evaluation losses in the log", thr)
    if len(train) < 2:
        return _unknown(name, "no train loss to compare with", thr)
    hits = []
    for key, pts in series.items():
        bi = min(range(len(pts)), key=lambda i: pts[i][2])
        best = pts[bi]
        after = pts[bi + 1:]
        final = pts[-1]
        if len(after) < pat or best[2] <= 0:
            continue
        rise = final[2] / best[2] - 1
        tb, tf = _train_at(train, best[1]), _train_at(train, final[1])
        if tb is None or tf is None:
            continue
        if rise >= rise_thr and all(p[2] > best[2] for p in after[-pat:]) and tf < tb:
            gap = (final[2] - tf) / abs(tf) if tf else float("inf")
            hits.append((rise, key, best, final, tb, tf, gap))
    if not hits:
        return _clean(name, {"series": len(series)}, thr)
    hits.sort(reverse=True)
    rise, key, best, final, tb, tf, gap = hits[0]
    ev = {"series": key, "series_overfitting": len(hits), "series_checked": len(series), "best_eval": _g(best[2]),
          "best_step": best[1], "final_eval": _g(final[2]), "final_step": final[1], "eval_rise": _g(rise),
          "train_at_best": _g(tb), "train_at_final": _g(tf), "gap_ratio": _g(gap)}
    msg = (f"{key} rose from {best[2]:.4g} (step {best[1]}) to {final[2]:.4g} (step {final[1]}, +{rise:.0%}) while "
           f"the train loss fell {tb:.4g} -> {tf:.4g}")
    if len(hits) > 1:
        msg += f"; {len(hits)} of {len(series)} eval series rose"
    return _make(name, "warning", msg, best[1], final[1], ev, thr, best[0],
                 "trace.eval_loss" if key == "eval_loss" else f"trace.{key}")


# --------------------------------------------------------------------------- public API

def measure(trace: Trace, options: dict[str, Any] | None = None) -> dict[str, Check]:
    """Run every runtime check; name → :class:`Check` (fired, clean, or not measurable).

    ``options`` overrides :data:`DEFAULT_OPTIONS`; ``trace.meta["max_grad_norm"]`` and
    ``["warmup_steps"]`` are used when the options do not set them. When
    ``early-collapse-then-plateau`` fires, ``loss-plateau`` is reported as not fired
    (same symptom, one finding).
    """
    o = _opts(options, trace)
    o["_cache"] = {}
    out: dict[str, Check] = {}
    out["nonfinite-values"] = check_nonfinite(trace, o)
    out["loss-spike"] = check_spikes(trace, o)
    out["loss-divergence"] = check_divergence(trace, o)
    collapse = check_collapse(trace, o)
    plateau = check_plateau(trace, o)
    if collapse.fired and plateau.fired:
        plateau = Check(plateau.signal, False, plateau.evidence, plateau.threshold, plateau.source,
                        "reported as early-collapse-then-plateau")
    out["loss-plateau"] = plateau
    out["early-collapse-then-plateau"] = collapse
    out["grad-norm-growth"] = check_grad_growth(trace, o)
    out["clip-saturation"] = check_clip(trace, o)
    out["lr-never-changes"] = check_lr_constant(trace, o, plateau if plateau.fired else collapse)
    out["lr-cut-too-late"] = check_lr_cut_late(trace, o)
    out["overfitting"] = check_overfitting(trace, o)
    return {k: out[k] for k in SIGNALS}


def analyze(trace: Trace, options: dict[str, Any] | None = None) -> list[Signal]:
    """The runtime findings that fired on ``trace``, in :data:`SIGNALS` order.

    Args:
        trace: records in step order.
        options: overrides of :data:`DEFAULT_OPTIONS` (e.g. ``{"max_grad_norm": 1.0}``).

    Returns:
        One :class:`Signal` per fired check. Never raises on odd data: missing
        series make a check "not measurable" (see :func:`measure`).
    """
    return [c.result for c in measure(trace, options).values() if c.fired and c.result is not None]


def signal_findings(signals: Iterable[Signal], path: str, lines: list[int] | None = None) -> list[Finding]:
    """Signals as Findings in ``path``; ``lines[i]`` is the 1-based line of record ``i`` when known."""
    out = []
    for s in signals:
        line = 1
        if lines and s.index is not None and 0 <= s.index < len(lines) and lines[s.index]:
            line = lines[s.index]
        out.append(s.to_finding(path, line))
    return out
