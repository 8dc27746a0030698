"""The training objective (``run.stage``): normalized names and what a launch script shows.

Rules exempt preference and RL stages from thresholds calibrated on supervised
fine-tuning (``batch-size-one``, ``lora-scaling-too-low``), so a dialect fills
``run.stage`` wherever the file itself says which objective runs:

* LLaMA-Factory ``stage: pt|sft|rm|ppo|dpo|kto`` (``hparams/finetuning_args.py``),
* axolotl ``rl: dpo|ipo|kto|orpo|simpo|grpo`` and ``reward_model: true``,
* torchtune: the recipe's ``loss._component_`` (``DPOLoss``, ``PPOLoss``, ``GRPO*Loss``)
  or its RL-only keys (``grpo_samples``, ``ppo_epochs``),
* DeepSpeed-Chat: the step directory of the script (``step2_dpo_finetuning``,
  ``step3_rlhf_finetuning``...) or the step-3 actor/critic flags,
* TRL launch scripts: the script (``trl/scripts/dpo.py``) or the ``trl <command>`` CLI,
* TRL config files (YAML/JSON read by ``TrlParser``): the offline preference trainers' fields
  (:func:`trl_config_stage`).

Helper module (not a dialect; not in ``DIALECT_MODULES``).
"""

from __future__ import annotations

import os
import re

from ..document import Document

#: Stage names as frameworks write them → the canonical ``run.stage`` value.
STAGE_ALIASES: dict[str, str] = {
    "pt": "pretrain", "pretrain": "pretrain", "pretraining": "pretrain",
    "sft": "sft", "rm": "rm", "reward": "rm", "reward_modeling": "rm", "reward_model": "rm",
    "ppo": "ppo", "rlhf": "ppo", "dpo": "dpo", "kto": "kto", "orpo": "orpo", "simpo": "simpo",
    "grpo": "grpo", "ipo": "ipo", "rloo": "rloo", "cpo": "cpo",
}

#: DeepSpeed-Chat step directories (DeepSpeedExamples ``applications/DeepSpeed-Chat/training/``).
_DS_CHAT_STEPS = {"supervised": "sft", "reward_model": "rm", "dpo": "dpo", "rlhf": "ppo"}
_DS_CHAT_RE = re.compile(r"step[123]_(supervised|reward_model|dpo|rlhf)_finetuning")
#: TRL example scripts / ``trl`` CLI sub-commands → stage (trl ``trl/scripts/*.py``).
_TRL_CLI_RE = re.compile(r"(?:^|[\s;&|])trl\s+([a-z_]+)\b")
_TRL_SCRIPTS = {"sft": "sft", "dpo": "dpo", "ppo": "ppo", "grpo": "grpo", "kto": "kto", "orpo": "orpo",
                "cpo": "cpo", "rloo": "rloo", "reward_modeling": "rm", "reward": "rm"}


def normalize_stage(raw: object) -> str | None:
    """Canonical stage of a written name (``"pt"`` → ``"pretrain"``, ``"DPO"`` → ``"dpo"``).

    Unknown names are returned lower-cased and stripped (rules compare against
    their own lists); ``None`` for non-strings and empty strings.
    """
    if not isinstance(raw, str) or not raw.strip():
        return None
    name = raw.strip().lower()
    return STAGE_ALIASES.get(name, name)


def ds_chat_stage(doc: Document) -> str | None:
    """DeepSpeed-Chat stage from the script's launch command or its own path.

    The ``training_scripts/`` of each step call ``deepspeed main.py`` from inside the
    step directory, so the directory name in the script's path is what identifies the
    step (``step2_dpo_finetuning`` → ``dpo``, ``step3_rlhf_finetuning`` → ``ppo``).
    A path flattened with ``__`` (the test corpus) matches too.
    """
    texts = list(doc.meta.get("commands", [])) + [str(p) for p in doc.meta.get("positional", [])] + [doc.path]
    for text in texts:
        m = _DS_CHAT_RE.search(text)
        if m:
            return _DS_CHAT_STEPS[m.group(1)]
    return None


def trl_stage(doc: Document) -> str | None:
    """TRL stage from a launch script: ``trl dpo ...`` or a script named like ``dpo.py``/``grpo.py``.

    Only the launched script counts (the first ``*.py`` of the commands or of their
    positional arguments, as in ``accelerate launch trl/scripts/dpo.py``), or the ``trl``
    CLI sub-command; other file names are ignored. ``sft.py`` counts only under ``trl/``.
    """
    for line in (doc.text or "").splitlines():  # the ``trl`` CLI (not a launcher the shell loader records)
        m = _TRL_CLI_RE.search(line.split("#", 1)[0])
        if m and _TRL_SCRIPTS.get(m.group(1).lower()):
            return _TRL_SCRIPTS[m.group(1).lower()]
    words: list[str] = []
    for cmd in doc.meta.get("commands", []):
        words += cmd.split()
    words += [str(p) for p in doc.meta.get("positional", [])]
    script = next((w for w in words if w.endswith(".py")), None)
    if script is None:
        return None
    stem = os.path.basename(script)[:-3].lower()
    if "trl" in script.split("/") or stem in ("dpo", "ppo", "grpo", "kto", "orpo", "cpo", "rloo", "reward_modeling"):
        return _TRL_SCRIPTS.get(stem)
    return None


#: Fields only the online trainers have (GRPO, RLOO, Online DPO, PPO: trl ``grpo_config.py``,
#: ``online_dpo_config.py``) and open-r1's ``reward_funcs``: a file with one is not an offline preference run.
_TRL_ONLINE = frozenset({"num_generations", "use_vllm", "reward_funcs", "max_new_tokens", "missing_eos_penalty",
                         "vllm_mode", "vllm_gpu_memory_utilization", "num_ppo_epochs", "reward_model_path"})
#: ``KTOConfig`` only (trl ``kto_config.py``, v0.9-v1.9).
_TRL_KTO = frozenset({"desirable_weight", "undesirable_weight"})
#: ``BCOConfig`` only (trl ``bco_config.py``): no canonical stage.
_TRL_BCO = frozenset({"prompt_sample_size", "min_density_ratio", "max_density_ratio"})
#: ``CPOConfig`` only (trl ``cpo_config.py``).
_TRL_CPO = frozenset({"cpo_alpha", "simpo_gamma"})
#: ``DPOConfig`` only, in some release between v0.9 and v1.9 (fields of ``dpo_config.py`` in no other
#: ``*_config.py`` of the same release; computed from the trl tags).
_TRL_DPO = frozenset({"rpo_alpha", "reference_free", "ref_model_mixup_alpha", "ref_model_sync_steps", "sync_ref_model",
                      "f_divergence_type", "f_alpha_divergence_coef", "force_use_ref_model", "discopop_tau",
                      "ld_alpha", "use_weighting", "precompute_ref_batch_size"})
#: ``DPOConfig.loss_type`` values (trl ``dpo_config.py``; ``kto_pair`` in releases before v0.12).
_DPO_LOSSES = frozenset({"sigmoid", "hinge", "ipo", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard", "aot",
                         "aot_pair", "aot_unpaired", "discopop", "apo_zero", "apo_down", "kto_pair", "sigmoid_norm"})


def trl_config_stage(doc: Document) -> str | None:
    """The objective of a TRL offline preference config (YAML/JSON parsed into ``DPOConfig``/``KTOConfig``/
    ``ORPOConfig``/``CPOConfig``), from its fields.

    Needs both ``beta`` and ``max_prompt_length`` at the top level (v0.9-v1.x of those four configs have
    both; ``SFTConfig`` and ``TrainingArguments`` have neither) and none of the online trainers' fields
    (GRPO/Online DPO also have ``beta``). Then ``kto`` with KTO's weights, ``cpo``/``simpo`` with CPO's
    fields, ``dpo`` with a DPO-only field or a DPO ``loss_type``, and ``preference`` otherwise (an
    alignment-handbook ``dpo/config_full.yaml`` and an ``ORPOConfig`` file carry the same fields).
    ``None`` for BCO and anything else.
    """
    keys = {k for k in doc.keys() if isinstance(k, str)}
    if not {"beta", "max_prompt_length"} <= keys or keys & _TRL_ONLINE or keys & _TRL_BCO:
        return None
    if keys & _TRL_KTO:
        return "kto"
    loss = doc.root.get("loss_type")
    loss_name = loss.value.strip().lower() if loss is not None and isinstance(loss.value, str) else None
    if keys & _TRL_CPO:
        return "simpo" if loss_name == "simpo" else "cpo"
    if keys & _TRL_DPO or (loss_name in _DPO_LOSSES):
        return "dpo"
    return "preference"
