"""Fill the cache: probe, long run and reference long run of every sweep case (``python bench/validity/compute.py``).

Prints one line per case (seconds per run; ``0`` = cached). ``run.py`` calls :func:`compute_all`.
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from bench.validity import runs  # noqa: E402
from bench.validity.sweep import cases  # noqa: E402


def compute_all(verbose: bool = True) -> dict:
    """{case id: {"probe", "long", "ref"}} for every case, training what the cache lacks."""
    os.chdir(runs.ROOT)  # the user target is imported as bench.validity.digits_target
    out, t_all = {}, time.perf_counter()
    for c in cases():
        t0 = time.perf_counter()
        out[c.id] = {"probe": runs.probe(c), "long": runs.long_run(c), "ref": runs.long_run(c, ref=True)}
        if verbose:
            print(f"{c.id:34s} {time.perf_counter() - t0:7.1f}s  (total {time.perf_counter() - t_all:7.1f}s)",
                  file=sys.stderr, flush=True)
    return out


if __name__ == "__main__":
    compute_all()
