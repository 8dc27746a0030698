"""Benchmark: read and analyze a 100,000-entry trainer_state.json (goal: < 2 s on a 2-core VM).

Run: ``python bench/bench_diagnose.py [entries]``. Writes a synthetic HF
``trainer_state.json`` (train rows every step with loss/grad_norm/learning_rate/
epoch, an eval row every 500 steps, indent=2 and sorted keys like the Trainer),
then times ``read_log`` and ``analyze`` separately (best of 3).
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from stablint.trends.readers import read_log  # noqa: E402
from stablint.trends.signals import analyze  # noqa: E402


def make(path: str, entries: int) -> None:
    rnd = random.Random(0)
    hist = []
    step = 0
    while len(hist) < entries:
        step += 1
        hist.append({"epoch": step / 10000, "grad_norm": math.exp(rnd.gauss(-0.7, 0.3)),
                     "learning_rate": 2e-5 * (1 - step / 200000), "loss": round(2 / (1 + step / 3000) ** 0.3
                                                                                * rnd.uniform(0.97, 1.03), 4),
                     "step": step})
        if step % 500 == 0:
            hist.append({"epoch": step / 10000, "eval_loss": 2.1 / (1 + step / 3000) ** 0.3, "eval_runtime": 9.0,
                         "step": step})
    with open(path, "w") as fh:
        json.dump({"global_step": step, "log_history": hist, "logging_steps": 1, "max_steps": step,
                   "num_train_epochs": 10}, fh, indent=2, sort_keys=True)


def main() -> None:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "trainer_state.json")
        make(path, entries)
        size = os.path.getsize(path)
        best_read = best_an = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            trace = read_log(path)
            t1 = time.perf_counter()
            sigs = analyze(trace, {"max_grad_norm": 1.0})
            t2 = time.perf_counter()
            best_read, best_an = min(best_read, t1 - t0), min(best_an, t2 - t1)
    print(f"{entries} log_history entries ({size / 1e6:.1f} MB, {len(trace)} records): read {best_read:.3f} s, "
          f"analyze {best_an:.3f} s, total {best_read + best_an:.3f} s; findings: {[s.name for s in sigs]}")


if __name__ == "__main__":
    main()
