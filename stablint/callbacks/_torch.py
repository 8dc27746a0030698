"""torch-side measurements shared by the callbacks: global grad norm, sampled update/weight ratio, stop sync.

Imported only by the adapters (:mod:`.hf`, :mod:`.lightning`, :mod:`.watch`), never by the lint path.
"""

from __future__ import annotations

from typing import Any, Iterable

import torch

#: Optimizer steps between two update/weight-ratio samples (a weight snapshot costs one copy of
#: the sampled tensors; sampling keeps the overhead per step small, bench/bench_callbacks.py).
RATIO_EVERY = 25
#: Largest number of parameter tensors snapshotted for the update ratio (the largest ones).
RATIO_TENSORS = 8


def grad_norm(params: Iterable[Any]) -> float | None:
    """Global L2 norm of the gradients of ``params`` (``None`` when no parameter has a gradient).

    Computed like ``torch.nn.utils.clip_grad_norm_`` (norm of per-tensor norms), in float32.
    Under DDP the gradients are already all-reduced, so every rank gets the global value.
    """
    norms = [p.grad.detach().float().norm(2) for p in params if getattr(p, "grad", None) is not None]
    if not norms:
        return None
    return float(torch.linalg.vector_norm(torch.stack(norms), 2).item())


def first_lr(optimizer: Any) -> float | None:
    """LR of the first param group (a tensor LR is read with ``float``)."""
    try:
        return float(optimizer.param_groups[0]["lr"])
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None


class RatioSampler:
    """Median over a few tensors of ||θ_after - θ_before|| / ||θ_before||, every :data:`RATIO_EVERY` steps.

    Call :meth:`before` just before ``optimizer.step()`` and :meth:`after` just after; both are
    no-ops on steps that are not sampled. The tensors are the :data:`RATIO_TENSORS` largest
    trainable ones (fixed at the first sample).
    """

    def __init__(self, params: Iterable[Any], every: int = RATIO_EVERY):
        self.params = [p for p in params if getattr(p, "requires_grad", False)]
        self.every = max(1, int(every))
        self._chosen: list[Any] | None = None
        self._snap: list[Any] | None = None

    def before(self, step: int) -> None:
        """Snapshot the sampled tensors when ``step`` is a sampled step."""
        if step % self.every or not self.params:
            self._snap = None
            return
        if self._chosen is None:
            self._chosen = sorted(self.params, key=lambda p: p.numel(), reverse=True)[:RATIO_TENSORS]
        with torch.no_grad():
            self._snap = [p.detach().clone() for p in self._chosen]

    def after(self) -> float | None:
        """The ratio for the step snapshotted by :meth:`before`, else ``None``."""
        if self._snap is None or self._chosen is None:
            return None
        with torch.no_grad():
            vals = []
            for p, old in zip(self._chosen, self._snap):
                n = old.float().norm().item()
                if n > 0:
                    vals.append((p.detach().float() - old.float()).norm().item() / n)
        self._snap = None
        if not vals:
            return None
        vals.sort()
        return vals[len(vals) // 2]


def dist_ready() -> bool:
    """True when ``torch.distributed`` is initialised with more than one process."""
    d = torch.distributed
    return d.is_available() and d.is_initialized() and d.get_world_size() > 1


def sync_stop(flag: bool, device: Any = None) -> bool:
    """Share rank 0's stop decision with every rank (a broadcast of one number); ``flag`` alone when not distributed.

    Every rank must call it at the same step or the job hangs: the adapters call it every
    :data:`~stablint.callbacks.core.CHECK_EVERY` steps, only when ``stop_on`` is set.
    """
    if not dist_ready():
        return flag
    d = torch.distributed
    dev = device
    if dev is None:
        dev = torch.device("cuda", torch.cuda.current_device()) if d.get_backend() == "nccl" else torch.device("cpu")
    t = torch.tensor([1.0 if flag else 0.0], device=dev)
    d.broadcast(t, src=0)
    return bool(t.item() > 0)
