"""The canonical TrainingPlan: one training run, whatever framework wrote it.

Dialects (``stablint.linter.dialects``) fill a :class:`TrainingPlan`; rules
(``stablint.linter.rules``) read only this, never a framework's raw keys.

Every field is a :class:`PlanValue`: the value, its **unit**, where it came from
(:class:`Provenance`: file, line, column, original key path) and whether it is
*resolved*. Unresolved values (``"auto"``, ``$VAR``, a Python call) keep their
text and rules stay silent about them instead of guessing.

Canonical field names are dotted and listed, with their units, in :data:`FIELDS`;
setting a name not listed there raises :class:`KeyError`, so a typo in a dialect
fails its tests instead of silently dropping a value. The units come from
research/dialects.md §3-4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

# --- units -------------------------------------------------------------------
#: optimizer steps (after gradient accumulation)
OPT_STEP = "opt_step"
#: loader iterations / micro-batches (nanoGPT ``iter``, detectron2 ``MAX_ITER``)
ITERATION = "iteration"
EPOCH = "epoch"
#: number of evaluation calls (HF/axolotl early stopping, Lightning validation checks)
EVAL = "eval"
#: fraction of the total run (``warmup_ratio``; HF ``warmup_steps < 1``)
RATIO = "ratio"
#: multiple of the base learning rate (``min_lr_rate``, ultralytics ``lrf``)
FRACTION_OF_LR = "fraction_of_lr"
PER_DEVICE = "per_device"
GLOBAL = "global"
#: scheduler stepping interval values
STEP_INTERVAL = "step"
EPOCH_INTERVAL = "epoch"

UNITS = {OPT_STEP, ITERATION, EPOCH, EVAL, RATIO, FRACTION_OF_LR, PER_DEVICE, GLOBAL}

#: Canonical fields: name → (python types, one-line meaning incl. unit conventions).
FIELDS: dict[str, tuple[tuple[type, ...], str]] = {
    # optimizer
    "optimizer.type": ((str,), "optimizer family, lower case: adamw, adam, sgd, lamb, lars, adafactor, muon, adadelta, rmsprop, ..."),
    "optimizer.lr": ((float, int), "peak/base learning rate (absolute)"),
    "optimizer.betas": ((list, tuple), "Adam betas [beta1, beta2]"),
    "optimizer.eps": ((float, int), "Adam epsilon"),
    "optimizer.weight_decay": ((float, int), "weight decay coefficient"),
    "optimizer.momentum": ((float, int), "SGD momentum"),
    "optimizer.decoupled_weight_decay": ((bool,), "True when weight decay is decoupled (AdamW, DeepSpeed Adam with adam_w_mode)"),
    # batch
    "batch.per_device": ((int,), "micro-batch per device (unit per_device)"),
    "batch.global": ((int,), "global batch per optimizer step (unit global), declared or derived"),
    "batch.grad_accum": ((int,), "gradient accumulation steps (per rank unless the dialect says global)"),
    "batch.world_size": ((int,), "number of data-parallel devices when the config states it"),
    "batch.sample_kind": ((str,), "what one batch element is when the dialect knows it: 'sequence', 'image', or a variable-size structure trained one at a time by design ('geometry' for GINO meshes, 'utterance' for speech)"),
    # run length
    "run.epochs": ((float, int), "training length in epochs"),
    "run.max_steps": ((int, float), "training length in steps (unit opt_step or iteration)"),
    "run.stage": ((str,), "training objective, lower case: pretrain, sft, dpo, ppo, rm, kto, orpo, simpo, grpo (LLaMA-Factory stage, axolotl rl, TRL trainer); preference for a TRL offline preference config (beta + max_prompt_length: DPO, ORPO or CPO) that does not say which; inference for an eval/predict config (only load rules run)"),
    # warmup
    "warmup.steps": ((int, float), "warmup length (unit opt_step, iteration or epoch)"),
    "warmup.ratio": ((float, int), "warmup as a fraction of the run (unit ratio)"),
    # scheduler
    "scheduler.type": ((str,), "normalized: constant, linear, cosine, cosine_restarts, step, multistep, exponential, plateau, onecycle, polynomial, inverse_sqrt, wsd, warmup_only, other"),
    "scheduler.raw_type": ((str,), "the scheduler name as written (class path, HF name)"),
    "scheduler.interval": ((str,), "'step' or 'epoch': when scheduler.step() runs"),
    "scheduler.patience": ((int, float), "plateau patience (unit epoch, eval or opt_step)"),
    "scheduler.factor": ((float, int), "plateau LR multiplier"),
    "scheduler.cooldown": ((int, float), "plateau cooldown (same unit as patience)"),
    "scheduler.monitor": ((str,), "metric the plateau scheduler watches"),
    "scheduler.mode": ((str,), "'min' or 'max'"),
    "scheduler.min_lr": ((float, int), "LR floor (absolute, or unit fraction_of_lr)"),
    "scheduler.t_max": ((int, float), "cosine half period / decay horizon (unit of scheduler.interval)"),
    "scheduler.t_0": ((int, float), "cosine-with-restarts first period"),
    "scheduler.t_mult": ((int, float), "cosine-with-restarts period multiplier"),
    "scheduler.step_size": ((int, float), "StepLR period"),
    "scheduler.milestones": ((list, tuple), "MultiStepLR milestones / detectron2 STEPS"),
    "scheduler.gamma": ((float, int), "StepLR/MultiStepLR/Exponential multiplier"),
    "scheduler.decay_steps": ((int, float), "length of the decay phase (nanoGPT lr_decay_iters, DeepSpeed total_num_steps)"),
    # early stopping
    "early_stopping.patience": ((int, float), "early-stopping patience (unit epoch or eval)"),
    "early_stopping.monitor": ((str,), "metric early stopping watches"),
    # gradients
    "clip.max_norm": ((float, int), "gradient-norm clipping threshold (0/None = off)"),
    "clip.value": ((float, int), "gradient value clipping threshold"),
    # precision
    "precision.fp16": ((bool,), "fp16 mixed precision on"),
    "precision.bf16": ((bool,), "bf16 mixed precision on"),
    "precision.loss_scale": ((float, int, str), "static loss scale (0 or 'dynamic' = dynamic)"),
    # LoRA
    "lora.enabled": ((bool,), "LoRA/QLoRA adapters are trained"),
    "lora.r": ((int,), "LoRA rank r"),
    "lora.alpha": ((float, int), "LoRA alpha"),
    "lora.scale": ((float, int), "adapter output multiplier when the framework takes it directly instead of alpha/r (mlx-lm lora_parameters.scale)"),
    "lora.use_rslora": ((bool,), "rank-stabilized LoRA: scale alpha/sqrt(r) instead of alpha/r"),
    "lora.dropout": ((float, int), "LoRA dropout probability"),
    "finetune.full": ((bool,), "True when the framework certainly trains the pretrained model's own weights with no adapter of any kind (LLaMA-Factory finetuning_type full/freeze, axolotl without adapter, mlx-lm fine_tune_type full, a torchtune full-model builder); absent when unknown (a TrainingArguments file cannot tell whether the script wraps the model in PEFT)"),
    # model / loss
    "model.name": ((str,), "pretrained checkpoint the run starts from, as written (Hub id or local path)"),
    "model.torch_dtype": ((str,), "torch_dtype of that checkpoint's local config.json (lower case: bfloat16, float16, float32)"),
    "model.dropout": ((float, int), "model dropout probability"),
    "model.uses_batchnorm": ((bool,), "the config shows BatchNorm layers (norm_cfg BN, SyncBN, ...)"),
    "loss.weights": ((dict,), "named loss-term weights {term: PlanValue(float)}"),
    # intervals
    "eval.interval": ((int, float), "evaluation interval (unit opt_step, iteration or epoch)"),
    "save.interval": ((int, float), "checkpoint interval"),
}


@dataclass(frozen=True)
class Provenance:
    """Where a plan value came from.

    Attributes:
        path: file the value was read from (a ``_base_`` file for inherited values).
        line, column: 1-based position of the key (or value) in that file.
        key: original dotted key path in the framework's own terms
            (``"optimizer.init_args.lr"``, ``"SOLVER.BASE_LR"``, ``"--learning_rate"``).
        default: True when the value is not written in the file: the framework's
            documented default, or (with ``derived``) computed from values that are
            (line/column then point at the closest related key).
        derived: True when the value is computed from stated values (``batch_size ×
            gradient_accumulation_steps``, a schedule span), not a framework default;
            only meaningful with ``default``. Derived values are kept when defaults are
            withheld (:attr:`TrainingPlan.fill_defaults`) and are not cited as defaults.
    """

    path: str
    line: int = 1
    column: int = 1
    key: str = ""
    default: bool = False
    derived: bool = False

    @property
    def framework_default(self) -> bool:
        """True for a framework default (not written in the file, not derived from it)."""
        return self.default and not self.derived


@dataclass
class PlanValue:
    """One canonical field value.

    Attributes:
        value: the normalized Python value (``float`` for ``1e-4`` even when the
            framework's loader would read a string; see ``as_string``).
        unit: one of :data:`UNITS`, or ``None`` when unit-less.
        source: :class:`Provenance`.
        resolved: False for ``"auto"``, ``$VAR``, Python calls: ``value`` then holds the raw text.
        as_string: True when the framework's own loader hands this number to the
            trainer as a ``str`` (PyYAML's YAML 1.1 ``1e-4``): rule ``yaml-float-as-string``.
        raw: the text as written, when known.
    """

    value: Any
    unit: str | None = None
    source: Provenance | None = None
    resolved: bool = True
    as_string: bool = False
    raw: str | None = None

    @property
    def number(self) -> float | None:
        """``value`` as a float when it is a resolved real number (not bool), else ``None``."""
        v = self.value
        if self.resolved and isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        return None


@dataclass(frozen=True)
class MissingBase:
    """An inherited file (``_base_``, ``_BASE_``, a Hydra defaults entry) that could not be found.

    Attributes:
        ref: the reference as written (``'../_base_/schedules/schedule_1x.py'``, ``model: mnist``).
        tried: the path it resolved to (absolute or relative to the working directory).
        source: where the reference is written (the referencing file, line, column, key).
    """

    ref: str
    tried: str
    source: Provenance


@dataclass
class TrainingPlan:
    """The canonical description of one training run.

    Attributes:
        path: the file the plan was built from (the file linted).
        dialect: name of the dialect that built it (``"hf-trainer"``, ``"generic"``...).
        loader: how the framework itself reads numbers from this file:
            ``"pyyaml"`` (YAML 1.1: ``1e-4`` is a str), ``"omegaconf"``, ``"jsonargparse"``,
            ``"yacs"``, ``"ruamel"``, ``"json"``, ``"toml"``, ``"python"``, ``"argparse"``.
        coerces: True when the framework converts numeric strings of typed fields
            itself (pydantic, jsonargparse, yacs), so only untyped keys stay strings.
        loader_known: True when :attr:`loader` is certain for this file (the framework
            has one loader); False when it is only the likeliest of several (a custom
            script's ``yaml.safe_load`` or OmegaConf, ``HfArgumentParser.parse_yaml_file``
            or TRL's ``TrlParser``). ``yaml-float-as-string`` reports at ``info`` then.
        fields: canonical name → :class:`PlanValue` (see :data:`FIELDS`).
        documents: every :class:`~stablint.linter.document.Document` the plan was
            built from (the file and its resolved bases), for load-pitfall rules.
        notes: free-form normalization notes (e.g. ``"base file not found: x.py"``).
        missing_bases: :class:`MissingBase` records of inherited files that were not found
            (rule ``base-not-found``); the plan holds only what the found files state.
        framework: the :class:`~stablint.linter.dialects.base.Dialect` instance that built
            the plan, set by ``Dialect.normalize``; its class attributes are the framework
            facts rules read (``model_family``, ``precision_conflict``, ``unknown_keys``...)
            through :func:`stablint.linter.dialects.facts_of`. ``None`` for ``"unknown"``
            plans and plans built by hand.
        fill_defaults: False when the dialect was not detected with high confidence:
            :meth:`Dialect.put` then withholds framework defaults (derived values are
            still set), so no finding rests on the defaults of a framework we are not
            sure of (issue 12, "certainty before severity").
        detection: the :class:`~stablint.linter.dialects.Detection` that chose the
            dialect (evidence and confidence), ``None`` for plans built by hand.
    """

    path: str
    dialect: str
    loader: str = "pyyaml"
    coerces: bool = False
    loader_known: bool = True
    fields: dict[str, PlanValue] = field(default_factory=dict)
    documents: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_bases: list[MissingBase] = field(default_factory=list)
    framework: Any = field(default=None, repr=False, compare=False)
    fill_defaults: bool = True
    detection: Any = field(default=None, repr=False, compare=False)

    def set(self, name: str, pv: PlanValue) -> None:
        """Set a canonical field.

        Raises:
            KeyError: ``name`` is not in :data:`FIELDS`.
        """
        if name not in FIELDS:
            raise KeyError(f"unknown canonical field {name!r}")
        self.fields[name] = pv

    def get(self, name: str) -> PlanValue | None:
        """The :class:`PlanValue` of ``name`` or ``None`` when absent."""
        return self.fields.get(name)

    def has(self, name: str) -> bool:
        """True when ``name`` is set (resolved or not)."""
        return name in self.fields

    def value(self, name: str, default: Any = None) -> Any:
        """The resolved value of ``name``; ``default`` when absent or unresolved."""
        pv = self.fields.get(name)
        if pv is None or not pv.resolved:
            return default
        return pv.value

    def number(self, name: str) -> float | None:
        """The resolved numeric value of ``name`` as float, else ``None``."""
        pv = self.fields.get(name)
        return pv.number if pv is not None else None

    def unit(self, name: str) -> str | None:
        """The unit of ``name`` (``None`` when absent or unit-less)."""
        pv = self.fields.get(name)
        return pv.unit if pv else None

    def items(self) -> Iterator[tuple[str, PlanValue]]:
        """Iterate ``(name, PlanValue)`` pairs in insertion order."""
        return iter(self.fields.items())

    # -- derived quantities (documented formulas, never guesses) ---------------
    def global_batch(self) -> int | None:
        """Effective (global) batch per optimizer step.

        ``batch.global`` when declared; otherwise ``per_device × grad_accum ×
        world_size`` with ``grad_accum`` and ``world_size`` defaulting to 1 (so a
        single-device lower bound). ``None`` without a per-device batch.
        """
        g = self.number("batch.global")
        if g is not None:
            return int(g)
        b = self.number("batch.per_device")
        if b is None:
            return None
        ga = self.number("batch.grad_accum") or 1
        ws = self.number("batch.world_size") or 1
        return int(b * ga * ws)

    def total_steps(self) -> float | None:
        """Run length in the scheduler's stepping unit when the config states it.

        ``run.max_steps`` for per-step schedulers, ``run.epochs`` for per-epoch ones;
        ``None`` when the needed field is missing (steps per epoch needs the dataset size).
        """
        if self.value("scheduler.interval") == EPOCH_INTERVAL:
            return self.number("run.epochs")
        steps = self.number("run.max_steps")
        return steps if steps is not None and steps > 0 else None

    def to_json(self) -> dict[str, Any]:
        """Resolved field values as plain JSON (``loss.weights`` flattened to floats).

        Unresolved fields are omitted. This is the instance validated against
        ``stablint/schemas/training_plan.schema.json``.
        """
        out: dict[str, Any] = {}
        for name, pv in self.fields.items():
            if not pv.resolved:
                continue
            if name == "loss.weights":
                out[name] = {k: w.value for k, w in pv.value.items() if w.resolved}
            else:
                out[name] = list(pv.value) if isinstance(pv.value, tuple) else pv.value
        return out
