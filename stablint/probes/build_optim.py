"""torch.optim optimizers from a ProbeSpec.

Families come from ``stablint.linter.dialects.names.optimizer_family``. Families torch
does not ship (lamb, lars, lion, muon, sophia, came, schedule_free) run as AdamW with
the same LR and a note: the probe then measures the LR/clip/batch interplay, not the
optimizer's own dynamics.
"""

from __future__ import annotations

from . import require_torch

torch = require_torch()

_TORCH = {"adamw": "AdamW", "adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop", "adagrad": "Adagrad",
          "adadelta": "Adadelta", "adamax": "Adamax", "nadam": "NAdam", "radam": "RAdam", "adafactor": "Adafactor"}
_ACCEPTS = {"AdamW": {"betas", "eps", "weight_decay"}, "Adam": {"betas", "eps", "weight_decay"},
            "SGD": {"momentum", "weight_decay"}, "RMSprop": {"momentum", "eps", "weight_decay"},
            "Adagrad": {"eps", "weight_decay"}, "Adadelta": {"eps", "weight_decay"},
            "Adamax": {"betas", "eps", "weight_decay"}, "NAdam": {"betas", "eps", "weight_decay"},
            "RAdam": {"betas", "eps", "weight_decay"}, "Adafactor": {"eps", "weight_decay"}}


def build_optimizer(spec, params, notes: list[str] | None = None):
    """A torch optimizer for ``params`` at ``spec.lr`` with the configured betas/eps/weight decay/momentum.

    Args:
        spec: :class:`~stablint.probes.spec.ProbeSpec`.
        params: iterable of trainable tensors.
        notes: list that receives a note when a substitute optimizer is used.
    """
    cls_name = _TORCH.get(spec.optimizer)
    if cls_name is None or not hasattr(torch.optim, cls_name):
        if notes is not None:
            notes.append(f"optimizer {spec.optimizer!r} is not in torch.optim; the probe runs AdamW at the same LR")
        cls_name = "AdamW"
    kwargs = {k: v for k, v in spec.optimizer_kwargs.items() if k in _ACCEPTS[cls_name]}
    if cls_name == "Adafactor" and "eps" in kwargs and not isinstance(kwargs["eps"], tuple):
        kwargs.pop("eps")
    return getattr(torch.optim, cls_name)(list(params), lr=spec.lr, **kwargs)
