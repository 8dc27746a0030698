"""Markdown report of ``stablint diagnose`` (for PR comments and run notes)."""

from __future__ import annotations

from typing import Any

from ..linter.reporters.escape import markdown
from .report import DiagnoseResult, _skipped_text


def _cell(v: Any) -> str:
    """``v`` as literal Markdown text (see :func:`stablint.linter.reporters.escape.markdown`)."""
    return markdown(f"{v:.4g}" if isinstance(v, float) else str(v))


def render_markdown(result: DiagnoseResult, plot_path: str | None = None) -> str:
    """A Markdown document: trace summary, runtime findings table, judged static findings, errors."""
    out = [f"# stablint diagnose: {_cell(result.log)}", ""]
    ts = result.trace_summary()
    if result.trace is not None:
        out += [f"- format: **{ts.get('format')}**, {ts['records']} records, steps {ts.get('first_step')}–"
                f"{ts.get('last_step')} (horizon {ts.get('horizon_steps')} steps)",
                f"- points: loss {ts['loss_points']}, eval loss {ts['eval_loss_points']}, lr {ts['lr_points']}, "
                f"grad norm {ts['grad_norm_points']}"]
        skipped = _skipped_text(ts)
        if skipped:
            out.append(f"- {_cell(skipped.lstrip('; '))}")
        out.append("")
    if plot_path:
        out += [f"![training curves]({plot_path})", ""]
    runtime = [f for f in result.findings if f.dialect == "trace"]
    static = [f for f in result.findings if f.dialect != "trace"]
    out += ["## Runtime findings", ""]
    if runtime:
        out += ["| code | finding | severity | steps | message | threshold (source) |",
                "|---|---|---|---|---|---|"]
        for f in runtime:
            st = f.extra.get("steps") or [None, None]
            out.append(f"| {f.code} | {f.rule} | {f.severity} | {_cell(st[0])}–{_cell(st[1])} | {_cell(f.message)} | "
                       f"{_cell(f.extra.get('threshold', ''))} ({_cell(f.extra.get('source', ''))}) |")
    else:
        out.append("No runtime finding.")
    out.append("")
    if static:
        out += ["## Config findings judged against this run", "",
                "| code | rule | location | verdict | signal | evidence |", "|---|---|---|---|---|---|"]
        for f in static:
            p = f.probe or {}
            ev = ", ".join(f"{k}={_cell(v)}" for k, v in (p.get("evidence") or {}).items())
            out.append(f"| {f.code} | {f.rule} | {_cell(f.path)}:{f.line} | {p.get('verdict', '–')} | "
                       f"{_cell(p.get('signal', '–'))} | {ev} |")
        out.append("")
    unmeasured = {k: c.reason for k, c in result.checks.items() if c.fired is None}
    if unmeasured:
        out += ["## Not measurable on this log", ""]
        out += [f"- {_cell(k)}: {_cell(v)}" for k, v in unmeasured.items()]
        out.append("")
    if result.errors:
        out += ["## Errors", ""]
        out += [f"- {_cell(e.path)}:{e.line}:{e.column}: {_cell(e.message)}" for e in result.errors]
        out.append("")
    return "\n".join(out)
