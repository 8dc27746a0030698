"""Probe reports: text, JSON, Markdown, PNG (matplotlib, optional) and the JSONL trace.

JSON shape (``"version": 1``)::

    {"version": 1, "path", "target", "device", "seconds", "horizon": {...},
     "runs": {label: {"status", "steps", "seconds", "init_loss", "final_val", "message"}},
     "findings": [finding JSON with "probe": {"verdict", "signal", "evidence", "threshold", "source", "note"}],
     "runtime": [runtime signal dicts (STL9xx)], "checks": [probe checks], "fixes": [...], "notes": [...]}
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


def to_dict(rep) -> dict[str, Any]:
    """The JSON document of a :class:`~stablint.probes.runner.ProbeReport`."""
    return {
        "version": 1,
        "path": rep.path,
        "target": rep.spec.target,
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
    for fx in rep.fixes:
        b, a = fx.get("before") or {}, fx.get("after") or {}
        out.append(f"  fix {fx['code']} {fx['fix'].get('key', fx['fix'].get('field'))} -> {fx['fix'].get('value')}: "
                   f"{b.get('verdict')} -> {a.get('verdict') if a else 'n/a'}"
                   + (f" ({_evidence(a.get('evidence', {}))})" if a else f" ({fx.get('note', '')})"))
    if rep.notes:
        out.append("")
        out.append("notes:")
        out.extend(f"  - {n}" for n in rep.notes)
    return "\n".join(out) + "\n"


def render_markdown(rep) -> str:
    """A Markdown summary (CI job summaries, PR comments)."""
    h = rep.spec.horizon()
    out = [f"## stablint probe `{rep.path}`", "",
           f"Target **{rep.spec.target}** on {rep.device}; horizon {h['steps']} steps "
           f"({h['epochs']} probe epochs of {h['steps_per_epoch']} steps); {rep.seconds:.1f}s.", "",
           "| code | rule | verdict | signal | evidence |", "|---|---|---|---|---|"]
    for f in rep.findings:
        p = f.probe or {}
        out.append(f"| {f.code} | {f.rule} | **{p.get('verdict')}** | {p.get('signal') or '-'} | "
                   f"{_evidence(p.get('evidence', {})).replace('|', '/')} |")
    if rep.runtime:
        out += ["", "Runtime signals:", ""] + [f"- `{s.code}` {s.name}: {s.message}" for s in rep.runtime]
    if rep.notes:
        out += ["", "Notes:", ""] + [f"- {n}" for n in rep.notes]
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}


def write_plot(rep, path: str) -> None:
    """PNG with loss (and val loss), pre-clip grad norm with the clip line, and LR.

    Raises:
        ImportError: matplotlib is not installed (``pip install "stablint[plot]"``).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tr = rep.main.trace
    fig, ax = plt.subplots(3, 1, figsize=(8, 8), sharex=True)
    ax[0].plot(*zip(*tr.series("loss")), label="train loss") if tr.series("loss") else None
    if tr.series("eval_loss"):
        ax[0].plot(*zip(*tr.series("eval_loss")), "o-", label="val loss")
    ax[0].legend()
    if tr.series("grad_norm"):
        ax[1].plot(*zip(*tr.series("grad_norm")), label="pre-clip grad norm")
    if rep.spec.max_grad_norm:
        ax[1].axhline(rep.spec.max_grad_norm, color="r", ls="--", label=f"max_grad_norm {rep.spec.max_grad_norm:g}")
    ax[1].legend()
    if tr.series("lr"):
        ax[2].plot(*zip(*tr.series("lr")), label="lr")
    ax[2].set_xlabel("optimizer step")
    ax[2].legend()
    fig.suptitle(f"stablint probe: {rep.path}")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_trace(rep, path: str) -> None:
    """The main run's trace as JSONL (``stablint diagnose`` reads it)."""
    with open(path, "w", encoding="utf-8") as fh:
        rep.main.trace.write_jsonl(fh)
