"""Dialect registry and detection.

One module per framework; :data:`DIALECTS` lists them explicitly (order breaks
ties in detection). :func:`detect` picks the highest :meth:`Dialect.detect`
score; the generic dialect is the fallback for custom configs, and a file no
dialect recognizes is still checked for load pitfalls (duplicate keys).
"""

from __future__ import annotations

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
    # --- general-purpose trainers, detection, systems, scientific ML ---
    "lightning_cli",
    "hydra",
    "nanogpt",
    "mmengine",
    "detectron2",
    "torchtitan",
    "ultralytics",
    "neuraloperator",
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


def detect(doc: Document) -> Dialect | None:
    """The best-scoring dialect for ``doc`` among those that read its format, or ``None``."""
    best: tuple[float, Dialect] | None = None
    for d in all_dialects():
        if doc.fmt not in d.formats:
            continue
        score = d.detect(doc)
        if score > 0 and (best is None or score > best[0]):
            best = (score, d)
    return best[1] if best else None


__all__ = ["Context", "Dialect", "DIALECT_MODULES", "all_dialects", "detect", "dialect_names", "facts_of", "get"]
