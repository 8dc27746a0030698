"""Reports of ``stablint probe --run``: the ``diagnose`` renderings plus what was run, in words.

JSON: the ``stablint diagnose --format json`` document plus ``"run"`` (:meth:`UserRun.summary`)
and ``"evidence_from": "user-run"``; every judged finding's ``probe`` carries
``"evidence_from": "user-run"`` too.
"""

from __future__ import annotations

import json

from ..trends.report import render_json as _diag_json
from ..trends.report import render_text as _diag_text
from .user_run import command_text

ENDED = {"exit": "it finished by itself", "budget-steps": "stopped at the --steps budget",
         "budget-seconds": "stopped at the --max-seconds budget"}


def _ended(ur) -> str:
    return ENDED.get(ur.ended_by, f"stopped early by stop_on: {ur.ended_by}")


def _header(ur) -> list[str]:
    res = ur.result
    n = len(res.trace) if res is not None and res.trace is not None else 0
    lines = [f"stablint probe --run {ur.config}: evidence from YOUR OWN training run (evidence_from: user-run), "
             "not from a surrogate model",
             f"  command: {command_text(ur.command)}",
             f"  {n} records in {ur.seconds:.1f}s ({_ended(ur)}; exit status {ur.returncode}); mode {ur.mode}; "
             f"judged {ur.evidence}"]
    lines += [f"  note: {x}" for x in ur.notes]
    return lines


def render_text(ur, color: bool = False) -> str:
    """Header in words, then the ``diagnose`` text report of the run."""
    return "\n".join(_header(ur)) + "\n" + _diag_text(ur.result, color=color)


def render_json(ur) -> str:
    """The ``diagnose`` JSON document plus ``run`` and ``evidence_from``."""
    doc = json.loads(_diag_json(ur.result))
    doc["evidence_from"] = "user-run"
    doc["run"] = ur.summary()
    return json.dumps(doc, indent=2) + "\n"


def render_markdown(ur) -> str:
    """A Markdown summary for CI job summaries: one row per static finding with its verdict and numbers."""
    res = ur.result
    out = [f"## stablint probe --run `{ur.config}`", "",
           f"Verdicts from **your own training run** (`{command_text(ur.command)}`), {ur.seconds:.1f}s, "
           f"{_ended(ur)}.", "", "| code | rule | line | verdict | signal | evidence |", "|---|---|---|---|---|---|"]
    for f in res.findings:
        p = f.probe
        if f.dialect == "trace" or not p:
            continue
        ev = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in (p.get("evidence") or {}).items())
        out.append(f"| {f.code} | {f.rule} | {f.line} | **{p.get('verdict')}** | {p.get('signal') or '-'} | "
                   f"{ev.replace('|', '/')} |")
    runtime = [f for f in res.findings if f.dialect == "trace"]
    if runtime:
        out += ["", "Runtime signals of the run:", ""] + [f"- `{f.code}` {f.rule}: {f.message}" for f in runtime]
    if ur.notes:
        out += ["", "Notes:", ""] + [f"- {n}" for n in ur.notes]
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}


def exit_code(ur) -> int:
    """1 when the run confirms a static finding or shows a runtime warning or error (the user's own
    training, as ``probe --target``/``--hf-model``); 2 for input errors in the run's evidence; else 0."""
    res = ur.result
    if res.errors:
        return 2
    if any(f.probe and f.probe.get("verdict") == "confirmed" for f in res.findings):
        return 1
    return 1 if any(f.dialect == "trace" and f.severity in ("warning", "error") for f in res.findings) else 0
