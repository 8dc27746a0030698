"""torchtune recipe YAML: top-level blocks instantiated from ``_component_`` paths.

Sources (research/dialects.md §1, table 2A, trap §3.4; torchtune@bd2a0fc
``recipes/lora_finetune_single_device.py`` [TT-R1], ``full_finetune_distributed.py`` [TT-R2],
``torchtune/training/lr_schedulers.py`` [TT-LR]):

* Loader: ``OmegaConf.load`` + CLI dot-list (``torchtune/config/_parse.py``): ``lr: 3e-4``
  is a **float** (the corpus notes saying PyYAML reads a string do not apply).
  ``${output_dir}`` interpolations stay unresolved.
* ``batch_size`` is per rank; global = batch_size × GPUs × gradient_accumulation_steps [TT-R2:94].
* ``epochs`` is the run length. ``max_steps_per_epoch`` **caps each epoch**; it is
  not a total, so it never becomes ``run.max_steps``.
* The scheduler steps per optimizer step; ``lr_scheduler.num_warmup_steps`` is in
  optimizer steps; without an ``lr_scheduler`` block the LR is constant.
* ``clip_grad_norm: null`` = no clipping; ``'inf'`` only logs the norm.
* ``dtype: bf16|fp16|fp32`` is the training precision.
* LoRA: ``model.lora_rank``/``model.lora_alpha``/``model.lora_dropout`` of a
  ``lora_*``/``qlora_*`` model builder.
* Knowledge distillation: ``loss = (1 - kd_ratio) * ce + kd_ratio * kd`` (KD recipes).
* ``profiler.warmup_steps`` is the profiler's warmup, not the LR's.
* ``run.stage``: the loss component (``DPOLoss``, ``PPOLoss``, ``GRPO*Loss``) or the RL
  keys ``grpo_samples``/``ppo_epochs`` name a preference/RL recipe; otherwise instruction/chat
  ``dataset`` builders (``alpaca_dataset``, ``chat_dataset``...) mean ``sft`` (not for KD recipes).
* ``finetune.full``: a plain ``torchtune.models`` builder (no ``lora_``/``qlora_`` prefix, no LoRA keys)
  has no adapter layers: the ``full_finetune_*`` recipes train every weight.
"""

from __future__ import annotations

from typing import Any

from ..document import Document, Node
from ..plan import EPOCH, OPT_STEP, PER_DEVICE, PlanValue, Provenance, TrainingPlan
from .base import Context, Dialect, number_of
from .names import optimizer_family, scheduler_kind

#: Top-level blocks a torchtune recipe builds from ``_component_``.
_BLOCKS = {"model", "tokenizer", "optimizer", "lr_scheduler", "checkpointer", "dataset", "loss", "metric_logger",
           "profiler", "policy_model", "teacher_model"}
#: Loss class name prefixes (lower case) of preference/RL recipes → ``run.stage``.
_LOSS_STAGES = (("dpo", "dpo"), ("rso", "dpo"), ("ipo", "ipo"), ("simpo", "simpo"), ("ppo", "ppo"), ("grpo", "grpo"))
#: ``torchtune.datasets`` builders of instruction/chat data (``torchtune/datasets/__init__.py``): their recipes
#: are supervised fine-tuning (``run.stage`` sft). Not here: ``text_completion_dataset``, ``wikitext_dataset``,
#: ``cnn_dailymail_articles_dataset`` (raw text), the preference datasets (their loss names the stage).
_SFT_DATASETS = frozenset({"alpaca_dataset", "alpaca_cleaned_dataset", "chat_dataset", "instruct_dataset",
                           "slimorca_dataset", "samsum_dataset", "grammar_dataset", "the_cauldron_dataset",
                           "llava_instruct_dataset", "multimodal_chat_dataset", "vqa_dataset"})
#: torch.optim.AdamW's default weight decay (PyTorch docs).
_ADAMW_DEFAULT_WD = 0.01


class Torchtune(Dialect):
    """torchtune recipe configs."""

    name = "torchtune"
    title = "torchtune"
    #: recipes fine-tune the LLMs of ``torchtune.models`` (Llama, Qwen, Gemma...; research/dialects.md table 2A)
    model_family = "transformer"
    formats = ("yaml",)
    loader = "omegaconf"
    coerces = False
    scheduler_interval = "step"
    KEYS: dict[str, Any] = {
        "optimizer.lr": "optimizer.lr",
        "optimizer.weight_decay": "optimizer.weight_decay",
        "optimizer.betas": "optimizer.betas",
        "optimizer.eps": "optimizer.eps",
        "optimizer.momentum": "optimizer.momentum",
        "batch.per_device": ("batch_size", PER_DEVICE),
        "batch.grad_accum": "gradient_accumulation_steps",
        "run.epochs": ("epochs", EPOCH),
        "warmup.steps": ("lr_scheduler.num_warmup_steps", OPT_STEP),
        "lora.r": "model.lora_rank",
        "lora.alpha": "model.lora_alpha",
        "lora.dropout": "model.lora_dropout",
        "eval.interval": ("run_val_every_n_steps", OPT_STEP),
        "save.interval": ("save_every_n_steps", OPT_STEP),
    }

    def detect(self, doc: Document) -> float:
        """0.95 when two top-level recipe blocks carry ``_component_`` (Hydra uses ``_target_``)."""
        root = doc.root
        with_component = [k for k, v in root.value.items() if isinstance(v.value, dict) and "_component_" in v.value]
        if len(with_component) >= 2 and set(with_component) & _BLOCKS:
            return 0.95
        return 0.0

    def evidence(self, doc: Document) -> tuple[str, ...]:
        """The top-level blocks that carry ``_component_``."""
        return tuple(f"_component_ in {k}" for k, v in doc.root.value.items()
                     if isinstance(v.value, dict) and "_component_" in v.value)

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Components (optimizer, scheduler, model), clipping, precision, KD weights."""
        opt = root.find("optimizer._component_")
        if opt is not None and isinstance(opt.value, str):
            pv = self.take(plan, "optimizer.type", opt, "optimizer._component_")
            pv.value = optimizer_family(opt.value)
            if pv.value == "adamw":
                self.put(plan, "optimizer.decoupled_weight_decay", True, pv, "optimizer._component_", derived=True)
                if not plan.has("optimizer.weight_decay"):
                    self.put(plan, "optimizer.weight_decay", _ADAMW_DEFAULT_WD, pv, "optimizer.weight_decay")
        sched = root.find("lr_scheduler._component_")
        if sched is not None and isinstance(sched.value, str):
            pv = self.take(plan, "scheduler.type", sched, "lr_scheduler._component_")
            plan.set("scheduler.raw_type", PlanValue(sched.value, source=pv.source))
            pv.value = scheduler_kind(sched.value)
        elif root.get("lr_scheduler") is None and plan.has("optimizer.lr"):
            self.put(plan, "scheduler.type", "constant", plan.get("optimizer.lr"), "lr_scheduler")
        self._clip(root, plan)
        self._precision(root, plan)
        self._lora(root, plan)
        self._stage(root, plan)
        cap = root.get("max_steps_per_epoch")
        if cap is not None and number_of(cap):
            plan.notes.append(f"max_steps_per_epoch={number_of(cap)} caps each epoch (not a total step count)")
        kd = root.get("kd_ratio")
        if kd is not None and number_of(kd) is not None:
            w = self.value_of(kd, "kd_ratio", "optimizer.lr", None, False, plan.path)
            ce = PlanValue(1 - w.value, source=Provenance(w.source.path, w.source.line, w.source.column, "1 - kd_ratio"))
            line, col = kd.anchor
            plan.set("loss.weights", PlanValue({"class_loss": ce, "kd_loss": w},
                                               source=Provenance(kd.path or plan.path, line, col, "kd_ratio")))

    def _clip(self, root: Node, plan: TrainingPlan) -> None:
        node = root.get("clip_grad_norm")
        if node is None or node.value is None:
            return
        n = number_of(node)
        if n is not None and n == float("inf"):
            plan.notes.append("clip_grad_norm: inf only logs the gradient norm (no clipping)")
            return
        self.take(plan, "clip.max_norm", node, "clip_grad_norm")

    def _precision(self, root: Node, plan: TrainingPlan) -> None:
        node = root.get("dtype")
        if node is None or not isinstance(node.value, str):
            return
        dtype = node.value.strip().lower()
        for canonical, names in (("precision.bf16", ("bf16", "bfloat16")), ("precision.fp16", ("fp16", "float16"))):
            pv = self.take(plan, canonical, node, "dtype")
            pv.value = dtype in names

    def _stage(self, root: Node, plan: TrainingPlan) -> None:
        """``run.stage`` from the recipe's loss component, else its RL-only keys.

        ``loss._component_`` ``DPOLoss``/``RSOLoss`` → dpo, ``SimPOLoss`` → simpo,
        ``PPOLoss`` → ppo, ``GRPO*Loss`` → grpo (``torchtune/rlhf/loss/``,
        ``torchtune/dev/grpo/loss.py``); without one, ``grpo_samples`` (GRPO recipe)
        and then ``ppo_epochs`` (PPO recipe; the GRPO recipe has it too).
        """
        comp = root.find("loss._component_")
        if comp is not None and isinstance(comp.value, str):
            loss = comp.value.rsplit(".", 1)[-1].lower()
            stage = next((s for prefix, s in _LOSS_STAGES if loss.startswith(prefix)), None)
            if stage is not None:
                self.put(plan, "run.stage", stage, comp, "loss._component_", default=False)
                return
        for key, stage in (("grpo_samples", "grpo"), ("ppo_epochs", "ppo")):
            node = root.get(key)
            if node is not None and node.value is not None:
                self.put(plan, "run.stage", stage, node, key, default=False)
                return
        if root.get("kd_loss") is not None or root.get("teacher_model") is not None:
            return  # knowledge distillation recipes: not plain SFT
        ds = root.get("dataset")
        entries = ds.value if ds is not None and ds.is_sequence else [ds] if ds is not None else []
        names = []
        for entry in entries:
            comp = entry.get("_component_") if entry is not None and entry.is_mapping else None
            names.append(comp.value.rsplit(".", 1)[-1] if comp is not None and isinstance(comp.value, str)
                         and comp.value.startswith("torchtune.datasets.") else None)
        if names and all(n in _SFT_DATASETS for n in names):
            self.put(plan, "run.stage", "sft", ds, "dataset._component_", default=False)

    def _lora(self, root: Node, plan: TrainingPlan) -> None:
        comp = root.find("model._component_")
        builder = comp.value.rsplit(".", 1)[-1].lower() if comp is not None and isinstance(comp.value, str) else ""
        if builder.startswith(("lora_", "qlora_")) or plan.has("lora.r"):
            self.put(plan, "lora.enabled", True, comp if comp is not None else plan.get("lora.r"),
                     "model._component_", default=False)
        elif comp is not None and isinstance(comp.value, str) and comp.value.startswith("torchtune.models.") \
                and not plan.has("lora.alpha") and not root.find("model.lora_attn_modules"):
            # a plain builder of torchtune.models (``llama3_2_1b``...) has no adapter layers: the recipe
            # (``full_finetune_*``) trains every weight; a custom ``_component_`` may wrap anything
            self.put(plan, "finetune.full", True, comp, "model._component_", default=False)


DIALECT = Torchtune()
