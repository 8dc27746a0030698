"""base-not-found (STL006): an inherited config file (``_base_``, ``_BASE_``, a Hydra defaults entry) is missing.

### What it does
Reports, at ``info`` level, each file a config inherits from that stablint could not
find: an mmengine/mmcv ``_base_`` entry (or ``read_base()`` import), a detectron2
``_BASE_``, or a non-optional Hydra ``defaults:`` entry. Paths are resolved the way
each framework resolves them (relative to the config for ``_base_``/``_BASE_``; the
config root for Hydra, see the hydra dialect). The rest of the file is still linted
from what it states, and the message says so.

Hydra ``optional`` entries, ``null``/``???`` choices and Hydra's own ``hydra/...``
groups are not reported: Hydra itself drops or supplies them without a word.

### Why is this bad?
A config that inherits its schedule, optimizer or batch size from a base file is
only half a config without it. stablint then sees only the values the child states:
it cannot check what the base sets, and frameworks' defaults are not filled in (the
base would have overridden them). Without this note a linter that says nothing looks
like a linter that found nothing wrong. Often the cause is linting a file copied out
of its repository, or a base path that moved.

### Example
```python
_base_ = ['../_base_/schedules/schedule_1x.py']
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001))
```

### Use instead
```python
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001))
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[8, 11], gamma=0.1)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)
```

### References
- mmengine ``Config._file2dict``: ``_base_`` files load relative to the config (mmengine ``config/config.py``); detectron2/fvcore ``CfgNode.load_yaml_with_base`` for ``_BASE_``.
- Hydra's defaults list: hydra@2c03d1b ``hydra/_internal/defaults_list.py`` (a missing ``optional`` entry is dropped, any other is an error); ``website/docs/advanced/defaults_list.md``.
- ruff/mypy report an unresolved import instead of skipping the module silently (research/linter_anchors.md).
"""

from __future__ import annotations

import os
from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from .base import Caught, Rule


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding per missing inherited file, at the line that names it (``plan.missing_bases``)."""
    for m in plan.missing_bases:
        src = m.source
        what = "could not be loaded" if os.path.isfile(m.tried) else "not found"
        yield Finding(
            code=RULE.code, rule=RULE.name, severity=RULE.severity,
            message=f"inherited config {what}: {m.ref} (looked for {m.tried}); the values it sets are unknown, "
                    "only what the found files state is checked",
            path=src.path, line=src.line, column=src.column, field=src.key, dialect=plan.dialect,
            hint="lint from the repository that holds the base files, or fix the path",
        )


RULE = Rule(
    code="STL006", name="base-not-found", severity="info",
    summary="An inherited config file (_base_, _BASE_, Hydra defaults entry) was not found; only the rest is checked.",
    check=check, doc=__doc__,
    caught=(
        Caught('detectron2 config with _BASE_ at an absolute Colab path /content/Base-RCNN-FPN.yaml: merge_from_file raised FileNotFoundError outside Colab',
               'https://github.com/Psarpei/Multi-Type-TD-TSR/issues/14', 'thread', 'tests/caught/base-not-found__multi-type-td-tsr-14.yaml'),
    ),
)
