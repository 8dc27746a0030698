"""Lint-path benchmarks (issue 7). Not a test: run it and read the table.

    python bench/bench_lint.py [--runs 5] [--big 10000]

1. All corpus YAML files: ``stablint lint`` vs ``yamllint -d relaxed`` on the same files
   (goal: stablint <= 0.5x yamllint while doing semantic checks).
2. One file, cold process: ``stablint lint FILE`` vs ``python -c "import yaml"`` (goal <= 1.5x).
3. A large repo: N generated configs (copies of corpus files), ``--jobs 1`` vs ``--jobs 2``.

Commands run interleaved (A, B, A, B, ...) so machine noise hits both sides alike; the
table reports medians and the ratio measured side by side in one run, for wall-clock time
and for CPU time (user + system of the child process, from ``getrusage``), which is much
less sensitive to other jobs on a shared machine.

Bytecode: the package's ``.pyc`` files are compiled first (``compileall``), as ``pip install``
does for users. Without them (``PYTHONDONTWRITEBYTECODE=1``, an editable checkout) every
start recompiles ~60 modules (~130 ms), which says nothing about the installed tool.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
PY = sys.executable


def timed(cmd: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child: user + system) of one run of ``cmd``."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def side_by_side(a: list[str], b: list[str], runs: int) -> tuple[float, float, float, float]:
    """Median (wall A, wall B, CPU A, CPU B) over ``runs`` interleaved runs."""
    wa, wb, ca, cb = [], [], [], []
    for _ in range(runs):
        w, c = timed(a)
        wa.append(w)
        ca.append(c)
        w, c = timed(b)
        wb.append(w)
        cb.append(c)
    med = statistics.median
    return med(wa), med(wb), med(ca), med(cb)


def make_big_repo(n: int, dest: Path) -> None:
    srcs = [p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml", ".json", ".toml")]
    for i in range(n):
        src = srcs[i % len(srcs)]
        d = dest / f"team{i % 50}" / "configs"
        d.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, d / f"{i}_{src.name}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--big", type=int, default=10000)
    args = ap.parse_args()
    compileall.compile_dir(str(ROOT / "stablint"), quiet=1)
    stablint = [PY, "-m", "stablint", "lint", "--exit-zero", "--format", "json"]
    yamls = sorted(str(p) for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml"))
    rows = []

    if shutil.which("yamllint"):
        rows.append((f"{len(yamls)} corpus YAML files", "stablint lint", "yamllint -d relaxed",
                     *side_by_side(stablint + yamls, ["yamllint", "-d", "relaxed", *yamls], args.runs)))
    else:
        print("yamllint not installed (pip install yamllint): skipping comparison 1", file=sys.stderr)

    one = str(CORPUS / "torchtune" / "pytorch__torchtune__recipes__configs__llama3__8B_lora_single_device.yaml")
    rows.append(("one file, cold process", "stablint lint FILE", 'python -c "import yaml"',
                 *side_by_side(stablint + [one], [PY, "-c", "import yaml"], max(args.runs, 15))))

    if args.big:
        with tempfile.TemporaryDirectory() as tmp:
            make_big_repo(args.big, Path(tmp))
            w2, w1, c2, c1 = side_by_side(stablint + ["--jobs", "2", tmp], stablint + ["--jobs", "1", tmp],
                                          max(1, args.runs // 2))
            rows.append((f"{args.big} configs", "--jobs 2", "--jobs 1", w2, w1, c2, c1))

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, median of {args.runs}+ interleaved runs\n")
    print("| workload | A | B | wall A (s) | wall B (s) | wall A/B | CPU A (s) | CPU B (s) | CPU A/B |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, a, b, wa, wb, ca, cb in rows:
        print(f"| {name} | `{a}` | `{b}` | {wa:.3f} | {wb:.3f} | {wa / wb:.2f} | {ca:.3f} | {cb:.3f} | {ca / cb:.2f} |")


if __name__ == "__main__":
    main()
