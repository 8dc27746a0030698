"""A verdict for every static finding, and the probe's own checks.

Static findings are judged by :func:`stablint.trends.judge.judge` (shared with
``diagnose``) on the probe's trace, with the probe-only measurements of
:mod:`.signals_probe` passed as ``checks``. Findings whose rule has no runtime
signal (load pitfalls, unknown keys) get ``inconclusive`` with ``signal: null`` so
that every finding carries a ``probe`` object. A run that ended early (NaN, OOM,
time limit) says so in the note; a horizon too short never refutes a warning.
"""

from __future__ import annotations

from typing import Any

from ..linter.finding import Finding
from ..trends.judge import CONFIRMED, INCONCLUSIVE, NOT_OBSERVED, judge, signal_of
from ..trends.signals import Check

#: Rule name → the probe-only signals a plan implies even without a finding (always measured).
PROBE_CHECKS = ("clip-saturation", "lr-cut-too-late", "lr-never-changes", "noise-scale", "task-grad-share",
                "lora-effective-update", "lr-ab", "update-ratio", "init-loss")


def judge_options(spec) -> dict[str, Any]:
    """Signal options in probe units: the probe's own warmup length and clip threshold."""
    return {"warmup_steps": spec.warmup_steps, "max_grad_norm": spec.max_grad_norm}


def attach(findings: list[Finding], main, spec, plan, checks: dict[str, Check]) -> list[Finding]:
    """Every finding with a ``probe`` verdict (see the module docstring)."""
    judged = judge(findings, main.trace, plan, horizon=main.steps_done, options=judge_options(spec), checks=checks)
    out = []
    for f in judged:
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
            out.append({"signal": s, **f.probe})
        elif s in checks:
            c = checks[s]
            out.append({"signal": s, "verdict": verdict_of(c), "evidence": c.evidence, "threshold": c.threshold,
                        "source": c.source, "note": c.reason})
    return out


def _applies(signal: str, spec) -> bool:
    if signal == "clip-saturation":
        return spec.max_grad_norm is not None
    if signal in ("lr-cut-too-late", "lr-never-changes"):
        return spec.scheduler == "plateau"
    return False
