"""torchtitan dialect: ``train_configs/*.toml`` job configs (before PR #2386 moved them to Python).

Two TOML layouts exist, told apart by the keys the file states (:func:`layout`):

* **new** (torchtitan >= 0da8901b1, 2025-03-11, "Add support for cosine and wsd scheduler" #938, up
  to 9810191bb^ = 238fa9953e4a; research/dialects.md table 2C, ``torchtitan/config/job_config.py``)::

    [optimizer]     name = "AdamW", lr, eps, weight_decay, beta1, beta2
    [lr_scheduler]  warmup_steps, decay_ratio, decay_type = "linear"|"sqrt"|"cosine", min_lr_factor,
                    total_steps (238fa9953e4a; unset = training.steps)
    [training]      local_batch_size (per device; ``batch_size`` before 8570415c3), global_batch_size
                    (-1 = local x DP degree), steps, max_norm, mixed_precision_param, seq_len
    [parallelism]   data_parallel_shard_degree (-1 = fill), data_parallel_replicate_degree
    [checkpoint]    enable, interval       [validation] enable, freq

* **old** (torchtitan before 0da8901b1, and the forks built on it: no ``[lr_scheduler]`` table,
  ``[training] warmup_steps`` and ``batch_size``; 3d6f73c4be22 ``torchtitan/config_manager.py``,
  ``torchtitan/components/optimizer.py:391``; the same in c22d1a8d1 ``torchtitan/lr_scheduling.py``):
  the only schedule is linear warmup over ``training.warmup_steps`` then linear decay to 0 over
  ``max(1, training.steps - warmup_steps)``, i.e. ending at ``training.steps``.

Every count is an optimizer **step** (research §3.10). The decay always ends at the run's last step
(``lr_scheduler.total_steps`` when the new layout states it): with ``decay_ratio`` unset it starts right
after warmup; with ``decay_ratio`` set (warmup-stable-decay) the LR stays at its peak and decays only in
the last ``decay_ratio × steps`` (238fa9953e4a ``torchtitan/components/lr_scheduler.py:123-135``,
``stable_steps = total + 1 - warmup - decay``), so no horizon shorter than the run is set.
``min_lr_factor`` is a fraction of ``lr``. Values a **new**-layout file omits are the ``JobConfig``
defaults, filled with ``default=True`` provenance; an old-layout or unrecognised file gets no defaults
(its torchtitan version, or fork, is not known). TOML reads ``1e-4`` as a float (``loader = "toml"``).
"""

from __future__ import annotations

from ..document import Document, Node
from ..plan import FRACTION_OF_LR, GLOBAL, OPT_STEP, PER_DEVICE, PlanValue, TrainingPlan
from .base import Context, Dialect, number_of
from .names import optimizer_family

_TABLES = {"job", "training", "optimizer", "lr_scheduler", "parallelism", "checkpoint", "activation_checkpoint",
           "model", "metrics", "profiling", "compile", "float8", "experimental", "validation", "comm", "quantize"}

#: ``JobConfig`` defaults (torchtitan@9810191bb^ ``torchtitan/config/job_config.py``; research table 2C).
DEFAULTS: dict[str, object] = {
    "optimizer.name": "AdamW", "optimizer.lr": 8e-4, "optimizer.eps": 1e-8, "optimizer.weight_decay": 0.1,
    "lr_scheduler.warmup_steps": 200, "lr_scheduler.decay_type": "linear", "lr_scheduler.min_lr_factor": 0.0,
    "training.local_batch_size": 8, "training.steps": 10000, "training.max_norm": 1.0,
    "training.mixed_precision_param": "bfloat16",
}

KEYS = {
    "optimizer.lr": "optimizer.lr",
    "optimizer.eps": "optimizer.eps",
    "optimizer.weight_decay": "optimizer.weight_decay",
    "warmup.steps": ("lr_scheduler.warmup_steps", OPT_STEP),
    "scheduler.min_lr": ("lr_scheduler.min_lr_factor", FRACTION_OF_LR),
    "batch.per_device": ("training.local_batch_size", PER_DEVICE),
    "run.max_steps": ("training.steps", OPT_STEP),
    "clip.max_norm": "training.max_norm",
}

#: keys of the old layout (3d6f73c4be22 ``torchtitan/config_manager.py``): read only when stated
OLD_KEYS = {
    "warmup.steps": ("training.warmup_steps", OPT_STEP),
    "batch.per_device": ("training.batch_size", PER_DEVICE),
}


def layout(root: Node) -> str:
    """``"new"`` (an ``[lr_scheduler]`` table or ``training.local_batch_size``), ``"old"`` (``[training]``
    states ``warmup_steps`` or ``batch_size`` and there is no ``[lr_scheduler]`` table), ``"mixed"``
    (new-layout tables plus the old ``training.warmup_steps``: a fork between the two), else
    ``"unknown"``. Only ``"new"`` gets the ``JobConfig`` defaults.
    """
    if root.get("lr_scheduler") is not None or root.find("training.local_batch_size") is not None:
        if root.find("training.warmup_steps") is not None:
            return "mixed"
        return "new"
    if root.find("training.warmup_steps") is not None or root.find("training.batch_size") is not None:
        return "old"
    return "unknown"


class TorchTitan(Dialect):
    """torchtitan TOML job configs."""

    name = "torchtitan"
    evidence_keys = frozenset(_TABLES)
    #: a ``[training]`` table plus 0.05 per torchtitan table: training and two more are certain
    high_score = 0.65
    title = "torchtitan (TOML job config)"
    #: pre-trains the LLMs of ``torchtitan/models`` (Llama 3/4, DeepSeek-V3; research/dialects.md table 2C)
    model_family = "transformer"
    formats = ("toml",)
    loader = "toml"
    scheduler_interval = "step"
    KEYS = KEYS

    def detect(self, doc: Document) -> float:
        """A ``[training]`` table plus other torchtitan tables."""
        keys = doc.keys()
        if "training" not in keys or not keys & {"optimizer", "lr_scheduler", "parallelism", "job"}:
            return 0.0
        return min(0.95, 0.5 + 0.05 * len(keys & _TABLES))

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Layout keys, defaults (new layout only), optimizer name and betas, schedule, batch, precision."""
        kind = layout(root)
        if kind == "old":
            for canonical, (key, unit) in OLD_KEYS.items():
                node = root.find(key)
                if node is not None and not plan.has(canonical):
                    self.take(plan, canonical, node, key, unit)
        elif root.find("training.batch_size") is not None and not plan.has("batch.per_device"):
            self.take(plan, "batch.per_device", root.find("training.batch_size"), "training.batch_size", PER_DEVICE)
        if kind == "new":
            for canonical, spec in KEYS.items():
                key, unit = spec if isinstance(spec, tuple) else (spec, None)
                if not plan.has(canonical):
                    self.put(plan, canonical, DEFAULTS[key], root.get(key.split(".")[0]), key=key, unit=unit)
        name = root.find("optimizer.name")
        if name is not None:
            self.take(plan, "optimizer.type", name, "optimizer.name", convert=optimizer_family)
        elif kind == "new":
            self.put(plan, "optimizer.type", "adamw", root.get("optimizer"), key="optimizer.name")
        b1, b2 = root.find("optimizer.beta1"), root.find("optimizer.beta2")
        if b1 is not None or b2 is not None:
            pv = self.take(plan, "optimizer.betas", b1 or b2, "optimizer.beta1" if b1 else "optimizer.beta2")
            pv.value = [number_of(b1) if b1 is not None else 0.9, number_of(b2) if b2 is not None else 0.95]
        self._schedule(root, plan, kind)
        self._batch(root, plan, kind)
        prec = root.find("training.mixed_precision_param")
        p = str(prec.value) if prec is not None else DEFAULTS["training.mixed_precision_param"] if kind == "new" else ""
        if p in ("bfloat16", "float16"):
            field = "precision.bf16" if p == "bfloat16" else "precision.fp16"
            if prec is not None:
                self.take(plan, field, prec, "training.mixed_precision_param", convert=lambda _: True)
            else:
                self.put(plan, field, True, root.get("training"), key="training.mixed_precision_param")
        for table, key, field in (("checkpoint", "interval", "save.interval"), ("validation", "freq", "eval.interval")):
            enable = root.find(f"{table}.enable")
            node = root.find(f"{table}.{key}")
            if node is not None and enable is not None and enable.value is True:
                self.take(plan, field, node, f"{table}.{key}", OPT_STEP)

    def _schedule(self, root: Node, plan: TrainingPlan, kind: str) -> None:
        """``decay_type`` gives the curve; ``decay_ratio`` set → warmup-stable-decay (decay in the last part).

        The decay ends at ``training.steps`` in both layouts (``lr_scheduler.total_steps`` when stated),
        so ``scheduler.decay_steps`` is set only from a stated ``total_steps``: a horizon equal to the
        run length adds nothing, and one derived from a default would be a guess.
        """
        if kind == "old":  # one hard-coded schedule: linear warmup, linear decay to 0 at training.steps
            near = root.find("training.warmup_steps") or root.get("training")
            pv = self.put(plan, "scheduler.type", "linear", near, key="training.warmup_steps")
            if plan.has("scheduler.type"):  # withheld with the defaults when detection is not confident
                plan.set("scheduler.raw_type", PlanValue("linear warmup + linear decay (torchtitan before the "
                                                         "[lr_scheduler] table)", source=pv.source))
            return
        if kind != "new" and root.get("lr_scheduler") is None:
            return
        dtype = root.find("lr_scheduler.decay_type")
        ratio = root.find("lr_scheduler.decay_ratio")
        raw = str(dtype.value) if dtype is not None else DEFAULTS["lr_scheduler.decay_type"]
        near = dtype or ratio or root.get("lr_scheduler")
        curve = {"linear": "linear", "cosine": "cosine", "sqrt": "other"}.get(raw, "other")
        r = number_of(ratio) if ratio is not None else None
        wsd = r is not None
        if wsd and r == 0:  # decay_ratio 0: warmup, then a constant LR
            curve, wsd = "constant", False
        pv = self.put(plan, "scheduler.type", "wsd" if wsd else curve, near, key="lr_scheduler.decay_type",
                      default=dtype is None and ratio is None)
        raw_type = "warmup + constant (decay_ratio 0)" if curve == "constant" else f"warmup + {raw} decay"
        if wsd:
            raw_type += f" in the last {r:.0%} of the run (WSD: stable at the peak before)"
        if plan.has("scheduler.type"):
            plan.set("scheduler.raw_type", PlanValue(raw_type, source=pv.source))
        total = root.find("lr_scheduler.total_steps")
        if curve != "constant" and total is not None and (number_of(total) or 0) > 0:
            self.take(plan, "scheduler.decay_steps", total, "lr_scheduler.total_steps", OPT_STEP)

    def _batch(self, root: Node, plan: TrainingPlan, kind: str) -> None:
        """``global_batch_size`` when positive; data-parallel degree when both degrees are explicit.

        ``data_parallel_shard_degree = -1`` (also the default) takes every GPU the launcher
        (``torchrun --nproc_per_node``, ``NGPU``) starts, divided by the other degrees: the world
        size is not in the file, so ``batch.world_size`` is unresolved rather than 1.
        """
        g = root.find("training.global_batch_size")
        if g is not None and (number_of(g) or -1) > 0:
            self.take(plan, "batch.global", g, "training.global_batch_size", GLOBAL)
        table = "training" if kind == "old" else "parallelism"
        shard_key = f"{table}.data_parallel_shard_degree"
        if kind == "old" and root.find(shard_key) is None and root.find("training.data_parallel_degree") is not None:
            shard_key = "training.data_parallel_degree"  # the oldest spelling (-1 = every GPU, too)
        shard = root.find(shard_key)
        rep = root.find(f"{table}.data_parallel_replicate_degree")
        s = number_of(shard) if shard is not None else None
        r = number_of(rep) if rep is not None else 1
        if shard is None and kind != "new":
            return
        if s is None or s < 0:  # -1 (the default): fill every GPU the launcher starts
            pv = self.put(plan, "batch.world_size", "data_parallel_shard_degree -1: all GPUs left by the other "
                          "parallel degrees (set by the launcher)", shard or root.get("parallelism"),
                          key=shard_key, default=shard is None)
            pv.resolved = False
        elif s > 0 and r is not None and r > 0:
            pv = self.take(plan, "batch.world_size", shard, shard_key)
            pv.value = int(s * r)
            local, glob = plan.number("batch.per_device"), plan.number("batch.global")
            if local and glob and glob % (local * s * r) == 0:
                self.put(plan, "batch.grad_accum", int(glob // (local * s * r)), plan.get("batch.global"),
                         key="global_batch_size/(local_batch_size*dp)", default=False)


DIALECT = TorchTitan()
