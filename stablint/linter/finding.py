"""Findings: the immutable output of rules (design.md, "Public contracts")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from dataclasses import field as dc_field
from typing import Any

#: Severities from most to least severe; ``--fail-on`` picks a threshold in this order.
SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {name: i for i, name in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Finding:
    """One problem found in one file.

    Attributes:
        code: stable rule code (``"STL101"``).
        rule: kebab-case rule name (``"plateau-patience-too-long"``).
        severity: ``"error"``, ``"warning"`` or ``"info"``.
        message: one sentence with the numbers that triggered it.
        path: file the finding points into.
        line, column: 1-based position.
        field: canonical dotted field (``"scheduler.patience"``) or ``""``.
        dialect: dialect of the linted file.
        hint: how to fix it, printed indented under the message in text output.
        end_line, end_column: optional end of the range.
        fix: optional machine-readable fix ``{"field":..., "key":..., "value":...}``.
        probe: optional probe/diagnose verdict
            ``{"verdict", "signal", "evidence", "threshold", "source"}``.
    """

    code: str
    rule: str
    severity: str
    message: str
    path: str
    line: int = 1
    column: int = 1
    field: str = ""
    dialect: str = ""
    hint: str = ""
    end_line: int | None = None
    end_column: int | None = None
    fix: dict[str, Any] | None = None
    probe: dict[str, Any] | None = None
    extra: dict[str, Any] = dc_field(default_factory=dict, compare=False, hash=False)

    def with_(self, **changes: Any) -> "Finding":
        """A copy with ``changes`` applied (findings are immutable)."""
        return replace(self, **changes)

    def sort_key(self) -> tuple:
        """Order by file, position, then code."""
        return (self.path, self.line, self.column, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of design.md: required keys always, optional ones when set."""
        d = asdict(self)
        d.pop("extra", None)
        out = {k: d[k] for k in ("code", "rule", "severity", "message", "path", "line", "column", "field", "dialect")}
        if self.hint:
            out["hint"] = self.hint
        for key in ("end_line", "end_column", "fix", "probe"):
            if d[key] is not None:
                out[key] = d[key]
        return out
