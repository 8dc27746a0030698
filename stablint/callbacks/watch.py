"""``stablint.watch``: record and judge a hand-written PyTorch training loop.

Example (``examples/watch_loop.py`` runs it)::

    import stablint

    with stablint.watch(model, optimizer, max_grad_norm=1.0, trace="run.trace.jsonl",
                        config="train.yaml", stop_on=("nonfinite-values", "loss-divergence")) as w:
        for batch in loader:
            loss = model(batch).loss
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)   # the pre-clip norm
            optimizer.step(); scheduler.step(); optimizer.zero_grad()
            w.step(loss=loss, grad_norm=gn, terms={"ce": ce, "aux": aux})
    print(w.findings())          # as `stablint diagnose run.trace.jsonl --config train.yaml`

Call :meth:`Watch.step` once per **optimizer step** (after ``optimizer.step()``). The LR is
read in an optimizer step pre-hook (the LR the step used, before ``scheduler.step()``), and
the update/weight ratio is sampled around ``optimizer.step()`` with step pre/post hooks every
:data:`~stablint.callbacks._torch.RATIO_EVERY` steps. When a ``stop_on`` signal fires,
``w.step`` raises :class:`~stablint.callbacks.core.StopTraining`, the ``with`` block ends
(the exception is swallowed, ``w.stopped`` holds the reason) and the message with the
numbers and the config line is printed to stderr. Under ``torchrun`` only rank 0 writes the
trace; the stop decision is broadcast so that every rank leaves the loop at the same step.
"""

from __future__ import annotations

from typing import Any, Iterable

from .core import CHECK_EVERY, Recorder, StopReason, StopTraining


class Watch:
    """The object ``stablint.watch(...)`` returns; see the module docstring.

    Args:
        model: the ``torch.nn.Module`` (or an iterable of parameters) being trained.
        optimizer: its optimizer (hooks are registered on it; removed on exit).
        max_grad_norm: clipping threshold of the loop (global L2 norm), ``None`` = no clipping.
        trace: JSONL path written on rank 0 (``None`` = in memory only).
        config: training config the loop follows (linted, never executed).
        stop_on: signal names that end the loop (``"nonfinite-values"``, ``"loss-divergence"``).
        check_every: steps between online signal passes (default 10).
        update_ratio_every: steps between update/weight-ratio samples (0 = never).

    Raises:
        ValueError: unknown ``stop_on`` names.
    """

    def __init__(self, model: Any, optimizer: Any, *, max_grad_norm: float | None = None, trace: str | None = None,
                 config: str | None = None, stop_on: Iterable[str] = (), check_every: int = CHECK_EVERY,
                 update_ratio_every: int | None = None):
        from . import _torch as T

        self._T = T
        params = model.parameters() if hasattr(model, "parameters") else model
        self.params = list(params)
        self.optimizer = optimizer
        self.recorder = Recorder(trace, config=config, max_grad_norm=max_grad_norm, stop_on=stop_on,
                                 check_every=check_every, meta={"source": "stablint.watch"})
        every = T.RATIO_EVERY if update_ratio_every is None else update_ratio_every
        self._ratio = T.RatioSampler(self.params, every) if every else None
        self._n = 0
        self._pending: dict[str, Any] = {}
        self._hooks: list[Any] = []
        self.stopped: StopReason | None = None

    # optimizer hooks: LR of the step, pre-step norm when the loop does not clip, update ratio
    def _pre(self, opt, args, kwargs):
        self._pending["lr"] = self._T.first_lr(opt)
        if self.recorder.max_grad_norm is None:
            self._pending["grad_norm"] = self._T.grad_norm(self.params)
        if self._ratio is not None:
            self._ratio.before(self._n)

    def _post(self, opt, args, kwargs):
        if self._ratio is not None:
            r = self._ratio.after()
            if r is not None:
                self._pending["update_ratio"] = r

    def __enter__(self) -> "Watch":
        reg_pre = getattr(self.optimizer, "register_step_pre_hook", None)
        if reg_pre is not None:
            self._hooks = [reg_pre(self._pre), self.optimizer.register_step_post_hook(self._post)]
        return self

    def step(self, loss: Any = None, grad_norm: Any = None, *, terms: dict[str, Any] | None = None,
             clipped: bool | None = None, lr: Any = None, epoch: Any = None, eval_loss: Any = None,
             loss_scale: Any = None) -> None:
        """Record one optimizer step (call it after ``optimizer.step()``).

        Args:
            loss: the step's training loss (tensor or float; ``.item()`` is taken here).
            grad_norm: the **pre-clip** global norm, i.e. what ``clip_grad_norm_`` returned.
                Omitted: measured before ``optimizer.step()`` when the loop does not clip
                (``max_grad_norm=None``), else not recorded (the optimizer sees the clipped norm).
            terms: per-term losses. clipped, lr, epoch, eval_loss, loss_scale: override what watch measures.

        Raises:
            StopTraining: a ``stop_on`` signal fired (the ``with`` block swallows it).
        """
        p, self._pending = self._pending, {}
        stop = self.recorder.record(self._n, loss=loss, grad_norm=grad_norm if grad_norm is not None else
                                    p.get("grad_norm"), clipped=clipped, lr=lr if lr is not None else p.get("lr"),
                                    update_ratio=p.get("update_ratio"), terms=terms, epoch=epoch,
                                    eval_loss=eval_loss, loss_scale=loss_scale)
        self._n += 1
        want = stop is not None
        if self.recorder.stop_on and self._T.dist_ready():
            if self._n % self.recorder.check_every == 0:
                want = self._T.sync_stop(want)
            else:
                want = False
        if want:
            self.stopped = stop or StopReason(step=self._n - 1, signal="rank-0", code="",
                                              text="rank 0 stopped the run")
            raise StopTraining(self.stopped)

    def findings(self):
        """Runtime findings and judged static findings of the loop so far (see :meth:`Recorder.findings`)."""
        return self.recorder.findings()

    @property
    def trace(self):
        """The in-memory :class:`~stablint.trends.trace.Trace` (empty on ranks other than 0)."""
        return self.recorder.trace

    def close(self) -> None:
        """Remove the optimizer hooks and close the trace file (idempotent)."""
        for h in self._hooks:
            h.remove()
        self._hooks = []
        self.recorder.close()

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.close()
        return exc_type is not None and issubclass(exc_type, StopTraining)


def watch(model: Any, optimizer: Any, **kwargs: Any) -> Watch:
    """Record a hand-written training loop; see :class:`Watch` for the arguments and the module docstring."""
    return Watch(model, optimizer, **kwargs)
