"""Lightning CLI dialect: ``LightningCLI`` YAML (``class_path``/``init_args``, read by jsonargparse).

Layout (research/dialects.md table 2B, [PL-CLI], [PL-DOC])::

    trainer:   {max_epochs, max_steps, accumulate_grad_batches, gradient_clip_val,
                gradient_clip_algorithm, precision, devices, num_nodes,
                check_val_every_n_epoch, val_check_interval, callbacks: [...]}
    model:     {class_path, init_args: {...}}     # may also hold optimizer/lr/scheduler
    data:      {class_path, init_args: {batch_size, ...}}
    optimizer:    {class_path: torch.optim.AdamW, init_args: {lr, weight_decay, betas}}
    lr_scheduler: {class_path: ReduceLROnPlateau, init_args: {monitor, patience, factor}}

Units and traps (research §3.5):

* every scheduler configured through the CLI steps **per epoch**
  (``LRSchedulerConfig.interval`` defaults to ``"epoch"``, Lightning-AI/pytorch-lightning#15340);
* ``ReduceLROnPlateau`` left without ``patience`` uses torch's default **10**, factor 0.1, mode min;
* ``EarlyStopping.patience`` (default 3, [PL-ES:114-126]) counts *validation checks*: with
  validation at the end of every ``check_val_every_n_epoch``-th epoch it is
  ``patience × check_val_every_n_epoch`` epochs; with ``val_check_interval`` set it stays in
  unit ``eval``;
* jsonargparse's loader reads ``1e-4`` as a float and parses values against type hints,
  so ``loader = "jsonargparse"`` and ``coerces = True``.

Subcommand-nested files (``LightningCLI.subcommands()``: ``fit``, ``validate``, ``test``,
``predict``; lightning ``src/lightning/pytorch/cli.py``) hold one body per subcommand, as a
global ``--config`` given before the subcommand (``python main.py --config cfg.yaml fit``)::

    fit:
      trainer: {max_epochs: 50, devices: 1}
      model:   {...}
      data:    {...}

The ``fit`` body (else the first one present) is read exactly like a flat file; key paths
keep their ``fit.`` prefix. ``max_epochs: -1`` is "train forever" and ``max_steps: -1`` the
default "disabled" (Trainer docstring: "To enable infinite training, set ``max_epochs = -1``";
"max_steps: ... Disabled by default (-1)"): neither is a run length.

Some task classes (terratorch) take the optimizer inside ``model.init_args``:
``optimizer: AdamW``, ``lr: 1e-4``, ``optimizer_hparams``, ``scheduler``, ``scheduler_hparams``.
"""

from __future__ import annotations

import dataclasses

from ..document import Document, Node
from ..plan import EPOCH, EVAL, OPT_STEP, PlanValue, TrainingPlan
from .base import Context, Dialect, number_of
from .names import optimizer_family, scheduler_kind

_TOP = {"trainer", "model", "data", "optimizer", "lr_scheduler", "seed_everything", "ckpt_path"}
#: ``LightningCLI.subcommands()`` (lightning ``src/lightning/pytorch/cli.py``), fit first.
SUBCOMMANDS = ("fit", "validate", "test", "predict")
#: ``Trainer.__init__`` arguments that, inside ``trainer:``, mark a Lightning Trainer (not any ``trainer`` dict).
_TRAINER_ARGS = {"max_epochs", "min_epochs", "max_steps", "min_steps", "accelerator", "devices", "num_nodes",
                 "precision", "strategy", "callbacks", "logger", "accumulate_grad_batches", "gradient_clip_val",
                 "check_val_every_n_epoch", "val_check_interval", "log_every_n_steps", "default_root_dir",
                 "limit_train_batches", "limit_val_batches", "enable_checkpointing", "deterministic"}


def subcommand_body(root: Node) -> tuple[str, Node] | None:
    """``(name, body)`` of a subcommand-nested LightningCLI file, or ``None`` for a flat one.

    Nested means: every top-level key is a subcommand name, and a body (``fit`` first) is a
    mapping with a ``trainer`` mapping that holds Lightning Trainer arguments, beside
    ``model``, ``data`` or ``seed_everything``. A ``fit:`` section of some other tool
    (curve fitting, ``fit: {model: hyperbolic}``) has no Trainer and is not taken.
    """
    if not root.is_mapping or not root.value or not set(root.value) <= set(SUBCOMMANDS):
        return None
    for name in SUBCOMMANDS:
        body = root.value.get(name)
        if body is None or not body.is_mapping:
            continue
        trainer = body.get("trainer")
        if (trainer is not None and trainer.is_mapping and set(trainer.value) & _TRAINER_ARGS
                and set(body.value) & {"model", "data", "seed_everything"}):
            return name, body
    return None

#: torch ``ReduceLROnPlateau`` defaults (torch/optim/lr_scheduler.py signature).
PLATEAU_DEFAULTS = {"patience": 10, "factor": 0.1, "mode": "min"}
#: ``EarlyStopping(patience=3)`` default ([PL-ES:114-126]).
EARLY_STOPPING_PATIENCE = 3

#: scheduler ``init_args`` key → (canonical field, unit is the scheduler interval?)
_SCHED_ARGS = {
    "patience": ("scheduler.patience", True), "factor": ("scheduler.factor", False),
    "mode": ("scheduler.mode", False), "monitor": ("scheduler.monitor", False),
    "cooldown": ("scheduler.cooldown", True), "T_max": ("scheduler.t_max", True),
    "T_0": ("scheduler.t_0", True), "T_mult": ("scheduler.t_mult", False),
    "eta_min": ("scheduler.min_lr", False), "min_lr": ("scheduler.min_lr", False),
    "step_size": ("scheduler.step_size", True), "gamma": ("scheduler.gamma", False),
    "milestones": ("scheduler.milestones", True),
}
_OPT_ARGS = {"lr": "optimizer.lr", "weight_decay": "optimizer.weight_decay", "momentum": "optimizer.momentum",
             "betas": "optimizer.betas", "eps": "optimizer.eps"}


def _args(node: Node | None) -> Node | None:
    """The ``init_args`` of a ``class_path`` node, or the node itself when it has none."""
    if node is None or not node.is_mapping:
        return None
    return node.get("init_args") or node


def _class_name(node: Node | None) -> str | None:
    """``class_path`` of a mapping node, or the string value of a scalar node."""
    if node is None:
        return None
    if node.is_mapping:
        cp = node.get("class_path")
        return cp.value if cp is not None and isinstance(cp.value, str) else None
    return node.value if isinstance(node.value, str) else None


class LightningCLI(Dialect):
    """``LightningCLI`` configs (``python main.py fit --config x.yaml``)."""

    name = "lightning-cli"
    evidence_keys = frozenset(_TOP)
    #: class_path plus trainer/seed_everything is required; 0.6 + 0.05 per top-level section: two
    #: sections (0.7) are certain
    high_score = 0.7
    title = "PyTorch Lightning CLI (jsonargparse)"
    formats = ("yaml",)
    loader = "jsonargparse"
    coerces = True
    scheduler_interval = "epoch"

    def detect(self, doc: Document) -> float:
        """Needs ``class_path`` somewhere and a ``trainer``/``seed_everything`` top-level key;
        or a subcommand-nested file (:func:`subcommand_body`): 0.9."""
        if subcommand_body(doc.root) is not None:
            return 0.9
        keys = doc.keys()
        if not ({"trainer", "seed_everything"} & keys):
            return 0.0
        if not any(p.endswith("class_path") for p, _ in doc.root.walk()):
            return 0.0
        return min(0.95, 0.6 + 0.05 * len(keys & _TOP))

    def evidence(self, doc: Document) -> tuple[str, ...]:
        """The top-level sections (those of the subcommand body in a nested file) and the first ``class_path``."""
        first = next((p for p, _ in doc.root.walk() if p.endswith("class_path")), None)
        nested = subcommand_body(doc.root)
        if nested is not None:
            name, body = nested
            sections = tuple(f"key {name}.{k}" for k in sorted(set(body.value) & self.evidence_keys))
            own = (f"subcommand {name}: with Trainer arguments",) + sections
        else:
            own = super().evidence(doc)
        return own + ((f"class_path at {first}",) if first else ())

    def root(self, doc: Document, ctx: Context, plan: TrainingPlan) -> Node:
        """The subcommand body of a nested file (``fit:`` first), else the file itself."""
        nested = subcommand_body(doc.root)
        if nested is None:
            return doc.root
        plan.notes.append(f"LightningCLI subcommand config: read from '{nested[0]}:'")
        return nested[1]

    def normalize(self, doc: Document, ctx: Context) -> TrainingPlan:
        """As :meth:`Dialect.normalize`; in a nested file every key path gets its subcommand prefix."""
        plan = super().normalize(doc, ctx)
        nested = subcommand_body(doc.root)
        if nested is not None:
            prefix = nested[0] + "."
            for pv in plan.fields.values():
                for item in (pv.value.values() if isinstance(pv.value, dict) else ()):
                    if isinstance(item, PlanValue) and item.source is not None:
                        item.source = dataclasses.replace(item.source, key=prefix + item.source.key)
                if pv.source is not None and not pv.source.key.startswith(prefix):
                    pv.source = dataclasses.replace(pv.source, key=prefix + pv.source.key)
        return plan

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Read trainer, data, optimizer, scheduler and callbacks (see the module docstring)."""
        self._trainer(root, plan)
        data = _args(root.get("data"))
        if data is not None and data.get("batch_size") is not None:
            key = "data.init_args.batch_size" if data is not root.get("data") else "data.batch_size"
            self.take(plan, "batch.per_device", data.get("batch_size"), key, "per_device")
        model = _args(root.get("model"))
        self._optimizer(root.get("optimizer"), "optimizer", plan)
        if not plan.has("optimizer.type") and model is not None:
            self._model_optimizer(model, plan)
        self._scheduler(root.get("lr_scheduler"), "lr_scheduler", plan)
        if not plan.has("scheduler.type") and model is not None:
            self._model_scheduler(model, plan)
        self._callbacks(root.find("trainer.callbacks"), root, plan)

    # -- trainer ----------------------------------------------------------------
    def _trainer(self, root: Node, plan: TrainingPlan) -> None:
        t = root.get("trainer")
        if t is None or not t.is_mapping:
            return
        simple = {"max_epochs": ("run.epochs", EPOCH), "accumulate_grad_batches": ("batch.grad_accum", None),
                  "check_val_every_n_epoch": ("eval.interval", EPOCH)}
        for key, (field, unit) in simple.items():
            node = t.get(key)
            if node is None or node.value is None:
                continue
            if key == "max_epochs" and number_of(node) == -1:
                plan.notes.append("trainer.max_epochs -1: train until max_steps/max_time or forever (Lightning Trainer)")
                continue
            self.take(plan, field, node, f"trainer.{key}", unit)
        steps = t.get("max_steps")
        if steps is not None and (number_of(steps) or -1) > 0:
            self.take(plan, "run.max_steps", steps, "trainer.max_steps", OPT_STEP)
        clip = t.get("gradient_clip_val")
        if clip is not None and clip.value is not None:
            algo = t.get("gradient_clip_algorithm")
            by_value = algo is not None and str(algo.value).lower() == "value"
            self.take(plan, "clip.value" if by_value else "clip.max_norm", clip, "trainer.gradient_clip_val")
        prec = t.get("precision")
        if prec is not None and prec.value is not None:
            p = str(prec.value).lower()
            if p.startswith("bf16"):
                self.take(plan, "precision.bf16", prec, "trainer.precision", convert=lambda _: True)
            elif p.startswith("16"):
                self.take(plan, "precision.fp16", prec, "trainer.precision", convert=lambda _: True)
        devices, nodes = t.get("devices"), t.get("num_nodes")
        if devices is not None and isinstance(devices.value, int) and not isinstance(devices.value, bool):
            n = nodes.value if nodes is not None and isinstance(nodes.value, int) else 1
            pv = self.take(plan, "batch.world_size", devices, "trainer.devices")
            pv.value = devices.value * n

    # -- optimizer ----------------------------------------------------------------
    def _optimizer(self, node: Node | None, key: str, plan: TrainingPlan) -> None:
        cls = _class_name(node)
        if cls is None:
            return
        self.take(plan, "optimizer.type", node.get("class_path") if node.is_mapping else node,
                  f"{key}.class_path" if node.is_mapping else key, convert=optimizer_family)
        args = _args(node) if node.is_mapping else None
        if args is not None:
            prefix = f"{key}.init_args" if node.get("init_args") is not None else key
            for arg, field in _OPT_ARGS.items():
                if args.get(arg) is not None:
                    self.take(plan, field, args.get(arg), f"{prefix}.{arg}")

    def _model_optimizer(self, model: Node, plan: TrainingPlan) -> None:
        """terratorch-style ``model.init_args.{optimizer, lr, optimizer_hparams}``."""
        opt = model.get("optimizer")
        if opt is not None:
            self._optimizer(opt, "model.init_args.optimizer", plan)
        if model.get("lr") is not None and not plan.has("optimizer.lr"):
            self.take(plan, "optimizer.lr", model.get("lr"), "model.init_args.lr")
        hp = model.get("optimizer_hparams")
        if hp is not None and hp.is_mapping:
            for arg, field in _OPT_ARGS.items():
                if hp.get(arg) is not None and not plan.has(field):
                    self.take(plan, field, hp.get(arg), f"model.init_args.optimizer_hparams.{arg}")

    # -- scheduler ----------------------------------------------------------------
    def _scheduler(self, node: Node | None, key: str, plan: TrainingPlan, args: Node | None = None,
                   args_key: str | None = None) -> None:
        cls = _class_name(node)
        if cls is None:
            return
        cls_node = node.get("class_path") if node.is_mapping else node
        pv = self.take(plan, "scheduler.type", cls_node, f"{key}.class_path" if node.is_mapping else key)
        plan.set("scheduler.raw_type", PlanValue(cls, source=pv.source))
        pv.value = scheduler_kind(cls)
        if args is None and node.is_mapping:
            args = _args(node)
            args_key = f"{key}.init_args" if node.get("init_args") is not None else key
        interval = args.get("interval") if args is not None and args.is_mapping else None
        if interval is not None and interval.value in ("step", "epoch"):
            self.take(plan, "scheduler.interval", interval, f"{args_key}.interval")
        unit = OPT_STEP if plan.value("scheduler.interval") == "step" else EPOCH
        if args is not None and args.is_mapping:
            for arg, (field, counted) in _SCHED_ARGS.items():
                if args.get(arg) is not None and args.get(arg).value is not None:
                    self.take(plan, field, args.get(arg), f"{args_key}.{arg}", unit if counted else None)
        if key == "lr_scheduler" and cls.rsplit(".", 1)[-1] == "LinearLR" and args is not None and args.is_mapping:
            self._linear_warmup(args, args_key, unit, plan)
        if pv.value == "plateau":
            for arg, default in PLATEAU_DEFAULTS.items():
                field = _SCHED_ARGS[arg][0]
                if not plan.has(field):
                    self.put(plan, field, default, pv, key=f"{args_key or key}.{arg}",
                             unit=unit if _SCHED_ARGS[arg][1] else None)

    def _linear_warmup(self, args: Node, args_key: str, unit: str, plan: TrainingPlan) -> None:
        """A CLI ``lr_scheduler: torch.optim.lr_scheduler.LinearLR`` that raises the LR is a warmup of
        ``total_iters`` scheduler steps: ``warmup.steps`` in the scheduler's unit, **epochs** unless
        ``interval: step`` is stated (``LightningCLI.configure_optimizers`` returns
        ``[optimizer], [lr_scheduler]``, whose ``LRSchedulerConfig.interval`` defaults to ``"epoch"``;
        lightning ``src/lightning/pytorch/cli.py``). So ``total_iters: 4000`` meant as optimizer steps
        lasts 4000 epochs (the trap of ace-step/ACE-Step#198, there in ``configure_optimizers``), which
        ``warmup-exceeds-training`` compares with ``trainer.max_epochs``.

        Only a stated ``total_iters`` is taken, and only when the factor rises: torch's ``LinearLR``
        interpolates ``start_factor`` (default 1/3) to ``end_factor`` (default 1.0) over ``total_iters``
        (default 5) steps (torch/optim/lr_scheduler.py ``LinearLR.__init__``/``get_lr``); a falling
        factor is a decay, not a warmup.
        """
        total = args.get("total_iters")
        if total is None or number_of(total) is None or plan.has("warmup.steps"):
            return
        start = args.get("start_factor")
        end = args.get("end_factor")
        s = number_of(start) if start is not None else 1.0 / 3
        e = number_of(end) if end is not None else 1.0
        if s is None or e is None or not s < e:
            return
        self.take(plan, "warmup.steps", total, f"{args_key}.total_iters", unit)

    def _model_scheduler(self, model: Node, plan: TrainingPlan) -> None:
        """terratorch-style ``model.init_args.{scheduler, scheduler_hparams}``."""
        sched = model.get("scheduler")
        if sched is None:
            return
        if sched.is_mapping:
            self._scheduler(sched, "model.init_args.scheduler", plan)
        else:
            self._scheduler(sched, "model.init_args.scheduler", plan, model.get("scheduler_hparams"),
                            "model.init_args.scheduler_hparams")

    # -- callbacks ------------------------------------------------------------------
    def _callbacks(self, callbacks: Node | None, root: Node, plan: TrainingPlan) -> None:
        if callbacks is None:
            return
        items = callbacks.value if callbacks.is_sequence else [callbacks]
        for i, cb in enumerate(items):
            cls = (_class_name(cb) or "").rsplit(".", 1)[-1]
            args = _args(cb) if cb.is_mapping else None
            key = f"trainer.callbacks.{i}.init_args"
            if cls == "EarlyStopping":
                self._early_stopping(cb, args if args is not cb else None, key, root, plan)
            elif cls.endswith("ModelCheckpoint") and args is not None and not plan.has("save.interval"):
                if args.get("every_n_epochs") is not None:
                    self.take(plan, "save.interval", args.get("every_n_epochs"), f"{key}.every_n_epochs", EPOCH)
                elif args.get("every_n_train_steps") is not None:
                    self.take(plan, "save.interval", args.get("every_n_train_steps"), f"{key}.every_n_train_steps",
                              OPT_STEP)

    def _early_stopping(self, cb: Node, args: Node | None, key: str, root: Node, plan: TrainingPlan) -> None:
        """Patience in epochs when validation runs once per ``check_val_every_n_epoch`` epochs, else in evals."""
        if args is not None and args.get("monitor") is not None:
            self.take(plan, "early_stopping.monitor", args.get("monitor"), f"{key}.monitor")
        node = args.get("patience") if args is not None else None
        if node is not None:
            pv = self.take(plan, "early_stopping.patience", node, f"{key}.patience", EVAL)
        else:
            pv = self.put(plan, "early_stopping.patience", EARLY_STOPPING_PATIENCE, cb, key=f"{key}.patience", unit=EVAL)
        if root.find("trainer.val_check_interval") is not None or pv.number is None:
            return
        every = root.find("trainer.check_val_every_n_epoch")
        n = number_of(every) if every is not None else 1
        if n is not None and n >= 1:
            pv.value = pv.value * int(n)
            pv.unit = EPOCH
            if n != 1:
                plan.notes.append(f"EarlyStopping patience counts validation checks: {pv.value // int(n)} checks x "
                                  f"check_val_every_n_epoch {int(n)} = {pv.value} epochs")


DIALECT = LightningCLI()
