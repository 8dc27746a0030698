"""lora-scaling-too-low (STL401): a LoRA update scale times learning rate below every published recipe.

### What it does
For a LoRA run (``lora.enabled`` not false) with resolved ``lora.r``,
``lora.alpha`` and ``optimizer.lr`` it computes the adapter scale
``s = alpha / r`` (``alpha / sqrt(r)`` with ``lora.use_rslora``) and the product
``s * lr``, the size of the weight update an Adam step makes through the
adapter. It reports:

- ``warning`` when ``s * lr < min_scaled_lr`` (default 2.5e-5, the lowest
  product of a published working recipe: QLoRA's Guanaco 33B/65B scripts,
  r 64, alpha 16, lr 1e-4 → 0.25 × 1e-4);
- ``info`` when the product is fine but ``s`` alone is below ``min_scale``
  (default 0.25, QLoRA's alpha/r, the lowest of the published recipes): the LR
  is compensating for a scale nobody else uses.

When the plan has **no learning rate** (a lone ``adapter_config.json``), it reports a
``warning`` at ``lora.alpha`` only when even the highest LR of the published recipes
(``max_recipe_lr``, default 5e-4: microsoft/LoRA RoBERTa-base) cannot bring the product to
``min_scaled_lr``, i.e. ``s < min_scaled_lr / max_recipe_lr`` (0.05 by default, 5x below
QLoRA's 0.25), and only when r and alpha are both written in the file (not framework
defaults). A learning rate found in a file of the same run (``training_args.json`` beside
``adapter_config.json``, see ``stablint/linter/crossfile.py``) is used as the LR.

Preference and RL stages (``run.stage`` in ``exempt_stages``: DPO, PPO, KTO,
reward models ...) are skipped: their published LRs are much lower by design
and the recipes above are supervised fine-tuning recipes.

Framework defaults count: LLaMA-Factory's ``lora_alpha`` defaults to
``2 × lora_rank`` and PEFT's to 8; dialects fill them with default provenance
and the message says so.

### Why is this bad?
The adapter adds ``s · B A x`` with ``B = 0`` at init. Adam normalizes the
gradient, so each step moves ``A`` and ``B`` by roughly ``lr`` whatever ``s``
is, and the change of the layer's output scales with ``s · lr``: "tuning alpha
is roughly the same as tuning the learning rate" (Hu et al.). A product below
every recipe known to work means the adapter barely moves and the loss
plateaus; raising the rank at fixed alpha makes it worse (the scale is
``alpha / r``). Seed 004: r 8, alpha 16, lr 1e-5 → 2 × 1e-5 = 2e-5, a loss
plateau at 6.5–6.7; the fix (r 16, alpha 32, lr 2e-5 → 4e-5) doubled it.

Limits: rsLoRA argues that the rank enters too (with ``alpha/r`` the update
shrinks as r grows, "gradient collapse"); the rule keeps the research's
convention ``s * lr`` and reports the scale so the rank is visible. The
published recipes are for 7B–65B LLaMA models and RoBERTa/GPT-2
(products 2.5e-5 to 1.6e-3); a small model usually needs more, and DPO-style
objectives deliberately use small LRs. The probe's ``lora-effective-update``
signal (``|s·BA|_F / |W0|_F`` after N steps and an A/B run with alpha × 4)
confirms it.

### Example
```yaml
model: gpt2
use_lora: true
lora_rank: 8
lora_alpha: 16
learning_rate: 1.0e-5
batch_size: 16
block_size: 128
```

### Use instead
```yaml
model: gpt2
use_lora: true
lora_rank: 16
lora_alpha: 32
learning_rate: 2.0e-5
batch_size: 16
block_size: 128
```

### References
- Hu et al., "LoRA", ICLR 2022 (h = W0 x + (alpha/r) B A x; alpha tuned like the LR); microsoft/LoRA scripts: alpha/r 2 at lr 4e-4–5e-4 (RoBERTa), 8 at 2e-4 (GPT-2) — research/probe_anchors.md §9.
- QLoRA (Dettmers et al. 2023), artidoro/qlora ``scripts/finetune_guanaco_{7b,13b}.sh`` (r 64, alpha 16, lr 2e-4) and ``finetune_guanaco_{33b,65b}.sh`` (lr 1e-4).
- Kalajdzievski 2023, "rsLoRA" (arXiv 2312.03732): scale alpha/sqrt(r); PEFT ``use_rslora`` — research/existing_checks.md B8.
- Seed 004 (shared/seeds/004_e2dea00c37af9589.txt).
- ``max_recipe_lr`` 5e-4: microsoft/LoRA ``examples/NLU/roberta_base_*.sh`` (4e-4 to 5e-4), the highest LR
  of the recipes in research/probe_anchors.md §9 (QLoRA 1e-4 to 2e-4, DeBERTa 6e-5 to 2.6e-4, GPT-2 2e-4).
"""

from __future__ import annotations

import math
from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from .base import Caught, Rule


def lora_scale(plan: TrainingPlan) -> tuple[float, str] | None:
    """The adapter scale ``s`` and its formula text, or ``None`` when r or alpha is unknown.

    ``s = alpha / r``, or ``alpha / sqrt(r)`` when ``lora.use_rslora`` is true (PEFT ``LoraLayer.update_layer``);
    ``lora.scale`` itself where the framework takes the multiplier directly (mlx-lm).
    """
    direct = plan.number("lora.scale")
    if direct is not None and direct > 0:
        return direct, "(the multiplier itself, not divided by r)"
    r, alpha = plan.number("lora.r"), plan.number("lora.alpha")
    if r is None or alpha is None or r <= 0 or alpha <= 0:
        return None
    if plan.value("lora.use_rslora") is True:
        return alpha / math.sqrt(r), f"alpha/sqrt(r) = {alpha:g}/sqrt({r:g})"
    return alpha / r, f"alpha/r = {alpha:g}/{r:g}"


def scale_field(plan: TrainingPlan) -> str:
    """The canonical field that sets the scale: ``lora.scale`` where the framework takes it directly, else ``lora.alpha``."""
    return "lora.scale" if plan.number("lora.scale") is not None else "lora.alpha"


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """At most one finding: at ``optimizer.lr`` for a low product, at ``lora.alpha`` for a low scale only."""
    if plan.value("lora.enabled") is False:
        return
    stage = plan.value("run.stage")
    if isinstance(stage, str) and stage.lower() in options["exempt_stages"]:
        return
    got = lora_scale(plan)
    lr = plan.number("optimizer.lr")
    if got is not None and lr is None and not plan.has("optimizer.lr"):
        yield from _without_lr(plan, got, options)
        return
    if got is None or lr is None or lr <= 0:
        return
    s, formula = got
    product = s * lr
    threshold = options["min_scaled_lr"]
    r = plan.number("lora.r")
    if product < threshold:
        rs = plan.value("lora.use_rslora") is True
        alpha_needed = math.ceil(threshold / lr * (math.sqrt(r) if rs else r))
        lr_needed = threshold / s
        sf = scale_field(plan)
        alpha_key = plan.get(sf).source.key if plan.get(sf) is not None and plan.get(sf).source else "lora_alpha"
        if sf == "lora.scale":
            alpha_needed = math.ceil(threshold / lr)
        yield RULE.finding(
            plan, "optimizer.lr",
            f"LoRA scale {formula} = {s:.3g} times learning rate {lr:g} = {product:.2g}, below {threshold:g}, "
            f"the lowest product of a published working recipe (QLoRA 33B/65B: 16/64 x 1e-4)",
            hint=f"raise {alpha_key} to >= {alpha_needed} or the learning rate to >= {lr_needed:.2g} "
                 f"(with Adam, alpha and the LR act alike: Hu et al.)",
            fix={"field": sf, "key": alpha_key, "value": alpha_needed},
            scale=s, product=product, threshold=threshold,
        )
        return
    if s < options["min_scale"]:
        yield RULE.finding(
            plan, scale_field(plan),
            f"LoRA scale {formula} = {s:.3g} is below {options['min_scale']:g} (QLoRA's 16/64, the lowest "
            f"published); the learning rate {lr:g} compensates (product {product:.2g})",
            severity="info",
            hint="raising the rank at fixed alpha shrinks the update; keep alpha/r >= 0.25 or use rsLoRA (alpha/sqrt(r))",
            scale=s, product=product,
        )


def _without_lr(plan: TrainingPlan, got: tuple[float, str], options: dict[str, Any]) -> Iterator[Finding]:
    """No LR anywhere in the run: report a scale no published recipe's LR can make up for."""
    s, formula = got
    stated = [plan.get(f) for f in ("lora.r", scale_field(plan))]
    if any(pv is None or pv.source is None or pv.source.default for pv in stated):
        return  # a default r or alpha is weak evidence without an LR
    top = options["max_recipe_lr"]
    threshold = options["min_scaled_lr"]
    if top is None or s * top >= threshold:
        return
    r = plan.number("lora.r")
    rs = plan.value("lora.use_rslora") is True
    alpha_needed = math.ceil(threshold / top * (1 if scale_field(plan) == "lora.scale" else math.sqrt(r) if rs else r))
    yield RULE.finding(
        plan, scale_field(plan),
        f"LoRA scale {formula} = {s:.3g}: even at {top:g}, the highest learning rate of the published LoRA recipes, "
        f"the product would be {s * top:.2g}, below {threshold:g}, the lowest product of a published working recipe "
        f"(the learning rate is not in this run's files)",
        hint=f"raise lora_alpha to >= {alpha_needed} (alpha/r >= {threshold / top:g}), or check that the learning "
             f"rate is far above every published LoRA recipe",
        scale=s, product=s * top, threshold=threshold,
    )


RULE = Rule(
    code="STL401", name="lora-scaling-too-low", severity="warning",
    summary="LoRA alpha/r times the learning rate is below every published working recipe.",
    check=check, doc=__doc__,
    options={"min_scaled_lr": 2.5e-5, "min_scale": 0.25, "max_recipe_lr": 5e-4,
             "exempt_stages": ["dpo", "ppo", "rm", "kto", "orpo", "simpo", "grpo", "ipo", "rloo", "reward", "rlhf", "cpo",
                               "preference"]},
    signal="lora-effective-update",
    caught=(
        Caught('GPT-2 LoRA r 8, alpha 16 at lr 1e-5 (product 2e-5): loss plateau at 6.5-6.7 from step 1500 to 2500',
               'shared/seeds/004_e2dea00c37af9589.txt', 'write-up', 'examples/seed004_before.sh'),
        Caught("torchtune's own Mistral 7B LoRA recipe with r 64, alpha 16 (scale 0.25) at lr 2e-5: a product of 5e-6, a tiny effective update",
               'pytorch/torchtune recipes/configs/mistral/7B_lora_single_device.yaml@bd2a0fc7c3', 'config', 'tests/corpus/torchtune/pytorch__torchtune__recipes__configs__mistral__7B_lora_single_device.yaml'),
    ),
)
