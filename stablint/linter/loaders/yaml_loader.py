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
(``<<: *DEFAULT``) are flattened. ``!!python/...`` tags are refused
(:class:`InputError`); other application tags (HyperPyYAML's ``!new:``, ``!ref``)
are kept as plain values with the tag noted. Alias expansion is bounded
(:data:`MAX_NODES`) so a "billion laughs" file fails fast.
"""

from __future__ import annotations

import re

import yaml

from ..document import Document, InputError, LoadIssue, Node

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
_STD_PREFIX = "tag:yaml.org,2002:"

_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()


def _resolve_scalar(node: yaml.ScalarNode):
    """Construct a scalar the way ``yaml.safe_load`` would (YAML 1.1 rules)."""
    tag = node.tag
    if tag.startswith(_STD_PREFIX):
        if tag in (_STD_PREFIX + "str", _STD_PREFIX + "int", _STD_PREFIX + "float",
                   _STD_PREFIX + "bool", _STD_PREFIX + "null", _STD_PREFIX + "timestamp",
                   _STD_PREFIX + "binary", _STD_PREFIX + "value"):
            return _constructor.construct_object(node, deep=True)
        return node.value
    # application tag on a scalar (e.g. HyperPyYAML "!ref <lr>"): re-resolve as plain
    implicit_tag = _resolver.resolve(yaml.ScalarNode, node.value, (not node.style, False))
    return _constructor.construct_object(
        yaml.ScalarNode(implicit_tag, node.value, node.start_mark, node.end_mark, node.style), deep=True
    )


def _check_tag(path: str, node: yaml.Node) -> None:
    tag = node.tag or ""
    if tag.startswith(_STD_PREFIX + "python/") or tag.startswith("!!python") or "python/" in tag[:40]:
        raise InputError(
            path,
            f"refusing unsafe YAML tag {tag!r}: stablint never constructs Python objects",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        )


class _Builder:
    """Turns a composed PyYAML node graph into a :class:`Node` tree."""

    def __init__(self, path: str):
        self.path = path
        self.issues: list[LoadIssue] = []
        self.count = 0

    def build(self, ynode: yaml.Node, key_path: str, depth: int, key_mark=None) -> Node:
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(
                self.path,
                f"document expands to more than {MAX_NODES:,} values (alias bomb?)",
                ynode.start_mark.line + 1,
                ynode.start_mark.column + 1,
            )
        if depth > MAX_DEPTH:
            raise InputError(
                self.path,
                f"nesting deeper than {MAX_DEPTH} levels",
                ynode.start_mark.line + 1,
                ynode.start_mark.column + 1,
            )
        _check_tag(self.path, ynode)
        sm, em = ynode.start_mark, ynode.end_mark
        node = Node(
            value=None,
            line=sm.line + 1,
            column=sm.column + 1,
            end_line=em.line + 1,
            end_column=em.column + 1,
            path=self.path,
        )
        if key_mark is not None:
            node.key_line, node.key_column = key_mark.line + 1, key_mark.column + 1
        tag = ynode.tag or ""
        if not tag.startswith(_STD_PREFIX) and tag not in ("", "!"):
            node.tag = tag
        if isinstance(ynode, yaml.MappingNode):
            node.value = self._mapping(ynode, key_path, depth)
        elif isinstance(ynode, yaml.SequenceNode):
            node.value = [
                self.build(item, f"{key_path}.{i}" if key_path else str(i), depth + 1)
                for i, item in enumerate(ynode.value)
            ]
        else:
            self._scalar(ynode, node, key_path)
        return node

    def _scalar(self, ynode: yaml.ScalarNode, node: Node, key_path: str) -> None:
        try:
            value = _resolve_scalar(ynode)
        except yaml.YAMLError as exc:  # e.g. a malformed !!timestamp or !!int
            raise InputError(self.path, f"bad scalar: {exc}", node.line, node.column) from None
        if not isinstance(value, (str, int, float, bool, type(None))):
            value = str(ynode.value)  # timestamps, binary: keep the text
        node.value = value
        node.raw = ynode.value
        plain = not ynode.style  # None (pure-Python composer) or "" (libyaml)
        if plain and isinstance(value, str) and _YAML12_FLOAT.match(ynode.value):
            try:
                node.alt = float(ynode.value.replace("_", ""))
            except ValueError:  # pragma: no cover - regex guarantees a float
                node.alt = None
            self.issues.append(
                LoadIssue("yaml11-float-string", key_path, node.line, node.column, ynode.value, self.path)
            )
        elif plain and isinstance(value, bool) and _BOOL11.match(ynode.value):
            node.alt = ynode.value
            self.issues.append(LoadIssue("yaml11-bool", key_path, node.line, node.column, ynode.value, self.path))
        if node.tag:
            self.issues.append(LoadIssue("custom-tag", key_path, node.line, node.column, node.tag, self.path))

    def _mapping(self, ynode: yaml.MappingNode, key_path: str, depth: int) -> dict[str, Node]:
        out: dict[str, Node] = {}
        first_seen: dict[str, int] = {}
        merged: list[dict[str, Node]] = []
        for ykey, yval in ynode.value:
            if ykey.tag == _STD_PREFIX + "merge":  # "<<": *anchor  or  "<<": [*a, *b]
                sources = yval.value if isinstance(yval, yaml.SequenceNode) else [yval]
                for src in sources:
                    built = self.build(src, key_path, depth + 1)
                    if isinstance(built.value, dict):
                        merged.append(built.value)
                continue
            if not isinstance(ykey, yaml.ScalarNode):
                key = f"<{type(ykey).__name__}>"
            else:
                _check_tag(self.path, ykey)
                kval = _resolve_scalar(ykey)
                key = ykey.value if isinstance(kval, bool) or kval is None else str(kval)
                if isinstance(kval, bool) and _BOOL11.match(ykey.value):
                    self.issues.append(
                        LoadIssue("yaml11-bool", f"{key_path}.{key}" if key_path else key,
                                  ykey.start_mark.line + 1, ykey.start_mark.column + 1,
                                  f"key {ykey.value!r} loads as a boolean", self.path)
                    )
            child_path = f"{key_path}.{key}" if key_path else key
            if key in out:
                self.issues.append(
                    LoadIssue(
                        "duplicate-key",
                        child_path,
                        ykey.start_mark.line + 1,
                        ykey.start_mark.column + 1,
                        f"first defined on line {first_seen[key]}",
                        self.path,
                    )
                )
                del out[key]  # keep file order of the winning key
            first_seen[key] = ykey.start_mark.line + 1
            out[key] = self.build(yval, child_path, depth + 1, key_mark=ykey.start_mark)
        if merged:  # explicit keys win over merged ones; earlier merge sources win over later
            result: dict[str, Node] = {}
            for src in reversed(merged):
                result.update(src)
            result.update(out)
            return result
        return out


def _mark_pos(exc: yaml.YAMLError) -> tuple[int, int]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def _compose(text: str):
    """Compose the first YAML document of ``text`` (``None`` for an empty stream)."""
    loader = _Loader(text)
    try:
        return loader.get_node() if loader.check_node() else None
    finally:
        loader.dispose()


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
        InputError: syntax errors (with the parser's line/column), unsafe tags,
            alias bombs, excessive nesting.
    """
    try:
        ynode = _compose(text)
    except yaml.YAMLError as exc:
        line, col = _mark_pos(exc)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        msg = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
        raise InputError(path, msg, line, col) from None
    except RecursionError:
        raise InputError(path, f"nesting too deep to parse (limit {MAX_DEPTH} levels)") from None
    if ynode is None:
        return Document(path=path, fmt="yaml", root=Node(value={}, path=path), text=text)
    builder = _Builder(path)
    try:
        root = builder.build(ynode, "", 0)
    except RecursionError:
        raise InputError(path, f"nesting too deep (limit {MAX_DEPTH} levels)") from None
    return Document(path=path, fmt="yaml", root=root, issues=builder.issues, text=text)
