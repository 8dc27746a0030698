"""LLaMA-Factory: one flat YAML/JSON (or ``llamafactory-cli train --flag value``) of
HF ``TrainingArguments`` plus ``FinetuningArguments``/``ModelArguments``/``DataArguments``.

Sources (research/dialects.md §1, table 2A, trap §3.3; existing_checks.md A.4):

* Loader: ``OmegaConf.load`` merged with ``OmegaConf.from_cli`` (LLaMA-Factory
  ``hparams/parser.py:112-126``, since PR #8505), so ``learning_rate: 1e-4`` is a
  float (loader ``"omegaconf"``); CLI flags alone go through ``HfArgumentParser``.
* ``finetuning_type`` defaults to ``lora``; ``lora_rank`` defaults to 8 and
  ``lora_alpha`` to ``2 * lora_rank`` when unset (``finetuning_args.py:587``).
* ``early_stopping_steps`` feeds ``EarlyStoppingCallback(early_stopping_patience=...)``:
  the unit is **evaluations**, whatever the name says (``train/tuner.py:81-82``).
* ``stage: pt|sft|rm|ppo|dpo|kto`` (default ``sft``) is the training objective (``run.stage``).
* ``finetuning_type: full|freeze`` trains the model's own weights, no adapter (``finetune.full``).
* Everything else has HF semantics (:mod:`.hf_trainer`).
"""

from __future__ import annotations

from typing import Any

from ..document import Document, Node
from ..plan import EVAL, TrainingPlan
from .base import Context
from .hf_trainer import HfTrainer
from .stages import normalize_stage
from . import known_keys as kk
from .known_keys import LLAMAFACTORY_ALL as _KNOWN_KEYS

#: Keys of LLaMA-Factory's own argument classes (``hparams/finetuning_args.py``, ``data_args.py``,
#: ``model_args.py``) that other trainers do not use: each one points at LLaMA-Factory.
LF_STRONG = frozenset({"finetuning_type", "lora_target", "cutoff_len", "pref_beta", "pref_loss", "additional_target",
                       "loraplus_lr_ratio", "use_galore", "pure_bf16", "plot_loss", "early_stopping_steps",
                       "pissa_init"})
#: LLaMA-Factory argument names that other LoRA/SFT scripts also use (``stage``, ``template``, ``lora_rank``
#: are common in custom trainers; issue 12 category 3): evidence only beside a strong key.
LF_WEAK = frozenset({"stage", "template", "lora_rank", "quantization_bit", "val_size", "max_samples", "flash_attn",
                     "use_dora", "galore_rank"})
#: Keys of LLaMA-Factory's own argument classes (not in ``TrainingArguments``).
LF_KEYS = LF_STRONG | LF_WEAK
#: Finetuning types that train LoRA-style adapters.
_ADAPTER_TYPES = {"lora"}
#: Finetuning types that update the model's own weights with no adapter (``full``: all of them; ``freeze``:
#: the last ``freeze_trainable_layers`` blocks), LLaMA-Factory ``hparams/finetuning_args.py``
#: ``finetuning_type: Literal["lora", "oft", "freeze", "full"]``; ``oft`` trains an adapter.
_FULL_TYPES = {"full", "freeze"}
#: Switches that replace AdamW's update with a low-rank / block-wise one whose LRs are not AdamW's
#: (GaLore, APOLLO, BAdam, Muon in ``hparams/finetuning_args.py``): ``finetune.full`` is then left unset.
_OTHER_UPDATE_RULES = ("use_galore", "use_apollo", "use_badam", "use_muon")


class LlamaFactory(HfTrainer):
    """LLaMA-Factory training YAML/JSON and ``llamafactory-cli train`` flags."""

    name = "llamafactory"
    title = "LLaMA-Factory"
    known_keys = _KNOWN_KEYS  # closed top-level key set, for unknown-key (STL004)
    # model_family "transformer" and precision_conflict "raises" (fp16/bf16 checked by HF
    # TrainingArguments, existing_checks.md A.0 "via HF") are inherited from HfTrainer.
    #: the set is LLaMA-Factory 0.7.1-0.9.5's argument classes (known_keys.py); other releases add and
    #: rename arguments, so only near misses are reported
    unknown_keys = "typos-only"
    #: ``llamafactory-cli train --key value`` flags go into the same argument classes as the YAML
    #: keys; unknown ones raise (``hparams/parser.py:112-126``, 149-163; existing_checks.md A.4)
    cli_flags_are_keys = True
    formats = ("yaml", "json", "shell")
    loader = "omegaconf"
    KEYS: dict[str, Any] = {
        **HfTrainer.KEYS,
        "lora.r": "lora_rank",
        "lora.use_rslora": "use_rslora",
        "early_stopping.patience": ("early_stopping_steps", EVAL),
        "precision.bf16": ["bf16", "pure_bf16"],
    }

    evidence_keys = LF_KEYS
    #: 0.95: ``llamafactory-cli``, two strong keys, or one strong key and two weak ones; 0.8 (medium):
    #: one strong and one weak key; 0.4 (low, read as generic): weak keys only
    high_score = 0.9

    def detect(self, doc: Document) -> float:
        """Scores from :data:`LF_STRONG`/:data:`LF_WEAK` (see :attr:`high_score`); 0 without two LF keys."""
        if doc.fmt == "shell" and any(c.startswith("llamafactory-cli") for c in doc.meta.get("commands", [])):
            return 0.95
        keys = doc.keys()
        strong, weak = len(keys & LF_STRONG), len(keys & LF_WEAK)
        if strong >= 2 or (strong == 1 and weak >= 2):
            return 0.95
        if strong == 1 and weak == 1:
            return 0.8
        return 0.4 if weak >= 2 else 0.0

    def evidence(self, doc: Document) -> tuple[str, ...]:
        """The ``llamafactory-cli`` command, the strong keys, then the weak ones (marked)."""
        out: list[str] = []
        if doc.fmt == "shell" and any(c.startswith("llamafactory-cli") for c in doc.meta.get("commands", [])):
            out.append("command llamafactory-cli")
        keys = doc.keys()
        out += [f"key {k}" for k in sorted(keys & LF_STRONG)]
        out += [f"weak key {k}" for k in sorted(keys & LF_WEAK)]
        return tuple(out)

    def key_policy(self, doc: Document) -> kk.KeyPolicy | None:
        """Near misses of LLaMA-Factory's argument classes (0.7.1-0.9.5) or TrainingArguments, at
        ``warning``; TRL and PEFT keys are accepted (never suggested)."""
        keys = {k for k in doc.keys() if isinstance(k, str)}
        suggest = kk.LLAMAFACTORY.consistent_with(keys) | kk.TRAINING_ARGUMENTS.consistent_with(keys) | kk.SEQ2SEQ.keys
        return kk.KeyPolicy(kk.LLAMAFACTORY, self.known_keys | kk.TRL.keys | kk.PEFT_LORA.keys, suggest)

    def fills_defaults(self, doc: Document) -> bool:
        """LLaMA-Factory always parses with ``HfArgumentParser``: HF defaults apply."""
        return True

    def normalize(self, doc: Document, ctx: Context) -> TrainingPlan:
        """As :class:`HfTrainer`, but YAML/JSON are read by OmegaConf (``1e-4`` is a float)."""
        plan = super().normalize(doc, ctx)
        plan.loader = "argparse" if doc.fmt == "shell" else "omegaconf"
        return plan

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """HF semantics, then the stage (default ``sft``) and LoRA defaults: finetuning_type lora, rank 8,
        alpha = 2 × rank."""
        super().refine(doc, root, plan, ctx)
        stage = root.get("stage")
        if stage is not None and isinstance(stage.value, str):
            self.take(plan, "run.stage", stage, "stage", convert=normalize_stage)
        else:  # FinetuningArguments.stage defaults to "sft"
            self.put(plan, "run.stage", "sft", plan.get("optimizer.lr"), "stage")
        ft = root.get("finetuning_type")
        if ft is not None and isinstance(ft.value, str):
            pv = self.take(plan, "lora.enabled", ft, "finetuning_type")
            pv.value = ft.value.strip().lower() in _ADAPTER_TYPES
            if ft.value.strip().lower() in _FULL_TYPES and not any(
                    root.get(k) is not None and root.get(k).value is True for k in _OTHER_UPDATE_RULES):
                self.put(plan, "finetune.full", True, ft, "finetuning_type", default=False)
        else:
            self.put(plan, "lora.enabled", True, plan.get("optimizer.lr"), "finetuning_type")
        if not plan.value("lora.enabled"):
            return
        if not plan.has("lora.r"):
            self.put(plan, "lora.r", 8, plan.get("lora.enabled"), "lora_rank")
        if not plan.has("lora.alpha"):
            r = plan.get("lora.r")
            if r is not None and r.resolved:
                self.put(plan, "lora.alpha", 2 * r.value, r, "lora_alpha")
        if not plan.has("lora.dropout"):
            self.put(plan, "lora.dropout", 0.0, plan.get("lora.r"), "lora_dropout")


DIALECT = LlamaFactory()
