"""Probe benchmarks: wall time of the default probe per seed example, and instrumentation overhead.

Run: ``python bench/bench_probe.py [--steps 200] [--repeats 7] [--only-overhead]`` (needs torch).
Prints JSON on stdout and one line per example on stderr.

- ``wall``: seconds of ``probe_path(example)`` with the defaults (200 steps, A/B runs included;
  the process start and ``import torch`` are not included). Goal: <= 60 s per example.
- ``overhead`` (the ``*_before`` examples): the main-run loop (:func:`stablint.probes.loop.run`)
  in four variants, interleaved in one process (the order rotates every repeat), median of
  ``--repeats`` runs each, wall seconds and CPU seconds of the loop (target building excluded):

  ``plain``            ``Instrument(enabled=False)``: the same training (optimizer, clipping,
                       scheduler, warmup; the scheduler gets the metric it monitors; early
                       stopping acts) with no measurement, and the same validation pass after
                       every probe epoch as the instrumented loop;
  ``plain_train``      the same, validating only when the training needs the validation loss
                       (ReduceLROnPlateau on it, early stopping: ``loop.needs_validation``);
  ``instrumented``     ``Instrument()``: per-step loss/terms/LR/pre-clip norm/clipped/non-finite
                       check plus the update ratio sampled every 10 steps, and the initial loss;
  ``probe``            the instrument set of ``stablint probe``'s main run for this plan (adds
                       the task-gradient-share and noise-scale samples where the plan asks).

  Ratios: ``per_step = instrumented / plain`` (issue 5's goal: <= 1.05), ``with_val =
  instrumented / plain_train`` (also charges the validation passes only the probe needs) and
  ``probe = probe / plain_train`` (everything the probe's main run adds, sampled signals included).
  Each is the ratio of the medians and, in ``paired``, the median of the per-repeat ratios
  (runs next to each other share the machine's load at that moment: the steadier estimate on a
  shared machine).

  ``--before FILE`` also times an older ``loop.py`` in the same process (for before/after
  tables): ``git show REV:stablint/probes/loop.py > /tmp/loop_before.py``; it adds the variants
  ``before_plain`` and ``before_instrumented`` (that version's ``Instrument(enabled=False)`` and
  ``Instrument()``) and the ratios ``before = before_instrumented / before_plain`` (as that
  version's benchmark defined it) and ``before_same_base = before_instrumented / plain``.

  Timing: every run gets a freshly built target (built outside the timed span); wall and CPU
  seconds are taken around ``loop.run`` (optimizer construction included, a constant). The
  machine is shared, and the same run's CPU time varies by up to 1.8x from one repeat to the
  next, so a third estimate is given, ``floor``: every optimizer step is timestamped (the
  loop's ``LRControl.before_step`` is wrapped, in every variant alike), and the run's time is
  the sum over step indices of the fastest of the repeats at that index (the runs are
  deterministic: step ``i`` does the same work in every repeat, flushes and validation passes
  included); bursts of load from other jobs drop out, a cost the loop pays at a step stays.
"""

from __future__ import annotations

import argparse
import glob
import json
import statistics
import sys
import time

VARIANTS = ("plain", "plain_train", "instrumented", "probe")
RATIOS = {"per_step": ("instrumented", "plain"), "with_val": ("instrumented", "plain_train"),
          "probe": ("probe", "plain_train"), "before": ("before_instrumented", "before_plain"),
          "before_same_base": ("before_instrumented", "plain")}


def _instruments(loop, spec, findings):
    from stablint.probes.runner import main_instrument

    return {
        "plain": loop.Instrument(enabled=False),
        "plain_train": loop.Instrument(enabled=False, validate_every_epoch=False),
        "instrumented": loop.Instrument(),
        "probe": main_instrument(spec, findings),
    }


def load_before(path: str):
    """An older ``stablint/probes/loop.py`` imported as ``stablint.probes._loop_before`` (its
    relative imports resolve against the current package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("stablint.probes._loop_before", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def overhead(path: str, steps: int, repeats: int, before=None) -> dict:
    """Interleaved, rotated runs of the variants; medians and ratios (module docstring)."""
    from stablint.probes import loop, runner, spec as probe_spec
    from stablint.probes.targets import build_target

    plan, findings = runner.load(path)
    s = probe_spec.spec_from_plan(plan, steps=steps)
    runs = {k: (loop.run, ins) for k, ins in _instruments(loop, s, findings).items()}
    if before is not None:
        runs["before_plain"] = (before.run, before.Instrument(enabled=False))
        runs["before_instrumented"] = (before.run, before.Instrument())
    names = list(runs)
    wall = {k: [] for k in names}
    cpu = {k: [] for k in names}

    segs = {k: [] for k in names}

    def once(k):
        fn, ins = runs[k]
        tgt = build_target(s, plan)
        _STAMPS.clear()
        w0, c0 = time.perf_counter(), time.process_time()
        fn(s, plan=plan, instrument=ins, target=tgt)
        w1, c1 = time.perf_counter(), time.process_time()
        marks = [w0] + _STAMPS + [w1]
        return w1 - w0, c1 - c0, [b - a for a, b in zip(marks, marks[1:])]

    patched = [m for m in (loop, before) if m is not None]
    saved = [m.LRControl for m in patched]
    for m in patched:
        m.LRControl = _timed(m.LRControl)
    try:
        for k in names:  # warm-up (allocator, lazy imports), not timed
            once(k)
        for r in range(repeats):
            for k in names[r % len(names):] + names[:r % len(names)]:
                w, c, sg = once(k)
                wall[k].append(w)
                cpu[k].append(c)
                segs[k].append(sg)
    finally:
        for m, cls in zip(patched, saved):
            m.LRControl = cls
    med = {k: statistics.median(v) for k, v in wall.items()}
    cmed = {k: statistics.median(v) for k, v in cpu.items()}
    floor = {k: sum(min(col) for col in zip(*v)) for k, v in segs.items()}
    out = {"target": s.target, "steps_per_epoch": s.steps_per_epoch, "repeats": repeats,
           "training_validates": loop.needs_validation(s), "wall_s": {k: round(v, 4) for k, v in med.items()},
           "cpu_s": {k: round(v, 4) for k, v in cmed.items()}, "floor_s": {k: round(v, 4) for k, v in floor.items()}}
    for name, (a, b) in RATIOS.items():
        if a in med and b in med:
            out[name] = {"wall": round(med[a] / med[b], 3), "cpu": round(cmed[a] / cmed[b], 3),
                         "paired_wall": round(statistics.median(x / y for x, y in zip(wall[a], wall[b])), 3),
                         "floor": round(floor[a] / floor[b], 3)}
    return out


_STAMPS: list[float] = []


def _timed(cls):
    """``cls`` (an LRControl) with a timestamp taken at the start of every optimizer step."""

    class Timed(cls):
        def before_step(self, step: int) -> float:
            _STAMPS.append(time.perf_counter())
            return super().before_step(step)

    return Timed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--examples", default="examples/seed*_*.*")
    ap.add_argument("--only-overhead", action="store_true", help="skip the wall-time runs")
    ap.add_argument("--before", metavar="LOOP_PY", help="an older stablint/probes/loop.py to time beside")
    a = ap.parse_args(argv)
    import torch

    from stablint.probes import runner

    torch.set_num_threads(1)
    before = load_before(a.before) if a.before else None
    out = {"wall": {}, "overhead": {}}
    t_start = time.perf_counter()
    for path in sorted(glob.glob(a.examples)):
        if path.endswith("custom_target.py"):
            continue
        if not a.only_overhead:
            t0 = time.perf_counter()
            rep = runner.probe_path(path, steps=a.steps, device="cpu")
            out["wall"][path] = {"seconds": round(time.perf_counter() - t0, 2), "target": rep.spec.target,
                                 "runs": {k: v["steps"] for k, v in rep.runs.items()},
                                 "verdicts": {f.code: f.probe["verdict"] for f in rep.findings},
                                 "checks": {c["signal"]: c["verdict"] for c in rep.checks}}
        if "before" in path:
            out["overhead"][path] = overhead(path, a.steps, a.repeats, before)
        o = out["overhead"].get(path)
        print(path, out["wall"].get(path, {}).get("seconds"),
              {k: (o[k]["wall"], o[k]["floor"]) for k in RATIOS if k in o} if o else "", file=sys.stderr)
    out["bench_seconds"] = round(time.perf_counter() - t_start, 1)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
