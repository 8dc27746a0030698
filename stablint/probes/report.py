"""Probe reports: text, JSON, Markdown, PNG (matplotlib, optional) and the JSONL trace.

JSON shape (``"version": 1``)::

    {"version": 1, "path", "target", "device", "seconds", "horizon": {...},
     "runs": {label: {"status", "steps", "seconds", "init_loss", "final_val", "message"}},
     "findings": [finding JSON with "probe": {"verdict", "signal", "evidence", "threshold", "source", "note"}],
     "runtime": [runtime signal dicts (STL9xx)], "checks": [probe checks], "fixes": [...], "notes": [...]}

``fixes`` (``--compare-fix``, else empty): one entry per finding, see
:func:`stablint.probes.runner.compare_fixes`: ``{"code", "rule", "line", "fix", "before"}`` plus, when
the fix was applied, ``"old_value", "after", "static_after", "run", "runs", "first_step_loss":
{"before", "after"}``, otherwise ``"after": null`` and a ``"note"``.
"""

from __future__ import annotations

import json
import math
from typing import Any


def _num(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}" if math.isfinite(v) else str(v)
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_num(x)}" for k, x in v.items()) + "}"
    return str(v)


def _evidence(ev: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_num(v)}" for k, v in ev.items())


#: The built-in stand-in models (``stablint.probes.targets.BUILTIN``), in words.
BUILTIN_MODELS = {
    "lm": "a small byte-level transformer language model",
    "lora-lm": "a small byte-level transformer language model with LoRA adapters",
    "multitask": "a small MLP with several weighted regression losses",
    "mlp-regression": "a small MLP regressor",
    "mlp-classification": "a small MLP classifier",
    "cnn-classification": "a small convolutional image classifier",
}


def model_sentence(target: str) -> str:
    """Which model the probe trained, in words: a built-in stand-in, the user's ``--target``, or
    the user's Hugging Face model (``hf:DIR``)."""
    if target in BUILTIN_MODELS:
        return (f"stablint's built-in stand-in '{target}' ({BUILTIN_MODELS[target]}), not your model: the verdicts "
                "show how this config's optimizer, schedule, batch and clipping behave on a small surrogate; "
                "--target pkg.module:build or --hf-model DIR trains your own")
    if target.startswith("hf:"):
        return f"your Hugging Face model {target[3:]} (--hf-model)"
    return f"your model from --target {target}"


def fix_outcome(fx: dict[str, Any]) -> str | None:
    """A sentence when a ``--compare-fix`` entry's fix did not improve the verdict, else ``None``."""
    b, a = fx.get("before") or {}, fx.get("after")
    if not a or not fx.get("fix"):
        return None
    if a.get("verdict") == "confirmed":
        why = a.get("note") or "the same signal still fired"
        return (f"the suggested fix did not help on this probe: still confirmed ({why}); treat the rule's fix as "
                "a starting point and check the numbers")
    if b.get("verdict") != "confirmed" and a.get("verdict") == b.get("verdict"):
        return f"no change on this probe: {a.get('verdict')} before and after the fix"
    return None


def to_dict(rep) -> dict[str, Any]:
    """The JSON document of a :class:`~stablint.probes.runner.ProbeReport`."""
    return {
        "version": 1,
        "path": rep.path,
        "target": rep.spec.target,
        "model": model_sentence(rep.spec.target),
        "device": rep.device,
        "seconds": round(rep.seconds, 2),
        "horizon": rep.spec.horizon(),
        "runs": rep.runs,
        "findings": [f.to_dict() for f in rep.findings],
        "runtime": [s.to_dict() for s in rep.runtime],
        "checks": rep.checks,
        "fixes": rep.fixes,
        "notes": rep.notes,
    }


def render_json(rep) -> str:
    """JSON text (non-finite floats as ``NaN``/``Infinity`` strings)."""
    from ..trends.trace import _finite

    def clean(o):
        if isinstance(o, dict):
            return {k: clean(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)):
            return [clean(v) for v in o]
        return _finite(o)

    return json.dumps(clean(to_dict(rep)), indent=2) + "\n"


def _header(rep) -> list[str]:
    h = rep.spec.horizon()
    lines = [f"stablint probe {rep.path}: target {rep.spec.target} on {rep.device}, {rep.seconds:.1f}s",
             f"  model: {model_sentence(rep.spec.target)}",
             f"  horizon: {h['steps']} steps = {h['epochs']} probe epochs of {h['steps_per_epoch']} steps "
             f"(warmup {h['warmup_steps']} steps; config: epochs={h['config_epochs']}, steps={h['config_steps']})"]
    for label, r in rep.runs.items():
        lines.append(f"  run {label}: {r['status']}, {r['steps']} steps in {r['seconds']}s, "
                     f"init loss {_num(r['init_loss'])}, final val loss {_num(r['final_val'])}"
                     + (f" ({r['message']})" if r.get("message") else ""))
    return lines


def render_text(rep) -> str:
    """Human-readable report: each finding's verdict with the numbers beside it."""
    out = _header(rep)
    out.append("")
    out.append("static findings:" if rep.findings else "static findings: none")
    for f in rep.findings:
        p = f.probe or {}
        out.append(f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message} ({f.rule})")
        out.append(f"    probe: {p.get('verdict', '-').upper()} via {p.get('signal') or 'no signal'}: {p.get('note', '')}")
        if p.get("evidence"):
            out.append(f"      evidence: {_evidence(p['evidence'])}")
        if p.get("threshold"):
            out.append(f"      threshold: {p['threshold']} [{p.get('source', '')}]")
    if rep.checks:
        out.append("")
        out.append("probe checks:")
        for c in rep.checks:
            out.append(f"  {c['signal']}: {c['verdict']} ({_evidence(c.get('evidence', {}))})"
                       + (f" - {c['note']}" if c.get("note") else ""))
    out.append("")
    out.append("runtime signals:" if rep.runtime else "runtime signals: none fired")
    for s in rep.runtime:
        out.append(f"  {s.code} {s.name} [{s.severity}] {s.message}")
    if rep.fixes:
        out.append("")
        out.extend(_fix_lines(rep.fixes))
    if rep.notes:
        out.append("")
        out.append("notes:")
        out.extend(f"  - {n}" for n in rep.notes)
    return "\n".join(out) + "\n"


def _fix_lines(fixes: list[dict[str, Any]]) -> list[str]:
    """The ``--compare-fix`` section: per finding, the fix and its verdict and numbers before/after."""
    out = ["fixes (--compare-fix: the fixed config probed again, same seed, init and data order):"]
    for fx in fixes:
        b, a, fix = fx.get("before") or {}, fx.get("after"), fx.get("fix")
        head = f"  {fx['code']} {fx['rule']} (line {fx.get('line')})"
        if not fix or a is None:
            out.append(f"{head}: {fx.get('note', 'not re-run')}")
            continue
        out.append(f"{head}: {fix.get('key') or fix.get('field')} {_num(fx.get('old_value'))} -> {_num(fix.get('value'))}")
        how = b.get("signal") if b.get("signal") == a.get("signal") else f"{b.get('signal')} / {a.get('signal')}"
        out.append(f"    verdict: {b.get('verdict')} -> {a.get('verdict')} via {how or 'no signal'}; the static finding "
                   f"{'still fires' if fx.get('static_after') else 'is gone'} on the fixed config")
        out.append(f"    before: {_evidence(b.get('evidence', {}))}")
        out.append(f"    after:  {_evidence(a.get('evidence', {}))}")
        outcome = fix_outcome(fx)
        if outcome:
            out.append(f"    {outcome}")
        fl = fx.get("first_step_loss") or {}
        if fl:
            same = fl.get("before") == fl.get("after")
            out.append(f"    first-step loss: {_num(fl.get('before'))} before, {_num(fl.get('after'))} after"
                       + (" (same init and first batch)" if same else " (the fix changes the model or the data)"))
    return out


def render_markdown(rep) -> str:
    """A Markdown summary (CI job summaries, PR comments)."""
    h = rep.spec.horizon()
    out = [f"## stablint probe `{rep.path}`", "",
           f"Target **{rep.spec.target}** on {rep.device}; horizon {h['steps']} steps "
           f"({h['epochs']} probe epochs of {h['steps_per_epoch']} steps); {rep.seconds:.1f}s.", "",
           f"Model: {model_sentence(rep.spec.target)}.", "",
           "| code | rule | verdict | signal | evidence |", "|---|---|---|---|---|"]
    for f in rep.findings:
        p = f.probe or {}
        out.append(f"| {f.code} | {f.rule} | **{p.get('verdict')}** | {p.get('signal') or '-'} | "
                   f"{_evidence(p.get('evidence', {})).replace('|', '/')} |")
    if rep.runtime:
        out += ["", "Runtime signals:", ""] + [f"- `{s.code}` {s.name}: {s.message}" for s in rep.runtime]
    if rep.fixes:
        out += ["", "Fixes (`--compare-fix`, same seed, init and data order):", "",
                "| code | fix | verdict before | verdict after | static finding after | outcome |", "|---|---|---|---|---|---|"]
        for fx in rep.fixes:
            fix, b, a = fx.get("fix") or {}, fx.get("before") or {}, fx.get("after")
            what = (f"{fix.get('key') or fix.get('field')}: {_num(fx.get('old_value'))} → {_num(fix.get('value'))}"
                    if fix else "-")
            out.append(f"| {fx['code']} | {what} | {b.get('verdict')} | {a.get('verdict') if a else 'not re-run'} | "
                       f"{'-' if a is None else ('fires' if fx.get('static_after') else 'gone')} | "
                       f"{(fix_outcome(fx) or 'improved' if a else '-').replace('|', '/')} |")
    if rep.notes:
        out += ["", "Notes:", ""] + [f"- {n}" for n in rep.notes]
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}


def write_plot(rep, path: str) -> str:
    """PNG of the main run: loss and validation loss; pre-clip grad norm with the ``max_grad_norm``
    line; LR (one panel each, x = optimizer step). Runtime signals' step ranges are shaded.

    Drawn by :func:`stablint.trends.plot.plot` (the same figure as ``diagnose --plot``), which
    imports matplotlib only when called and selects the non-interactive Agg backend.

    Returns:
        ``path``.

    Raises:
        ImportError: matplotlib is not installed (``pip install "stablint[plot]"``).
        OSError: ``path`` cannot be written.
    """
    from ..trends.plot import PlotUnavailable, plot

    try:
        return plot(rep.main.trace, [s.to_finding(rep.path) for s in rep.runtime], path,
                    title=f"stablint probe {rep.path}: target {rep.spec.target}, {rep.main.steps_done} steps "
                          f"on {rep.device}")
    except PlotUnavailable as exc:
        raise ImportError(str(exc)) from None


def write_trace(rep, path: str) -> None:
    """The main run's trace as JSONL (``stablint diagnose`` reads it)."""
    with open(path, "w", encoding="utf-8") as fh:
        rep.main.trace.write_jsonl(fh)
