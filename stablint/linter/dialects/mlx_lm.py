"""mlx-lm LoRA YAML (``mlx_lm.lora --config lora_config.yaml``).

Sources: ml-explore/mlx-lm ``mlx_lm/lora.py`` [MLX-L] (``CONFIG_DEFAULTS``, ``main``,
``train_model``), ``mlx_lm/tuner/utils.py`` [MLX-U] (``build_schedule``, ``linear_to_lora_layers``),
``mlx_lm/tuner/lora.py`` [MLX-LL] (``LoRALinear``); the same code lived in ml-explore/mlx-examples
``llms/mlx_lm`` before the split.

* Read with ``yaml.SafeLoader`` plus an added float resolver that accepts ``1e-5`` [MLX-L], so
  ``1e-5`` **is** a float (``loader = "ruamel"``: a YAML 1.2-style float reader).
* Top-level keys override ``CONFIG_DEFAULTS`` key by key; a nested mapping such as
  ``lora_parameters`` replaces the default mapping whole [MLX-L ``main``].
* LoRA: the adapter output is ``y + scale · (x A) B`` [MLX-LL ``__call__``]. ``scale`` is the
  multiplier itself, **not** divided by the rank; ``alpha`` is never read
  (``linear_to_lora_layers`` passes only ``rank``, ``scale``, ``dropout``) [MLX-U]. So the plan
  gets ``lora.scale`` (and ``lora.r``), never ``lora.alpha``. Older mlx-examples ``llms/mlx_lm``
  releases multiplied by ``alpha / r`` as well (``self.scale = scale * (alpha / r)``, the reason
  ``CONFIG_DEFAULTS`` still lists ``alpha: 16``): a file that states an ``alpha`` different from
  ``rank`` has a release-dependent scale, so no LoRA fields are set for it. Without
  ``lora_parameters`` the default mapping applies: rank 8, scale 10, alpha 16 [MLX-L
  ``CONFIG_DEFAULTS``], scale 10 in current releases and at least 10 in older ones (2 × 10),
  so 10 is used (a lower bound); a ``lora_parameters`` without ``scale`` fails at start
  (``config["scale"]``), so no LoRA fields are set then.
* ``fine_tune_type``: ``lora`` (default), ``dora`` (same scale), ``full`` (no adapter).
* LR: with ``lr_schedule`` the optimizer gets ``build_schedule(lr_schedule)`` and
  ``learning_rate`` is **ignored**; the peak LR is ``lr_schedule.arguments[0]``, reached after
  ``lr_schedule.warmup`` optimizer steps from ``warmup_init`` (default 0) [MLX-U]. Default LR 1e-5.
* Length: ``iters`` loader iterations (default 1000); with ``grad_accumulation_steps`` > 1 the
  optimizer (and the schedule) steps once per that many iterations, so ``run.max_steps`` is only
  set when there is no accumulation (then iterations = optimizer steps).
* Optimizer: ``adam`` (default) or ``adamw`` [MLX-L].
"""

from __future__ import annotations

from typing import Any

from ..document import Document, Node
from ..plan import OPT_STEP, PER_DEVICE, TrainingPlan
from .base import Context, Dialect, number_of
from .names import scheduler_kind

#: Keys only mlx-lm's ``lora.py`` config uses (CONFIG_DEFAULTS and build_parser).
MLX_KEYS = frozenset({"lora_parameters", "iters", "fine_tune_type", "steps_per_report", "steps_per_eval",
                      "val_batches", "test_batches", "resume_adapter_file", "adapter_path", "save_every",
                      "lora_layers", "num_layers", "grad_checkpoint", "mask_prompt", "lr_schedule"})

#: ``CONFIG_DEFAULTS["lora_parameters"]`` [MLX-L]
DEFAULT_RANK, DEFAULT_SCALE = 8, 10.0

#: mlx.optimizers.schedulers names → canonical ``scheduler.type``
_SCHEDULES = {"cosine_decay": "cosine", "linear_schedule": "linear", "exponential_decay": "exponential",
              "step_decay": "step"}


class MlxLm(Dialect):
    """mlx-lm ``lora_config.yaml`` files."""

    name = "mlx-lm"
    title = "mlx-lm LoRA YAML"
    formats = ("yaml",)
    #: SafeLoader with an added float resolver: ``1e-5`` is a float [MLX-L]
    loader = "ruamel"
    #: mlx-lm fine-tunes language models (``mlx_lm.models``)
    model_family = "transformer"
    scheduler_interval = "step"
    #: detection evidence (``stablint plan``); :meth:`detect` gives 0.95 (high) or 0
    evidence_keys = MLX_KEYS
    KEYS: dict[str, Any] = {
        "model.name": "model",
        "batch.per_device": ("batch_size", PER_DEVICE),
        "batch.grad_accum": "grad_accumulation_steps",
    }

    def detect(self, doc: Document) -> float:
        """0.95 with ``lora_parameters`` plus one other mlx-lm key, or with four mlx-lm keys."""
        keys = doc.keys()
        hits = len(keys & MLX_KEYS)
        if ("lora_parameters" in keys and hits >= 2) or hits >= 4:
            return 0.95
        return 0.0

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Optimizer and LR (schedule first), run length, LoRA rank and scale."""
        opt = root.get("optimizer")
        if opt is not None and isinstance(opt.value, str):
            self.take(plan, "optimizer.type", opt, "optimizer", convert=lambda v: str(v).lower())
        else:
            self.put(plan, "optimizer.type", "adam", root, key="optimizer (CONFIG_DEFAULTS: adam)")
        if plan.value("optimizer.type") in ("adam", "adamw"):
            self.put(plan, "optimizer.decoupled_weight_decay", plan.value("optimizer.type") == "adamw",
                     plan.get("optimizer.type"), key="optimizer")
        self._lr(root, plan)
        accum = root.get("grad_accumulation_steps")
        acc = number_of(accum) if accum is not None else 1
        iters = root.get("iters")
        if acc == 1:
            if iters is not None:
                self.take(plan, "run.max_steps", iters, "iters", OPT_STEP)
            else:
                self.put(plan, "run.max_steps", 1000, root, key="iters (CONFIG_DEFAULTS: 1000)", unit=OPT_STEP)
        self._lora(root, plan)

    def _lr(self, root: Node, plan: TrainingPlan) -> None:
        """``lr_schedule`` (peak = ``arguments[0]``, warmup) or ``learning_rate`` (default 1e-5)."""
        sched = root.get("lr_schedule")
        if sched is not None and sched.is_mapping:
            args = sched.get("arguments")
            name = sched.get("name")
            if name is not None and isinstance(name.value, str):
                self.take(plan, "scheduler.raw_type", name, "lr_schedule.name")
                kind = _SCHEDULES.get(name.value) or scheduler_kind(name.value) or "other"
                self.put(plan, "scheduler.type", kind, name, key="lr_schedule.name", default=False)
            if args is not None and args.is_sequence and args.value:
                self.take(plan, "optimizer.lr", args.value[0], "lr_schedule.arguments[0]")
            warm = sched.get("warmup")
            if warm is not None:
                self.take(plan, "warmup.steps", warm, "lr_schedule.warmup", OPT_STEP)
            return
        lr = root.get("learning_rate")
        if lr is not None:
            self.take(plan, "optimizer.lr", lr, "learning_rate")
        else:
            self.put(plan, "optimizer.lr", 1e-5, root, key="learning_rate (CONFIG_DEFAULTS: 1e-5)")

    def _lora(self, root: Node, plan: TrainingPlan) -> None:
        """``lora.enabled``/``lora.r``/``lora.scale``/``lora.dropout`` from ``lora_parameters`` or its default."""
        ftype = root.get("fine_tune_type")
        kind = str(ftype.value).lower() if ftype is not None and ftype.value is not None else "lora"
        if kind == "full":
            self.put(plan, "lora.enabled", False, ftype, key="fine_tune_type", default=False)
            # mlx_lm/tuner: fine_tune_type "full" unfreezes the whole model (no adapter layers)
            self.put(plan, "finetune.full", True, ftype, key="fine_tune_type", default=False)
            return
        if kind not in ("lora", "dora"):
            return
        params = root.get("lora_parameters")
        if params is None:
            anchor = ftype or root
            pv = self.put(plan, "lora.enabled", True, anchor, key="fine_tune_type", default=ftype is None)
            self.put(plan, "lora.r", DEFAULT_RANK, pv, key="lora_parameters.rank (CONFIG_DEFAULTS)")
            self.put(plan, "lora.scale", DEFAULT_SCALE, pv, key="lora_parameters.scale (CONFIG_DEFAULTS)")
            return
        if not params.is_mapping:
            return
        rank, scale, alpha = params.get("rank"), params.get("scale"), params.get("alpha")
        if rank is None or scale is None:
            plan.notes.append("lora_parameters without rank or scale: mlx-lm fails at start (config['rank'/'scale'])")
            return
        if alpha is not None and number_of(alpha) != number_of(rank):
            plan.notes.append("lora_parameters.alpha != rank: the scale depends on the mlx-lm release "
                              "(scale, or scale * alpha / rank in older ones); LoRA fields not set")
            return
        self.put(plan, "lora.enabled", True, ftype or params, key="fine_tune_type", default=ftype is None)
        self.take(plan, "lora.r", rank, "lora_parameters.rank")
        self.take(plan, "lora.scale", scale, "lora_parameters.scale")
        drop = params.get("dropout")
        if drop is not None:
            self.take(plan, "lora.dropout", drop, "lora_parameters.dropout")


DIALECT = MlxLm()
