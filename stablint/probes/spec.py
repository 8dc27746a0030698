"""TrainingPlan → ProbeSpec: what the short run trains and how the timeline is compressed.

Pure Python (no torch), so it is unit-tested and used for input validation before
torch is imported.

Timeline compression (reported as ``ProbeSpec.horizon()``):

- The probe runs ``steps`` optimizer steps (N, default 200). A **probe epoch** is
  ``steps_per_epoch`` optimizer steps (K) followed by a validation pass on held-out
  batches. K is chosen so that the plan's plateau patience (+1 epoch to act) fits
  twice into the horizon: ``K = max(4, N // max(10, 2 * (patience + cooldown + 1)))``.
  Epoch-stepped schedulers and early stopping therefore act **one config epoch = one
  probe epoch**: ``patience=10`` waits 10 probe epochs, exactly as in the real run.
- Step-stepped schedules are compressed by ``scale = N / total_steps`` when the
  config states its length (``run.max_steps``, or ``run.epochs`` for epoch units);
  warmup given as a ratio becomes ``ratio * N``; warmup in steps is scaled the same
  way, or kept as written and capped at N/2 when the run length is unknown (noted).
- The micro-batch is capped at :data:`MAX_PROBE_BATCH` and accumulation at
  :data:`MAX_PROBE_ACCUM` (noted); the effective batch used by the noise scale is the
  probe's own ``micro_batch * grad_accum``.

Absurd values are refused with :class:`AbsurdConfig` (→ exit 2) instead of an OOM:
see :data:`LIMITS` for the bounds and their sources.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..linter.plan import EPOCH, EPOCH_INTERVAL, TrainingPlan

#: Probe caps (compute budget of a 2-core CPU; documented in the report's notes).
MAX_PROBE_BATCH = 32
MAX_PROBE_ACCUM = 8
DEFAULT_STEPS = 200
DEFAULT_LR = 1e-3  # Karpathy's recipe uses Adam 3e-4; 1e-3 is PyTorch's Adam default (used only when unset)

#: field → (low, high) accepted by the probe; outside → AbsurdConfig.
#: lr: fastai/Lightning ``lr_find`` sweep 1e-7..10 (research/probe_anchors.md §13 lr_range);
#: batch / accumulation / rank: far beyond any published recipe (GPT-3 used a 3.2M-token batch,
#: i.e. ~1.6k sequences); values above are typos or unit mistakes, and the probe would OOM.
LIMITS: dict[str, tuple[float, float]] = {
    "optimizer.lr": (1e-12, 10.0),
    "batch.per_device": (1, 1_000_000),
    "batch.grad_accum": (1, 100_000),
    "lora.r": (1, 65_536),
    "lora.alpha": (1e-6, 1e6),
    "clip.max_norm": (0.0, 1e9),
}

#: Key names (anywhere in the config) that make the default target a language model.
_LM_HINTS = {"vocab_size", "block_size", "n_layer", "n_head", "n_embd", "seq_len", "max_seq_length", "sequence_len",
             "seq_length", "tokenizer", "tokenizer_name", "context_length", "max_seq_len", "num_heads", "d_model"}
_CLS_HINTS = {"num_classes", "n_classes", "num_labels", "nc"}


class AbsurdConfig(ValueError):
    """A plan value the probe refuses (would OOM or is certainly a typo).

    Attributes:
        path, line, column: where the value is written (1-based).
        message: what is wrong and the accepted range.
    """

    def __init__(self, path: str, line: int, column: int, message: str):
        super().__init__(f"{path}:{line}:{column}: {message}")
        self.path, self.line, self.column, self.message = path, line, column, message


@dataclass
class ProbeSpec:
    """Everything the probe run needs, in probe units (optimizer steps unless named otherwise).

    Attributes:
        target: built-in target name or ``pkg.module:build``.
        steps: optimizer steps N of the main run.
        steps_per_epoch: K optimizer steps per probe epoch (a validation pass follows each).
        micro_batch: per-step micro-batch (after the probe cap).
        grad_accum: micro-batches per optimizer step (after the cap).
        config_batch: the configured per-device batch (before the cap).
        lr: peak learning rate (absolute).
        optimizer: family name (``adamw``, ``adam``, ``sgd``, ...).
        optimizer_kwargs: betas, eps, weight_decay, momentum when configured.
        scheduler: normalized kind (``constant``, ``cosine``, ``plateau`` ...).
        scheduler_interval: ``"step"`` or ``"epoch"``.
        sched: compressed scheduler parameters (probe steps for step interval, probe epochs otherwise).
        warmup_steps: linear warmup length in probe optimizer steps (0 = none).
        max_grad_norm: clip threshold, ``None`` = no clipping.
        clip_value: value clipping threshold or ``None``.
        precision: ``"fp32"``, ``"bf16"`` or ``"fp16"``.
        loss_weights: named loss-term weights (empty = one loss).
        lora: ``{"r", "alpha", "use_rslora", "dropout"}`` or ``None``.
        early_stopping_patience: in probe epochs, ``None`` = off.
        seed: RNG seed (same init and data order for every A/B run).
        notes: every cap or substitution applied, for the report.
        config_epochs: the configured run length in epochs, if any.
        config_steps: the configured run length in optimizer steps, if any.
    """

    target: str = "lm"
    steps: int = DEFAULT_STEPS
    steps_per_epoch: int = 20
    micro_batch: int = 8
    grad_accum: int = 1
    config_batch: int | None = None
    lr: float = DEFAULT_LR
    optimizer: str = "adamw"
    optimizer_kwargs: dict[str, Any] = field(default_factory=dict)
    scheduler: str = "constant"
    scheduler_interval: str = "step"
    sched: dict[str, Any] = field(default_factory=dict)
    warmup_steps: int = 0
    max_grad_norm: float | None = None
    clip_value: float | None = None
    precision: str = "fp32"
    loss_weights: dict[str, float] = field(default_factory=dict)
    lora: dict[str, Any] | None = None
    early_stopping_patience: int | None = None
    seed: int = 0
    notes: list[str] = field(default_factory=list)
    config_epochs: float | None = None
    config_steps: float | None = None

    @property
    def effective_batch(self) -> int:
        """Examples per optimizer step in the probe (``micro_batch * grad_accum``)."""
        return self.micro_batch * self.grad_accum

    @property
    def epochs(self) -> float:
        """Probe epochs covered by the horizon (``steps / steps_per_epoch``)."""
        return self.steps / self.steps_per_epoch

    def horizon(self) -> dict[str, Any]:
        """The compressed timeline as JSON: steps, steps/epoch, probe epochs, and the real run's length."""
        return {
            "steps": self.steps,
            "steps_per_epoch": self.steps_per_epoch,
            "epochs": round(self.epochs, 2),
            "warmup_steps": self.warmup_steps,
            "config_epochs": self.config_epochs,
            "config_steps": self.config_steps,
            "epoch_mapping": "1 config epoch = 1 probe epoch of steps_per_epoch steps + a validation pass",
        }

    def replace(self, **changes: Any) -> "ProbeSpec":
        """A copy with ``changes`` applied (notes and dicts copied, so runs never share state)."""
        import copy

        new = copy.deepcopy(self)
        for k, v in changes.items():
            setattr(new, k, v)
        return new


def _loc(plan: TrainingPlan, name: str) -> tuple[str, int, int]:
    pv = plan.get(name)
    src = pv.source if pv is not None else None
    return (src.path, src.line, src.column) if src else (plan.path, 1, 1)


def check_limits(plan: TrainingPlan) -> None:
    """Refuse absurd values before anything is allocated.

    Raises:
        AbsurdConfig: a value of :data:`LIMITS` is outside its range (NaN included).
    """
    for name, (lo, hi) in LIMITS.items():
        v = plan.number(name)
        if v is None:
            continue
        if not math.isfinite(v) or v < lo or v > hi:
            path, line, col = _loc(plan, name)
            raise AbsurdConfig(path, line, col, f"{name} = {v:g} is outside what the probe accepts "
                                                 f"[{lo:g}, {hi:g}]; fix the value (or its unit) before probing")


def default_target(plan: TrainingPlan) -> str:
    """The built-in target the plan suggests.

    ``lora-lm`` when LoRA is enabled; ``multitask`` with two or more loss weights;
    ``lm`` for LLM dialects or LM-looking keys (``vocab_size``, ``block_size`` ...);
    ``mlp-classification`` with ``num_classes``-like keys; ``cnn-classification`` when the
    config shows BatchNorm; else ``mlp-regression``.
    """
    if plan.value("lora.enabled"):
        return "lora-lm"
    weights = plan.value("loss.weights")
    if isinstance(weights, dict) and len(weights) >= 2:
        return "multitask"
    keys: set[str] = set()
    for doc in plan.documents:
        root = getattr(doc, "root", None)
        if root is not None:
            keys |= {p.rsplit(".", 1)[-1].lower() for p, _ in root.walk() if p}
    from ..linter.dialects import facts_of

    # transformer frameworks (Dialect.model_family) and PEFT adapter configs train language models
    if facts_of(plan).model_family == "transformer" or plan.dialect == "peft" or keys & _LM_HINTS:
        return "lm"
    if plan.value("model.uses_batchnorm"):
        return "cnn-classification"
    if keys & _CLS_HINTS:
        return "mlp-classification"
    return "mlp-regression"


def _int(v: float | None) -> int | None:
    return None if v is None else int(round(v))


def spec_from_plan(plan: TrainingPlan, *, target: str | None = None, steps: int = DEFAULT_STEPS,
                   seed: int = 0) -> ProbeSpec:
    """Build the :class:`ProbeSpec` for ``plan`` (see the module docstring for the compression).

    Args:
        plan: a normalized TrainingPlan (unresolved fields are treated as absent, with a note).
        target: override of :func:`default_target`.
        steps: optimizer steps N of the probe (>= 8).

    Raises:
        AbsurdConfig: see :func:`check_limits`.
        ValueError: ``steps`` < 8.
    """
    if steps < 8:
        raise ValueError("--steps must be at least 8")
    check_limits(plan)
    s = ProbeSpec(target=target or default_target(plan), steps=steps, seed=seed)
    for name, pv in plan.items():
        if not pv.resolved:
            s.notes.append(f"{name} is unresolved ({pv.value!r}); the probe uses its default")

    lr = plan.number("optimizer.lr")
    if lr is None:
        s.notes.append(f"no learning rate in the config; the probe uses {DEFAULT_LR:g}")
    s.lr = lr if lr is not None else DEFAULT_LR
    s.optimizer = str(plan.value("optimizer.type") or "adamw").lower()
    for canon, key in (("optimizer.eps", "eps"), ("optimizer.weight_decay", "weight_decay"),
                       ("optimizer.momentum", "momentum")):
        v = plan.number(canon)
        if v is not None:
            s.optimizer_kwargs[key] = v
    betas = plan.value("optimizer.betas")
    if isinstance(betas, (list, tuple)) and len(betas) == 2:
        vals = [getattr(b, "value", b) for b in betas]
        if all(isinstance(b, (int, float)) for b in vals):
            s.optimizer_kwargs["betas"] = tuple(float(b) for b in vals)

    b = _int(plan.number("batch.per_device"))
    s.config_batch = b
    if b is None:
        b = 8
        s.notes.append("no per-device batch size in the config; the probe uses 8")
    if b > MAX_PROBE_BATCH:
        s.notes.append(f"micro-batch {b} capped at {MAX_PROBE_BATCH} for the probe")
        b = MAX_PROBE_BATCH
    s.micro_batch = max(1, b)
    a = _int(plan.number("batch.grad_accum")) or 1
    if a > MAX_PROBE_ACCUM:
        s.notes.append(f"gradient accumulation {a} capped at {MAX_PROBE_ACCUM} for the probe")
        a = MAX_PROBE_ACCUM
    s.grad_accum = max(1, a)

    clip = plan.number("clip.max_norm")
    s.max_grad_norm = clip if clip and clip > 0 else None
    cv = plan.number("clip.value")
    s.clip_value = cv if cv and cv > 0 else None
    if plan.value("precision.bf16") is True:
        s.precision = "bf16"
    elif plan.value("precision.fp16") is True:
        s.precision = "fp16"

    weights = plan.value("loss.weights")
    if isinstance(weights, dict):
        for term, pv in weights.items():
            w = pv.number if hasattr(pv, "number") else (float(pv) if isinstance(pv, (int, float)) else None)
            if w is not None:
                s.loss_weights[str(term)] = w
    if plan.value("lora.enabled") or s.target == "lora-lm":
        s.lora = {"r": _int(plan.number("lora.r")) or 8, "alpha": plan.number("lora.alpha") or 8.0,
                  "use_rslora": bool(plan.value("lora.use_rslora", False)),
                  "dropout": plan.number("lora.dropout") or 0.0}
        if not plan.has("lora.r") or not plan.has("lora.alpha"):
            s.notes.append("LoRA r/alpha not both set; PEFT defaults r=8, alpha=8 used for the missing one")

    _timeline(plan, s)
    return s


def _timeline(plan: TrainingPlan, s: ProbeSpec) -> None:
    """Fill steps_per_epoch, scheduler, warmup and early stopping (module docstring)."""
    N = s.steps
    s.config_epochs = plan.number("run.epochs")
    s.config_steps = plan.number("run.max_steps")
    kind = str(plan.value("scheduler.type") or "constant")
    s.scheduler = kind
    # unknown stepping (a custom loop, lint stays silent): the probe simulates the custom-loop habit, per epoch
    unknown = plan.has("scheduler.interval") and plan.value("scheduler.interval") is None
    interval = plan.value("scheduler.interval") or ("epoch" if kind == "plateau" or unknown else "step")
    s.scheduler_interval = EPOCH_INTERVAL if interval == EPOCH_INTERVAL or kind == "plateau" else "step"

    patience = plan.number("scheduler.patience") if kind == "plateau" else None
    cooldown = plan.number("scheduler.cooldown") or 0
    es = plan.number("early_stopping.patience")
    waits = [p for p in (patience, es) if p is not None]
    need = max(10, 2 * int(max(waits) + cooldown + 1)) if waits else 10
    s.steps_per_epoch = max(4, N // need)
    if waits and N // s.steps_per_epoch < max(waits) + 2:
        s.notes.append(f"patience {max(waits):g} epochs does not fit the horizon of {N // s.steps_per_epoch} probe "
                       f"epochs; raise --steps to cover it")

    # total length in the scheduler's own unit, for per-step compression
    # steps per epoch of the real dataset are unknown, so only a stated max_steps compresses step units
    total = s.config_steps if s.config_steps and s.config_steps > 0 else None
    scale = (N / total) if total else None

    sc: dict[str, Any] = {}
    if kind == "plateau":
        sc["patience"] = int(patience if patience is not None else 10)
        sc["factor"] = plan.number("scheduler.factor") or 0.1
        sc["cooldown"] = int(cooldown)
        sc["mode"] = str(plan.value("scheduler.mode") or "min")
        sc["monitor"] = str(plan.value("scheduler.monitor") or "val_loss")
        if plan.number("scheduler.min_lr") is not None and plan.unit("scheduler.min_lr") != "fraction_of_lr":
            sc["min_lr"] = plan.number("scheduler.min_lr")
    else:
        for canon, key in (("scheduler.t_max", "t_max"), ("scheduler.t_0", "t_0"), ("scheduler.t_mult", "t_mult"),
                           ("scheduler.step_size", "step_size"), ("scheduler.gamma", "gamma"),
                           ("scheduler.min_lr", "min_lr"), ("scheduler.decay_steps", "decay_steps")):
            v = plan.number(canon)
            if v is not None:
                sc[key] = v
        ms = plan.value("scheduler.milestones")
        if isinstance(ms, (list, tuple)):
            sc["milestones"] = [float(getattr(m, "value", m)) for m in ms
                                if isinstance(getattr(m, "value", m), (int, float))]
        if scale is not None and s.scheduler_interval == "step":
            for key in ("t_max", "t_0", "step_size", "decay_steps"):
                if key in sc:
                    sc[key] = max(1, int(round(sc[key] * scale)))
            if "milestones" in sc:
                sc["milestones"] = [max(1, int(round(m * scale))) for m in sc["milestones"]]
        if kind in ("cosine", "linear", "polynomial") and "t_max" not in sc:
            sc["t_max"] = N if s.scheduler_interval == "step" else int(s.config_epochs or max(1, N // s.steps_per_epoch))
        if plan.unit("scheduler.min_lr") == "fraction_of_lr" and "min_lr" in sc:
            sc["min_lr"] = sc["min_lr"] * s.lr
    s.sched = sc

    ratio = plan.number("warmup.ratio")
    w = plan.number("warmup.steps")
    if ratio:
        s.warmup_steps = int(round(ratio * N))
    elif w:
        if plan.unit("warmup.steps") == EPOCH:
            s.warmup_steps = int(w * s.steps_per_epoch)
        elif scale is not None:
            s.warmup_steps = max(1, int(round(w * scale)))
        else:
            s.warmup_steps = int(w)
            if w > N // 2:
                s.warmup_steps = N // 2
                s.notes.append(f"warmup {w:g} steps capped at {N // 2} (run length unknown, cannot compress)")
    if es is not None:
        s.early_stopping_patience = int(es)
