"""JSON → :class:`Document` with a line/column for every key and value.

The standard :mod:`json` module validates the text and gives the error position;
a small scanner then walks the (now known to be valid) text to attach positions,
reusing :func:`json.decoder.scanstring` and the stdlib number pattern so values
are exactly what ``json.load`` (DeepSpeed, PEFT, HF) produces.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner

from ..document import Document, InputError, LoadIssue, Node

#: Nesting deeper than this is rejected instead of recursed into.
MAX_DEPTH = 400

_WS = " \t\n\r"
_NUMBER = json.scanner.NUMBER_RE
_CONSTS = {"true": True, "false": False, "null": None, "NaN": float("nan"),
           "Infinity": float("inf"), "-Infinity": float("-inf")}


class _Scanner:
    def __init__(self, path: str, text: str):
        self.path, self.s = path, text
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        self.issues: list[LoadIssue] = []

    def pos(self, idx: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, idx)
        return line, idx - self.starts[line - 1] + 1

    def ws(self, i: int) -> int:
        s = self.s
        while i < len(s) and s[i] in _WS:
            i += 1
        return i

    def value(self, i: int, key_path: str, depth: int) -> tuple[Node, int]:
        if depth > MAX_DEPTH:
            line, col = self.pos(i)
            raise InputError(self.path, f"nesting deeper than {MAX_DEPTH} levels", line, col)
        s = self.s
        i = self.ws(i)
        line, col = self.pos(i)
        node = Node(value=None, line=line, column=col, path=self.path)
        ch = s[i]
        if ch == "{":
            out: dict[str, Node] = {}
            first: dict[str, int] = {}
            i = self.ws(i + 1)
            if s[i] == "}":
                i += 1
            else:
                while True:
                    i = self.ws(i)
                    kline, kcol = self.pos(i)
                    key, i = json.decoder.scanstring(s, i + 1)
                    i = self.ws(i)
                    assert s[i] == ":"
                    child_path = f"{key_path}.{key}" if key_path else key
                    child, i = self.value(i + 1, child_path, depth + 1)
                    child.key_line, child.key_column = kline, kcol
                    if key in out:
                        self.issues.append(LoadIssue("duplicate-key", child_path, kline, kcol,
                                                     f"first defined on line {first[key]}", self.path))
                        del out[key]
                    first[key] = kline
                    out[key] = child
                    i = self.ws(i)
                    if s[i] == ",":
                        i += 1
                        continue
                    i += 1  # "}"
                    break
            node.value = out
        elif ch == "[":
            items: list[Node] = []
            i = self.ws(i + 1)
            if s[i] == "]":
                i += 1
            else:
                while True:
                    child, i = self.value(i, f"{key_path}.{len(items)}" if key_path else str(len(items)), depth + 1)
                    items.append(child)
                    i = self.ws(i)
                    if s[i] == ",":
                        i += 1
                        continue
                    i += 1  # "]"
                    break
            node.value = items
        elif ch == '"':
            node.value, j = json.decoder.scanstring(s, i + 1)
            node.raw = s[i:j]
            i = j
        else:
            m = _NUMBER.match(s, i)
            if m and m.end() > i:
                integer, frac, exp = m.groups()
                node.value = float(integer + (frac or "") + (exp or "")) if (frac or exp) else int(integer)
                node.raw = m.group(0)
                i = m.end()
            else:
                for word, val in _CONSTS.items():
                    if s.startswith(word, i):
                        node.value, node.raw = val, word
                        i += len(word)
                        break
        node.end_line, node.end_column = self.pos(i)
        return node, i


def load_json(path: str, text: str) -> Document:
    """Load JSON text into a :class:`Document`.

    Raises:
        InputError: invalid JSON (position from :class:`json.JSONDecodeError`),
            nesting deeper than :data:`MAX_DEPTH`.
    """
    if not text.strip():
        return Document(path=path, fmt="json", root=Node(value={}, path=path), text=text)
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise InputError(path, f"nesting too deep (limit {MAX_DEPTH} levels)") from None
    scanner = _Scanner(path, text)
    try:
        root, _ = scanner.value(0, "", 0)
    except RecursionError:
        raise InputError(path, f"nesting too deep (limit {MAX_DEPTH} levels)") from None
    return Document(path=path, fmt="json", root=root, issues=scanner.issues, text=text)
