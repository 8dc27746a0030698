"""Regenerate the synthetic logs in tests/logs/ (deterministic; run from the repo root).

Each seed log is shaped after the numbers of one failure write-up in
/work/shared/seeds/ (see the comment of each function); ``healthy_*`` is a clean
run that must produce no warning; ``hf_nan_signature.json`` has HF's divergence
signature (``"grad_norm": NaN`` with ``"loss": 0.0``).
"""

from __future__ import annotations

import csv
import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def seed000() -> None:
    """Seed 000: loss stuck at 0.86-0.88, grad norms growing to 18+ despite clipping at 1.0, LR stayed 5e-05,
    eval L2 stuck around 0.66. 40 epochs x 25 steps, logged every 5 steps (JSONL)."""
    rnd = random.Random(0)
    with open(os.path.join(HERE, "seed000_clip_saturation.jsonl"), "w") as fh:
        for step in range(0, 1000, 5):
            loss = 0.87 + 0.35 * math.exp(-step / 40) + rnd.uniform(-0.01, 0.01)
            g = 2.0 * math.exp(step / 1000 * math.log(9.5)) * rnd.uniform(0.85, 1.15)
            row = {"step": step, "epoch": round(step / 25, 2), "loss": round(loss, 4), "grad_norm": round(g, 3),
                   "lr": 5e-05}
            if step % 25 == 0:
                row["eval_loss"] = round(0.66 + 0.05 * math.exp(-step / 60) + rnd.uniform(-0.004, 0.004), 4)
            fh.write(json.dumps(row) + "\n")


def seed001() -> None:
    """Seed 001: 'Epoch 0: 537,177 -> 80 (99.98% in one jump); Epoch 1: 80 -> 78.25; 78.67; 78.44 ...'.
    CosineAnnealingWarmRestarts(T_0=30, eta_min 5e-7), lr 2e-4, stepped per epoch; 20 epochs x 50 steps,
    logged every 10 steps (Lightning CSVLogger metrics.csv)."""
    rnd = random.Random(1)
    epoch_means = [80.0, 78.25, 78.67, 78.44, 78.5, 78.3, 78.6, 78.4, 78.35, 78.55, 78.2, 78.45, 78.5, 78.3, 78.4,
                   78.6, 78.25, 78.5, 78.35, 78.4]
    rows = []
    for step in range(0, 1000, 10):
        epoch = step // 50
        if step < 50:
            loss = 80 + (537177 - 80) * math.exp(-step / 3.0)
        else:
            loss = epoch_means[epoch] + rnd.uniform(-0.6, 0.6)
        lr = 5e-7 + (2e-4 - 5e-7) * (1 + math.cos(math.pi * epoch / 30)) / 2
        rows.append({"epoch": epoch, "lr-AdamW": f"{lr:.6g}", "step": step, "train_loss_step": f"{loss:.6g}",
                     "train_loss_epoch": "", "val_loss": ""})
        if step % 50 == 40:
            rows.append({"epoch": epoch, "lr-AdamW": "", "step": step, "train_loss_step": "",
                         "train_loss_epoch": f"{epoch_means[epoch]:.6g}",
                         "val_loss": f"{epoch_means[epoch] + 1.5 + rnd.uniform(-0.3, 0.3):.6g}"})
    with open(os.path.join(HERE, "seed001_early_collapse.csv"), "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["epoch", "lr-AdamW", "step", "train_loss_epoch", "train_loss_step",
                                           "val_loss"])
        w.writeheader()
        w.writerows(rows)


def seed002() -> None:
    """Seed 002: 'Epoch 1-8 decreasing; 8-10 best (~0.05); 13-14 SHARP SPIKE in train and val; 15-24 stays
    ~0.5; 24 LR finally reduces' with lr 5e-4, ReduceLROnPlateau(patience=10, factor=0.7), clip 1.0.
    30 epochs x 100 steps, logging_steps 50, eval each epoch (HF trainer_state.json)."""
    rnd = random.Random(2)

    def level(ep: float) -> float:
        if ep <= 10:
            return 0.05 + 0.55 * math.exp(-(ep - 1) / 2.2) if ep >= 1 else 0.8
        if ep < 12.5:
            return 0.05 + 0.005 * (ep - 10)
        if ep < 24:
            return 0.5
        return 0.5 - 0.02 * (ep - 24)

    hist = []
    for step in range(50, 3001, 50):
        ep = step / 100
        lr = 5e-4 if ep <= 24 else 3.5e-4
        loss = level(ep) * rnd.uniform(0.96, 1.04)
        g = (6.0 + rnd.uniform(0, 3)) if 12.5 <= ep < 14 else 0.4 * rnd.uniform(0.8, 1.25)
        hist.append({"epoch": ep, "grad_norm": round(g, 4), "learning_rate": lr, "loss": round(loss, 4),
                     "step": step})
        if step % 100 == 0:
            hist.append({"epoch": ep, "eval_loss": round(level(ep) * 1.1 * rnd.uniform(0.98, 1.02), 4),
                         "eval_runtime": 3.2, "eval_samples_per_second": 310.0, "eval_steps_per_second": 9.7,
                         "step": step})
    hist.append({"epoch": 30.0, "step": 3000, "total_flos": 1.0e15, "train_loss": 0.31, "train_runtime": 900.0,
                 "train_samples_per_second": 106.7, "train_steps_per_second": 3.33})
    _hf_state("seed002_late_lr_cut.json", hist, max_steps=3000, epochs=30, logging_steps=50)


def seed003() -> None:
    """Seed 003: batch size 1 (x16 accumulation), lr 1e-4, linear schedule with 500 warm-up steps over 60000,
    loss not decreasing from ~11.1 = ln(65536); pre-clip norms sometimes > 100. HF Trainer stdout with
    printed dicts every 50 steps, first 4000 steps (text log)."""
    rnd = random.Random(3)
    lines = ["***** Running training *****", "  Num examples = 120000", "  Instantaneous batch size per device = 1",
             "  Gradient Accumulation steps = 16", "  Total optimization steps = 60000"]
    for k, step in enumerate(range(50, 4001, 50)):
        lr = 1e-4 * step / 500 if step < 500 else 1e-4 * (60000 - step) / 59500
        loss = 11.09 - 0.15 * (1 - math.exp(-step / 300)) + rnd.gauss(0, 0.06)
        if k in (23, 51):
            loss += 3.2  # bs=1 spikes
        g = math.exp(rnd.gauss(math.log(3.0), 0.9))
        if k in (23, 51):
            g = 140.0 + 20 * k / 51
        lines.append(f"{{'loss': {loss:.4f}, 'grad_norm': {g:.4f}, 'learning_rate': {lr:.4e}, "
                     f"'epoch': {step * 16 / 120000:.4f}}}")
        if k % 7 == 3:
            lines.append(f"  {k * 1.3:.0f}%|███▌      | {step}/60000 [{k}:12<40:00,  2.51it/s]")
    with open(os.path.join(HERE, "seed003_batch_one_no_progress.log"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


def seed004() -> None:
    """Seed 004: GPT-2 LoRA r=8 alpha=16, lr 1e-5 constant, clip 1.0; 'Step 1500: train 6.67, val 6.71;
    step 2000: train 6.75, val 6.93; step 2500: train 6.52, val 6.72' (nanoGPT-style text log)."""
    rnd = random.Random(4)
    evals = {0: (10.95, 10.96), 500: (7.21, 7.26), 1000: (6.86, 6.90), 1500: (6.67, 6.71), 2000: (6.75, 6.93),
             2500: (6.52, 6.72)}
    lines = ["number of parameters: 124.44M", "trainable LoRA parameters: 0.81M"]
    for it in range(0, 2501, 10):
        if it in evals:
            tr, va = evals[it]
            lines.append(f"step {it}: train loss {tr:.4f}, val loss {va:.4f}")
        loss = 6.66 + 4.3 * math.exp(-it / 170) + rnd.gauss(0, 0.09)
        lines.append(f"iter {it}: loss {loss:.4f}, time {rnd.uniform(180, 200):.2f}ms, mfu {rnd.uniform(8, 9):.2f}%")
    with open(os.path.join(HERE, "seed004_lora_plateau.log"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


def healthy() -> None:
    """A clean fine-tuning run: warm-up 100 then cosine decay of 2e-5 over 3000 steps, power-law loss with 2%
    noise, pre-clip grad norm ~0.5 under max_grad_norm 1.0, eval every 500 steps (HF trainer_state.json)."""
    rnd = random.Random(5)
    hist = []
    for step in range(10, 3001, 10):
        lr = 2e-5 * step / 100 if step < 100 else 1e-6 + (2e-5 - 1e-6) * (1 + math.cos(math.pi * (step - 100) / 2900)) / 2
        loss = (0.9 + 1.6 * (1 + step / 150) ** -0.6) * rnd.uniform(0.98, 1.02)
        g = math.exp(rnd.gauss(math.log(0.5), 0.2))
        hist.append({"epoch": round(step / 1000, 4), "grad_norm": round(g, 4), "learning_rate": lr,
                     "loss": round(loss, 4), "step": step})
        if step % 500 == 0:
            hist.append({"epoch": round(step / 1000, 4), "eval_loss": round(1.05 + 1.6 * (1 + step / 150) ** -0.6, 4),
                         "eval_runtime": 10.0, "step": step})
    _hf_state("healthy_trainer_state.json", hist, max_steps=3000, epochs=3, logging_steps=10)


def nan_signature() -> None:
    """HF divergence signature: fp16 run whose grad_norm turns NaN at step 1200; from then on 'loss': 0.0
    (logging_nan_inf_filter) and 'eval_loss': NaN."""
    hist = []
    for step in range(100, 2001, 100):
        bad = step >= 1200
        hist.append({"epoch": step / 1000, "grad_norm": float("nan") if bad else 1.2 - step / 4000,
                     "learning_rate": 2e-4, "loss": 0.0 if bad else round(2.0 - step / 2000, 4), "step": step})
        if step % 500 == 0:
            hist.append({"epoch": step / 1000, "eval_loss": float("nan") if bad else 1.9 - step / 2000,
                         "step": step})
    _hf_state("hf_nan_signature.json", hist, max_steps=2000, epochs=2, logging_steps=100)


def _hf_state(name: str, hist: list, max_steps: int, epochs: int, logging_steps: int) -> None:
    state = {"best_global_step": None, "best_metric": None, "best_model_checkpoint": None, "epoch": float(epochs),
             "eval_steps": 500, "global_step": max_steps, "is_hyper_param_search": False,
             "is_local_process_zero": True, "is_world_process_zero": True, "log_history": hist,
             "logging_steps": logging_steps, "max_steps": max_steps, "num_input_tokens_seen": 0,
             "num_train_epochs": epochs, "save_steps": 500, "total_flos": 1.0e15, "train_batch_size": 8,
             "trial_name": None, "trial_params": None}
    with open(os.path.join(HERE, name), "w") as fh:
        fh.write(json.dumps(state, indent=2, sort_keys=True))


if __name__ == "__main__":
    for fn in (seed000, seed001, seed002, seed003, seed004, healthy, nan_signature):
        fn()
