"""The Rule record every rule module exports as ``RULE``.

Style (design.md; yamllint's rule modules, ruff's rule docs): a rule module has a
docstring with the sections ``What it does`` / ``Why is this bad?`` /
``Example`` / ``Use instead`` / ``References``, a pure ``check(plan, options)``
generator of :class:`~stablint.linter.finding.Finding`, and a ``RULE`` record
with its code, kebab-case name, default severity, one-line summary, options
with defaults (every threshold is an option), and the probe/diagnose signal
that can confirm it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..finding import Finding
from ..plan import PlanValue, TrainingPlan

#: Docstring sections every rule must have, in order.
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "References")


#: What a :class:`Caught` record is, by where the evidence comes from.
CAUGHT_KINDS = {
    "thread": "a failed run reported in a public issue or forum thread",
    "write-up": "a failure write-up from our users (shared/seeds)",
    "config": "a real config in a public repository, judged true against the framework's code",
}


@dataclass(frozen=True)
class Caught:
    """One real failure (or real risky config) a rule reports: the rule catalog's evidence.

    Attributes:
        what: one sentence: the setting and what happened ("patience 10 of 50 epochs; spike at
            epoch 13, first LR cut at epoch 24").
        source: where it is from: a thread URL, ``shared/seeds/NNN_....txt``, or
            ``owner/repo path@commit`` for a public config.
        kind: a key of :data:`CAUGHT_KINDS`.
        reproduction: repository-relative path of a file that reproduces it (the real file, or a
            minimal reconstruction whose comments quote the thread); ``tests/test_caught.py`` lints
            it and fails unless the rule reports it. Empty when the real file cannot be stored
            (licence), then ``source`` pins the commit.
    """

    what: str
    source: str
    kind: str = "thread"
    reproduction: str = ""


@dataclass(frozen=True)
class Rule:
    """Metadata and check function of one rule.

    Attributes:
        code: stable code, ``STL`` + 3 digits; never renamed once shipped.
        name: kebab-case name; never renamed once shipped.
        severity: default severity (``error``/``warning``/``info``); configurable.
        summary: one line, shown by ``stablint rules``.
        check: ``check(plan, options) -> Iterable[Finding]``; pure.
        doc: the module docstring (ruff-style sections, see :data:`SECTIONS`).
        options: option name → default value (thresholds); users override them.
        signal: name of the probe/diagnose signal that can confirm a finding.
        retired_options: option name → why it was removed (where the setting lives now);
            a config that still sets one gets an error saying so instead of "unknown option".
        caught: the real failures the rule reports (:class:`Caught`), listed in the rule
            catalog (``docs/rules/README.md``) and on the rule's page.
    """

    code: str
    name: str
    severity: str
    summary: str
    check: Callable[[TrainingPlan, dict[str, Any]], Iterable[Finding]]
    doc: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    signal: str | None = None
    retired_options: dict[str, str] = field(default_factory=dict)
    caught: tuple[Caught, ...] = ()

    def sections(self) -> dict[str, str]:
        """The docstring split into its ``### Section`` / ``Section:`` parts."""
        return split_sections(self.doc)

    def finding(self, plan: TrainingPlan, field_name: str, message: str, pv: PlanValue | None = None,
                hint: str = "", severity: str | None = None, fix: dict | None = None, **extra: Any) -> Finding:
        """Build a finding located at ``pv`` (default: the plan's value of ``field_name``)."""
        pv = pv if pv is not None else plan.get(field_name)
        src = pv.source if pv is not None else None
        return Finding(
            code=self.code,
            rule=self.name,
            severity=severity or self.severity,
            message=message,
            path=src.path if src else plan.path,
            line=src.line if src else 1,
            column=src.column if src else 1,
            field=field_name,
            dialect=plan.dialect,
            hint=hint,
            fix=fix,
            extra=extra,
        )


_HEADING = re.compile(r"^(?:#{1,4}\s*)?(What it does|Why is this bad\?|Example|Use instead|References)\s*:?\s*$", re.M)


def split_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into its named sections (text between headings, stripped)."""
    parts: dict[str, str] = {}
    matches = list(_HEADING.finditer(doc or ""))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(doc)
        parts[m.group(1)] = doc[m.end():end].strip()
    return parts


def code_block(section: str) -> tuple[str, str] | None:
    """The first fenced code block of a section as ``(language, text)``."""
    m = re.search(r"```(\w*)\n(.*?)```", section, re.S)
    return (m.group(1) or "yaml", m.group(2)) if m else None
