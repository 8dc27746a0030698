"""batch-size-one (STL201): a per-device batch of one sample.

### What it does
Reports ``batch.per_device == 1``, with a severity that depends on what the
batch of one means for the run:

- ``error`` when the model has BatchNorm layers (``model.uses_batchnorm``),
  whatever the accumulation: BatchNorm normalizes over each forward pass's
  micro-batch, which gradient accumulation does not enlarge.
- ``warning`` when the effective batch per optimizer step is 1 as well: no
  gradient accumulation, no larger declared global batch, no world size > 1 in
  the config (the world size is usually set by the launcher, so the message
  says "on one device").
- ``info`` when accumulation (or the declared global batch / world size) brings
  the effective batch to 2 .. ``min_effective_batch - 1``.
- ``info`` as well (a note, not a problem) when the effective batch is at least
  ``min_effective_batch`` (default 8); ``report_accumulated: false`` silences it.
  Micro-batch 1 × accumulation 16 is the QLoRA recipe and micro-batch 1 × 8 the
  LLaMA-Factory default: the gradient of an accumulated step averages the same
  samples as a real batch of that size (seed 003: 1 × 16 before, 4 × 4 after).

When the dialect knows one batch element is a variable-size structure trained one
at a time by design (``batch.sample_kind`` in ``by_design_kinds``: a GINO geometry,
a SpeechBrain utterance), an effective batch of 1 is ``info``, not a warning.

Online RL stages (``run.stage`` in ``exempt_stages``: GRPO, PPO, RLOO) are
skipped: their batch counts prompts, and each prompt's step averages the
gradients of several sampled completions (``grpo_samples``).

It stays silent when the accumulation, world size or global batch is written
but unresolved (``auto``, ``$VAR``, an expression): the effective batch is then
unknown.

### Why is this bad?
With BatchNorm, a batch of one is degenerate: ``torch.nn.BatchNorm*`` raises
"Expected more than 1 value per channel when training" whenever a channel has a
single value (``BatchNorm1d`` on ``(1, C)``, any layer after global pooling),
and otherwise normalizes each image by its own statistics, so the running
statistics used at evaluation time describe a different normalization than the
one trained with. That is why it is an error. Without BatchNorm nothing breaks
deterministically: every update follows the gradient of a single sample, the
noisiest estimate possible, which raises loss spikes and forces a lower LR
(seed 003 blamed "extremely noisy gradient estimates"). Standard recipes do use
it (speech separation, neural operators on one large mesh, LLM pre-training on
long sequences across many GPUs), so it is a warning, not an error.

What the rule cannot see: the samples' size (one 8192-token sequence is a lot
of signal) and the launcher's world size. The probe's ``noise-scale`` signal
(B_simple, McCandlish et al. 2018) measures whether the batch is far below the
critical batch size.

### Example
```yaml
training:
  batch_size: 1
  learning_rate: 0.0001
  max_steps: 60000
```

### Use instead
```yaml
training:
  batch_size: 8
  learning_rate: 0.0001
  max_steps: 60000
```
(or keep ``batch_size: 1`` with ``gradient_accumulation_steps: 16``: still reported, as an ``info`` note)

### References
- torch.nn.BatchNorm1d/2d: training mode needs more than one value per channel (pytorch/pytorch#4534; nikitakaraevv/pointnet#18; meetps/pytorch-semseg#214) — research/existing_checks.md B7.
- McCandlish, Kaplan, Amodei et al. 2018, "An Empirical Model of Large-Batch Training" (gradient noise scale) — research/probe_anchors.md §5.
- QLoRA (artidoro/qlora): micro-batch 1 × gradient accumulation 16 — research/probe_anchors.md §9.
- Seed 003 (shared/seeds/003_2421b75b226aacf1.txt): batch 1 × accumulation 16 changed to 4 × 4.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from .base import Caught, Rule


def effective_batch(plan: TrainingPlan) -> int | None:
    """Samples per optimizer step (global batch), or ``None`` when it cannot be known.

    ``batch.global`` when declared, else ``per_device × grad_accum × world_size``
    with the missing factors taken as 1 (one device, no accumulation). ``None``
    when any of these fields is present but unresolved.
    """
    for name in ("batch.global", "batch.grad_accum", "batch.world_size"):
        pv = plan.get(name)
        if pv is not None and pv.number is None:
            return None
    return plan.global_batch()


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """At most one finding, at ``batch.per_device``."""
    if plan.number("batch.per_device") != 1:
        return
    stage = plan.value("run.stage")
    if isinstance(stage, str) and stage.lower() in options["exempt_stages"]:
        return
    if plan.value("model.uses_batchnorm") is True:
        yield RULE.finding(
            plan, "batch.per_device",
            "per-device batch 1 with BatchNorm layers: BatchNorm normalizes each forward pass over a single sample "
            "(torch raises 'Expected more than 1 value per channel when training' for 1-value channels, and the "
            "running statistics do not match training); gradient accumulation does not help",
            severity="error",
            hint="use a per-device batch of at least 2 (better 8+), or replace BatchNorm with GroupNorm/LayerNorm "
                 "or frozen BatchNorm",
            effective_batch=effective_batch(plan),
        )
        return
    eff = effective_batch(plan)
    if eff is None:
        return
    if eff >= options["min_effective_batch"]:
        if options["report_accumulated"]:
            yield RULE.finding(
                plan, "batch.per_device",
                f"per-device batch 1, but accumulation brings the effective batch to {eff}: the gradient of each "
                "optimizer step averages enough samples; only layers that normalize over the micro-batch "
                "(BatchNorm) would still see single samples",
                severity="info",
                hint="nothing to change for LayerNorm/RMSNorm models; a larger micro-batch mainly improves throughput",
                effective_batch=eff,
            )
        return
    ga = plan.number("batch.grad_accum")
    if not plan.has("batch.grad_accum") and plan.missing_bases:
        return  # the accumulation may be in the inherited file that was not found (rule base-not-found)
    kind = plan.value("batch.sample_kind")
    if eff <= 1 and kind in options["by_design_kinds"]:
        yield RULE.finding(
            plan, "batch.per_device",
            f"batch size 1 with no gradient accumulation, one {kind} per step: a common design for variable-size "
            f"inputs, but each update still follows a single sample's gradient",
            severity="info",
            hint="if the loss is noisy, accumulate gradients over several samples; the probe's noise-scale signal "
                 "measures whether it matters here",
            effective_batch=eff,
        )
        return
    if eff <= 1:
        yield RULE.finding(
            plan, "batch.per_device",
            "batch size 1 with no gradient accumulation: each optimizer step follows the gradient of a single "
            "sample on one device (effective batch 1; the world size is not in the config)",
            severity="warning",
            hint=f"accumulate gradients over {options['min_effective_batch']}+ micro-batches, or raise the batch size",
            fix={"field": "batch.grad_accum", "value": int(options["min_effective_batch"])},
            effective_batch=eff,
        )
        return
    how = f"gradient accumulation {ga:g}" if ga and ga > 1 else "the declared global batch / world size"
    yield RULE.finding(
        plan, "batch.per_device",
        f"per-device batch 1: {how} gives an effective batch of {eff}, below {options['min_effective_batch']}",
        severity="info",
        hint="a larger effective batch (accumulation) lowers the gradient noise; the probe's noise-scale signal "
             "measures whether it matters here",
        effective_batch=eff,
    )


RULE = Rule(
    code="STL201", name="batch-size-one", severity="warning",
    summary="Per-device batch size 1: degenerate with BatchNorm, noisiest gradient without accumulation.",
    check=check, doc=__doc__,
    options={"min_effective_batch": 8, "exempt_stages": ["grpo", "ppo", "rloo"],
             "by_design_kinds": ["geometry", "utterance"], "report_accumulated": True},
    signal="noise-scale",
    caught=(
        Caught("batch 1 x accumulation 16 with 'loss not decreasing'; the write-up raised it to 4 x 4 (info: the effective batch stayed 16)",
               'shared/seeds/003_2421b75b226aacf1.txt', 'write-up', 'examples/seed003_before.config.py'),
        Caught('LLaMA-Factory DPO example edited to per_device_train_batch_size 1 and gradient_accumulation_steps 1 (upstream uses 8): every optimizer step sees one preference pair',
               'Javkonline/AMoPO examples/train_lora/llama3_lora_dpo.yaml@d8caba0a24', 'config', 'bench/unseen/files/u0278_llama3_lora_dpo.yaml'),
        Caught('mlx-lm LoRA config with batch_size 1 and no accumulation (mlx-lm default grad_accumulation_steps 1)',
               'RennaWu/text-to-sql-lora-mlx lora_config.yaml@efafdecc40', 'config', ''),
        Caught("mmdetection ResNeSt backbone with norm_cfg BN at one image per GPU raised 'Expected more than 1 value per channel when training'; batch 2 trained (reported as an error)",
               'https://github.com/open-mmlab/mmdetection/issues/4180', 'thread', 'tests/caught/batch-size-one__mmdet-resnest-bn-batch1.py'),
        Caught('LLaMA-Factory GaLore full-SFT example at per-device batch 1 and accumulation 1 (layer-wise GaLore forbids accumulation): one sequence per optimizer step',
               'hiyouga/LLaMA-Factory examples/extras/galore/llama3_full_sft.yaml@ff6d4d12ee', 'config', 'tests/corpus/llamafactory/hiyouga__LLaMA-Factory__examples__extras__galore__llama3_full_sft.yaml'),
    ),
)
