"""Probe targets: built-in offline models + data, and user targets.

A :class:`Target` bundles a model, a deterministic batch source and a loss:

- ``batch(i)`` returns micro-batch number ``i`` (the same ``i`` gives the same data in
  every run, so A/B runs share init and data order); ``val_batches`` are held out;
- ``loss(model, batch)`` returns a scalar tensor, or a dict ``{term: tensor}`` of
  *unweighted* named loss terms that the loop weights with the configured
  ``loss.weights``;
- ``shared`` is the last shared layer (task-grad-share), ``adapters`` the LoRA layers.

Built-ins (no download; the LM reads Python's own standard-library sources):

======================  ===================================================================
``lm``                  2-layer causal transformer, byte vocabulary (V = 256), 64-token context
``lora-lm``             the same, base frozen, LoRA on the q/v projections at the config's r, alpha
``multitask``           shared MLP trunk, one regression head per configured loss term; term
                        scales follow seed 001 (first term's loss ≈ 70, the others ≈ 0.1)
``mlp-regression``      MLP on a smooth 32-d → 1 function (MSE)
``mlp-classification``  MLP on 10 Gaussian blobs (cross-entropy)
``cnn-classification``  small CNN with BatchNorm on 16×16 synthetic images, 10 classes
======================  ===================================================================

User targets: ``--target pkg.module:build`` where ``build(plan)`` returns
``(model, batches, loss_fn)``; ``batches`` is an iterable of batches (the first
:data:`USER_VAL_BATCHES` are held out for validation, the rest are replayed in order,
cycling if exhausted) and ``loss_fn(model, batch)`` returns a tensor or a dict of named
terms. See ``examples/custom_target.py``.
"""

from __future__ import annotations

import glob
import importlib
import math
import os
import sysconfig
from dataclasses import dataclass, field
from typing import Any, Callable

from . import require_torch
from .lora import apply_lora

torch = require_torch()
nn = torch.nn
F = torch.nn.functional

BUILTIN = ("lm", "lora-lm", "multitask", "mlp-regression", "mlp-classification", "cnn-classification")
USER_VAL_BATCHES = 4
SEQ_LEN = 64
VOCAB = 256
#: ``batch(i)`` with ``i >= _VAL_OFFSET`` draws from the held-out split (validation batches).
_VAL_OFFSET = 10_000_000
#: First index of the extra micro-batches the noise-scale signal samples (no update is made with
#: them); below ``_VAL_OFFSET`` so they come from the training split, above any main-run index.
NOISE_OFFSET = 5_000_000
#: seed 001: the "threshold" term sat at ~70 while the other terms were < 1 (seeds/001); as target
#: standard deviations: sqrt(70) ≈ 8.4 for the first term and 0.3 (loss ≈ 0.09) for the others.
MULTITASK_SCALES = (8.4, 0.3)


class TargetError(ValueError):
    """A target could not be built (unknown name, bad user module, wrong return shape)."""


@dataclass
class Target:
    """A model with its data and loss (see the module docstring)."""

    name: str
    model: Any
    batch: Callable[[int], Any]
    loss: Callable[[Any, Any], Any]
    val_batches: list = field(default_factory=list)
    shared: Any = None
    adapters: list = field(default_factory=list)
    init_loss_reference: float | None = None
    notes: list[str] = field(default_factory=list)

    def to(self, device) -> "Target":
        """Move the model to ``device`` (batches are moved by the loop)."""
        self.model.to(device)
        return self


def _gen(seed: int, i: int):
    return torch.Generator().manual_seed((seed * 1_000_003 + i) % (2**63 - 1))


def window_starts(seed: int, i: int, n: int, count: int):
    """Start offsets (int64 tensor, shape ``(count,)``) of the token windows of batch ``i``.

    ``n`` is the number of valid start offsets in the token stream. The first 90 % of the
    stream is the training split, the last 10 % the held-out split that batch indices
    ``i >= _VAL_OFFSET`` draw from; the draw is a pure function of ``(seed, i)``, so every
    A/B run sees the same data.
    """
    split = int(n * 0.9)
    lo, hi = (split, n) if i >= _VAL_OFFSET else (0, split)
    return torch.randint(lo, hi, (count,), generator=_gen(seed, i))


def val_batches(batch) -> list:
    """The :data:`USER_VAL_BATCHES` held-out batches of a built-in target's ``batch(i)``."""
    return [batch(_VAL_OFFSET + j) for j in range(USER_VAL_BATCHES)]


# --- data -----------------------------------------------------------------------------------------
_CORPUS: Any = None


def stdlib_corpus(max_bytes: int = 400_000):
    """Bytes of the standard library's ``.py`` files (sorted, concatenated) as a uint8 tensor.

    Falls back to this package's own sources when the stdlib sources are not shipped.
    """
    global _CORPUS
    if _CORPUS is None:
        root = sysconfig.get_paths().get("stdlib", "")
        files = sorted(glob.glob(os.path.join(root, "*.py"))) or sorted(
            glob.glob(os.path.join(os.path.dirname(os.path.dirname(__file__)), "**", "*.py"), recursive=True))
        buf = bytearray()
        for f in files:
            try:
                with open(f, "rb") as fh:
                    buf += fh.read()
            except OSError:
                continue
            if len(buf) >= max_bytes:
                break
        _CORPUS = torch.tensor(list(buf[:max_bytes]), dtype=torch.long)
    return _CORPUS


# --- models ---------------------------------------------------------------------------------------
class Block(nn.Module):
    """Pre-norm transformer block with separate q/k/v/o projections (LoRA targets q and v)."""

    def __init__(self, d: int, heads: int):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        """``(B, T, d) → (B, T, d)``, causal."""
        B, T, d = x.shape
        h = self.ln1(x)
        q, k, v = (m(h).view(B, T, self.heads, d // self.heads).transpose(1, 2) for m in (self.q, self.k, self.v))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, d)
        x = x + self.o(a)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class TinyLM(nn.Module):
    """Byte-level causal LM: ``(B, T) int64 → (B, T, 256)`` logits."""

    def __init__(self, d: int = 64, layers: int = 2, heads: int = 4, seq: int = SEQ_LEN):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d)
        self.pos = nn.Parameter(torch.zeros(seq, d))
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, VOCAB)

    def forward(self, idx):
        x = self.tok(idx) + self.pos[: idx.shape[1]]
        for b in self.blocks:
            x = b(x)
        return self.head(self.ln(x))


def _lm(spec, lora: bool) -> Target:
    data = stdlib_corpus()
    n = len(data) - SEQ_LEN - 1

    def batch(i: int):
        starts = window_starts(spec.seed, i, n, spec.micro_batch)
        x = torch.stack([data[s:s + SEQ_LEN] for s in starts])
        y = torch.stack([data[s + 1:s + SEQ_LEN + 1] for s in starts])
        return x, y

    def loss(model, b):
        x, y = b
        return F.cross_entropy(model(x).reshape(-1, VOCAB), y.reshape(-1))

    torch.manual_seed(spec.seed)
    model = TinyLM()
    t = Target("lora-lm" if lora else "lm", model, batch, loss,
               val_batches(batch), shared=model.head, init_loss_reference=math.log(VOCAB))
    if lora:
        cfg = spec.lora or {"r": 8, "alpha": 8.0, "use_rslora": False, "dropout": 0.0}
        t.adapters = apply_lora(model, ("q", "v"), cfg["r"], cfg["alpha"], cfg["use_rslora"], cfg["dropout"])
        if cfg["r"] > 256:
            t.notes.append(f"LoRA rank {cfg['r']} allocated as 256 (scaling kept at the configured r)")
        t.shared = None
    return t


def _multitask(spec) -> Target:
    terms = list(spec.loss_weights) or ["task_a", "task_b"]
    torch.manual_seed(spec.seed)
    din = 16
    w_true = torch.randn(len(terms), din, generator=_gen(spec.seed, -1))
    scales = [MULTITASK_SCALES[0]] + [MULTITASK_SCALES[1]] * (len(terms) - 1)

    def batch(i: int):
        g = _gen(spec.seed, i)
        x = torch.randn(spec.micro_batch, din, generator=g)
        ys = {t: scales[k] * torch.tanh(x @ w_true[k] / math.sqrt(din) * 2)
              + 0.01 * scales[k] * torch.randn(spec.micro_batch, generator=g) for k, t in enumerate(terms)}
        return x, ys

    class MultiHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.trunk = nn.Sequential(nn.Linear(din, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
            self.heads = nn.ModuleDict({t: nn.Linear(64, 1) for t in terms})

        def forward(self, x):
            h = self.trunk(x)
            return {t: head(h).squeeze(-1) for t, head in self.heads.items()}

    def loss(model, b):
        x, ys = b
        out = model(x)
        return {t: F.mse_loss(out[t], ys[t]) for t in terms}

    model = MultiHead()
    t = Target("multitask", model, batch, loss, val_batches(batch), shared=model.trunk[2])
    t.notes.append("multitask term scales (target std): " + ", ".join(f"{n}={s}" for n, s in zip(terms, scales)))
    return t


def _mlp(spec, classification: bool) -> Target:
    din = 32
    torch.manual_seed(spec.seed)
    proj = torch.randn(din, 8, generator=_gen(spec.seed, -2))
    centers = torch.randn(10, din, generator=_gen(spec.seed, -3)) * 1.5

    def batch(i: int):
        g = _gen(spec.seed, i)
        if classification:
            y = torch.randint(0, 10, (spec.micro_batch,), generator=g)
            return centers[y] + torch.randn(spec.micro_batch, din, generator=g), y
        x = torch.randn(spec.micro_batch, din, generator=g)
        return x, torch.sin(x @ proj).sum(-1, keepdim=True) / math.sqrt(8)

    model = nn.Sequential(nn.Linear(din, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10 if classification else 1))

    def loss(model, b):
        x, y = b
        return F.cross_entropy(model(x), y) if classification else F.mse_loss(model(x), y)

    return Target("mlp-classification" if classification else "mlp-regression", model, batch, loss,
                  val_batches(batch), shared=model[2],
                  init_loss_reference=math.log(10) if classification else None)


def _cnn(spec) -> Target:
    torch.manual_seed(spec.seed)
    protos = torch.randn(10, 1, 16, 16, generator=_gen(spec.seed, -4))

    def batch(i: int):
        g = _gen(spec.seed, i)
        y = torch.randint(0, 10, (spec.micro_batch,), generator=g)
        return protos[y] + torch.randn(spec.micro_batch, 1, 16, 16, generator=g), y

    model = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                          nn.Flatten(), nn.Linear(32, 10))

    def loss(model, b):
        x, y = b
        return F.cross_entropy(model(x), y)

    return Target("cnn-classification", model, batch, loss, val_batches(batch),
                  shared=model[4], init_loss_reference=math.log(10))


def _user(spec, plan, ref: str) -> Target:
    module_name, _, attr = ref.partition(":")
    import sys

    if os.getcwd() not in sys.path:  # like `python -m`: modules of the current directory are importable
        sys.path.insert(0, os.getcwd())
    try:
        build = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise TargetError(f"cannot import target {ref!r}: {exc}") from exc
    out = build(plan)
    if not (isinstance(out, tuple) and len(out) == 3 and callable(out[2])):
        raise TargetError(f"{ref} must return (model, batches, loss_fn); got {type(out).__name__}")
    model, batches, loss_fn = out
    it = iter(batches)
    cache: list = []
    try:
        val = [next(it) for _ in range(USER_VAL_BATCHES)]
    except StopIteration:
        raise TargetError(f"{ref}: the batch iterable must yield more than {USER_VAL_BATCHES} batches") from None
    done = False

    def batch(i: int):
        nonlocal done
        while not done and len(cache) <= i:
            try:
                cache.append(next(it))
            except StopIteration:
                done = True
        if not cache:
            raise TargetError(f"{ref}: the batch iterable has no training batches")
        return cache[i % len(cache)]

    return Target(ref, model, batch, loss_fn, val)


def build_target(spec, plan=None) -> Target:
    """Build ``spec.target`` (a :data:`BUILTIN` name, ``pkg.module:build`` or ``hf:DIR``).

    Raises:
        TargetError: unknown name, import failure, or a user ``build`` with the wrong return shape.
        InputError, target_hf.HFUnavailable: ``hf:DIR`` that cannot be loaded (see :mod:`.target_hf`).
    """
    name = spec.target
    if name in ("lm", "lora-lm"):
        return _lm(spec, lora=name == "lora-lm")
    if name == "multitask":
        return _multitask(spec)
    if name in ("mlp-regression", "mlp-classification"):
        return _mlp(spec, classification=name == "mlp-classification")
    if name == "cnn-classification":
        return _cnn(spec)
    if name.startswith("hf:"):  # --hf-model DIR (target_hf.HF_PREFIX)
        from .target_hf import build_hf_target

        return build_hf_target(spec, plan, name[3:])
    if ":" in name:
        return _user(spec, plan, name)
    raise TargetError(f"unknown target {name!r}; built-ins: {', '.join(BUILTIN)}, or pkg.module:build")
