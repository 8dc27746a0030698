"""Per-signal precision/recall of diagnose on tests/logs_real, and threshold sweeps on its calibration half.

Usage: ``python bench/logs_real_eval.py [--sweep]`` (after ``python tests/logs_real/fetch.py``).
Prints, per split, tp/fp/fn/precision/recall per signal, and the disagreeing logs; with
``--sweep``, precision/recall on the calibration half for each candidate value of the
thresholds in :data:`SWEEP` (the defaults in stablint/trends/signals/catalog.py were picked
from this output: the value with the best recall at precision >= 95%, else the best F1,
ties to the more conservative value).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "logs_real"))
from corpus import load, score  # noqa: E402
from corpus import fired as fired_on  # noqa: E402

#: threshold → (signals it affects, candidate values).
SWEEP = {
    "grad_growth_factor": (("grad-norm-growth",), (2.0, 2.5, 3.0, 4.0, 5.0)),
    "grad_trend_alpha": (("grad-norm-growth",), (0.001, 0.01, 0.05)),
    "grad_min_points": (("grad-norm-growth",), (8, 10, 16, 24)),
    "plateau_min_points": (("loss-plateau",), (8, 12, 16, 24, 32)),
    "plateau_min_decrease": (("loss-plateau",), (0.02, 0.03, 0.05, 0.1)),
    "spike_min_history": (("loss-spike",), (3, 5, 10, 20)),
    "spike_min_ratio": (("loss-spike",), (1.1, 1.25, 1.5, 2.0)),
    "lr_min_points": (("lr-never-changes",), (5, 10, 20)),
    "lr_rel_tol": (("lr-never-changes",), (1e-9, 1e-6, 1e-3)),
    "lr_cut_ratio": (("lr-cut-too-late",), (0.5, 0.9)),
    "overfit_min_evals": (("overfitting",), (3, 4, 5)),
    "overfit_patience": (("overfitting",), (1, 2, 3)),
    "overfit_min_rise": (("overfitting",), (0.02, 0.05, 0.1)),
    "divergence_factor": (("loss-divergence",), (2.0, 3.0, 4.0)),
    "early_spike_ratio": (("early-grad-spike",), (5.0, 10.0, 20.0)),
    "truncation_share": (("completion-truncation",), (0.1, 0.2, 0.3, 0.5, 0.8)),
    "zero_std_share": (("reward-zero-std",), (0.3, 0.5, 0.7, 0.9)),
    "rl_tail_fraction": (("completion-truncation", "reward-zero-std"), (0.25, 0.5, 1.0)),
}


def run(entries, options=None):
    """``[(entry, fired signals)]`` for the entries present on this machine."""
    out = []
    for e in entries:
        if e.local:
            out.append((e, fired_on(e.local, options)))
    return out


def _fmt(x):
    return "-" if x is None else f"{x:.2f}"


def main() -> None:
    """Print the tables (see module docstring)."""
    entries = load()
    for split in ("calibration", "test"):
        res = run([e for e in entries if e.split == split])
        print(f"== {split}: {len(res)} logs")
        for s, m in score(res).items():
            print(f"{s:30s} tp {m['tp']:2d} fp {m['fp']:2d} fn {m['fn']:2d}  P {_fmt(m['precision'])}  "
                  f"R {_fmt(m['recall'])}")
        for e, f in res:
            if f != e.labels:
                print(f"   {e.id} {e.repo} {e.path[-40:]}: labels {sorted(e.labels)} fired {sorted(f)}")
    if "--sweep" in sys.argv:
        cal = [e for e in entries if e.split == "calibration" and e.local]
        for opt, (sigs, values) in SWEEP.items():
            for v in values:
                m = score(run(cal, {opt: v}))
                print(f"sweep {opt}={v}: " + "; ".join(f"{s} P {_fmt(m[s]['precision'])} R {_fmt(m[s]['recall'])} "
                                                      f"(tp {m[s]['tp']} fp {m[s]['fp']} fn {m[s]['fn']})"
                                                      for s in sigs))


if __name__ == "__main__":
    main()
