"""nanoGPT dialect: ``config/*.py`` files ``exec``'d over the globals of ``train.py``.

A config file only overrides some globals; every other value is the ``train.py`` default
(karpathy/nanoGPT@3adf61e ``train.py``, research/dialects.md table 2B [NG]). Those defaults
are filled in here with ``default=True`` provenance, so ``train_gpt2.py`` (which never sets
``learning_rate``) still gets its real LR of 6e-4.

Units and traps (research §3.6):

* ``max_iters``, ``warmup_iters``, ``lr_decay_iters``, ``eval_interval`` are **iterations**
  (one optimizer step each); the LR is set per iteration by ``get_lr(iter_num)``;
* ``gradient_accumulation_steps`` is the **global** count: ``train.py`` divides it by the DDP
  world size (``assert gradient_accumulation_steps % ddp_world_size == 0``), so the global
  batch is ``batch_size × gradient_accumulation_steps`` sequences whatever the world size;
* ``min_lr`` is absolute; ``decay_lr = False`` means a constant LR (no warmup either);
* ``grad_clip = 0.0`` disables clipping; the optimizer is AdamW (``model.configure_optimizers``).

Read through :mod:`ast` only (``loader = "python"``): a config is never executed.
"""

from __future__ import annotations

from ..document import Document, Node
from ..plan import ITERATION, GLOBAL, PER_DEVICE, PlanValue, TrainingPlan
from .base import Context, Dialect

#: ``train.py`` globals that only nanoGPT-style configs set together.
_SIGNATURE = {"lr_decay_iters", "warmup_iters", "eval_iters", "always_save_checkpoint", "init_from", "decay_lr",
              "block_size", "n_embd", "n_layer", "n_head", "wandb_log", "min_lr", "max_iters", "eval_interval",
              "gradient_accumulation_steps", "beta2"}

#: nanoGPT ``train.py`` defaults (karpathy/nanoGPT@3adf61e ``train.py``, "default config values").
DEFAULTS: dict[str, object] = {
    "learning_rate": 6e-4, "max_iters": 600000, "weight_decay": 1e-1, "beta1": 0.9, "beta2": 0.95,
    "grad_clip": 1.0, "decay_lr": True, "warmup_iters": 2000, "lr_decay_iters": 600000, "min_lr": 6e-5,
    "batch_size": 12, "gradient_accumulation_steps": 5 * 8, "eval_interval": 2000, "dropout": 0.0,
}

KEYS = {
    "optimizer.lr": "learning_rate",
    "optimizer.weight_decay": "weight_decay",
    "scheduler.min_lr": "min_lr",
    "scheduler.decay_steps": ("lr_decay_iters", ITERATION),
    "run.max_steps": ("max_iters", ITERATION),
    "warmup.steps": ("warmup_iters", ITERATION),
    "batch.per_device": ("batch_size", PER_DEVICE),
    "batch.grad_accum": "gradient_accumulation_steps",
    "clip.max_norm": "grad_clip",
    "model.dropout": "dropout",
    "eval.interval": ("eval_interval", ITERATION),
}


class NanoGPT(Dialect):
    """nanoGPT ``config/train_*.py`` overrides (and forks: nanoRWKV, Lilith ...)."""

    name = "nanogpt"
    evidence_keys = frozenset(_SIGNATURE)
    #: 0.5 + 0.05 per nanoGPT global (``lr_decay_iters``, ``always_save_checkpoint`` ...): four are certain,
    #: three (0.65) are used without nanoGPT's defaults
    high_score = 0.7
    title = "nanoGPT Python config"
    #: ``train.py`` trains the GPT of nanoGPT's ``model.py`` (karpathy/nanoGPT@3adf61e)
    model_family = "transformer"
    formats = ("python",)
    loader = "python"
    scheduler_interval = "step"
    KEYS = KEYS

    def detect(self, doc: Document) -> float:
        """At least three nanoGPT globals and no mmengine/zencfg structure."""
        keys = doc.keys()
        if keys & {"_base_", "optim_wrapper", "param_scheduler", "train_cfg"} or doc.meta.get("classes"):
            return 0.0
        hits = len(keys & _SIGNATURE)
        return 0.0 if hits < 3 else min(0.95, 0.5 + 0.05 * hits)

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Fill ``train.py`` defaults, the schedule kind, betas, AdamW and the global batch."""
        for canonical, spec in KEYS.items():
            key, unit = spec if isinstance(spec, tuple) else (spec, None)
            if not plan.has(canonical):
                self.put(plan, canonical, DEFAULTS[key], None, key=key, unit=unit)
        decay = root.get("decay_lr")
        constant = decay is not None and decay.value is False
        if decay is not None and isinstance(decay.value, bool):
            pv = self.take(plan, "scheduler.type", decay, "decay_lr", convert=lambda v: "cosine" if v else "constant")
        else:
            pv = self.put(plan, "scheduler.type", "cosine", None, key="decay_lr")
        plan.set("scheduler.raw_type", PlanValue("get_lr (linear warmup + cosine)" if not constant else "constant",
                                                 source=pv.source))
        if constant:  # decay_lr False: lr = learning_rate every iteration, warmup_iters unused
            plan.fields.pop("warmup.steps", None)
            plan.fields.pop("scheduler.decay_steps", None)
        b1, b2 = root.get("beta1"), root.get("beta2")
        betas = [b1.value if b1 is not None else DEFAULTS["beta1"], b2.value if b2 is not None else DEFAULTS["beta2"]]
        near = b2 or b1
        self.put(plan, "optimizer.betas", betas, near, key="beta1,beta2", default=near is None)
        self.put(plan, "optimizer.type", "adamw", None, key="model.configure_optimizers")
        self.put(plan, "optimizer.decoupled_weight_decay", True, None, key="model.configure_optimizers")
        bs, ga = plan.number("batch.per_device"), plan.number("batch.grad_accum")
        if bs is not None and ga is not None:
            ga_pv = plan.get("batch.grad_accum")
            self.put(plan, "batch.global", int(bs * ga), ga_pv, key="batch_size*gradient_accumulation_steps",
                     unit=GLOBAL, default=False)
            plan.notes.append("nanoGPT gradient_accumulation_steps is global (divided by the DDP world size); "
                              f"global batch = batch_size x gradient_accumulation_steps = {int(bs * ga)} sequences")
        dtype = root.get("dtype")
        if dtype is not None and dtype.value in ("float16", "bfloat16"):
            field = "precision.fp16" if dtype.value == "float16" else "precision.bf16"
            self.take(plan, field, dtype, "dtype", convert=lambda _: True)


DIALECT = NanoGPT()
