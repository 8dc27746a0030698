"""Probe benchmarks: wall time of the default probe per seed example, and instrumentation overhead.

Run: ``python bench/bench_probe.py [--steps 200] [--repeats 5]`` (needs torch). Prints JSON.

- ``wall``: seconds of ``probe_path(example)`` with the defaults (200 steps, A/B runs included;
  the process start and ``import torch`` are not included). Goal: <= 60 s per example.
- ``overhead``: the same main-run loop with the per-step instrumentation (pre-clip norm,
  loss/LR/terms records, sampled update ratio) vs without it (``Instrument(enabled=False)``),
  alternating in one process, median of ``--repeats`` runs each. Goal: ratio <= 1.05.
"""

from __future__ import annotations

import argparse
import glob
import json
import statistics
import sys
import time


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--examples", default="examples/seed*_*.*")
    a = ap.parse_args(argv)
    import torch

    from stablint.probes import loop, runner, spec as probe_spec

    torch.set_num_threads(1)
    out = {"wall": {}, "overhead": {}}
    for path in sorted(glob.glob(a.examples)):
        if path.endswith("custom_target.py"):
            continue
        t0 = time.perf_counter()
        rep = runner.probe_path(path, steps=a.steps, device="cpu")
        out["wall"][path] = {"seconds": round(time.perf_counter() - t0, 2), "target": rep.spec.target,
                             "runs": {k: v["steps"] for k, v in rep.runs.items()},
                             "verdicts": {f.code: f.probe["verdict"] for f in rep.findings},
                             "checks": {c["signal"]: c["verdict"] for c in rep.checks}}
        if "before" in path:
            plan, _ = runner.load(path)
            s = probe_spec.spec_from_plan(plan, steps=a.steps)
            times = {True: [], False: []}
            for _ in range(a.repeats):
                for enabled in (True, False):
                    res = loop.run(s, plan=plan, instrument=loop.Instrument(enabled=enabled))
                    times[enabled].append(res.seconds)
            on, off = statistics.median(times[True]), statistics.median(times[False])
            out["overhead"][path] = {"instrumented_s": round(on, 3), "plain_s": round(off, 3),
                                     "ratio": round(on / off, 3)}
        print(path, out["wall"][path]["seconds"], out["overhead"].get(path), file=sys.stderr)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
