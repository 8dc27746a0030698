"""full-finetune-lr-too-high (STL504): a full fine-tune of a pretrained LLM at a LoRA learning rate.

### What it does
Reports a supervised fine-tuning run (``run.stage`` in ``stages``, default ``sft``) that certainly
trains the pretrained model's own weights with no adapter (``finetune.full``: LLaMA-Factory
``finetuning_type: full|freeze``, axolotl without ``adapter``, mlx-lm ``fine_tune_type: full``, a
torchtune full-model builder, an explicit ``use_peft: false``) with an Adam-family optimizer at a
learning rate of ``min_lr`` (default 1e-4) or more: the LR of a LoRA recipe. Silent when the adapter
state is unknown (a ``TrainingArguments`` file alone cannot tell whether the script wraps the model
in PEFT), for pretraining and continued pretraining (axolotl ``pretraining_dataset`` or
``completion`` datasets, LLaMA-Factory ``stage: pt``), and for preference/RL stages
(``preference-lr-too-high``, STL505, judges DPO-family runs).

### Why is this bad?
LoRA trains a few new parameters that start at zero, so its recipes use LRs of 1e-4 to 2e-4 (QLoRA;
LLaMA-Factory ``examples/train_lora`` 1e-4). Updating every weight of a pretrained 1B-70B model at that
LR moves it far from the pretrained solution: published full fine-tunes use 10x less (1e-5 to 2e-5),
and at 1e-4 and more the loss spikes, the model forgets what it knew, or the run diverges. It happens
when ``adapter: lora`` / ``finetuning_type: lora`` is switched off and the LR is kept.

### Example
```yaml
### model
model_name_or_path: meta-llama/Meta-Llama-3-8B-Instruct
### method
stage: sft
do_train: true
finetuning_type: full
### dataset
dataset: identity,alpaca_en_demo
template: llama3
cutoff_len: 2048
### train
per_device_train_batch_size: 1
gradient_accumulation_steps: 2
learning_rate: 2.0e-4
num_train_epochs: 3.0
lr_scheduler_type: cosine
warmup_ratio: 0.1
bf16: true
output_dir: saves/llama3-8b/full/sft
```

### Use instead
```yaml
### model
model_name_or_path: meta-llama/Meta-Llama-3-8B-Instruct
### method
stage: sft
do_train: true
finetuning_type: full
### dataset
dataset: identity,alpaca_en_demo
template: llama3
cutoff_len: 2048
### train
per_device_train_batch_size: 1
gradient_accumulation_steps: 2
learning_rate: 1.0e-5
num_train_epochs: 3.0
lr_scheduler_type: cosine
warmup_ratio: 0.1
bf16: true
output_dir: saves/llama3-8b/full/sft
```

### References
- Full fine-tuning recipes: LLaMA-Factory ``examples/train_full/llama3_full_sft.yaml`` 1e-5 (LoRA:
  ``examples/train_lora/llama3_lora_sft.yaml`` 1e-4); alignment-handbook
  ``recipes/zephyr-7b-beta/sft/config_full.yaml`` 2e-5 (QLoRA: ``config_qlora.yaml`` 2e-4); torchtune
  ``recipes/configs/llama2/7B_full.yaml`` 2e-5; axolotl ``examples/phi/phi-ft.yml`` 3e-6 (bench/unseen u0430).
- Touvron et al. 2023, Llama 2 (arXiv 2307.09288) §3.1: SFT at 2e-5; Lambert et al. 2024, Tülu 3
  (arXiv 2411.15124): SFT at 5e-6 (8B) and 2e-6 (70B).
- Dettmers et al. 2023, QLoRA (arXiv 2305.14314): 2e-4 (7B-13B) and 1e-4 (33B-65B) for the adapters.
- axolotl ``src/axolotl/utils/schemas/peft.py`` (``adapter`` blank = "train all parameters"); LLaMA-Factory
  ``hparams/finetuning_args.py`` (``finetuning_type``).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ._horizon import fmt
from ._stage_lr import adam_lr_in_stage
from .base import Caught, Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``optimizer.lr`` for a certain full fine-tune (``finetune.full``) of a fine-tuning
    ``run.stage`` whose Adam-family LR is at least ``min_lr``."""
    if plan.value("finetune.full") is not True or plan.value("lora.enabled") is True:
        return
    found = adam_lr_in_stage(plan, options["stages"])
    if found is None or found[1].number < options["min_lr"]:
        return
    lr = found[1]
    yield RULE.finding(
        plan, "optimizer.lr",
        f"full fine-tuning (no adapter) at learning rate {fmt(lr.number)}, a LoRA-scale LR: published full "
        "fine-tunes of pretrained LLMs use 1e-5 to 2e-5 (LoRA recipes 1e-4 to 2e-4); every weight moving at "
        "this LR risks loss spikes, forgetting or divergence",
        pv=lr, hint="use about 1e-5 to 2e-5 for a full fine-tune, or train a LoRA adapter if this LR was meant for one")


RULE = Rule(
    code="STL504", name="full-finetune-lr-too-high", severity="info",
    summary="A full fine-tune (no adapter) of a pretrained LLM at a LoRA-scale learning rate.",
    check=check, doc=__doc__,
    options={"min_lr": 1e-4, "stages": ["sft"]},
    signal="loss-divergence",
    caught=(
        Caught("axolotl's Qwen3.5 27B full fine-tune example (no adapter) at learning_rate 2e-4, the LR of its LoRA "
               "examples, 10x the published full fine-tunes",
               "axolotl-ai-cloud/axolotl examples/qwen3.5/27b-fft.yaml@067b021c8b", "config",
               "tests/corpus/axolotl/axolotl-ai-cloud__axolotl__examples__qwen3.5__27b-fft.yaml"),
    ),
)
