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
_MAX_POW = 64  # refuse 10 ** 10 ** 10 style expressions
_MAX_SEQ = 100_000


class _Evaluator:
    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.scope: dict[str, Node] = {}
        self.issues: list[LoadIssue] = []

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
            raw = ast.get_source_segment(self.text, expr) or ast.unparse(expr)
        except Exception:  # pragma: no cover - unparse of odd nodes
            raw = "<expression>"
        n = self.node(expr, UNRESOLVED, key, raw)
        self.issues.append(LoadIssue("unresolved-expression", key_path, n.line, n.column, raw[:200], self.path))
        return n

    def eval(self, expr: ast.AST, key_path: str, key: ast.AST | None = None) -> Node:
        if isinstance(expr, ast.Constant):
            v = expr.value
            if isinstance(v, (str, int, float, bool, type(None))):
                raw = ast.get_source_segment(self.text, expr)
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
                    return self.node(expr, -v, key, ast.get_source_segment(self.text, expr))
                if isinstance(expr.op, ast.UAdd):
                    return self.node(expr, v, key, ast.get_source_segment(self.text, expr))
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
                try:
                    val = fn(left, right)
                except (ArithmeticError, ValueError):
                    return self.unresolved(expr, key_path, key)
                if isinstance(val, float) and not math.isfinite(val):
                    return self.unresolved(expr, key_path, key)
                return self.node(expr, val, key, ast.get_source_segment(self.text, expr))
            return self.unresolved(expr, key_path, key)
        return self.unresolved(expr, key_path, key)

    def call(self, expr: ast.Call, key_path: str, key: ast.AST | None) -> Node:
        fname = expr.func.id if isinstance(expr.func, ast.Name) else None
        if fname == "dict" and not expr.args:
            out: dict[str, Node] = {}
            for kw in expr.keywords:
                if kw.arg is None:
                    other = self.eval(kw.value, key_path, None)
                    if isinstance(other.value, dict):
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
                return self.node(expr, val, key, ast.get_source_segment(self.text, expr))
        return self.unresolved(expr, key_path, key)

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


def load_python(path: str, text: str) -> Document:
    """Parse a Python config with :func:`ast.parse` and fold its module-level assignments.

    Returns:
        A Document whose root maps each module-level name (and each class name,
        for class-based configs) to its value.

    Raises:
        InputError: syntax errors (with the parser's line/column), nesting too deep.
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
    except RecursionError:
        raise InputError(path, "expression nesting too deep") from None
    return Document(path=path, fmt="python", root=Node(value=out, path=path), issues=ev.issues, text=text, meta=meta)
