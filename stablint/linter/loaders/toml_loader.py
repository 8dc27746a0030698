"""TOML → :class:`Document`, values from :mod:`tomllib`, positions from a line scan.

``tomllib`` (the stdlib TOML 1.0 parser torchtitan used, torchtitan
``config/manager.py``) gives the values but no positions; a light scan of the
text maps every ``[table]`` header and ``key = value`` line to its dotted path.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from ..document import Document, InputError, Node

# the name cannot start or end in whitespace, so `\s*` and the name never compete for the same
# characters: linear time on any line (the old `\s*([^\]]+?)\s*\]` was cubic on "[" + spaces)
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]\s](?:[^\]]*[^\]\s])?)\s*\]\]?\s*(?:#.*)?$")
_KEYLINE = re.compile(r"^(\s*)((?:[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*'))*)\s*=")


from .json_loader import MAX_DEPTH  # noqa: E402 - one nesting limit for JSON and TOML


def _split_key(key: str) -> list[str]:
    parts = re.findall(r"\"[^\"]*\"|'[^']*'|[A-Za-z0-9_\-]+", key)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def _positions(text: str) -> dict[str, tuple[int, int]]:
    pos: dict[str, tuple[int, int]] = {}
    table: list[str] = []
    array_counts: dict[str, int] = {}
    in_multiline: str | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        m = _HEADER.match(line)
        if m:
            parts = _split_key(m.group(2))
            name = ".".join(parts)
            if m.group(1) == "[[":
                idx = array_counts.get(name, -1) + 1
                array_counts[name] = idx
                parts = parts + [str(idx)]
            table = parts
            pos.setdefault(".".join(table), (lineno, line.index("[") + 1))
            continue
        m = _KEYLINE.match(line)
        if m:
            dotted = ".".join(table + _split_key(m.group(2)))
            pos.setdefault(dotted, (lineno, len(m.group(1)) + 1))
            rest = line[m.end():]
            for q in ('"""', "'''"):
                if rest.count(q) % 2 == 1:
                    in_multiline = q
    return pos


def _build(value: Any, path: str, dotted: str, pos: dict[str, tuple[int, int]], parent: tuple[int, int],
           depth: int = 0) -> Node:
    here = pos.get(dotted, parent)
    if depth > MAX_DEPTH:  # `a.a.a...= 1` nests one table per dot; the dotted names grow quadratically
        raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels", *here)
    node = Node(value=None, line=here[0], column=here[1], path=path)
    if dotted in pos:
        node.key_line, node.key_column = here
    if isinstance(value, dict):
        node.value = {str(k): _build(v, path, f"{dotted}.{k}" if dotted else str(k), pos, here, depth + 1) for k, v in value.items()}
    elif isinstance(value, list):
        node.value = [_build(v, path, f"{dotted}.{i}" if dotted else str(i), pos, here, depth + 1) for i, v in enumerate(value)]
    elif isinstance(value, (str, int, float, bool)):
        node.value = value
    else:  # dates and times
        node.value = str(value)
    return node


def _check_key_depth(path: str, text: str) -> None:
    """Refuse dotted keys and table names deeper than ``MAX_DEPTH`` before :mod:`tomllib` sees them
    (its time is quadratic in the number of dots of one key: 20,000 took 4 s).

    Raises:
        InputError: at the line of the first such key.
    """
    if text.count(".") <= MAX_DEPTH:
        return
    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.count(".") <= MAX_DEPTH:
            continue
        m = _HEADER.match(line) or _KEYLINE.match(line)
        if m and m.group(2).count(".") > MAX_DEPTH:
            raise InputError(path, f"nesting deeper than {MAX_DEPTH} levels (dotted key)", lineno, 1)


def load_toml(path: str, text: str) -> Document:
    """Load TOML text into a :class:`Document`.

    Raises:
        InputError: invalid TOML, with the line/column ``tomllib`` reports; keys nested deeper
            than ``MAX_DEPTH``.
    """
    _check_key_depth(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        detail = re.sub(r" ?\(at .*\)$", "", msg)
        raise InputError(path, f"invalid TOML: {detail}", line, col) from None
    except RecursionError:
        raise InputError(path, "nesting too deep") from None
    root = _build(data, path, "", _positions(text), (1, 1))
    root.key_line = root.key_column = None
    return Document(path=path, fmt="toml", root=root, text=text)
