"""unused-suppression (STL005): a ``# stablint: disable=`` comment that suppresses nothing.

### What it does
Reports inline suppression comments that did not suppress any finding in the
run, that name a rule stablint does not know, or that do not parse. Only rules
that actually ran for the file count: a suppression of a rule switched off by
``--select``/``ignore`` is not reported.

### Why is this bad?
A stale suppression hides the next real problem on that line: someone changes
``lora_alpha`` months later and the comment silently swallows the new finding.
A misspelled rule name or a malformed comment suppresses nothing at all while
looking as if it did (checkov#90, research/linter_anchors.md C.1).

### Example
```yaml
learning_rate: 2.0e-5  # stablint: disable=duplicate-key -- the second value is intended
per_device_train_batch_size: 8
```

### Use instead
```yaml
learning_rate: 2.0e-5
per_device_train_batch_size: 8
```

### References
- ruff ``RUF100`` (unused-noqa); flake8's ``noqa`` and yamllint's ``disable-line`` comments (research/linter_anchors.md A.1-A.3).
- hadolint ``--disable-ignore-pragma`` / zizmor ``--no-ignores``: ``stablint lint --no-suppressions`` ignores every comment.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from .base import Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """Nothing per plan: a suppression is unused only once the whole run is known.

    The engine calls :func:`findings` with
    :meth:`stablint.linter.suppressions.Suppressions.unused` after every file is linted.
    """
    return iter(())


def findings(unused: Iterable[tuple[Any, str, str]], severity: dict[str, str] | None = None) -> Iterator[Finding]:
    """One finding per unused, unknown or malformed directive name.

    Args:
        unused: ``(Directive, name, why)`` triples from ``Suppressions.unused()``.
        severity: the run's severity overrides (rule name → severity).
    """
    sev = (severity or {}).get(RULE.name, RULE.severity)
    for d, name, why in unused:
        if why == "malformed":
            message, hint = d.problem, "write '# stablint: disable=RULE -- reason' or '# stablint: disable-file=RULE'"
        elif why == "unknown-rule":
            message, hint = f"suppression names unknown rule '{name}'", "see `stablint rules` for names and codes"
        else:
            message = f"suppression of '{name}' is unused: no such finding on the line{'s' if d.scope == 'line' and len(d.lines) > 1 else ''} it covers" \
                if d.scope == "line" else f"file-wide suppression of '{name}' is unused: the rule reports nothing in this file"
            hint = "remove it (or the name) so it cannot hide a future finding"
        yield Finding(code=RULE.code, rule=RULE.name, severity=sev, message=message, path=d.path,
                      line=d.line, column=d.column, hint=hint)


RULE = Rule(
    code="STL005", name="unused-suppression", severity="warning",
    summary="A '# stablint: disable=' comment that suppresses nothing, names an unknown rule or does not parse.",
    check=check, doc=__doc__,
)
