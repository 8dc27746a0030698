"""Overhead of the stablint callbacks: seconds per optimizer step with / without, same training, interleaved.

Run: ``python bench/bench_callbacks.py [--steps 150] [--repeats 7] [--only hf|lightning|watch]`` (needs torch;
HF needs transformers, Lightning needs lightning). Prints JSON on stdout, one line per repeat on stderr.

- ``hf``: ``transformers.Trainer`` on the tiny GPT-2 of ``examples/run/hf_tiny_train.py`` (n_embd 128,
  2 layers, seq 64, batch 8, clipping at 1.0); ``with`` = :class:`stablint.callbacks.hf.StablintCallback`
  attached (per-step loss, pre-clip norm, LR, update ratio every 25 steps, JSONL trace, online signals
  with ``stop_on`` both signals). Timed: ``trainer.train()`` (model and dataset built outside).
- ``lightning``: ``lightning.pytorch.Trainer`` on the MLP of ``examples/run/lightning_tiny_cli.py``
  (hidden 4096, batch 256), ``gradient_clip_val`` 1.0; ``with`` = the Lightning callback. Timed: ``trainer.fit``.
- ``watch``: a plain loop (MLP 256-2048-256, batch 128, SGD, clip 1.0) with and without ``stablint.watch``.

Each repeat runs "without" and "with" next to each other (order alternating), fresh model each time.
Reported per benchmark: ``cpu_ratio`` = median over repeats of (with / without) of the process CPU time
(``time.process_time``; torch runs one thread, so other jobs on the machine disturb it far less than wall
time), ``wall_ratio`` the same for wall time, and ``hook_ms`` = CPU time spent inside stablint's own hooks
per step (the callback methods and ``Watch.step``, timed by wrapping them), with ``hook_ratio`` =
1 + hook_ms / (ms per step without): the direct estimate, insensitive to the machine's load.
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
HOOK = [0.0]  # CPU seconds inside stablint hooks in the current run


def timed(obj, names):
    """Replace ``obj``'s methods ``names`` by wrappers adding their CPU time to :data:`HOOK`."""
    for n in names:
        fn = getattr(obj, n)

        def wrap(*a, _fn=fn, **k):
            t = time.process_time()
            try:
                return _fn(*a, **k)
            finally:
                HOOK[0] += time.process_time() - t

        setattr(obj, n, wrap)
    return obj


def clock():
    return time.perf_counter(), time.process_time()


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
        cb = timed(StablintCallback(os.path.join(tmp, "t.jsonl"), stop_on=STOP),
                   ["on_step_begin", "on_step_end", "on_log"])
        cb.attach(tr)  # its training_step / clip_grad_norm_ wrappers add one .item() each, not timed here
    t0 = clock()
    tr.train()
    assert tr.state.global_step == steps, tr.state.global_step  # not stopped early: same work both ways
    return t0


def lightning_once(steps: int, with_cb: bool, tmp: str) -> float:
    import lightning.pytorch as L
    from lightning_tiny_cli import RandomData, Regression

    from stablint.callbacks.lightning import StablintCallback

    torch.manual_seed(0)
    cbs = [timed(StablintCallback(os.path.join(tmp, "t.jsonl"), stop_on=STOP),
                 ["on_before_optimizer_step", "on_train_batch_end"])] if with_cb else []
    tr = L.Trainer(max_steps=steps, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                   enable_progress_bar=False, enable_model_summary=False, gradient_clip_val=1.0,
                   default_root_dir=tmp, callbacks=cbs)
    data = RandomData(n=steps * 256 + 256, batch_size=256)
    t0 = clock()
    tr.fit(Regression(hidden=4096, lr=0.001), data)
    assert tr.global_step == steps, tr.global_step
    return t0


def watch_once(steps: int, with_cb: bool, tmp: str) -> float:
    import contextlib

    import stablint

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(256, 2048), torch.nn.ReLU(), torch.nn.Linear(2048, 256))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    g = torch.Generator().manual_seed(0)
    xs = [torch.randn(128, 256, generator=g) for _ in range(steps)]
    ctx = timed(stablint.watch(model, opt, max_grad_norm=1.0, trace=os.path.join(tmp, "t.jsonl"), stop_on=STOP),
                ["step", "_pre", "_post"]) if with_cb else contextlib.nullcontext()
    t0 = clock()
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
    return t0


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
        wall, cpu, hook, base_cpu, inst_cpu = [], [], [], [], []
        for i in range(a.repeats):
            order = (False, True) if i % 2 == 0 else (True, False)
            t = {}
            for w in order:
                HOOK[0] = 0.0
                w0, c0 = fn(a.steps, w, tempfile.mkdtemp())
                t[w] = ((time.perf_counter() - w0) / a.steps, (time.process_time() - c0) / a.steps, HOOK[0] / a.steps)
            wall.append(t[True][0] / t[False][0])
            cpu.append(t[True][1] / t[False][1])
            base_cpu.append(t[False][1])
            inst_cpu.append(t[True][1])
            if t[True][2] is not None:
                hook.append(t[True][2])
            print(f"{name} repeat {i}: cpu without {t[False][1] * 1e3:.2f} ms/step, with {t[True][1] * 1e3:.2f}, "
                  f"ratio {cpu[-1]:.3f} (wall {wall[-1]:.3f})", file=sys.stderr)
        base = statistics.median(base_cpu)
        out[name] = {"cpu_ms_per_step_without": round(base * 1e3, 3),
                     "cpu_ms_per_step_with": round(statistics.median(inst_cpu) * 1e3, 3),
                     "cpu_ratio": round(statistics.median(cpu), 4), "wall_ratio": round(statistics.median(wall), 4),
                     "steps": a.steps, "repeats": a.repeats}
        if hook:
            out[name].update(hook_ms=round(statistics.median(hook) * 1e3, 4),
                             hook_ratio=round(1 + statistics.median(hook) / base, 4))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
