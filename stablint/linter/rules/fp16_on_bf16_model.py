"""fp16-on-bf16-model (STL603): fp16 mixed precision on a checkpoint that was pretrained in bf16.

### What it does
Reports ``precision.fp16`` on when bf16 is not on and the run's pretrained model is known to
have been trained in bfloat16. The evidence is, in this order: ``torch_dtype`` in the
checkpoint's own ``config.json`` when the config names a local model folder, then a small table
of model families with their published pretraining dtype (``stablint/linter/pretrain_dtype.py``:
Llama 2, Llama 3, Qwen2/2.5/3, Mistral 7B, Gemma, T5/mT5/Flan-T5, each with its source). A
model matching no family, a Hub id without a local folder outside the table, or a local
``config.json`` that says ``float16``/``float32`` gives no finding. A run whose bf16 flag is
unresolved (axolotl ``bf16: auto``) is not reported either: the trainer may pick bf16.
``families`` (default: every family of the table) narrows the table to the families named.

### Why is this bad?
bf16 has the exponent range of fp32; fp16 tops out at 65504. Weights and activations of a
network trained in bf16 are free to exceed that range (T5's feed-forward activations, Qwen2 and
Gemma attention logits), so under fp16 autocast they overflow to ``inf`` and the loss becomes
``nan`` (or ``loss 0.0, grad_norm nan`` after the loss scaler gives up), often within the first
steps. The maintainers' answer in every thread below is "use bf16 (or fp32)".

### Example
```yaml
model_name_or_path: Qwen/Qwen2.5-7B-Instruct
stage: sft
finetuning_type: lora
learning_rate: 1.0e-4
fp16: true
```

### Use instead
```yaml
model_name_or_path: Qwen/Qwen2.5-7B-Instruct
stage: sft
finetuning_type: lora
learning_rate: 1.0e-4
bf16: true          # fp32 (no fp16) on GPUs without bf16, e.g. V100
```

### References
- google-research/text-to-text-transfer-transformer#539 (T5: "All of our experiments use bfloat16 activations"); huggingface/transformers#14189, #10956, #11461 (T5 fp16 → nan loss); declare-lab/flan-alpaca#19.
- QwenLM/Qwen3#868 ("the original model was trained using bfloat16, changing to float16 may cause numerical instabilities"), QwenLM/Qwen3#670 (Qwen2 fp16 SFT: nan, loss 0); lzhxmu/CPPO#3 (Qwen2.5-7B fp16 GRPO: ``loss 0.0, grad_norm nan``).
- huggingface/trl#3236 (gemma-3 fp16: ``loss=0, reward=nan``); unslothai/unsloth#5074 (Gemma fp16 NaN, forced to bf16); huggingface/trl#1173 (Llama 2 fp16 on V100: loss 0.0, eval nan).
- transformers docs, model_doc/llama3 and model_doc/llama2 ("trained using bfloat16"); the family table's sources in ``pretrain_dtype.py``.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from ..pretrain_dtype import FAMILIES
from .base import Caught, Rule


def evidence(plan: TrainingPlan, families: list[str] | None = None) -> tuple[str, str] | None:
    """``(what, source)`` when the run's model is known to be pretrained in bf16, else ``None``.

    ``what`` names the model and the evidence (for the message); ``source`` is the file or URL.
    A local ``config.json`` with another dtype returns ``None`` (it overrides the table).
    """
    from ..pretrain_dtype import family_of

    model = plan.get("model.name")
    if model is None or not model.resolved or not isinstance(model.value, str):
        return None
    local = plan.get("model.torch_dtype")
    if local is not None and isinstance(local.value, str):
        if local.value in ("bfloat16", "bf16"):
            src = local.source.path if local.source else "config.json"
            return f"{model.value} (torch_dtype bfloat16 in {src})", src
        return None
    fam = family_of(model.value)
    if fam is None or fam.dtype != "bfloat16" or (families is not None and fam.name not in families):
        return None
    return f"{model.value} ({fam.name}, pretrained in bfloat16)", fam.source


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding at ``precision.fp16`` when fp16 is on, bf16 is off or absent, and the model is bf16-pretrained."""
    fp16 = plan.get("precision.fp16")
    if fp16 is None or not fp16.resolved or fp16.value is not True:
        return
    bf16 = plan.get("precision.bf16")
    if bf16 is not None and (not bf16.resolved or bf16.value is not False):
        return
    fams = options.get("families")
    got = evidence(plan, [str(f) for f in fams] if isinstance(fams, (list, tuple)) else None)
    if got is None:
        return
    what, source = got
    yield RULE.finding(
        plan, "precision.fp16",
        f"fp16 mixed precision on {what}: its weights and activations may exceed fp16's range "
        "(max 65504) and overflow to inf/nan",
        pv=fp16, hint="use bf16 (Ampere or newer GPUs), or fp32 where bf16 is not supported", evidence=source)


RULE = Rule(
    code="STL603", name="fp16-on-bf16-model", severity="warning",
    summary="fp16 mixed precision on a checkpoint pretrained in bf16 (Llama 2/3, Qwen2+, Mistral 7B, Gemma, T5).",
    check=check, doc=__doc__, options={"families": [f.name for f in FAMILIES]}, signal="nonfinite-values",
    caught=(
        Caught("Qwen2-7B-Instruct full SFT in fp16: some tokens output nan and the loss reads 0; the maintainer's fix is bf16, or fp32 where bf16 is unsupported",
               'https://github.com/QwenLM/Qwen3/issues/670', 'thread', 'tests/caught/fp16-on-bf16-model__qwen2-7b-full-sft.sh'),
        Caught('LLaMA-Factory LoRA SFT of Qwen2-1.5B with fp16: true ended with train_loss 0.0',
               'https://github.com/hiyouga/LlamaFactory/issues/4278', 'thread', 'tests/caught/fp16-on-bf16-model__qwen2-1.5b-lora-loss-zero.yaml'),
        Caught('run_translation.py fine-tuning t5-large with --fp16 produced nan in the loss',
               'https://github.com/huggingface/transformers/issues/11461', 'thread', 'tests/caught/fp16-on-bf16-model__t5-large-translation-nan.sh'),
    ),
)
