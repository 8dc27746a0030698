"""The label rule of the real-log corpus (issue 16), written before diagnose was run on any log.

Each log is labelled from its own numbers with rules that are deliberately *simpler than and
different from* the detectors in ``stablint/trends/signals`` (octile medians and plain
ratios, no MAD, no EMA, no Mann-Kendall), so that the corpus measures the detectors against
what a person reading the curves would say. Run once; its output was frozen into
``manifest.tsv`` (column ``labels``) and then each disagreement with diagnose got a second,
manual look (column ``note``). This module imports only the readers, never the signals.

Octiles: the series split into 8 consecutive, near-equal groups of logged points; ``m[k]``
is the median of group k (0..7). Rules (a label is set when its rule holds):

- ``nonfinite-values``: a NaN/Inf in loss, eval loss, grad norm or LR.
- ``loss-divergence``: >= 8 loss points and m[7] >= 2 x min(m).
- ``loss-spike``: >= 12 loss points and some point >= 2 x the median of the 10 before it and
  >= that median + 0.1 (an isolated jump a reader sees; a divergence is not a spike).
- ``loss-plateau``: >= 16 loss points, (m[4] - m[7]) / m[4] < 3% (the loss made no progress over
  the second half), not divergence.
- ``early-collapse-then-plateau``: >= 16 loss points, min of the first 10% of points <= 1% of the
  first loss, and (m[0] - m[7]) / m[0] < 10%.
- ``grad-norm-growth``: >= 10 grad-norm points, m[7] >= 3 x min(m[0], m[1]) and at least 5 of the 7
  octile-to-octile steps go up (a steady climb).
- ``clip-saturation``: clip threshold stated beside the log, >= 20 grad-norm points, and > 50% of
  them above it.
- ``lr-never-changes``: >= 10 LR points and one value (relative 1e-6) on >= 80% of the points.
- ``lr-cut-too-late``: (not labelled from numbers alone: needs the scheduler; precision only).
- ``overfitting``: >= 3 evaluations, the last >= 1.05 x the best, the best not among the last 2,
  and the train loss lower at the end than at the best evaluation (or no train loss).
- ``early-grad-spike``: >= 3 grad-norm points and the first >= 10 x the median of the rest.
- ``initial-loss-high``: vocab size known (config.json beside), first loss >= 2 x ln(vocab).

RL logs (issue 15, rules written 2026-12-02 before the RL signals existed or diagnose ran on any RL log).
A log is an RL log when a record has ``reward``, ``reward_std``, ``frac_reward_zero_std``,
``completion_length`` or a ``completions/...`` metric (TRL GRPOTrainer / RLOOTrainer; DPO's
``rewards/chosen`` does not count). On an RL log the logged ``loss`` is not a health measure (TRL's
GRPO loss starts at 0 and equals beta x KL in value, huggingface/open-r1#239, huggingface/trl#2703), so
no loss label (spike, divergence, plateau, collapse, initial loss, overfitting) is given; the grad-norm,
LR and NaN rules apply as above. Two more labels:

- ``completion-truncation``: >= 1 ``completions/clipped_ratio`` value and their plain mean over the whole
  log >= 0.25 (a quarter of the sampled completions, on average, hit ``max_completion_length``).
- ``reward-zero-std``: >= 1 ``frac_reward_zero_std`` value and the plain mean over the second half of
  its points (all of them when fewer than 2) >= 0.5; without that metric, >= 1 ``reward_std`` value and
  >= half of the second half of the ``reward_std`` points exactly 0 (<= 1e-12: every group of that
  logging window gave one reward to all its completions).
"""

from __future__ import annotations

import bisect
import json
import math
import os
import statistics
import sys


def octiles(v: list[float]) -> list[float]:
    """Medians of 8 consecutive near-equal groups of ``v`` (len >= 8)."""
    n = len(v)
    return [statistics.median(v[k * n // 8:(k + 1) * n // 8]) for k in range(8)]


def series(trace, key: str) -> list[float]:
    """Values of ``key`` in record order (None skipped)."""
    return [getattr(r, key) for r in trace.records if getattr(r, key) is not None]


RL_MARKERS = ("reward", "reward_std", "frac_reward_zero_std", "completion_length")


def is_rl(trace) -> bool:
    """An RL log by the rule in the module docstring."""
    return any(k in RL_MARKERS or k.startswith("completions/") for r in trace.records for k in r.extra)


def extra_series(trace, key: str) -> list[float]:
    """Finite values of the ``extra`` metric ``key`` in record order."""
    out = []
    for r in trace.records:
        v = r.extra.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            out.append(float(v))
    return out


def rl_labels(trace) -> list[str]:
    """The two RL labels of the module docstring."""
    out = []
    clip = extra_series(trace, "completions/clipped_ratio")
    if clip and statistics.mean(clip) >= 0.25:
        out.append("completion-truncation")
    fz = extra_series(trace, "frac_reward_zero_std")
    if fz:
        half = fz[len(fz) // 2:] if len(fz) >= 2 else fz
        if statistics.mean(half) >= 0.5:
            out.append("reward-zero-std")
    else:
        rs = extra_series(trace, "reward_std")
        half = rs[len(rs) // 2:] if len(rs) >= 2 else rs
        if half and sum(1 for x in half if abs(x) <= 1e-12) >= 0.5 * len(half):
            out.append("reward-zero-std")
    return out


def labels(trace, clip: float | None = None, vocab: int | None = None) -> list[str]:
    """The labels of one log by the rules in the module docstring."""
    out = []
    rl = is_rl(trace)
    loss, ev, gn, lr = (series(trace, k) for k in ("loss", "eval_loss", "grad_norm", "lr"))
    if rl:
        ev = []
        loss = [x for x in loss if not math.isfinite(x)]  # only the NaN check reads an RL loss
    if any(not math.isfinite(x) for x in loss + ev + gn + lr):
        out.append("nonfinite-values")
    loss = [x for x in loss if math.isfinite(x)]
    if len(loss) < 3:
        loss = [x for x in ev if math.isfinite(x)]
    gn = [x for x in gn if math.isfinite(x) and x > 0]
    div = False
    if len(loss) >= 8:
        m = octiles(loss)
        if m[7] >= 2 * min(m) and min(m) > 0:
            out.append("loss-divergence")
            div = True
    if len(loss) >= 12 and not div:
        for j in range(10, len(loss)):
            med = statistics.median(loss[j - 10:j])
            if loss[j] >= 2 * med and loss[j] >= med + 0.1:
                out.append("loss-spike")
                break
    if len(loss) >= 16:
        m = octiles(loss)
        collapse = (min(loss[:max(1, len(loss) // 10)]) <= 0.01 * loss[0] and loss[0] > 0
                    and m[0] and (m[0] - m[7]) / abs(m[0]) < 0.10)
        if collapse:
            out.append("early-collapse-then-plateau")
        elif not div and m[4] and (m[4] - m[7]) / abs(m[4]) < 0.03:
            out.append("loss-plateau")
    if len(gn) >= 10:
        m = octiles(gn) if len(gn) >= 8 else gn
        ups = sum(1 for a, b in zip(m, m[1:]) if b > a)
        if m[7] >= 3 * min(m[0], m[1]) and ups >= 5:
            out.append("grad-norm-growth")
    if clip and len(gn) >= 20 and sum(1 for g in gn if g > clip) / len(gn) > 0.5:
        out.append("clip-saturation")
    if len(lr) >= 10:
        srt = sorted(lr)
        top = max(bisect.bisect_right(srt, x + 1e-6 * max(abs(x), 1e-30)) - bisect.bisect_left(srt, x)
                  for x in set(srt))
        if top / len(lr) >= 0.8:
            out.append("lr-never-changes")
    evs = [(r.step, r.eval_loss) for r in trace.records if r.eval_loss is not None and math.isfinite(r.eval_loss)]
    if len(evs) >= 3:
        vals = [v for _, v in evs]
        best = min(range(len(vals)), key=vals.__getitem__)
        if vals[-1] >= 1.05 * vals[best] and best < len(vals) - 2:
            tl = [(r.step, r.loss) for r in trace.records if r.loss is not None and math.isfinite(r.loss)]
            at_best = [l for s, l in tl if s <= evs[best][0]]
            if not tl or not at_best or tl[-1][1] < at_best[-1]:
                out.append("overfitting")
    if len(gn) >= 3 and gn[0] >= 10 * statistics.median(gn[1:]):
        out.append("early-grad-spike")
    if vocab and vocab > 1 and loss and loss[0] >= 2 * math.log(vocab):
        out.append("initial-loss-high")
    if rl:
        out += rl_labels(trace)
    return out


if __name__ == "__main__":  # python tests/logs_real/label_rule.py LOG [CLIP] [VOCAB]
    from stablint.trends.readers import read_log

    t = read_log(sys.argv[1])
    print(json.dumps(labels(t, float(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2] != "-" else None,
                            int(sys.argv[3]) if len(sys.argv) > 3 else None)))
