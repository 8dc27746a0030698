"""The validity sweep: configs built from the five seed examples, varied around each rule's threshold.

Each :class:`Case` is one config file (same format as its seed example in ``examples/``) plus
its *reference*: the same file with the family's recommended fix applied (the long run the
label compares against, see README "Ground-truth label"). ``rule`` is the static rule the
family varies; its signal is forced into the probe (a stand-in finding) even where the rule
does not fire, so that the signal's statistic is measured on both sides of the threshold.

Step budgets: ``probe_steps`` (P) for the probe, ``long_steps`` (L = 20 P) for the long run.
Families on the 2-layer LM use P 40 / L 800 (a step costs ~10x an MLP step on CPU), except the warmup
family (P 100 / L 2000: the loss-spike check needs >= 20 loss points in the first quarter).
"""

from __future__ import annotations

from dataclasses import dataclass

DIGITS = "bench.validity.digits_target:build"


@dataclass(frozen=True)
class Case:
    """One sweep entry.

    Attributes:
        id: unique name (``family/variant``).
        family: config family (the split unit of the calibration, README "Split").
        seed: seed example it is built from (000..004).
        ext: file suffix (``.yaml``, ``.config.py``, ``.sh``).
        text: the config file.
        ref_text: the config with the family's fix applied (the label's reference run).
        rule: the static rule the family varies (its signal is always probed).
        target: probe ``--target`` (``None`` = the probe's default for the plan).
        probe_steps: optimizer steps of the probe (P).
        long_steps: optimizer steps of the long run (L >= 20 P).
    """

    id: str
    family: str
    seed: str
    ext: str
    text: str
    ref_text: str
    rule: str
    target: str | None = None
    probe_steps: int = 60
    long_steps: int = 1200


def _s0(lr=5e-5, clip=1.0, patience=10, metric="train_loss", epochs=None, batch=None):
    """Seed 000 layout (generic ``opt:`` block, ReduceLROnPlateau)."""
    lines = ["opt:", f"  learning_rate: {lr!r}", "  optimizer: Adam", "  training_loss: h1"]
    if clip is not None:
        lines.append(f"  grad_clip: {clip!r}")
    lines += ["  scheduler: ReduceLROnPlateau", f"  scheduler_patience: {patience}", f"  scheduler_metric: {metric}"]
    if epochs:
        lines.append(f"  epochs: {epochs}")
    if batch:
        lines.append(f"  batch_size: {batch}")
    return "\n".join(lines) + "\n"


def _s1(weights, lr=2e-4):
    """Seed 001 layout (multitask, cosine warm restarts, three weighted terms)."""
    w = "\n".join(f"    {k}: {v!r}" for k, v in weights.items())
    return (f"training:\n  learning_rate: {lr!r}\n  batch_size: 48\n  accumulation_steps: 2\n  epochs: 300\n"
            f"  gradient_clip: 0.5\nscheduler:\n  type: CosineAnnealingWarmRestarts\n  T_0: 30\n  T_mult: 2\n"
            f"  eta_min: 5.0e-7\nloss:\n  weights:\n{w}\n")


def _s2(patience=10, epochs=50, es=10, factor=0.7, lr=0.0005):
    """Seed 002 layout (ReduceLROnPlateau + early stopping, epoch count)."""
    return (f"training:\n  learning_rate: {lr!r}\n  num_epochs: {epochs}\n  scheduler: ReduceLROnPlateau\n"
            f"  scheduler_patience: {patience}\n  scheduler_factor: {factor}\n  early_stopping_patience: {es}\n"
            f"  gradient_clip_value: 1.0\n")


def _s3(batch=1, accum=16, lr=1e-4, warmup=500, sched="linear"):
    """Seed 003 layout (module-level Python assignments, HF-style names)."""
    return (f"batch_size = {batch}\ngradient_accumulation_steps = {accum}\nlearning_rate = {lr!r}\n"
            f"lr_scheduler_type = {sched!r}\nwarmup_steps = {warmup}\nmax_steps = 60000\n")


def _hf(lr=1e-3, warmup_ratio=0.0):
    """Seed 003's HF-style names as a TrainingArguments YAML (a transformer plan: missing-warmup applies)."""
    return (f"model_name_or_path: gpt2\nlearning_rate: {lr!r}\nper_device_train_batch_size: 4\n"
            f"warmup_ratio: {warmup_ratio!r}\nmax_steps: 60000\nlr_scheduler_type: linear\n")


def _s4(r=8, alpha=16.0, lr=1e-5):
    """Seed 004 layout (environment variables before ``python3 training.py``)."""
    return (f"MODEL_TYPE=gpt2 \\\nUSE_LORA=True \\\nLORA_RANK={r} \\\nLORA_ALPHA={alpha!r} \\\n"
            f"LEARNING_RATE={lr!r} \\\nBLOCK_SIZE=128 \\\nBATCH_SIZE=16 \\\nMAX_NORM=1.0 \\\npython3 training.py\n")


def cases() -> list[Case]:
    """The whole sweep (order = run order; cheap targets first)."""
    out: list[Case] = []
    add = out.append
    # LR x {0.1, 0.3, 1, 3, 10} around lr-out-of-range's Adam upper bound (1e-2); fix: lr / 3 (the probe's A/B)
    for fam, target in (("s0-lr-mlp", None), ("s0-lr-digits", DIGITS)):
        for m in (0.1, 0.3, 1, 3, 10):
            lr = 1e-2 * m
            add(Case(f"{fam}/lr{lr:g}", fam, "000", ".yaml", _s0(lr=lr, patience=5, metric="val_loss"),
                     _s0(lr=lr / 3, patience=5, metric="val_loss"), "lr-out-of-range", target))
    # clip thresholds around clip-too-aggressive's 0.1; fix: clip 1.0 (the common LLM recipe value)
    for fam, target in (("s0-clip-mlp", None), ("s0-clip-digits", DIGITS)):
        for c in (0.01, 0.03, 0.1, 0.3, 3.0):
            add(Case(f"{fam}/clip{c:g}", fam, "000", ".yaml", _s0(lr=1e-3, clip=c, patience=5, metric="val_loss"),
                     _s0(lr=1e-3, clip=1.0, patience=5, metric="val_loss"), "clip-too-aggressive", target))
    # plateau on the training loss, patience vs run length (seed 000); fix: monitor val_loss
    for fam, lr in (("s0-plateau-train", 1e-3), ("s0-plateau-train-lr5e-5", 5e-5)):
        for p in (2, 5, 10, 20):
            add(Case(f"{fam}/p{p}", fam, "000", ".yaml", _s0(lr=lr, patience=p),
                     _s0(lr=lr, patience=p, metric="val_loss"), "plateau-monitors-train-loss"))
    # loss-weight ratios (seed 001; rule fires at max/min >= 100); fix: seed 001's AFTER weights
    fix_w = {"threshold": 0.05, "peak_amplitude": 0.01, "peak_latency": 0.2}
    for fam, lr in (("s1-weights-lr2e-4", 2e-4), ("s1-weights-lr2e-3", 2e-3)):
        for name, w in (("base", {"threshold": 1.0, "peak_amplitude": 1.2, "peak_latency": 1.2}),
                        ("down10", {"threshold": 0.1, "peak_amplitude": 1.0, "peak_latency": 1.0}),
                        ("down100", {"threshold": 0.01, "peak_amplitude": 1.0, "peak_latency": 1.0}),
                        ("up100", {"threshold": 1.0, "peak_amplitude": 0.01, "peak_latency": 0.01}),
                        ("up1000", {"threshold": 1.0, "peak_amplitude": 0.001, "peak_latency": 0.001})):
            add(Case(f"{fam}/{name}", fam, "001", ".yaml", _s1(w, lr), _s1(fix_w, lr), "loss-weight-imbalance"))
    # plateau patience vs run length (seed 002; rule: (patience + 1) / epochs >= 0.2); fix: patience 5, early stop 7
    for fam, epochs in (("s2-patience-e50", 50), ("s2-patience-e20", 20)):
        for p in (2, 5, 10, 20):
            add(Case(f"{fam}/p{p}", fam, "002", ".yaml", _s2(patience=p, epochs=epochs),
                     _s2(patience=min(p, 5) if p > 2 else p, epochs=epochs, es=7, factor=0.5),
                     "plateau-patience-too-long"))
    # LoRA alpha/r x LR (seed 004; lora-scaling-too-low at (alpha/r) * lr < 2.5e-5); fix: alpha x 4 (the probe's A/B)
    for lr in (1e-5, 1e-4, 1e-3):
        for alpha in (4.0, 16.0, 64.0):
            add(Case(f"s4-lora-lr{lr:g}/a{alpha:g}", f"s4-lora-lr{lr:g}", "004", ".sh", _s4(alpha=alpha, lr=lr),
                     _s4(alpha=alpha * 4, lr=lr), "lora-scaling-too-low", None, 40, 800))
    # the same grid on a tiny Hugging Face GPT-2 with PEFT LoRA (built locally, runs.hf_dir)
    for lr in (1e-5, 1e-3):
        for alpha in (4.0, 16.0, 64.0):
            add(Case(f"s4-lora-hf-lr{lr:g}/a{alpha:g}", f"s4-lora-hf-lr{lr:g}", "004", ".sh", _s4(alpha=alpha, lr=lr),
                     _s4(alpha=alpha * 4, lr=lr), "lora-scaling-too-low", "hf:gpt2-tiny", 40, 800))
    # micro-batch 1 with / without accumulation (seed 003, LM); fix: micro-batch 4, same accumulation
    for b, a in ((1, 1), (1, 4), (2, 1), (4, 1)):
        add(Case(f"s3-batch/b{b}a{a}", "s3-batch", "003", ".config.py", _s3(batch=b, accum=a),
                 _s3(batch=4, accum=a), "batch-size-one", "lm", 40, 800))
    # the same on the digits user target (micro-batch 1 .. 8); fix: micro-batch 8, same accumulation
    for b, a in ((1, 1), (1, 4), (2, 1), (4, 1)):
        add(Case(f"s3-batch-digits/b{b}a{a}", "s3-batch-digits", "003", ".config.py", _s3(batch=b, accum=a),
                 _s3(batch=8, accum=a), "batch-size-one", DIGITS))
    # warmup on/off x LR (seed 003's HF names, LM); fix: warmup_ratio 0.05 ("a few percent", the rule's hint)
    for lr in (1e-3, 3e-3, 1e-2):
        add(Case(f"s3-warmup/lr{lr:g}-w0", "s3-warmup", "003", ".yaml", _hf(lr=lr), _hf(lr=lr, warmup_ratio=0.05),
                 "missing-warmup", "lm", 100, 2000))
    return out
