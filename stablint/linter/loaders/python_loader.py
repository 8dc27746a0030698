"""Python config → :class:`Document` through :mod:`ast` only; nothing is ever executed.

Covers the Python config styles of the corpus: nanoGPT (flat module-level
assignments), mmengine (``dict(...)`` calls, ``_base_`` lists, ``{{_base_.x}}``),
and neuraloperator's zencfg classes (class bodies become nested mappings).

A tiny interpreter folds what is safe to fold: literals, ``dict(...)``/``list``/
``tuple`` calls, arithmetic on numbers (``5 * 8``, ``5e-4 * 2048 / 512``), string
concatenation, references to names assigned earlier in the module, and the pure
builtins ``int``/``float``/``round``/``min``/``max``/``abs``. Anything else
(attribute access, other calls, conditionals, f-strings) becomes
:data:`~stablint.linter.document.UNRESOLVED` with its source text in ``raw``,
and rules stay silent about it.
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any

from ..document import UNRESOLVED, Document, InputError, LoadIssue, Node

_PURE_BUILTINS = {"int": int, "float": float, "round": round, "min": min, "max": max, "abs": abs, "bool": bool, "str": str}
_BINOPS = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a ** b,
}
#: Calls that build an attribute/item-assignable mapping (easydict, ml_collections, yacs, addict, argparse):
#: with no argument or one dict they are read as that mapping.
CONTAINERS = {"EasyDict", "edict", "ConfigDict", "FrozenConfigDict", "CN", "CfgNode", "AttrDict", "Dict", "addict",
              "Namespace", "SimpleNamespace", "DotMap", "Munch", "Box"}
_MAX_POW = 64  # refuse 10 ** 10 ** 10 style expressions
_MAX_SEQ = 100_000
#: Bounds on what the folding may build, so a hostile config cannot make constant folding a CPU or
#: memory bomb (``a = 10 ** 64; b = a ** 64; c = b ** 64`` has 4 million digits by ``d``): an integer
#: result of more than 256 bits (a training config needs 64: seeds, step counts), a string or
#: sequence result longer than ``_MAX_SEQ``, and ``_MAX_WORK`` evaluation steps per file (each
#: expression node and each key copied by ``{**other}`` / ``dict(**other)`` counts one). Real
#: configs of the corpus stay below 1% of each.
_MAX_INT_BITS = 256
_LINES = re.compile(r"(\r\n|\r|\n)")  # how the tokenizer counts lines (not str.splitlines: no \f, \v ...)
_MAX_WORK = 1_000_000


class _TooBig(Exception):
    """A folded constant or the folding work is over a bound; becomes an :class:`InputError`."""

    def __init__(self, expr: ast.AST, message: str):
        super().__init__(message)
        self.line = getattr(expr, "lineno", 1)
        self.column = getattr(expr, "col_offset", 0) + 1


def _result_too_big(op: ast.operator, left: Any, right: Any) -> str | None:
    """Why ``left <op> right`` would build a value over the bounds (checked *before* computing), else None."""
    if isinstance(left, int) and isinstance(right, int):
        lb, rb = abs(left).bit_length(), abs(right).bit_length()
        if isinstance(op, ast.Pow) and right > 0 and abs(left) > 1:
            bits = (lb - 1) * right
        elif isinstance(op, ast.Mult):
            bits = lb + rb - 1
        else:
            bits = max(lb, rb)
        if bits > _MAX_INT_BITS:
            return f"integer constant too large to evaluate (about {int(bits * 0.30103):,} digits, limit {_MAX_INT_BITS} bits)"
    if isinstance(left, str) and isinstance(right, str) and len(left) + len(right) > _MAX_SEQ:
        return f"string constant too long to evaluate (over {_MAX_SEQ:,} characters)"
    return None


class _Evaluator:
    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.scope: dict[str, Node] = {}
        self.issues: list[LoadIssue] = []
        self.work = 0
        # the source split once, as bytes (ast offsets count UTF-8 bytes); ast.get_source_segment
        # re-splits the whole text on every call, quadratic in a file of many constants
        self._lines = [ln.encode("utf-8") for ln in _LINES.split(text)[::2]] if text else []

    def segment(self, expr: ast.AST) -> str | None:
        """The source text of ``expr`` (as :func:`ast.get_source_segment`, in time linear in its length)."""
        try:
            first, last = expr.lineno - 1, expr.end_lineno - 1
            start, end = expr.col_offset, expr.end_col_offset
        except AttributeError:
            return None
        if first < 0 or last >= len(self._lines) or end is None:
            return None
        if first == last:
            return self._lines[first][start:end].decode("utf-8", "replace")
        parts = [self._lines[first][start:], *self._lines[first + 1:last], self._lines[last][:end]]
        return b"\n".join(parts).decode("utf-8", "replace")

    def spend(self, expr: ast.AST, n: int = 1) -> None:
        """Count ``n`` evaluation steps.

        Raises:
            _TooBig: over ``_MAX_WORK`` steps in this file.
        """
        self.work += n
        if self.work > _MAX_WORK:
            raise _TooBig(expr, f"config too complex to evaluate (over {_MAX_WORK:,} evaluation steps)")

    def node(self, expr: ast.AST, value: Any, key: ast.AST | None = None, raw: str | None = None) -> Node:
        n = Node(
            value=value,
            line=getattr(expr, "lineno", 1),
            column=getattr(expr, "col_offset", 0) + 1,
            end_line=getattr(expr, "end_lineno", None),
            end_column=(getattr(expr, "end_col_offset", None) or 0) + 1 if getattr(expr, "end_col_offset", None) is not None else None,
            path=self.path,
            raw=raw,
        )
        if key is not None:
            n.key_line, n.key_column = getattr(key, "lineno", n.line), getattr(key, "col_offset", 0) + 1
        return n

    def unresolved(self, expr: ast.AST, key_path: str, key: ast.AST | None) -> Node:
        try:
            raw = self.segment(expr) or ast.unparse(expr)
        except Exception:  # pragma: no cover - unparse of odd nodes
            raw = "<expression>"
        n = self.node(expr, UNRESOLVED, key, raw)
        self.issues.append(LoadIssue("unresolved-expression", key_path, n.line, n.column, raw[:200], self.path))
        return n

    def eval(self, expr: ast.AST, key_path: str, key: ast.AST | None = None) -> Node:
        self.spend(expr)
        if isinstance(expr, ast.Constant):
            v = expr.value
            if isinstance(v, (str, int, float, bool, type(None))):
                raw = self.segment(expr)
                return self.node(expr, v, key, raw)
            return self.unresolved(expr, key_path, key)
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            if len(expr.elts) > _MAX_SEQ:
                return self.unresolved(expr, key_path, key)
            return self.node(expr, [self.eval(e, f"{key_path}.{i}", None) for i, e in enumerate(expr.elts)], key)
        if isinstance(expr, ast.Dict):
            out: dict[str, Node] = {}
            for k, v in zip(expr.keys, expr.values):
                if k is None:  # {**other}
                    other = self.eval(v, key_path, None)
                    if isinstance(other.value, dict):
                        self.spend(v, len(other.value))
                        out.update(other.value)
                    continue
                kname = k.value if isinstance(k, ast.Constant) else ast.unparse(k)
                self._put(out, str(kname), self.eval(v, f"{key_path}.{kname}", k), key_path)
            return self.node(expr, out, key)
        if isinstance(expr, ast.Call):
            return self.call(expr, key_path, key)
        if isinstance(expr, ast.Name):
            ref = self.scope.get(expr.id)
            if ref is None:
                return self.unresolved(expr, key_path, key)
            n = self.node(expr, ref.value, key, ref.raw)
            n.alt = ref.alt
            return n
        if isinstance(expr, ast.UnaryOp):
            inner = self.eval(expr.operand, key_path, None)
            v = inner.value
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                if isinstance(expr.op, ast.USub):
                    return self.node(expr, -v, key, self.segment(expr))
                if isinstance(expr.op, ast.UAdd):
                    return self.node(expr, v, key, self.segment(expr))
            if isinstance(expr.op, ast.Not) and v is not UNRESOLVED and not isinstance(v, (dict, list)):
                return self.node(expr, not v, key)
            return self.unresolved(expr, key_path, key)
        if isinstance(expr, ast.BinOp):
            left = self.eval(expr.left, key_path, None).value
            right = self.eval(expr.right, key_path, None).value
            fn = _BINOPS.get(type(expr.op))
            ok_num = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (left, right))
            ok_str = isinstance(left, str) and isinstance(right, str) and isinstance(expr.op, ast.Add)
            if fn and (ok_num or ok_str):
                if isinstance(expr.op, ast.Pow) and ok_num and abs(right) > _MAX_POW:
                    return self.unresolved(expr, key_path, key)
                too_big = _result_too_big(expr.op, left, right)
                if too_big:
                    raise _TooBig(expr, too_big)
                try:
                    val = fn(left, right)
                except (ArithmeticError, ValueError):
                    return self.unresolved(expr, key_path, key)
                if isinstance(val, float) and not math.isfinite(val):
                    return self.unresolved(expr, key_path, key)
                return self.node(expr, val, key, self.segment(expr))
            return self.unresolved(expr, key_path, key)
        return self.unresolved(expr, key_path, key)

    def call(self, expr: ast.Call, key_path: str, key: ast.AST | None) -> Node:
        fname = expr.func.id if isinstance(expr.func, ast.Name) else None
        tail = expr.func.attr if isinstance(expr.func, ast.Attribute) else fname
        if tail in CONTAINERS and tail not in self.scope and not expr.keywords and len(expr.args) <= 1:
            # EasyDict() / ConfigDict({...}) / CN(): a mapping, filled by later item or attribute assignments
            inner = self.eval(expr.args[0], key_path, None) if expr.args else None
            if inner is None or isinstance(inner.value, dict):
                return self.node(expr, inner.value if inner is not None else {}, key)
        if fname == "dict" and not expr.args:
            out: dict[str, Node] = {}
            for kw in expr.keywords:
                if kw.arg is None:
                    other = self.eval(kw.value, key_path, None)
                    if isinstance(other.value, dict):
                        self.spend(kw.value, len(other.value))
                        out.update(other.value)
                    continue
                self._put(out, kw.arg, self.eval(kw.value, f"{key_path}.{kw.arg}", kw), key_path)
            return self.node(expr, out, key)
        if fname in ("list", "tuple") and len(expr.args) == 1 and not expr.keywords:
            inner = self.eval(expr.args[0], key_path, None)
            if isinstance(inner.value, list):
                return self.node(expr, inner.value, key)
        if fname in _PURE_BUILTINS and fname not in self.scope and not expr.keywords and 1 <= len(expr.args) <= 4:
            args = [self.eval(a, key_path, None).value for a in expr.args]
            if all(isinstance(a, (int, float, str)) and not isinstance(a, bool) for a in args):
                try:
                    val = _PURE_BUILTINS[fname](*args)
                except (TypeError, ValueError, ArithmeticError):
                    return self.unresolved(expr, key_path, key)
                return self.node(expr, val, key, self.segment(expr))
        return self.unresolved(expr, key_path, key)

    def assign_item(self, tgt: ast.Subscript | ast.Attribute, value: ast.AST, out: dict[str, Node]) -> None:
        """``train['lr'] = 1e-3``, ``cfg['optimizer']['lr'] = x``, ``cfg.lr = x`` on a mapping built earlier
        in the module (``{}``, ``dict(...)``, ``EasyDict()``/``ConfigDict()``/``CN()``...). Every key but
        the last must already hold a mapping, as in Python; anything else is ignored."""
        chain = _chain(tgt)
        if chain is None:
            return
        parent = self._container(chain, out)
        if parent is None:
            return
        name, keys = chain
        parent.value[keys[-1]] = self.eval(value, ".".join([name, *keys]), tgt)

    def _container(self, chain: tuple[str, list[str]], out: dict[str, Node]) -> Node | None:
        """The mapping node that holds the last key of ``chain``, or ``None``."""
        name, keys = chain
        node = out.get(name)
        for k in keys[:-1]:
            node = node.value.get(k) if node is not None and node.is_mapping else None
        return node if node is not None and node.is_mapping else None

    def _put(self, out: dict[str, Node], name: str, node: Node, prefix: str) -> None:
        if name in out:
            self.issues.append(
                LoadIssue("duplicate-key", f"{prefix}.{name}" if prefix else name, node.key_line or node.line,
                          node.key_column or node.column, f"first defined on line {out[name].key_line or out[name].line}", self.path)
            )
            del out[name]
        out[name] = node

    def body(self, stmts: list[ast.stmt], out: dict[str, Node], prefix: str, meta: dict[str, Any]) -> None:
        for st in stmts:
            if isinstance(st, ast.Assign):
                for tgt in st.targets:
                    if isinstance(tgt, ast.Name):
                        n = self.eval(st.value, f"{prefix}{tgt.id}", tgt)
                        out[tgt.id] = n  # re-assignment is normal Python, not a duplicate
                        if not prefix:
                            self.scope[tgt.id] = n
                    elif isinstance(tgt, (ast.Subscript, ast.Attribute)):
                        self.assign_item(tgt, st.value, out)
            elif isinstance(st, ast.AugAssign) and isinstance(st.target, (ast.Subscript, ast.Attribute)):
                chain = _chain(st.target)
                parent = self._container(chain, out) if chain else None
                if parent is not None and chain[1][-1] in parent.value:
                    key = chain[1][-1]
                    parent.value[key] = self.unresolved(st, ".".join([chain[0], *chain[1]]), st.target)
            elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name) and st.value is not None:
                n = self.eval(st.value, f"{prefix}{st.target.id}", st.target)
                out[st.target.id] = n
                if not prefix:
                    self.scope[st.target.id] = n
            elif isinstance(st, ast.AugAssign) and isinstance(st.target, ast.Name) and st.target.id in out:
                cur = out[st.target.id]
                rhs = self.eval(st.value, st.target.id, None).value
                fn = _BINOPS.get(type(st.op))
                if fn and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (cur.value, rhs)):
                    too_big = _result_too_big(st.op, cur.value, rhs)
                    if too_big:
                        raise _TooBig(st, too_big)
                    try:
                        cur = self.node(st, fn(cur.value, rhs), st.target)
                    except ArithmeticError:
                        cur = self.unresolved(st.value, st.target.id, st.target)
                else:
                    cur = self.unresolved(st.value, st.target.id, st.target)
                out[st.target.id] = cur
                if not prefix:
                    self.scope[st.target.id] = cur
            elif isinstance(st, ast.ClassDef):
                cls: dict[str, Node] = {}
                self.body(st.body, cls, f"{prefix}{st.name}.", meta)
                n = self.node(st, cls, st)
                n.key_column = st.col_offset + 7  # point at the class name after "class "
                out[st.name] = n
                meta.setdefault("classes", {})[st.name] = [ast.unparse(b) for b in st.bases]
            elif isinstance(st, (ast.Import, ast.ImportFrom)):
                mod = getattr(st, "module", None)
                names = [a.name for a in st.names]
                meta.setdefault("imports", []).append({"module": mod, "names": names, "level": getattr(st, "level", 0), "line": st.lineno})
            elif isinstance(st, ast.With) and not prefix:
                # mmengine new-style: ``with read_base(): from .._base_.x import *``
                is_read_base = any(
                    isinstance(item.context_expr, ast.Call) and getattr(item.context_expr.func, "id", None) == "read_base"
                    for item in st.items
                )
                if is_read_base:
                    for inner in st.body:
                        if isinstance(inner, ast.ImportFrom):
                            meta.setdefault("read_base", []).append({"module": inner.module, "level": inner.level, "line": inner.lineno})


def _chain(tgt: ast.AST) -> tuple[str, list[str]] | None:
    """``cfg['a'].b['c']`` → ``("cfg", ["a", "b", "c"])``; ``None`` unless every key is a string constant
    or an attribute name and the chain starts at a plain name."""
    keys: list[str] = []
    while isinstance(tgt, (ast.Subscript, ast.Attribute)):
        if isinstance(tgt, ast.Attribute):
            keys.append(tgt.attr)
        elif isinstance(tgt.slice, ast.Constant) and isinstance(tgt.slice.value, str):
            keys.append(tgt.slice.value)
        else:
            return None
        tgt = tgt.value
    if not isinstance(tgt, ast.Name) or not keys:
        return None
    return tgt.id, keys[::-1]


#: Module-level functions that build and return the config (ml_collections ``get_config()`` convention).
CONFIG_FUNCTIONS = ("get_config", "get_cfg", "get_default_config", "get_default_cfg")


def _config_function(ev: _Evaluator, tree: ast.Module, out: dict[str, Node], meta: dict[str, Any]) -> None:
    """``def get_config(): config = ConfigDict(); config.lr = 0.1; return config``: the returned mapping
    becomes a top-level entry named after the returned variable (when the module has no such name)."""
    for st in tree.body:
        if not (isinstance(st, ast.FunctionDef) and st.name in CONFIG_FUNCTIONS):
            continue
        ret = next((r for r in reversed(st.body) if isinstance(r, ast.Return)), None)
        if ret is None or not isinstance(ret.value, ast.Name) or ret.value.id in out:
            continue
        local: dict[str, Node] = {}
        saved = dict(ev.scope)
        ev.body(st.body, local, "", meta)
        ev.scope = saved
        node = local.get(ret.value.id)
        if node is not None and node.is_mapping:
            out[ret.value.id] = node
            meta["config_function"] = st.name


def load_python(path: str, text: str) -> Document:
    """Parse a Python config with :func:`ast.parse` and fold its module-level assignments.

    Returns:
        A Document whose root maps each module-level name (and each class name,
        for class-based configs) to its value.

    Raises:
        InputError: syntax errors (with the parser's line/column), nesting too deep, a folded
            constant or the folding work over the bounds (``_MAX_INT_BITS``, ``_MAX_SEQ``,
            ``_MAX_WORK``), at the expression's position.
    """
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise InputError(path, f"invalid Python: {exc.msg}", exc.lineno or 1, exc.offset or 1) from None
    except (RecursionError, MemoryError):
        raise InputError(path, "invalid Python: nesting too deep to parse") from None
    except ValueError as exc:  # e.g. source contains NUL bytes
        raise InputError(path, f"invalid Python: {exc}") from None
    ev = _Evaluator(path, text)
    out: dict[str, Node] = {}
    meta: dict[str, Any] = {}
    try:
        ev.body(tree.body, out, "", meta)
        _config_function(ev, tree, out, meta)
    except RecursionError:
        raise InputError(path, "expression nesting too deep") from None
    except _TooBig as exc:
        raise InputError(path, str(exc), exc.line, exc.column) from None
    return Document(path=path, fmt="python", root=Node(value=out, path=path), issues=ev.issues, text=text, meta=meta)
