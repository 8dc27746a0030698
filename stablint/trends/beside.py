"""Facts about a run read from the files saved beside its log (issue 16).

Hugging Face ``Trainer`` writes ``trainer_state.json`` next to the model's
``config.json`` (and, with ``save_pretrained``, ``adapter_config.json``); scripts often
dump ``training_args.json`` (``TrainingArguments.to_json_string()``); Lightning writes
``hparams.yaml`` beside ``metrics.csv``. Only values a file *states* are used (no
framework default is assumed: HF's ``max_grad_norm`` default 1.0 applies only when the
arguments say nothing, and a run's arguments may live in the pickled
``training_args.bin``, which is never loaded). Files are parsed (JSON, YAML safe load),
never executed.

Keys read (first found wins, in this order of files):

- clip threshold (``max_grad_norm``): ``max_grad_norm`` (HF TrainingArguments),
  ``gradient_clip_val`` (Lightning Trainer), ``grad_clip`` / ``clip_grad`` / ``clip_grad_norm``
  / ``max_norm`` (common YAML configs). ``adapter_config.json`` (PEFT ``LoraConfig``)
  holds no clip or warm-up field; it is not read for these.
- warm-up (``warmup_steps``, steps): ``warmup_steps``; else ``warmup_ratio`` x the log's
  ``max_steps``.
- vocabulary (``vocab_size``): ``vocab_size`` of ``config.json`` (or of its ``text_config``).
"""

from __future__ import annotations

import json
import os
from typing import Any

#: Files read, in order; YAML ones need PyYAML (a stablint dependency).
BESIDE_FILES = ("training_args.json", "hparams.yaml", "config.yaml", "config.yml", "train_config.yaml",
                "config.json")
_CLIP_KEYS = ("max_grad_norm", "gradient_clip_val", "grad_clip", "clip_grad", "clip_grad_norm", "max_norm")
_MAX_BYTES = 2 * 1024 * 1024


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v)


def _load(path: str) -> dict[str, Any] | None:
    """The top-level mapping of a JSON/YAML file, or None (missing, too large, malformed, not a mapping)."""
    try:
        if os.path.getsize(path) > _MAX_BYTES:
            return None
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        if path.endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, ImportError):
        return None
    except Exception:  # yaml.YAMLError and its subclasses
        return None
    return data if isinstance(data, dict) else None


def _flat(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` plus the keys of one level of nested mappings (``trainer: {gradient_clip_val: 1}``), outer keys first."""
    out = dict(d)
    for v in d.values():
        if isinstance(v, dict):
            for k, x in v.items():
                out.setdefault(k, x)
    return out


def read_beside(log: str, max_steps: float | None = None) -> dict[str, Any]:
    """What the files beside ``log`` state: ``{"max_grad_norm", "warmup_steps", "vocab_size"}`` (those found),
    each with ``"<key>_source"`` = the file it came from.

    ``log``: the log file (or a TensorBoard run directory: its files are looked up inside it
    and in its parent). ``max_steps``: the run's total steps (for ``warmup_ratio``). A clip
    threshold of 0 (HF: clipping off) is reported as ``max_grad_norm`` 0. Never raises.
    """
    d = log if os.path.isdir(log) else os.path.dirname(os.path.abspath(log))
    dirs = [d, os.path.dirname(d)] if os.path.isdir(log) else [d]
    out: dict[str, Any] = {}
    for base in dirs:
        for name in BESIDE_FILES:
            path = os.path.join(base, name)
            if not os.path.isfile(path):
                continue
            data = _load(path)
            if data is None:
                continue
            flat = _flat(data)
            if name != "config.json" and "max_grad_norm" not in out:
                for k in _CLIP_KEYS:
                    v = _num(flat.get(k))
                    if v is not None and v >= 0:
                        out["max_grad_norm"], out["max_grad_norm_source"] = v, f"{path} ({k})"
                        break
            if name != "config.json" and "warmup_steps" not in out:
                ws, wr = _num(flat.get("warmup_steps")), _num(flat.get("warmup_ratio"))
                if ws:
                    out["warmup_steps"], out["warmup_steps_source"] = int(ws), f"{path} (warmup_steps)"
                elif wr and max_steps:
                    out["warmup_steps"] = int(wr * max_steps)
                    out["warmup_steps_source"] = f"{path} (warmup_ratio {wr:g} x max_steps {max_steps:g})"
            if name == "config.json" and "vocab_size" not in out:
                v = _num(flat.get("vocab_size"))
                if v is None and isinstance(data.get("text_config"), dict):
                    v = _num(data["text_config"].get("vocab_size"))
                if v and v > 1:
                    out["vocab_size"], out["vocab_size_source"] = int(v), f"{path} (vocab_size)"
    return out
