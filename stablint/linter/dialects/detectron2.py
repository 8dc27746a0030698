"""detectron2 dialect: yacs ``CfgNode`` YAML (``SOLVER.BASE_LR``, ``_BASE_`` inheritance).

Loading (research/dialects.md §1, fvcore@3378afe ``config.py:45-112``, yacs@32d5e4a
``config.py:405-439``): ``_BASE_`` (a path relative to the file, or a list) is loaded first,
recursively, and the file is merged over it; then yacs runs ``literal_eval`` on every string
value, so ``"(60000, 80000)"`` is a tuple and ``1e-4`` a float (``loader = "yacs"``,
``coerces = True``). Missing base files become plan notes.

Every config is finally merged over detectron2's built-in defaults
(detectron2@02b5c4e ``detectron2/config/defaults.py`` [D2-DEF]). Those defaults are filled in
(``default=True``) only when the whole ``_BASE_`` chain was found, so that a missing base
file never makes us claim a default the base would have overridden.

Units (research §3.8): everything is in **iterations**; ``IMS_PER_BATCH`` is the **global**
batch; ``CLIP_GRADIENTS.CLIP_TYPE`` defaults to ``"value"`` (not ``"norm"``); warmup lasts
``WARMUP_ITERS`` iterations from ``BASE_LR × WARMUP_FACTOR``; with ``REFERENCE_WORLD_SIZE``
set, ``auto_scale_workers`` rescales batch, LR and schedule (noted, not applied).
"""

from __future__ import annotations

import os

from ..document import Document, Node
from ..plan import GLOBAL, ITERATION, PlanValue, Provenance, TrainingPlan
from .base import Context, Dialect, merge_nodes, missing_base, number_of
from .names import scheduler_kind
from . import known_keys as kk

_KNOWN_KEYS = kk.DETECTRON2.keys

_TOP = {"_BASE_", "MODEL", "SOLVER", "DATASETS", "INPUT", "TEST", "DATALOADER", "VERSION", "OUTPUT_DIR", "SEED",
        "CUDNN_BENCHMARK", "GLOBAL", "VIS_PERIOD"}
_MAX_DEPTH = 10

#: ``detectron2/config/defaults.py`` SOLVER/TEST defaults used by the plan.
DEFAULTS: dict[str, object] = {
    "SOLVER.BASE_LR": 0.001, "SOLVER.MOMENTUM": 0.9, "SOLVER.WEIGHT_DECAY": 0.0001, "SOLVER.IMS_PER_BATCH": 16,
    "SOLVER.MAX_ITER": 40000, "SOLVER.STEPS": [30000], "SOLVER.GAMMA": 0.1, "SOLVER.WARMUP_ITERS": 1000,
    "SOLVER.WARMUP_FACTOR": 1.0 / 1000, "SOLVER.LR_SCHEDULER_NAME": "WarmupMultiStepLR",
    "SOLVER.CHECKPOINT_PERIOD": 5000, "SOLVER.CLIP_GRADIENTS.ENABLED": False,
    "SOLVER.CLIP_GRADIENTS.CLIP_TYPE": "value", "SOLVER.CLIP_GRADIENTS.CLIP_VALUE": 1.0,
    "SOLVER.AMP.ENABLED": False, "TEST.EVAL_PERIOD": 0,
}
#: detectron2 scheduler names → canonical kinds (``detectron2/solver/build.py``).
_SCHEDULERS = {"warmupmultisteplr": "multistep", "warmupcosinelr": "cosine", "warmupsteplr": "step",
               "warmupstepwithfixedgammalr": "step", "warmuppolylr": "polynomial"}


def literal(node: Node) -> Node:
    """yacs ``_decode_cfg_value``: ``literal_eval`` every string; a tuple/list becomes a sequence node."""
    if node.is_mapping:
        return Node({k: literal(c) for k, c in node.value.items()}, node.line, node.column, node.key_line,
                    node.key_column, path=node.path)
    if node.is_sequence:
        return Node([literal(c) for c in node.value], node.line, node.column, node.key_line, node.key_column,
                    path=node.path)
    if not isinstance(node.value, str):
        return node
    import ast  # lazy: only yacs configs need it (cold-start budget, issue 7)

    try:
        v = ast.literal_eval(node.value)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return node
    if isinstance(v, (tuple, list)):
        if not all(isinstance(x, (int, float, str, bool)) for x in v):
            return node
        items = [Node(x, node.line, node.column, path=node.path) for x in v]
        return Node(items, node.line, node.column, node.key_line, node.key_column, raw=node.value, path=node.path)
    if isinstance(v, (int, float, bool)):
        return Node(v, node.line, node.column, node.key_line, node.key_column, raw=node.raw or node.value,
                    path=node.path)
    return node


class Detectron2(Dialect):
    """detectron2 yacs configs (``configs/**/*.yaml``, DensePose/Panoptic-DeepLab projects)."""

    name = "detectron2"
    evidence_keys = frozenset(_TOP)
    #: 0.6 + 0.05 per yacs section, and only when upper-case sections are most keys: two are certain
    high_score = 0.7
    title = "detectron2 (yacs)"
    known_keys = _KNOWN_KEYS  # closed top-level key set, for unknown-key (STL004)
    #: yacs raises "Non-existent config key" (existing_checks.md A.9), but projects (DensePose,
    #: Panoptic-DeepLab) add their own top-level nodes (known_keys.py): typos only
    unknown_keys = "typos-only"
    formats = ("yaml",)
    loader = "yacs"
    coerces = True
    scheduler_interval = "step"

    def key_policy(self, doc: Document) -> kk.KeyPolicy | None:
        """Near misses of the top-level nodes of detectron2 v0.4.1-main (known_keys.py), at ``warning``."""
        return kk.KeyPolicy(kk.DETECTRON2, kk.DETECTRON2.keys, kk.DETECTRON2.keys)

    def detect(self, doc: Document) -> float:
        """Upper-case yacs sections (``SOLVER``, ``MODEL``, ``_BASE_`` ...)."""
        keys = doc.keys()
        hits = keys & _TOP
        if not hits & {"_BASE_", "SOLVER", "MODEL"} or len(hits) < len(keys) / 2:
            return 0.0
        return min(0.95, 0.6 + 0.05 * len(hits))

    def root(self, doc: Document, ctx: Context, plan: TrainingPlan) -> Node:
        """The file merged over its ``_BASE_`` chain, with yacs string decoding applied."""
        tree, complete = self._resolve(doc, ctx, plan, 0, {os.path.normpath(doc.path)})
        self._complete = complete
        return literal(tree)

    def _resolve(self, doc: Document, ctx: Context, plan: TrainingPlan, depth: int,
                 seen: set[str]) -> tuple[Node, bool]:
        own = Node({k: v for k, v in doc.root.value.items() if k != "_BASE_"}, path=doc.path)
        base = doc.root.get("_BASE_")
        if base is None:
            return own, True
        refs = [(n.value, n) for n in (base.value if base.is_sequence else [base]) if isinstance(n.value, str)]
        merged: Node | None = None
        complete = True
        for ref, near in refs:
            path = os.path.normpath(os.path.join(os.path.dirname(doc.path), os.path.expanduser(ref)))
            if path in seen or depth >= _MAX_DEPTH:
                plan.notes.append(f"_BASE_ cycle or too deep at {ref}; skipped")
                complete = False
                continue
            sub = ctx.load(path) if os.path.isfile(path) else None
            if sub is None or sub.fmt != "yaml":
                missing_base(plan, ref, path, near, "_BASE_",
                             f"_BASE_ file not found: {ref} (from {os.path.basename(doc.path)}); "
                             "its values and the detectron2 defaults are not applied")
                complete = False
                continue
            plan.documents.append(sub)
            tree, ok = self._resolve(sub, ctx, plan, depth + 1, seen | {path})
            complete = complete and ok
            merged = tree if merged is None else merge_nodes(merged, tree)
        return (own if merged is None else merge_nodes(merged, own)), complete

    def normalize(self, doc: Document, ctx: Context) -> TrainingPlan:
        """:meth:`Dialect.normalize` with per-call state (whether the ``_BASE_`` chain is complete)."""
        self._complete = True
        return super().normalize(doc, ctx)

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """SOLVER, TEST and MODEL fields; detectron2 defaults when the base chain is complete."""
        complete = self._complete
        anchor = root.get("SOLVER") or root

        def node(key: str) -> Node | None:
            found = root.find(key)
            if found is None and complete and key in DEFAULTS:
                value = DEFAULTS[key]
                if isinstance(value, list):
                    value = [Node(v, anchor.line, anchor.column, path=anchor.path) for v in value]
                found = Node(value, anchor.line, anchor.column, anchor.key_line, anchor.key_column,
                             path=anchor.path or plan.path)
                found.raw = "<default>"
            return found

        def take(field: str, key: str, unit: str | None = None) -> PlanValue | None:
            n = node(key)
            if n is None:
                return None
            pv = self.take(plan, field, n, key, unit)
            if n.raw == "<default>" and pv.source is not None:
                s = pv.source
                pv.source = Provenance(s.path, s.line, s.column, key, default=True)
                pv.raw = None
            return pv

        take("optimizer.lr", "SOLVER.BASE_LR")
        take("optimizer.momentum", "SOLVER.MOMENTUM")
        take("optimizer.weight_decay", "SOLVER.WEIGHT_DECAY")
        take("batch.global", "SOLVER.IMS_PER_BATCH", GLOBAL)
        take("run.max_steps", "SOLVER.MAX_ITER", ITERATION)
        take("scheduler.gamma", "SOLVER.GAMMA")
        take("save.interval", "SOLVER.CHECKPOINT_PERIOD", ITERATION)
        opt = root.find("SOLVER.OPTIMIZER")
        if opt is not None:  # project-specific key (Panoptic-DeepLab: "ADAM")
            self.take(plan, "optimizer.type", opt, "SOLVER.OPTIMIZER", convert=lambda v: str(v).lower())
        elif complete:
            self.put(plan, "optimizer.type", "sgd", anchor, key="SOLVER (build_optimizer: torch.optim.SGD)")
        sched = take("scheduler.type", "SOLVER.LR_SCHEDULER_NAME")
        if sched is not None and sched.resolved:
            plan.set("scheduler.raw_type", PlanValue(sched.value, source=sched.source))
            sched.value = _SCHEDULERS.get(str(sched.value).lower(), scheduler_kind(sched.value))
            if sched.value == "multistep":
                take("scheduler.milestones", "SOLVER.STEPS", ITERATION)
            if sched.value == "cosine" and root.find("SOLVER.BASE_LR_END") is not None:
                take("scheduler.min_lr", "SOLVER.BASE_LR_END")
            if sched.value in ("cosine", "polynomial") and plan.has("run.max_steps"):
                mx = plan.get("run.max_steps")
                self.put(plan, "scheduler.t_max", mx.value, mx, key="SOLVER.MAX_ITER", unit=ITERATION, default=False)
        factor = node("SOLVER.WARMUP_FACTOR")
        if factor is None or (number_of(factor) is not None and number_of(factor) < 1):
            take("warmup.steps", "SOLVER.WARMUP_ITERS", ITERATION)
        self._clip(node, take, plan)
        amp = node("SOLVER.AMP.ENABLED")
        if amp is not None and amp.value is True:
            take("precision.fp16", "SOLVER.AMP.ENABLED")
        period = node("TEST.EVAL_PERIOD")
        if period is not None and (number_of(period) or 0) > 0:
            take("eval.interval", "TEST.EVAL_PERIOD", ITERATION)
        ref = root.find("SOLVER.REFERENCE_WORLD_SIZE")
        if ref is not None and (number_of(ref) or 0) > 0:
            plan.notes.append(f"SOLVER.REFERENCE_WORLD_SIZE={ref.value}: detectron2 rescales IMS_PER_BATCH, BASE_LR "
                              "and the schedule to the actual world size (auto_scale_workers); values are as written")
        self._model(root, plan)

    def _clip(self, node, take, plan: TrainingPlan) -> None:
        """``CLIP_GRADIENTS``: only when ENABLED; CLIP_TYPE ``value`` (default) vs ``norm``/``full_model``."""
        enabled = node("SOLVER.CLIP_GRADIENTS.ENABLED")
        if enabled is None or enabled.value is not True:
            return
        ctype = node("SOLVER.CLIP_GRADIENTS.CLIP_TYPE")
        kind = str(ctype.value).lower() if ctype is not None else "value"
        clip_value = node("SOLVER.CLIP_GRADIENTS.CLIP_VALUE")
        if clip_value is None:  # base chain incomplete: the default 1.0 may be overridden
            return
        take("clip.value" if kind == "value" else "clip.max_norm", "SOLVER.CLIP_GRADIENTS.CLIP_VALUE")
        if ctype is None:
            plan.notes.append("SOLVER.CLIP_GRADIENTS.CLIP_TYPE not set: detectron2 clips by VALUE by default")

    def _model(self, root: Node, plan: TrainingPlan) -> None:
        """``*LOSS_WEIGHT``/``*_WEIGHTS`` scalars → loss.weights; ``NORM: BN/SyncBN`` → uses_batchnorm."""
        model = root.get("MODEL")
        if model is None or not model.is_mapping:
            return
        terms: dict[str, PlanValue] = {}
        first: Node | None = None
        for path, n in model.walk("MODEL"):
            leaf = path.rsplit(".", 1)[-1]
            if n.is_scalar and number_of(n) is not None and not isinstance(n.value, bool) and \
                    (leaf.endswith("LOSS_WEIGHT") or (leaf.endswith("_WEIGHTS") and "LOSS" not in leaf)):
                terms[path.removeprefix("MODEL.")] = self.value_of(n, path, "optimizer.lr", None, True, plan.path)
                first = first or n
            if leaf == "NORM" and isinstance(n.value, str) and n.value in ("BN", "SyncBN", "naiveSyncBN", "nnSyncBN"):
                if not plan.has("model.uses_batchnorm"):
                    self.put(plan, "model.uses_batchnorm", True, n, key=path, default=False)
        if len(terms) >= 2 and first is not None:
            line, col = first.anchor
            plan.set("loss.weights", PlanValue(terms, source=Provenance(first.path or plan.path, line, col,
                                                                         "MODEL." + next(iter(terms)))))


DIALECT = Detectron2()
