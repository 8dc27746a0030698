"""GitHub Actions reporter: one workflow command per finding.

``::warning file=cfg.yaml,line=3,col=1,title=stablint STL101 (plateau-patience-too-long)::message``

Escaping follows the runner's workflow-command rules (actions/toolkit
``packages/core/src/command.ts``, ``escapeData`` / ``escapeProperty``): in the
message ``%`` → ``%25``, ``\\r`` → ``%0D``, ``\\n`` → ``%0A``; in properties also
``:`` → ``%3A`` and ``,`` → ``%2C``. Severity maps error → ``error``,
warning → ``warning``, info → ``notice``; input errors are ``error`` commands.
Control and bidi characters are made visible first (:mod:`.escape`), so a
hostile file name or value can neither start a new command nor recolour the log.
"""

from __future__ import annotations

from .escape import workflow_data, workflow_property

#: stablint severity → workflow command.
COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


#: the runner's escaping of a command's message and of a property value (see :mod:`.escape`)
escape_data = workflow_data
escape_property = workflow_property


def command(kind: str, message: str, **props: object) -> str:
    """One workflow command line, e.g. ``command("warning", "msg", file="a.yaml", line=3)``.

    Properties whose value is ``None`` are left out; ``end_line``/``end_column`` are
    spelled ``endLine``/``endColumn`` as the runner expects.
    """
    names = {"end_line": "endLine", "end_column": "endColumn"}
    parts = [f"{names.get(k, k)}={escape_property(str(v))}" for k, v in props.items() if v is not None]
    return f"::{kind} {','.join(parts)}::{escape_data(message)}" if parts else f"::{kind}::{escape_data(message)}"


def finding_command(f) -> str:
    """The annotation of one :class:`~stablint.linter.finding.Finding`; the hint follows the message."""
    message = f"{f.message}" + (f"\n{f.hint}" if getattr(f, "hint", "") else "")
    return command(COMMANDS.get(f.severity, "warning"), message, file=f.path, line=f.line, col=f.column,
                   end_line=f.end_line, end_column=f.end_column, title=f"stablint {f.code} ({f.rule})")


def render(result, **_: object) -> str:
    """Input errors then findings, one workflow command per line."""
    lines = [command("error", e.message, file=e.path, line=e.line, col=e.column, title="stablint: input error")
             for e in result.errors]
    lines.extend(finding_command(f) for f in result.findings)
    return "\n".join(lines) + ("\n" if lines else "")
