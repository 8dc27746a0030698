"""PEFT ``adapter_config.json`` (a saved ``LoraConfig``).

Sources (research/dialects.md table 2A; existing_checks.md A.2; peft@5d602fd
``src/peft/tuners/lora/config.py`` [PEFT-LC], ``src/peft/tuners/lora/layer.py:279-281`` [PEFT-LL]):

* Read with ``json``; unknown keys are dropped with a warning (``config.py:201-226``).
* ``LoraConfig`` defaults: ``r=8``, ``lora_alpha=8``, ``lora_dropout=0.0``,
  ``use_rslora=False``. Scaling is ``lora_alpha / r`` (``lora_alpha / sqrt(r)``
  with ``use_rslora``), so the defaults give scale 1.
* ``peft_type`` ``LORA`` trains LoRA adapters; other types (``ADALORA``, ``IA3``,
  ``PREFIX_TUNING``...) are detected but no LoRA fields are filled (AdaLoRA's
  effective rank is ``init_r``/``target_r``, not ``r``).

The file holds no optimizer/schedule values: only the ``lora.*`` fields are set.
"""

from __future__ import annotations

from typing import Any

from ..document import Document, Node
from ..plan import TrainingPlan
from .base import Context, Dialect
from . import known_keys as kk

_KNOWN_KEYS = kk.PEFT_LORA.keys

#: ``LoraConfig`` defaults: canonical field → (value, key).
LORA_DEFAULTS: dict[str, tuple[Any, str]] = {
    "lora.r": (8, "r"),
    "lora.alpha": (8, "lora_alpha"),
    "lora.dropout": (0.0, "lora_dropout"),
    "lora.use_rslora": (False, "use_rslora"),
}


class Peft(Dialect):
    """PEFT adapter configs (``adapter_config.json``)."""

    name = "peft"
    evidence_keys = frozenset({"peft_type", "r", "lora_alpha", "target_modules", "task_type"})
    title = "PEFT adapter_config.json"
    known_keys = _KNOWN_KEYS  # closed top-level key set, for unknown-key (STL004)
    #: other ``adapter_config.json`` keys are dropped with a warning, so the setting is lost
    #: (``_check_and_remove_unused_kwargs``, ``config.py:201-226``; research/existing_checks.md A.2)
    unknown_keys = "closed"
    formats = ("json",)
    loader = "json"
    coerces = False
    KEYS: dict[str, Any] = {"model.name": "base_model_name_or_path"}

    def detect(self, doc: Document) -> float:
        """0.98 with ``peft_type``; 0.9 with ``r`` + ``lora_alpha`` + ``target_modules``."""
        keys = doc.keys()
        if "peft_type" in keys:
            return 0.98
        return 0.9 if {"r", "lora_alpha", "target_modules"} <= keys else 0.0

    def key_policy(self, doc: Document) -> kk.KeyPolicy | None:
        """``LoraConfig`` of PEFT 0.4.0-0.21.2 (known_keys.py): closed at ``warning`` for a
        hand-written ``peft_type: LORA`` file; ``info`` for a file ``save_pretrained`` wrote
        (most fields present: a newer release adds fields) or one without ``peft_type``
        (maybe a custom script's LoRA settings, not PEFT's); ``None`` for other adapter types
        (AdaLoRA, IA3 ... have other config classes)."""
        keys = {k for k in doc.keys() if isinstance(k, str)}
        ptype = doc.root.get("peft_type") if doc.root.is_mapping else None
        kind = str(ptype.value).upper() if ptype is not None and ptype.value is not None else None
        if kind is not None and kind != "LORA":
            return None
        suggest = kk.PEFT_LORA.consistent_with(keys)
        if kind is None:
            return kk.KeyPolicy(kk.PEFT_LORA, kk.PEFT_LORA.keys, suggest, severity="info",
                                why="no peft_type: maybe a custom script's LoRA settings")
        if kk.is_dump(keys, kk.PEFT_LORA):
            return kk.KeyPolicy(kk.PEFT_LORA, kk.PEFT_LORA.keys, suggest, closed=True, severity="info",
                                why="an adapter_config.json PEFT wrote (a newer release adds fields)")
        return kk.KeyPolicy(kk.PEFT_LORA, kk.PEFT_LORA.keys, suggest, closed=True)

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """``lora.*`` from the LORA keys, with ``LoraConfig`` defaults for absent ones."""
        ptype = root.get("peft_type")
        kind = str(ptype.value).upper() if ptype is not None and ptype.value is not None else "LORA"
        if kind != "LORA":
            plan.notes.append(f"peft_type {kind}: not plain LoRA, lora.* fields are not filled")
            return
        anchor = ptype or root
        pv = self.put(plan, "lora.enabled", True, anchor, "peft_type", default=ptype is None)
        for canonical, (value, key) in LORA_DEFAULTS.items():
            node = root.get(key)
            if node is not None and node.value is not None:
                self.take(plan, canonical, node, key)
            else:
                self.put(plan, canonical, value, pv, key)


DIALECT = Peft()
