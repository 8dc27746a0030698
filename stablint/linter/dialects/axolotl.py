"""axolotl YAML: ``base_model`` + ``micro_batch_size`` + ``adapter: lora|qlora`` configs.

Sources (research/dialects.md §1, table 2A, trap §3.2; existing_checks.md A.3;
axolotl@067b021 ``src/axolotl/core/builders/base.py``):

* Loader: ``yaml.safe_load`` then a pydantic model. Typed fields are coerced
  (``learning_rate`` has an explicit ``float()``; lax mode converts numeric
  strings), so ``coerces=True``; the free-form dicts ``lr_scheduler_kwargs`` and
  ``optim_args`` are **not** coerced: a ``1e-6`` in them reaches the scheduler as a str.
* ``micro_batch_size`` is per device; ``batch_size`` (discouraged) is
  ``micro × gradient_accumulation_steps`` per rank, so GA = batch_size // micro.
* ``max_steps`` precedes ``num_epochs`` (default 1).
* Warmup: ``warmup_steps`` **xor** ``warmup_ratio``. When neither is truthy
  (``warmup_steps: 0`` included) the builder uses ``min(int(0.03 * total), 100)``
  steps, or ratio 0.03 when the total is unknown (``_configure_warmup_and_logging``).
* ``lr_scheduler`` defaults to ``cosine``; ``one_cycle``/``rex`` run on top of HF
  ``cosine``; ``cosine_min_lr_ratio`` is a fraction of the LR.
* ``early_stopping_patience`` counts evaluations. ``max_grad_norm`` unset → HF
  default 1.0 (the builder passes it only when set).
* LoRA is trained only with ``adapter: lora|qlora``; an empty ``adapter:`` means a
  full fine-tune even when ``lora_r``/``lora_alpha`` are written.
* ``bf16: auto`` is resolved from the hardware at start-up (unresolved here).
* ``rl:`` (dpo, ipo, kto, orpo, simpo, grpo) or ``reward_model: true`` is the objective (``run.stage``);
  without them ``pretraining_dataset`` means ``pretrain`` and ``datasets`` whose every ``type`` is a
  named prompt format (not ``completion``) mean ``sft``.
* No ``adapter`` (or an empty one) trains all parameters (``finetune.full``; ``schemas/peft.py``).
* ``expert_parallel_size: N > 1`` means N or more ranks: ``batch.world_size`` is unresolved
  (the launcher sets it), never assumed to be 1.
"""

from __future__ import annotations

from typing import Any

from ..document import Document, Node
from ..plan import EPOCH, EVAL, FRACTION_OF_LR, OPT_STEP, PER_DEVICE, RATIO, TrainingPlan
from .base import Context, Dialect, number_of
from .hf_trainer import hf_optimizer, hf_run_length, hf_scheduler, mapping_of
from .stages import normalize_stage

#: Keys of axolotl's config schema that other trainers do not use: each one points at axolotl.
AXOLOTL_STRONG = frozenset({"sequence_len", "lora_target_linear", "dataset_prepared_path", "evals_per_epoch",
                            "saves_per_epoch", "sample_packing", "pad_to_sequence_len", "special_tokens",
                            "lora_model_dir", "pretraining_dataset", "peft_use_rslora", "adapter: lora",
                            "adapter: qlora", "datasets[].type"})
#: axolotl keys that other fine-tuning scripts share (tloen/alpaca-lora's ``finetune.py`` takes
#: ``base_model``, ``micro_batch_size``, ``num_epochs``, ``lora_r``, ``lora_target_modules``,
#: ``val_set_size``): evidence only beside a strong key (issue 12 category 3).
#: ``adapter: lora|qlora`` and ``datasets`` entries with ``path`` + ``type`` count as strong keys (axolotl's own
#: adapter switch and prompt-format field; see :meth:`Axolotl._strong_adapter`).
AXOLOTL_WEAK = frozenset({"micro_batch_size", "adapter", "lora_r", "lora_target_modules", "val_set_size",
                          "num_epochs", "lr_scheduler", "load_in_4bit", "load_in_8bit", "wandb_project", "datasets",
                          "chat_template"})
#: Keys axolotl uses (``base_model`` is required by axolotl).
AXOLOTL_KEYS = AXOLOTL_STRONG | AXOLOTL_WEAK
#: axolotl ``adapter`` values that train LoRA adapters.
_LORA_ADAPTERS = {"lora", "qlora"}


class Axolotl(Dialect):
    """axolotl fine-tuning YAML."""

    name = "axolotl"
    evidence_keys = AXOLOTL_KEYS | {"base_model"}
    title = "axolotl"
    #: LLM fine-tuning of Hugging Face ``base_model``s (research/dialects.md table 2A)
    model_family = "transformer"
    #: ``bf16`` wins over ``fp16`` without a message: NORM:156-197, and the builder passes
    #: ``fp16 = cfg.fp16 and not cfg.bf16`` (research/existing_checks.md A.3)
    precision_conflict = "bf16-wins"
    formats = ("yaml",)
    loader = "pyyaml"
    coerces = True
    scheduler_interval = "step"
    KEYS: dict[str, Any] = {
        "optimizer.lr": "learning_rate",
        "optimizer.weight_decay": "weight_decay",
        "optimizer.eps": "adam_epsilon",
        "batch.per_device": ("micro_batch_size", PER_DEVICE),
        "batch.grad_accum": "gradient_accumulation_steps",
        "clip.max_norm": "max_grad_norm",
        "precision.fp16": "fp16",
        "precision.bf16": "bf16",
        "model.name": "base_model",
        "early_stopping.patience": ("early_stopping_patience", EVAL),
        "lora.r": "lora_r",
        "lora.alpha": "lora_alpha",
        "lora.dropout": "lora_dropout",
        "lora.use_rslora": "peft_use_rslora",
    }

    #: 0.95: two strong keys, or one with ``base_model`` and two weak ones; 0.75 (medium, no axolotl
    #: defaults): one strong key; 0.4 (low, read as generic): ``base_model`` with weak keys only
    high_score = 0.9

    def detect(self, doc: Document) -> float:
        """Scores from :data:`AXOLOTL_STRONG`/:data:`AXOLOTL_WEAK` (see :attr:`high_score`)."""
        keys = self._strong_adapter(doc)
        strong, weak = len(keys & AXOLOTL_STRONG), len(keys & AXOLOTL_WEAK)
        base = "base_model" in keys
        if strong >= 2 or (strong == 1 and base and weak >= 2):
            return 0.95
        if strong == 1 and (base or weak >= 2):
            return 0.75
        return 0.4 if base and weak >= 2 else 0.0

    @staticmethod
    def _strong_adapter(doc: Document) -> set[str]:
        """Top-level keys, with the values that are axolotl's own marked as strong: ``adapter: lora``
        (a LoRA adapter) and ``datasets[].type`` (axolotl's prompt-format field of each dataset entry)."""
        keys = doc.keys()
        node = doc.root.get("adapter") if "adapter" in keys else None
        if node is not None and isinstance(node.value, str) and node.value.strip().lower() in _LORA_ADAPTERS:
            keys = (keys - {"adapter"}) | {f"adapter: {node.value.strip().lower()}"}
        ds = doc.root.get("datasets") if "datasets" in keys else None
        if ds is not None and ds.is_sequence and ds.value and all(e.is_mapping and "path" in e.value and "type" in e.value
                                                                  for e in ds.value):
            keys = (keys - {"datasets"}) | {"datasets[].type"}
        return keys

    def evidence(self, doc: Document) -> tuple[str, ...]:
        """``base_model``, the strong keys, then the weak ones (marked)."""
        keys = self._strong_adapter(doc)
        return (("key base_model",) if "base_model" in keys else ()) + tuple(
            f"key {k}" for k in sorted(keys & AXOLOTL_STRONG)) + tuple(f"weak key {k}" for k in sorted(keys & AXOLOTL_WEAK))

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Batch, run length, warmup, scheduler, optimizer, LoRA switch, defaults."""
        self._batch(root, plan)
        hf_run_length(self, root, plan, epochs_key="num_epochs")
        if not plan.has("run.max_steps") and not plan.has("run.epochs"):
            self.put(plan, "run.epochs", 1, plan.get("optimizer.lr"), "num_epochs", EPOCH)
        self._warmup(root, plan)
        sched = root.get("lr_scheduler")
        hf_scheduler(self, root, plan, type_key="lr_scheduler", kwargs_coerce=False, default="cosine")
        if sched is not None and sched.value in ("one_cycle", "rex"):
            plan.notes.append(f"lr_scheduler: {sched.value} runs as an alternate scheduler on top of HF cosine")
        ratio = root.get("cosine_min_lr_ratio")
        if ratio is not None and ratio.value is not None:
            self.take(plan, "scheduler.min_lr", ratio, "cosine_min_lr_ratio", FRACTION_OF_LR)
        hf_optimizer(self, root, plan, key="optimizer", default="adamw_torch_fused")
        for key in ("optim_args",):
            for sub, child in (mapping_of(root.get(key)) or {}).items():
                canonical = {"lr": "optimizer.lr", "weight_decay": "optimizer.weight_decay", "eps": "optimizer.eps",
                             "momentum": "optimizer.momentum"}.get(sub)
                if canonical and not (canonical == "optimizer.lr" and plan.has("optimizer.lr")):
                    self.take(plan, canonical, child, f"{key}.{sub}", coerce=False)
        if not plan.has("clip.max_norm"):
            self.put(plan, "clip.max_norm", 1.0, plan.get("optimizer.lr"), "max_grad_norm")
        self._intervals(root, plan)
        self._stage(root, plan)
        self._world_size(root, plan)
        adapter = root.get("adapter")
        if adapter is not None:
            pv = self.take(plan, "lora.enabled", adapter, "adapter")
            pv.value, pv.resolved = isinstance(adapter.value, str) and adapter.value.strip().lower() in _LORA_ADAPTERS, True
            if not pv.value and plan.has("lora.r"):
                plan.notes.append("lora_r/lora_alpha are set but adapter is empty: axolotl trains the full model")
        elif plan.has("lora.r"):
            self.put(plan, "lora.enabled", False, plan.get("lora.r"), "adapter")
        self._full(root, plan)

    def _full(self, root: Node, plan: TrainingPlan) -> None:
        """``finetune.full``: no ``adapter`` (or an empty one) trains every weight of ``base_model``.

        axolotl@067b021 ``src/axolotl/utils/schemas/peft.py``: ``adapter: str | None = Field(default=None,
        ... "If you want to use 'lora' or 'qlora' or leave blank to train all parameters in original
        model")``. Stated when written empty (``adapter:``), else axolotl's default. Any other value
        (``lora``, ``qlora``, ``llama-adapter``) trains an adapter.
        """
        adapter = root.get("adapter")
        if adapter is None:
            self.put(plan, "finetune.full", True, plan.get("model.name") or plan.get("optimizer.lr"), "adapter")
        elif adapter.value is None or (isinstance(adapter.value, str) and not adapter.value.strip()):
            self.put(plan, "finetune.full", True, adapter, "adapter", default=False)

    def _stage(self, root: Node, plan: TrainingPlan) -> None:
        """``rl: dpo|ipo|kto|orpo|simpo|grpo`` is the objective; ``reward_model: true`` trains a reward model."""
        rl = root.get("rl")
        if rl is not None and isinstance(rl.value, str) and rl.value.strip():
            self.take(plan, "run.stage", rl, "rl", convert=normalize_stage)
            return
        for key in ("reward_model", "process_reward_model"):
            node = root.get(key)
            if node is not None and node.value is True:
                self.put(plan, "run.stage", "rm", node, key, default=False)
                return
        pre = root.get("pretraining_dataset")
        if pre is not None and pre.value not in (None, "", []):
            self.put(plan, "run.stage", "pretrain", pre, "pretraining_dataset", default=False)
            return
        ds = root.get("datasets")
        if ds is not None and ds.is_sequence and ds.value and all(self._sft_type(e) for e in ds.value):
            self.put(plan, "run.stage", "sft", ds, "datasets[].type", default=False)

    @staticmethod
    def _sft_type(entry: Node) -> bool:
        """True for a ``datasets`` entry whose ``type`` is a named prompt format (instruction or chat data:
        ``alpaca``, ``sharegpt``, ``chat_template``, ``input_output``...): supervised fine-tuning. ``completion``
        (raw text, i.e. continued pretraining), reward/process-reward formats, custom formats (a mapping) and
        entries without a ``type`` are not read as SFT."""
        if not entry.is_mapping:
            return False
        t = entry.get("type")
        if t is None or not isinstance(t.value, str) or not t.value.strip():
            return False
        name = t.value.strip().lower()
        return not (name.startswith(("completion", "bradley_terry", "stepwise_supervised")) or "pretrain" in name)

    def _world_size(self, root: Node, plan: TrainingPlan) -> None:
        """``expert_parallel_size > 1`` needs at least that many ranks, each on its own tokens (experts are
        sharded over the ranks and tokens are exchanged all-to-all), so the run is not on one device; the
        count of data-parallel ranks comes from the launcher, so ``batch.world_size`` is unresolved (no
        number is claimed). A file name or comment saying "4gpu" is not read."""
        ep = root.get("expert_parallel_size")
        n = number_of(ep) if ep is not None else None
        if n is not None and n > 1 and not plan.has("batch.world_size"):
            pv = self.take(plan, "batch.world_size", ep, "expert_parallel_size")
            pv.value, pv.resolved = f">= {int(n)} (expert_parallel_size; the launcher sets the world size)", False
            plan.notes.append(f"expert_parallel_size={int(n)}: at least {int(n)} ranks; "
                              "the world size is set by the launcher")

    def _batch(self, root: Node, plan: TrainingPlan) -> None:
        """``batch_size`` without ``gradient_accumulation_steps``: GA = batch_size // micro_batch_size."""
        bs, micro = root.get("batch_size"), plan.number("batch.per_device")
        if bs is not None and number_of(bs) and micro and not plan.has("batch.grad_accum"):
            self.put(plan, "batch.grad_accum", max(1, int(number_of(bs)) // int(micro)), bs, "batch_size", default=False)
            plan.notes.append("gradient_accumulation_steps derived as batch_size // micro_batch_size (axolotl normalize_config)")

    def _warmup(self, root: Node, plan: TrainingPlan) -> None:
        """``warmup_steps`` xor ``warmup_ratio``; neither set → the builder's 3 % default (≤ 100 steps).

        axolotl's trainer builder (``_configure_warmup_and_logging``; ``build`` before it) tests
        ``cfg.warmup_steps is not None`` then ``cfg.warmup_ratio is not None``: an explicit 0 is
        kept (no warmup); only an absent or null key falls back to ``min(int(0.03 * steps), 100)``.
        """
        steps, ratio = root.get("warmup_steps"), root.get("warmup_ratio")
        ns = number_of(steps) if steps is not None else None
        nr = number_of(ratio) if ratio is not None else None
        if steps is not None and steps.value is not None:
            if ns is not None and 0 < ns < 1:
                self.take(plan, "warmup.ratio", steps, "warmup_steps", RATIO)
                plan.notes.append(f"warmup_steps={ns} is below 1: transformers reads it as a ratio (use warmup_ratio)")
            else:
                self.take(plan, "warmup.steps", steps, "warmup_steps", OPT_STEP)
            if nr:
                plan.notes.append("warmup_steps and warmup_ratio are mutually exclusive in axolotl (validation error)")
            return
        if ratio is not None and ratio.value is not None:
            self.take(plan, "warmup.ratio", ratio, "warmup_ratio", RATIO)
            return
        near = steps or ratio or None
        total = plan.number("run.max_steps")
        if total:
            self.put(plan, "warmup.steps", min(int(0.03 * total), 100), near or plan.get("run.max_steps"), "warmup_steps", OPT_STEP)
        else:
            self.put(plan, "warmup.ratio", 0.03, near or plan.get("optimizer.lr"), "warmup_ratio", RATIO)
        plan.notes.append("no warmup_steps/warmup_ratio: axolotl warms up over min(3% of steps, 100 steps)")

    def _intervals(self, root: Node, plan: TrainingPlan) -> None:
        """``eval_steps``/``save_steps`` (float < 1 = fraction of the run) or ``evals_per_epoch``/``saves_per_epoch``."""
        for what in ("eval", "save"):
            steps, per_epoch = root.get(f"{what}_steps"), root.get(f"{what}s_per_epoch")
            if steps is not None and number_of(steps):
                n = number_of(steps)
                self.take(plan, f"{what}.interval", steps, f"{what}_steps", RATIO if n < 1 else OPT_STEP)
            elif per_epoch is not None and number_of(per_epoch):
                self.put(plan, f"{what}.interval", 1 / number_of(per_epoch), per_epoch, f"{what}s_per_epoch",
                         EPOCH, default=False)


DIALECT = Axolotl()
