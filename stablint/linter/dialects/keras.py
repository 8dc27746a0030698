"""Keras dialect: ``ReduceLROnPlateau`` / ``EarlyStopping`` callbacks written in a training *script*.

A Python training script is not a config, and stablint skips Python source
(:func:`~stablint.linter.filekinds.python_source_reason`). This dialect is the one
exception, and a narrow one: a ``.py`` file is read as a Keras plan only when it
**imports Keras** (``keras``, ``tensorflow``, ``tf_keras``) **and constructs a Keras
``ReduceLROnPlateau`` or ``EarlyStopping``** whose result is used. Every other Python
file keeps the behaviour it had (skipped as source, or read by its own dialect).

What is read, through :mod:`ast` only (nothing is imported or executed):

* the arguments of ``ReduceLROnPlateau(...)`` (``monitor``, ``factor``, ``patience``,
  ``cooldown``, ``min_lr``, ``mode``) and ``EarlyStopping(...)`` (``monitor``,
  ``patience``): keyword literals, a leading positional ``monitor``, ``-1e-4``-style
  unary numbers, arithmetic on numbers, and names bound exactly once in the file by a
  module-level assignment of such a value. Anything else (``args.patience``,
  ``cfg['lr']``, a function parameter) is *unresolved* and the rules stay silent;
  ``**kwargs`` or more positionals make the whole call unreadable;
* ``fit(..., epochs=N)`` / ``fit_generator(..., epochs=N)`` (and Keras 1 ``nb_epoch``):
  the run length in epochs, only when every such call states the same number and none
  passes ``initial_epoch``;
* the learning rate of the single Keras optimizer constructed (``Adam(learning_rate=...)``,
  ``lr=`` or the first positional), or of ``compile(optimizer='adam'|'sgd'|'rmsprop')``.

A file with two different ``ReduceLROnPlateau`` (or ``EarlyStopping``, or optimizer)
calls, a callback built but never used (``cb = ReduceLROnPlateau(...)`` with ``cb``
never read), or ``fit(validation_freq=...)`` (validation metrics then exist only every
k-th epoch: keras-team/keras#13239), or a ``LearningRateScheduler`` callback beside the
plateau one (its ``on_epoch_begin`` sets the LR every epoch, overwriting any cut) gives no
plan fields for that part. ``EarlyStopping`` is compared with ``ReduceLROnPlateau`` only
when both are built in the same function and the same branch of its conditions.

Units and semantics (Keras source, identical in keras 2.1.6 ``keras/callbacks.py``,
tf-keras ``tf_keras/callbacks.py`` and keras 3 ``keras/src/callbacks/``):

* both callbacks act in ``on_epoch_end``: patience, cooldown and ``fit(epochs)`` are
  **epochs**;
* ``ReduceLROnPlateau.on_epoch_end``: ``self.wait += 1; if self.wait >= self.patience``
  → the LR is cut on the ``patience``-th consecutive non-improving epoch (torch cuts on
  the ``patience + 1``-th); ``cooldown_counter`` starts at 0 (``_reset``), so cooldown only
  delays *later* cuts; an improvement needs ``current < best - min_delta`` (absolute);
* ``EarlyStopping.on_epoch_end``: ``self.wait += 1`` … ``if self.wait >= self.patience
  and epoch > 0`` → training stops on the ``patience``-th non-improving epoch;
* the LR is cut only while ``old_lr > min_lr`` (absolute).

Defaults (keras 3 ``ReduceLROnPlateau.__init__``: ``monitor="val_loss", factor=0.1,
patience=10, verbose=0, mode="auto", min_delta=1e-4, cooldown=0, min_lr=0.0``;
``EarlyStopping.__init__``: ``monitor="val_loss", min_delta=0, patience=0, ...``; the same
values in tf-keras and keras 2.1.6). Optimizer defaults: ``Adam``/``RMSprop``
``learning_rate=0.001``, ``SGD`` ``0.01`` (keras 3 ``keras/src/optimizers/adam.py``,
``rmsprop.py``, ``sgd.py``; keras 2 ``keras/optimizers.py`` ``lr=0.001``/``lr=0.01``);
a string ``optimizer='adam'`` is ``Adam()`` with those defaults (``optimizers.get``).

The plan holds only what the plateau rules need (no ``optimizer.type``, no batch):
a script's other values are not a config's statements.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from ..document import Document, Node
from ..plan import EPOCH, PlanValue, Provenance, TrainingPlan
from .base import Context, Dialect

#: Top-level packages a Keras callback or optimizer can come from.
KERAS_ROOTS = frozenset({"keras", "tensorflow", "tf_keras"})

#: Positional parameter 0 of both callbacks in every Keras release (keras 1.x to 3.x): ``monitor``.
#: Later positions differ between releases (keras 1 ``EarlyStopping(monitor, patience, ...)``,
#: keras 2/3 ``EarlyStopping(monitor, min_delta, patience, ...)``), so more positionals are unreadable.
_POSITIONAL = ("monitor",)

#: keras 3 ``ReduceLROnPlateau.__init__`` defaults (same in tf-keras and keras 2.1.6 ``keras/callbacks.py``).
RLROP_DEFAULTS: dict[str, Any] = {"monitor": "val_loss", "factor": 0.1, "patience": 10, "mode": "auto",
                                  "min_delta": 1e-4, "cooldown": 0, "min_lr": 0.0}
#: keras 3 ``EarlyStopping.__init__`` defaults (same in tf-keras and keras 2.1.6).
ES_DEFAULTS: dict[str, Any] = {"monitor": "val_loss", "min_delta": 0, "patience": 0, "mode": "auto",
                               "start_from_epoch": 0}
#: Default learning rate of the Keras optimizers whose default is the same in keras 1, 2 and 3
#: (keras 3 ``optimizers/adam.py``, ``rmsprop.py``, ``sgd.py``; keras 2.1.6 ``keras/optimizers.py``).
#: Others changed between releases (``Adadelta`` 1.0 → 0.001, ``Adagrad`` 0.01 → 0.001): not filled.
OPTIMIZER_DEFAULT_LR = {"adam": 0.001, "rmsprop": 0.001, "sgd": 0.01}
_OPTIMIZERS = {"Adam", "AdamW", "Adamax", "Nadam", "SGD", "RMSprop", "Adagrad", "Adadelta", "Ftrl", "Lion",
               "Adafactor", "LossScaleOptimizer"}
_FIT = {"fit", "fit_generator"}


@dataclass
class Call:
    """One Keras constructor or ``fit`` call found in the script.

    Attributes:
        kind: ``"plateau"``, ``"early_stopping"``, ``"optimizer"``, ``"fit"`` or ``"compile"``.
        node: the :class:`ast.Call`.
        name: the class or method name as written (last segment).
        args: parameter name → AST value (positional ``monitor`` included).
        opaque: ``**kwargs`` or positionals beyond what every release agrees on: unreadable.
        used: False for ``x = ReduceLROnPlateau(...)`` inside a function whose ``x`` is never read, or a
            bare statement (a module-level assignment counts as used: other modules import it).
        conditional: built under an ``if``/``while``/``except`` or a conditional expression of its
            function (``if __name__ == "__main__"`` does not count).
        branch: the chain of those conditional blocks, ``(id(node), field)`` from the function down:
            two calls with the same ``branch`` in the same ``scope`` run together.
        scope: the enclosing function node (``None`` at module level).
    """

    kind: str
    node: ast.Call
    name: str
    args: dict[str, ast.AST] = field(default_factory=dict)
    opaque: bool = False
    used: bool = True
    conditional: bool = False
    branch: tuple = ()
    scope: ast.AST | None = None

    def same_as(self, other: "Call") -> bool:
        """True when both calls pass the same arguments (so they configure the same thing)."""
        return self.opaque == other.opaque and \
            {k: ast.dump(v) for k, v in self.args.items()} == {k: ast.dump(v) for k, v in other.args.items()}


def _dotted(expr: ast.AST) -> list[str] | None:
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return parts[::-1]


def _is_main_guard(test: ast.AST) -> bool:
    return isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"


class Script:
    """What :func:`scan` finds in a Python file: imports, Keras calls, name bindings.

    Attributes:
        imports: local name → dotted origin (``tf`` → ``tensorflow``, ``RLR`` →
            ``keras.callbacks.ReduceLROnPlateau``); a name bound to two origins maps to ``None``.
        star: modules imported with ``*``.
        calls: the :class:`Call` records, in source order.
        bindings: name → how many times the file binds it (assignments, parameters,
            loop targets, imports, ``def``/``class``), anywhere.
        module_values: name → value node of its module-level assignment.
        loads: names read anywhere.
    """

    def __init__(self) -> None:
        self.imports: dict[str, str | None] = {}
        self.star: list[str] = []
        self.calls: list[Call] = []
        self.bindings: dict[str, int] = {}
        self.module_values: dict[str, ast.AST] = {}
        self.loads: set[str] = set()

    @property
    def imports_keras(self) -> bool:
        """True when the file imports a Keras package (``keras``, ``tensorflow``, ``tf_keras``)."""
        return any(v is not None and v.split(".")[0] in KERAS_ROOTS for v in self.imports.values()) or \
            any(m.split(".")[0] in KERAS_ROOTS for m in self.star)

    def origin(self, func: ast.AST) -> str | None:
        """The dotted origin of a called name (``tf.keras.callbacks.X`` → ``tensorflow.keras.callbacks.X``)."""
        parts = _dotted(func)
        if parts is None:
            return None
        head = parts[0]
        if head in self.imports:
            base = self.imports[head]
            return None if base is None else ".".join([base, *parts[1:]])
        if len(parts) == 1 and self.bindings.get(head, 0) == 0 and len(self.star) == 1:
            return f"{self.star[0]}.{head}"
        return None

    def bound_once_at_module(self, name: str) -> ast.AST | None:
        """The value assigned to ``name`` when its only binding in the file is one module-level assignment."""
        if self.bindings.get(name) == 1 and name in self.module_values:
            return self.module_values[name]
        return None


def is_keras(origin: str | None) -> bool:
    """True for a dotted origin inside Keras: ``keras.…``, ``tf_keras.…``, ``tensorflow.keras.…``,
    ``tensorflow.python.keras.…``, ``tensorflow.compat.v1.keras.…``."""
    if not origin:
        return False
    parts = origin.split(".")
    return parts[0] in ("keras", "tf_keras") or (parts[0] == "tensorflow" and "keras" in parts[1:-1])


def _bind(script: Script, name: str) -> None:
    script.bindings[name] = script.bindings.get(name, 0) + 1


def _collect_bindings(script: Script, tree: ast.Module) -> None:
    for st in tree.body:  # module-level single-name assignments
        if isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name):
            script.module_values[st.targets[0].id] = st.value
        elif isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name) and st.value is not None:
            script.module_values[st.target.id] = st.value
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Store) or isinstance(node.ctx, ast.Del):
                _bind(script, node.id)
            else:
                script.loads.add(node.id)
        elif isinstance(node, ast.arg):
            _bind(script, node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            _bind(script, node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for n in node.names:
                _bind(script, n)
        elif isinstance(node, ast.Import):
            for a in node.names:
                local = a.asname or a.name.split(".")[0]
                _import(script, local, a.name if a.asname else a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level or not node.module:
                for a in node.names:
                    if a.name != "*":
                        _import(script, a.asname or a.name, None)
                continue
            for a in node.names:
                if a.name == "*":
                    script.star.append(node.module)
                else:
                    _import(script, a.asname or a.name, f"{node.module}.{a.name}")


def _import(script: Script, local: str, origin: str | None) -> None:
    if local in script.imports and script.imports[local] != origin:
        script.imports[local] = None  # bound to two origins: unknown
    else:
        script.imports[local] = origin


def _kind(script: Script, call: ast.Call) -> tuple[str, str] | None:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in _FIT and any(k.arg in ("epochs", "nb_epoch") for k in call.keywords):
        return "fit", func.attr
    if isinstance(func, ast.Attribute) and func.attr == "compile":
        return "compile", "compile"
    origin = script.origin(func)
    if not is_keras(origin):
        return None
    last = origin.rsplit(".", 1)[-1]
    if last == "ReduceLROnPlateau":
        return "plateau", last
    if last == "EarlyStopping":
        return "early_stopping", last
    if last == "LearningRateScheduler":
        return "lr_schedule", last
    if last in _OPTIMIZERS and ".optimizers" in origin:
        return "optimizer", last
    return None


def _walk_calls(script: Script, node: ast.AST, scope: ast.AST | None, branch: tuple,
                parent: ast.AST | None) -> None:
    """Depth-first walk recording each Keras call with its scope, conditional branch and use."""
    if isinstance(node, ast.Call):
        kind = _kind(script, node)
        if kind is not None:
            rec = Call(kind[0], node, kind[1], scope=scope, conditional=bool(branch), branch=branch)
            _read_args(rec)
            rec.used = scope is None and isinstance(parent, (ast.Assign, ast.AnnAssign)) or _is_used(script, node, parent)
            script.calls.append(rec)
    for name, value in ast.iter_fields(node):
        children = value if isinstance(value, list) else [value]
        for child in children:
            if not isinstance(child, ast.AST):
                continue
            child_scope = scope
            child_branch = branch
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and name == "body":
                child_scope, child_branch = node, ()
            elif isinstance(node, ast.If) and name in ("body", "orelse") and not _is_main_guard(node.test):
                child_branch = (*branch, (id(node), name))
            elif isinstance(node, (ast.While, ast.IfExp, ast.BoolOp)) or \
                    (isinstance(node, ast.Try) and name in ("handlers", "orelse")) or \
                    isinstance(node, ast.ExceptHandler):
                child_branch = (*branch, (id(node), name if isinstance(node, ast.Try) else id(child)))
            _walk_calls(script, child, child_scope, child_branch, node)


def _read_args(rec: Call) -> None:
    call = rec.node
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        rec.opaque = True
        return
    if rec.kind in ("plateau", "early_stopping"):
        if len(call.args) > len(_POSITIONAL):
            rec.opaque = True
            return
        rec.args.update(zip(_POSITIONAL, call.args))
    elif rec.kind == "optimizer" and call.args:
        if len(call.args) > 1:
            rec.opaque = True
            return
        rec.args["learning_rate"] = call.args[0]
    elif rec.kind == "compile" and call.args:
        rec.args["optimizer"] = call.args[0]  # compile(optimizer, loss, ...) in keras 1, 2 and 3
    for k in call.keywords:
        name = "min_delta" if k.arg == "epsilon" else "learning_rate" if k.arg == "lr" else \
            "epochs" if k.arg == "nb_epoch" else k.arg
        rec.args[name] = k.value


def _is_used(script: Script, call: ast.Call, parent: ast.AST | None) -> bool:
    if isinstance(parent, ast.Expr):
        return False
    if isinstance(parent, (ast.Assign, ast.AnnAssign)):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if names and len(names) == len(targets):
            return any(n in script.loads for n in names)
    return True


def scan(text: str) -> Script | None:
    """Parse ``text`` and collect imports, bindings and Keras calls; ``None`` when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    script = Script()
    try:
        _collect_bindings(script, tree)
        if not script.imports_keras:
            return script
        _walk_calls(script, tree, None, (), None)
    except RecursionError:
        return None
    return script


def scan_of(doc: Document) -> Script | None:
    """:func:`scan` of a Python document, cached in ``doc.meta``."""
    if doc.fmt != "python":
        return None
    if "keras_scan" not in doc.meta:
        doc.meta["keras_scan"] = scan(doc.text or "")
    return doc.meta["keras_scan"]


_NUM_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
            ast.Div: lambda a, b: a / b}


def literal(script: Script, expr: ast.AST, depth: int = 0) -> tuple[bool, Any]:
    """``(True, value)`` for a literal the file states (see the module docstring), else ``(False, None)``."""
    if depth > 20:
        return False, None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, (int, float, str)) and not isinstance(expr.value, bool):
        return True, expr.value
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        ok, v = literal(script, expr.operand, depth + 1)
        if ok and isinstance(v, (int, float)):
            return True, -v if isinstance(expr.op, ast.USub) else v
        return False, None
    if isinstance(expr, ast.BinOp) and type(expr.op) in _NUM_OPS:
        ok1, a = literal(script, expr.left, depth + 1)
        ok2, b = literal(script, expr.right, depth + 1)
        if ok1 and ok2 and all(isinstance(x, (int, float)) for x in (a, b)):
            try:
                return True, _NUM_OPS[type(expr.op)](a, b)
            except ArithmeticError:
                return False, None
        return False, None
    if isinstance(expr, ast.Name):
        value = script.bound_once_at_module(expr.id)
        if value is not None:
            return literal(script, value, depth + 1)
    return False, None


def _segment(doc: Document, expr: ast.AST) -> str:
    try:
        return ast.get_source_segment(doc.text, expr) or ast.unparse(expr)
    except Exception:  # pragma: no cover - odd nodes
        return "<expression>"


def _one(calls: list[Call], kind: str) -> tuple[Call | None, str | None]:
    """The single readable, used call of ``kind`` (``None`` and why when there is none or several)."""
    found = [c for c in calls if c.kind == kind and c.used]
    if not found:
        return None, None
    first = found[0]
    if any(not first.same_as(c) for c in found[1:]):
        return None, f"{len(found)} different {first.name} calls: not read"
    if first.opaque:
        return None, f"{first.name}(...) passes **kwargs or positionals beyond monitor: not read"
    return first, None


class Keras(Dialect):
    """Keras training scripts: ``ReduceLROnPlateau``/``EarlyStopping`` callbacks and ``fit(epochs=...)``."""

    name = "keras"
    title = "Keras callbacks"
    formats = ("python",)
    loader = "python"
    scheduler_interval = "epoch"
    #: the Keras callbacks' patience semantics (``wait >= patience``, module docstring); read by
    #: plateau-patience-too-long and early-stop-before-lr-drop through ``facts_of``
    plateau_semantics = "keras"
    high_score = 0.85

    def detect(self, doc: Document) -> float:
        """0.9 when the file imports Keras and builds a used Keras ``ReduceLROnPlateau`` or
        ``EarlyStopping``; 0 otherwise (every other Python file is left as it was)."""
        script = scan_of(doc)
        if script is None or not script.imports_keras:
            return 0.0
        if any(c.kind in ("plateau", "early_stopping") and c.used for c in script.calls):
            return 0.9
        return 0.0

    def evidence(self, doc: Document) -> tuple[str, ...]:
        """``"call ReduceLROnPlateau at line 12"`` for each Keras callback found."""
        script = scan_of(doc)
        if script is None:
            return ()
        return tuple(f"call {c.name} at line {c.node.lineno}" for c in script.calls
                     if c.kind in ("plateau", "early_stopping") and c.used)

    def monitor_split(self, name: str) -> str | None:
        """``"val"`` for a Keras validation metric (``fit`` logs them as ``"val_" + name``:
        keras 3 ``trainers`` ``val_logs = {"val_" + name: val ...}``), ``"train"`` for the
        training metrics every model logs (``loss``, ``acc``/``accuracy``), ``None`` otherwise."""
        if name.startswith("val_"):
            return "val"
        if name in ("loss", "acc", "accuracy"):
            return "train"
        return None

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Read the callbacks, ``fit(epochs)`` and the learning rate into the plan."""
        script = scan_of(doc)
        if script is None:
            return
        calls = script.calls
        fits = [c for c in calls if c.kind == "fit"]
        if any("validation_freq" in c.args for c in fits):
            plan.notes.append("fit(validation_freq=...): validation metrics exist only every k-th epoch; "
                              "callback patience not read")
            return
        rlrop, why = _one(calls, "plateau")
        if why:
            plan.notes.append(why)
        if rlrop is not None and any(c.kind == "lr_schedule" and c.used for c in calls):
            # LearningRateScheduler.on_epoch_begin sets the LR every epoch, overwriting any plateau cut
            plan.notes.append("a LearningRateScheduler callback sets the LR every epoch: ReduceLROnPlateau not read")
            rlrop = None
        if rlrop is not None:
            self._plateau(doc, script, plan, rlrop)
        es, why = _one(calls, "early_stopping")
        if why:
            plan.notes.append(why)
        if es is not None and rlrop is not None:
            if es.branch != rlrop.branch or es.scope is not rlrop.scope:
                plan.notes.append("EarlyStopping and ReduceLROnPlateau are not built together "
                                  "(different functions, or different branches of a condition): not compared")
            else:
                self._early_stopping(doc, script, plan, es)
        if rlrop is not None:
            self._epochs(doc, script, plan, fits)
            self._lr(doc, script, plan, calls)

    # -- parts ---------------------------------------------------------------
    def _value(self, doc: Document, script: Script, plan: TrainingPlan, canonical: str, call: Call, arg: str,
               default: Any, unit: str | None = None, types: tuple[type, ...] = (int, float)) -> PlanValue | None:
        expr = call.args.get(arg)
        if expr is None:
            if default is None:
                return None
            return self.put(plan, canonical, default, self._anchor(doc, call.node), key=f"{call.name}.{arg}", unit=unit)
        ok, v = literal(script, expr)
        src = Provenance(doc.path, expr.lineno, expr.col_offset + 1, f"{call.name}.{arg}")
        raw = _segment(doc, expr)
        if not ok or not isinstance(v, types) or (isinstance(v, str) and str in types and not v):
            pv = PlanValue(raw, unit, src, resolved=False, raw=raw)
        else:
            pv = PlanValue(v, unit, src, raw=raw)
        plan.set(canonical, pv)
        return pv

    def _anchor(self, doc: Document, call: ast.Call) -> Node:
        return Node(None, call.lineno, call.col_offset + 1, path=doc.path)

    def _plateau(self, doc: Document, script: Script, plan: TrainingPlan, c: Call) -> None:
        plan.set("scheduler.type", PlanValue("plateau", source=Provenance(doc.path, c.node.lineno,
                                                                           c.node.col_offset + 1, c.name)))
        plan.set("scheduler.raw_type", PlanValue(f"keras.callbacks.{c.name}",
                                                 source=plan.get("scheduler.type").source))
        plan.set("scheduler.interval", PlanValue("epoch", source=Provenance(
            doc.path, c.node.lineno, c.node.col_offset + 1, "on_epoch_end", default=True, derived=True)))
        d = RLROP_DEFAULTS
        self._value(doc, script, plan, "scheduler.patience", c, "patience", d["patience"], EPOCH)
        self._value(doc, script, plan, "scheduler.factor", c, "factor", d["factor"])
        self._value(doc, script, plan, "scheduler.cooldown", c, "cooldown", d["cooldown"], EPOCH)
        self._value(doc, script, plan, "scheduler.min_lr", c, "min_lr", d["min_lr"])
        self._value(doc, script, plan, "scheduler.monitor", c, "monitor", d["monitor"], types=(str,))
        mode = c.args.get("mode")
        if mode is not None:
            ok, v = literal(script, mode)
            if ok and v in ("min", "max"):
                self._value(doc, script, plan, "scheduler.mode", c, "mode", None, types=(str,))

    def _early_stopping(self, doc: Document, script: Script, plan: TrainingPlan, c: Call) -> None:
        start = c.args.get("start_from_epoch")
        if start is not None and literal(script, start) != (True, 0):
            plan.notes.append("EarlyStopping(start_from_epoch=...): not compared with the plateau callback")
            return
        self._value(doc, script, plan, "early_stopping.patience", c, "patience", ES_DEFAULTS["patience"], EPOCH)
        self._value(doc, script, plan, "early_stopping.monitor", c, "monitor", ES_DEFAULTS["monitor"], types=(str,))

    def _epochs(self, doc: Document, script: Script, plan: TrainingPlan, fits: list[Call]) -> None:
        if not fits:
            return
        if any(c.opaque or "initial_epoch" in c.args for c in fits):
            plan.notes.append("fit(initial_epoch=...) or **kwargs: run length not read")
            return
        values = {literal(script, c.args["epochs"]) for c in fits}
        if len(values) != 1:
            plan.notes.append(f"{len(fits)} fit calls with different epochs: run length not read")
            return
        self._value(doc, script, plan, "run.epochs", fits[0], "epochs", None, EPOCH)

    def _lr(self, doc: Document, script: Script, plan: TrainingPlan, calls: list[Call]) -> None:
        opt, why = _one(calls, "optimizer")
        if why:
            return
        if opt is not None:
            if "learning_rate" in opt.args:
                self._value(doc, script, plan, "optimizer.lr", opt, "learning_rate", None)
            else:
                lr = OPTIMIZER_DEFAULT_LR.get(opt.name.lower())
                if lr is not None:
                    self._value(doc, script, plan, "optimizer.lr", opt, "learning_rate", lr)
            return
        compiles = [c for c in calls if c.kind == "compile" and "optimizer" in c.args]
        names = {literal(script, c.args["optimizer"]) for c in compiles}
        if len(names) == 1:
            ok, name = next(iter(names))
            if ok and isinstance(name, str) and name.lower() in OPTIMIZER_DEFAULT_LR:
                self.put(plan, "optimizer.lr", OPTIMIZER_DEFAULT_LR[name.lower()], self._anchor(doc, compiles[0].node),
                         key=f"compile(optimizer={name!r})")


DIALECT = Keras()
