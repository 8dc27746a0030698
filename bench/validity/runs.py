"""Probe and long runs of the validity sweep, cached on disk as JSON (``bench/validity/cache/``).

Both runs use the probe's own code: the probe is :func:`stablint.probes.runner.probe_plan`
(the A/B runs included); the long run is :func:`stablint.probes.loop.run` on the spec the
probe would build for ``long_steps`` optimizer steps, i.e. the same target, seed, data order,
optimizer, clipping, scheduler and instrumentation (update-ratio sampling off). When the
config states its epoch count and trains with ReduceLROnPlateau or early stopping, the long
run has exactly that many epochs (``long_steps // epochs`` steps each, >= 4): the full run,
uncompressed in epochs; otherwise it keeps the probe's epoch count with longer epochs.

Everything the analysis needs is stored raw (validation losses per epoch, noise-scale and
gradient-share samples, the probe's main trace) so that verdicts can be recomputed at other
thresholds without training again (:mod:`bench.validity.analysis`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CACHE = os.path.join(HERE, "cache")
#: Bump when the run code or the stored fields change (old cache entries are then ignored).
CACHE_VERSION = 2


#: Target name of the tiny Hugging Face GPT-2 built locally (:func:`hf_dir`), used as ``Case.target``.
HF_TARGET = "hf:gpt2-tiny"


def hf_dir() -> str:
    """A tiny random-init GPT-2 (2 layers, 32 wide, byte vocabulary) saved under ``cache/``; built once, seed 0."""
    d = os.path.join(CACHE, "gpt2-tiny")
    if not os.path.exists(os.path.join(d, "config.json")):
        import torch
        import transformers

        torch.manual_seed(0)
        cfg = transformers.GPT2Config(n_embd=32, n_layer=2, n_head=2, vocab_size=256, n_positions=128,
                                      bos_token_id=0, eos_token_id=0)
        transformers.GPT2LMHeadModel(cfg).save_pretrained(d)
    return d


def _target(case) -> tuple[str | None, str | None]:
    """(target, hf_model) for the probe API."""
    return (None, hf_dir()) if case.target == HF_TARGET else (case.target, None)


def config_path(case, ref: bool = False) -> str:
    """Write the case's config (or its reference) under ``cache/configs/`` and return the path."""
    d = os.path.join(CACHE, "configs")
    os.makedirs(d, exist_ok=True)
    name = case.id.replace("/", "__") + ("__ref" if ref else "") + case.ext
    p = os.path.join(d, name)
    text = case.ref_text if ref else case.text
    if not os.path.exists(p) or open(p).read() != text:
        with open(p, "w") as fh:
            fh.write(text)
    return p


def _key(kind: str, text: str, target, steps: int, rule: str = "") -> str:
    h = hashlib.sha1(json.dumps([CACHE_VERSION, kind, text, target, steps, rule]).encode()).hexdigest()[:16]
    return os.path.join(CACHE, f"{kind}-{h}.json")


def _cached(path: str, make):
    if os.path.exists(path):
        with open(path) as fh:
            return json.load(fh)
    out = make()
    os.makedirs(CACHE, exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(out, fh, allow_nan=True)
    os.replace(tmp, path)
    return out


def _num(v):
    return None if v is None else (float(v) if math.isfinite(v) else str(v))


def _raw(res, trace: bool) -> dict:
    """The stored part of a RunResult."""
    out = {"status": res.status, "steps_done": res.steps_done, "init_loss": _num(res.init_loss),
           "val_losses": [_num(v) for v in res.val_losses], "noise": [list(map(_num, n)) for n in res.noise],
           "shares": res.shares, "lora_rel": _num(res.lora_rel),
           "update_ratios": [_num(v) for v in res.update_ratios], "seconds": round(res.seconds, 2),
           "steps_per_epoch": res.trace.meta.get("steps_per_epoch"), "message": res.message}
    if trace:
        out["records"] = [r.to_json() for r in res.trace.records]
        out["meta"] = {k: v for k, v in res.trace.meta.items() if isinstance(v, (int, float, str, type(None)))}
    return out


def probe(case) -> dict:
    """The probe of ``case`` (cached): verdict per finding plus the raw runs.

    The family's rule is added as a stand-in finding when it does not fire statically
    (``static: False`` in the output), so that its signal is measured on every config.
    """
    path = config_path(case)

    def make():
        import torch

        from stablint.linter.finding import Finding
        from stablint.probes import loop
        from stablint.probes.runner import load, probe_plan
        from stablint.trends.judge import signal_of

        torch.set_num_threads(1)
        plan, findings = load(path)
        static = {f.rule for f in findings}
        extra = [] if case.rule in static else [Finding(code="-", rule=case.rule, severity="info",
                                                        message="bench stand-in", path=plan.path)]
        runs, orig = {}, loop.run

        def spy(spec, **kw):
            res = orig(spec, **kw)
            runs[kw.get("phase", "main")] = (res, spec)
            return res

        loop.run = spy
        t0 = time.perf_counter()
        try:
            target, hf = _target(case)
            rep = probe_plan(plan, findings + extra, target=target, steps=case.probe_steps, max_seconds=1e6,
                             device="cpu", seed=0, hf_model=hf)
        finally:
            loop.run = orig
        spec = rep.spec
        return {
            "case": case.id, "seconds": round(time.perf_counter() - t0, 2),
            "findings": [{"rule": f.rule, "code": f.code, "static": f.code != "-", "severity": f.severity,
                          "signal": signal_of(f), "verdict": (f.probe or {}).get("verdict"),
                          "evidence": (f.probe or {}).get("evidence"), "note": (f.probe or {}).get("note")}
                         for f in rep.findings],
            "checks": [{k: c.get(k) for k in ("signal", "verdict", "evidence")} for c in rep.checks],
            "spec": {"target": spec.target, "steps": spec.steps, "steps_per_epoch": spec.steps_per_epoch,
                     "warmup_steps": spec.warmup_steps, "max_grad_norm": spec.max_grad_norm,
                     "effective_batch": spec.effective_batch, "lr": spec.lr, "scheduler": spec.scheduler},
            "runs": {ph: _raw(res, trace=ph == "main") for ph, (res, _s) in runs.items()},
        }

    return _cached(_key("probe", case.text, case.target, case.probe_steps, case.rule), make)


def long_run(case, ref: bool = False) -> dict:
    """The long run of ``case`` (or of its reference), cached by the config text."""
    text = case.ref_text if ref else case.text
    path = config_path(case, ref)

    def make():
        import torch

        from stablint.probes.loop import Instrument, run
        from stablint.probes.runner import load
        from stablint.probes.spec import spec_from_plan

        torch.set_num_threads(1)
        plan, _ = load(path)
        target, hf = _target(case)
        spec = spec_from_plan(plan, target=target, steps=case.long_steps, seed=0)
        if hf:
            from stablint.probes.target_hf import prepare

            spec.target = prepare(hf, spec, device="cpu")
        if spec.config_epochs and (spec.scheduler == "plateau" or spec.early_stopping_patience is not None):
            spec.steps_per_epoch = max(4, case.long_steps // int(spec.config_epochs))
        res = run(spec, plan=plan, device="cpu", instrument=Instrument(update_ratio=False), phase="long")
        recs = res.trace.records
        tail = recs[-max(1, len(recs) // 10):]
        fin = [r.loss for r in tail if r.loss is not None and math.isfinite(r.loss)]
        terms0 = recs[0].loss_terms if recs and recs[0].loss_terms else None
        terms_tail = None
        if terms0:
            terms_tail = {k: sum(r.loss_terms[k] for r in tail) / len(tail) for k in terms0}
        K = spec.steps_per_epoch
        out = _raw(res, trace=False)
        out.update({
            "case": case.id, "ref": ref, "steps_per_epoch": K, "warmup_steps": spec.warmup_steps,
            "first_loss": _num(recs[0].loss) if recs else None,
            "tail_loss": _num(sum(fin) / len(fin)) if fin else None,
            "terms_first": terms0, "terms_tail": terms_tail, "weights": spec.loss_weights,
            "lr_epoch_end": [_num(recs[i].lr) for i in range(K - 1, len(recs), K)],
            "lr_after_warmup": _num(recs[min(len(recs) - 1, spec.warmup_steps)].lr) if recs else None,
            "lr_last": _num(recs[-1].lr) if recs else None,
            "clip_rate": (sum(1 for r in recs if r.clipped) / len(recs)) if recs and spec.max_grad_norm else None,
            "loss_every_10": [_num(r.loss) for r in recs[::10]],
        })
        return out

    return _cached(_key("long", text, case.target, case.long_steps), make)
