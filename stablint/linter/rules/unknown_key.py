"""unknown-key (STL004): a top-level key the framework does not know, usually a typo.

### What it does
Checks the top-level keys of a file against the key set of its framework **family and
releases** (``Dialect.key_policy``; the sets are generated from the frameworks' own
sources by ``tools/gen_known_keys.py`` into ``stablint/linter/dialects/known_keys.json``,
each release recorded with its version and wheel hash or git commit): transformers
``TrainingArguments`` 4.20-5.25, TRL configs 0.8-1.16, PEFT ``LoraConfig`` 0.4-0.21,
LLaMA-Factory 0.7-0.9, ultralytics ``default.yaml`` 8.0-8.4 (YOLOv8+), yolov5 hyp files,
detectron2 top-level nodes. A key another release of the family (or a neighbouring
family whose parser reads the same file: TRL configs extend ``TrainingArguments``) knows
is accepted. "Did you mean" proposes only a key of the file's own family, from the
releases consistent with its other keys, and says which releases have it. Where the
framework accepts no other key (ultralytics ``check_dict_alignment``, a hand-written PEFT
``LoraConfig``) every unknown key is reported; elsewhere only near misses (``cutoff``,
default 0.8) that are not a known key with an affix added or a whole ``_word`` dropped
(``hub_model_revision``, ``dataset_configs``, ``chat_template`` are how subclasses and other
scripts name their own fields; a typo drops or swaps letters: ``warmup_epoch``). The finding is ``info``
where the family or release is a guess: a yolov5-style hyp file (its generation is not
stated; it is never checked against YOLOv8 arguments), a TRL config, a file the framework
wrote itself (ultralytics ``args.yaml``, PEFT ``adapter_config.json``: a newer release adds
keys); a ``TrainingArguments`` dump (``training_args.json``) is not checked at all. Shell
launch scripts are checked only for framework CLIs that take the config keys as flags
(the dialect's ``cli_flags_are_keys``: ``llamafactory-cli``, ``yolo``).

### Why is this bad?
Depending on the framework a misspelled key aborts the run at startup (HF
``parse_dict``, yacs, ultralytics) or is silently dropped (PEFT, free-form
scripts), in which case the run trains with the default value: ``lr_scheduler_typ:
cosine`` trains with a linear schedule, ``warmup_epoch: 5`` with the default warmup.

### Example
```yaml
model: yolov8n.pt
data: coco128.yaml
epochs: 100
lr0: 0.01
lrf: 0.01
mosaic: 1.0
warmup_epoch: 5
```

### Use instead
```yaml
model: yolov8n.pt
data: coco128.yaml
epochs: 100
lr0: 0.01
lrf: 0.01
mosaic: 1.0
warmup_epochs: 5
```

### References
- ``tools/gen_known_keys.py`` and ``known_keys.json`` (sources of every key set, per release).
- research/existing_checks.md A.0 ("unknown key / typo" row), A.1 (HF ``parse_dict``), A.2 (PEFT drops unknown keys with a warning), A.4 (LLaMA-Factory), A.9 (yacs ``Non-existent config key``), A.11 (ultralytics ``check_dict_alignment``: "Similar arguments are i.e. [...]").
- ruff/yamllint convention of suggesting the closest valid name (research/linter_anchors.md).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from .base import Caught, Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding per unknown top-level key of the linted file (not of its base files).

    Reads the dialect's :meth:`~stablint.linter.dialects.base.Dialect.key_policy` for the
    file (which key set, of which family and releases, and how sure) and its
    ``cli_flags_are_keys`` fact, through :func:`~stablint.linter.dialects.facts_of`.
    """
    from ..dialects import facts_of  # lazy: `stablint rules`/`explain` need no dialects

    facts = facts_of(plan)
    if not plan.documents:
        return
    doc = plan.documents[0]
    root = doc.root
    if not root.is_mapping or not isinstance(root.value, dict):
        return
    if doc.fmt == "shell" and not facts.cli_flags_are_keys:
        return  # flags of a user's own train.py: its argument classes are unknown
    policy = facts.key_policy(doc)
    if policy is None:
        return
    ignore = set(options["ignore"])
    suggest = sorted(policy.suggest)
    for key, node in root.value.items():
        if not isinstance(key, str) or key in policy.known or key in ignore:
            continue
        import difflib  # lazy: only an unknown key needs it (cold-start budget, issue 7)

        match = difflib.get_close_matches(key, suggest, n=1, cutoff=options["cutoff"])
        if match and _is_variant(key, match[0]):
            match = []
        if not match and not policy.closed:
            continue
        family = policy.family
        span = f" {family.span()}" if family.span() else ""
        message = f"unknown key '{key}' for {family.label}{span}"
        if match:
            message += f"; did you mean '{match[0]}'{family.where(match[0])}?"
        if policy.why:
            message += f" ({policy.why})"
        line, col = node.anchor
        severity = RULE.severity if policy.severity == "warning" else policy.severity
        yield Finding(
            code=RULE.code, rule=RULE.name, severity=severity,
            message=message, path=node.path or doc.path, line=line, column=col, field=key, dialect=plan.dialect,
            hint=(f"rename it to '{match[0]}'" if match else "remove it or check the framework version"),
            fix={"key": key, "value": match[0]} if match and severity != "info" else None,
        )


def _is_variant(key: str, known: str) -> bool:
    """True when ``key`` is ``known`` with something added (``dataset_configs``, ``hub_model_revision``)
    or with a whole ``_word`` dropped (``chat_template`` for ``chat_template_path``): how subclasses and
    other scripts name their own fields. A typo drops or swaps letters (``lr_scheduler_typ``,
    ``warmup_epoch``, ``lora_traget``)."""
    if known in key:
        return True
    if key in known:
        rest = known.replace(key, "", 1)
        return "_" in rest
    return False


RULE = Rule(
    code="STL004", name="unknown-key", severity="warning",
    summary="A top-level key the framework does not know (closed key sets only), with a did-you-mean suggestion.",
    check=check, doc=__doc__,
    options={"cutoff": 0.8, "ignore": ["defaults", "_base_", "_BASE_"]},
    retired_options={
        "closed_dialects": "whether a framework accepts keys outside its set is now a dialect fact "
                           "(Dialect.unknown_keys)",
        "shell_dialects": "whether a framework's CLI takes its config keys as flags is now a dialect fact "
                          "(Dialect.cli_flags_are_keys)",
    },
    caught=(
        Caught('training_args.json with lr_scheduler (not a Seq2SeqTrainingArguments field; lr_scheduler_type is) filtered through dataclasses.fields: silently dropped (info)',
               'DariusCatrina/MMutliBART-benchmark training_args.json@2df36c3cd1', 'config', ''),
    ),
)
