"""Result types of the runtime signals: :class:`Signal` (a finding), :class:`Check` (a measurement).

Also the three constructors every signal module uses to return a :class:`Check`
(fired, clean, not measurable), so that the code, source and field of a finding
come from :mod:`.catalog` in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from ...linter.finding import Finding
from .catalog import FIELDS, SIGNALS, SOURCES


@dataclass(frozen=True)
class Signal:
    """One runtime finding over a trace.

    Attributes:
        name: kebab-case name from :data:`SIGNALS` (``"loss-spike"``).
        code: ``STL9xx`` code of ``name``.
        severity: ``"error"`` | ``"warning"`` | ``"info"``.
        message: one sentence with the measured numbers.
        start_step, end_step: logged step range the finding covers (inclusive).
        evidence: the numbers (JSON-ready floats/ints/strings).
        threshold: the firing condition with its value, in words.
        source: where the threshold comes from.
        field: the trace series, ``"trace.loss"``, ``"trace.grad_norm"``, ``"trace.lr"``...
        index: index in ``trace.records`` of the first record of the range (for line lookup).
    """

    name: str
    code: str
    severity: str
    message: str
    start_step: int | None
    end_step: int | None
    evidence: dict[str, Any]
    threshold: str
    source: str
    field: str = "trace.loss"
    index: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of all attributes."""
        return {k: getattr(self, k) for k in ("name", "code", "severity", "message", "start_step", "end_step",
                                              "evidence", "threshold", "source", "field", "index")}

    def to_finding(self, path: str, line: int = 1, column: int = 1) -> Finding:
        """This signal as a :class:`Finding` located in ``path`` (the log file).

        ``dialect`` is ``"trace"``; the hint holds the threshold and its source; the
        step range goes to ``Finding.extra["steps"]``.
        """
        return Finding(code=self.code, rule=self.name, severity=self.severity, message=self.message, path=path,
                       line=line, column=column, field=self.field, dialect="trace",
                       hint=f"threshold: {self.threshold} [{self.source}]",
                       extra={"steps": [self.start_step, self.end_step], "evidence": self.evidence,
                              "threshold": self.threshold, "source": self.source})


@dataclass
class Check:
    """The measurement behind one signal, fired or not.

    Attributes:
        signal: signal name (runtime :data:`SIGNALS` or a probe-only name such as ``"lr-ab"``).
        fired: True = the condition held; False = measured and clean; None = not measurable
            (series missing, too few points, horizon too short).
        evidence: measured numbers (always filled as far as measured).
        threshold: firing condition in words.
        source: origin of the threshold.
        reason: why ``fired`` is None, or a short explanation.
        result: the :class:`Signal` when fired.
    """

    signal: str
    fired: bool | None
    evidence: dict[str, Any] = field(default_factory=dict)
    threshold: str = ""
    source: str = ""
    reason: str = ""
    result: Signal | None = None


def signal_findings(signals: Iterable[Signal], path: str, lines: list[int] | None = None) -> list[Finding]:
    """Signals as Findings in ``path``; ``lines[i]`` is the 1-based line of record ``i`` when known (else line 1)."""
    out = []
    for s in signals:
        line = 1
        if lines and s.index is not None and 0 <= s.index < len(lines) and lines[s.index]:
            line = lines[s.index]
        out.append(s.to_finding(path, line))
    return out


def _make(name: str, severity: str, message: str, start: int | None, end: int | None, ev: dict,
          threshold: str, index: int | None, field_: str | None = None) -> Check:
    """A fired :class:`Check` of runtime signal ``name`` carrying its :class:`Signal`.

    ``start``/``end``: logged steps; ``index``: record index for the line lookup;
    ``field_``: the series (default :data:`FIELDS` of ``name``). Raises KeyError for a
    name not in :data:`SIGNALS`.
    """
    sig = Signal(name=name, code=SIGNALS[name], severity=severity, message=message, start_step=start, end_step=end,
                 evidence=ev, threshold=threshold, source=SOURCES[name], field=field_ or FIELDS[name], index=index)
    return Check(name, True, ev, threshold, SOURCES[name], result=sig)


def _clean(name: str, ev: dict, threshold: str, reason: str = "") -> Check:
    """A measured, not fired :class:`Check` of runtime signal ``name`` (KeyError for an unknown name).

    Without a ``reason`` the sentence says that the firing condition did not hold.
    """
    return Check(name, False, ev, threshold, SOURCES[name],
                 reason or (f"measured and clean: the condition ({threshold}) did not hold" if threshold else
                            "measured and clean"))


def _unknown(name: str, reason: str, threshold: str = "", ev: dict | None = None) -> Check:
    """A not measurable :class:`Check` (``fired`` None) saying why in ``reason``; any name is accepted."""
    return Check(name, None, ev or {}, threshold, SOURCES.get(name, ""), reason)
