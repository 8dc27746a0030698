"""mmcv 1.x ``lr_config`` / ``optimizer_config``: the LR-updater-hook dialect of OpenMMLab 1.x configs.

Helper of the mmengine dialect (not a dialect itself; not in ``DIALECT_MODULES``).

Source: mmcv v1.7.2 (commit 4c01b026f0afa5a91a5f54aea313788da1e40f95),
``mmcv/runner/base_runner.py:412-431`` and ``mmcv/runner/hooks/lr_updater.py``:

* ``lr_config = dict(policy='step', ...)`` builds the hook ``<Policy>LrUpdaterHook``; an
  all-lower-case policy is title-cased first (``'step'`` → ``StepLrUpdaterHook``,
  ``'CosineAnnealing'`` stays). The other keys are the hook's keyword arguments.
* Every hook (``LrUpdaterHook.__init__``): ``by_epoch=True``, ``warmup=None``,
  ``warmup_iters=0``, ``warmup_ratio=0.1``, ``warmup_by_epoch=False``. Warmup is applied per
  **iteration** (``before_train_iter``) even when ``by_epoch`` is True; ``warmup_iters`` counts
  epochs only with ``warmup_by_epoch=True``.
* The decay is evaluated on ``runner.epoch`` when ``by_epoch`` (else ``runner.iter``):
  ``step`` (an int period or a list of milestones, ``gamma=0.1``, ``min_lr=None``), ``exp``
  (``gamma``), ``poly`` (``power=1.``, ``min_lr=0.``), ``inv``, ``CosineAnnealing``
  (``min_lr`` xor ``min_lr_ratio``), ``FlatCosineAnnealing``, ``CosineRestart`` (``periods``),
  ``Cyclic``, ``OneCycle``, ``LinearAnnealing``, ``fixed``. ``poly``/``CosineAnnealing``/
  ``LinearAnnealing`` decay over ``runner.max_epochs``/``max_iters`` themselves, so they have no
  horizon of their own to mismatch.
* ``optimizer_config = dict(grad_clip=dict(max_norm=35, norm_type=2))`` is ``OptimizerHook``,
  which calls ``clip_grad_norm_(params, **grad_clip)`` (``hooks/optimizer.py:49-59``);
  ``GradientCumulativeOptimizerHook(cumulative_iters=1)`` accumulates gradients
  (``hooks/optimizer.py:103-121``). The mmengine module reads ``grad_clip`` itself.

mmcv has **no** plateau policy. Projects register their own: mmediting 0.x ``policy='Reduce'``
(``ReduceLrUpdaterHook``, open-mmlab/mmagic@ad39c3c ``mmedit/core/scheduler/lr_updater.py``:
``patience=10``, ``factor=0.1``, ``mode='min'``, ``val_metric=None`` = the training loss),
TIE (ftbabi/TIE_ECCV2022@9b14285 ``sim/core/lr_updater/hooks.py``: ``policy='Plateau'``,
torch ``ReduceLROnPlateau`` semantics on the training loss, once per epoch). Because the hook
is the project's, a policy is read as a plateau scheduler only when its name says so (``reduce``
or ``plateau``) **and** the file states ``patience``: nothing is filled from a default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..document import Node
from ..plan import EPOCH, EVAL, FRACTION_OF_LR, ITERATION, PlanValue, Provenance, TrainingPlan
from .base import number_of

if TYPE_CHECKING:  # pragma: no cover
    from .mmengine import MMEngine

#: mmcv 1.x hook class (without ``LrUpdaterHook``) → canonical scheduler kind.
POLICY_KINDS: dict[str, str] = {
    "Fixed": "constant", "Step": "step", "Exp": "exponential", "Poly": "polynomial", "Inv": "other",
    "CosineAnnealing": "cosine", "FlatCosineAnnealing": "other", "CosineRestart": "cosine_restarts",
    "Cyclic": "other", "OneCycle": "onecycle", "LinearAnnealing": "linear",
}
#: Hook arguments read into the plan: argument → (canonical field, counted in the schedule unit).
_PLATEAU_ARGS = {"patience": ("scheduler.patience", True), "factor": ("scheduler.factor", False),
                 "cooldown": ("scheduler.cooldown", True), "min_lr": ("scheduler.min_lr", False),
                 "val_metric": ("scheduler.monitor", False)}


def hook_name(policy: str) -> str:
    """The hook class stem mmcv builds from ``policy`` (``'step'`` → ``'Step'``; mixed case kept)."""
    return policy.title() if policy == policy.lower() else policy


def read_lr_config(dialect: "MMEngine", root: Node, plan: TrainingPlan) -> None:
    """Fill the schedule fields of ``plan`` from ``root.lr_config`` (mmcv 1.x; see the module docstring).

    Units: counts of the decay (``step``, ``periods``, ``patience``) are epochs when ``by_epoch``
    (default True), else iterations; warmup is in iterations unless ``warmup_by_epoch``.
    Never raises on odd values: unreadable entries are skipped.
    """
    cfg = root.get("lr_config")
    if cfg is None or not cfg.is_mapping:
        return
    policy = cfg.get("policy")
    if policy is None or not isinstance(policy.value, str) or not policy.value.strip():
        return
    name = hook_name(policy.value.strip())
    by_epoch = _flag(cfg, "by_epoch", True)
    unit = EPOCH if by_epoch else ITERATION
    kind = POLICY_KINDS.get(name)
    low = name.lower()
    plateau = kind is None and ("reduce" in low or "plateau" in low) and cfg.get("patience") is not None
    if kind is None and not plateau:
        kind = "other"
    pv = dialect.take(plan, "scheduler.type", policy, "lr_config.policy")
    plan.set("scheduler.raw_type", PlanValue(f"{name}LrUpdaterHook", source=pv.source))
    pv.value = "plateau" if plateau else kind
    src = pv.source
    plan.set("scheduler.interval", PlanValue("epoch" if by_epoch else "step", source=Provenance(
        src.path, src.line, src.column, "lr_config.by_epoch", default=cfg.get("by_epoch") is None,
        derived=cfg.get("by_epoch") is None) if src else None))  # follows from the hook, as Dialect.scheduler_interval
    if plateau:
        _plateau(dialect, cfg, plan, unit)
    else:
        _decay(dialect, cfg, name, plan, unit)
    _warmup(dialect, cfg, plan)


def _decay(dialect: "MMEngine", cfg: Node, name: str, plan: TrainingPlan, unit: str) -> None:
    step = cfg.get("step") if name == "Step" else None
    if step is not None and step.is_sequence:
        dialect.take(plan, "scheduler.milestones", step, "lr_config.step", unit)
        plan.get("scheduler.type").value = "multistep"
    elif step is not None and number_of(step) is not None:
        dialect.take(plan, "scheduler.step_size", step, "lr_config.step", unit)
    if name in ("Step", "Exp") and cfg.get("gamma") is not None:
        dialect.take(plan, "scheduler.gamma", cfg.get("gamma"), "lr_config.gamma")
    if name == "CosineRestart" and cfg.get("periods") is not None and cfg.get("periods").is_sequence:
        first = cfg.get("periods").value[0] if cfg.get("periods").value else None
        if first is not None and number_of(first) is not None:
            dialect.take(plan, "scheduler.t_0", first, "lr_config.periods.0", unit)
    if cfg.get("min_lr_ratio") is not None:
        dialect.take(plan, "scheduler.min_lr", cfg.get("min_lr_ratio"), "lr_config.min_lr_ratio", FRACTION_OF_LR)
    elif cfg.get("min_lr") is not None and cfg.get("min_lr").value is not None:
        dialect.take(plan, "scheduler.min_lr", cfg.get("min_lr"), "lr_config.min_lr")


def _plateau(dialect: "MMEngine", cfg: Node, plan: TrainingPlan, unit: str) -> None:
    """A project's plateau hook: only what the file states. Patience counts validations when a
    validation metric is named (mmediting ``after_val_epoch``), else training epochs/iterations."""
    counted_unit = EVAL if cfg.get("val_metric") is not None else unit
    for arg, (field, counted) in _PLATEAU_ARGS.items():
        node = cfg.get(arg)
        if node is not None and node.value is not None:
            dialect.take(plan, field, node, f"lr_config.{arg}", counted_unit if counted else None)
    mode = cfg.get("mode")
    if mode is not None and mode.value in ("min", "max"):
        dialect.take(plan, "scheduler.mode", mode, "lr_config.mode")


def _warmup(dialect: "MMEngine", cfg: Node, plan: TrainingPlan) -> None:
    warmup = cfg.get("warmup")
    iters = cfg.get("warmup_iters")
    if warmup is None or not isinstance(warmup.value, str) or iters is None or number_of(iters) is None:
        return
    unit = EPOCH if _flag(cfg, "warmup_by_epoch", False) else ITERATION
    dialect.take(plan, "warmup.steps", iters, "lr_config.warmup_iters", unit)


def _flag(node: Node, key: str, default: bool) -> bool:
    v = node.get(key)
    return v.value if v is not None and isinstance(v.value, bool) else default
