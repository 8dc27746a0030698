"""duplicate-key (STL001): the same key twice in one mapping.

### What it does
Reports a key that appears twice in the same mapping of a YAML, JSON or Python
``dict(...)`` config.

### Why is this bad?
PyYAML, ``json`` and Python keep the **last** value silently. Whoever edits the
first occurrence (say, lowers the learning rate after a divergence) changes
nothing, and the run repeats the failure.

### Example
```yaml
learning_rate: 2.0e-5
per_device_train_batch_size: 8
learning_rate: 2.0e-4
```

### Use instead
```yaml
learning_rate: 2.0e-5
per_device_train_batch_size: 8
```

### References
- PyYAML constructs mappings with the last value winning (``yaml/constructor.py``); the YAML 1.2 spec requires keys to be unique.
- yamllint's ``key-duplicates`` rule; RFC 8259 §4 ("names within an object SHOULD be unique").
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from .base import Caught, Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding per duplicated key recorded by the loaders, at the second occurrence."""
    for doc in plan.documents:
        for issue in doc.issues:
            if issue.kind != "duplicate-key":
                continue
            key = issue.key_path.rsplit(".", 1)[-1]
            yield Finding(
                code=RULE.code, rule=RULE.name, severity=RULE.severity,
                message=f"duplicate key '{key}' ({issue.detail}); the last value silently wins",
                path=issue.path or doc.path, line=issue.line, column=issue.column,
                field=issue.key_path, dialect=plan.dialect,
                hint="delete one of the two entries so the value you edit is the value that is used",
            )


RULE = Rule(
    code="STL001", name="duplicate-key", severity="error",
    summary="The same key appears twice in one mapping; the last value silently wins.",
    check=check, doc=__doc__,
    caught=(
        Caught('Lightning CLI trainer.callbacks written as one mapping with class_path/init_args twice: EarlyStopping silently dropped, ModelCheckpoint kept',
               'UTNuclearRoboticsPublic/assembly_glovebox_dataset training/training_configs/unet_gs.yml@96415532a4', 'config', ''),
        Caught('maskrcnn-benchmark config with the MODEL.RESNETS mapping written twice: the block holding BACKBONE_OUT_CHANNELS 256 was dropped and the models trained with the default 1024 channels',
               'https://github.com/facebookresearch/maskrcnn-benchmark/pull/545', 'thread', 'tests/caught/duplicate-key__maskrcnn-benchmark-545.yaml'),
    ),
)
