"""The result of ``stablint diagnose`` and its text / JSON renderings.

JSON (same contract as ``stablint lint --format json``)::

    {"version": 1, "findings": [...], "files": N, "errors": [...],
     "trace": {"path", "format", "records", "first_step", "last_step", "horizon_steps", ...},
     "checks": {"<signal>": {"fired": true|false|null, "evidence": {...}, "reason": "..."}}}

Runtime findings are Finding objects (``path`` = the log, ``line`` = the line of
the first record of the range when known, ``field`` = ``trace.loss``...,
``dialect`` = ``"trace"``) with extra keys ``steps`` ([first, last] step),
``evidence``, ``threshold`` and ``source``. Static findings from ``--config``
carry ``probe`` verdicts (see :mod:`stablint.trends.judge`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from ..linter.document import InputError
from ..linter.finding import SEVERITY_RANK, Finding
from .signals import Check, horizon_steps
from .trace import Trace


@dataclass
class DiagnoseResult:
    """Everything ``diagnose`` found.

    Attributes:
        log: path of the log.
        trace: the Trace read (None when reading failed).
        findings: runtime findings (STL9xx) then judged static findings, each sorted.
        errors: input errors (log or config); exit code 2.
        checks: signal name → Check (including clean and unmeasurable ones).
        config: path of ``--config`` or None.
    """

    log: str
    trace: Trace | None = None
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    checks: dict[str, Check] = field(default_factory=dict)
    config: str | None = None

    @property
    def files(self) -> int:
        """Files examined: the log, plus the config when given."""
        return 1 + (1 if self.config else 0)

    def trace_summary(self) -> dict[str, Any]:
        """Format, record count, step range and horizon of the trace."""
        t = self.trace
        if t is None:
            return {"path": self.log}
        out: dict[str, Any] = {"path": self.log, "format": t.meta.get("format"), "records": len(t)}
        if t.records:
            out.update(first_step=t.records[0].step, last_step=t.records[-1].step, horizon_steps=horizon_steps(t))
        for k in ("step_unit", "steps_per_epoch", "logging_steps", "max_grad_norm", "max_grad_norm_source",
                  "skipped", "skipped_first_line"):
            if t.meta.get(k) is not None:
                out[k] = t.meta[k]
        if t.meta.get("held_out"):
            out["held_out_entries"] = len(t.meta["held_out"])
        for key in ("loss", "eval_loss", "lr", "grad_norm"):
            out[f"{key}_points"] = sum(1 for r in t.records if getattr(r, key) is not None)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON document described in the module docstring."""
        return _jsonable({
            "version": 1,
            "findings": [finding_dict(f) for f in self.findings],
            "files": self.files,
            "errors": [e.to_dict() for e in self.errors],
            "trace": self.trace_summary(),
            "checks": {k: {"fired": c.fired, "evidence": c.evidence, "threshold": c.threshold,
                           **({"reason": c.reason} if c.reason else {})} for k, c in self.checks.items()},
        })


def finding_dict(f: Finding) -> dict[str, Any]:
    """``Finding.to_dict()`` plus, for runtime findings, ``steps``/``evidence``/``threshold``/``source``."""
    d = f.to_dict()
    for k in ("steps", "evidence", "threshold", "source"):
        if k in f.extra:
            d[k] = f.extra[k]
    return d


def _jsonable(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def render_json(result: DiagnoseResult) -> str:
    """Pretty JSON (strict: non-finite numbers become strings)."""
    return json.dumps(result.to_dict(), indent=2) + "\n"


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def render_text(result: DiagnoseResult, color: bool = False) -> str:
    """``path:line:col: CODE [severity] message (rule)`` per finding, hints, verdicts and a summary."""
    from ..linter.reporters.text import _c

    lines: list[str] = []
    for e in result.errors:
        lines.append(f"{e.path}:{e.line}:{e.column}: {_c('error', color, 'E')} {e.message}")
    ts = result.trace_summary()
    if result.trace is not None:
        lines.append(f"{result.log}: {ts.get('format')}, {ts['records']} records, steps "
                     f"{ts.get('first_step')}..{ts.get('last_step')} (loss {ts['loss_points']}, eval "
                     f"{ts['eval_loss_points']}, lr {ts['lr_points']}, grad_norm {ts['grad_norm_points']} points)"
                     + _skipped_text(ts))
    for f in result.findings:
        steps = f.extra.get("steps")
        where = f" [steps {steps[0]}..{steps[1]}]" if steps and steps[0] is not None else ""
        lines.append(f"{f.path}:{f.line}:{f.column}: {f.code} [{_c(f.severity, color)}] {f.message}{where} ({f.rule})")
        if f.hint:
            lines.append(f"    {f.hint}" if f.hint.startswith("threshold:") else f"    hint: {f.hint}")
        if f.probe:
            p = f.probe
            ev = ", ".join(f"{k}={_fmt(v)}" for k, v in (p.get("evidence") or {}).items())
            lines.append(f"    run: {p.get('verdict')} ({p.get('signal')}{': ' + ev if ev else ''})")
            if p.get("note"):
                lines.append(f"         {p['note']}")
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in ("error", "warning", "info")}
    summary = "diagnose: " + ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())
    judged = [f.probe["verdict"] for f in result.findings if f.probe]
    if judged:
        summary += "; static findings: " + ", ".join(f"{judged.count(v)} {v}" for v in
                                                     ("confirmed", "not-observed", "inconclusive") if judged.count(v))
    if result.errors:
        summary += f"; {len(result.errors)} input error{'s' if len(result.errors) != 1 else ''}"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def _skipped_text(ts: dict[str, Any]) -> str:
    """``"; skipped 3 entries (2 without a step, 1 with non-numeric values) from line 7; 1 predict/test entry kept apart"``."""
    out = ""
    sk = ts.get("skipped") or {}
    n = sum(sk.values())
    if n:
        why = ", ".join(f"{c} {r}" for r, c in sk.items())
        at = f" from line {ts['skipped_first_line']}" if ts.get("skipped_first_line") else ""
        out += f"; skipped {n} entr{'ies' if n != 1 else 'y'} ({why}){at}"
    h = ts.get("held_out_entries")
    if h:
        out += f"; {h} predict/test entr{'ies' if h != 1 else 'y'} kept apart"
    return out


def exit_code(result: DiagnoseResult, fail_on: str = "warning", exit_zero: bool = False) -> int:
    """0 nothing at/above ``fail_on``; 1 findings; 2 input errors (same as lint)."""
    if result.errors:
        return 2
    if exit_zero:
        return 0
    rank = SEVERITY_RANK[fail_on]
    return 1 if any(SEVERITY_RANK[f.severity] <= rank for f in result.findings) else 0
