"""Reader for plain-text training logs (stdout captured to a file).

Recognized lines (anything else is ignored, e.g. tqdm bars and warnings):

- Hugging Face Trainer's printed dicts:
  ``{'loss': 0.5, 'grad_norm': 1.2, 'learning_rate': 5e-05, 'epoch': 0.1}`` and
  eval dicts ``{'eval_loss': ..., 'epoch': ...}``. They carry no step: records are
  numbered by train dict (an eval dict joins the preceding train record);
  ``meta["step_unit"] = "log-row"``. ``nan`` / ``inf`` values are read.
- nanoGPT: ``iter N: loss X, time ...`` and ``step N: train loss X, val loss Y``
  (the eval-time train-loss estimate never overwrites an ``iter`` loss).
- Generic ``key=value`` / ``key: value`` lines with a step-like key
  (``step 100 | loss 2.3 | lr 1e-4 | grad_norm 0.5``) or an ``Epoch N`` prefix
  (then steps are epochs, ``meta["step_unit"] = "epoch"``).
"""

from __future__ import annotations

import re
from typing import Any

from ...linter.document import InputError
from ..trace import Trace
from .common import RowMerger, split_metrics

_NUM = r"[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|nan|NaN|inf|Infinity|-inf|-Infinity)"
_HF_DICT = re.compile(r"\{'[a-z_/]+':\s*" + _NUM + r"[^{}]*\}")
_HF_PAIR = re.compile(r"'([^']+)':\s*(" + _NUM + r")")
_NANO_ITER = re.compile(r"\biter\s+(\d+):\s*loss\s+(" + _NUM + r")")
_NANO_STEP = re.compile(r"\bstep\s+(\d+):\s*train loss\s+(" + _NUM + r"),\s*val loss\s+(" + _NUM + r")")
_STEP = re.compile(r"\b(?:global_step|step|iter|iteration|it)\b\s*[=:#]?\s*\[?\s*(\d+)", re.I)
_EPOCH = re.compile(r"\bepoch\b\s*[=:#]?\s*\[?\s*(\d+)", re.I)
# metric names are bounded (64 characters after the first) so a long run of name characters costs
# linear, not quadratic, time: each start position tries at most 64 lengths
_PAIR = re.compile(r"\b([A-Za-z][\w./-]{0,64}?)\b\s*[=:]?\s+(" + _NUM + r")(?![\w.])|\b([A-Za-z][\w./-]{0,64})\s*[=:]\s*(" + _NUM + r")(?![\w.])")
_KNOWN = {"loss", "eval_loss", "lr", "grad_norm"}


def parse(path: str, text: str) -> Trace:
    """Parse a text log.

    Raises:
        InputError: no recognized metric line.
    """
    merger = RowMerger()
    meta: dict[str, Any] = {"format": "text"}
    hf_row = -1
    units: set[str] = set()
    for lineno, raw in enumerate(text.splitlines(), 1):
        for line in raw.split("\r"):
            m = _HF_DICT.search(line)
            if m:
                row = {k: v for k, v in _HF_PAIR.findall(m.group(0))}
                values = split_metrics(row)
                if not values:
                    continue
                if "train_runtime" in row:
                    meta["summary"] = values
                    continue
                is_eval = any(k.startswith("eval_") for k in row)
                if not is_eval or hf_row < 0:
                    hf_row += 1
                step = int(float(row["step"])) if "step" in row else hf_row
                merger.add(step, values, lineno)
                units.add("log-row" if "step" not in row else "step")
                continue
            m = _NANO_ITER.search(line)
            if m:
                merger.add(int(m.group(1)), {"loss": float(m.group(2))}, lineno)
                units.add("step")
                continue
            m = _NANO_STEP.search(line)
            if m:
                merger.add(int(m.group(1)), {"loss": float(m.group(2)), "eval_loss": float(m.group(3))}, lineno,
                           keep_first=("loss",))
                units.add("step")
                continue
            _generic(line, lineno, merger, units)
    if not len(merger):
        raise InputError(path, "no training metrics recognized in this log (expected HF Trainer dicts, nanoGPT "
                               "'iter N: loss X' lines, or 'step N ... loss X' lines); use --format-in")
    if units == {"log-row"}:
        meta["step_unit"] = "log-row"
    elif units == {"epoch"}:
        meta["step_unit"] = "epoch"
        meta["steps_per_epoch"] = 1
    return merger.trace(meta)


def _generic(line: str, lineno: int, merger: RowMerger, units: set[str]) -> None:
    m = _STEP.search(line)
    unit = "step"
    if not m:
        m = _EPOCH.search(line)
        unit = "epoch"
    if not m:
        return
    row = {}
    for a, av, b, bv in _PAIR.findall(line[m.end():]):
        key, val = (a, av) if a else (b, bv)
        row[key.lower().replace(" ", "_")] = val
    # "val loss 0.5" / "train loss 0.4" written with a space
    for prefix, canon in (("val", "eval_loss"), ("valid", "eval_loss"), ("eval", "eval_loss"), ("train", "loss")):
        mm = re.search(r"\b" + prefix + r"[ _]loss\s*[=:]?\s*(" + _NUM + ")", line, re.I)
        if mm:
            row[canon] = mm.group(1)
    values = split_metrics(row)
    values = {k: v for k, v in values.items() if k in _KNOWN or k in ("epoch",)}
    if not values.keys() & _KNOWN:
        return
    merger.add(int(m.group(1)), values, lineno, keep_first=("loss",))
    units.add(unit)
