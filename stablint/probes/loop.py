"""The instrumented training loop: one ProbeSpec → one RunResult (a Trace plus probe-only samples).

Per optimizer step (cheap, always on unless ``Instrument.enabled`` is False): the loss and
its named terms, the LR actually applied, the **pre-clip** global gradient norm (the value
``clip_grad_norm_`` returns, computed once and used for the clipping too), whether clipping
acted, non-finite checks, the AMP loss scale. Sampled (``every`` steps, only when a signal
needs them): update/weight ratio (parameter snapshot around ``optimizer.step()``), per-term
gradient norms on the last shared layer (one ``autograd.grad`` per term), micro-batch vs.
accumulated gradient norms for the noise scale (free with accumulation; else ``noise_k``
extra micro-batches).

Host transfers: per-step values stay device tensors (0-d, detached) until a *flush*, which
stacks them and copies them to the host in one transfer (one device sync on CUDA). A flush
happens every :data:`FLUSH_EVERY` optimizer steps, at the end of every probe epoch (the
scheduler, early stopping and the validation pass need the epoch's losses) and when the run
ends. Non-finite losses or gradient norms are detected at the flush, so a run stops at most
``FLUSH_EVERY - 1`` optimizer steps after the first non-finite value; the trace keeps every
step that ran, and the message names the first non-finite step.

Every probe epoch (``spec.steps_per_epoch`` steps) ends with a validation pass (unless
``Instrument.validate_every_epoch`` is False and the training does not need one, see
:func:`needs_validation`); the per-epoch scheduler and early stopping see it. The run ends
cleanly on NaN/Inf (``status="nonfinite"``), out-of-memory (``"oom"``), the time limit
(``"timeout"``) or early stopping (``"early-stop"``); never with a traceback.

With ``Instrument(enabled=False)`` the same loop runs without any measurement: same
optimizer, clipping (``clip_grad_norm_`` when the plan clips), scheduler and warmup, and the
scheduler still gets the metric it monitors (the epoch's mean training loss or the
validation loss) and early stopping still acts: the fair baseline of ``bench/bench_probe.py``.
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
from .build_sched import LRControl, monitors_train_loss
from .targets import NOISE_OFFSET, build_target

torch = require_torch()

#: Optimizer steps between two host transfers of the per-step values (and non-finite checks).
#: Chosen so that a CUDA run syncs at most once per 10 steps while a diverging run stops
#: within 9 steps of its first NaN/Inf; probe epochs shorter than this flush at their end.
FLUSH_EVERY = 10


@dataclass
class Instrument:
    """What to measure.

    Attributes:
        enabled: per-step measurements (loss, terms, LR, pre-clip norm, loss scale) and
            the sampled signals below; False runs the bare training (benchmark baseline).
        update_ratio: sample ‖Δθ‖/‖θ‖ every ``every`` optimizer steps.
        task_share: sample per-term gradient shares on the shared layer every ``every`` steps.
        noise: sample the gradient noise scale every ``every`` steps.
        every: sampling period in optimizer steps for the costly signals.
        noise_k: extra micro-batches per noise sample when there is no accumulation.
        validate_every_epoch: validate after every probe epoch; when False, validate only
            when the training itself needs the validation loss (:func:`needs_validation`).
    """

    enabled: bool = True
    update_ratio: bool = True
    task_share: bool = False
    noise: bool = False
    every: int = 10
    noise_k: int = 8
    validate_every_epoch: bool = True


@dataclass
class RunResult:
    """One probe run.

    Attributes:
        trace: per-step records (meta holds the horizon, max_grad_norm, steps_per_epoch).
        status: ``ok``, ``nonfinite``, ``oom``, ``timeout`` or ``early-stop``.
        steps_done: optimizer steps completed.
        seconds: wall time of the loop (seconds; target building excluded).
        cpu_seconds: CPU time of this process over the same span (seconds; less sensitive
            than ``seconds`` to other jobs on a shared machine).
        init_loss: mean loss on the validation batches before the first step.
        shares: per sampled step, ``{term: share of Σ‖∇_shared(w_i L_i)‖}``.
        noise: per sampled step, ``(B_small, |G_small|², B_big, |G_big|²)``.
        update_ratios: per sampled step, the median over tensors of ‖Δθ‖/‖θ‖.
        lora_rel: final median over adapters of ‖s·BA‖_F/‖W0‖_F (``None`` without LoRA).
        val_losses: validation loss per probe epoch.
        notes: target/optimizer substitutions.
        message: why the run ended early (empty when ``status == "ok"``).
    """

    trace: Trace
    status: str = "ok"
    steps_done: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
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


#: Built-in targets whose loss is the mean over the samples of a batch: their (equal-size)
#: validation batches are concatenated into one forward pass, which gives the same mean and costs
#: 2.5-3x less on these dispatch-bound models (0.16 vs 0.40 ms per pass on the seed-000 MLP).
#: Not the LMs: one 4x longer batch was slower there (71 vs 44 ms on the LoRA LM).
COLLATE_VAL = ("mlp-regression", "mlp-classification", "multitask", "cnn-classification")


def _collate(batches: list) -> Any:
    """Concatenate batches of the same structure (tensors, tuples/lists, dicts of them) along dim 0."""
    first = batches[0]
    if hasattr(first, "shape"):
        return torch.cat(batches)
    if isinstance(first, (list, tuple)):
        return type(first)(_collate([b[i] for b in batches]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: _collate([b[k] for b in batches]) for k in first}
    raise TypeError(f"cannot collate {type(first).__name__}")


def _flat_grad(params) -> Any:
    return torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1).float() for p in params])


def _is_oom(exc: BaseException) -> bool:
    return isinstance(exc, MemoryError) or "out of memory" in str(exc).lower()


def _total_norm(params) -> Any:
    """Global L2 norm of the gradients as a 0-d tensor, without touching them (no clipping).

    The value ``clip_grad_norm_`` would return (one fused per-tensor norm, then the norm of
    those); written out because ``torch.nn.utils.get_total_norm`` spends 2x as long in Python
    on these small models (36 vs 15 µs per call on the seed-003 MLP).
    """
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(())
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


def needs_validation(spec, lrc: LRControl | None = None) -> bool:
    """Whether the configured training itself needs a validation loss every probe epoch.

    True for a ReduceLROnPlateau scheduler that monitors a validation metric and for early
    stopping (both act on the validation loss); such passes belong to the training and run in
    the un-instrumented loop too.
    """
    if spec.early_stopping_patience is not None:
        return True
    if lrc is not None:
        return lrc.plateau and not lrc.monitor_train
    return spec.scheduler == "plateau" and not monitors_train_loss(spec.sched)


class _Pending:
    """Per-step device values waiting for the next flush (see the module docstring).

    ``rows`` hold, per optimizer step, the LR (a float) and 0-d tensors: the loss of each
    micro-batch, the pre-clip norm, the weighted loss terms of each micro-batch, the loss
    scale; ``later`` holds sampled tensors with the function that consumes their host values.
    """

    def __init__(self):
        self.rows: list[tuple] = []
        self.later: list[tuple[Any, Callable[[list], None]]] = []

    def __len__(self) -> int:
        return len(self.rows)

    def flush(self) -> list[tuple]:
        """Copy everything to the host in one transfer.

        Returns:
            per pending step, ``(step, lr, mean_loss, grad_norm | None, {term: value} | None,
            update_ratio_sample | None, loss_scale | None)`` with Python floats.
        """
        rows, later = self.rows, self.later
        self.rows, self.later = [], []
        flat = []
        for _step, _lr, losses, gn, terms, _ratio, scale in rows:
            flat += losses
            if gn is not None:
                flat.append(gn)
            if terms:
                for ts in terms.values():
                    flat += ts
            if scale is not None:
                flat.append(scale)
        vals = torch.stack(flat).tolist() if flat else []  # the one host transfer (device sync)
        for tensor, consume in later:  # computed before the sync above: no further wait
            consume(tensor.tolist())
        out, i = [], 0
        for step, lr, losses, gn, terms, ratio, scale in rows:
            n = len(losses)
            mean = sum(vals[i:i + n]) / n
            i += n
            g = None
            if gn is not None:
                g, i = vals[i], i + 1
            t = None
            if terms:
                t = {}
                for k, ts in terms.items():  # one value per micro-batch: their mean
                    t[k], i = sum(vals[i:i + len(ts)]) / len(ts), i + len(ts)
            s = None
            if scale is not None:
                s, i = vals[i], i + 1
            out.append((step, lr, mean, g, t, ratio[0] if ratio else None, s))
        return out


def _median_ratio(pair: list) -> float | None:
    """Median over tensors of ‖Δθ‖/‖θ‖ from ``[‖Δθ_1‖..‖Δθ_n‖, ‖θ_1‖..‖θ_n‖]``; tensors with θ = 0 skipped."""
    n = len(pair) // 2
    ratios = sorted(d / w for d, w in zip(pair[:n], pair[n:]) if w > 0)  # LoRA B starts at 0: no ratio yet
    return ratios[len(ratios) // 2] if ratios else None


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
        progress: ``progress(step, total)`` callback, called at every flush (every
            :data:`FLUSH_EVERY` optimizer steps or sooner) of an instrumented run.
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
            "grad_accum": spec.grad_accum, "seed": spec.seed, "step_unit": "optimizer step"}
    res = RunResult(trace=Trace(meta=meta), notes=notes)
    weights = spec.loss_weights
    K = spec.steps_per_epoch
    clip = spec.max_grad_norm
    accum = spec.grad_accum
    measure = ins.enabled
    train_metric = lrc.plateau and lrc.monitor_train  # the scheduler monitors the epoch's training loss
    validate = needs_validation(spec, lrc) or ins.validate_every_epoch
    track = measure or train_metric  # per-step losses are kept (and flushed)
    pending = _Pending()

    val_batches = [_to(b, device) for b in tgt.val_batches]
    if tgt.name in COLLATE_VAL and len(val_batches) > 1:
        val_batches = [_collate(val_batches)]

    def evaluate() -> float:
        """Mean loss over the validation batches (eval mode, no autograd)."""
        model.eval()
        with torch.no_grad(), autocast():
            vals = [_combine(tgt.loss(model, b), weights)[0].detach() for b in val_batches]
            mean = torch.stack(vals).double().mean().item() if vals else float("nan")
        model.train()
        return mean

    def flush_rows(step: int) -> bool:
        """Flush; append records (instrumented) and epoch losses; True when the run must stop."""
        rows = pending.flush()
        first_bad = None
        for st, lr, mean, g, terms, ratio, scale in rows:
            epoch_losses.append(mean)
            if not measure:
                continue
            res.trace.records.append(StepRecord(
                step=st, epoch=round((st + 1) / K, 4), loss=mean, lr=lr, grad_norm=g,
                clipped=bool(clip and g > clip), loss_terms=terms, update_ratio=ratio, loss_scale=scale, phase=phase))
            if first_bad is None and scaler is None and not (math.isfinite(mean) and math.isfinite(g)):
                first_bad = st
        if progress and measure:
            progress(step + 1, spec.steps)
        if first_bad is not None:
            res.status = "nonfinite"
            res.message = f"non-finite loss/grad norm at step {first_bad}"
            if step != first_bad:
                res.message += f" (detected at step {step}; checked every {FLUSH_EVERY} steps)"
            return True
        return False

    t0, c0 = time.perf_counter(), time.process_time()
    epoch_losses: list[float] = []
    try:
        if measure:
            res.init_loss = evaluate()
        best_val, bad_epochs = math.inf, 0
        for step in range(spec.steps):
            lr = lrc.before_step(step)
            opt.zero_grad(set_to_none=True)
            sampled = measure and step % ins.every == 0
            if sampled and ins.noise and accum == 1:
                _noise_extra(tgt, model, params, spec, device, ins, res, autocast, step, weights, pending)
            losses, terms_t, micro_sq, prev = [], None, [], None
            for j in range(accum):
                b = _to(tgt.batch(step * accum + j), device)
                with autocast():
                    loss, terms = _combine(tgt.loss(model, b), weights)
                if sampled and ins.task_share and terms and j == 0 and tgt.shared is not None:
                    _shares(terms, tgt.shared, res, pending)
                scaled = loss / accum
                (scaler.scale(scaled) if scaler else scaled).backward()
                if track:
                    losses.append(loss.detach())
                if measure and terms:
                    terms_t = terms_t or {k: [] for k in terms}
                    for k, v in terms.items():
                        terms_t[k].append(v.detach())
                if sampled and ins.noise and accum > 1:
                    g = _flat_grad(params)
                    micro_sq.append(((g - prev) if prev is not None else g).pow(2).sum() * accum ** 2)
                    prev = g
            if scaler:
                scaler.unscale_(opt)
            if micro_sq:
                big = _flat_grad(params).pow(2).sum()
                pending.later.append((torch.stack(micro_sq + [big]), _noise_consumer(res, spec.micro_batch,
                                                                                      spec.effective_batch)))
            if clip:
                gn = torch.nn.utils.clip_grad_norm_(params, clip)  # returns the pre-clip total norm
            else:
                gn = _total_norm(params) if measure else None
            if spec.clip_value:
                torch.nn.utils.clip_grad_value_(params, spec.clip_value)
            snap = None
            if sampled and ins.update_ratio:  # ‖θ‖ and a copy of θ before the update (no autograd: detached)
                dparams = [p.detach() for p in params]
                wnorms = torch._foreach_norm(dparams)
                snap = [p.clone() for p in dparams]
            scale = _scale_tensor(scaler) if measure and scaler else None
            (scaler.step(opt) if scaler else opt.step())
            if scaler:
                scaler.update()
            ratio = None
            if snap is not None:
                torch._foreach_sub_(snap, dparams)  # θ_before - θ_after = -Δθ, in place
                pair = torch.stack(list(torch._foreach_norm(snap)) + list(wnorms))
                ratio_box: list = []
                pending.later.append((pair, _ratio_consumer(res, ratio_box)))
                ratio = ratio_box
            lrc.after_step(step)
            res.steps_done = step + 1
            if track:
                pending.rows.append((step, lr, losses, gn if measure else None, terms_t, ratio, scale))
            end_epoch = (step + 1) % K == 0
            if measure and (end_epoch or len(pending) >= FLUSH_EVERY or step + 1 == spec.steps):
                if flush_rows(step):
                    break
            if end_epoch:
                if train_metric and not measure:
                    flush_rows(step)
                val = evaluate() if validate else None
                if val is not None:
                    if measure:
                        res.trace.records[-1].eval_loss = val
                    res.val_losses.append(val)
                finite = [x for x in epoch_losses if math.isfinite(x)]
                lrc.end_epoch(val, sum(finite) / len(finite) if finite else None)
                epoch_losses = []
                if spec.early_stopping_patience is not None and val is not None:
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
        if measure and len(pending):
            flush_rows(res.steps_done - 1)
    except (RuntimeError, MemoryError) as exc:
        if not _is_oom(exc):
            raise
        if measure and len(pending):
            with contextlib.suppress(RuntimeError, MemoryError):  # keep the steps that completed
                flush_rows(res.steps_done - 1)
        res.status, res.message = "oom", f"out of memory after {res.steps_done} steps"
        if use_cuda:
            torch.cuda.empty_cache()
    res.seconds = time.perf_counter() - t0
    res.cpu_seconds = time.process_time() - c0
    if tgt.adapters:
        rel = sorted(a.relative_update() for a in tgt.adapters)
        res.lora_rel = rel[len(rel) // 2]
    res.trace.meta["status"] = res.status
    res.trace.meta["steps_done"] = res.steps_done
    return res


def _scale_tensor(scaler) -> Any:
    """The AMP loss scale before ``scaler.step`` as a 0-d device tensor (no host sync)."""
    s = scaler._get_scale_async() if hasattr(scaler, "_get_scale_async") else None
    return s.detach().reshape(()).clone() if s is not None else torch.tensor(scaler.get_scale())


def _ratio_consumer(res: RunResult, box: list) -> Callable[[list], None]:
    """At the flush: record the update-ratio sample and put it in ``box`` for the step's record."""
    def consume(pair: list) -> None:
        r = _median_ratio(pair)
        if r is not None:
            res.update_ratios.append(r)
        box.append(r)
    return consume


def _noise_consumer(res: RunResult, b_small: int, b_big: int) -> Callable[[list], None]:
    """At the flush: ``[|g_1|², ..., |g_k|², |G|²]`` → one ``(B_small, mean |g|², B_big, |G|²)`` sample."""
    def consume(v: list) -> None:
        sq, big = v[:-1], v[-1]
        res.noise.append((b_small, sum(sq) / len(sq), b_big, big))
    return consume


def _shares(terms: dict, shared, res: RunResult, pending: _Pending) -> None:
    """Per-term ‖∇_shared(w_i L_i)‖ as shares of their sum (GradNorm's G_W^(i), research §6).

    The norms stay on the device; the share dict is appended to ``res.shares`` at the next flush.
    """
    ps = [p for p in shared.parameters() if p.requires_grad]
    norms = []
    for v in terms.values():
        gs = [g for g in torch.autograd.grad(v, ps, retain_graph=True, allow_unused=True) if g is not None]
        norms.append(torch.stack([g.float().pow(2).sum() for g in gs]).sum().sqrt() if gs else torch.zeros(()))
    names = list(terms)

    def consume(vals: list) -> None:
        tot = sum(vals) or 1.0
        res.shares.append({k: n / tot for k, n in zip(names, vals)})

    pending.later.append((torch.stack(norms), consume))


def _noise_extra(tgt, model, params, spec, device, ins, res, autocast, step, weights, pending: _Pending) -> None:
    """Two-batch noise-scale sample without accumulation: ``noise_k`` extra micro-batches, no update."""
    sq, acc = [], None
    for j in range(ins.noise_k):
        model.zero_grad(set_to_none=True)
        b = _to(tgt.batch(NOISE_OFFSET + step * ins.noise_k + j), device)  # training split, unseen by the run
        with autocast():
            loss, _ = _combine(tgt.loss(model, b), weights)
        loss.backward()
        g = _flat_grad(params)
        sq.append(g.pow(2).sum())
        acc = g if acc is None else acc + g
    model.zero_grad(set_to_none=True)
    sq.append((acc / ins.noise_k).pow(2).sum())
    pending.later.append((torch.stack(sq), _noise_consumer(res, spec.micro_batch, spec.micro_batch * ins.noise_k)))
