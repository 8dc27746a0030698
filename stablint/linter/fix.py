"""``stablint lint --fix`` / ``--diff``: mechanical fixes as exact text edits.

Only *safe* fixes are applied: edits that change how the file is read and nothing else,
keeping comments and layout byte for byte (ruff's safe-fix notion). Today that is
``yaml-float-as-string`` (STL002): a plain YAML scalar such as ``1e-4``, which PyYAML's
YAML 1.1 resolver reads as the string ``'1e-4'``, becomes ``1.0e-4`` (a float for every
YAML loader). The edit is made only when the value on the finding's line is exactly one
unquoted scalar that the rule's own rewrite maps to the suggested value; anything else
(flow mappings, quotes, several candidates) is left alone and still reported.

Fixes that change what the training does (a larger LoRA alpha, AdamW for Adam, more
accumulation) are suggestions in the finding's hint and ``fix`` field, never applied.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

#: rules whose ``fix`` is applied by ``--fix``
SAFE_RULES = {"yaml-float-as-string"}
_FLOAT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+")
_VALUE = re.compile(r"^(?P<head>\s*(?:-\s+)?[^#'\"\s][^#]*?:\s+)(?P<value>[^\s#,\[\]{}]+)(?P<tail>\s*(?:#.*)?)$")


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` by ``new`` at 1-based ``line``, 0-based ``start`` (one token on one line)."""

    line: int
    start: int
    old: str
    new: str


def edit_for(finding, lines: list[str]) -> Edit | None:
    """The edit of one finding, or ``None`` when it has no safe, unambiguous edit."""
    from .rules.yaml_float_as_string import _fixed

    fix = finding.fix or {}
    if finding.rule not in SAFE_RULES or not fix.get("value") or not 1 <= finding.line <= len(lines):
        return None
    text = lines[finding.line - 1].rstrip("\r\n")
    m = _VALUE.match(text)
    if not m or not _FLOAT.fullmatch(m.group("value")) or _fixed(m.group("value")) != fix["value"]:
        return None
    return Edit(finding.line, m.start("value"), m.group("value"), fix["value"])


def fixed_text(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` applied (at most one edit per line; later columns first)."""
    lines = text.splitlines(keepends=True)
    for e in sorted(set(edits), key=lambda e: (e.line, -e.start)):
        line = lines[e.line - 1]
        if line[e.start:e.start + len(e.old)] == e.old:
            lines[e.line - 1] = line[:e.start] + e.new + line[e.start + len(e.old):]
    return "".join(lines)


def plan_fixes(findings) -> dict[str, tuple[str, str, int]]:
    """``path → (old text, new text, findings fixed)`` for every file a safe fix changes."""
    by_path: dict[str, list] = {}
    for f in findings:
        if f.rule in SAFE_RULES and f.fix:
            by_path.setdefault(f.path, []).append(f)
    out: dict[str, tuple[str, str, int]] = {}
    for path, fs in by_path.items():
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                text = fh.read()
        except OSError:
            continue
        lines = text.splitlines(keepends=True)
        edits = [e for e in (edit_for(f, lines) for f in fs) if e is not None]
        new = fixed_text(text, edits)
        if new != text:
            out[path] = (text, new, len(edits))
    return out


def unified_diff(changes: dict[str, tuple[str, str, int]]) -> str:
    """The ``--diff`` text: one unified diff per changed file."""
    parts = []
    for path, (old, new, _n) in sorted(changes.items()):
        parts.extend(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                          fromfile=f"a/{path}", tofile=f"b/{path}"))
    return "".join(parts)


def write(changes: dict[str, tuple[str, str, int]]) -> int:
    """Write the fixed texts; returns the number of findings fixed.

    Raises:
        OSError: a file cannot be written.
    """
    for path, (_old, new, _n) in changes.items():
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(new)
    return sum(n for _o, _n2, n in changes.values())
