"""Text reporter: ``path:line:col: CODE [severity] message`` and an indented hint.

Paths, messages and hints pass through :func:`.escape.terminal`: control
characters (ANSI escapes) and bidi overrides from a file name or value are
printed as visible ``\\xNN`` escapes, and a line break in a name cannot forge a
second finding line.
"""

from __future__ import annotations

from .escape import terminal


def render(result, color: bool = False, quiet: bool = False, **_: object) -> str:
    """Human-readable report, one finding per line plus its hint; errors first, then a summary
    (left out with ``quiet``)."""
    lines: list[str] = []
    for e in result.errors:
        lines.append(f"{terminal(e.path)}:{e.line}:{e.column}: {_c('error', color, 'E')} {terminal(e.message)}")
    for f in result.findings:
        lines.append(f"{terminal(f.path)}:{f.line}:{f.column}: {f.code} [{_c(f.severity, color)}] "
                     f"{terminal(f.message)} ({f.rule})")
        if f.hint:
            lines.append(f"    hint: {terminal(f.hint)}")
        if f.probe:
            p = f.probe
            ev = ", ".join(f"{k}={_fmt(v)}" for k, v in (p.get("evidence") or {}).items())
            lines.append(terminal(f"    probe: {p.get('verdict')} ({p.get('signal')}{': ' + ev if ev else ''})"))
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in ("error", "warning", "info")}
    skipped = sum(1 for r in getattr(result, "results", ()) if getattr(r, "skipped", None) is not None)
    checked = result.files - skipped
    summary = f"{checked} file{'s' if checked != 1 else ''} checked: " + ", ".join(
        f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())
    if result.errors:
        summary += f"; {len(result.errors)} input error{'s' if len(result.errors) != 1 else ''}"
    if skipped:
        summary += f"; {skipped} skipped (not training configs: --show-files lists why)"
    if not quiet:
        lines.append(summary)
    return "\n".join(lines) + ("\n" if lines else "")


def _fmt(v: object) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


_COLORS = {"error": "31", "warning": "33", "info": "36"}


def _c(sev: str, color: bool, text: str | None = None) -> str:
    text = text if text is not None else sev
    if not color:
        return text if text != "E" else "error:"
    return f"\033[{_COLORS.get(sev, '0')}m{text if text != 'E' else 'error:'}\033[0m"
