"""A ``transformers.TrainerCallback`` that records every optimizer step and judges the run online.

Works for ``transformers.Trainer`` and the trainers built on it (TRL's ``SFTTrainer`` /
``DPOTrainer``, axolotl, LLaMA-Factory: they subclass ``Trainer``)::

    from stablint.callbacks.hf import StablintCallback
    trainer = Trainer(model=model, args=args, train_dataset=ds)
    StablintCallback(trace="out/stablint.trace.jsonl", config="train.yaml",
                     stop_on=("nonfinite-values", "loss-divergence")).attach(trainer)
    trainer.train()

Two levels of detail:

- ``attach(trainer)`` (recommended; ``stablint probe --run`` does it for you): the callback
  wraps ``trainer.training_step`` (the step loss is the sum of its micro-batch returns, which
  HF already divides by the accumulation steps) and ``trainer.accelerator.clip_grad_norm_``
  (its return value is the **pre-clip** global norm, also when HF calls it with ``inf`` to only
  measure). One record per optimizer step.
- ``Trainer(callbacks=[StablintCallback(...)])`` alone: a callback never sees the trainer, so
  it records what HF logs (``on_log``: window-mean loss, pre-clip ``grad_norm``,
  ``learning_rate`` every ``logging_steps``), the same data ``trainer_state.json`` holds.

Steps are HF's ``state.global_step`` (1-based optimizer steps). Only the world process zero
writes the trace (``state.is_world_process_zero``); the loss it records is its own process's
loss, the grad norm is global (gradients are all-reduced before clipping). A ``stop_on``
signal sets ``control.should_training_stop`` (HF then ends the epoch loop, runs ``on_train_end``
and saves as configured); under several processes the decision is broadcast from rank 0 every
``check_every`` steps. ``max_steps``/``max_seconds`` stop the run the same way without changing
``args.max_steps`` (which would rescale the LR schedule the config asks for).
"""

from __future__ import annotations

import time
from typing import Any, Iterable

from transformers import TrainerCallback

from . import _torch as T
from .core import CHECK_EVERY, Recorder


class StablintCallback(TrainerCallback):
    """Record loss, pre-clip grad norm, clipping, LR, sampled update ratio; write the trace; stop on signals.

    Args:
        trace: JSONL trace path (rank 0 only); ``None`` = in memory (see :attr:`recorder`).
        config: the training config (linted at train start; cited on a stop; judged by :meth:`findings`).
        stop_on: signals that end the run (``"nonfinite-values"``, ``"loss-divergence"``).
        max_steps: stop after this many optimizer steps (``None`` = the run's own length).
        max_seconds: stop after this wall time from ``on_train_begin`` (``None`` = no limit).
        check_every: optimizer steps between online signal passes (default 10).
        update_ratio_every: optimizer steps between update/weight-ratio samples (0 = never).

    Raises:
        ValueError: unknown ``stop_on`` names.
    """

    def __init__(self, trace: str | None = "stablint.trace.jsonl", *, config: str | None = None,
                 stop_on: Iterable[str] = (), max_steps: int | None = None, max_seconds: float | None = None,
                 check_every: int = CHECK_EVERY, update_ratio_every: int = T.RATIO_EVERY):
        from .core import STOPPABLE

        bad = [s for s in stop_on if s not in STOPPABLE]
        if bad:
            raise ValueError(f"stop_on: unknown signal(s) {bad}; choose from {list(STOPPABLE)}")
        self.trace_path, self.config, self.stop_on = trace, config, tuple(stop_on)
        self.max_steps, self.max_seconds = max_steps, max_seconds
        self.check_every, self.update_ratio_every = check_every, update_ratio_every
        self.recorder: Recorder | None = None
        self.attached = False
        self._loss = 0.0
        self._loss_n = 0
        self._norm: Any = None
        self._lr: float | None = None
        self._ratio_val: float | None = None
        self._ratio: T.RatioSampler | None = None
        self._t0 = 0.0
        self.stopped_by: str | None = None

    # -- wiring -----------------------------------------------------------------------------
    def attach(self, trainer: Any) -> "StablintCallback":
        """Add this callback to ``trainer`` and wrap its ``training_step`` and ``accelerator.clip_grad_norm_``
        for per-step loss and pre-clip norm. Idempotent; returns ``self``."""
        if getattr(trainer, "_stablint_callback", None) is not None:
            return trainer._stablint_callback
        trainer._stablint_callback = self
        if self not in trainer.callback_handler.callbacks:
            trainer.add_callback(self)
        step_fn = trainer.training_step

        def training_step(*args: Any, **kwargs: Any):
            loss = step_fn(*args, **kwargs)
            self._loss += float(loss.detach().float().item()) if hasattr(loss, "detach") else float(loss)
            self._loss_n += 1
            return loss

        trainer.training_step = training_step
        acc = getattr(trainer, "accelerator", None)
        if acc is not None and hasattr(acc, "clip_grad_norm_"):
            clip = acc.clip_grad_norm_

            def clip_grad_norm_(*args: Any, **kwargs: Any):
                out = clip(*args, **kwargs)
                self._norm = out
                return out

            acc.clip_grad_norm_ = clip_grad_norm_
        self.attached = True
        return self

    # -- events -----------------------------------------------------------------------------
    def on_train_begin(self, args, state, control, model=None, **kwargs):
        """Lint the config, open the trace, pick the tensors of the update-ratio sample."""
        mg = args.max_grad_norm if args.max_grad_norm and args.max_grad_norm > 0 else None
        self.recorder = Recorder(self.trace_path, config=self.config, max_grad_norm=mg, stop_on=self.stop_on,
                                 check_every=self.check_every, rank_zero=state.is_world_process_zero,
                                 meta={"source": "stablint.callbacks.hf", "step_unit": "optimizer-step",
                                       "per_step": self.attached,
                                       "gradient_accumulation_steps": args.gradient_accumulation_steps})
        if model is not None and self.update_ratio_every and self.attached:
            self._ratio = T.RatioSampler(model.parameters(), self.update_ratio_every)
        self._t0 = time.perf_counter()

    def on_step_begin(self, args, state, control, optimizer=None, **kwargs):
        """LR of this optimizer step (the scheduler steps after ``optimizer.step()``); weight snapshot on
        sampled steps. ``on_step_begin`` runs before the step's first micro-batch in every transformers
        >= 4.40 (``on_pre_optimizer_step`` only exists in newer ones), and the weights do not change
        before ``optimizer.step()``."""
        if optimizer is not None:
            self._lr = T.first_lr(optimizer)
        if self._ratio is not None:
            self._ratio.before(state.global_step)

    def on_step_end(self, args, state, control, **kwargs):
        """One record per optimizer step (when attached); stop on signals or on the budget."""
        rec = self.recorder
        if rec is None:
            return control
        if self._ratio is not None:
            self._ratio_val = self._ratio.after()
        if self.attached:
            loss = self._loss if self._loss_n else None
            rec.record(state.global_step, loss=loss, grad_norm=self._norm, lr=self._lr,
                       update_ratio=self._ratio_val, epoch=state.epoch)
            self._loss, self._loss_n, self._norm, self._ratio_val = 0.0, 0, None, None
        stop = rec.stop is not None
        if self.stop_on and T.dist_ready():
            stop = T.sync_stop(stop) if state.global_step % self.check_every == 0 else False
        if stop:
            self.stopped_by = rec.stop.signal if rec.stop else "rank-0"
            control.should_training_stop = True
        elif self.max_steps is not None and state.global_step >= self.max_steps:
            self.stopped_by = "max-steps"
            control.should_training_stop = True
        elif self.max_seconds is not None and time.perf_counter() - self._t0 >= self.max_seconds:
            self.stopped_by = "max-seconds"
            control.should_training_stop = True
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        """Not attached: record HF's logged loss / grad_norm / LR. Always: eval losses."""
        rec = self.recorder
        if rec is None or not logs:
            return control
        if "eval_loss" in logs:
            rec.record(state.global_step, eval_loss=logs["eval_loss"], epoch=state.epoch)
        elif not self.attached and "loss" in logs:
            rec.record(state.global_step, loss=logs.get("loss"), grad_norm=logs.get("grad_norm"),
                       lr=logs.get("learning_rate"), epoch=state.epoch)
            if rec.stop is not None and not T.dist_ready():
                self.stopped_by = rec.stop.signal
                control.should_training_stop = True
        return control

    def on_train_end(self, args, state, control, **kwargs):
        """Close the trace file."""
        if self.recorder is not None:
            self.recorder.close()

    def findings(self):
        """Runtime findings plus the config's judged static findings (``[]`` before training)."""
        return self.recorder.findings() if self.recorder is not None else []


def attach(trainer: Any, **kwargs: Any) -> StablintCallback:
    """``StablintCallback(**kwargs).attach(trainer)``; see :class:`StablintCallback` for the arguments."""
    return StablintCallback(**kwargs).attach(trainer)
