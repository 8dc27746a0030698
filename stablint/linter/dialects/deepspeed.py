"""DeepSpeed: the ``ds_config.json`` file, and DeepSpeed-Chat ``main.py`` launch scripts.

Sources (research/dialects.md table 2C, trap §3.9; existing_checks.md A.7;
DeepSpeed@38327e0 ``deepspeed/runtime/config.py`` [DS-CFG], ``engine.py`` [DS-ENG],
``lr_schedules.py`` [DS-LR], ``constants.py`` [DS-C]):

* ``train_batch_size`` is **global**, ``train_micro_batch_size_per_gpu`` per GPU;
  ``train_batch_size = micro × gradient_accumulation_steps × world_size`` and any two
  (with the world size) determine the third [DS-CFG:936-979]. With only
  ``train_batch_size`` DeepSpeed uses GA = 1. All three given → the world size follows.
* ``"auto"`` values are filled by the HF Trainer integration: unresolved here.
* ``optimizer.type: Adam`` runs **AdamW** unless ``adam_w_mode: false``
  [DS-ENG:1416-1420]: ``optimizer.decoupled_weight_decay`` says which.
* ``fp16.loss_scale: 0`` means dynamic loss scaling [DS-C:157-181].
* ``gradient_clipping: 0`` (the default) means no clipping [DS-C:214-215].
* Schedulers step per optimizer step. ``WarmupLR``/``WarmupDecayLR`` end their warmup at
  ``warmup_max_lr``, which is then the peak LR whatever ``optimizer.params.lr`` says;
  ``warmup_num_steps`` defaults to 1000 and ``warmup_type`` to ``log`` [DS-LR:640-660].

DeepSpeed-Chat (DeepSpeedExamples ``applications/DeepSpeed-Chat/.../main.py``):
``--lora_dim`` is the LoRA rank (0 = off); its ``LinearLayer_LoRA`` scales by
``lora_scaling / lora_dim`` with ``lora_scaling = 1``, i.e. alpha = 1;
``--num_warmup_steps`` are optimizer steps; LoRA weights use ``--lora_learning_rate``
(default 5e-4) when the script defines it, not ``--learning_rate``.
``run.stage`` comes from step 3's ``--actor_model_name_or_path``/``--critic_model_name_or_path``
(PPO) or from the step directory in the script's path or command (``step2_dpo_finetuning`` → dpo,
``step2_reward_model_finetuning`` → rm, ``step3_rlhf_finetuning`` → ppo, ``step1_supervised_finetuning`` → sft).
"""

from __future__ import annotations

from typing import Any

from ..document import Document, Node
from ..plan import GLOBAL, OPT_STEP, PER_DEVICE, FRACTION_OF_LR, PlanValue, TrainingPlan
from .base import Context, Dialect, number_of
from .hf_trainer import hf_run_length, hf_scheduler, hf_warmup, launcher_world_size
from .names import optimizer_family, scheduler_kind
from .stages import ds_chat_stage

#: Top-level keys only a DeepSpeed config has.
DS_KEYS = frozenset({"train_micro_batch_size_per_gpu", "zero_optimization", "gradient_clipping", "steps_per_print",
                     "wall_clock_breakdown", "zero_allow_untested_optimizer", "prescale_gradients",
                     "gradient_predivide_factor", "zero_force_ds_cpu_optimizer", "flops_profiler", "activation_checkpointing"})
#: Flags of DeepSpeed-Chat's ``main.py`` scripts.
DS_CHAT_FLAGS = frozenset({"lora_dim", "zero_stage", "lora_module_name", "data_split", "num_padding_at_beginning",
                           "offload", "lora_learning_rate", "only_optimize_lora", "data_output_path"})
_ADAM = {"adam", "adamw"}


class DeepSpeed(Dialect):
    """DeepSpeed JSON configs and DeepSpeed-Chat launch scripts."""

    name = "deepspeed"
    evidence_keys = DS_KEYS | DS_CHAT_FLAGS | {"train_batch_size", "train_micro_batch_size_per_gpu"}
    #: DeepSpeed-Chat's argparse copies HF TrainingArguments' flag names: not a rival
    relatives = ("hf-trainer",)
    title = "DeepSpeed"
    #: "bfloat16 and fp16 modes cannot be simultaneously enabled" [DS-CFG:835]
    #: (research/existing_checks.md A.7); DeepSpeed trains any model, so no ``model_family``
    precision_conflict = "raises"
    formats = ("json", "shell")
    loader = "json"
    coerces = False
    scheduler_interval = "step"
    KEYS: dict[str, Any] = {}
    JSON_KEYS: dict[str, Any] = {
        "optimizer.lr": "optimizer.params.lr",
        "optimizer.betas": "optimizer.params.betas",
        "optimizer.eps": "optimizer.params.eps",
        "optimizer.weight_decay": "optimizer.params.weight_decay",
        "optimizer.momentum": "optimizer.params.momentum",
        "batch.per_device": ("train_micro_batch_size_per_gpu", PER_DEVICE),
        "batch.global": ("train_batch_size", GLOBAL),
        "batch.grad_accum": "gradient_accumulation_steps",
        "clip.max_norm": "gradient_clipping",
        "warmup.steps": ("scheduler.params.warmup_num_steps", OPT_STEP),
        "scheduler.decay_steps": ("scheduler.params.total_num_steps", OPT_STEP),
        "scheduler.min_lr": ("scheduler.params.cos_min_ratio", FRACTION_OF_LR),
    }
    CHAT_KEYS: dict[str, Any] = {
        "optimizer.lr": "learning_rate",
        "optimizer.weight_decay": "weight_decay",
        "batch.per_device": ("per_device_train_batch_size", PER_DEVICE),
        "batch.grad_accum": "gradient_accumulation_steps",
        "lora.r": "lora_dim",
    }

    def detect(self, doc: Document) -> float:
        """JSON: 0.9 with a DeepSpeed-only key. Shell: 0.9 with two DeepSpeed-Chat flags."""
        keys = doc.keys()
        if doc.fmt == "shell":
            return 0.9 if len(keys & DS_CHAT_FLAGS) >= 2 else 0.0
        if "log_history" in keys:
            return 0.0
        hits = len(keys & DS_KEYS)
        batch = bool(keys & {"train_batch_size", "train_micro_batch_size_per_gpu"})
        return 0.9 if hits >= 2 or (hits and (batch or "optimizer" in keys or "fp16" in keys)) else 0.0

    def normalize(self, doc: Document, ctx: Context) -> TrainingPlan:
        """Apply the JSON or the DeepSpeed-Chat key table, then the refinements."""
        plan = TrainingPlan(path=doc.path, dialect=self.name, loader="argparse" if doc.fmt == "shell" else "json",
                            coerces=False, documents=[doc], framework=self,
                            fill_defaults=ctx.fill_defaults)
        table = self.CHAT_KEYS if doc.fmt == "shell" else self.JSON_KEYS
        for canonical, spec in table.items():
            self.take_first(plan, doc.root, canonical, spec)
        if doc.fmt == "shell":
            self._chat(doc.root, plan)
            self._chat_stage(doc, plan)
        else:
            self._optimizer(doc.root, plan)
            self._scheduler(doc.root, plan)
            self._batch(doc.root, plan)
            self._precision(doc.root, plan)
            if not plan.has("clip.max_norm"):
                self.put(plan, "clip.max_norm", 0.0, doc.root, "gradient_clipping")
        if plan.has("scheduler.type") and not plan.has("scheduler.interval"):
            self.put(plan, "scheduler.interval", "step", plan.get("scheduler.type"), "scheduler.type", derived=True)
        return plan

    # -- JSON config -------------------------------------------------------------
    def _optimizer(self, root: Node, plan: TrainingPlan) -> None:
        node = root.find("optimizer.type")
        if node is None or not isinstance(node.value, str):
            return
        pv = self.take(plan, "optimizer.type", node, "optimizer.type")
        pv.value = optimizer_family(node.value)
        if pv.value in _ADAM:
            mode = root.find("optimizer.params.adam_w_mode")
            if mode is not None and isinstance(mode.value, bool):
                self.take(plan, "optimizer.decoupled_weight_decay", mode, "optimizer.params.adam_w_mode")
            else:
                self.put(plan, "optimizer.decoupled_weight_decay", True, pv, "optimizer.params.adam_w_mode", derived=True)

    def _scheduler(self, root: Node, plan: TrainingPlan) -> None:
        node = root.find("scheduler.type")
        if node is None or not isinstance(node.value, str):
            return
        pv = self.take(plan, "scheduler.type", node, "scheduler.type")
        plan.set("scheduler.raw_type", PlanValue(node.value, source=pv.source))
        pv.value = scheduler_kind(node.value)
        warmup_kinds = {"warmuplr", "warmupdecaylr"}
        if node.value.lower() in warmup_kinds | {"warmupcosinelr"} and not plan.has("warmup.steps"):
            self.put(plan, "warmup.steps", 1000, pv, "scheduler.params.warmup_num_steps", OPT_STEP)
        peak = root.find("scheduler.params.warmup_max_lr")
        if node.value.lower() in warmup_kinds and peak is not None:
            before = plan.number("optimizer.lr")
            new = self.take(plan, "optimizer.lr", peak, "scheduler.params.warmup_max_lr")
            if before is not None and new.number is not None and before != new.number:
                plan.notes.append(f"optimizer lr {before} is replaced by warmup_max_lr {new.number} after warmup")
        wtype = root.find("scheduler.params.warmup_type")
        if node.value.lower() in warmup_kinds and (wtype is None or wtype.value == "log"):
            plan.notes.append("WarmupLR warms up logarithmically (warmup_type 'log', the default)")

    def _batch(self, root: Node, plan: TrainingPlan) -> None:
        """GA = 1 when only ``train_batch_size`` is given; world size when all three are."""
        g, m, ga = plan.number("batch.global"), plan.number("batch.per_device"), plan.number("batch.grad_accum")
        if g is not None and m is None and not plan.has("batch.grad_accum"):
            self.put(plan, "batch.grad_accum", 1, plan.get("batch.global"), "gradient_accumulation_steps")
        if g is not None and m and ga:
            world, rest = divmod(int(g), int(m * ga))
            if rest == 0 and world >= 1:
                self.put(plan, "batch.world_size", world, plan.get("batch.global"), "train_batch_size", default=False)
            else:
                plan.notes.append(f"train_batch_size {int(g)} is not micro {int(m)} × GA {int(ga)} × a whole world size")

    def _precision(self, root: Node, plan: TrainingPlan) -> None:
        for canonical, keys in (("precision.fp16", ("fp16.enabled",)), ("precision.bf16", ("bf16.enabled", "bfloat16.enabled"))):
            self.take_first(plan, root, canonical, list(keys))
        if root.find("fp16.loss_scale") is not None and plan.value("precision.fp16") is not False:
            pv = self.take(plan, "precision.loss_scale", root.find("fp16.loss_scale"), "fp16.loss_scale")
            if pv.number == 0:
                pv.value = "dynamic"

    # -- DeepSpeed-Chat launch script ------------------------------------------------
    def _chat_stage(self, doc: Document, plan: TrainingPlan) -> None:
        """Step 3's actor/critic flags mean PPO (RLHF); else the step directory of the script."""
        root = doc.root
        actor = root.get("actor_model_name_or_path")
        if actor is not None and root.get("critic_model_name_or_path") is not None:
            self.put(plan, "run.stage", "ppo", actor, "actor_model_name_or_path", default=False)
            return
        stage = ds_chat_stage(doc)
        if stage is not None:
            self.put(plan, "run.stage", stage, plan.get("optimizer.lr"), "script path", default=False)

    def _chat(self, root: Node, plan: TrainingPlan) -> None:
        hf_run_length(self, root, plan)
        hf_warmup(self, root, plan)
        hf_scheduler(self, root, plan, default="cosine")
        launcher_world_size(self, root, plan)
        near = plan.get("optimizer.lr")
        self.put(plan, "optimizer.type", "adamw", near, "FusedAdam(adam_w_mode=True)")
        self.put(plan, "optimizer.decoupled_weight_decay", True, near, "FusedAdam(adam_w_mode=True)")
        r = plan.number("lora.r")
        if r is not None:
            self.put(plan, "lora.enabled", r > 0, plan.get("lora.r"), "lora_dim", default=False)
            if r > 0:
                self.put(plan, "lora.alpha", 1, plan.get("lora.r"), "lora_scaling")
                lora_lr = root.get("lora_learning_rate")
                plan.notes.append("LoRA weights train at --lora_learning_rate "
                                  f"({number_of(lora_lr) if lora_lr is not None else 'default 5e-4'}), not --learning_rate")


DIALECT = DeepSpeed()
