"""A user target for ``stablint probe --target examples.custom_target:build`` (or any importable module).

Protocol: ``build(plan)`` receives the config's TrainingPlan (``plan.number("batch.per_device")``,
``plan.value("loss.weights")`` ...) and returns ``(model, batches, loss_fn)``:

- ``model``: a ``torch.nn.Module``; the probe trains its parameters that require grad;
- ``batches``: an iterable of batches (any nesting of tensors/lists/dicts). The first 4 are held
  out for validation; the rest are replayed in order (cycled if exhausted), so the A/B runs of the
  probe see the same data;
- ``loss_fn(model, batch)``: a scalar tensor, or a dict ``{term: tensor}`` of *unweighted* named
  loss terms; the probe applies the config's ``loss.weights`` and measures each term's gradient share.

Run it (from the repository root, so that ``examples`` is importable)::

    stablint probe examples/seed001_before.yaml --target examples.custom_target:build
"""

import torch


def build(plan):
    """Two-term regression: (model, batches, loss_fn). Shapes: x (B, 8), targets (B,)."""
    batch = int(plan.number("batch.per_device") or 16)
    g = torch.Generator().manual_seed(0)

    def batches():
        for _ in range(2000):
            x = torch.randn(batch, 8, generator=g)
            yield x, {"coarse": 10 * x[:, 0], "fine": 0.1 * x[:, 1]}

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.trunk = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU())
            self.coarse, self.fine = torch.nn.Linear(32, 1), torch.nn.Linear(32, 1)

        def forward(self, x):
            h = self.trunk(x)
            return {"coarse": self.coarse(h).squeeze(-1), "fine": self.fine(h).squeeze(-1)}

    def loss_fn(model, b):
        x, y = b
        out = model(x)
        return {k: torch.nn.functional.mse_loss(out[k], y[k]) for k in y}

    return Net(), batches(), loss_fn
