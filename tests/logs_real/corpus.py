"""The real-log corpus (issue 16): manifest, where each log lies, and precision/recall of diagnose on it.

``manifest.tsv`` columns: ``id``, ``repo``, ``path``, ``commit`` (the log's public source),
``licence`` (of that repository's LICENSE file; ``none`` = no licence file), ``copied`` (``yes``: the file is in ``files/<id>/``, its
licence allows it; ``no``: fetch it with ``fetch.py`` into the cache), ``split``
(``calibration`` / ``test``, by repository), ``clip`` / ``vocab`` (as stated by files beside
the log), ``labels`` (by ``label_rule.py``, frozen before diagnose ran; ``healthy`` = none; the second look
changed L012 and L014 only, as their notes say), ``diagnosed`` (what diagnose fired with the
calibrated defaults, frozen as a regression reference; ``none`` = nothing) and ``note`` (the
second look at a disagreement).

Cache of the fetched logs: ``$STABLINT_LOGS_REAL`` or ``~/.cache/stablint/logs_real``, laid out
as ``<id>/<file name>`` with the files found beside each log.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "manifest.tsv")
#: Signals scored (lr-cut-too-late is not labelled from numbers alone: scored for precision only).
SCORED = ("nonfinite-values", "loss-spike", "loss-divergence", "loss-plateau", "early-collapse-then-plateau",
          "grad-norm-growth", "clip-saturation", "lr-never-changes", "lr-cut-too-late", "overfitting",
          "early-grad-spike", "initial-loss-high", "completion-truncation", "reward-zero-std")


def cache_dir() -> str:
    """Where ``fetch.py`` puts the logs that are not copied here."""
    return os.environ.get("STABLINT_LOGS_REAL") or os.path.expanduser("~/.cache/stablint/logs_real")


@dataclass
class Entry:
    """One manifest row; ``labels`` is the set of labelled signals (empty = healthy)."""

    id: str
    repo: str
    path: str
    commit: str
    licence: str
    copied: bool
    split: str
    labels: set[str] = field(default_factory=set)
    note: str = ""
    diagnosed: set[str] = field(default_factory=set)

    @property
    def local(self) -> str | None:
        """The log on this machine (copied file, else the cache), or None when absent."""
        name = os.path.basename(self.path)
        for base in (os.path.join(HERE, "files"), cache_dir()):
            p = os.path.join(base, self.id, name)
            if os.path.exists(p):
                return p
        return None

    @property
    def url(self) -> str:
        """Raw URL of the log at its commit."""
        return f"https://raw.githubusercontent.com/{self.repo}/{self.commit}/{self.path}"


def load() -> list[Entry]:
    """All manifest rows."""
    with open(MANIFEST, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [Entry(r["id"], r["repo"], r["path"], r["commit"], r["licence"], r["copied"] == "yes", r["split"],
                  set() if r["labels"] == "healthy" else set(r["labels"].split(",")), r.get("note") or "",
                  set() if r.get("diagnosed", "none") == "none" else set(r["diagnosed"].split(",")))
            for r in rows]


def fired(path: str, options: dict | None = None) -> set[str]:
    """Signals that fire on the log at ``path`` as ``stablint diagnose`` runs them (files beside it included)."""
    from stablint.commands.diagnose import _apply_beside
    from stablint.trends.readers import read_log
    from stablint.trends.signals import measure

    trace = read_log(path)
    opts = dict(options or {})
    _apply_beside(path, trace, opts)
    if opts.get("max_grad_norm"):
        trace.meta["max_grad_norm"] = opts["max_grad_norm"]
    return {k for k, c in measure(trace, opts).items() if c.fired}


def score(results: list[tuple[Entry, set[str]]]) -> dict[str, dict[str, float | int]]:
    """Per signal: tp, fp, fn, precision, recall (None when undefined) over ``(entry, fired)`` pairs."""
    out = {}
    for s in SCORED:
        tp = sum(1 for e, f in results if s in f and s in e.labels)
        fp = sum(1 for e, f in results if s in f and s not in e.labels)
        fn = sum(1 for e, f in results if s not in f and s in e.labels)
        out[s] = {"tp": tp, "fp": fp, "fn": fn, "precision": tp / (tp + fp) if tp + fp else None,
                  "recall": tp / (tp + fn) if tp + fn else None, "logs": len(results)}
    return out
