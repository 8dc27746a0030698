"""The position-carrying tree of one config file (a *Document*).

Every loader (YAML, JSON, TOML, Python via ``ast``, shell scripts via ``shlex``)
produces the same shape so that dialects never care about the file format:

* a :class:`Node` per value, with its 1-based ``line``/``column`` (and the
  position of the key that introduced it, when there is one);
* mappings hold ``dict[str, Node]``, sequences ``list[Node]``, scalars the Python
  value **as the file's own loader would produce it** (e.g. PyYAML's YAML 1.1
  resolver keeps ``1e-4`` as ``str``); ``alt`` carries the value a YAML 1.2 /
  OmegaConf / literal-eval loader would produce instead, when the two differ;
* :class:`LoadIssue` entries for pitfalls seen while loading (duplicate keys,
  YAML 1.1 strings and booleans, unresolvable Python expressions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

#: Marker for a value the loader could not resolve without executing code
#: (a Python call such as ``int(1e9)``, a shell ``$VAR``, HF's ``"auto"``).
UNRESOLVED = object()


@dataclass(eq=False)
class Node:
    """One value of a config file with its source position.

    Attributes:
        value: ``dict[str, Node]`` for a mapping, ``list[Node]`` for a sequence,
            a Python scalar (``str``/``int``/``float``/``bool``/``None``) otherwise,
            or :data:`UNRESOLVED`.
        line, column: 1-based position of the value's first character.
        key_line, key_column: 1-based position of the mapping key that holds this
            value (``None`` for the root and for sequence items).
        end_line, end_column: 1-based position just past the value, when known.
        raw: the source text of a scalar (``"1e-4"``, ``"5 * 8"``), when known.
        alt: the value a YAML 1.2-style loader (OmegaConf, jsonargparse, ruamel,
            yacs' ``literal_eval``) would give when it differs from ``value``;
            ``None`` when they agree.
        tag: a non-standard YAML tag (``!new:torch.optim.Adam``), else ``None``.
        path: the file this node was read from (nodes merged from ``_base_``
            files keep their own file).
    """

    value: Any
    line: int = 1
    column: int = 1
    key_line: int | None = None
    key_column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    raw: str | None = None
    alt: Any = None
    tag: str | None = None
    path: str | None = None

    # -- shape helpers -----------------------------------------------------
    @property
    def is_mapping(self) -> bool:
        """True when the node holds a ``dict[str, Node]``."""
        return isinstance(self.value, dict)

    @property
    def is_sequence(self) -> bool:
        """True when the node holds a ``list[Node]``."""
        return isinstance(self.value, list)

    @property
    def is_scalar(self) -> bool:
        """True for every node that is neither a mapping nor a sequence."""
        return not isinstance(self.value, (dict, list))

    @property
    def anchor(self) -> tuple[int, int]:
        """Where a finding about this value should point: the key if any, else the value."""
        if self.key_line is not None:
            return self.key_line, self.key_column or 1
        return self.line, self.column

    def get(self, key: str) -> "Node | None":
        """The child under ``key`` of a mapping node (``None`` if absent or not a mapping)."""
        if isinstance(self.value, dict):
            return self.value.get(key)
        return None

    def find(self, dotted: str) -> "Node | None":
        """Follow a dotted key path (``"optimizer.init_args.lr"``; ``"a.0.b"`` indexes lists)."""
        node: Node | None = self
        for part in dotted.split("."):
            if node is None:
                return None
            if isinstance(node.value, dict):
                node = node.value.get(part)
            elif isinstance(node.value, list) and part.lstrip("-").isdigit():
                idx = int(part)
                node = node.value[idx] if -len(node.value) <= idx < len(node.value) else None
            else:
                return None
        return node

    def plain(self) -> Any:
        """The node as plain Python data (dicts, lists, scalars), positions dropped."""
        return to_plain(self)

    def walk(self, prefix: str = "") -> Iterator[tuple[str, "Node"]]:
        """Yield ``(dotted_path, node)`` for this node and every descendant, depth first."""
        yield prefix, self
        if isinstance(self.value, dict):
            for k, child in self.value.items():
                yield from child.walk(f"{prefix}.{k}" if prefix else str(k))
        elif isinstance(self.value, list):
            for i, child in enumerate(self.value):
                yield from child.walk(f"{prefix}.{i}" if prefix else str(i))


def to_plain(node: Node) -> Any:
    """Convert a :class:`Node` tree to plain Python data (iteratively safe for normal depths)."""
    v = node.value
    if isinstance(v, dict):
        return {k: to_plain(c) for k, c in v.items()}
    if isinstance(v, list):
        return [to_plain(c) for c in v]
    if v is UNRESOLVED:
        return None
    return v


@dataclass(frozen=True)
class LoadIssue:
    """A pitfall noticed while loading, reported later by a rule.

    Attributes:
        kind: ``"duplicate-key"``, ``"yaml11-float-string"``, ``"yaml11-bool"``,
            ``"unresolved-expression"`` or ``"custom-tag"``.
        key_path: dotted key path of the affected value.
        line, column: 1-based position (for duplicates: of the *second* key).
        detail: human-readable specifics (the raw text, the first occurrence ...).
        path: file the issue was seen in.
    """

    kind: str
    key_path: str
    line: int
    column: int
    detail: str = ""
    path: str = ""


@dataclass
class Document:
    """One loaded config file.

    Attributes:
        path: the file path as given on the command line (used in reports).
        fmt: ``"yaml"``, ``"json"``, ``"toml"``, ``"python"`` or ``"shell"``.
        root: the root :class:`Node` (a mapping for every format we lint).
        issues: load pitfalls in file order.
        text: the decoded source text (for suppression comments and dialect hints).
        meta: format-specific extras, e.g. ``{"commands": ["llamafactory-cli train"]}``
            for shell scripts or ``{"imports": [...]}`` for Python configs.
    """

    path: str
    fmt: str
    root: Node
    issues: list[LoadIssue] = field(default_factory=list)
    text: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def find(self, dotted: str) -> Node | None:
        """Shortcut for ``self.root.find(dotted)``."""
        return self.root.find(dotted)

    def keys(self) -> set[str]:
        """Top-level keys of the root mapping (empty when the root is not a mapping)."""
        return set(self.root.value) if isinstance(self.root.value, dict) else set()


class InputError(Exception):
    """A file that cannot be linted: unreadable, malformed, hostile or too large.

    Reported as ``path:line:col: message`` in the ``errors`` list and exit code 2;
    never as a traceback.
    """

    def __init__(self, path: str, message: str, line: int = 1, column: int = 1):
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path = path
        self.message = message
        self.line = max(1, int(line or 1))
        self.column = max(1, int(column or 1))

    def __reduce__(self):  # picklable across ``--jobs`` worker processes
        return (InputError, (self.path, self.message, self.line, self.column))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of an entry in ``errors`` (design.md contract)."""
        return {"path": self.path, "line": self.line, "column": self.column, "message": self.message}


class RootNotMapping(InputError):
    """A file that loaded, but whose root is ``kind`` (``"a list"``) instead of a mapping.

    No framework's training config has such a root; ``stablint lint`` skips the file
    (:mod:`stablint.linter.filekinds`) while loading it for a rule that needs a config
    still reports the error.
    """

    def __init__(self, path: str, kind: str, line: int = 1, column: int = 1):
        super().__init__(path, f"the root of a training config must be a mapping, not {kind}", line, column)
        self.kind = kind

    def __reduce__(self):  # picklable across ``--jobs`` worker processes
        return (RootNotMapping, (self.path, self.kind, self.line, self.column))

