"""missing-warmup (STL104): an Adam-family transformer run starts at its peak LR with no warmup.

### What it does
Reports a run that uses an Adam-family optimizer (Adam, AdamW, NAdam, Adamax,
LAMB; not RAdam, whose rectification replaces warmup) at a transformer-scale learning rate (``min_lr``, default 1e-4)
with a constant schedule or one that decays from step 0, and no warmup at all
(``warmup.steps``/``warmup.ratio`` absent or 0). It applies to frameworks that
train transformers (the dialect's ``model_family`` is ``"transformer"``: HF
Trainer, axolotl, LLaMA-Factory, torchtune, torchtitan, nanoGPT) and to LoRA runs
whose effective step ``alpha/r × lr`` is at least ``min_lora_effective_lr``
(default 4e-4, between QLoRA's 5e-5 and the RoBERTa/GPT-2 LoRA recipes'
1e-3-1.6e-3, which all use warmup; with B = 0 at init smaller LoRA steps start
gently). The warmup a framework adds when the config sets none is in the plan as
a framework default, filled in by its dialect (axolotl ``min(int(0.03 × steps),
100)`` steps or ratio 0.03, also for ``warmup_steps: 0``; torchtitan 200 steps;
nanoGPT ``warmup_iters`` 2000), so the rule judges the warmup the run really gets
and needs no list of frameworks: an explicit 0 that the framework honours
(torchtitan, nanoGPT) is reported, and so is a run the framework itself gives no
warmup (axolotl under 34 steps, where ``int(0.03 × steps)`` is 0; nanoGPT with
``decay_lr = False``, which holds ``learning_rate`` from the first iteration).

### Why is this bad?
Adam's second-moment estimate is built from a handful of gradients in the first
steps, so its per-parameter step sizes are too large exactly when the gradients
are largest; in post-LN/pre-LN transformers this produces early loss spikes or
divergence (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and
Beyond"; Xiong et al. 2020). The Tuning Playbook lists warmup first among the
fixes for early instability.

### Example
```yaml
model: gpt2
use_lora: true
lora_rank: 16
lora_alpha: 32
optimizer: adamw
learning_rate: 0.0003
scheduler: cosine
max_steps: 2000
warmup_steps: 0
```

### Use instead
```yaml
model: gpt2
use_lora: true
lora_rank: 16
lora_alpha: 32
optimizer: adamw
learning_rate: 0.0003
scheduler: cosine
max_steps: 2000
warmup_steps: 100
```

### References
- research/probe_anchors.md §7.3 (Tuning Playbook: "LR warmup (best for early instability)"; warmup ≤ 10 % of the run).
- QLoRA recipe ``warmup_ratio=0.03`` (probe_anchors.md §9); axolotl's implicit warmup ``min(0.03*total, 100)`` (existing_checks.md A.3, BLD:235-258).
- Liu et al. 2020, arXiv 1908.03265 (RAdam: the variance of the adaptive LR is large in early steps).
- Seed 004 ("Constant LR without warmup can cause early instability").
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt
from .base import Rule
from .lora_scaling_too_low import lora_scale

#: optimizer families whose early steps need warmup (adaptive second-moment estimates)
ADAM_FAMILY = ("adam", "adamw", "nadam", "adamax", "lamb")
#: schedule types with no warmup of their own (onecycle, inverse_sqrt, wsd, warmup_only carry one)
NO_WARMUP_SCHEDULES = ("constant", "linear", "cosine", "cosine_restarts", "polynomial", "exponential", "step",
                       "multistep", "plateau")


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``optimizer.lr`` when the run has no warmup (see module docstring).

    Reads the framework fact ``model_family`` through :func:`~stablint.linter.dialects.facts_of`
    and the warmup fields with the framework's defaults already filled in by the dialect.
    """
    from ..dialects import facts_of  # lazy: `stablint rules`/`explain` need no dialects

    family = plan.value("optimizer.type")
    lr = plan.get("optimizer.lr")
    if family not in ADAM_FAMILY or lr is None or lr.number is None:
        return
    if plan.value("lora.enabled") is True:
        got = lora_scale(plan)
        if got is None or got[0] * lr.number < options["min_lora_effective_lr"]:
            return
    elif facts_of(plan).model_family != "transformer" or lr.number < options["min_lr"]:
        return
    sched = plan.value("scheduler.type")
    if plan.has("scheduler.type") and sched not in NO_WARMUP_SCHEDULES:
        return
    ws, wr = plan.get("warmup.steps"), plan.get("warmup.ratio")
    if ws is None and wr is None and plan.missing_bases:
        return  # the warmup may be in the inherited file that was not found (rule base-not-found)
    if (ws is not None and (not ws.resolved or (ws.number or 0) > 0)) or \
       (wr is not None and (not wr.resolved or (wr.number or 0) > 0)):
        return
    shape = "a constant LR" if sched in (None, "constant") else f"a {sched} schedule that decays from step 0"
    yield RULE.finding(
        plan, "optimizer.lr",
        f"{family} starts at its peak learning rate {fmt(lr.number)} ({shape}) with no warmup: "
        "early Adam steps at this LR risk loss spikes or divergence",
        pv=lr, hint="add a warmup of a few percent of the run, e.g. warmup_ratio 0.03 or warmup_steps 100",
    )


RULE = Rule(
    code="STL104", name="missing-warmup", severity="warning",
    summary="An Adam-family transformer/LoRA run at a transformer-scale LR starts at the peak LR with no warmup.",
    check=check, doc=__doc__,
    options={
        "min_lr": 1e-4,
        "min_lora_effective_lr": 4e-4,
    },
    retired_options={
        "transformer_dialects": "which frameworks train transformers is now a dialect fact (Dialect.model_family)",
        "implicit_warmup_dialects": "the warmup a framework adds by default is now in the plan as a framework "
                                    "default (axolotl, torchtitan, nanoGPT dialects)",
    },
    signal="loss-spike",
)
