"""Lint-path benchmarks (issue 7). Not a test: run it and read the table.

    python bench/bench_lint.py [--runs 5] [--big 10000]

1. All corpus YAML files: ``stablint lint`` vs ``yamllint -d relaxed`` on the same files
   (goal: stablint <= 0.5x yamllint while doing semantic checks).
2. One file, cold process: ``stablint lint FILE`` vs ``python -c "import yaml"`` (goal <= 1.5x).
3. A large repo: N generated configs (copies of corpus files), ``--jobs 1`` vs ``--jobs 2``.

Commands run interleaved (A, B, A, B, ...) so machine noise hits both sides alike; the
table reports medians and the ratio measured side by side in one run.
"""

from __future__ import annotations

import argparse
import os
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


def timed(cmd: list[str], cwd: Path = ROOT) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def side_by_side(a: list[str], b: list[str], runs: int) -> tuple[float, float]:
    ta, tb = [], []
    for _ in range(runs):
        ta.append(timed(a))
        tb.append(timed(b))
    return statistics.median(ta), statistics.median(tb)


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
    stablint = [PY, "-m", "stablint", "lint", "--exit-zero", "--format", "json"]
    yamls = sorted(str(p) for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml"))
    rows = []

    if shutil.which("yamllint"):
        s, y = side_by_side(stablint + yamls, ["yamllint", "-d", "relaxed", *yamls], args.runs)
        rows.append((f"{len(yamls)} corpus YAML files", "stablint lint", s, "yamllint -d relaxed", y))
    else:
        print("yamllint not installed (pip install yamllint): skipping comparison 1", file=sys.stderr)

    one = str(CORPUS / "torchtune" / "pytorch__torchtune__recipes__configs__llama3__8B_lora_single_device.yaml")
    s, y = side_by_side(stablint + [one], [PY, "-c", "import yaml"], max(args.runs, 15))
    rows.append(("one file, cold process", "stablint lint FILE", s, 'python -c "import yaml"', y))

    if args.big:
        with tempfile.TemporaryDirectory() as tmp:
            make_big_repo(args.big, Path(tmp))
            j1, j2 = side_by_side(stablint + ["--jobs", "1", tmp], stablint + ["--jobs", "2", tmp], max(1, args.runs // 2))
            rows.append((f"{args.big} configs", "--jobs 2", j2, "--jobs 1", j1))

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, median of {args.runs}+ interleaved runs\n")
    print("| workload | A | A (s) | B | B (s) | A/B |")
    print("|---|---|---|---|---|---|")
    for name, a, ta, b, tb in rows:
        print(f"| {name} | `{a}` | {ta:.3f} | `{b}` | {tb:.3f} | {ta / tb:.2f} |")


if __name__ == "__main__":
    main()
