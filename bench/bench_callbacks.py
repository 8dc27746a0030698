"""Overhead of the stablint callbacks: seconds per optimizer step with / without, same training, interleaved.

Run: ``python bench/bench_callbacks.py [--steps 150] [--repeats 7] [--only hf|lightning|watch]`` (needs torch;
HF needs transformers, Lightning needs lightning). Prints JSON on stdout, one line per repeat on stderr.

- ``hf``: ``transformers.Trainer`` on the tiny GPT-2 of ``examples/run/hf_tiny_train.py`` (n_embd 128,
  2 layers, seq 64, batch 8, clipping at 1.0); ``with`` = :class:`stablint.callbacks.hf.StablintCallback`
  attached (per-step loss, pre-clip norm, LR, update ratio every 25 steps, JSONL trace, online signals
  with ``stop_on`` both signals). Timed: ``trainer.train()`` (model and dataset built outside).
- ``lightning``: ``lightning.pytorch.Trainer`` on the MLP of ``examples/run/lightning_tiny_cli.py``
  (hidden 512), ``gradient_clip_val`` 1.0; ``with`` = the Lightning callback. Timed: ``trainer.fit``.
- ``watch``: a plain loop (the same MLP, SGD, clip 1.0) with and without ``stablint.watch``.

Each repeat runs "without" and "with" next to each other (order alternating), fresh model each time;
``ratio`` = median over repeats of (with / without): runs side by side share the machine's load.
CPU, one thread: steps are tiny (ms), so the fixed per-step cost of the callback weighs more than on a
GPU step of a real model (issue 13's goal: <= 1.02 per step).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "examples", "run"))
STOP = ("nonfinite-values", "loss-divergence")


def hf_once(steps: int, with_cb: bool, tmp: str) -> float:
    import transformers
    from hf_tiny_train import Tokens

    from stablint.callbacks.hf import StablintCallback

    torch.manual_seed(0)
    model = transformers.GPT2LMHeadModel(transformers.GPT2Config(vocab_size=64, n_positions=64, n_embd=128,
                                                                 n_layer=2, n_head=4))
    args = transformers.TrainingArguments(output_dir=tmp, report_to=[], save_strategy="no", disable_tqdm=True,
                                          use_cpu=True, per_device_train_batch_size=8, max_steps=steps,
                                          logging_steps=50, learning_rate=5e-4, max_grad_norm=1.0)
    tr = transformers.Trainer(model=model, args=args, train_dataset=Tokens(n=steps * 8, length=64))
    if with_cb:
        StablintCallback(os.path.join(tmp, "t.jsonl"), stop_on=STOP).attach(tr)
    t0 = time.perf_counter()
    tr.train()
    assert tr.state.global_step == steps, tr.state.global_step  # not stopped early: same work both ways
    return (time.perf_counter() - t0) / steps


def lightning_once(steps: int, with_cb: bool, tmp: str) -> float:
    import lightning.pytorch as L
    from lightning_tiny_cli import RandomData, Regression

    from stablint.callbacks.lightning import StablintCallback

    torch.manual_seed(0)
    cbs = [StablintCallback(os.path.join(tmp, "t.jsonl"), stop_on=STOP)] if with_cb else []
    tr = L.Trainer(max_steps=steps, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                   enable_progress_bar=False, enable_model_summary=False, gradient_clip_val=1.0,
                   default_root_dir=tmp, callbacks=cbs)
    data = RandomData(n=steps * 16 + 16, batch_size=16)
    t0 = time.perf_counter()
    tr.fit(Regression(hidden=512, lr=0.001), data)
    assert tr.global_step == steps, tr.global_step
    return (time.perf_counter() - t0) / steps


def watch_once(steps: int, with_cb: bool, tmp: str) -> float:
    import contextlib

    import stablint

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 512), torch.nn.ReLU(), torch.nn.Linear(512, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    g = torch.Generator().manual_seed(0)
    xs = [torch.randn(64, 64, generator=g) for _ in range(steps)]
    ctx = stablint.watch(model, opt, max_grad_norm=1.0, trace=os.path.join(tmp, "t.jsonl"), stop_on=STOP) \
        if with_cb else contextlib.nullcontext()
    t0 = time.perf_counter()
    with ctx as w:
        for x in xs:
            loss = model(x).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            if w is not None:
                w.step(loss=loss, grad_norm=gn)
            else:
                float(loss.item()), float(gn.item())  # the same two syncs the user's own logging makes
    return (time.perf_counter() - t0) / steps


BENCHES = {"hf": hf_once, "lightning": lightning_once, "watch": watch_once}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--only", choices=sorted(BENCHES), action="append")
    a = ap.parse_args()
    torch.set_num_threads(1)
    out = {}
    for name in a.only or list(BENCHES):
        fn = BENCHES[name]
        try:
            fn(10, True, tempfile.mkdtemp())  # warm-up: imports, first-call costs
        except ImportError as exc:
            out[name] = {"skipped": str(exc)}
            continue
        ratios, base, inst = [], [], []
        for i in range(a.repeats):
            order = (False, True) if i % 2 == 0 else (True, False)
            t = {w: fn(a.steps, w, tempfile.mkdtemp()) for w in order}
            base.append(t[False])
            inst.append(t[True])
            ratios.append(t[True] / t[False])
            print(f"{name} repeat {i}: without {t[False] * 1e3:.2f} ms/step, with {t[True] * 1e3:.2f} ms/step, "
                  f"ratio {ratios[-1]:.3f}", file=sys.stderr)
        out[name] = {"ms_per_step_without": round(statistics.median(base) * 1e3, 3),
                     "ms_per_step_with": round(statistics.median(inst) * 1e3, 3),
                     "ratio_median_paired": round(statistics.median(ratios), 4),
                     "ratio_of_medians": round(statistics.median(inst) / statistics.median(base), 4),
                     "steps": a.steps, "repeats": a.repeats}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
