"""Shared unit logic of the schedule rules: the run length in the unit of a schedule value.

Rules compare counts only when both sides are in the **same unit**
(research/dialects.md §4: "emit rules that compare values of the same unit");
converting epochs to steps needs the dataset size, which a config does not state,
so these helpers return ``None`` instead of guessing.
"""

from __future__ import annotations

from ..plan import EPOCH, ITERATION, OPT_STEP, PlanValue, TrainingPlan

#: units that count optimizer steps or loader iterations (interchangeable only when equal)
STEP_UNITS = (OPT_STEP, ITERATION)


def unit_of(plan: TrainingPlan, pv: PlanValue) -> str | None:
    """The unit of a schedule count: its own ``unit`` or, when the dialect left it
    empty, the one implied by ``scheduler.interval`` (``"epoch"`` → epoch, ``"step"``
    → optimizer step). ``None`` when neither is known."""
    if pv.unit is not None:
        return pv.unit
    interval = plan.value("scheduler.interval")
    if interval == "epoch":
        return EPOCH
    if interval == "step":
        return OPT_STEP
    return None


def run_length(plan: TrainingPlan, unit: str | None, allow_default: bool = False) -> tuple[float, PlanValue] | None:
    """``(length, PlanValue)`` of the run in ``unit``: ``run.epochs`` for epochs,
    ``run.max_steps`` (> 0) for steps/iterations.

    A run length that is only the framework's documented default (not written in
    the file) is ignored unless ``allow_default``: a config that omits it often
    stops on another criterion (tokens, time) or is launched with the length on
    the command line, so comparing against the default would be a guess.

    A step count matches ``run.max_steps`` only when their units are equal, or when
    one side's unit is the generic optimizer step and the other is unspecified.
    Returns ``None`` when the run length in that unit is not in the plan.
    """
    if unit == EPOCH:
        pv = plan.get("run.epochs")
        n = pv.number if pv is not None else None
        if pv is not None and pv.source is not None and pv.source.default and not allow_default:
            return None
        return (n, pv) if n is not None and n > 0 else None
    if unit in STEP_UNITS:
        pv = plan.get("run.max_steps")
        n = pv.number if pv is not None else None
        if n is None or n <= 0:
            return None
        if pv.source is not None and pv.source.default and not allow_default:
            return None
        if pv.unit is not None and pv.unit != unit:
            return None
        return n, pv
    return None


def fmt(x: float) -> str:
    """A compact number for messages: ``10`` not ``10.0``, ``3e-05`` for tiny values."""
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.3g}"
