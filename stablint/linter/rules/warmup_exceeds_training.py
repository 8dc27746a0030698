"""warmup-exceeds-training (STL105): the warmup is as long as the run, or most of it.

### What it does
Compares the warmup with the run length in the same unit (``warmup.steps`` vs.
``run.max_steps`` in steps or iterations, vs. ``run.epochs`` in epochs) and
``warmup.ratio`` with 1. A warmup of at least ``error_fraction`` (default 100 %)
of the run is an error; at least ``warn_fraction`` (default 50 %) a warning. It
also checks the warmup against the decay horizon (nanoGPT ``warmup_iters`` vs.
``lr_decay_iters``, DeepSpeed ``warmup_num_steps`` vs. ``total_num_steps``).

### Why is this bad?
Training ends inside the warmup: the LR never reaches its configured peak (or
reaches it only at the very end), so a run that "did not learn" was in fact run
at a fraction of its LR. Frameworks clamp silently (detectron2, ultralytics) or
only log a warning (DeepSpeed, torchtitan); HF, axolotl, LLaMA-Factory, torchtune,
Lightning, mmengine and nanoGPT say nothing.

### Example
```yaml
training:
  optimizer: adamw
  learning_rate: 0.0002
  max_steps: 500
  warmup_steps: 1000
```

### Use instead
```yaml
training:
  optimizer: adamw
  learning_rate: 0.0002
  max_steps: 500
  warmup_steps: 25
```

### References
- research/existing_checks.md B5 (rule: ``warmup >= total`` → error, ``>= 50 %`` → warning).
- ultralytics/ultralytics PR #25321 "Prevent training from ending during warmup"; facebookresearch/d2go#19; PrimeIntellect-ai/prime-rl#968.
- Tuning Playbook: warmup "shouldn't be more than 10% of max_train_steps" (research/probe_anchors.md §7.3).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt, run_length, unit_of
from .base import Caught, Rule


def _severity(frac: float, options: dict[str, Any]) -> str | None:
    if frac >= options["error_fraction"]:
        return "error"
    if frac >= options["warn_fraction"]:
        return "warning"
    return None


def _epoch_note(ws, unit: str) -> str:
    """`` (total_iters is counted in epochs here, ...)`` when a warmup whose key does not say "epoch" is in
    epochs because its scheduler steps once per epoch (a Lightning CLI ``LinearLR``'s ``total_iters``,
    mmengine ``LinearLR.end`` with the default ``by_epoch=True``, mmcv ``warmup_iters`` with
    ``warmup_by_epoch``): the number was likely meant as optimizer steps (issue 15, cause 4)."""
    key = ws.source.key.rsplit(".", 1)[-1] if ws.source is not None and ws.source.key else ""
    if unit != "epoch" or not key or "epoch" in key.lower():
        return ""
    return f" ({key} is counted in epochs here, not in optimizer steps)"


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """At most one finding at the warmup field: ratio ≥ threshold, or steps vs. run length / decay horizon."""
    wr = plan.get("warmup.ratio")
    if wr is not None and wr.number is not None and wr.number > 0:
        sev = _severity(wr.number, options)
        if sev:
            yield RULE.finding(plan, "warmup.ratio",
                               f"warmup_ratio {fmt(wr.number)} spends {wr.number:.0%} of the run warming up"
                               + (": the LR never reaches its peak" if sev == "error" else ""),
                               pv=wr, severity=sev, hint="use a warmup of a few percent of the run (0.03-0.1)")
            return
    ws = plan.get("warmup.steps")
    if ws is None or ws.number is None or ws.number <= 0:
        return
    unit = ws.unit or unit_of(plan, ws)
    run = run_length(plan, unit)
    if run is not None:
        total, _ = run
        sev = _severity(ws.number / total, options)
        if sev:
            yield RULE.finding(
                plan, "warmup.steps",
                f"warmup of {fmt(ws.number)} {unit}s is {ws.number / total:.0%} of the {fmt(total)}-{unit} run"
                + (": training ends before the LR reaches its peak" if sev == "error" else "") + _epoch_note(ws, unit),
                pv=ws, severity=sev, hint=f"shorten the warmup to at most ~10% of the run ({fmt(max(1, total // 10))} {unit}s)")
            return
    ds = plan.get("scheduler.decay_steps")
    if ds is not None and ds.number is not None and ds.number > 0 and (ds.unit is None or ds.unit == unit) \
            and ws.number >= ds.number * options["error_fraction"]:
        yield RULE.finding(
            plan, "warmup.steps",
            f"warmup of {fmt(ws.number)} {unit}s is not shorter than the decay horizon of {fmt(ds.number)}: "
            "the schedule decays before warmup ends", pv=ws, severity="error",
            hint="make the warmup a small fraction of the decay horizon")


RULE = Rule(
    code="STL105", name="warmup-exceeds-training", severity="error",
    summary="The warmup covers all (error) or most (warning) of the run, so the LR never or barely reaches its peak.",
    check=check, doc=__doc__, options={"error_fraction": 1.0, "warn_fraction": 0.5}, signal="lr-never-changes",
    caught=(
        Caught("nanoGPT fork config with max_iters 1000 and no warmup_iters, while the fork's train.py default is warmup_iters 2000: the whole run is warmup",
               'Phirefly9/nanoQRWK_experiments config/train_shakespeare_char_gpt2.py@2e7eb6dccc', 'config', 'bench/unseen/files/u0361_train_shakespeare_char_gpt2.py'),
        Caught('detectron2/d2go SOLVER.WARMUP_ITERS 300 equal to MAX_ITER 300: the logged LR never left the 1e-7 range (2.3e-7 at iteration 19)',
               'https://github.com/facebookresearch/d2go/issues/19', 'thread', 'tests/caught/warmup-exceeds-training__d2go-19.yaml'),
    ),
)
