"""Read a file from disk into a :class:`~stablint.linter.document.Document`.

:func:`load_path` is the single entry point: it enforces the size limit,
rejects binary and non-UTF-8 content and unresolved git merge-conflict
markers with a position, then dispatches on the file format.
"""

from __future__ import annotations

import os
import re

from ..document import Document, InputError, RootNotMapping

#: Default size limit in bytes (``--max-file-size`` raises it). Real training
#: configs are a few KiB; the largest in the corpus is under 40 KiB.
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

#: File extensions → format name.
EXTENSIONS = {
    ".yaml": "yaml", ".yml": "yaml",
    ".json": "json",
    ".toml": "toml",
    ".py": "python",
    ".sh": "shell", ".bash": "shell",
}

_CONFLICT = re.compile(r"^(<{7}|>{7})(?: |$)", re.M)


def format_of(path: str, head: str = "") -> str:
    """The format of ``path`` from its extension, else sniffed from its first characters."""
    ext = os.path.splitext(path)[1].lower()
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    stripped = head.lstrip()
    if stripped.startswith("#!") and ("sh" in stripped.split("\n", 1)[0]):
        return "shell"
    if stripped.startswith(("{", "[")):
        return "json"
    return "yaml"


def decode(path: str, data: bytes) -> str:
    """Decode bytes as UTF-8 (BOM allowed).

    Raises:
        InputError: NUL bytes (binary file) or invalid UTF-8, at the offending position.
    """
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        col = nul - (data.rfind(b"\n", 0, nul) + 1) + 1
        raise InputError(path, "binary file (NUL byte): not a text config", line, col)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", line, col) from None


def load_text(path: str, text: str, fmt: str | None = None) -> Document:
    """Load already-decoded text; ``fmt`` overrides the extension-based format.

    Raises:
        InputError: merge-conflict markers or any loader error.
    """
    m = _CONFLICT.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise InputError(path, "unresolved git merge-conflict marker", line, 1)
    fmt = fmt or format_of(path, text[:200])
    if fmt == "yaml":
        from .yaml_loader import load_yaml
        return load_yaml(path, text)
    if fmt == "json":
        from .json_loader import load_json
        return load_json(path, text)
    if fmt == "toml":
        from .toml_loader import load_toml
        return load_toml(path, text)
    if fmt == "python":
        from .python_loader import load_python
        return load_python(path, text)
    if fmt == "shell":
        from .shell_loader import load_shell
        return load_shell(path, text)
    raise InputError(path, f"unsupported format {fmt!r}")


def load_path(path: str, max_bytes: int = DEFAULT_MAX_BYTES, fmt: str | None = None) -> Document:
    """Read, check and load one file.

    Args:
        path: file to read.
        max_bytes: files larger than this are refused (not read).
        fmt: force a format (``yaml``/``json``/``toml``/``python``/``shell``).

    Raises:
        InputError: missing/unreadable file, too large, binary, not UTF-8, malformed.
    """
    try:
        size = os.path.getsize(path)
        if size > max_bytes:
            raise InputError(path, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit (raise it with --max-file-size)")
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except InputError:
        raise
    except OSError as exc:
        raise InputError(path, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(path, f"file is over the {max_bytes:,}-byte limit (raise it with --max-file-size)")
    text = decode(path, data)
    doc = load_text(path, text, fmt)
    if not isinstance(doc.root.value, dict):
        kind = "a list" if isinstance(doc.root.value, list) else f"a {type(doc.root.value).__name__}"
        raise RootNotMapping(path, kind, doc.root.line, doc.root.column)
    return doc
