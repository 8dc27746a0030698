"""The dtype a pretrained checkpoint was trained in, from evidence only.

Two sources, in this order (``fp16-on-bf16-model``, STL603):

1. ``torch_dtype`` of the checkpoint's own ``config.json`` when the run names a local model
   folder (``model_name_or_path: ./models/x``) and that file exists. Dialects read it in
   :func:`fill_local_dtype` into ``model.torch_dtype``; it is what ``save_pretrained`` wrote,
   so it wins over the family table (a family member saved in fp16 is not reported).
2. :data:`FAMILIES`: model families whose published pretraining dtype is bfloat16, each with
   the public statement it rests on. A name that matches none of them gives ``None``: no
   evidence, no finding.

Llama 2 is listed although its Hub checkpoints are stored in float16: the transformers docs state
that the Llama 2 and Llama 3 models "were trained using bfloat16" and that the fp16 files are
an inference choice.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Family:
    """A model family with its published pretraining dtype.

    Attributes:
        name: human name (``"Llama 3"``).
        pattern: regex matched (case-insensitive) against the model id or path; anchored at
            a separator (start, ``/``, ``-``, ``_``) so ``tinyllama`` is not ``llama``.
        dtype: ``"bfloat16"``.
        source: URL of the statement (model card, config.json, maintainer comment).
    """

    name: str
    pattern: str
    dtype: str
    source: str


_SEP = r"(?:^|[/_\-.\\])"

#: Families pretrained in bfloat16, with the evidence. Order matters only for the message.
FAMILIES: tuple[Family, ...] = (
    Family("Llama 3", _SEP + r"(?:meta-)?llama-?3", "bfloat16",
           "https://huggingface.co/docs/transformers/main/model_doc/llama3 (\"The Llama3 models were trained using bfloat16\")"),
    Family("Llama 2", _SEP + r"llama-?2", "bfloat16",
           "https://huggingface.co/docs/transformers/main/model_doc/llama2 (\"The Llama2 models were trained using bfloat16\")"),
    Family("Qwen2/Qwen2.5/Qwen3", _SEP + r"qwen(?:2|3)", "bfloat16",
           "https://github.com/QwenLM/Qwen3/issues/868 (maintainer: \"the original model was trained using bfloat16\")"),
    Family("Mistral 7B", _SEP + r"mistral-7b", "bfloat16",
           "https://huggingface.co/mistralai/Mistral-7B-v0.1/blob/main/config.json (\"torch_dtype\": \"bfloat16\")"),
    Family("Gemma", _SEP + r"gemma", "bfloat16",
           "https://huggingface.co/google/gemma-7b/blob/main/config.json (\"torch_dtype\": \"bfloat16\"); "
           "unslothai/unsloth#5074 (Gemma fp16 NaN)"),
    Family("T5", _SEP + r"(?:flan-|m|by)?t5(?:[-_.]|$)", "bfloat16",
           "https://github.com/google-research/text-to-text-transfer-transformer/issues/539 "
           "(craffel: \"All of our experiments use bfloat16 activations\")"),
)


def family_of(model: str) -> Family | None:
    """The :data:`FAMILIES` entry whose pattern matches ``model`` (a Hub id or path), else ``None``."""
    for fam in FAMILIES:
        if re.search(fam.pattern, model, re.I):
            return fam
    return None


def local_config_path(model: str, config_path: str) -> str | None:
    """``<model>/config.json`` when ``model`` names an existing local folder, else ``None``.

    ``model`` is resolved relative to the directory of ``config_path`` (the run's config file),
    or taken as is when absolute. Hub ids (``org/name``) resolve to nothing unless such a folder
    exists there. Never raises.
    """
    if not isinstance(model, str) or not model.strip() or "\x00" in model:
        return None
    base = model if os.path.isabs(model) else os.path.join(os.path.dirname(os.path.abspath(config_path)), model)
    cand = os.path.join(base, "config.json")
    try:
        return cand if os.path.isfile(cand) else None
    except (OSError, ValueError):
        return None


def fill_local_dtype(plan: Any, ctx: Any) -> None:
    """Set ``model.torch_dtype`` from the local checkpoint's ``config.json`` when ``model.name``
    names one (through ``ctx.load``, which keeps reads inside the repository). Never raises."""
    pv = plan.get("model.name")
    if pv is None or not pv.resolved or not isinstance(pv.value, str) or plan.has("model.torch_dtype"):
        return
    path = local_config_path(pv.value, pv.source.path if pv.source else plan.path)
    if path is None:
        return
    doc = ctx.load(path)
    root = getattr(doc, "root", None)
    if root is None or not root.is_mapping:
        return
    node = root.get("torch_dtype") or root.get("dtype")
    if node is not None and isinstance(node.value, str):
        from .plan import PlanValue, Provenance

        plan.set("model.torch_dtype", PlanValue(node.value.lower(), source=Provenance(path, node.line, node.column, "torch_dtype")))
