"""A verdict for every static finding, and the probe's own checks.

Static findings are judged by :func:`stablint.trends.judge.judge` (shared with
``diagnose``) on the probe's trace, with the probe-only measurements of
:mod:`.signals_probe` passed as ``checks``. Findings whose rule has no runtime
signal (load pitfalls, unknown keys) get ``inconclusive`` with ``signal: null`` so
that every finding carries a ``probe`` object. A run that ended early (NaN, OOM,
time limit) says so in the note; a horizon too short never refutes a warning.

Verdict directions that did not predict the long run in ``bench/validity`` (issue 14: a
probe verdict vs the same config trained 20x longer) are reported as ``inconclusive``
(:data:`UNRELIABLE`, :func:`downgrade`); the measured verdict stays in the evidence as
``measured_verdict`` and the note says why.
"""

from __future__ import annotations

from typing import Any

from ..linter.finding import Finding
from ..trends.judge import CONFIRMED, INCONCLUSIVE, NOT_OBSERVED, judge, signal_of
from ..trends.signals import Check

#: Rule name → the probe-only signals a plan implies even without a finding (always measured).
PROBE_CHECKS = ("clip-saturation", "lr-cut-too-late", "lr-never-changes", "noise-scale", "task-grad-share",
                "lora-effective-update", "lr-ab", "update-ratio", "init-loss")


#: Adam-family optimizers (they divide by the gradient's running RMS, so a clip that scales every
#: step's gradient alike barely changes the update).
ADAM_FAMILY = ("adam", "adamw", "nadam", "radam", "adamax", "schedule_free", "adamw_torch", "adamw_hf")

#: (signal, verdict) → (condition on (spec, rule), note): verdict directions whose predictive value on
#: the bench/validity sweep was below 0.9 (numbers: bench/validity/README.md "Downgrades").
_ALWAYS = lambda spec, rule: True  # noqa: E731
_BV = "bench/validity (probe at 5% of a 20x longer run)"
UNRELIABLE: dict[tuple[str, str], tuple[Any, str]] = {
    ("clip-saturation", CONFIRMED): (
        lambda spec, rule: str(getattr(spec, "optimizer", "")).lower() in ADAM_FAMILY,
        f"clipping saturates, but with an Adam-family optimizer that did not make the long run worse in {_BV}: "
        "0 of 8 confirmed configs ended > 5% worse than clip 1.0"),
    ("lora-effective-update", CONFIRMED): (
        _ALWAYS, f"the alpha x4 gain of a short run did not predict the long run in {_BV}: 5 of 11 confirmed configs "
                 "(built-in and HF LoRA LMs) ended > 5% worse than alpha x4"),
    ("lr-ab", CONFIRMED): (_ALWAYS, f"an lr/3 A/B win did not predict the long run in {_BV}: 1 of 2"),
    ("lr-ab", NOT_OBSERVED): (_ALWAYS, f"no lr/3 A/B win did not rule out a worse long run in {_BV}: 7 of 8"),
    ("lr-cut-too-late", CONFIRMED): (
        _ALWAYS, f"a late LR cut in the probe did not make the long run worse than patience <= 5 in {_BV}: 0 of 4"),
    ("lr-never-changes", CONFIRMED): (
        lambda spec, rule: rule != "early-stop-before-lr-drop",
        f"the LR did not change within the probe, yet the long run cut it in {_BV}: 0 of 6 confirmed configs "
        "(ReduceLROnPlateau on the training loss) kept the LR"),
    ("noise-scale", CONFIRMED): (_ALWAYS, f"B_simple / B did not predict the long run in {_BV}: 2 of 3"),
    ("noise-scale", NOT_OBSERVED): (_ALWAYS, f"B_simple / B did not predict the long run in {_BV}: 2 of 5 "
                                             "not-observed configs ended fine"),
    ("update-ratio", NOT_OBSERVED): (_ALWAYS, f"a healthy update/weight ratio did not rule out a worse long run at "
                                              f"lr x3 in {_BV}: 8 of 10"),
}


def downgrade(probe: dict[str, Any], signal: str | None, rule: str, spec) -> dict[str, Any]:
    """``probe`` with an unreliable ``confirmed``/``not-observed`` turned into ``inconclusive``.

    The measured verdict is kept as ``evidence["measured_verdict"]``; ``probe`` is not modified.
    """
    key = (signal, probe.get("verdict"))
    if key not in UNRELIABLE:
        return probe
    applies, note = UNRELIABLE[key]
    if not applies(spec, rule):
        return probe
    ev = {**(probe.get("evidence") or {}), "measured_verdict": probe["verdict"]}
    was = probe.get("note") or ""
    return {**probe, "verdict": INCONCLUSIVE, "evidence": ev, "note": f"{note} [measured: {was}]" if was else note}


def judge_options(spec) -> dict[str, Any]:
    """Signal options in probe units: the probe's own warmup length and clip threshold."""
    return {"warmup_steps": spec.warmup_steps, "max_grad_norm": spec.max_grad_norm}


def attach(findings: list[Finding], main, spec, plan, checks: dict[str, Check]) -> list[Finding]:
    """Every finding with a ``probe`` verdict (see the module docstring)."""
    judged = judge(findings, main.trace, plan, horizon=main.steps_done, options=judge_options(spec), checks=checks)
    out = []
    for f in judged:
        if f.probe is not None:
            f = f.with_(probe=downgrade(f.probe, f.probe.get("signal"), f.rule, spec))
        if f.probe is None:
            f = f.with_(probe={"verdict": INCONCLUSIVE, "signal": None, "evidence": {"horizon_steps": main.steps_done},
                               "threshold": "", "source": "",
                               "note": "no runtime signal confirms this rule (a file/value check)"})
        elif main.status != "ok" and f.probe["verdict"] != CONFIRMED:
            f = f.with_(probe={**f.probe, "note": f"{f.probe.get('note', '')} [run ended: {main.message}]".strip()})
        out.append(f)
    return out


def verdict_of(check: Check) -> str:
    """confirmed / not-observed / inconclusive from a check's ``fired``."""
    return CONFIRMED if check.fired else (NOT_OBSERVED if check.fired is False else INCONCLUSIVE)


def probe_checks(main, spec, plan, checks: dict[str, Check]) -> list[dict[str, Any]]:
    """The probe's checks that apply to this plan, judged like findings (for the report).

    Trace checks come from the shared judge (through one stand-in finding per
    signal) so that their horizon logic is identical to the findings'.
    """
    from ..trends.judge import RULE_SIGNALS

    by_signal = {}
    for rule, sig in RULE_SIGNALS.items():
        by_signal.setdefault(sig, rule)
    wanted = [s for s in PROBE_CHECKS if s in checks or _applies(s, spec)]
    stand_ins = [Finding(code="-", rule=by_signal.get(s, s), severity="info", message="", path=plan.path) for s in wanted]
    judged = judge(stand_ins, main.trace, plan, horizon=main.steps_done, options=judge_options(spec), checks=checks)
    out = []
    for s, f in zip(wanted, judged):
        if f.probe is not None and signal_of(f) == s:
            out.append({"signal": s, **downgrade(f.probe, s, f.rule, spec)})
        elif s in checks:
            c = checks[s]
            pr = {"verdict": verdict_of(c), "evidence": c.evidence, "threshold": c.threshold, "source": c.source,
                  "note": c.reason}
            out.append({"signal": s, **downgrade(pr, s, "", spec)})
    return out


def _applies(signal: str, spec) -> bool:
    if signal == "clip-saturation":
        return spec.max_grad_norm is not None
    if signal in ("lr-cut-too-late", "lr-never-changes"):
        return spec.scheduler == "plateau"
    return False
