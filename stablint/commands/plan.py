"""``stablint plan FILE...``: what stablint understood of a config (issue 12, item 5).

For each file: the dialect with its evidence and confidence (or why the file is
skipped), the loader (and whether it is certain), the bases and referenced files that were
resolved, the inherited files that were not found, and every
canonical :class:`~stablint.linter.plan.TrainingPlan` field with its value, unit
and origin: the ``file:line`` and key it was read from, ``default of <framework>``,
or ``derived`` (computed from stated values). Fields the plan does not have are
listed too, so a user (and we) can debug a miss or a false alarm. Never imports torch.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click


def _origin(pv, plan) -> tuple[str, str]:
    """``(kind, text)``: kind ``file``/``default``/``derived``; text ``path:line (key)`` or ``default of X (key)``."""
    from ..linter import dialects

    src = pv.source
    if src is None:
        return "derived", "derived"
    where = f"{os.path.basename(src.path) if src.path == plan.path else _rel(src.path)}:{src.line}"
    if src.framework_default:
        return "default", f"default of {dialects.facts_of(plan).title} ({src.key})" if src.key else \
            f"default of {dialects.facts_of(plan).title}"
    if src.default:
        return "derived", f"derived, near {where}" + (f" ({src.key})" if src.key else "")
    return "file", where + (f" ({src.key})" if src.key else "")


def _rel(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _value(pv) -> Any:
    v = pv.value
    if isinstance(v, dict):  # loss.weights: name -> PlanValue
        return {k: (w.value if hasattr(w, "value") else w) for k, w in v.items()}
    return list(v) if isinstance(v, tuple) else v


def plan_record(fr) -> dict[str, Any]:
    """The JSON record of one :class:`~stablint.linter.engine.FileResult` (see docs/plan.md)."""
    from ..linter.plan import FIELDS

    out: dict[str, Any] = {"path": fr.path}
    if fr.error is not None:
        out["error"] = fr.error.to_dict()
        return out
    if fr.skipped is not None:
        out["skipped"] = fr.skipped.reason
        return out
    plan = fr.plan
    out["dialect"] = plan.dialect
    out["detection"] = plan.detection.to_dict() if plan.detection is not None else None
    out["loader"] = plan.loader
    out["coerces"] = plan.coerces
    out["loader_known"] = plan.loader_known
    out["bases"] = [d.path for d in plan.documents if d.path != plan.path]
    out["missing_bases"] = [{"ref": m.ref, "tried": m.tried, "path": m.source.path, "line": m.source.line,
                             "key": m.source.key} for m in plan.missing_bases]
    fields: dict[str, Any] = {}
    for name in FIELDS:
        pv = plan.get(name)
        if pv is None:
            continue
        kind, text = _origin(pv, plan)
        rec = {"value": _value(pv), "unit": pv.unit, "resolved": pv.resolved, "origin": kind, "from": text}
        if pv.source is not None:
            rec["source"] = {"path": pv.source.path, "line": pv.source.line, "column": pv.source.column,
                             "key": pv.source.key}
        if pv.as_string:
            rec["as_string"] = True
        fields[name] = rec
    out["fields"] = fields
    out["absent"] = [n for n in FIELDS if n not in fields]
    out["notes"] = list(plan.notes)
    return out


def _text(rec: dict[str, Any]) -> str:
    lines = [f"{rec['path']}"]
    if "error" in rec:
        e = rec["error"]
        return f"{e['path']}:{e['line']}:{e['column']}: {e['message']}\n"
    if "skipped" in rec:
        lines.append(f"  skipped: {rec['skipped']} (not a training config; no rule runs)")
        return "\n".join(lines) + "\n"
    det = rec["detection"] or {}
    defaults = "fills its defaults" if det.get("fills_defaults") else "no framework defaults"
    lines.append(f"  dialect:    {rec['dialect']} ({det.get('confidence', '?')} confidence; {defaults})")
    if det.get("evidence"):
        lines.append(f"  evidence:   {', '.join(det['evidence'])}")
    if det.get("candidate"):
        lines.append(f"  candidate:  {det['candidate']} (too weak: read as {rec['dialect']})")
    if det.get("rival"):
        lines.append(f"  rival:      {det['rival']} (scores almost as high)")
    lines.append(f"  loader:     {rec['loader']}" + (" (coerces numeric strings)" if rec["coerces"] else "")
                 + ("" if rec.get("loader_known", True) else " (guessed: the framework is not known)"))
    lines.append(f"  bases:      {', '.join(_rel(b) for b in rec['bases']) if rec['bases'] else '(none)'}")
    for m in rec.get("missing_bases", ()):
        lines.append(f"  not found:  {m['ref']} ({os.path.basename(m['path'])}:{m['line']}; looked for {_rel(m['tried'])})")
    lines.append("  fields:")
    width = max((len(n) for n in rec["fields"]), default=10)
    for name, f in rec["fields"].items():
        value = json.dumps(f["value"]) if not isinstance(f["value"], str) else f["value"]
        if not f["resolved"]:
            value = f"{value} (unresolved)"
        if f.get("as_string"):
            value = f"{value} (the loader reads a string)"
        unit = f" {f['unit']}" if f["unit"] else ""
        lines.append(f"    {name:<{width}}  {value}{unit}  <- {f['from']}")
    if rec["absent"]:
        lines.append(f"  not in the plan: {', '.join(rec['absent'])}")
    for note in rec["notes"]:
        lines.append(f"  note: {note}")
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("files", nargs=-1, type=click.Path(), required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--dialect", metavar="NAME", help="Force a dialect instead of detecting it.")
def plan(files, fmt, dialect):
    """Show what stablint understood of each FILE: dialect, evidence, confidence, every field and where it came from.

    Exit codes: 0 shown (also for skipped files), 2 usage or input errors.
    """
    from ..linter import dialects
    from ..linter.engine import LintOptions, lint_file

    if dialect and dialect not in dialects.dialect_names():
        raise click.BadParameter(f"unknown dialect {dialect!r}; choose from: {', '.join(dialects.dialect_names())}",
                                 param_hint="--dialect")
    options = LintOptions(dialect=dialect)
    records = []
    for path in files:
        if not os.path.exists(path):
            records.append({"path": path, "error": {"path": path, "line": 1, "column": 1,
                                                    "message": "no such file or directory"}})
            continue
        records.append(plan_record(lint_file(path, options, rules=[])))
    if fmt == "json":
        sys.stdout.write(json.dumps({"version": 1, "plans": records}, indent=2, default=str) + "\n")
    else:
        for rec in records:
            (sys.stderr if "error" in rec else sys.stdout).write(_text(rec))
    sys.exit(2 if any("error" in r for r in records) else 0)
