"""A tiny LoRA layer (no peft dependency) with PEFT's initialisation and scaling.

``y = W0 x + s * B A dropout(x)`` with ``A`` (r × in) Kaiming-uniform, ``B`` (out × r)
zeros, so the adapted model starts exactly at the base model (Hu et al. 2021, LoRA;
PEFT ``LoraLayer.reset_lora_parameters``). ``s = alpha / r``, or ``alpha / sqrt(r)``
with rsLoRA (Kalajdzievski 2023; PEFT ``use_rslora``).
"""

from __future__ import annotations

import math

from . import require_torch

torch = require_torch()
nn = torch.nn

#: Largest rank the probe allocates; the scaling keeps the configured r (noted in the report).
MAX_PROBE_RANK = 256


class LoRALinear(nn.Module):
    """Wrap a frozen ``nn.Linear`` with a trainable low-rank update.

    Args:
        base: the linear layer to adapt (its parameters are frozen here).
        r: rank (capped at :data:`MAX_PROBE_RANK` for allocation only).
        alpha: LoRA alpha.
        use_rslora: scale by ``alpha / sqrt(r)`` instead of ``alpha / r``.
        dropout: dropout probability on the adapter input.
    """

    def __init__(self, base: nn.Linear, r: int, alpha: float, use_rslora: bool = False, dropout: float = 0.0):
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.r = int(r)
        self.scaling = alpha / math.sqrt(r) if use_rslora else alpha / r
        rank = min(self.r, MAX_PROBE_RANK)
        self.lora_A = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.drop = nn.Dropout(dropout) if dropout > 0 else nn.Identity()

    def forward(self, x):
        """``(..., in) → (..., out)``."""
        return self.base(x) + (self.drop(x) @ self.lora_A.t() @ self.lora_B.t()) * self.scaling

    def delta_weight(self):
        """The effective update ``s · B A`` (out × in)."""
        return self.scaling * (self.lora_B @ self.lora_A)

    def relative_update(self) -> float:
        """``‖s·BA‖_F / ‖W0‖_F`` (research/probe_anchors.md §13 ``lora_effective_update``)."""
        with torch.no_grad():
            return float(self.delta_weight().norm() / self.base.weight.norm().clamp_min(1e-12))


def apply_lora(model: nn.Module, names: tuple[str, ...], r: int, alpha: float, use_rslora: bool = False,
               dropout: float = 0.0) -> list[LoRALinear]:
    """Freeze ``model`` and replace every ``nn.Linear`` whose attribute name is in ``names`` by a LoRALinear.

    Returns:
        The inserted adapters (the only trainable parameters afterwards).
    """
    for p in model.parameters():
        p.requires_grad_(False)
    adapters: list[LoRALinear] = []
    for module in list(model.modules()):
        for attr, child in list(module.named_children()):
            if attr in names and isinstance(child, nn.Linear):
                lora = LoRALinear(child, r, alpha, use_rslora, dropout)
                setattr(module, attr, lora)
                adapters.append(lora)
    return adapters
