"""neuraloperator dialect: the YAML configs (≤ 2025-05) and the zencfg Python classes (HEAD).

**YAML** (research/dialects.md §1, table 2C, [NO-T]): top-level *named sections*
(``default: &DEFAULT``, ``original_fno:``, ``cfd: &CFD`` ...) selected by ``config_name``; later
sections reuse the first through ``<<: *DEFAULT`` anchors. We normalize the ``default``
section, or the first one. Files are read by configmypy with ``ruamel.yaml`` (YAML 1.2), so
``1e-4`` **is** a float (``loader = "ruamel"``). Keys::

    opt: {n_epochs, learning_rate, weight_decay, scheduler, scheduler_patience, scheduler_T_max,
          step_size, gamma, training_loss, loss_weights, amp_autocast}
    data: {batch_size}       wandb: {eval_interval}      <arch>: {dropout}

**zencfg** (neuraloperator@93d3f06 ``config/opt.py``): ``class BurgersOptConfig(OptimizationConfig)``
with annotated defaults; ``class Default`` wires ``opt: OptimizationConfig = BurgersOptConfig()``.
The opt class is merged over its base class (in the same file, or a sibling module imported
with ``from .opt import OptimizationConfig`` when present).

Semantics (research §3.12, ``neuralop/training/trainer.py:279-282``): schedulers step **per
epoch**; ``ReduceLROnPlateau`` uses ``factor = gamma`` and ``scheduler.step(train_err)``, i.e. it
monitors the **training** loss; ``scheduler_patience``, ``step_size`` and ``scheduler_T_max``
are epochs and only the keys of the selected scheduler are used (the others are ignored,
so they are not put in the plan).
"""

from __future__ import annotations

import os

from ..document import Document, Node
from ..plan import EPOCH, PlanValue, Provenance, TrainingPlan
from .base import Context, Dialect, merge_nodes, number_of
from .names import scheduler_kind

_OPT_KEYS = {"n_epochs", "learning_rate", "scheduler_patience", "scheduler_T_max", "training_loss", "scheduler",
             "step_size", "weight_decay", "testing_loss"}


def _opt_classes(doc: Document) -> list[str]:
    """Names of classes in a zencfg file that look like optimization configs."""
    out = []
    for name, node in doc.root.value.items():
        if name in doc.meta.get("classes", {}) and node.is_mapping and len(set(node.value) & _OPT_KEYS) >= 3:
            out.append(name)
    return out


#: architectures whose data loaders yield one variable-size geometry per batch element
#: (neuraloperator GINO: a mesh with its own query points; batch_size 1 in its configs)
GEOMETRY_ARCHS = frozenset({"gino", "fnogno"})

class NeuralOperator(Dialect):
    """neuraloperator ``config/*.yaml`` (configmypy) and ``config/*.py`` (zencfg)."""

    name = "neuraloperator"
    #: a zencfg class with an ``opt`` block (0.8) or a YAML section with three ``opt`` keys (0.85)
    high_score = 0.8
    title = "neuraloperator (configmypy YAML / zencfg)"
    formats = ("yaml", "python")
    loader = "ruamel"
    scheduler_interval = "epoch"

    def detect(self, doc: Document) -> float:
        """A named section (YAML) or a zencfg class (Python) holding an ``opt`` block with its keys."""
        if doc.fmt == "python":
            zen = any(i.get("module") == "zencfg" for i in doc.meta.get("imports", []))
            return 0.8 if zen and _opt_classes(doc) else 0.0
        section = self._section(doc.root)
        opt = section[1].get("opt") if section else None
        if opt is None or not opt.is_mapping or len(set(opt.value) & _OPT_KEYS) < 3:
            return 0.0
        return 0.85

    def evidence(self, doc: Document) -> tuple[str, ...]:
        """The zencfg import, or the section whose ``opt`` block holds the optimizer keys."""
        if doc.fmt == "python":
            return ("import zencfg", "opt config class") if self.detect(doc) else ()
        section = self._section(doc.root)
        opt = section[1].get("opt") if section else None
        if opt is None or not opt.is_mapping:
            return ()
        return tuple(f"key {section[0]}.opt.{k}" for k in sorted(set(opt.value) & _OPT_KEYS))

    @staticmethod
    def _section(root: Node) -> tuple[str, Node] | None:
        """``("default", node)`` or the first top-level mapping section."""
        if not root.is_mapping:
            return None
        if root.get("default") is not None and root.get("default").is_mapping:
            return "default", root.get("default")
        for key, node in root.value.items():
            if node.is_mapping:
                return key, node
        return None

    def root(self, doc: Document, ctx: Context, plan: TrainingPlan) -> Node:
        """YAML: the selected section. Python: ``{opt: <merged opt class>, data: <data class>}``."""
        if doc.fmt == "python":
            plan.loader = "python"
            return self._zencfg(doc, ctx, plan)
        name, node = self._section(doc.root)
        self._prefix = name
        if len([k for k, v in doc.root.value.items() if v.is_mapping]) > 1:
            plan.notes.append(f"neuraloperator: normalized section {name!r}; other sections are selected with "
                              "config_name and are not linted")
        return node

    def normalize(self, doc: Document, ctx: Context) -> TrainingPlan:
        """:meth:`Dialect.normalize` with the key prefix of the chosen section reset per call."""
        self._prefix = self._data_prefix = ""
        return super().normalize(doc, ctx)

    def _zencfg(self, doc: Document, ctx: Context, plan: TrainingPlan) -> Node:
        classes: dict[str, list[str]] = doc.meta.get("classes", {})
        out: dict[str, Node] = {}
        default = doc.root.get("Default")
        wired = default.get("opt") if default is not None and default.is_mapping else None
        wanted = (wired.raw or "").split("(")[0].strip() if wired is not None and wired.raw else ""
        names = _opt_classes(doc)
        name = wanted if wanted in doc.root.value else (names[-1] if names else None)
        if name is not None:
            out["opt"] = self._with_bases(doc, name, classes, ctx, plan, 0)
            self._prefix = name
        data = default.get("data") if default is not None and default.is_mapping else None
        data_cls = (data.raw or "").split("(")[0].strip() if data is not None and data.raw else ""
        if data_cls in doc.root.value:
            out["data"] = doc.root.get(data_cls)
            self._data_prefix = data_cls
        return Node(out, path=doc.path)

    def _with_bases(self, doc: Document, name: str, classes: dict, ctx: Context, plan: TrainingPlan,
                    depth: int) -> Node:
        """Class body merged over its base classes (same file, or ``from .mod import Base``)."""
        node = doc.root.get(name)
        merged: Node | None = None
        for base in classes.get(name, []):
            if base == "ConfigBase" or depth > 5:
                continue
            tree = None
            if base in doc.root.value and base in classes:
                tree = self._with_bases(doc, base, classes, ctx, plan, depth + 1)
            else:
                for imp in doc.meta.get("imports", []):
                    if base in imp.get("names", []) and imp.get("level") == 1 and imp.get("module"):
                        path = os.path.join(os.path.dirname(doc.path), imp["module"].replace(".", "/") + ".py")
                        sub = ctx.load(path) if os.path.isfile(path) else None
                        if sub is not None and base in sub.root.value:
                            plan.documents.append(sub)
                            tree = self._with_bases(sub, base, sub.meta.get("classes", {}), ctx, plan, depth + 1)
                if tree is None:
                    plan.notes.append(f"zencfg base class {base} of {name} not found; its defaults are unknown")
            if tree is not None:
                merged = tree if merged is None else merge_nodes(merged, tree)
        return node if merged is None else merge_nodes(merged, node)

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Optimizer, run length, the selected scheduler's keys, batch, loss weights, AMP, dropout."""
        prefix = f"{self._prefix}." if self._prefix else ""
        opt = root.get("opt")
        if opt is None or not opt.is_mapping:
            return
        op = f"{prefix}opt" if doc.fmt == "yaml" else prefix.rstrip(".")

        def take(field: str, key: str, unit: str | None = None) -> PlanValue | None:
            node = opt.get(key)
            if node is None or node.value is None:
                return None
            return self.take(plan, field, node, f"{op}.{key}", unit)

        take("optimizer.lr", "learning_rate")
        take("optimizer.weight_decay", "weight_decay")
        take("run.epochs", "n_epochs", EPOCH)
        self.put(plan, "optimizer.type", "adamw", opt, key=f"{op} (AdamW in the train script)")
        sched = take("scheduler.type", "scheduler")
        if sched is not None and sched.resolved:
            plan.set("scheduler.raw_type", PlanValue(sched.value, source=sched.source))
            sched.value = scheduler_kind(sched.value)
            if sched.value == "plateau":
                take("scheduler.patience", "scheduler_patience", EPOCH)
                take("scheduler.factor", "gamma")
                self.put(plan, "scheduler.monitor", "train_loss", sched, key=f"{op}.scheduler (scheduler.step(train_err))", derived=True)
                self.put(plan, "scheduler.mode", "min", sched, key=f"{op}.scheduler", derived=True)
            elif sched.value == "step":
                take("scheduler.step_size", "step_size", EPOCH)
                take("scheduler.gamma", "gamma")
            elif sched.value == "cosine":
                take("scheduler.t_max", "scheduler_T_max", EPOCH)
        for key in ("amp_autocast", "mixed_precision"):
            node = opt.get(key)
            if node is not None and isinstance(node.value, bool):
                self.take(plan, "precision.fp16", node, f"{op}.{key}")
        interval = opt.get("eval_interval") or root.find("wandb.eval_interval")
        if interval is not None and number_of(interval) is not None:
            key = f"{op}.eval_interval" if opt.get("eval_interval") is not None else f"{prefix}wandb.eval_interval"
            self.take(plan, "eval.interval", interval, key, EPOCH)
        bs = root.find("data.batch_size")
        if bs is not None:
            key = f"{prefix}data.batch_size" if doc.fmt == "yaml" else f"{self._data_prefix}.batch_size"
            self.take(plan, "batch.per_device", bs, key, "per_device")
        arch = root.get("arch")
        if bs is not None and arch is not None and str(arch.value).strip().lower() in GEOMETRY_ARCHS:
            # GINO trains on one irregular geometry (mesh + query points) per step by design
            self.put(plan, "batch.sample_kind", "geometry", arch, key=f"{prefix}arch", derived=True)
        block = root.get(arch.value) if arch is not None and isinstance(arch.value, str) else None
        if block is not None and block.is_mapping and block.get("dropout") is not None:
            self.take(plan, "model.dropout", block.get("dropout"), f"{prefix}{arch.value}.dropout")
        self._loss_weights(opt, op, plan)

    def _loss_weights(self, opt: Node, op: str, plan: TrainingPlan) -> None:
        lw = opt.get("loss_weights")
        if lw is None or not lw.is_mapping:
            return
        terms = {str(k).strip(): self.value_of(v, f"{op}.loss_weights.{k}", "optimizer.lr", None, False, plan.path)
                 for k, v in lw.value.items() if v.is_scalar and number_of(v) is not None}
        if terms:
            line, col = lw.anchor
            plan.set("loss.weights", PlanValue(terms, source=Provenance(lw.path or plan.path, line, col,
                                                                         f"{op}.loss_weights")))


DIALECT = NeuralOperator()
