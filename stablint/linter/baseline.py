"""Baselines for adopting stablint in a repository with existing findings.

``stablint lint --write-baseline FILE`` records today's findings;
``stablint lint --baseline FILE`` then reports only findings that are not in it,
and lists *stale* entries (recorded findings that are gone, so the baseline can
shrink). A finding is keyed by (path, rule code, canonical field), never by line
number, so edits elsewhere in a file do not resurrect it (linter_anchors.md §0.7
and C.5). Paths are stored relative to the baseline file's directory, POSIX
style. When one key occurs several times, the count is recorded and only the
occurrences beyond it are new.

File format (JSON)::

    {"version": 1, "tool": "stablint",
     "findings": [{"path": "configs/a.yaml", "code": "STL101", "rule": "plateau-patience-too-long",
                   "field": "scheduler.patience", "count": 1, "message": "..."}]}
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from .document import InputError
from .finding import Finding

VERSION = 1

Key = tuple[str, str, str]


def _rel(path: str, base_dir: str) -> str:
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base_dir or "."))
    return rel.replace(os.sep, "/")


def key_of(finding: Finding, base_dir: str) -> Key:
    """``(path relative to base_dir, code, canonical field)`` of a finding."""
    return (_rel(finding.path, base_dir), finding.code, finding.field)


@dataclass
class Baseline:
    """Recorded findings: key → count, plus a readable sample per key.

    Attributes:
        base_dir: directory the recorded paths are relative to (the file's directory).
        counts: ``(path, code, field)`` → number of occurrences recorded.
        samples: key → ``{"rule", "message"}`` of one recorded occurrence (for humans).
    """

    base_dir: str
    counts: Counter = field(default_factory=Counter)
    samples: dict = field(default_factory=dict)

    @classmethod
    def from_findings(cls, findings: Iterable[Finding], base_dir: str) -> "Baseline":
        """The baseline of ``findings``."""
        b = cls(base_dir=base_dir)
        for f in findings:
            k = key_of(f, base_dir)
            b.counts[k] += 1
            b.samples.setdefault(k, {"rule": f.rule, "message": f.message})
        return b

    def to_dict(self) -> dict:
        """The JSON file content, entries sorted by key."""
        rows = [{"path": p, "code": c, "rule": self.samples.get((p, c, fld), {}).get("rule", ""), "field": fld,
                 "count": n, "message": self.samples.get((p, c, fld), {}).get("message", "")}
                for (p, c, fld), n in sorted(self.counts.items())]
        return {"version": VERSION, "tool": "stablint", "findings": rows}

    def filter(self, findings: Iterable[Finding]) -> tuple[list[Finding], list[dict]]:
        """Split ``findings`` into the new ones and the stale baseline entries.

        Returns:
            ``(new_findings, stale)``; ``stale`` lists entries ``{"path", "code",
            "rule", "field", "count"}`` whose recorded count exceeds what was found
            (``count`` is how many recorded occurrences are gone).
        """
        seen: Counter = Counter()
        new: list[Finding] = []
        for f in findings:
            k = key_of(f, self.base_dir)
            seen[k] += 1
            if seen[k] > self.counts.get(k, 0):
                new.append(f)
        stale = [{"path": p, "code": c, "rule": self.samples.get((p, c, fld), {}).get("rule", ""), "field": fld,
                  "count": n - seen.get((p, c, fld), 0)}
                 for (p, c, fld), n in sorted(self.counts.items()) if n > seen.get((p, c, fld), 0)]
        return new, stale


def write(path: str, findings: Iterable[Finding]) -> Baseline:
    """Write the baseline of ``findings`` to ``path`` (JSON).

    Raises:
        InputError: the file cannot be written.
    """
    b = Baseline.from_findings(findings, os.path.dirname(os.path.abspath(path)))
    try:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(b.to_dict(), fh, indent=2, ensure_ascii=False)
            fh.write("\n")
    except OSError as exc:
        raise InputError(path, f"cannot write baseline: {exc.strerror or exc}") from None
    return b


def load(path: str) -> Baseline:
    """Read a baseline file.

    Raises:
        InputError: unreadable file, invalid JSON, or not a stablint baseline
            (``version`` 1 with a ``findings`` list of ``{path, code, field}``).
    """
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise InputError(path, f"cannot read baseline: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line, col = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        raise InputError(path, f"baseline is not valid JSON: {getattr(exc, 'msg', exc)}", line, col) from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise InputError(path, f"not a stablint baseline (expected {{\"version\": {VERSION}, \"findings\": [...]}})")
    b = Baseline(base_dir=os.path.dirname(os.path.abspath(path)))
    for i, row in enumerate(data["findings"]):
        if not (isinstance(row, dict) and isinstance(row.get("path"), str) and isinstance(row.get("code"), str)
                and isinstance(row.get("field", ""), str)):
            raise InputError(path, f"baseline entry {i} needs string 'path', 'code' and 'field'")
        count = row.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise InputError(path, f"baseline entry {i}: 'count' must be a positive integer")
        k = (row["path"], row["code"], row.get("field", ""))
        b.counts[k] += count
        b.samples.setdefault(k, {"rule": row.get("rule", ""), "message": row.get("message", "")})
    return b
