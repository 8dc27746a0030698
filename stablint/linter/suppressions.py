"""Inline suppressions: ``# stablint: disable=NAME[,NAME] -- reason`` and ``disable-file=``.

Syntax (design.md "Public contracts"; forms borrowed from ruff, yamllint and
hadolint, research/linter_anchors.md A.1, A.2, C.1):

* ``# stablint: disable=lora-scaling-too-low,STL101 -- reason`` on a line of its
  own covers the next line that is not blank or a comment; written after a
  value it covers its own line. In shell scripts it covers the whole command
  (backslash continuations), since a comment cannot sit inside one.
* ``# stablint: disable-file=NAME[,NAME]`` anywhere in the file covers the file.
* Rule names and codes both work; the reason after `` -- `` is free text.
* Comments are read from YAML, TOML, Python (via :mod:`tokenize`) and shell
  files. JSON has no comments, so JSON files have no suppressions.

A finding is suppressed by the comments of the file it **points into**: a finding
located in a ``_base_`` file or a referenced DeepSpeed JSON is suppressed there.
Directives that suppress nothing (or name an unknown rule, or do not parse) are
reported by rule ``unused-suppression`` (STL005, ruff's RUF100); the engine feeds
it through :meth:`Suppressions.unused`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Iterable

from .finding import Finding

_COMMENT = re.compile(r"(?:^|(?<=\s))#\s*stablint\s*:\s*(?P<body>.*?)\s*$")
_BODY = re.compile(r"^(?P<kind>disable-file|disable)\s*=\s*(?P<names>[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)\s*$")
_REASON = re.compile(r"\s--(?:\s|$)")
#: Formats whose files can carry ``#`` comments.
COMMENT_FORMATS = {"yaml", "toml", "python", "shell"}


@dataclass
class Directive:
    """One ``# stablint:`` comment.

    Attributes:
        path: file holding the comment.
        line, column: 1-based position of the ``#``.
        scope: ``"line"`` or ``"file"``.
        names: rule names/codes as written.
        lines: the lines a ``"line"`` directive covers.
        reason: text after `` -- `` (may be empty).
        problem: why the comment is malformed (``""`` when it parsed).
        used: the names (as written) that suppressed at least one finding.
    """

    path: str
    line: int
    column: int
    scope: str
    names: tuple[str, ...] = ()
    lines: frozenset[int] = frozenset()
    reason: str = ""
    problem: str = ""
    used: set[str] = field(default_factory=set)

    def covers(self, finding: Finding) -> str | None:
        """The name (as written) that suppresses ``finding`` here, else ``None``."""
        if self.problem or (self.scope == "line" and finding.line not in self.lines):
            return None
        for name in self.names:
            if name.lower() in (finding.rule.lower(), finding.code.lower()):
                return name
        return None


def _comments(text: str, fmt: str) -> list[tuple[int, int, str, bool]]:
    """``(line, column, comment text, own_line)`` of every ``#`` comment of a file."""
    out: list[tuple[int, int, str, bool]] = []
    if fmt == "python":
        import io
        import tokenize  # lazy: only Python configs need the tokenizer (cold-start budget, issue 7)

        try:
            for tok in tokenize.generate_tokens(io.StringIO(text).readline):
                if tok.type == tokenize.COMMENT:
                    line, col = tok.start
                    out.append((line, col + 1, tok.string, tok.line[:col].strip() == ""))
        except (tokenize.TokenError, SyntaxError, IndentationError):
            pass  # a broken file is reported by the loader; keep what was read
        return out
    for lineno, line in enumerate(text.splitlines(), start=1):
        if "stablint" not in line:
            continue
        m = _COMMENT.search(line)
        if m:
            out.append((lineno, m.start() + 1, m.group(0), line[:m.start()].strip() == ""))
    return out


def _command_span(lines: list[str], line: int) -> set[int]:
    """All physical lines of the shell command that contains ``line`` (1-based)."""
    start = line
    while start > 1 and lines[start - 2].rstrip().endswith("\\"):
        start -= 1
    end = line
    while end <= len(lines) and lines[end - 1].rstrip().endswith("\\"):
        end += 1
    return set(range(start, min(end, len(lines)) + 1))


def _target(lines: list[str], line: int, own_line: bool, fmt: str) -> set[int]:
    """The lines a line-scope directive at ``line`` covers."""
    target = line
    if own_line:
        target = line + 1
        while target <= len(lines) and (not lines[target - 1].strip() or lines[target - 1].lstrip().startswith("#")):
            target += 1
    return _command_span(lines, target) if fmt == "shell" else {target}


def parse(text: str, fmt: str, path: str) -> list[Directive]:
    """Every ``# stablint:`` directive of one file (malformed ones carry ``problem``).

    ``fmt`` is the Document format; ``"json"`` (or anything without ``#``
    comments) yields no directives.
    """
    if fmt not in COMMENT_FORMATS or "stablint" not in text:
        return []
    lines = text.splitlines()
    out: list[Directive] = []
    for line, col, comment, own_line in _comments(text, fmt):
        m = _COMMENT.search(comment)
        if not m:
            continue
        body = m.group("body")
        parts = _REASON.split(" " + body, maxsplit=1)
        head = parts[0].strip()
        reason = parts[1].strip() if len(parts) > 1 else ""
        bm = _BODY.match(head)
        if not bm:
            out.append(Directive(path, line, col, "line", problem=f"cannot parse '# stablint: {body}' "
                                 "(expected 'disable=NAME[,NAME] -- reason' or 'disable-file=NAME[,NAME]')"))
            continue
        names = tuple(n.strip() for n in bm.group("names").split(","))
        scope = "file" if bm.group("kind") == "disable-file" else "line"
        covered = frozenset(_target(lines, line, own_line, fmt)) if scope == "line" else frozenset()
        out.append(Directive(path, line, col, scope, names, covered, reason))
    return out


def _key(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


class Suppressions:
    """The suppression directives of every file seen in one lint run.

    Usage (the engine): :meth:`add_document` for each document of each plan,
    :meth:`filter` on each file's findings with the rules enabled for it, then
    :meth:`unused` once at the end of the run.
    """

    def __init__(self) -> None:
        self._by_file: dict[str, list[Directive]] = {}
        self._enabled: dict[str, set[str]] = {}

    def add_document(self, doc) -> None:
        """Register the directives of a loaded :class:`~stablint.linter.document.Document`."""
        key = _key(doc.path)
        if key not in self._by_file:
            self._by_file[key] = parse(doc.text, doc.fmt, doc.path)

    def directives(self, path: str) -> list[Directive]:
        """Directives of ``path``; files not registered are read from disk (never executed)."""
        key = _key(path)
        if key not in self._by_file:
            from .loaders import format_of

            try:
                with open(path, encoding="utf-8-sig") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError):
                text = ""
            self._by_file[key] = parse(text, format_of(path, text[:200]), path)
        return self._by_file[key]

    def filter(self, findings: Iterable[Finding], enabled: Iterable[str], documents: Iterable = ()) -> list[Finding]:
        """Drop suppressed findings, marking the directives used.

        Args:
            findings: findings of one linted file (they may point into other files).
            enabled: names of the rules that ran for it (decides what "unused" means).
            documents: the plan's documents (the file and its bases/references).
        """
        enabled = set(enabled)
        for doc in documents:
            self.add_document(doc)
            self._enabled.setdefault(_key(doc.path), set()).update(enabled)
        kept: list[Finding] = []
        for f in findings:
            self._enabled.setdefault(_key(f.path), set()).update(enabled)
            hit = False
            for d in self.directives(f.path):
                name = d.covers(f)
                if name is not None:
                    d.used.add(name)
                    hit = True
            if not hit:
                kept.append(f)
        return kept

    def unused(self) -> list[tuple[Directive, str, str]]:
        """``(directive, name, why)`` for each directive name that suppressed nothing.

        ``why`` is ``"unused"``, ``"unknown-rule"`` or ``"malformed"`` (then ``name``
        is ``""``). Only files where ``unused-suppression`` ran are considered, and a
        name is "unused" only when its rule ran for that file (a rule switched off by
        ``--select``/``ignore`` cannot use its suppressions).
        """
        from .rules import by_key

        out: list[tuple[Directive, str, str]] = []
        for key, directives in self._by_file.items():
            enabled = self._enabled.get(key, set())
            if "unused-suppression" not in enabled:
                continue
            for d in directives:
                if d.problem:
                    out.append((d, "", "malformed"))
                    continue
                for name in d.names:
                    rule = by_key(name)
                    if rule is None:
                        out.append((d, name, "unknown-rule"))
                    elif rule.name != "unused-suppression" and rule.name in enabled and name not in d.used:
                        out.append((d, name, "unused"))
        return out
