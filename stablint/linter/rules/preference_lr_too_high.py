"""preference-lr-too-high (STL505): a DPO-family preference run at a supervised fine-tuning learning rate.

### What it does
Reports an offline preference-optimization run (``run.stage`` in ``stages``: DPO, IPO, KTO, SimPO,
ORPO, or a TRL preference config that does not say which) with an Adam-family optimizer whose
learning rate is above ``max_lr_full`` (default 1e-5) when it certainly trains every weight
(``finetune.full``), or above ``max_lr_adapter`` (default 5e-5) otherwise (LoRA, or adapter state
unknown: the higher bound, so a LoRA run is never judged by the full fine-tuning range). ORPO, whose
authors recommend 5e-6 to 2e-5, and TRL files that may be ORPO (``orpo_stages``) get
``orpo_max_lr_full`` (2e-5). Online RL (GRPO, PPO, RLOO) is not judged: published GRPO recipes span
1e-6 to 2e-5 for full fine-tunes (TRL default 1e-6, open-r1 ``Qwen2.5-1.5B-Instruct/grpo/config_demo.yaml``
2e-5); CPO neither (no published range found).

### Why is this bad?
DPO-style losses push the log-ratio of chosen to rejected answers without bound; with a reference
model that is the SFT checkpoint itself, the useful step is tiny. Published full-parameter recipes
use 5e-7 to 1e-6 (zephyr-7b-beta DPO 5e-7, Tülu 3 DPO 5e-7/2e-7, TRL ``DPOConfig`` default 1e-6), at most
1e-5 (Llama 3); LoRA DPO recipes use about 5e-6 (alignment-handbook ``config_qlora.yaml``,
LLaMA-Factory ``llama3_lora_dpo.yaml``). At the SFT LR (2e-5 full, 1e-4 to 2e-4 LoRA) the preference
loss drops to 0 within a few hundred steps, the log-probabilities of both answers fall, and the model
degenerates (repetition, very long or empty outputs) while the reward accuracy looks perfect.

### Example
```yaml
model_name_or_path: alignment-handbook/zephyr-7b-sft-full
torch_dtype: bfloat16
use_peft: false
bf16: true
beta: 0.01
gradient_accumulation_steps: 2
learning_rate: 5.0e-5
lr_scheduler_type: cosine
max_length: 1024
max_prompt_length: 512
num_train_epochs: 1
optim: adamw_torch
output_dir: data/zephyr-7b-dpo-full
per_device_train_batch_size: 8
warmup_ratio: 0.1
```

### Use instead
```yaml
model_name_or_path: alignment-handbook/zephyr-7b-sft-full
torch_dtype: bfloat16
use_peft: false
bf16: true
beta: 0.01
gradient_accumulation_steps: 2
learning_rate: 5.0e-7
lr_scheduler_type: cosine
max_length: 1024
max_prompt_length: 512
num_train_epochs: 1
optim: adamw_torch
output_dir: data/zephyr-7b-dpo-full
per_device_train_batch_size: 8
warmup_ratio: 0.1
```

### References
- alignment-handbook ``recipes/zephyr-7b-beta/dpo/config_full.yaml`` 5e-7 (``config_qlora.yaml`` 5e-6);
  Tunstall et al. 2023, Zephyr (arXiv 2310.16944).
- TRL ``trl/trainer/dpo_config.py`` ``learning_rate`` default 1e-6 (v0.14.0 49711ef to v1.9.0 35def3e; also
  ``kto_config.py``, ``orpo_config.py``, ``grpo_config.py``); TRL ``trl/scripts/dpo.py`` usage: full 5e-7, LoRA 5e-6.
- Lambert et al. 2024, Tülu 3 (arXiv 2411.15124): DPO at 5e-7 (8B), 2e-7 (70B); Grattafiori et al. 2024,
  The Llama 3 Herd of Models (arXiv 2407.21783) §4.1.4: DPO at 1e-5.
- LLaMA-Factory ``examples/train_lora/llama3_lora_dpo.yaml`` 5e-6 (bench/unseen u0242, u0278, u0320).
- ORPO: https://github.com/xfactlab/orpo/issues/5 (the authors: "a low learning rate (5e-6 to 2e-5)").
- LoRA DPO at 1e-4, loss oscillating then 0: https://github.com/huggingface/trl/issues/1236.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt
from ._stage_lr import adam_lr_in_stage
from .base import Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``optimizer.lr`` for a preference stage above its bound: ``max_lr_full`` for a
    certain full fine-tune (``finetune.full``), else ``max_lr_adapter``."""
    found = adam_lr_in_stage(plan, options["stages"])
    if found is None:
        return
    stage, lr = found
    full = plan.value("finetune.full") is True and plan.value("lora.enabled") is not True
    if not full:
        bound = options["max_lr_adapter"]
    elif stage.lower() in options["orpo_stages"]:  # ORPO (or a TRL file that may be ORPO) publishes up to 2e-5
        bound = options["orpo_max_lr_full"]
    else:
        bound = options["max_lr_full"]
    if lr.number <= bound:
        return
    name = stage.upper() if stage.lower() != "preference" else "preference optimization (DPO-family)"
    if full and stage.lower() in options["orpo_stages"]:
        what = (f"full-parameter {name} at learning rate {fmt(lr.number)}: published full-parameter DPO recipes "
                "use 5e-7 to 1e-6 (zephyr, Tulu 3, TRL's default) and ORPO's authors at most 2e-5")
    elif full:
        what = (f"full-parameter {name} at learning rate {fmt(lr.number)}: published full {name} recipes use "
                "5e-7 to 1e-6 (zephyr, Tulu 3, TRL's default), at most 1e-5 (Llama 3)")
    else:
        what = (f"{name} at learning rate {fmt(lr.number)}, above even LoRA preference recipes (about 5e-6; "
                "full-parameter 5e-7 to 1e-6)")
    yield RULE.finding(
        plan, "optimizer.lr", what + ": the preference loss collapses to 0 and the model degenerates",
        pv=lr, hint="start from the recipe LR (5e-7 full, 5e-6 LoRA) rather than the SFT LR")


RULE = Rule(
    code="STL505", name="preference-lr-too-high", severity="info",
    summary="A DPO-family preference run (DPO, KTO, ORPO, SimPO...) at a supervised fine-tuning learning rate.",
    check=check, doc=__doc__,
    options={"max_lr_full": 1e-5, "orpo_max_lr_full": 2e-5, "max_lr_adapter": 5e-5,
             "stages": ["dpo", "ipo", "kto", "simpo", "orpo", "preference"], "orpo_stages": ["orpo", "preference"]},
    signal="loss-divergence",
)
