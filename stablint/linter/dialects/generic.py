"""Generic dialect: custom training YAML/JSON/TOML/shell like the seed write-ups'.

Research code keeps hyperparameters in a hand-rolled YAML read by
``yaml.safe_load`` (so ``1e-4`` is a string) and a custom loop that steps the
scheduler once per epoch. There is no schema, so fields are found by the names
people actually use, anywhere in the tree (the shallowest match wins):
``learning_rate``/``lr``, ``batch_size``, ``gradient_accumulation_steps``/
``accumulation_steps``, ``scheduler_patience``, ``early_stopping_patience``,
``grad_clip``/``gradient_clip``/``max_grad_norm``, ``weights:``/``loss_weights:``,
``lora_rank``/``lora_alpha``, and upper-case environment variables of launch
scripts (``LEARNING_RATE=2e-5 LORA_RANK=8 python training.py``, seed 004).

``scheduler.interval`` is decided from evidence (:func:`scheduler_interval`):
ReduceLROnPlateau/StepLR-style schedulers step per epoch, HF-style per-step
schedules (``get_linear_schedule_with_warmup``, warmup in steps, ``max_steps``
without epochs) per optimizer step.
"""

from __future__ import annotations

import re

from ..document import Document, Node
from ..plan import EPOCH, OPT_STEP, PlanValue, Provenance, RATIO, TrainingPlan
from .base import Context, Dialect, number_of
from .names import OPTIMIZER_FAMILIES, optimizer_family, scheduler_kind

#: canonical field → accepted key names (lower case), most specific first.
ALIASES: dict[str, tuple[str, ...]] = {
    "optimizer.lr": ("learning_rate", "lr", "base_lr", "init_lr", "lr0", "initial_learning_rate", "initial_lr",
                     "learn_rate"),
    "optimizer.type": ("optimizer", "optim", "optimizer_type", "optimizer_name"),
    "optimizer.weight_decay": ("weight_decay", "wd"),
    "optimizer.momentum": ("momentum",),
    "optimizer.betas": ("betas",),
    "optimizer.eps": ("eps", "adam_epsilon", "epsilon"),
    "batch.per_device": ("batch_size", "per_device_train_batch_size", "micro_batch_size", "train_batch_size", "bs",
                         "batch_size_per_gpu"),
    "batch.grad_accum": ("gradient_accumulation_steps", "accumulation_steps", "grad_accum", "grad_accum_steps",
                         "accumulate_grad_batches", "gradient_accumulation"),
    "run.epochs": ("epochs", "n_epochs", "num_epochs", "max_epochs", "num_train_epochs", "total_epochs"),
    "run.max_steps": ("max_steps", "training_steps", "total_steps", "max_iters", "num_steps", "train_steps"),
    "warmup.steps": ("warmup_steps", "warmup_iters", "num_warmup_steps", "warmup_epochs"),
    "warmup.ratio": ("warmup_ratio",),
    "scheduler.type": ("scheduler", "lr_scheduler", "scheduler_type", "lr_scheduler_type", "scheduler_name"),
    "scheduler.patience": ("scheduler_patience", "lr_patience", "plateau_patience", "reduce_lr_patience",
                           "lr_scheduler_patience", "learning_rate_patience", "reduce_learning_rate_patience"),
    "scheduler.factor": ("scheduler_factor", "lr_factor", "plateau_factor", "reduce_lr_factor", "lr_scheduler_factor",
                         "reduce_learning_rate_factor"),
    "scheduler.monitor": ("scheduler_metric", "scheduler_monitor", "lr_monitor"),
    "scheduler.cooldown": ("scheduler_cooldown",),
    "scheduler.t_0": ("t_0",),
    "scheduler.t_mult": ("t_mult",),
    "scheduler.t_max": ("t_max", "scheduler_t_max"),
    "scheduler.min_lr": ("eta_min", "min_lr"),
    "scheduler.step_size": ("step_size", "lr_step_size"),
    "scheduler.gamma": ("gamma", "lr_gamma"),
    "early_stopping.patience": ("early_stopping_patience", "early_stop_patience", "es_patience"),
    "early_stopping.monitor": ("early_stopping_metric", "early_stopping_monitor"),
    "clip.max_norm": ("max_grad_norm", "grad_clip", "gradient_clip", "gradient_clip_val", "gradient_clip_value",
                      "clip_grad_norm", "clip_grad", "grad_clip_norm", "max_norm", "clip_norm"),
    "precision.fp16": ("fp16",),
    "precision.bf16": ("bf16",),
    "lora.r": ("lora_rank", "lora_r", "lora_dim"),
    "lora.alpha": ("lora_alpha",),
    "lora.dropout": ("lora_dropout",),
    "lora.use_rslora": ("use_rslora",),
    "model.dropout": ("dropout",),
}
#: Where each spelling added for issue 12 is used in real public repositories, with that meaning
#: (read in the code that consumes it). Spellings whose meaning varies between repositories are left
#: out: ``patience`` alone (early stopping or plateau), ``lr_decay``/``lr_decay_factor`` (StepLR gamma,
#: plateau factor or a weight decay), ``learning_rate_drop`` (3DUnetCNN uses it for both), ``epoch``
#: (often the current epoch), ``max_lr`` (OneCycle peak), ``base_learning_rate`` (scaled by batch size).
SYNONYM_EVIDENCE: dict[str, str] = {
    "initial_learning_rate": "ellisdg/3DUnetCNN unet3d/training.py@07529f0 (train_model(initial_learning_rate=...) "
                             "is the optimizer LR); keras ExponentialDecay(initial_learning_rate=...)",
    "initial_lr": "torch param_group['initial_lr'] (the LR before scheduling); train(initial_lr=1e-4) scripts",
    "learn_rate": "tmarkmann/chexnet-tf2 src/chexnet/configs/config.py (train.learn_rate → keras Adam)",
    "batch_size_per_gpu": "facebookresearch/dino main_dino.py@cc72fe9 (--batch_size_per_gpu), facebookresearch/dinov2 "
                          "ssl_default_config.yaml train.batch_size_per_gpu",
    "warmup_epochs": "facebookresearch/mae main_finetune.py@be47fef (--warmup_epochs, epochs to warm up LR), "
                     "facebookresearch/dino main_dino.py@cc72fe9; unit: epochs",
    "lr_scheduler_patience": "torch ReduceLROnPlateau(patience=cfg.lr_scheduler_patience) in custom trainers "
                             "(find_string: 10 of 10 uses are plateau patience, next to lr_scheduler_factor)",
    "lr_scheduler_factor": "the factor passed next to lr_scheduler_patience to ReduceLROnPlateau (same uses)",
    "learning_rate_patience": "ellisdg/3DUnetCNN unet3d/training.py@07529f0: ReduceLROnPlateau(patience="
                              "learning_rate_patience) (10 of 10 uses found are plateau patience)",
    "reduce_learning_rate_patience": "tf.keras.callbacks.ReduceLROnPlateau(patience=config['train']"
                                     "['reduce_learning_rate_patience']) (find_string)",
    "reduce_learning_rate_factor": "same trainer: ReduceLROnPlateau(factor=config['train']['reduce_learning_rate_factor'])",
    "*_loss_weight": "sibling scalars weighting loss terms (route_/role_/digit_loss_weight, seg_/ce_/iou_loss_weight "
                     "in SAMLoss; mmdet loss_*.loss_weight): read as loss.weights when two or more share a mapping",
}
#: Units of spellings that do not count optimizer steps.
ALIAS_UNITS: dict[str, str] = {"warmup_epochs": EPOCH}
#: Scheduler kinds a custom loop steps once per epoch.
_EPOCH_KINDS = {"plateau", "step", "multistep", "exponential"}
#: Scheduler names that are stepped per optimizer step by definition (transformers ``optimization.py``).
_PER_STEP_NAME = re.compile(r"schedule_with_warmup|constant_with_warmup|cosine_with_min_lr|warmup_stable_decay"
                            r"|inverse_sqrt|one_?cycle")
#: Mapping keys that hold an optimizer block (``optimizer: {type: Adam, lr: 0.5}``).
_OPTIMIZER_BLOCKS = {"optimizer", "optim", "optimizer_config", "optimizer_cfg"}
_NESTED_OPTIMIZER_KEYS = {"lr": "optimizer.lr", "learning_rate": "optimizer.lr", "weight_decay": "optimizer.weight_decay",
                          "momentum": "optimizer.momentum", "betas": "optimizer.betas", "eps": "optimizer.eps"}
_LOSS_WEIGHT_KEYS = ("weights", "loss_weights", "loss_weight", "task_weights", "loss_coefficients")
_NESTED_SCHEDULER_KEYS = {"patience": "scheduler.patience", "factor": "scheduler.factor", "mode": "scheduler.mode",
                          "monitor": "scheduler.monitor", "cooldown": "scheduler.cooldown", "type": "scheduler.type",
                          "name": "scheduler.type", "min_lr": "scheduler.min_lr"}
_TRAINING_HINTS = {"learning_rate", "lr", "batch_size", "epochs", "n_epochs", "num_epochs", "optimizer", "scheduler",
                   "max_steps", "weight_decay", "grad_clip", "warmup_steps", "lora_rank", "lora_alpha",
                   "gradient_accumulation_steps", "scheduler_patience", "early_stopping_patience",
                   "learn_rate", "initial_learning_rate", "learning_rate_patience", "lr_scheduler_patience"}


def scheduler_interval(plan: TrainingPlan) -> tuple[str | None, str]:
    """``("step" | "epoch" | None, reason)``: when a custom loop calls ``scheduler.step()``.

    Evidence, in order:

    1. ReduceLROnPlateau/StepLR/MultiStepLR/ExponentialLR (``scheduler.type`` plateau,
       step, multistep, exponential): ``"epoch"``, as in torch's documented usage and the
       seed write-ups' loops (seeds 000-002).
    2. A name that is per-step by definition: transformers'
       ``get_*_schedule_with_warmup`` helpers and the ``get_scheduler`` names built on
       them (``constant_with_warmup``, ``cosine_with_min_lr``, ``warmup_stable_decay``,
       ``inverse_sqrt``) take ``num_training_steps`` and are stepped per optimizer step
       (transformers ``optimization.py``); ``OneCycleLR`` steps per batch (torch docs).
    3. Other kinds (linear, cosine, ...) are per-step when the file counts the run in
       steps: warmup given in steps (``warmup_steps``/``warmup_iters``), ``max_steps``
       without an epoch count, or the HF key ``lr_scheduler_type`` (seed 003).
    4. Otherwise ``None``: the file does not say when the user's loop calls
       ``scheduler.step()`` (trlx, for one, steps a ``T_max`` cosine per optimizer step:
       ``trlx/trainer/accelerate_base_trainer.py`` ``learn()``), so schedule counts keep no
       unit and the rules that compare them with the run length stay silent.
    """
    kind = plan.value("scheduler.type")
    if kind in _EPOCH_KINDS:
        return "epoch", f"{kind} schedulers are stepped once per epoch"
    raw = plan.value("scheduler.raw_type")
    name = raw.strip().lower().rsplit(".", 1)[-1] if isinstance(raw, str) else ""
    if _PER_STEP_NAME.search(name) or kind == "onecycle":
        return "step", f"{raw} is a per-step schedule"
    warm = plan.get("warmup.steps")
    if warm is not None and warm.unit in (OPT_STEP, None) and (warm.number or 0) > 0:
        return "step", f"warmup is counted in steps ({warm.source.key if warm.source else 'warmup_steps'})"
    if plan.has("run.max_steps") and not plan.has("run.epochs"):
        return "step", "the run length is max_steps, with no epoch count"
    src = plan.get("scheduler.type").source
    if src is not None and src.key.rsplit(".", 1)[-1].lower() == "lr_scheduler_type":
        return "step", "lr_scheduler_type is the HF Trainer's per-step scheduler name"
    return None, "the file does not say whether the training loop steps the scheduler per epoch or per step"


def _index(root: Node) -> dict[str, list[tuple[int, str, Node]]]:
    """Map lower-cased key names to (depth, dotted path, node), over the whole tree."""
    idx: dict[str, list[tuple[int, str, Node]]] = {}
    for path, node in root.walk():
        if not path:
            continue
        name = path.rsplit(".", 1)[-1].lower()
        idx.setdefault(name, []).append((path.count("."), path, node))
    for entries in idx.values():
        entries.sort(key=lambda e: e[0])
    return idx


#: OpenNMT-py ``decay_method`` values whose schedule multiplies ``learning_rate`` (``onmt/utils/optimizers.py``
#: ``make_learning_rate_decay_fn``: noam, noamwd, rsqrt).
_LR_MULTIPLIER_DECAYS = frozenset({"noam", "noamwd", "rsqrt"})

class Generic(Dialect):
    """Fallback for custom configs: key names matched anywhere in the tree."""

    name = "generic"
    title = "Generic / custom training config"
    formats = ("yaml", "json", "toml", "shell", "python")
    loader = "pyyaml"
    #: a custom script reads its YAML with ``yaml.safe_load``, OmegaConf, ruamel... : a guess
    loader_known = False
    scheduler_interval = "epoch"

    def detect(self, doc: Document) -> float:
        """A weak score (at most 0.3) for any file that uses two or more training key names."""
        names = {p.rsplit(".", 1)[-1].lower() for p, _ in doc.root.walk() if p}
        hits = len(names & _TRAINING_HINTS)
        return 0.0 if hits < 2 else min(0.3, 0.1 + 0.02 * hits)

    def evidence(self, doc: Document) -> tuple[str, ...]:
        """Common training key names found anywhere in the tree (no framework is claimed)."""
        names = {p.rsplit(".", 1)[-1].lower() for p, _ in doc.root.walk() if p}
        return tuple(f"key {k}" for k in sorted(names & _TRAINING_HINTS))

    def normalize(self, doc: Document, ctx: Context) -> TrainingPlan:
        """Find every canonical field by its common names (see :data:`ALIASES`)."""
        plan = TrainingPlan(path=doc.path, dialect=self.name, loader=self._loader_for(doc), documents=[doc],
                            framework=self, fill_defaults=ctx.fill_defaults, loader_known=doc.fmt != "yaml")
        idx = _index(doc.root)
        for canonical, names in ALIASES.items():
            for name in names:
                hit = next(((p, n) for _, p, n in idx.get(name, [])
                            if n.value is not None and (n.is_scalar or canonical == "optimizer.betas")), None)
                if hit:
                    path, node = hit
                    if canonical == "optimizer.lr" and number_of(node) is None:
                        continue
                    pv = self.take(plan, canonical, node, path, ALIAS_UNITS.get(name))
                    if canonical in ("optimizer.type",):
                        pv.value = optimizer_family(pv.value) if pv.resolved else pv.value
                    if canonical == "scheduler.type" and pv.resolved:
                        plan.set("scheduler.raw_type", PlanValue(pv.value, source=pv.source))
                        pv.value = scheduler_kind(pv.value)
                    break
        self._unbounded_counts(plan)
        self._lr_multiplier(idx, plan)
        if plan.has("batch.per_device") and any("speechbrain" in (i.detail or "") for i in doc.issues if i.kind == "custom-tag"):
            # SpeechBrain HyperPyYAML recipe: one batch element is a variable-length utterance/mixture
            self.put(plan, "batch.sample_kind", "utterance", plan.get("batch.per_device"), derived=True)
        self._nested_optimizer(doc.root, plan)
        self._nested_scheduler(doc.root, plan)
        self._loss_weights(doc.root, plan)
        if plan.has("scheduler.patience") and not plan.has("scheduler.type"):
            self.put(plan, "scheduler.type", "plateau", plan.get("scheduler.patience"), derived=True)
        if plan.has("scheduler.type") and not plan.has("scheduler.interval"):
            interval, why = scheduler_interval(plan)
            pv = self.put(plan, "scheduler.interval", interval or f"unknown: {why}", plan.get("scheduler.type"),
                          derived=True)
            pv.resolved = interval is not None
            if interval == "step":
                plan.notes.append(f"scheduler steps per optimizer step: {why}")
        self._units(plan)
        if plan.loader == "omegaconf":  # plain 1e-4 scalars are floats for OmegaConf (quoted ones stay strings)
            plain = {i.key_path for i in doc.issues if i.kind == "yaml11-float-string"}
            for pv in plan.fields.values():
                items = pv.value.values() if isinstance(pv.value, dict) else [pv]
                for item in items:
                    if isinstance(item, PlanValue) and item.as_string and item.source is not None \
                            and item.source.key in plain:
                        item.as_string = False
        if plan.has("lora.r") or plan.has("lora.alpha"):
            use = next((n for _, _, n in idx.get("use_lora", [])), None)
            enabled = bool(use.value) if use is not None and isinstance(use.value, bool) else True
            self.put(plan, "lora.enabled", enabled, plan.get("lora.r") or plan.get("lora.alpha"), derived=True)
        return plan

    def _lr_multiplier(self, idx: dict, plan: TrainingPlan) -> None:
        """OpenNMT-py ``decay_method: noam|noamwd|rsqrt``: the LR is ``learning_rate × noam_decay(step)`` with
        ``noam_decay = d_model^-0.5 × min(step^-0.5, step × warmup^-1.5)`` (``onmt/utils/optimizers.py``), so
        ``learning_rate`` (2 in the Transformer recipe) is a multiplier, not an LR: ``optimizer.lr`` unresolved."""
        lr = plan.get("optimizer.lr")
        method = next((n for _, _, n in idx.get("decay_method", []) if n.is_scalar), None)
        if lr is None or method is None or str(method.value).lower() not in _LR_MULTIPLIER_DECAYS:
            return
        lr.resolved = False
        plan.notes.append(f"decay_method {method.value}: learning_rate is a multiplier of the noam/rsqrt "
                          "schedule (OpenNMT-py), not the LR itself")

    def _loader_for(self, doc: Document) -> str:
        """How the file's numbers are read: by format; a YAML file with ``${...}`` interpolation
        is read by OmegaConf (PyYAML would leave ``${a.b}`` a literal string, so nobody writes it
        for PyYAML), which resolves ``1e-4`` as a float (omegaconf ``_utils.py`` ``get_yaml_loader``
        float resolver, research/dialects.md §1)."""
        if doc.fmt == "yaml" and any(isinstance(n.value, str) and "${" in n.value for _, n in doc.root.walk()):
            return "omegaconf"
        return {"yaml": "pyyaml", "json": "json", "toml": "toml", "shell": "argparse", "python": "python"}[doc.fmt]

    def _nested_optimizer(self, root: Node, plan: TrainingPlan) -> None:
        """``optimizer: {type: Adam, lr: 0.5}`` blocks: the shallowest ``optimizer``/``optim`` mapping
        that names its class (``type``/``name``/``_target_``/``class``) gives the optimizer's type and
        arguments; they win over same-named keys elsewhere (the optimizer is built from this block).
        The class must be a known optimizer family (``opt: {name: my_experiment}`` is not one)."""
        best: tuple[int, str, Node, str] | None = None
        for path, node in root.walk():
            if path and path.rsplit(".", 1)[-1].lower() in _OPTIMIZER_BLOCKS and node.is_mapping:
                named = next((k for k in ("type", "name", "_target_", "class") if node.get(k) is not None
                              and optimizer_family(node.get(k).value) in OPTIMIZER_FAMILIES), None)
                if named is not None and (best is None or path.count(".") < best[0]):
                    best = (path.count("."), path, node, named)
        if best is None:
            return
        _, path, node, named_key = best
        pv = self.take(plan, "optimizer.type", node.get(named_key), f"{path}.{named_key}")
        if pv.resolved:
            pv.value = optimizer_family(pv.value)
        for arg, canonical in _NESTED_OPTIMIZER_KEYS.items():
            child = node.get(arg)
            if child is None or child.value is None:
                continue
            if child.is_scalar or canonical == "optimizer.betas":
                self.take(plan, canonical, child, f"{path}.{arg}")

    def _nested_scheduler(self, root: Node, plan: TrainingPlan) -> None:
        """``scheduler: {type: ReduceLROnPlateau, patience: 10, factor: 0.5}`` style blocks."""
        for key in ("scheduler", "lr_scheduler"):
            for path, node in root.walk():
                if path.rsplit(".", 1)[-1].lower() == key and node.is_mapping:
                    for sub, canonical in _NESTED_SCHEDULER_KEYS.items():
                        child = node.get(sub)
                        if child is not None and child.is_scalar and not plan.has(canonical):
                            pv = self.take(plan, canonical, child, f"{path}.{sub}")
                            if canonical == "scheduler.type" and pv.resolved:
                                plan.set("scheduler.raw_type", PlanValue(pv.value, source=pv.source))
                                pv.value = scheduler_kind(pv.value)
                    return

    def _loss_weights(self, root: Node, plan: TrainingPlan) -> None:
        """A ``weights:``/``loss_weights:`` mapping of term → weight, else two or more sibling scalars
        named ``<term>_loss_weight`` in one mapping (:data:`SYNONYM_EVIDENCE`)."""
        self._weights_mapping(root, plan)
        if plan.has("loss.weights"):
            return
        for path, node in root.walk():
            if not node.is_mapping:
                continue
            terms: dict[str, PlanValue] = {}
            first: Node | None = None
            for key, child in node.value.items():
                low = str(key).lower()
                if low.endswith("_loss_weight") and len(low) > len("_loss_weight") and child.is_scalar \
                        and number_of(child) is not None:
                    kp = f"{path}.{key}" if path else str(key)
                    terms[kp] = self.value_of(child, kp, "optimizer.lr", None, self.coerces, plan.path)
                    first = first or child
            if len(terms) >= 2 and first is not None:
                line, col = first.anchor
                plan.set("loss.weights", PlanValue(terms, source=Provenance(first.path or plan.path, line, col,
                                                                             next(iter(terms)))))
                return

    def _weights_mapping(self, root: Node, plan: TrainingPlan) -> None:
        for path, node in root.walk():
            name = path.rsplit(".", 1)[-1].lower() if path else ""
            if name in _LOSS_WEIGHT_KEYS and node.is_mapping and node.value:
                terms: dict[str, PlanValue] = {}
                for term, child in node.value.items():
                    if child.is_scalar and number_of(child) is not None:
                        # read each weight with numeric semantics (as any float field)
                        terms[term] = self.value_of(child, f"{path}.{term}", "optimizer.lr", None, self.coerces, plan.path)
                if len(terms) >= 2:
                    line, col = node.anchor
                    plan.set("loss.weights", PlanValue(terms, source=Provenance(node.path or plan.path, line, col, path)))
                    return

    def _unbounded_counts(self, plan: TrainingPlan) -> None:
        """Drop an epoch or step count of ``-1``: "no limit from this count".

        The trainer of a custom file is not known; in the Lightning Trainer that NeMo and
        many custom configs feed, ``max_epochs=-1`` is documented as infinite training and
        ``max_steps=-1`` is the default "disabled" (``lightning/pytorch/trainer/trainer.py``
        ``Trainer.__init__`` docstring), the run being bounded by the other count; HF
        ``TrainingArguments.max_steps`` also defaults to ``-1`` (use the epochs). So ``-1`` is
        not an invalid value and not a run length.
        """
        for field in ("run.epochs", "run.max_steps"):
            pv = plan.get(field)
            if pv is not None and pv.number == -1:
                plan.fields.pop(field)
                key = pv.source.key if pv.source else field
                plan.notes.append(f"{key} -1: no limit from this count (Lightning/HF: bounded by the other one)")

    def _units(self, plan: TrainingPlan) -> None:
        """Units of the counts found by name: schedule counts follow ``scheduler.interval``
        (none while it is unknown), patience of early stopping is in epochs."""
        interval = plan.value("scheduler.interval")
        for name in ("scheduler.patience", "scheduler.cooldown", "scheduler.t_0", "scheduler.t_max", "scheduler.step_size"):
            pv = plan.get(name)
            if pv is not None and pv.unit is None and interval is not None:
                pv.unit = EPOCH if interval == "epoch" else OPT_STEP
        pv = plan.get("early_stopping.patience")
        if pv is not None and pv.unit is None:
            pv.unit = EPOCH
        pv = plan.get("warmup.steps")
        if pv is not None and pv.unit is None:
            pv.unit = OPT_STEP
        pv = plan.get("warmup.ratio")
        if pv is not None:
            pv.unit = RATIO
        pv = plan.get("run.epochs")
        if pv is not None:
            pv.unit = EPOCH
        pv = plan.get("run.max_steps")
        if pv is not None and pv.unit is None:
            pv.unit = OPT_STEP
DIALECT = Generic()
