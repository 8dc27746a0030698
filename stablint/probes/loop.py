"""The instrumented training loop: one ProbeSpec → one RunResult (a Trace plus probe-only samples).

Per optimizer step (cheap, always on unless ``Instrument.enabled`` is False): the loss and
its named terms, the LR actually applied, the **pre-clip** global gradient norm (the value
``clip_grad_norm_`` returns), whether clipping acted, non-finite checks, the AMP loss
scale. Sampled (``every`` steps, only when a signal needs them): update/weight ratio
(parameter snapshot around ``optimizer.step()``), per-term gradient norms on the last
shared layer (one ``autograd.grad`` per term), micro-batch vs. accumulated gradient norms
for the noise scale (free with accumulation; else ``noise_k`` extra micro-batches).

Every probe epoch (``spec.steps_per_epoch`` steps) ends with a validation pass; the
per-epoch scheduler and early stopping see it. The run ends cleanly on NaN/Inf
(``status="nonfinite"``), out-of-memory (``"oom"``), the time limit (``"timeout"``) or
early stopping (``"early-stop"``); never with a traceback.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..trends.trace import StepRecord, Trace
from . import require_torch
from .build_optim import build_optimizer
from .build_sched import LRControl
from .targets import build_target

torch = require_torch()


@dataclass
class Instrument:
    """What to measure. ``every``: sampling period in optimizer steps for the costly signals."""

    enabled: bool = True
    update_ratio: bool = True
    task_share: bool = False
    noise: bool = False
    every: int = 10
    noise_k: int = 8


@dataclass
class RunResult:
    """One probe run.

    Attributes:
        trace: per-step records (meta holds the horizon, max_grad_norm, steps_per_epoch).
        status: ``ok``, ``nonfinite``, ``oom``, ``timeout`` or ``early-stop``.
        steps_done: optimizer steps completed.
        seconds: wall time of the loop.
        init_loss: mean loss on the validation batches before the first step.
        shares: per sampled step, ``{term: share of Σ‖∇_shared(w_i L_i)‖}``.
        noise: per sampled step, ``(B_small, |G_small|², B_big, |G_big|²)``.
        update_ratios: per sampled step, the median over tensors of ‖Δθ‖/‖θ‖.
        lora_rel: final median over adapters of ‖s·BA‖_F/‖W0‖_F (``None`` without LoRA).
        val_losses: validation loss per probe epoch.
        notes: target/optimizer substitutions.
    """

    trace: Trace
    status: str = "ok"
    steps_done: int = 0
    seconds: float = 0.0
    init_loss: float | None = None
    shares: list[dict[str, float]] = field(default_factory=list)
    noise: list[tuple[int, float, int, float]] = field(default_factory=list)
    update_ratios: list[float] = field(default_factory=list)
    lora_rel: float | None = None
    val_losses: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    message: str = ""


def _to(b: Any, device) -> Any:
    if hasattr(b, "to"):
        return b.to(device)
    if isinstance(b, (list, tuple)):
        return type(b)(_to(x, device) for x in b)
    if isinstance(b, dict):
        return {k: _to(v, device) for k, v in b.items()}
    return b


def _combine(out: Any, weights: dict[str, float]):
    """(total loss tensor, {term: weighted value}) from a tensor or a dict of named terms."""
    if isinstance(out, dict):
        weighted = {k: v * weights.get(k, 1.0) for k, v in out.items()}
        return sum(weighted.values()), weighted
    return out, None


def _flat_grad(params) -> Any:
    return torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1).float() for p in params])


def _is_oom(exc: BaseException) -> bool:
    return isinstance(exc, MemoryError) or "out of memory" in str(exc).lower()


def run(spec, *, plan=None, device: str = "cpu", max_seconds: float | None = None,
        instrument: Instrument | None = None, phase: str = "main",
        progress: Callable[[int, int], None] | None = None, target=None) -> RunResult:
    """Train ``spec.steps`` optimizer steps of ``spec.target`` and record everything.

    The model is rebuilt from ``spec.seed`` on every call, and micro-batch ``i`` is the
    same in every call, so two runs differ only by what their specs differ in (A/B).

    Args:
        spec: :class:`~stablint.probes.spec.ProbeSpec`.
        plan: the TrainingPlan (passed to user targets' ``build``).
        device: ``"cpu"`` or ``"cuda"``.
        max_seconds: wall-clock limit of this run; ``status="timeout"`` when hit.
        instrument: what to measure (:class:`Instrument`).
        phase: label written into every record (``"main"``, ``"ab-lr/3"``...).
        progress: ``progress(step, total)`` callback.
        target: a prebuilt target (benchmarks); default builds ``spec.target``.

    Raises:
        stablint.probes.targets.TargetError: the target cannot be built.
    """
    ins = instrument or Instrument()
    torch.manual_seed(spec.seed)
    tgt = target if target is not None else build_target(spec, plan)
    tgt.to(device)
    model = tgt.model
    params = [p for p in model.parameters() if p.requires_grad]
    notes = list(tgt.notes)
    opt = build_optimizer(spec, params, notes)
    lrc = LRControl(spec, opt)
    use_cuda = str(device).startswith("cuda")
    if spec.precision == "fp16" and not use_cuda:
        notes.append("fp16 needs CUDA; this CPU probe ran in float32 (precision effects not measured)")
    amp_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16 if use_cuda else None}.get(spec.precision)
    scaler = torch.amp.GradScaler("cuda") if (spec.precision == "fp16" and use_cuda) else None
    dev_type = "cuda" if use_cuda else "cpu"

    def autocast():
        return torch.autocast(dev_type, dtype=amp_dtype) if amp_dtype is not None else contextlib.nullcontext()

    meta = {"source": "stablint probe", "format": "stablint-probe", "phase": phase, "target": tgt.name,
            "steps_per_epoch": spec.steps_per_epoch, "horizon_steps": spec.steps, "max_grad_norm": spec.max_grad_norm,
            "warmup_steps": spec.warmup_steps, "lr": spec.lr, "micro_batch": spec.micro_batch,
            "grad_accum": spec.grad_accum, "seed": spec.seed}
    res = RunResult(trace=Trace(meta=meta), notes=notes)
    weights = spec.loss_weights
    K = spec.steps_per_epoch
    clip = spec.max_grad_norm

    def evaluate() -> float:
        model.eval()
        with torch.no_grad(), autocast():
            vals = [float(_combine(tgt.loss(model, _to(b, device)), weights)[0]) for b in tgt.val_batches]
        model.train()
        return sum(vals) / len(vals) if vals else float("nan")

    t0 = time.perf_counter()
    try:
        if ins.enabled:
            res.init_loss = evaluate()
        best_val, bad_epochs, epoch_losses = math.inf, 0, []
        for step in range(spec.steps):
            lr = lrc.before_step(step)
            opt.zero_grad(set_to_none=True)
            if ins.enabled and ins.noise and step % ins.every == 0 and spec.grad_accum == 1:
                _noise_extra(tgt, model, params, spec, device, ins, res, autocast, step, weights)
            loss_sum, terms_sum, micro_sq = 0.0, None, []
            prev = None
            for j in range(spec.grad_accum):
                b = _to(tgt.batch(step * spec.grad_accum + j), device)
                with autocast():
                    loss, terms = _combine(tgt.loss(model, b), weights)
                if ins.enabled and ins.task_share and terms and j == 0 and step % ins.every == 0 and tgt.shared is not None:
                    res.shares.append(_shares(terms, tgt.shared))
                scaled = loss / spec.grad_accum
                (scaler.scale(scaled) if scaler else scaled).backward()
                if ins.enabled:
                    loss_sum += float(loss.detach())
                    if terms:
                        terms_sum = terms_sum or {k: 0.0 for k in terms}
                        for k, v in terms.items():
                            terms_sum[k] += float(v.detach()) / spec.grad_accum
                    if ins.noise and spec.grad_accum > 1 and step % ins.every == 0:
                        g = _flat_grad(params)
                        micro_sq.append(float(((g - prev) if prev is not None else g).pow(2).sum()) * spec.grad_accum ** 2)
                        prev = g
            if scaler:
                scaler.unscale_(opt)
            big = float(_flat_grad(params).pow(2).sum()) if micro_sq else None
            gn = torch.nn.utils.clip_grad_norm_(params, clip if clip else math.inf) if (clip or ins.enabled) else None
            if spec.clip_value:
                torch.nn.utils.clip_grad_value_(params, spec.clip_value)
            if not ins.enabled:
                (scaler.step(opt) if scaler else opt.step())
                if scaler:
                    scaler.update()
                lrc.after_step(step)
                if (step + 1) % K == 0:
                    lrc.end_epoch(None, None)
                continue
            gnorm = float(gn)
            if micro_sq:
                res.noise.append((spec.micro_batch, sum(micro_sq) / len(micro_sq), spec.effective_batch, big))
            mean_loss = loss_sum / spec.grad_accum
            snap = None
            if ins.update_ratio and step % ins.every == 0:
                snap = [p.detach().clone() for p in params]
            scale_before = scaler.get_scale() if scaler else None
            (scaler.step(opt) if scaler else opt.step())
            if scaler:
                scaler.update()
            if snap is not None:
                ratios = sorted(float((p.detach() - s).norm() / s.norm()) for p, s in zip(params, snap)
                                if float(s.norm()) > 0)  # LoRA B starts at 0: no ratio yet
                if ratios:
                    res.update_ratios.append(ratios[len(ratios) // 2])
                else:
                    snap = None
            lrc.after_step(step)
            rec = StepRecord(step=step, epoch=round((step + 1) / K, 4), loss=mean_loss, lr=lr, grad_norm=gnorm,
                             clipped=bool(clip and gnorm > clip), loss_terms=terms_sum,
                             update_ratio=res.update_ratios[-1] if snap is not None else None,
                             loss_scale=scale_before, phase=phase)
            res.trace.records.append(rec)
            epoch_losses.append(mean_loss)
            res.steps_done = step + 1
            if progress:
                progress(step + 1, spec.steps)
            if not (math.isfinite(mean_loss) and math.isfinite(gnorm)) and scaler is None:
                res.status, res.message = "nonfinite", f"non-finite loss/grad norm at step {step}"
                break
            if (step + 1) % K == 0:
                val = evaluate()
                rec.eval_loss = val
                res.val_losses.append(val)
                finite = [x for x in epoch_losses if math.isfinite(x)]
                lrc.end_epoch(val, sum(finite) / len(finite) if finite else None)
                epoch_losses = []
                if spec.early_stopping_patience is not None:
                    if val < best_val:
                        best_val, bad_epochs = val, 0
                    else:
                        bad_epochs += 1
                        if bad_epochs > spec.early_stopping_patience:
                            res.status, res.message = "early-stop", f"early stopping after epoch {(step + 1) // K}"
                            break
            if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
                res.status, res.message = "timeout", f"time limit {max_seconds:g}s reached after {step + 1} steps"
                break
    except (RuntimeError, MemoryError) as exc:
        if not _is_oom(exc):
            raise
        res.status, res.message = "oom", f"out of memory after {res.steps_done} steps"
        if use_cuda:
            torch.cuda.empty_cache()
    res.seconds = time.perf_counter() - t0
    if tgt.adapters:
        rel = sorted(a.relative_update() for a in tgt.adapters)
        res.lora_rel = rel[len(rel) // 2]
    res.trace.meta["status"] = res.status
    res.trace.meta["steps_done"] = res.steps_done
    return res


def _shares(terms: dict, shared) -> dict[str, float]:
    """Per-term ‖∇_shared(w_i L_i)‖ as shares of their sum (GradNorm's G_W^(i), research §6)."""
    ps = [p for p in shared.parameters() if p.requires_grad]
    norms = {}
    for k, v in terms.items():
        gs = torch.autograd.grad(v, ps, retain_graph=True, allow_unused=True)
        norms[k] = math.sqrt(sum(float(g.pow(2).sum()) for g in gs if g is not None))
    tot = sum(norms.values()) or 1.0
    return {k: n / tot for k, n in norms.items()}


def _noise_extra(tgt, model, params, spec, device, ins, res, autocast, step, weights) -> None:
    """Two-batch noise-scale sample without accumulation: ``noise_k`` extra micro-batches, no update."""
    sq, acc = [], None
    for j in range(ins.noise_k):
        model.zero_grad(set_to_none=True)
        b = _to(tgt.batch(50_000_000 + step * ins.noise_k + j), device)
        with autocast():
            loss, _ = _combine(tgt.loss(model, b), weights)
        loss.backward()
        g = _flat_grad(params)
        sq.append(float(g.pow(2).sum()))
        acc = g if acc is None else acc + g
    model.zero_grad(set_to_none=True)
    big = float((acc / ins.noise_k).pow(2).sum())
    res.noise.append((spec.micro_batch, sum(sq) / len(sq), spec.micro_batch * ins.noise_k, big))
