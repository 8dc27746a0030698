"""User-style ``--target`` for the validity benchmark: an MLP on scikit-learn's 8x8 digits.

``build(plan)`` follows the probe's user-target protocol (``stablint.probes.targets``):
returns ``(model, batches, loss_fn)``; the first 4 batches are held out for validation.
Shapes: x (B, 64) float in [0, 1], y (B,) int64 in 0..9; B = the config's per-device batch
(default 32). The data set ships with scikit-learn (1,797 images, no download). Without
scikit-learn installed, a synthetic 10-class task of the same shape is used instead (the
benchmark records which one ran in its summary).
"""

from __future__ import annotations

import torch

#: Batches the iterable yields (validation 4 + training, cycled by the probe).
N_BATCHES = 4000


def _data():
    """(X, y, name): digits when scikit-learn is importable, else 10 Gaussian blobs in 64-d."""
    try:
        from sklearn.datasets import load_digits

        d = load_digits()
        return torch.tensor(d.data / 16.0, dtype=torch.float32), torch.tensor(d.target, dtype=torch.long), "digits"
    except ImportError:
        g = torch.Generator().manual_seed(1)
        centers = torch.rand(10, 64, generator=g)
        y = torch.randint(0, 10, (1797,), generator=g)
        return (centers[y] + 0.3 * torch.randn(1797, 64, generator=g)).clamp(0, 1), y, "synthetic"


def build(plan):
    """(model, batches, loss_fn) for the digits MLP; see the module docstring."""
    x, y, _ = _data()
    b = int(plan.number("batch.per_device") or 32)
    g = torch.Generator().manual_seed(0)
    perm = torch.randperm(len(y), generator=g)
    val_idx, train_idx = perm[:4 * b], perm[4 * b:]

    def batches():
        for k in range(4):
            idx = val_idx[k * b:(k + 1) * b]
            yield x[idx], y[idx]
        for _ in range(N_BATCHES):
            idx = train_idx[torch.randint(0, len(train_idx), (b,), generator=g)]
            yield x[idx], y[idx]

    model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))

    def loss_fn(model, batch):
        xb, yb = batch
        return torch.nn.functional.cross_entropy(model(xb), yb)

    return model, batches(), loss_fn


def dataset_name() -> str:
    """``"digits"`` or ``"synthetic"`` (which data :func:`build` uses here)."""
    return _data()[2]
