"""mmengine dialect: OpenMMLab Python dict configs (mmdetection, mmpretrain, mmocr, mmseg ...).

Layout (research/dialects.md table 2B, [MM-*])::

    _base_ = ['../_base_/schedules/schedule_1x.py', ...]      # merged first, in order
    optim_wrapper = dict(type='OptimWrapper' | 'AmpOptimWrapper', loss_scale='dynamic',
                         optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05),
                         clip_grad=dict(max_norm=0.1) | dict(type='value', clip_value=1.0),
                         accumulative_counts=1)
    param_scheduler = [dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0, end=500),
                       dict(type='MultiStepLR', by_epoch=True, milestones=[8, 11], gamma=0.1)]
    train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)
    train_dataloader = dict(batch_size=2, ...)                 # per GPU
    custom_hooks = [dict(type='EarlyStoppingHook', monitor=..., patience=5)]

Inheritance (mmengine ``config.py``): every ``_base_`` file is loaded relative to the config
(:meth:`Context.load_relative`), recursively, and merged key by key; a child mapping with
``_delete_=True`` replaces the base mapping instead. Inherited values keep the base file's
path and line as provenance. ``with read_base(): from .._base_.x import *`` is resolved the
same way. Missing base files become plan notes. References like ``_base_.train_list`` are
looked up in the merged bases.

Units (research §3.7): each scheduler's ``begin``/``end``/``T_max``/``milestones``/``step_size``
is in epochs when its ``by_epoch`` is True (the default) and in iterations otherwise;
``convert_to_iter_based=True`` keeps the numbers in epochs but steps per iteration.
``ReduceOnPlateauLR`` and ``EarlyStoppingHook`` are stepped after each validation run, so their
patience counts evaluations (``train_cfg.val_interval`` epochs apart).

mmcv 1.x configs (mmdetection 2.x, mmseg 0.x, mmediting 0.x ...) describe the same run with
``optimizer``/``optimizer_config``/``lr_config``/``runner``/``data`` (see :mod:`.mmcv_lr`).
"""

from __future__ import annotations

import os
import re

from ..document import UNRESOLVED, Document, Node
from ..plan import EPOCH, EVAL, FRACTION_OF_LR, ITERATION, PlanValue, Provenance, TrainingPlan
from .base import Context, Dialect, merge_nodes, missing_base, number_of
from . import mmcv_lr
from .names import optimizer_family, scheduler_kind

_SIGNATURE = {"_base_", "optim_wrapper", "param_scheduler", "train_cfg", "auto_scale_lr", "default_hooks",
              "custom_hooks", "train_dataloader", "val_evaluator", "default_scope", "env_cfg", "optimizer_config",
              "lr_config", "runner", "log_config", "workflow", "val_cfg", "test_cfg"}
_MAX_BASE_DEPTH = 10
_BASE_REF = re.compile(r"^_base_\.([A-Za-z_][\w.]*)$")
_WARMUP_TYPES = {"linearlr", "constantlr", "linearparamscheduler", "quadraticwarmuplr", "linearwarmup"}
#: ``ReduceOnPlateauLR`` defaults (mmengine@2543429 ``lr_scheduler.py``/``param_scheduler.py:1289-1386``).
PLATEAU_DEFAULTS = {"monitor": "loss", "patience": 10, "factor": 0.1}
#: ``EarlyStoppingHook`` default patience (mmengine ``hooks/early_stopping_hook.py:43-66``).
EARLY_STOPPING_PATIENCE = 5
_BN_TYPES = {"bn", "bn1d", "bn2d", "bn3d", "syncbn", "naivesyncbn", "mmsyncbn", "batchnorm", "batchnorm2d"}


class MMEngine(Dialect):
    """OpenMMLab ``mmengine``/``mmcv`` Python configs."""

    name = "mmengine"
    evidence_keys = frozenset(_SIGNATURE)
    #: 0.6 + 0.05 per mmengine name: ``_base_`` alone is mmengine/mmcv's own inheritance syntax
    high_score = 0.65
    title = "OpenMMLab mmengine config"
    formats = ("python",)
    loader = "python"
    scheduler_interval = "epoch"

    def detect(self, doc: Document) -> float:
        """Any of the mmengine top-level names (``_base_`` alone is enough)."""
        hits = len(doc.keys() & _SIGNATURE) + len(doc.meta.get("read_base", []))
        return 0.0 if hits == 0 else min(0.95, 0.6 + 0.05 * hits)

    # -- inheritance ----------------------------------------------------------------
    def root(self, doc: Document, ctx: Context, plan: TrainingPlan) -> Node:
        """The config merged over its ``_base_`` files (see the module docstring)."""
        return self._resolve(doc, ctx, plan, 0, {os.path.normpath(doc.path)})

    def _resolve(self, doc: Document, ctx: Context, plan: TrainingPlan, depth: int, seen: set[str]) -> Node:
        bases = _base_refs(doc)
        merged_bases: Node | None = None
        for ref, near in bases:
            path = ref if "::" in ref else os.path.normpath(os.path.join(os.path.dirname(doc.path), ref))
            if path in seen or depth >= _MAX_BASE_DEPTH:
                plan.notes.append(f"_base_ cycle or too deep at {ref}; skipped")
                continue
            base = ctx.load(path) if os.path.isfile(path) else None
            if base is None or base.fmt != "python":
                missing_base(plan, ref, path, near, "_base_",
                             f"_base_ file not found: {ref} (from {os.path.basename(doc.path)}); values it sets are unknown")
                continue
            plan.documents.append(base)
            tree = self._resolve(base, ctx, plan, depth + 1, seen | {path})
            merged_bases = tree if merged_bases is None else merge_nodes(merged_bases, tree, "_delete_")
        own = Node({k: v for k, v in doc.root.value.items() if k != "_base_"}, path=doc.path)
        if merged_bases is None:
            return own
        own = _substitute(own, merged_bases)
        return merge_nodes(merged_bases, own, "_delete_")

    # -- normalization --------------------------------------------------------------
    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Optimizer wrapper, train loop, dataloader, schedulers, hooks, norm layers and loss weights."""
        self._optimizer(root, plan)
        self._train_loop(root, plan)
        bs = root.find("train_dataloader.batch_size")
        if bs is not None:
            self.take(plan, "batch.per_device", bs, "train_dataloader.batch_size", "per_device")
        if bs is None:  # mmcv 1.x: data=dict(samples_per_gpu=2, ...) (mmcv ``build_dataloader``)
            spg = root.find("data.samples_per_gpu")
            if spg is not None:
                self.take(plan, "batch.per_device", spg, "data.samples_per_gpu", "per_device")
        self._schedulers(root, plan)
        if root.get("param_scheduler") is None and root.get("lr_config") is not None:
            mmcv_lr.read_lr_config(self, root, plan)
        self._hooks(root, plan)
        self._model(root, plan)

    def _optimizer(self, root: Node, plan: TrainingPlan) -> None:
        wrapper = root.get("optim_wrapper")
        opt, key = (wrapper.get("optimizer"), "optim_wrapper.optimizer") if wrapper is not None else (None, "")
        if opt is None:  # mmcv 1.x: optimizer=dict(...), optimizer_config=dict(grad_clip=...)
            opt, key = root.get("optimizer"), "optimizer"
        if opt is not None and opt.is_mapping:
            if opt.get("type") is not None:
                self.take(plan, "optimizer.type", opt.get("type"), f"{key}.type", convert=optimizer_family)
            for arg, field in (("lr", "optimizer.lr"), ("weight_decay", "optimizer.weight_decay"),
                               ("momentum", "optimizer.momentum"), ("betas", "optimizer.betas"),
                               ("eps", "optimizer.eps")):
                if opt.get(arg) is not None:
                    self.take(plan, field, opt.get(arg), f"{key}.{arg}")
        clip, ckey = None, ""
        if wrapper is not None and wrapper.get("clip_grad") is not None:
            clip, ckey = wrapper.get("clip_grad"), "optim_wrapper.clip_grad"
        elif root.find("optimizer_config.grad_clip") is not None:
            clip, ckey = root.find("optimizer_config.grad_clip"), "optimizer_config.grad_clip"
        if clip is not None and clip.is_mapping:
            ctype = clip.get("type")
            if ctype is not None and str(ctype.value).lower() == "value" and clip.get("clip_value") is not None:
                self.take(plan, "clip.value", clip.get("clip_value"), f"{ckey}.clip_value")
            elif clip.get("max_norm") is not None:
                self.take(plan, "clip.max_norm", clip.get("max_norm"), f"{ckey}.max_norm")
        ocfg = root.get("optimizer_config")
        if ocfg is not None and ocfg.is_mapping and ocfg.get("cumulative_iters") is not None:
            # mmcv 1.x GradientCumulativeOptimizerHook(cumulative_iters=1) (hooks/optimizer.py:103-121)
            self.take(plan, "batch.grad_accum", ocfg.get("cumulative_iters"), "optimizer_config.cumulative_iters")
        if wrapper is None or not wrapper.is_mapping:
            return
        if wrapper.get("accumulative_counts") is not None:
            self.take(plan, "batch.grad_accum", wrapper.get("accumulative_counts"), "optim_wrapper.accumulative_counts")
        wtype = wrapper.get("type")
        if wtype is not None and wtype.value == "AmpOptimWrapper":
            dtype = wrapper.get("dtype")
            bf16 = dtype is not None and str(dtype.value) in ("bfloat16", "bf16")
            self.put(plan, "precision.bf16" if bf16 else "precision.fp16", True, wtype, key="optim_wrapper.type",
                     default=False)
            if not bf16:
                ls = wrapper.get("loss_scale")
                if ls is not None and ls.is_scalar:
                    self.take(plan, "precision.loss_scale", ls, "optim_wrapper.loss_scale")
                else:  # AmpOptimWrapper(loss_scale='dynamic') default [MM-AMP:69-98]
                    self.put(plan, "precision.loss_scale", "dynamic", wtype, key="optim_wrapper.loss_scale")

    def _train_loop(self, root: Node, plan: TrainingPlan) -> None:
        """``train_cfg`` (or mmcv ``runner``): run length and eval interval, in epochs or iterations."""
        cfg, key = root.get("train_cfg"), "train_cfg"
        if cfg is None or not cfg.is_mapping:
            cfg, key = root.get("runner"), "runner"
        if cfg is None or not cfg.is_mapping:
            total = root.get("total_epochs")
            if total is not None and total.is_scalar and root.get("lr_config") is not None:
                # mmcv 1.x before ``runner``: mmdet/mmseg ``train_*`` build
                # ``runner = dict(type='EpochBasedRunner', max_epochs=cfg.total_epochs)`` from it
                self.take(plan, "run.epochs", total, "total_epochs", EPOCH)
            return
        loop_type = str((cfg.get("type").value if cfg.get("type") is not None else "") or "")
        by_epoch_node = cfg.get("by_epoch")
        by_epoch = not ("Iter" in loop_type or (by_epoch_node is not None and by_epoch_node.value is False)
                        or (cfg.get("max_iters") is not None and cfg.get("max_epochs") is None))
        if by_epoch and cfg.get("max_epochs") is not None:
            self.take(plan, "run.epochs", cfg.get("max_epochs"), f"{key}.max_epochs", EPOCH)
        if not by_epoch and cfg.get("max_iters") is not None:
            self.take(plan, "run.max_steps", cfg.get("max_iters"), f"{key}.max_iters", ITERATION)
        if cfg.get("val_interval") is not None:
            self.take(plan, "eval.interval", cfg.get("val_interval"), f"{key}.val_interval",
                      EPOCH if by_epoch else ITERATION)
        ev = root.get("evaluation")
        if key == "runner" and ev is not None and ev.is_mapping and ev.get("interval") is not None:
            # mmcv 1.x EvalHook(interval): mmdet/mmseg ``train_*`` set its by_epoch to
            # ``runner.type != 'IterBasedRunner'``, so the interval is in the runner's unit
            self.take(plan, "eval.interval", ev.get("interval"), "evaluation.interval", EPOCH if by_epoch else ITERATION)

    def _schedulers(self, root: Node, plan: TrainingPlan) -> None:
        """``param_scheduler``: a leading warmup entry, then the main scheduler."""
        ps = root.get("param_scheduler")
        if ps is None:
            return
        entries = ps.value if ps.is_sequence else [ps]
        entries = [(i, e) for i, e in enumerate(entries) if e.is_mapping and e.get("type") is not None]
        prefix = "param_scheduler" if ps.is_sequence else None
        main = None
        for pos, (i, e) in enumerate(entries):
            key = f"{prefix}.{i}" if prefix else "param_scheduler"
            kind = str(e.get("type").value).lower()
            if pos == 0 and len(entries) > 1 and kind in _WARMUP_TYPES:
                self._warmup(e, key, plan)
                continue
            main = (key, e)
            break
        if main is None:
            return
        key, e = main
        by_epoch = _flag(e, "by_epoch", True)
        per_iter = not by_epoch or _flag(e, "convert_to_iter_based", False)
        unit = EPOCH if by_epoch else ITERATION
        t = e.get("type")
        pv = self.take(plan, "scheduler.type", t, f"{key}.type")
        plan.set("scheduler.raw_type", PlanValue(t.value, source=pv.source))
        pv.value = scheduler_kind(t.value)
        plan.set("scheduler.interval", PlanValue("step" if per_iter else "epoch", source=_default_src(pv)))
        for arg, field, counted in (("T_max", "scheduler.t_max", True), ("eta_min", "scheduler.min_lr", False),
                                    ("milestones", "scheduler.milestones", True), ("gamma", "scheduler.gamma", False),
                                    ("step_size", "scheduler.step_size", True), ("factor", "scheduler.factor", False),
                                    ("cooldown", "scheduler.cooldown", True)):
            if e.get(arg) is not None:
                self.take(plan, field, e.get(arg), f"{key}.{arg}", unit if counted else None)
        if e.get("eta_min_ratio") is not None:
            self.take(plan, "scheduler.min_lr", e.get("eta_min_ratio"), f"{key}.eta_min_ratio", FRACTION_OF_LR)
        if pv.value == "cosine" and not plan.has("scheduler.t_max"):
            begin = number_of(e.get("begin")) if e.get("begin") is not None else 0
            end = number_of(e.get("end")) if e.get("end") is not None else None
            if end is None:
                end = plan.number("run.epochs") if by_epoch else plan.number("run.max_steps")
            if end is not None and begin is not None:  # CosineAnnealingLR.T_max defaults to end - begin
                span = end - begin
                self.put(plan, "scheduler.t_max", int(span) if float(span).is_integer() else span, t,
                         key=f"{key}.T_max", unit=unit, derived=True)
        if pv.value == "polynomial" and e.get("end") is not None and number_of(e.get("end")) is not None:
            # PolyLR reaches eta_min at ``end`` and stays there (mmengine ``PolyParamScheduler``:
            # total_iters = end - begin - 1); an omitted ``end`` is the run length (runner
            # ``build_param_scheduler`` setdefault), so only a stated one can mismatch the run.
            end = number_of(e.get("end"))
            dpv = self.take(plan, "scheduler.decay_steps", e.get("end"), f"{key}.end", unit)
            dpv.value = int(end) if float(end).is_integer() else end
        if pv.value == "plateau":
            self._plateau(e, key, pv, plan)

    def _warmup(self, e: Node, key: str, plan: TrainingPlan) -> None:
        by_epoch = _flag(e, "by_epoch", True)
        begin = number_of(e.get("begin")) if e.get("begin") is not None else 0
        end_node = e.get("end")
        if end_node is None or number_of(end_node) is None or begin is None:
            return
        pv = self.take(plan, "warmup.steps", end_node, f"{key}.end", EPOCH if by_epoch else ITERATION)
        pv.value = number_of(end_node) - begin

    def _plateau(self, e: Node, key: str, pv: PlanValue, plan: TrainingPlan) -> None:
        """ReduceOnPlateauLR: stepped after validation, patience in evaluations; ``rule`` gives the mode."""
        plan.set("scheduler.interval", PlanValue("epoch", source=_default_src(pv)))
        for arg in ("monitor", "patience"):
            field = f"scheduler.{arg}"
            if e.get(arg) is not None:
                self.take(plan, field, e.get(arg), f"{key}.{arg}", EVAL if arg == "patience" else None)
            else:
                self.put(plan, field, PLATEAU_DEFAULTS[arg], e.get("type"), key=f"{key}.{arg}",
                         unit=EVAL if arg == "patience" else None)
        if not plan.has("scheduler.factor"):
            self.put(plan, "scheduler.factor", PLATEAU_DEFAULTS["factor"], e.get("type"), key=f"{key}.factor")
        rule = e.get("rule")
        if rule is not None and rule.value in ("less", "greater"):
            self.take(plan, "scheduler.mode", rule, f"{key}.rule", convert=lambda v: "min" if v == "less" else "max")
        else:
            self.put(plan, "scheduler.mode", "min", e.get("type"), key=f"{key}.rule")

    def _hooks(self, root: Node, plan: TrainingPlan) -> None:
        hooks = root.get("custom_hooks")
        for i, h in enumerate(hooks.value if hooks is not None and hooks.is_sequence else []):
            if h.is_mapping and h.get("type") is not None and h.get("type").value == "EarlyStoppingHook":
                key = f"custom_hooks.{i}"
                if h.get("monitor") is not None:
                    self.take(plan, "early_stopping.monitor", h.get("monitor"), f"{key}.monitor")
                if h.get("patience") is not None:
                    self.take(plan, "early_stopping.patience", h.get("patience"), f"{key}.patience", EVAL)
                else:
                    self.put(plan, "early_stopping.patience", EARLY_STOPPING_PATIENCE, h.get("type"),
                             key=f"{key}.patience", unit=EVAL)
        ck = root.find("default_hooks.checkpoint")
        if ck is not None and ck.is_mapping and ck.get("interval") is not None:
            self.take(plan, "save.interval", ck.get("interval"), "default_hooks.checkpoint.interval",
                      EPOCH if _flag(ck, "by_epoch", True) else ITERATION)

    def _model(self, root: Node, plan: TrainingPlan) -> None:
        """``norm_cfg=dict(type='BN'|'SyncBN')`` → uses_batchnorm; ``loss_*=dict(loss_weight=w)`` → loss.weights."""
        model = root.get("model")
        if model is None or not model.is_mapping:
            return
        terms: dict[str, PlanValue] = {}
        first: Node | None = None
        for path, node in model.walk("model"):
            leaf = path.rsplit(".", 1)[-1]
            if leaf == "norm_cfg" and node.is_mapping and not plan.has("model.uses_batchnorm"):
                t = node.get("type")
                if t is not None and str(t.value).lower() in _BN_TYPES:
                    self.put(plan, "model.uses_batchnorm", True, node, key=f"{path}.type", default=False)
            if leaf.startswith("loss") and node.is_mapping and node.get("loss_weight") is not None:
                w = node.get("loss_weight")
                terms[path] = self.value_of(w, f"{path}.loss_weight", "optimizer.lr", None, False, plan.path)
                first = first or w
        if len(terms) >= 2 and first is not None:
            line, col = first.anchor
            plan.set("loss.weights", PlanValue(terms, source=Provenance(first.path or plan.path, line, col,
                                                                         next(iter(terms)))))


def _flag(node: Node, key: str, default: bool) -> bool:
    v = node.get(key)
    return v.value if v is not None and isinstance(v.value, bool) else default


def _default_src(pv: PlanValue) -> Provenance | None:
    s = pv.source
    return Provenance(s.path, s.line, s.column, s.key, default=True) if s else None


def _base_refs(doc: Document) -> list[tuple[str, Node]]:
    """``(relative path, node that names it)`` of the ``_base_`` entries (a string or a list of
    strings) plus the ``read_base()`` imports. ``pkg::path`` references (installed packages) are kept as written."""
    node = doc.root.get("_base_")
    refs: list[tuple[str, Node]] = []
    if node is not None:
        items = node.value if node.is_sequence else [node]
        refs = [(n.value, n) for n in items if isinstance(n.value, str)]
    for imp in doc.meta.get("read_base", []):
        level, module = imp.get("level") or 0, imp.get("module") or ""
        if level:
            ref = "/".join([".."] * (level - 1) + module.split(".")) + ".py"
            refs.append((ref, Node(ref, imp.get("line") or 1, 1, path=doc.path)))
    return refs


def _substitute(node: Node, bases: Node) -> Node:
    """Replace ``_base_.x.y`` references (unresolved Python attributes) by the base value."""
    if node.value is UNRESOLVED and node.raw:
        m = _BASE_REF.match(node.raw.strip())
        found = bases.find(m.group(1)) if m else None
        if found is not None:
            return found
        return node
    if node.is_mapping:
        return Node({k: _substitute(c, bases) for k, c in node.value.items()}, node.line, node.column,
                    node.key_line, node.key_column, path=node.path)
    if node.is_sequence:
        return Node([_substitute(c, bases) for c in node.value], node.line, node.column, node.key_line,
                    node.key_column, path=node.path)
    return node


DIALECT = MMEngine()
