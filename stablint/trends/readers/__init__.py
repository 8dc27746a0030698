"""Log readers: one module per format, each turning a log into a :class:`~stablint.trends.trace.Trace`.

``read_log(path, fmt=None)`` detects the format (``fmt`` overrides, the CLI's
``--format-in``). Formats (:data:`FORMATS`): ``hf`` (``trainer_state.json``),
``csv`` (Lightning ``metrics.csv``), ``tensorboard`` (event file or run
directory), ``jsonl`` (stablint trace, mmengine, W&B), ``text`` (stdout logs).
Every reader sets ``trace.meta["format"]`` and ``trace.meta["record_lines"]``
(1-based line of each record, 0 when unknown) and raises
:class:`~stablint.linter.document.InputError` for malformed input; logs are
parsed, never executed.
"""

from __future__ import annotations

import os
from importlib import import_module

from ...linter.document import InputError
from ..trace import Trace

#: ``--format-in`` name → reader module in this package.
FORMATS: dict[str, str] = {
    "hf": "hf_state",
    "csv": "lightning_csv",
    "tensorboard": "tensorboard",
    "jsonl": "jsonl",
    "text": "text",
}
#: Largest log read (bytes); a 100,000-entry trainer_state.json is ~15 MB.
MAX_BYTES = 512 * 1024 * 1024


def detect_format(path: str, head: bytes | None = None) -> str:
    """Guess the format from the name and the first bytes.

    Raises:
        InputError: the path does not exist.
    """
    if os.path.isdir(path):
        from .tensorboard import event_files

        if event_files(path):
            return "tensorboard"
        raise InputError(path, "directory holds no TensorBoard event files; pass the log file itself")
    if not os.path.exists(path):
        raise InputError(path, "no such file or directory")
    base = os.path.basename(path).lower()
    if "tfevents" in base:
        return "tensorboard"
    if head is None:
        try:
            with open(path, "rb") as fh:
                head = fh.read(4096)
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
    if b"\x00" in head[:64]:
        return "tensorboard"
    ext = os.path.splitext(base)[1]
    if ext == ".csv":
        return "csv"
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    first = text.split("\n", 1)[0].strip()
    if b"log_history" in head or text.startswith("["):
        return "hf"
    if "," in first and not first.startswith("{") and {h.strip().lower() for h in first.split(",")} & {"step", "epoch"}:
        return "csv"
    if first.startswith("{'"):
        return "text"  # HF Trainer's printed dicts
    if first.startswith("{") and first.endswith("}"):
        return "jsonl"
    if ext == ".json" or first == "{":
        return "hf"
    return "text"


def read_log(path: str, fmt: str | None = None, max_bytes: int = MAX_BYTES) -> Trace:
    """Read a training log into a Trace.

    Args:
        path: a log file, or a TensorBoard run directory.
        fmt: one of :data:`FORMATS` (``None`` = detect).
        max_bytes: refuse larger files.

    Raises:
        InputError: missing, unreadable, too large, not UTF-8, or malformed (with line/column when known).
        KeyError: unknown ``fmt``.
    """
    fmt = fmt or detect_format(path)
    module = import_module(f"{__name__}.{FORMATS[fmt]}")
    if fmt == "tensorboard":
        trace = module.parse_files(path, module.event_files(path), max_bytes)
    else:
        try:
            if os.path.isdir(path):
                raise InputError(path, "is a directory")
            if os.path.getsize(path) > max_bytes:
                raise InputError(path, f"log larger than {max_bytes} bytes")
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise InputError(path, f"not UTF-8 text (byte {exc.start}); is this a binary file? try --format-in",
                             line) from None
        trace = module.parse(path, text)
    trace.meta.setdefault("source", path)
    trace.meta["format_in"] = fmt
    return trace


__all__ = ["FORMATS", "InputError", "detect_format", "read_log"]
