"""Hugging Face ``TrainingArguments``: YAML/JSON files and HF-style ``--flag value`` launch scripts.

Sources (research/dialects.md §1, table 2A and trap §3.1; existing_checks.md A.1):

* Loader: ``HfArgumentParser.parse_yaml_file`` is ``yaml.safe_load`` + dataclass
  init without coercion, so ``learning_rate: 1e-4`` reaches the trainer as a
  ``str`` (huggingface/trl#1450). JSON files and CLI flags (argparse ``type=float``)
  give numbers.
* ``warmup_steps`` is a float: ``< 1`` is a **ratio** of the run, ``>= 1`` steps;
  a positive ``warmup_steps`` overrides ``warmup_ratio`` (``get_warmup_steps``).
* ``max_steps > 0`` overrides ``num_train_epochs`` (default ``-1``).
* The scheduler steps once per optimizer step, except ``reduce_lr_on_plateau``,
  which steps once per **evaluation** on ``metric_for_best_model`` (``"loss"`` when
  unset, logged as ``eval_loss``); its ``lr_scheduler_kwargs.patience`` therefore
  counts evaluations (unit ``eval``).
* Early stopping (``EarlyStoppingCallback(early_stopping_patience)``) counts evaluations.
* ``run.stage``: a launch script that runs a TRL trainer script (``trl/scripts/dpo.py``,
  ``trl grpo ...``) names the objective; in a YAML/JSON file, the offline preference trainers' fields do
  (``beta`` + ``max_prompt_length``, :func:`.stages.trl_config_stage`).
* ``finetune.full``: only an explicit ``use_peft: false``/``use_lora: false``; otherwise unknown (the
  script decides whether it wraps the model in PEFT).
* Defaults (``training_args.py``): learning_rate 5e-5, per_device_train_batch_size 8,
  gradient_accumulation_steps 1, num_train_epochs 3.0, max_grad_norm 1.0,
  lr_scheduler_type ``linear``, warmup 0, optim AdamW. They are filled in only for
  files that are certainly ``TrainingArguments`` (see :meth:`HfTrainer.fills_defaults`).

The helpers below (:func:`hf_run_length`, :func:`hf_warmup`, :func:`hf_scheduler`,
:func:`hf_optimizer`) are shared by the LLaMA-Factory and axolotl dialects, which
hand their values to the same ``TrainingArguments``.
"""

from __future__ import annotations

import json
from typing import Any

from ..document import Document, Node
from ..plan import EPOCH, EVAL, OPT_STEP, PER_DEVICE, RATIO, FRACTION_OF_LR, PlanValue, TrainingPlan
from .base import Context, Dialect, number_of
from .names import optimizer_family, scheduler_kind
from .stages import trl_config_stage, trl_stage
from . import known_keys as kk
from .known_keys import HF_TRAINER as _KNOWN_KEYS

#: Loader name per document format (how the framework itself reads numbers).
FORMAT_LOADERS = {"yaml": "pyyaml", "json": "json", "shell": "argparse"}

#: Flags/keys that only ``TrainingArguments`` (or a close copy) uses.
HF_STRONG = frozenset({
    "per_device_train_batch_size", "per_gpu_train_batch_size", "per_device_eval_batch_size", "num_train_epochs",
    "lr_scheduler_type", "eval_strategy", "evaluation_strategy", "save_strategy", "logging_strategy",
    "save_total_limit", "load_best_model_at_end", "metric_for_best_model", "warmup_ratio", "max_grad_norm",
    "adam_beta1", "adam_beta2", "adam_epsilon", "optim", "lr_scheduler_kwargs", "greater_is_better",
})
#: Of those, the ones an argparse script of its own rarely copies: their presence
#: means ``TrainingArguments`` parses the flags, so its defaults apply.
HF_ONLY = frozenset({"eval_strategy", "evaluation_strategy", "save_strategy", "logging_strategy", "save_total_limit",
                     "load_best_model_at_end", "metric_for_best_model", "max_grad_norm", "warmup_ratio", "optim"})

#: Single HF-specific keys that, with ``output_dir``, identify a TrainingArguments file.
_HF_BATCH_OR_LENGTH = frozenset({"per_device_train_batch_size", "per_gpu_train_batch_size", "num_train_epochs",
                                 "lr_scheduler_type"})

#: ``TrainingArguments`` defaults: canonical field → (value, unit, HF key).
HF_DEFAULTS: dict[str, tuple[Any, str | None, str]] = {
    "optimizer.lr": (5e-5, None, "learning_rate"),
    "batch.per_device": (8, PER_DEVICE, "per_device_train_batch_size"),
    "batch.grad_accum": (1, None, "gradient_accumulation_steps"),
    "clip.max_norm": (1.0, None, "max_grad_norm"),
    "optimizer.weight_decay": (0.0, None, "weight_decay"),
}


def mapping_of(node: Node | None) -> dict[str, Node] | None:
    """Children of a dict-valued argument, also when written as a JSON string.

    HF parses ``lr_scheduler_kwargs='{"min_lr": 1e-6}'`` with ``json.loads``
    (``_VALID_DICT_FIELDS``); the synthetic children sit at the string's position.
    Returns ``None`` when the node is neither a mapping nor a JSON-object string.
    """
    if node is None:
        return None
    if node.is_mapping:
        return node.value
    if isinstance(node.value, str) and node.value.strip().startswith("{"):
        try:
            data = json.loads(node.value)
        except ValueError:
            return None
        if isinstance(data, dict):
            return {str(k): Node(v, node.line, node.column, node.key_line, node.key_column, path=node.path)
                    for k, v in data.items() if not isinstance(v, (dict, list))}
    return None


def hf_run_length(d: Dialect, root: Node, plan: TrainingPlan, epochs_key: str = "num_train_epochs",
                  steps_key: str = "max_steps") -> None:
    """``run.max_steps`` (opt_step) when ``max_steps > 0``, else ``run.epochs``.

    ``max_steps > 0`` overrides the epoch count (HF/axolotl/LLaMA-Factory), so
    ``run.epochs`` is then left out and a note says why.
    """
    steps, epochs = root.get(steps_key), root.get(epochs_key)
    n = number_of(steps) if steps is not None else None
    if steps is not None and steps.value is not None and (n is None or n > 0):
        d.take(plan, "run.max_steps", steps, steps_key, OPT_STEP)
        if epochs is not None and epochs.value is not None:
            plan.notes.append(f"{epochs_key}={epochs.raw or epochs.value} is ignored: {steps_key}={steps.raw or steps.value} overrides it")
        return
    if epochs is not None and epochs.value is not None:
        d.take(plan, "run.epochs", epochs, epochs_key, EPOCH)


def hf_warmup(d: Dialect, root: Node, plan: TrainingPlan, steps_keys: tuple[str, ...] = ("warmup_steps", "num_warmup_steps")) -> None:
    """Warmup with HF semantics: ``warmup_steps < 1`` is a ratio; positive steps win over ``warmup_ratio``."""
    steps_node, steps_key = next(((root.get(k), k) for k in steps_keys if root.get(k) is not None
                                  and root.get(k).value is not None), (None, ""))
    ratio_node = root.get("warmup_ratio")
    n = number_of(steps_node) if steps_node is not None else None
    if steps_node is not None and (n is None or n > 0 or ratio_node is None or ratio_node.value is None):
        if n is not None and 0 < n < 1:
            d.take(plan, "warmup.ratio", steps_node, steps_key, RATIO)
            plan.notes.append(f"{steps_key}={n} is below 1, so transformers reads it as a ratio of the run")
        else:
            d.take(plan, "warmup.steps", steps_node, steps_key, OPT_STEP)
        if ratio_node is not None and ratio_node.value is not None and n:
            plan.notes.append(f"warmup_ratio is ignored: {steps_key} > 0 overrides it")
        return
    if ratio_node is not None and ratio_node.value is not None:
        d.take(plan, "warmup.ratio", ratio_node, "warmup_ratio", RATIO)


def hf_scheduler(d: Dialect, root: Node, plan: TrainingPlan, type_key: str = "lr_scheduler_type",
                 kwargs_key: str = "lr_scheduler_kwargs", kwargs_coerce: bool | None = None,
                 default: str | None = None) -> None:
    """Scheduler type, its ``lr_scheduler_kwargs`` and the plateau specifics.

    ``reduce_lr_on_plateau``: patience/cooldown in evaluations (torch defaults
    patience 10, factor 0.1, mode ``min``), monitor ``eval_<metric_for_best_model>``
    (``eval_loss`` when unset: transformers forces ``metric_for_best_model="loss"``).
    ``cosine_with_min_lr``: ``min_lr`` is absolute, ``min_lr_rate`` a fraction of the LR.
    """
    node = root.get(type_key)
    if node is not None and node.value is not None:
        pv = d.take(plan, "scheduler.type", node, type_key)
        if pv.resolved and isinstance(pv.value, str):
            plan.set("scheduler.raw_type", PlanValue(pv.value, source=pv.source))
            pv.value = scheduler_kind(pv.value)
    elif default is not None:
        near = plan.get("optimizer.lr")
        d.put(plan, "scheduler.raw_type", default, near, type_key)
        d.put(plan, "scheduler.type", scheduler_kind(default), near, type_key)
    kind = plan.value("scheduler.type")
    kwargs = mapping_of(root.get(kwargs_key)) or {}
    plateau = kind == "plateau"
    for sub, canonical in (("patience", "scheduler.patience"), ("factor", "scheduler.factor"), ("mode", "scheduler.mode"),
                           ("cooldown", "scheduler.cooldown"), ("min_lr", "scheduler.min_lr"),
                           ("min_lr_rate", "scheduler.min_lr"), ("num_cycles", None)):
        child = kwargs.get(sub)
        if child is None or canonical is None or (sub == "min_lr_rate" and plan.has("scheduler.min_lr")):
            continue
        unit = EVAL if plateau and sub in ("patience", "cooldown") else (FRACTION_OF_LR if sub == "min_lr_rate" else None)
        d.take(plan, canonical, child, f"{kwargs_key}.{sub}", unit, coerce=kwargs_coerce)
    if plateau:
        anchor = plan.get("scheduler.type")
        if not plan.has("scheduler.patience"):
            d.put(plan, "scheduler.patience", 10, anchor, f"{kwargs_key}.patience", EVAL)
        if not plan.has("scheduler.factor"):
            d.put(plan, "scheduler.factor", 0.1, anchor, f"{kwargs_key}.factor")
        metric = root.get("metric_for_best_model")
        name = metric.value if metric is not None and isinstance(metric.value, str) else "loss"
        monitor = name if name.startswith("eval_") else f"eval_{name}"
        if metric is not None and isinstance(metric.value, str):
            pv = d.take(plan, "scheduler.monitor", metric, "metric_for_best_model")
            pv.value = monitor
        else:
            d.put(plan, "scheduler.monitor", monitor, anchor, "metric_for_best_model")
        strategy = root.get("eval_strategy") or root.get("evaluation_strategy")
        interval = "epoch" if strategy is not None and strategy.value == "epoch" else "step"
        d.put(plan, "scheduler.interval", interval, anchor, type_key, derived=True)
        plan.notes.append("reduce_lr_on_plateau steps once per evaluation: patience counts evaluations")


def hf_optimizer(d: Dialect, root: Node, plan: TrainingPlan, key: str = "optim", default: str | None = None,
                 beta_keys: tuple[str, str] = ("adam_beta1", "adam_beta2")) -> None:
    """Optimizer family from ``optim`` and betas from ``adam_beta1``/``adam_beta2`` (defaults 0.9/0.999)."""
    node = root.get(key)
    if node is not None and node.value is not None:
        pv = d.take(plan, "optimizer.type", node, key)
        if pv.resolved:
            pv.value = optimizer_family(pv.value)
    elif default is not None:
        d.put(plan, "optimizer.type", optimizer_family(default), plan.get("optimizer.lr"), key)
    family = plan.value("optimizer.type")
    if family == "adamw":
        d.put(plan, "optimizer.decoupled_weight_decay", True, plan.get("optimizer.type"), key, derived=True)
    b1, b2 = root.get(beta_keys[0]), root.get(beta_keys[1])
    if (b1 is not None and b1.value is not None) or (b2 is not None and b2.value is not None):
        first = b1 if b1 is not None and b1.value is not None else b2
        pv = d.take(plan, "optimizer.betas", first, beta_keys[0] if first is b1 else beta_keys[1])
        v1 = number_of(b1) if b1 is not None and b1.value is not None else 0.9
        v2 = number_of(b2) if b2 is not None and b2.value is not None else 0.999
        pv.value, pv.resolved = [v1, v2], v1 is not None and v2 is not None
        # each beta read as a number field: a PyYAML ``9.5e-1`` stays a string
        pv.as_string = any(d.value_of(n, k, "optimizer.eps", None, d.coerces, plan.path).as_string
                           for n, k in ((b1, beta_keys[0]), (b2, beta_keys[1])) if n is not None and n.value is not None)


def lora_enabled_from_flags(d: Dialect, root: Node, plan: TrainingPlan,
                            flags: tuple[str, ...] = ("use_peft", "use_peft_lora", "use_lora", "lora", "q_lora")) -> None:
    """``lora.enabled``: an explicit boolean flag when present, else True when LoRA keys are set."""
    for flag in flags:
        node = root.get(flag)
        if node is None or not isinstance(node.value, bool) or (flag == "q_lora" and not node.value):
            continue  # q_lora False still trains plain LoRA (FastChat)
        d.take(plan, "lora.enabled", node, flag)
        if node.value is False and flag in ("use_peft", "use_lora"):
            # the file itself switches adapters off (TRL ModelConfig.use_peft, the scripts' use_lora)
            d.put(plan, "finetune.full", True, node, flag, default=False)
        return
    if plan.has("lora.r") or plan.has("lora.alpha"):
        d.put(plan, "lora.enabled", True, plan.get("lora.r") or plan.get("lora.alpha"), "", default=False)


def launcher_world_size(d: Dialect, root: Node, plan: TrainingPlan) -> None:
    """``batch.world_size`` from launcher flags in a shell script: ``--num_processes``
    (accelerate, all nodes), else ``--nproc_per_node``/``--num_gpus`` × ``--nnodes``/``--num_nodes``."""
    total = root.get("num_processes")
    if total is not None and number_of(total):
        d.take(plan, "batch.world_size", total, "num_processes")
        return
    per_node = root.get("nproc_per_node") or root.get("num_gpus")
    nodes = root.get("nnodes") or root.get("num_nodes")
    if per_node is None or not number_of(per_node):
        return
    key = "nproc_per_node" if root.get("nproc_per_node") is per_node else "num_gpus"
    pv = d.take(plan, "batch.world_size", per_node, key)
    if nodes is not None:
        n = number_of(nodes)
        if n is None:
            pv.resolved = False
        else:
            pv.value = int(pv.value * n)


def trl_keys(doc: Document) -> set[str]:
    """Top-level keys only TRL's configs have (``max_prompt_length``, ``num_generations``...):
    the file feeds a TRL trainer config. Keys without ``_`` (``name``, ``beta``) are too common to tell."""
    return {k for k in doc.keys() if isinstance(k, str) and "_" in k and k in kk.TRL_ONLY}


#: OpenNMT-py options (``onmt/opts.py``) that no TrainingArguments release has. OpenNMT-py YAML also uses
#: ``optim``, ``adam_beta2``, ``max_grad_norm``, ``warmup_steps`` and ``learning_rate``, which alone would
#: read as a TrainingArguments file; its ``learning_rate`` is a multiplier under ``decay_method: noam``.
OPENNMT_KEYS = frozenset({"save_model", "train_steps", "valid_steps", "decay_method", "batch_type", "accum_count",
                          "src_vocab", "tgt_vocab", "encoder_type", "decoder_type", "gpu_ranks", "position_encoding",
                          "param_init_glorot", "share_vocab", "save_data", "model_dtype"})

class HfTrainer(Dialect):
    """``TrainingArguments`` as YAML/JSON (``parse_yaml_file``/``parse_json_file``) or CLI flags."""

    name = "hf-trainer"
    evidence_keys = HF_STRONG | {"output_dir"}
    #: 0.5 + 0.1 per HF_STRONG key: three TrainingArguments-only names make it certain;
    #: two (or one with output_dir) are shared by many argparse scripts: medium
    high_score = 0.8
    title = "Hugging Face TrainingArguments"
    known_keys = _KNOWN_KEYS  # closed top-level key set, for unknown-key (STL004)
    #: trains transformers ``PreTrainedModel``s, the LLM fine-tuning stack (research/dialects.md table 2A)
    model_family = "transformer"
    #: ``TrainingArguments.__post_init__`` raises "At most one of fp16 and bf16 can be True"
    #: (research/existing_checks.md A.1)
    precision_conflict = "raises"
    #: ``parse_dict(allow_extra_keys=False)`` raises on other keys, but HF YAML files also feed
    #: a script's own dataclasses (``HF_EXAMPLE_ARGUMENTS`` in known_keys.py): typos only
    unknown_keys = "typos-only"
    #: ``python run_*.py --flag`` scripts parse their own argument classes besides TrainingArguments
    cli_flags_are_keys = False
    formats = ("yaml", "json", "shell")
    loader = "pyyaml"
    coerces = False
    scheduler_interval = "step"
    KEYS: dict[str, Any] = {
        "optimizer.lr": "learning_rate",
        "optimizer.weight_decay": "weight_decay",
        "optimizer.eps": "adam_epsilon",
        "batch.per_device": [("per_device_train_batch_size", PER_DEVICE), ("per_gpu_train_batch_size", PER_DEVICE)],
        "batch.grad_accum": "gradient_accumulation_steps",
        "clip.max_norm": "max_grad_norm",
        "precision.fp16": "fp16",
        "precision.bf16": "bf16",
        "model.name": "model_name_or_path",
        "early_stopping.patience": ("early_stopping_patience", EVAL),
        "lora.r": ["lora_r", "lora_rank"],
        "lora.alpha": "lora_alpha",
        "lora.dropout": "lora_dropout",
        "lora.use_rslora": ["use_rslora", "peft_use_rslora"],
    }

    def detect(self, doc: Document) -> float:
        """0 for an OpenNMT-py config (two or more of :data:`OPENNMT_KEYS`); else 0.5 + 0.1 per HF-specific key (at least two; or 0.6 for one with ``output_dir``), capped at 0.8 so that
        LLaMA-Factory/axolotl/DeepSpeed-Chat (which reuse these keys) win; 0 for a
        ``trainer_state.json`` log (it has ``log_history``)."""
        keys = doc.keys()
        if "log_history" in keys or "global_step" in keys:
            return 0.0
        if len(keys & OPENNMT_KEYS) >= 2:
            return 0.0  # an OpenNMT-py config that shares optim/adam_beta2/max_grad_norm with TrainingArguments
        hits = len(keys & HF_STRONG)
        if hits == 1 and "output_dir" in keys and keys & _HF_BATCH_OR_LENGTH:
            return 0.6  # output_dir is TrainingArguments' one required field
        return 0.0 if hits < 2 else min(0.8, 0.5 + 0.1 * hits)

    def key_policy(self, doc: Document) -> kk.KeyPolicy | None:
        """Key sets by family (known_keys.py), never by one union:

        * a dump the trainer wrote itself (``training_args.json``, a TRL config's
          ``to_json_string``: most TrainingArguments fields present) has no typos, and its
          other keys belong to the subclass or to a newer release: ``None`` (silent);
        * a file with TRL-only keys is a TRL trainer config (``SFTConfig``, ``DPOConfig``...,
          whose fields change from release to release): near misses of TrainingArguments or
          TRL keys at ``info``;
        * otherwise TrainingArguments plus the script's own argument classes: near misses of a
          TrainingArguments field (of the releases consistent with the file's other keys) at
          ``warning``; keys of TRL and the example scripts are accepted, never suggested.
        """
        keys = {k for k in doc.keys() if isinstance(k, str)}
        if kk.is_dump(keys, kk.TRAINING_ARGUMENTS):
            return None
        base = kk.TRAINING_ARGUMENTS.consistent_with(keys) | kk.SEQ2SEQ.keys
        known = self.known_keys | kk.LLAMAFACTORY.keys | kk.PEFT_LORA.keys  # neighbours' parsers: accepted
        trl = trl_keys(doc)
        if trl:
            return kk.KeyPolicy(kk.TRL, known, base | kk.TRL.consistent_with(keys), severity="info",
                                why=f"TRL config ('{sorted(trl)[0]}'): its fields differ between releases")
        return kk.KeyPolicy(kk.TRAINING_ARGUMENTS, known, base)

    def fills_defaults(self, doc: Document) -> bool:
        """True when the file is certainly parsed by ``TrainingArguments`` (YAML/JSON,
        or flags including a TrainingArguments-only name), so its defaults apply."""
        return doc.fmt != "shell" or bool(doc.keys() & HF_ONLY)

    def normalize(self, doc: Document, ctx: Context) -> TrainingPlan:
        """The KEYS table and :meth:`refine`, then the loader of this file's format."""
        plan = super().normalize(doc, ctx)
        plan.loader = FORMAT_LOADERS.get(doc.fmt, self.loader)
        if doc.fmt == "yaml" and trl_keys(doc):
            # TRL scripts read the YAML with TrlParser, which sets it as argparse defaults, and argparse
            # converts string defaults with the field's type (1e-4 becomes a float: trl/scripts/utils.py
            # set_defaults_with_config); HfArgumentParser.parse_yaml_file keeps the string. Which one runs
            # is not in the file.
            plan.loader_known = False
        return plan

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Run length, warmup, scheduler, optimizer, intervals, LoRA flag, defaults."""
        defaults = self.fills_defaults(doc)
        hf_run_length(self, root, plan)
        hf_warmup(self, root, plan)
        hf_scheduler(self, root, plan, default="linear" if defaults else None)
        hf_optimizer(self, root, plan, default="adamw_torch" if defaults else None)
        self.intervals(root, plan)
        lora_enabled_from_flags(self, root, plan)
        if doc.fmt == "shell":
            launcher_world_size(self, root, plan)
            stage = trl_stage(doc)
            if stage is not None:  # the launched TRL script/CLI command names the trainer
                self.put(plan, "run.stage", stage, plan.get("optimizer.lr"), "command", default=False)
        else:
            stage = trl_config_stage(doc)
            if stage is not None:  # the offline preference trainers' own fields (beta, max_prompt_length...)
                self.put(plan, "run.stage", stage, root.get("beta"), "beta, max_prompt_length", default=False)
        if defaults:
            self.fill_defaults(plan, HF_DEFAULTS)
            if not plan.has("run.max_steps") and not plan.has("run.epochs"):
                self.put(plan, "run.epochs", 3.0, plan.get("optimizer.lr"), "num_train_epochs", EPOCH)
            if not plan.has("warmup.steps") and not plan.has("warmup.ratio"):
                self.put(plan, "warmup.steps", 0, plan.get("optimizer.lr"), "warmup_steps", OPT_STEP)

    def fill_defaults(self, plan: TrainingPlan, table: dict[str, tuple[Any, str | None, str]]) -> None:
        """Set each absent field of ``table`` to its documented default (``default=True`` provenance)."""
        for canonical, (value, unit, key) in table.items():
            if not plan.has(canonical):
                self.put(plan, canonical, value, plan.get("optimizer.lr"), key, unit)

    def intervals(self, root: Node, plan: TrainingPlan) -> None:
        """``eval.interval``/``save.interval`` from ``*_strategy`` + ``*_steps`` (float < 1 = ratio)."""
        for what, strategy_keys, steps_key in (("eval", ("eval_strategy", "evaluation_strategy"), "eval_steps"),
                                               ("save", ("save_strategy",), "save_steps")):
            strategy = next((root.get(k) for k in strategy_keys if root.get(k) is not None), None)
            value = strategy.value if strategy is not None else None
            steps = root.get(steps_key)
            if value == "epoch":
                self.put(plan, f"{what}.interval", 1, strategy, strategy_keys[0], EPOCH, default=False)
            elif steps is not None and value in (None, "steps") and steps.value is not None:
                n = number_of(steps)
                self.take(plan, f"{what}.interval", steps, steps_key, RATIO if n is not None and n < 1 else OPT_STEP)


DIALECT = HfTrainer()

__all__ = ["DIALECT", "FORMAT_LOADERS", "HF_DEFAULTS", "HfTrainer", "hf_optimizer", "hf_run_length", "hf_scheduler",
           "hf_warmup", "launcher_world_size", "lora_enabled_from_flags", "mapping_of"]
