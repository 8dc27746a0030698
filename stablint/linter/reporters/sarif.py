"""SARIF 2.1.0 reporter (``stablint lint --format sarif``), for GitHub code scanning.

One run with ``tool.driver`` = stablint and, as ruff does (PR #13268), metadata
only for the rules that have results. Each rule descriptor carries what GitHub's
"SARIF support for code scanning" page reads (docs.github.com/en/code-security/
code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning):
``id`` (the code), ``name``, ``shortDescription`` (the summary), ``fullDescription``
(What it does + Why is this bad?, cut at a sentence to GitHub's 1024 characters),
``help.text`` and ``help.markdown`` (the rule page of ``docs/rules/``), ``helpUri``,
``defaultConfiguration.level`` and ``properties.precision`` / ``problem.severity`` /
``tags``. Each result has a ``physicalLocation`` whose ``artifactLocation.uri`` is
relative to ``%SRCROOT%`` = the repository root (the nearest directory holding ``.git``
above the working directory, else the working directory), and a region with start and
end positions. ``partialFingerprints`` is left out: the ``upload-sarif`` action computes
``primaryLocationLineHash`` (the key GitHub uses) from the file itself; our own
line-independent identity (path, code, canonical field) is in ``fingerprints``.
``automationDetails.id`` is ``stablint/`` (the action's upload ``category``). Input
errors become ``toolExecutionNotifications`` and make ``executionSuccessful`` false.
Spec: OASIS SARIF 2.1.0 (errata01); schema copy in ``tests/schemas/``.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from urllib.parse import quote

from ... import __version__
from .escape import sarif_text

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: Where the rule pages (``docs/rules/<name>.md``) are published; override with
#: the environment variable ``STABLINT_DOCS_URL`` (a base ending in ``/``).
DOCS_URL = "https://github.com/stablint/stablint/blob/main/docs/rules/"
INFORMATION_URI = "https://github.com/stablint/stablint"
#: stablint severity → SARIF ``level``.
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "stablint/v1"
#: GitHub's documented limits (SARIF support for code scanning): rule descriptions and
#: messages, tags per rule (only the first 10 are kept), results per run.
MAX_DESCRIPTION = 1024
MAX_TAGS = 10
MAX_RESULTS_PER_RUN = 25_000
#: default severity → ``properties.precision`` (how often a finding is a true positive).
#: error-level rules fire only on facts of the file (a duplicate key, a value the loader
#: misreads); warnings on framework defaults we verified; info-level ones are context.
PRECISION = {"error": "very-high", "warning": "high", "info": "medium"}
#: stablint severity → ``properties.problem.severity`` (GitHub's error/warning/recommendation).
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "info": "recommendation"}
AUTOMATION_ID = "stablint/"


def rule_doc_url(name: str) -> str:
    """The documentation page of rule ``name`` (kebab-case): ``<docs base><name>.md``."""
    base = os.environ.get("STABLINT_DOCS_URL") or DOCS_URL
    return f"{base.rstrip('/')}/{quote(name)}.md"


def source_root(start: str | None = None) -> Path:
    """``%SRCROOT%``: the nearest directory at or above ``start`` (default: the working
    directory) that holds ``.git``, else ``start`` itself (URIs are then relative to it)."""
    here = Path(start or os.getcwd()).resolve()
    for d in (here, *here.parents):
        if (d / ".git").exists():
            return d
    return here


def artifact_uri(path: str, root: str | None = None) -> tuple[str, bool]:
    """``(uri, relative)`` for ``path``: relative (POSIX, percent-encoded) when under ``root``
    (default: :func:`source_root`), else an absolute ``file://`` URI."""
    root_p = Path(root).resolve() if root else source_root()
    p = Path(path)
    absolute = (p if p.is_absolute() else Path(os.getcwd()) / p).resolve()  # relative paths are from the cwd
    try:
        rel = absolute.relative_to(root_p)
        return quote(rel.as_posix()), True
    except ValueError:
        return absolute.as_uri(), False


def fingerprint(path: str, code: str, field: str, occurrence: int) -> str:
    """A line-independent fingerprint of one finding (SHA-256 of path, code, field, occurrence)."""
    return hashlib.sha256(f"{path}\0{code}\0{field}\0{occurrence}".encode()).hexdigest()[:32]


def _line_end(path: str, line: int, _cache: dict) -> int | None:
    """1-based column just past the last character of ``line`` in ``path`` (SARIF's exclusive
    ``endColumn``), or ``None`` when the file cannot be read; ``_cache``: path → lines, per log."""
    if path not in _cache:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                _cache[path] = fh.read().splitlines()
        except OSError:
            _cache[path] = None
    lines = _cache[path]
    if lines is None or not 1 <= line <= len(lines):
        return None
    return len(lines[line - 1]) + 1


def _location(path: str, line: int, column: int, end_line=None, end_column=None, cache=None) -> dict:
    uri, relative = artifact_uri(path)
    loc: dict = {"uri": uri}
    if relative:
        loc["uriBaseId"] = "%SRCROOT%"
    region: dict = {"startLine": max(1, int(line or 1)), "startColumn": max(1, int(column or 1))}
    if end_line and end_column:
        region["endLine"] = max(region["startLine"], int(end_line))
        region["endColumn"] = max(1, int(end_column))
    else:  # the rest of the start line (a finding points at a key or value on it)
        region["endLine"] = region["startLine"]
        region["endColumn"] = _line_end(path, region["startLine"], {} if cache is None else cache) or 0
    if region["endLine"] == region["startLine"] and region["endColumn"] <= region["startColumn"]:
        region["endColumn"] = region["startColumn"] + 1
    return {"physicalLocation": {"artifactLocation": loc, "region": region}}


def _plain(markdown: str) -> str:
    """Markdown → plain text for ``help.text`` (headings, emphasis and code fences unwrapped)."""
    out = []
    for line in markdown.splitlines():
        if line.startswith("<!--") or line.startswith("```"):
            continue
        line = line.lstrip("#").strip() if line.startswith("#") else line
        out.append(line.replace("**", "").replace("``", "").replace("`", ""))
    return "\n".join(out).strip() + "\n"


def clip(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """``text`` on one line within ``limit`` characters: whole sentences when they fit, else cut
    at a word with ``…``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(". ")
    if end >= limit // 3:
        return cut[:end + 1]
    return cut[:limit - 1].rsplit(" ", 1)[0] + "…"


def _rule_descriptor(code: str, name: str, severity: str) -> dict:
    from ...docs import render_rule
    from ..rules import by_key

    rule = by_key(code) or by_key(name)
    sev = rule.severity if rule else severity
    props: dict = {"tags": ["training-stability"], "precision": PRECISION.get(sev, "medium"),
                   "problem.severity": PROBLEM_SEVERITY.get(sev, "warning")}
    if rule is None:
        return {"id": code, "name": name, "shortDescription": {"text": clip(name)},
                "fullDescription": {"text": clip(name)}, "help": {"text": name},
                "defaultConfiguration": {"level": LEVELS.get(sev, "warning")}, "properties": props}
    sections = rule.sections()
    full = " ".join(p for p in (sections.get("What it does", ""), sections.get("Why is this bad?", "")) if p)
    markdown = "\n".join(line for line in render_rule(rule).splitlines() if not line.startswith("<!--")).strip() + "\n"
    if rule.signal:
        props["tags"] = (props["tags"] + [f"signal:{rule.signal}"])[:MAX_TAGS]
        props["signal"] = rule.signal
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": clip(rule.summary)},
        "fullDescription": {"text": clip(full.replace("**", "").replace("``", "`") or rule.summary)},
        "helpUri": rule_doc_url(name),
        "help": {"text": _plain(markdown), "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS.get(sev, "warning")},
        "properties": props,
    }


def to_sarif(result) -> dict:
    """The SARIF log of a :class:`~stablint.linter.engine.LintResult` as a dict."""
    rules: list[dict] = []
    index: dict[str, int] = {}
    results: list[dict] = []
    seen: dict[tuple, int] = {}
    lines: dict = {}
    for f in result.findings:
        if f.code not in index:
            index[f.code] = len(rules)
            rules.append(_rule_descriptor(f.code, f.rule, f.severity))
        uri = artifact_uri(f.path)[0]
        key = (uri, f.code, f.field)
        seen[key] = seen.get(key, 0) + 1
        text = f.message + (f"\nhint: {f.hint}" if f.hint else "")
        res = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": LEVELS.get(f.severity, "warning"),
            "message": {"text": sarif_text(text)},
            "locations": [_location(f.path, f.line, f.column, f.end_line, f.end_column, lines)],
            "fingerprints": {FINGERPRINT_KEY: fingerprint(uri, f.code, f.field, seen[key])},
            "properties": {"rule": f.rule, "field": f.field, "dialect": f.dialect},
        }
        if f.probe:
            res["properties"]["probe"] = f.probe
        results.append(res)
    notifications = [{
        "level": "error",
        "message": {"text": sarif_text(f"{e.path}:{e.line}:{e.column}: {e.message}")},
        "locations": [_location(e.path, e.line, e.column)],
    } for e in result.errors]
    run = {
        "tool": {"driver": {"name": "stablint", "version": __version__, "semanticVersion": __version__,
                            "informationUri": INFORMATION_URI, "rules": rules}},
        "automationDetails": {"id": AUTOMATION_ID},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": source_root().as_uri() + "/"}},
        "invocations": [{"executionSuccessful": not result.errors, "toolExecutionNotifications": notifications}],
        "results": results[:MAX_RESULTS_PER_RUN],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result, **_: object) -> str:
    """The SARIF log as pretty-printed JSON."""
    return json.dumps(to_sarif(result), indent=2, ensure_ascii=False) + "\n"
