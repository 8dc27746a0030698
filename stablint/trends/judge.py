"""Verdicts: does a real (or probe) run confirm a static finding?

Public API (stable; shared by ``probe`` and ``diagnose``):

``judge(findings, trace, plan=None, horizon=None, *, options=None, checks=None) -> list[Finding]``

For each static finding whose rule names a confirming signal (``Rule.signal``,
shared vocabulary), the finding is returned with ``probe`` set to::

    {"verdict": "confirmed" | "not-observed" | "inconclusive",
     "signal": "<signal name>",
     "evidence": {...measured numbers..., "horizon_steps": N},
     "threshold": "<condition in words>",
     "source": "<where the threshold comes from>",
     "note": "<why, in one sentence>"}

- ``confirmed``: the signal's check fired.
- ``not-observed``: it was measured over a long enough horizon and stayed clean.
- ``inconclusive``: not measurable here (series missing, horizon shorter than the
  rule's window, e.g. ``patience`` x steps/epoch, or < 20 post-warm-up samples).
  A short run never *refutes* a static warning (research/probe_anchors.md §0.4, §12).

``checks`` lets the probe pass measurements only it can make (``lr-ab``,
``noise-scale``, ``task-grad-share``, ``lora-effective-update``,
``update-ratio``, ``init-loss``, ``clip-rate``) as :class:`~stablint.trends.signals.Check`
objects; they win over anything derived from the trace. ``horizon`` is the
number of optimizer steps the run covered (default: from the trace).
Findings whose rule has no signal are returned unchanged.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from ..linter.finding import Finding
from .signals import Check, horizon_steps, measure, steps_per_epoch
from .trace import Trace

CONFIRMED, NOT_OBSERVED, INCONCLUSIVE = "confirmed", "not-observed", "inconclusive"
VERDICTS = (CONFIRMED, NOT_OBSERVED, INCONCLUSIVE)

#: Fallback rule name → signal (shared vocabulary) when a rule record has no ``signal``.
RULE_SIGNALS: dict[str, str] = {
    "plateau-patience-too-long": "lr-cut-too-late",
    "batch-size-one": "noise-scale",
    "loss-weight-imbalance": "task-grad-share",
    "lora-scaling-too-low": "lora-effective-update",
    "lora-lr-too-low": "lora-effective-update",
    "clip-too-aggressive": "clip-saturation",
    "missing-warmup": "loss-spike",
    "lr-out-of-range": "lr-ab",
    "plateau-monitors-train-loss": "lr-never-changes",
    "scheduler-never-fires": "lr-never-changes",
}

#: Share of the horizon counted as "early" when judging missing-warmup via loss spikes (proposed).
EARLY_FRACTION = 0.25
#: Minimum loss points in the early window before "not-observed" is allowed (research §13 verdict logic).
MIN_EARLY_POINTS = 20
#: task-grad-share: max share >= 0.9 or max/min >= 10 on >= 80% of sampled steps (research §12, §13; proposed).
TASK_SHARE, TASK_RATIO, TASK_STEPS = 0.9, 10.0, 0.8

_PROBE_ONLY_NOTE = {
    "noise-scale": "the gradient noise scale needs two batch sizes; run `stablint probe`",
    "lora-effective-update": "the adapter update ||(alpha/r)BA||/||W0|| and the alpha x4 A/B need `stablint probe`",
    "lr-ab": "an LR A/B needs a second short run; run `stablint probe`",
}


def signal_of(finding: Finding) -> str | None:
    """The confirming signal of ``finding``'s rule: ``Rule.signal`` from the registry, else :data:`RULE_SIGNALS`."""
    try:
        from ..linter.rules import by_key

        rule = by_key(finding.rule)
    except Exception:  # a broken rule module must not break judging
        rule = None
    if rule is not None and rule.signal:
        return rule.signal
    return RULE_SIGNALS.get(finding.rule)


def _plan_num(plan: Any, name: str) -> tuple[float | None, str | None]:
    if plan is None:
        return None, None
    pv = plan.get(name)
    if pv is None:
        return None, None
    return pv.number, pv.unit


def _window_steps(plan: Any, trace: Trace) -> tuple[float | None, dict[str, Any]]:
    """Steps a plateau scheduler needs before it can first cut: patience (+1) x steps per unit."""
    pat, unit = _plan_num(plan, "scheduler.patience")
    info: dict[str, Any] = {}
    if pat is None:
        return None, info
    info["patience"] = pat
    per = 1.0
    if unit == "epoch" or unit is None:
        spe = steps_per_epoch(trace)
        if spe is None:
            return None, info
        per = spe
        info["steps_per_epoch"] = round(spe, 3)
    elif unit == "eval":
        ev, _ = _plan_num(plan, "eval.interval")
        if ev is None:
            steps = [r.step for r in trace.records if r.eval_loss is not None]
            ev = (steps[-1] - steps[0]) / (len(steps) - 1) if len(steps) >= 2 else None
        if ev is None:
            return None, info
        per = ev
        info["eval_interval"] = ev
    window = (pat + 1) * per
    info["patience_window_steps"] = round(window, 1)
    return window, info


def _verdict(check: Check, horizon: int, extra: dict[str, Any] | None = None, note: str = "",
             verdict: str | None = None) -> dict[str, Any]:
    if verdict is None:
        verdict = CONFIRMED if check.fired else (NOT_OBSERVED if check.fired is False else INCONCLUSIVE)
    ev = {k: v for k, v in check.evidence.items() if not isinstance(v, (list, dict))}
    ev.update(extra or {})
    ev["horizon_steps"] = horizon
    note = note or check.reason or (check.result.message if check.result else "")
    return {"verdict": verdict, "signal": check.signal, "evidence": ev, "threshold": check.threshold,
            "source": check.source, "note": note or _fallback_note(check, verdict)}


def _fallback_note(check: Check, verdict: str) -> str:
    """A sentence for a verdict whose check gave none (every verdict says why, issue 17)."""
    cond = f" ({check.threshold})" if check.threshold else ""
    if verdict == CONFIRMED:
        return f"the condition{cond} held on this run"
    if verdict == NOT_OBSERVED:
        return f"measured over the run; the condition{cond} did not hold"
    return f"not measurable on this run{cond}"


def _early_spike(checks: Mapping[str, Check], trace: Trace, horizon: int) -> dict[str, Any]:
    first = trace.records[0].step if trace.records else 0
    limit = first + EARLY_FRACTION * horizon
    spike = checks["loss-spike"]
    for name in ("nonfinite-values", "loss-divergence", "loss-spike"):
        c = checks.get(name)
        if c is not None and c.fired and c.result is not None and (c.result.start_step or 0) <= limit:
            return _verdict(spike if name == "loss-spike" else c, horizon, {"early_until_step": int(limit)},
                            f"{name} within the first {EARLY_FRACTION:.0%} of the run: {c.result.message}",
                            CONFIRMED)
    n_early = sum(1 for r in trace.records if r.loss is not None and r.step <= limit)
    extra = {"early_until_step": int(limit), "early_points": n_early}
    if spike.fired is None or n_early < MIN_EARLY_POINTS:
        return _verdict(spike, horizon, extra, f"only {n_early} loss points in the early phase "
                        f"(need >= {MIN_EARLY_POINTS})", INCONCLUSIVE)
    note = "no spike, divergence or non-finite value in the early phase"
    if spike.fired:
        note += f" (later: {spike.result.message})"
    return _verdict(spike, horizon, extra, note, NOT_OBSERVED)


def _task_share(trace: Trace) -> Check:
    thr = (f"one term's share >= {TASK_SHARE:g} (or max/min >= {TASK_RATIO:g}) on >= {TASK_STEPS:.0%} of the "
           "sampled steps")
    src = "GradNorm; TheDeepChecker Overwhelming_Reg; examples/seed001_before.yaml, docs/signals.md#task-grad-share (proposed)"
    rows = [r.loss_terms for r in trace.records if r.loss_terms]
    if len(rows) < 5:
        return Check("task-grad-share", None, {"points": len(rows)}, thr, src,
                     "no per-term losses in the log; per-term gradient shares need `stablint probe`")
    dominated = 0
    top: dict[str, int] = {}
    for terms in rows:
        vals = {k: abs(v) for k, v in terms.items() if isinstance(v, (int, float)) and v == v}
        tot = sum(vals.values())
        if len(vals) < 2 or tot <= 0:
            continue
        k, mx = max(vals.items(), key=lambda kv: kv[1])
        mn = min(vals.values())
        if mx / tot >= TASK_SHARE or (mn > 0 and mx / mn >= TASK_RATIO):
            dominated += 1
            top[k] = top.get(k, 0) + 1
    frac = dominated / len(rows)
    ev = {"dominated_share_of_steps": round(frac, 4), "points": len(rows), "basis": "loss-value share (proxy)"}
    if top:
        ev["dominant_term"] = max(top, key=top.get)
    return Check("task-grad-share", frac >= TASK_STEPS, ev, thr, src,
                 "judged on loss-value shares; gradient shares need `stablint probe`")


def _judge_one(signal: str, checks: Mapping[str, Check], trace: Trace, plan: Any, horizon: int) -> dict[str, Any]:
    if signal == "loss-spike":
        return _early_spike(checks, trace, horizon)
    check = checks.get(signal)
    if signal == "task-grad-share" and check is None:
        check = _task_share(trace)
    if signal in _PROBE_ONLY_NOTE and check is None:
        if signal == "noise-scale" and checks["loss-spike"].fired:
            c = checks["loss-spike"]
            return _verdict(Check("noise-scale", True, c.evidence, c.threshold, c.source), horizon, None,
                            f"high spike rate with this batch size: {c.result.message}", CONFIRMED)
        ctx = {}
        for name in ("loss-plateau", "loss-divergence", "loss-spike"):
            c = checks.get(name)
            if c is not None and c.fired:
                ctx[name] = True
        return _verdict(Check(signal, None), horizon, ctx, _PROBE_ONLY_NOTE[signal], INCONCLUSIVE)
    if check is None:
        return _verdict(Check(signal, None), horizon, None, f"no check for signal {signal!r} on this trace",
                        INCONCLUSIVE)
    if signal in ("lr-cut-too-late", "lr-never-changes"):
        window, info = _window_steps(plan, trace)
        if check.fired:
            return _verdict(check, horizon, info)
        if window is not None and horizon < window:
            return _verdict(check, horizon, info, f"horizon {horizon} steps < patience window {window:.0f} steps: "
                            "the scheduler could not have acted yet", INCONCLUSIVE)
        if check.fired is None and signal == "lr-cut-too-late":
            if window is None:
                return _verdict(check, horizon, info, check.reason or "patience window unknown", INCONCLUSIVE)
            return _verdict(check, horizon, info, f"{check.reason}; the run covered the patience window",
                            NOT_OBSERVED)
        return _verdict(check, horizon, info)
    return _verdict(check, horizon)


def judge(findings: Iterable[Finding], trace: Trace, plan: Any = None, horizon: int | None = None, *,
          options: dict[str, Any] | None = None, checks: Mapping[str, Check] | None = None) -> list[Finding]:
    """Attach a verdict to every static finding whose rule has a confirming signal.

    Args:
        findings: static findings (from ``lint_file``), any order; order is kept.
        trace: the run (probe trace or a log read by ``stablint.trends.readers``).
        plan: the :class:`~stablint.linter.plan.TrainingPlan` of the config (patience,
            ``clip.max_norm``, warm-up), or ``None``.
        horizon: optimizer steps the run covered; default :func:`~stablint.trends.signals.horizon_steps`.
        options: signal options (:data:`~stablint.trends.signals.DEFAULT_OPTIONS`);
            ``max_grad_norm`` defaults to the plan's ``clip.max_norm``.
        checks: precomputed checks by signal name (probe-only measurements); they win.

    Returns:
        New findings (findings are immutable) with ``probe`` set where judged.
    """
    findings = list(findings)
    opts = dict(options or {})
    mg, _ = _plan_num(plan, "clip.max_norm")
    if opts.get("max_grad_norm") is None and mg:
        opts["max_grad_norm"] = mg
    ws, unit = _plan_num(plan, "warmup.steps")
    if opts.get("warmup_steps") is None and ws and unit in (None, "opt_step", "iteration"):
        opts["warmup_steps"] = ws
    if plan is not None and getattr(plan, "value", None) and plan.value("scheduler.type") == "plateau":
        opts.setdefault("plateau_scheduler", True)
    measured = dict(measure(trace, opts))
    measured.update(checks or {})
    hz = int(horizon) if horizon is not None else horizon_steps(trace)
    out = []
    for f in findings:
        sig = signal_of(f)
        if not sig:
            out.append(f)
            continue
        out.append(f.with_(probe=_judge_one(sig, measured, trace, plan, hz)))
    return out
