"""SARIF 2.1.0 reporter (``stablint lint --format sarif``), for GitHub code scanning.

One run with ``tool.driver`` = stablint and, as ruff does (PR #13268), metadata
only for the rules that have results: ``id`` (the code), ``name``,
``shortDescription`` (the summary), ``fullDescription`` (the rule doc),
``helpUri`` (``docs/rules/<name>.md``) and ``defaultConfiguration.level``.
Each result has a ``physicalLocation`` whose ``artifactLocation.uri`` is relative
to ``%SRCROOT%`` (the working directory) and ``partialFingerprints`` built from
(path, code, canonical field), never from the line, so an alert survives edits
above it. Input errors become ``toolExecutionNotifications`` and make
``executionSuccessful`` false. Spec: OASIS SARIF 2.1.0 (errata01); schema copy
in ``tests/schemas/``.
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


def rule_doc_url(name: str) -> str:
    """The documentation page of rule ``name`` (kebab-case): ``<docs base><name>.md``."""
    base = os.environ.get("STABLINT_DOCS_URL") or DOCS_URL
    return f"{base.rstrip('/')}/{quote(name)}.md"


def artifact_uri(path: str, root: str | None = None) -> tuple[str, bool]:
    """``(uri, relative)`` for ``path``: relative (POSIX, percent-encoded) when under ``root``
    (default: the working directory), else an absolute ``file://`` URI."""
    root_p = Path(root or os.getcwd()).resolve()
    p = Path(path)
    absolute = (p if p.is_absolute() else root_p / p).resolve()
    try:
        rel = absolute.relative_to(root_p)
        return quote(rel.as_posix()), True
    except ValueError:
        return absolute.as_uri(), False


def fingerprint(path: str, code: str, field: str, occurrence: int) -> str:
    """A line-independent fingerprint of one finding (SHA-256 of path, code, field, occurrence)."""
    return hashlib.sha256(f"{path}\0{code}\0{field}\0{occurrence}".encode()).hexdigest()[:32]


def _location(path: str, line: int, column: int, end_line=None, end_column=None) -> dict:
    uri, relative = artifact_uri(path)
    loc: dict = {"uri": uri}
    if relative:
        loc["uriBaseId"] = "%SRCROOT%"
    region: dict = {"startLine": max(1, int(line or 1)), "startColumn": max(1, int(column or 1))}
    if end_line:
        region["endLine"] = max(region["startLine"], int(end_line))
    if end_column and end_line:
        region["endColumn"] = max(1, int(end_column))
    return {"physicalLocation": {"artifactLocation": loc, "region": region}}


def _rule_descriptor(code: str, name: str, severity: str) -> dict:
    from ..rules import by_key

    rule = by_key(code) or by_key(name)
    summary = rule.summary if rule else name
    full = (rule.doc or summary).strip() if rule else name
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full, "markdown": full},
        "helpUri": rule_doc_url(name),
        "help": {"text": f"{summary} See {rule_doc_url(name)}"},
        "defaultConfiguration": {"level": LEVELS.get(rule.severity if rule else severity, "warning")},
        "properties": {"tags": ["training-stability"], **({"signal": rule.signal} if rule and rule.signal else {})},
    }


def to_sarif(result) -> dict:
    """The SARIF log of a :class:`~stablint.linter.engine.LintResult` as a dict."""
    rules: list[dict] = []
    index: dict[str, int] = {}
    results: list[dict] = []
    seen: dict[tuple, int] = {}
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
            "locations": [_location(f.path, f.line, f.column, f.end_line, f.end_column)],
            "partialFingerprints": {FINGERPRINT_KEY: fingerprint(uri, f.code, f.field, seen[key])},
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
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(os.getcwd()).resolve().as_uri() + "/"}},
        "invocations": [{"executionSuccessful": not result.errors, "toolExecutionNotifications": notifications}],
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result, **_: object) -> str:
    """The SARIF log as pretty-printed JSON."""
    return json.dumps(to_sarif(result), indent=2, ensure_ascii=False) + "\n"
