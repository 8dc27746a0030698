"""YAML → :class:`~stablint.linter.document.Document`, with positions, never executing anything.

We *compose* the file with PyYAML's safe loader (the C ``CSafeLoader`` when
libyaml is present) and build our own :class:`Node` tree from the composed graph,
so that every key and value keeps its line and column. Scalars are resolved with
PyYAML's YAML 1.1 resolver, exactly as ``yaml.safe_load`` (used by HF
``parse_yaml_file``, axolotl, ultralytics, fvcore) would resolve them, and we
record the two YAML 1.1 surprises (research/dialects.md §1):

* ``1e-4``/``5e-05``/``1.0e5`` stay **strings** (the float regex needs a dot and a
  signed exponent: pyyaml ``lib/yaml/resolver.py:178-184``); ``Node.alt`` holds the
  float a YAML 1.2/OmegaConf loader would produce;
* ``yes``/``no``/``on``/``off`` become booleans; ``Node.alt`` holds the string.

Duplicate keys are recorded (the last one wins, as in PyYAML). Merge keys
(``<<: *DEFAULT``) are flattened. A value tagged ``!!python/...`` is **never
constructed**: it becomes :data:`~stablint.linter.document.UNRESOLVED` with its source text
as ``raw`` (an ``"unresolved-expression"`` issue) and the rest of the file is linted, since
some frameworks load such files on purpose (detectron2 ``CfgNode.load_yaml_with_base`` →
fvcore ``yaml.unsafe_load``, e.g. ``SIZES: !!python/object/apply:eval ["[[32, ...]]"]``);
other application tags (HyperPyYAML's ``!new:``, ``!ref``) are kept as plain values with
the tag noted. Alias expansion is bounded
(:data:`MAX_NODES`) so a "billion laughs" file fails fast.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..document import UNRESOLVED, Document, InputError, LoadIssue, Node

try:  # libyaml is an order of magnitude faster at composing
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python fallback
    _Loader = yaml.SafeLoader

#: Upper bound on the number of nodes after alias expansion (billion-laughs guard).
MAX_NODES = 1_000_000
#: Upper bound on nesting depth; deeper documents are rejected, not recursed into.
MAX_DEPTH = 400

_YAML12_FLOAT = re.compile(r"^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$")
_BOOL11 = re.compile(r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N)$")
#: libyaml's own depth error ("exceeded maximum nesting depth", libyaml 0.2.6 scanner.c)
_LIBYAML_DEPTH = re.compile(r"nesting depth", re.IGNORECASE)
_STD_PREFIX = "tag:yaml.org,2002:"
#: longest source text kept as ``raw`` of a value that is not constructed
RAW_LIMIT = 200
_STR_TAG = _STD_PREFIX + "str"

_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()


class _Frame:
    """An open mapping or sequence while events stream in."""

    __slots__ = ("node", "kind", "items", "pending", "key_path", "merges", "size", "first_seen", "anchor")

    def __init__(self, node: Node, kind: str, key_path: str, anchor: str | None):
        self.node, self.kind, self.key_path, self.anchor = node, kind, key_path, anchor
        self.items: Any = {} if kind == "map" else []
        self.pending: tuple[str, Any] | None = None  # (key text, key mark) awaiting its value
        self.merges: list[Node] = []
        self.size = 1
        self.first_seen: dict[str, int] = {}


class _Builder:
    """Builds a :class:`Node` tree from PyYAML's *event* stream, iteratively.

    Composing with an explicit stack (instead of PyYAML's recursive composer, whose
    libyaml version segfaults around 100,000 nesting levels) rejects depth beyond
    :data:`MAX_DEPTH` as soon as it is reached, and counts the expanded size of
    aliases so a billion-laughs file stops at :data:`MAX_NODES` without expanding it.
    """

    def __init__(self, path: str, text: str = ""):
        self.path, self.text = path, text
        self.issues: list[LoadIssue] = []
        self.anchors: dict[str, tuple[Node, int]] = {}
        self.total = 0
        self.root: Node | None = None

    # -- small helpers ---------------------------------------------------------
    def _grow(self, amount: int, mark) -> None:
        self.total += amount
        if self.total > MAX_NODES:
            raise InputError(self.path, f"document has more than {MAX_NODES:,} values after alias expansion (alias bomb or not a config)",
                             mark.line + 1, mark.column + 1)

    @staticmethod
    def _unsafe(ev) -> bool:
        """Whether ``ev`` carries a Python tag (``!!python/object/apply:...``, ``!!python/name:...``)."""
        tag = getattr(ev, "tag", None) or ""
        return tag.startswith(_STD_PREFIX + "python/") or tag.startswith("!!python") or "python/" in tag[:40]

    def _unresolved(self, ev, node: Node, key_path: str, events) -> None:
        """A Python-tagged value: skip it without constructing anything, keep its text.

        For a collection, the events up to its end are consumed (never composed), so
        nothing inside it is built either; its anchor, if any, names the unresolved node.
        """
        start, end = ev.start_mark, ev.end_mark
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            end = self._skip_subtree(events) or end
        text = self.text[start.index:end.index] if self.text and end.index > start.index else f"{ev.tag} ..."
        node.value, node.raw, node.tag = UNRESOLVED, text[:RAW_LIMIT], None
        node.end_line, node.end_column = end.line + 1, end.column + 1
        self.issues.append(LoadIssue("unresolved-expression", key_path, node.line, node.column,
                                     f"{ev.tag} value not constructed (stablint never builds Python objects)",
                                     self.path))

    def _new(self, ev) -> Node:
        sm, em = ev.start_mark, ev.end_mark
        tag = ev.tag or ""
        node = Node(value=None, line=sm.line + 1, column=sm.column + 1, end_line=em.line + 1,
                    end_column=em.column + 1, path=self.path)
        if tag and not tag.startswith(_STD_PREFIX) and tag != "!":
            node.tag = tag
        return node

    @staticmethod
    def _std_tag(ev) -> str:
        """The standard tag PyYAML's composer would give a scalar event."""
        if ev.tag and ev.tag != "!" and ev.tag.startswith(_STD_PREFIX):
            return ev.tag
        if ev.tag == "!":
            return _STD_PREFIX + "str"
        return _resolver.resolve(yaml.ScalarNode, ev.value, ev.implicit)

    def _construct(self, tag: str, ev):
        """The Python value ``yaml.safe_load`` gives a scalar with ``tag`` (strings skip the constructor)."""
        if tag == _STR_TAG:
            return ev.value
        return _constructor.construct_object(yaml.ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark, ev.style), deep=True)

    def _scalar(self, ev, node: Node, key_path: str) -> None:
        try:
            value = self._construct(self._std_tag(ev), ev)
        except yaml.YAMLError as exc:  # e.g. a malformed !!timestamp or !!int
            raise InputError(self.path, f"bad scalar: {str(exc).splitlines()[0]}", node.line, node.column) from None
        if not isinstance(value, (str, int, float, bool, type(None))):
            value = str(ev.value)  # timestamps, binary: keep the text
        node.value, node.raw = value, ev.value
        plain = not ev.style  # None (pure-Python parser) or "" (libyaml)
        if plain and isinstance(value, str) and _YAML12_FLOAT.match(ev.value):
            node.alt = float(ev.value.replace("_", ""))
            self.issues.append(LoadIssue("yaml11-float-string", key_path, node.line, node.column, ev.value, self.path))
        elif plain and isinstance(value, bool) and _BOOL11.match(ev.value):
            node.alt = ev.value
            self.issues.append(LoadIssue("yaml11-bool", key_path, node.line, node.column, ev.value, self.path))
        if node.tag:
            self.issues.append(LoadIssue("custom-tag", key_path, node.line, node.column, node.tag, self.path))

    def _key(self, ev, frame: _Frame) -> str:
        tag = self._std_tag(ev)
        if tag == _STD_PREFIX + "merge":
            return "<<"
        try:
            kval = self._construct(tag, ev)
        except yaml.YAMLError:
            kval = ev.value
        if isinstance(kval, bool) or kval is None:
            if isinstance(kval, bool) and _BOOL11.match(ev.value or "") and not ev.style:
                path = f"{frame.key_path}.{ev.value}" if frame.key_path else ev.value
                self.issues.append(LoadIssue("yaml11-bool", path, ev.start_mark.line + 1, ev.start_mark.column + 1,
                                             f"key {ev.value!r} loads as a boolean", self.path))
            return ev.value
        return str(kval)

    def _child_path(self, frame: _Frame | None, key: str | None) -> str:
        if frame is None:
            return ""
        part = key if frame.kind == "map" else str(len(frame.items))
        return f"{frame.key_path}.{part}" if frame.key_path else str(part)

    def _complete(self, stack: list[_Frame], node: Node, size: int, anchor: str | None, fresh: bool) -> None:
        """A value is finished: register its anchor and attach it to its parent (or make it the root)."""
        if anchor:
            self.anchors[anchor] = (node, size)
        if not stack:
            self.root = node
            return
        parent = stack[-1]
        parent.size += size
        if parent.kind == "seq":
            parent.items.append(node)
            return
        key, mark = parent.pending
        parent.pending = None
        if key in parent.items:
            self.issues.append(LoadIssue("duplicate-key", self._child_path(parent, key), mark.line + 1,
                                         mark.column + 1, f"first defined on line {parent.first_seen[key]}", self.path))
            del parent.items[key]  # keep file order of the winning key
        parent.first_seen[key] = mark.line + 1
        if fresh:
            node.key_line, node.key_column = mark.line + 1, mark.column + 1
        parent.items[key] = node

    @staticmethod
    def _skip_subtree(events):
        """Consume the events of an open collection up to its end; return the end mark (``None`` at EOF)."""
        depth = 1
        for sub in events:
            if isinstance(sub, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
            elif isinstance(sub, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
                if depth == 0:
                    return sub.end_mark
        return None

    # -- the loop ----------------------------------------------------------------
    def build(self, events) -> Node | None:
        """Consume events of the first document; return its root node (``None`` if empty)."""
        stack: list[_Frame] = []
        for ev in events:
            if isinstance(ev, (yaml.StreamStartEvent, yaml.DocumentStartEvent)):
                continue
            if isinstance(ev, (yaml.DocumentEndEvent, yaml.StreamEndEvent)):
                break
            top = stack[-1] if stack else None
            if top is not None and top.kind == "map" and top.pending is None and not isinstance(ev, yaml.MappingEndEvent):
                if isinstance(ev, yaml.ScalarEvent):
                    top.pending = (self._key(ev, top), ev.start_mark)
                else:  # alias or collection used as a key: not a training config construct
                    top.pending = (f"<complex key line {ev.start_mark.line + 1}>", ev.start_mark)
                    if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                        self._skip_subtree(events)
                continue
            merging = top is not None and top.kind == "map" and top.pending is not None and top.pending[0] == "<<"
            if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = stack.pop()
                frame.node.end_line, frame.node.end_column = ev.end_mark.line + 1, ev.end_mark.column + 1
                if frame.merges:  # explicit keys win; earlier merge sources win over later ones
                    merged: dict[str, Node] = {}
                    for src in reversed(frame.merges):
                        if isinstance(src.value, dict):
                            merged.update(src.value)
                    merged.update(frame.items)
                    frame.items = merged
                frame.node.value = frame.items
                self._complete(stack, frame.node, frame.size, frame.anchor, fresh=True)
            elif isinstance(ev, yaml.AliasEvent):
                if ev.anchor not in self.anchors:
                    raise InputError(self.path, f"unknown alias *{ev.anchor}", ev.start_mark.line + 1, ev.start_mark.column + 1)
                target, size = self.anchors[ev.anchor]
                self._grow(size, ev.start_mark)
                if merging:
                    top.merges.append(target)
                    top.size += size
                    top.pending = None
                else:
                    self._complete(stack, target, size, None, fresh=False)
            elif merging and isinstance(ev, yaml.SequenceStartEvent):  # "<<: [*a, *b]"
                for sub in events:
                    if isinstance(sub, yaml.SequenceEndEvent):
                        break
                    if isinstance(sub, yaml.AliasEvent) and sub.anchor in self.anchors:
                        target, size = self.anchors[sub.anchor]
                        self._grow(size, sub.start_mark)
                        top.merges.append(target)
                        top.size += size
                top.pending = None
            elif self._unsafe(ev):
                node = self._new(ev)
                self._grow(1, ev.start_mark)
                self._unresolved(ev, node, self._child_path(top, top.pending[0] if top and top.pending else None),
                                 events)
                self._complete(stack, node, 1, ev.anchor, fresh=True)
            elif isinstance(ev, yaml.ScalarEvent):
                node = self._new(ev)
                self._grow(1, ev.start_mark)
                self._scalar(ev, node, self._child_path(top, top.pending[0] if top and top.pending else None))
                self._complete(stack, node, 1, ev.anchor, fresh=True)
            else:  # MappingStartEvent / SequenceStartEvent
                if len(stack) >= MAX_DEPTH:
                    raise InputError(self.path, f"nesting deeper than {MAX_DEPTH} levels",
                                     ev.start_mark.line + 1, ev.start_mark.column + 1)
                node = self._new(ev)
                self._grow(1, ev.start_mark)
                kind = "map" if isinstance(ev, yaml.MappingStartEvent) else "seq"
                stack.append(_Frame(node, kind, self._child_path(top, top.pending[0] if top and top.pending else None), ev.anchor))
        return self.root


def _mark_pos(exc: yaml.YAMLError) -> tuple[int, int]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def load_yaml(path: str, text: str) -> Document:
    """Load YAML text into a :class:`Document`.

    Args:
        path: path used in positions and messages.
        text: the decoded file contents.

    Returns:
        A Document whose root is the first YAML document of the stream (later
        documents, rare in training configs, are ignored). An empty file gives an
        empty mapping.

    Raises:
        InputError: syntax errors (with the parser's line/column), alias bombs,
            excessive nesting (a ``!!python/...`` value is not an error: it is left
            unresolved, never constructed).
    """
    builder = _Builder(path, text)
    loader = _Loader(text)
    try:
        root = builder.build(_events(loader))
    except yaml.YAMLError as exc:
        line, col = _mark_pos(exc)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        if _LIBYAML_DEPTH.search(problem):
            # libyaml >= 0.2.6 has its own nesting limit (1000 levels), checked by its
            # scanner ahead of the events our builder counts: same verdict, our words.
            msg = f"nesting deeper than {MAX_DEPTH} levels"
        else:
            msg = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
        raise InputError(path, msg, line, col) from None
    finally:
        loader.dispose()
    if root is None:
        return Document(path=path, fmt="yaml", root=Node(value={}, path=path), text=text)
    return Document(path=path, fmt="yaml", root=root, issues=builder.issues, text=text)


def _events(loader):
    """PyYAML's parser events, one at a time (C parser when libyaml is present)."""
    while loader.check_event():
        yield loader.get_event()
