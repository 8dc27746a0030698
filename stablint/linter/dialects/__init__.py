"""Dialect registry and detection.

One module per framework; :data:`DIALECTS` lists them explicitly (order breaks
ties in detection). :func:`detect` picks the highest :meth:`Dialect.detect`
score; the generic dialect is the fallback for custom configs, and a file no
dialect recognizes is still checked for load pitfalls (duplicate keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from ..document import Document
from ..plan import TrainingPlan
from .base import Context, Dialect

#: Module names under ``stablint.linter.dialects``, each defining ``DIALECT``.
DIALECT_MODULES: tuple[str, ...] = (
    # --- LLM fine-tuning stacks ---
    "hf_trainer",
    "peft",
    "axolotl",
    "llamafactory",
    "torchtune",
    "deepspeed",
    "mlx_lm",
    "kohya",
    # --- general-purpose trainers, detection, systems, scientific ML ---
    "lightning_cli",
    "hydra",
    "composer",
    "nanogpt",
    "mmengine",
    "detectron2",
    "torchtitan",
    "ultralytics",
    "neuraloperator",
    "keras",
    "generic",
)

_cache: list[Dialect] | None = None


def all_dialects() -> list[Dialect]:
    """Instances of every registered dialect, in registry order."""
    global _cache
    if _cache is None:
        _cache = [import_module(f"{__name__}.{m}").DIALECT for m in DIALECT_MODULES]
    return _cache


def get(name: str) -> Dialect:
    """The dialect called ``name``.

    Raises:
        KeyError: no dialect has that name (the message lists the valid names).
    """
    for d in all_dialects():
        if d.name == name:
            return d
    raise KeyError(f"unknown dialect {name!r}; choose from: {', '.join(dialect_names())}")


def dialect_names() -> list[str]:
    """Names of all registered dialects."""
    return [d.name for d in all_dialects()]


def facts_of(plan: TrainingPlan) -> Dialect:
    """The dialect whose framework facts (:class:`Dialect` class attributes such as
    ``model_family``, ``precision_conflict``, ``unknown_keys``) apply to ``plan``.

    ``plan.framework`` when :meth:`Dialect.normalize` set it for the plan's current
    dialect; else the registered dialect named ``plan.dialect`` (a plan built by hand,
    or an ``"unknown"`` launch-script plan that adopted the dialect of the file it
    references); else a base :class:`Dialect`, whose attributes are the documented
    defaults. Never raises.
    """
    fw = plan.framework
    if isinstance(fw, Dialect) and fw.name == plan.dialect:
        return fw
    for d in all_dialects():
        if d.name == plan.dialect:
            return d
    return _BASE


_BASE = Dialect()


#: Evidence items :meth:`Detection.describe` prints before "+N more" (JSON output has them all).
EVIDENCE_SHOWN = 5
#: Confidence levels, most certain first.
CONFIDENCES = ("high", "medium", "low")


@dataclass(frozen=True)
class Detection:
    """Which dialect reads a document, why, and how sure we are.

    Attributes:
        dialect: the dialect adopted (``None``: no dialect, not a training config we know).
        confidence: ``"high"`` (the framework's defaults are filled in), ``"medium"``
            (its key mapping, stated values only) or ``"low"`` (read as generic).
        evidence: what matched (``"key lora_target"``, ``"class_path at model.class_path"``).
        score: the winning :meth:`Dialect.detect` score.
        candidate: name of the best-scoring dialect when it was *not* adopted (too weak:
            the file is read as generic), else ``None``.
        rival: name of an unrelated dialect that scored almost as high (made it ambiguous).
        forced: True when the dialect came from ``--dialect``/a reference, not detection.
    """

    dialect: Dialect | None
    confidence: str
    evidence: tuple[str, ...] = ()
    score: float = 0.0
    candidate: str | None = None
    rival: str | None = None
    forced: bool = False

    @property
    def name(self) -> str:
        """The adopted dialect's name, ``"unknown"`` without one."""
        return self.dialect.name if self.dialect is not None else "unknown"

    @property
    def fills_defaults(self) -> bool:
        """True when the framework's defaults may be filled in (high confidence)."""
        return self.confidence == "high"

    def describe(self) -> str:
        """One line: ``llamafactory (high; key finetuning_type, key lora_target)``, at most
        :data:`EVIDENCE_SHOWN` evidence items."""
        parts = [self.confidence]
        if self.forced:
            parts.append("forced")
        if self.evidence:
            shown = list(self.evidence[:EVIDENCE_SHOWN])
            if len(self.evidence) > EVIDENCE_SHOWN:
                shown.append(f"+{len(self.evidence) - EVIDENCE_SHOWN} more")
            parts.append(", ".join(shown))
        if self.candidate:
            parts.append(f"too weak for {self.candidate}")
        if self.rival:
            parts.append(f"also looks like {self.rival}")
        return f"{self.name} ({'; '.join(parts)})"

    def to_dict(self) -> dict:
        """JSON form: ``{"dialect", "confidence", "evidence", "score", ...}``."""
        out = {"dialect": self.name, "confidence": self.confidence, "evidence": list(self.evidence),
               "score": round(self.score, 3), "fills_defaults": self.fills_defaults}
        for key in ("candidate", "rival"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.forced:
            out["forced"] = True
        return out


#: Within this score of the winner, an unrelated dialect makes detection ambiguous.
AMBIGUITY_MARGIN = 0.1


def _related(a: Dialect, b: Dialect) -> bool:
    """True when one dialect extends the other (LLaMA-Factory and axolotl read HF ``TrainingArguments``)."""
    return isinstance(a, type(b)) or isinstance(b, type(a)) or a.name in b.relatives or b.name in a.relatives


def detection(doc: Document) -> Detection:
    """Score every dialect that reads ``doc``'s format and decide, with evidence.

    The best score wins (registry order breaks ties). Its confidence comes from
    :meth:`Dialect.confidence`, lowered to ``"medium"`` when an unrelated dialect scores
    within :data:`AMBIGUITY_MARGIN`. A ``"low"`` winner is not adopted: the file is read
    by the generic dialect (when that claims it) with no framework defaults, and the
    winner is kept as ``candidate``. Never raises.
    """
    scored = [(d.detect(doc), d) for d in all_dialects() if doc.fmt in d.formats]
    scored = [(s, d) for s, d in scored if s > 0]
    if not scored:
        return Detection(None, "low")
    order = {d.name: i for i, d in enumerate(all_dialects())}
    scored.sort(key=lambda sd: (-sd[0], order[sd[1].name]))
    score, best = scored[0]
    generic = next(((s, d) for s, d in scored if d.name == "generic"), None)
    if best.name == "generic":
        return Detection(best, "low", best.evidence(doc), score)
    conf = best.confidence(doc, score)
    rival = next((d for s, d in scored[1:] if d.name != "generic" and not _related(d, best)
                  and s >= best.medium_score and score - s <= AMBIGUITY_MARGIN), None)
    if rival is not None and conf == "high":
        conf = "medium"
    if conf == "low":
        if generic is None:
            return Detection(None, "low", best.evidence(doc), score, candidate=best.name)
        return Detection(generic[1], "low", generic[1].evidence(doc), generic[0], candidate=best.name)
    return Detection(best, conf, best.evidence(doc), score, rival=rival.name if rival else None)


def detect(doc: Document) -> Dialect | None:
    """The dialect :func:`detection` adopts for ``doc``, or ``None``."""
    return detection(doc).dialect


__all__ = ["CONFIDENCES", "Context", "Detection", "Dialect", "DIALECT_MODULES", "all_dialects", "detect", "detection", "dialect_names", "facts_of", "get"]
