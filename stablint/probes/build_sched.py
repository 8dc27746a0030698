"""torch.optim.lr_scheduler schedulers from a ProbeSpec, plus linear warmup.

:class:`LRControl` is what the loop calls:

- ``before_step(step)`` applies the warmup factor ``min(1, (step + 1) / warmup_steps)``
  on top of the scheduled LR (HF ``get_*_schedule_with_warmup`` shape) and returns the
  LR used for this optimizer step;
- ``after_step(step)`` restores the scheduled LR and steps per-step schedulers;
- ``end_epoch(epoch, val_loss, train_loss)`` steps per-epoch schedulers;
  ReduceLROnPlateau gets the monitored metric (validation loss unless the plan's
  ``scheduler.monitor`` names a training metric, as in seed 000).

Step-interval schedules are one ``LambdaLR`` (the HF formulas: linear, cosine,
polynomial power 1, inverse-sqrt, WSD with a final 20 % decay); epoch-interval ones
are the torch classes (``StepLR``, ``MultiStepLR``, ``ExponentialLR``,
``CosineAnnealingLR``, ``CosineAnnealingWarmRestarts``, ``ReduceLROnPlateau``).
"""

from __future__ import annotations

import math

from . import require_torch

torch = require_torch()
S = torch.optim.lr_scheduler


def _lambda(spec):
    sc, kind, lr = spec.sched, spec.scheduler, spec.lr
    floor = (sc.get("min_lr") or 0.0) / lr if lr else 0.0
    T = max(1, int(sc.get("t_max") or sc.get("decay_steps") or spec.steps))
    w = spec.warmup_steps

    def f(step: int) -> float:
        s = max(0, step - w)
        span = max(1, T - w)
        if kind == "linear":
            return max(floor, 1 - s / span)
        if kind in ("cosine", "onecycle"):
            return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / span)))
        if kind == "cosine_restarts":
            t0, mult, t = max(1, int(sc.get("t_0", span))), float(sc.get("t_mult", 1) or 1), s
            while t >= t0:
                t -= t0
                t0 = max(1, int(t0 * mult))
            return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * t / t0))
        if kind == "step":
            return float(sc.get("gamma", 0.1)) ** (s // max(1, int(sc.get("step_size", span))))
        if kind == "multistep":
            return float(sc.get("gamma", 0.1)) ** sum(1 for m in sc.get("milestones", []) if s >= m)
        if kind == "exponential":
            return float(sc.get("gamma", 0.99)) ** s
        if kind == "polynomial":
            return max(floor, 1 - s / span)
        if kind == "inverse_sqrt":
            return 1.0 / math.sqrt(max(1, s) / max(1, w)) if w else 1.0 / math.sqrt(max(1, s))
        if kind == "wsd":
            start = int(span * 0.8)
            return 1.0 if s < start else max(floor, 1 - (s - start) / max(1, span - start))
        return 1.0

    return f


def monitors_train_loss(sched: dict) -> bool:
    """Whether a plateau scheduler's ``monitor`` (default ``val_loss``) names a training metric."""
    mon = str(sched.get("monitor", "val_loss")).lower()
    return "train" in mon or mon in ("loss", "train_err", "train_loss")


class LRControl:
    """Owns the scheduler and the warmup of one run (see the module docstring)."""

    def __init__(self, spec, optimizer):
        self.spec, self.opt = spec, optimizer
        self.kind, self.interval = spec.scheduler, spec.scheduler_interval
        sc = spec.sched
        self.sched = None
        self.plateau = self.kind == "plateau"
        if self.plateau:
            self.sched = S.ReduceLROnPlateau(optimizer, mode=sc.get("mode", "min"), factor=sc.get("factor", 0.1),
                                             patience=sc.get("patience", 10), cooldown=sc.get("cooldown", 0),
                                             min_lr=sc.get("min_lr", 0.0))
            self.monitor_train = monitors_train_loss(sc)
        elif self.interval == "epoch":
            if self.kind == "step":
                self.sched = S.StepLR(optimizer, step_size=max(1, int(sc.get("step_size", 30))), gamma=sc.get("gamma", 0.1))
            elif self.kind == "multistep":
                self.sched = S.MultiStepLR(optimizer, milestones=[int(m) for m in sc.get("milestones", [])],
                                           gamma=sc.get("gamma", 0.1))
            elif self.kind == "exponential":
                self.sched = S.ExponentialLR(optimizer, gamma=sc.get("gamma", 0.99))
            elif self.kind == "cosine":
                self.sched = S.CosineAnnealingLR(optimizer, T_max=max(1, int(sc.get("t_max", 10))),
                                                 eta_min=sc.get("min_lr", 0.0))
            elif self.kind == "cosine_restarts":
                self.sched = S.CosineAnnealingWarmRestarts(optimizer, T_0=max(1, int(sc.get("t_0", 10))),
                                                           T_mult=max(1, int(sc.get("t_mult", 1) or 1)),
                                                           eta_min=sc.get("min_lr", 0.0))
            elif self.kind not in ("constant", "warmup_only", "other"):
                self.sched = S.LambdaLR(optimizer, _lambda(spec))
        else:
            self.sched = S.LambdaLR(optimizer, _lambda(spec))
        self._scheduled = [g["lr"] for g in optimizer.param_groups]

    def before_step(self, step: int) -> float:
        """Apply warmup for optimizer step ``step`` (0-based); return the LR used."""
        self._scheduled = [g["lr"] for g in self.opt.param_groups]
        w = self.spec.warmup_steps
        if w and step < w:
            for g, lr in zip(self.opt.param_groups, self._scheduled):
                g["lr"] = lr * (step + 1) / w
        return self.opt.param_groups[0]["lr"]

    def after_step(self, step: int) -> None:
        """Restore the scheduled LR and step a per-step scheduler."""
        for g, lr in zip(self.opt.param_groups, self._scheduled):
            g["lr"] = lr
        if self.interval == "step" and self.sched is not None and not self.plateau:
            self.sched.step()

    def end_epoch(self, val_loss: float | None, train_loss: float | None) -> None:
        """Step a per-epoch scheduler (ReduceLROnPlateau with the monitored loss)."""
        if self.sched is None or (self.interval == "step" and not self.plateau):
            return
        if self.plateau:
            metric = train_loss if self.monitor_train or val_loss is None else val_loss
            if metric is not None and math.isfinite(metric):
                self.sched.step(metric)
        else:
            self.sched.step()
