"""A Lightning ``Callback`` that records every optimizer step and judges the run online.

::

    from stablint.callbacks.lightning import StablintCallback
    trainer = L.Trainer(callbacks=[StablintCallback(trace="stablint.trace.jsonl", config="config.yaml",
                                                    stop_on=("nonfinite-values",))])

With the Lightning CLI, no code change: ``python main.py fit --config config.yaml
--trainer.callbacks+=stablint.callbacks.lightning.StablintCallback`` (its arguments then come
from the ``STABLINT_RUN_*`` environment variables that ``stablint probe --run`` sets, see
:func:`stablint.callbacks.core.env_settings`).

Measured where Lightning calls the hooks (``lightning/pytorch/plugins/precision/precision.py``,
``_after_closure``): ``on_before_optimizer_step`` runs after backward (and after AMP unscaling)
and **before** ``_clip_gradients``, so the global norm computed there is the pre-clip norm;
``clipped`` follows from ``trainer.gradient_clip_val`` when ``gradient_clip_algorithm`` is
``"norm"``. The loss is ``outputs["loss"]`` of ``on_train_batch_end``, averaged over the
micro-batches of one optimizer step; a record is written when ``trainer.global_step`` advances
(step = ``global_step``, 1-based). Imports ``lightning.pytorch``, else ``pytorch_lightning``.
Only global rank 0 writes; a stop sets ``trainer.should_stop`` (broadcast from rank 0 every
``check_every`` steps under several processes).
"""

from __future__ import annotations

import time
from typing import Any, Iterable

try:
    from lightning.pytorch import Callback
except ImportError:  # the standalone package
    from pytorch_lightning import Callback

from . import _torch as T
from .core import CHECK_EVERY, STOPPABLE, Recorder, env_settings


class StablintCallback(Callback):
    """Record loss, pre-clip grad norm, clipping, LR, sampled update ratio; write the trace; stop on signals.

    Args: as :class:`stablint.callbacks.hf.StablintCallback` (``trace``, ``config``, ``stop_on``,
    ``max_steps``, ``max_seconds``, ``check_every``, ``update_ratio_every``); each left ``None``
    takes its ``STABLINT_RUN_*`` environment value (:func:`~stablint.callbacks.core.env_settings`).

    Raises:
        ValueError: unknown ``stop_on`` names.
    """

    def __init__(self, trace: str | None = None, config: str | None = None, stop_on: Iterable[str] | None = None,
                 max_steps: int | None = None, max_seconds: float | None = None, check_every: int = CHECK_EVERY,
                 update_ratio_every: int = T.RATIO_EVERY):
        env = env_settings()
        self.trace_path = trace if trace is not None else env.get("trace", "stablint.trace.jsonl")
        self.config = config if config is not None else env.get("config")
        self.stop_on = tuple(stop_on if stop_on is not None else env.get("stop_on", ()))
        bad = [s for s in self.stop_on if s not in STOPPABLE]
        if bad:
            raise ValueError(f"stop_on: unknown signal(s) {bad}; choose from {list(STOPPABLE)}")
        self.max_steps = max_steps if max_steps is not None else env.get("max_steps")
        self.max_seconds = max_seconds if max_seconds is not None else env.get("max_seconds")
        self.check_every, self.update_ratio_every = check_every, update_ratio_every
        self.recorder: Recorder | None = None
        self._losses: list[float] = []
        self._norm: float | None = None
        self._lr: float | None = None
        self._last = 0
        self._ratio: T.RatioSampler | None = None
        self._t0 = 0.0
        self.stopped_by: str | None = None

    def on_train_start(self, trainer, pl_module):
        """Lint the config, open the trace (global rank 0), choose the update-ratio tensors."""
        clip = trainer.gradient_clip_val
        algo = str(getattr(trainer, "gradient_clip_algorithm", None) or "norm").lower()
        mg = float(clip) if clip and algo.endswith("norm") else None
        self.recorder = Recorder(self.trace_path, config=self.config, max_grad_norm=mg, stop_on=self.stop_on,
                                 check_every=self.check_every, rank_zero=trainer.global_rank == 0,
                                 meta={"source": "stablint.callbacks.lightning", "step_unit": "optimizer-step",
                                       "accumulate_grad_batches": trainer.accumulate_grad_batches})
        if self.update_ratio_every:
            self._ratio = T.RatioSampler(pl_module.parameters(), self.update_ratio_every)
        self._last = trainer.global_step
        self._t0 = time.perf_counter()

    def on_before_optimizer_step(self, trainer, pl_module, optimizer):
        """Pre-clip global grad norm and the step's LR; weight snapshot on sampled steps."""
        self._norm = T.grad_norm(pl_module.parameters())
        self._lr = T.first_lr(optimizer)
        if self._ratio is not None:
            self._ratio.before(trainer.global_step)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        """Collect the micro-batch loss; after an optimizer step, record it and decide on a stop."""
        loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
        if loss is not None and hasattr(loss, "detach"):
            self._losses.append(float(loss.detach().float().item()))
        elif isinstance(loss, (int, float)):
            self._losses.append(float(loss))
        step = trainer.global_step
        rec = self.recorder
        if rec is None or step == self._last:
            return
        self._last = step
        ratio = self._ratio.after() if self._ratio is not None else None
        loss_v = sum(self._losses) / len(self._losses) if self._losses else None
        rec.record(step, loss=loss_v, grad_norm=self._norm, lr=self._lr, update_ratio=ratio,
                   epoch=trainer.current_epoch)
        self._losses, self._norm = [], None
        stop = rec.stop is not None
        if self.stop_on and T.dist_ready():
            stop = T.sync_stop(stop) if step % self.check_every == 0 else False
        if stop:
            self.stopped_by = rec.stop.signal if rec.stop else "rank-0"
            trainer.should_stop = True
        elif self.max_steps is not None and step >= self.max_steps:
            self.stopped_by = "max-steps"
            trainer.should_stop = True
        elif self.max_seconds is not None and time.perf_counter() - self._t0 >= self.max_seconds:
            self.stopped_by = "max-seconds"
            trainer.should_stop = True

    def on_validation_end(self, trainer, pl_module):
        """Record ``val_loss`` (or ``val/loss``) when the module logs it."""
        rec = self.recorder
        if rec is None or trainer.sanity_checking:
            return
        m = trainer.callback_metrics
        for key in ("val_loss", "val/loss", "validation_loss"):
            if key in m:
                rec.record(trainer.global_step, eval_loss=m[key])
                break

    def on_train_end(self, trainer, pl_module):
        """Close the trace file."""
        if self.recorder is not None:
            self.recorder.close()

    def findings(self):
        """Runtime findings plus the config's judged static findings (``[]`` before training)."""
        return self.recorder.findings() if self.recorder is not None else []
