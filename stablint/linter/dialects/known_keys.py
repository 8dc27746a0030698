"""Top-level key sets of the frameworks, per framework *and version*, for ``unknown-key`` (STL004).

The sets are read from ``known_keys.json``, which ``tools/gen_known_keys.py`` generates from
the frameworks' own sources (never by hand): the dataclass fields that ``__init__`` accepts,
read with ``ast`` from the released PyPI wheels (each source records the version, the
wheel's file name and its sha256), or YAML/``_C`` keys from git tags (each source records
the tag and commit). One :class:`KeySet` per family keeps every version apart, so a rule
can tell in which releases a key exists:

- ``TRAINING_ARGUMENTS``: ``transformers.TrainingArguments`` 4.20.1 ... 5.25.0, and
  ``SEQ2SEQ``: ``Seq2SeqTrainingArguments`` (HF ``HfArgumentParser.parse_dict(allow_extra_keys=False)``
  raises on any other key, research/existing_checks.md A.1).
- ``TRL``: every dataclass of ``trl/trainer/*config*.py``, ``trl/scripts/utils.py`` and
  ``trl/commands/cli_utils.py`` of TRL 0.8.6 ... 1.16.0 (``SFTConfig``, ``DPOConfig``,
  ``GRPOConfig`` ... extend ``TrainingArguments``; ``ModelConfig``, ``ScriptArguments``).
- ``PEFT_LORA``: ``LoraConfig`` + ``PeftConfig`` + ``PeftConfigMixin`` of PEFT 0.4.0 ... 0.21.2
  (unknown ``adapter_config.json`` keys are dropped with a warning, existing_checks.md A.2).
- ``LLAMAFACTORY``: every dataclass of ``llamafactory/hparams/*.py``, 0.7.1 ... 0.9.5
  (its parser raises "Some specified arguments are not used", existing_checks.md A.4).
- ``ULTRALYTICS``: ``cfg/default.yaml`` of ultralytics 8.0.0 ... 8.4.190 (YOLOv8 and later)
  plus the old keys ``_handle_deprecation`` still maps or drops; ``check_dict_alignment``
  raises ``SyntaxError`` for any other key (existing_checks.md A.11).
- ``YOLOV5_HYP``: the keys of yolov5's ``data/hyps/hyp.*.yaml`` and ``train.py``'s evolve
  ``meta`` dict, tags v5.0 ... v7.0 and master. These are **not** YOLOv8 arguments: a yolov5
  hyp file is never checked against ``ULTRALYTICS``.
- ``DETECTRON2``: the top-level ``_C.X`` nodes of ``detectron2/config/defaults.py``
  (v0.4.1, v0.6, main) plus ``_BASE_``; yacs raises ``KeyError("Non-existent config key")``
  (existing_checks.md A.9).

``HF_EXAMPLE_ARGUMENTS`` is the one hand-kept list: the ``ModelArguments``/
``DataTrainingArguments`` of transformers ``examples/pytorch/*/run_*.py`` (not in the
wheel). It is only used to *accept* keys (never to suggest one), so an incomplete list
can only make the rule quieter.
"""

from __future__ import annotations

import json
import os

_DATA = os.path.join(os.path.dirname(__file__), "known_keys.json")


class KeySet:
    """One framework family's top-level keys, version by version (a plain class, not a
    dataclass: the lint path's cold start, issue 7).

    Attributes:
        name: the family, as the generator names it (``"transformers.TrainingArguments"``).
        label: how a message names it (``"transformers TrainingArguments"``).
        versions: ``(version, keys)`` pairs in release order (oldest first).
        keys: every key of every version (a key one release renamed is still known).
    """

    __slots__ = ("name", "label", "versions", "keys")

    def __init__(self, name: str, label: str, versions: tuple[tuple[str, frozenset[str]], ...]):
        self.name, self.label, self.versions = name, label, versions
        self.keys: frozenset[str] = frozenset().union(*(k for _, k in versions))

    def span(self) -> str:
        """``"4.20.1-5.25.0"``: the versions the set was read from."""
        first, last = self.versions[0][0], self.versions[-1][0]
        return first if first == last else f"{first}-{last}"

    def versions_of(self, key: str) -> list[str]:
        """The versions (of those read) whose key set holds ``key``, oldest first."""
        return [v for v, keys in self.versions if key in keys]

    def where(self, key: str) -> str:
        """``""`` when every version read has ``key``; ``" (in 4.41.2-5.25.0)"`` when the versions that
        have it are consecutive; else ``" (not in 0.29.1, 1.0.0)"``."""
        have = self.versions_of(key)
        if len(have) == len(self.versions) or not have:
            return ""
        order = [v for v, _ in self.versions]
        first, last = order.index(have[0]), order.index(have[-1])
        if last - first + 1 == len(have):
            return f" (in {have[0]})" if len(have) == 1 else f" (in {have[0]}-{have[-1]})"
        return " (not in " + ", ".join(v for v in order if v not in have) + ")"

    def consistent_with(self, present: set[str]) -> frozenset[str]:
        """Keys of the versions that hold every key of ``present`` that this family knows;
        all keys when no version holds them all (the file mixes releases)."""
        mine = present & self.keys
        fit = [k for _, k in self.versions if mine <= k]
        return frozenset().union(*fit) if fit else self.keys


def _load() -> dict[str, tuple[tuple[str, frozenset[str]], ...]]:
    with open(_DATA, encoding="utf-8") as f:
        data = json.load(f)
    return {name: tuple((s["version"], frozenset(s["keys"])) for s in sources)
            for name, sources in data["sets"].items()}


_SETS = _load()


def _set(name: str, label: str) -> KeySet:
    return KeySet(name, label, _SETS[name])


TRAINING_ARGUMENTS = _set("transformers.TrainingArguments", "transformers TrainingArguments")
SEQ2SEQ = _set("transformers.Seq2SeqTrainingArguments", "transformers Seq2SeqTrainingArguments")
TRL = _set("trl.configs", "TRL trainer configs")
PEFT_LORA = _set("peft.LoraConfig", "PEFT LoraConfig")
LLAMAFACTORY = _set("llamafactory.hparams", "LLaMA-Factory arguments")
ULTRALYTICS = _set("ultralytics.default_yaml", "ultralytics (YOLOv8+) default.yaml")
YOLOV5_HYP = _set("yolov5.hyp", "yolov5 hyp.*.yaml")
DETECTRON2 = _set("detectron2.top_level", "detectron2 top-level config nodes")

HF_EXAMPLE_ARGUMENTS = frozenset({
    'block_size', 'cache_dir', 'config_name', 'config_overrides', 'dataset_config_name', 'dataset_name',
    'dataset_text_field', 'dataset_train_split', 'dataset_test_split', 'forced_bos_token', 'ignore_pad_token_for_loss',
    'keep_linebreaks', 'lang', 'low_cpu_mem_usage', 'max_eval_samples', 'max_predict_samples', 'max_seq_length',
    'max_source_length', 'max_target_length', 'max_train_samples', 'model_name_or_path', 'model_revision',
    'model_type', 'num_beams', 'overwrite_cache', 'pad_to_max_length', 'preprocessing_num_workers', 'source_lang',
    'source_prefix', 'streaming', 'summary_column', 'target_lang', 'task_name', 'test_file', 'text_column', 'token',
    'tokenizer_name', 'torch_dtype', 'train_file', 'trust_remote_code', 'use_auth_token', 'use_fast_tokenizer',
    'val_max_target_length', 'validation_file', 'validation_split_percentage',
})


class KeyPolicy:
    """How ``unknown-key`` treats the top-level keys of one file (from :meth:`Dialect.key_policy`).

    Attributes:
        family: the key set the file is written for (its label and versions go in the message).
        known: every key that is accepted (the family's versions plus the neighbouring
            families whose parsers may read the same file: TRL configs beside
            TrainingArguments, a script's example arguments); never reported.
        suggest: the keys a "did you mean" may propose: the family's own keys only (those
            of the versions consistent with the file's other keys), never a neighbour's.
        closed: True when every key outside ``known`` is a mistake (the framework raises
            or drops it, and the file is certainly for this family); False: only near
            misses of ``suggest`` are reported.
        severity: ``"warning"`` when family and release range are certain, ``"info"`` when
            the family is a guess or the file was written by the framework itself (a newer
            release's dump holds keys no set here has).
        why: one clause for the message when ``severity`` is lowered (``"TRL config: ..."``).
    """

    __slots__ = ("family", "known", "suggest", "closed", "severity", "why")

    def __init__(self, family: KeySet, known: frozenset[str], suggest: frozenset[str], closed: bool = False,
                 severity: str = "warning", why: str = ""):
        self.family, self.known, self.suggest = family, known, suggest
        self.closed, self.severity, self.why = closed, severity, why


def is_dump(keys: set[str], family: KeySet, fraction: float = 0.6) -> bool:
    """True when ``keys`` hold at least ``fraction`` of the smallest version's keys of ``family``:
    a file the framework wrote itself (``TrainingArguments.to_json_string``, ultralytics
    ``args.yaml``, PEFT ``save_pretrained``), where a typo is impossible and every other key
    belongs to a subclass or a newer release."""
    smallest = min(len(k) for _, k in family.versions)
    return len(keys & family.keys) >= fraction * smallest


#: Keys accepted by the HF dialect: TrainingArguments, Seq2Seq, TRL configs, example scripts.
HF_TRAINER = TRAINING_ARGUMENTS.keys | SEQ2SEQ.keys | HF_EXAMPLE_ARGUMENTS | TRL.keys
#: Keys accepted by the LLaMA-Factory dialect (its TrainingArguments extends Seq2SeqTrainingArguments).
LLAMAFACTORY_ALL = TRAINING_ARGUMENTS.keys | SEQ2SEQ.keys | LLAMAFACTORY.keys
#: Keys only yolov5-generation hyp files use: any of them means the file is not a YOLOv8+ cfg.
YOLOV5_ONLY = YOLOV5_HYP.keys - ULTRALYTICS.keys
#: Keys only TRL configs have (not TrainingArguments, not the example scripts').
TRL_ONLY = TRL.keys - TRAINING_ARGUMENTS.keys - SEQ2SEQ.keys - HF_EXAMPLE_ARGUMENTS
