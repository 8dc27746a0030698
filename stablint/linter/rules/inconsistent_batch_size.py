"""inconsistent-batch-size (STL202): a declared global batch that no integer world size produces.

### What it does
When a config declares the global batch (DeepSpeed ``train_batch_size``,
torchtitan ``global_batch_size``) together with the micro-batch per device and,
optionally, the gradient-accumulation steps, checks that
``global = micro × accumulation × world_size`` holds for some integer world size
(or for the stated ``batch.world_size``). It reports the world sizes that would work.

Frameworks whose micro-batches need not divide the batch are skipped (framework fact
``micro_batch_split = "ceil"``: Composer/llm-foundry cut each device batch into
``ceil(device_batch / device_train_microbatch_size)`` micro-batches, the last one smaller).

### Why is this bad?
DeepSpeed raises "train_batch_size is not equal to micro_batch_per_gpu *
gradient_acc_step * world_size" only once the job is running on the cluster,
after queueing and model loading; the same JSON passes on one GPU count and fails
on another. When accumulation is left out DeepSpeed derives it with integer
division, silently training with a different global batch than the one written.

### Example
```json
{
  "train_batch_size": 48,
  "train_micro_batch_size_per_gpu": 5,
  "gradient_accumulation_steps": 2,
  "optimizer": {"type": "AdamW", "params": {"lr": 0.0001}}
}
```

### Use instead
```json
{
  "train_batch_size": 40,
  "train_micro_batch_size_per_gpu": 5,
  "gradient_accumulation_steps": 2,
  "optimizer": {"type": "AdamW", "params": {"lr": 0.0001}}
}
```

### References
- DeepSpeed ``deepspeed/runtime/config.py:931-979`` (the batch triple check and integer-division fill-in), research/existing_checks.md A.7 and B10.
- deepspeedai/DeepSpeed#6914; bigcode-project/starcoder#41; hiyouga/LlamaFactory#2574.
- torchtitan ``train.py:196-212`` (``global_batch_size % (local_batch_size * dp_degree)``).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from .base import Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``batch.global`` when it is not micro × accumulation × an integer world size."""
    from ..dialects import facts_of  # lazy: `stablint rules`/`explain` need no dialects

    if facts_of(plan).micro_batch_split == "ceil":
        return  # Composer/llm-foundry: an uneven last micro-batch is allowed, only global % world size matters
    g, m = plan.get("batch.global"), plan.get("batch.per_device")
    if g is None or m is None or g.number is None or m.number is None or g.number <= 0 or m.number <= 0:
        return
    if g.source is not None and g.source.default:
        return  # derived, not declared
    ga_pv = plan.get("batch.grad_accum")
    ga = ga_pv.number if ga_pv is not None and ga_pv.number is not None and ga_pv.number > 0 \
        and not (ga_pv.source is not None and ga_pv.source.default) else None
    ws_pv = plan.get("batch.world_size")
    ws = ws_pv.number if ws_pv is not None and ws_pv.number is not None and ws_pv.number > 0 else None
    gi, mi = int(g.number), int(m.number)
    per_rank = mi * int(ga) if ga is not None else mi
    if ws is not None:
        if ga is not None and gi != per_rank * int(ws):
            yield RULE.finding(
                plan, "batch.global",
                f"global batch {gi} != micro {mi} × accumulation {int(ga)} × world size {int(ws)} = {per_rank * int(ws)}",
                pv=g, hint="make the three values consistent, or set one of them to 'auto'")
        return
    if gi % per_rank == 0:
        return
    parts = f"micro {mi} × accumulation {int(ga)}" if ga is not None else f"micro {mi}"
    near = sorted({max(per_rank, (gi // per_rank) * per_rank), (gi // per_rank + 1) * per_rank})
    yield RULE.finding(
        plan, "batch.global",
        f"global batch {gi} is not a multiple of {parts} = {per_rank}: no integer number of GPUs gives this batch"
        + ("" if ga is not None else " (DeepSpeed would derive accumulation by integer division and train a different batch)"),
        pv=g, hint=f"use a global batch of {' or '.join(str(n) for n in near)}, or set it to 'auto'")


RULE = Rule(
    code="STL202", name="inconsistent-batch-size", severity="error",
    summary="The declared global batch is not micro-batch × accumulation × an integer world size.",
    check=check, doc=__doc__, options={},
)
