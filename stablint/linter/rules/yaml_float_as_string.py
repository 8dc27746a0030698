"""yaml-float-as-string (STL002): a number the framework's own loader reads as a string.

### What it does
Reports numeric hyperparameters written like ``1e-4`` or ``5e-05`` in a YAML file
that the framework loads with PyYAML (YAML 1.1), or numbers quoted as strings,
when the framework does not convert them back. Loader-aware: files read by
OmegaConf (Hydra, torchtune, LLaMA-Factory, and custom YAML with ``${...}``
interpolation), jsonargparse (Lightning CLI, flat or ``fit:``-nested; its
``DefaultLoader`` float resolver accepts ``1e-4``), ruamel (YAML 1.2), yacs
(detectron2) or JSON/TOML/Python get a float and are not reported. An error only
where the framework's loader is certain and the string reaches the trainer
(ultralytics ``yaml_load``, ``HfArgumentParser.parse_yaml_file``); where the loader
is only the likeliest one (a custom script's YAML, a TRL recipe that ``TrlParser``
may read, which converts typed fields) the finding is ``info``
(``unknown_loader_severity``).

### Why is this bad?
PyYAML's float pattern needs a dot **and** a signed exponent, so ``1e-4`` loads as
the string ``"1e-4"``. Depending on the code it then crashes at the first
comparison (``torch.optim`` checks ``0.0 <= lr``), or, worse, is formatted into
a path, compared as a string, or multiplied (``"1e-4" * 2``) without an error.

### Example
```yaml
model_name_or_path: gpt2
output_dir: out
learning_rate: 1e-4
per_device_train_batch_size: 8
```

### Use instead
```yaml
model_name_or_path: gpt2
output_dir: out
learning_rate: 1.0e-4
per_device_train_batch_size: 8
```

### References
- PyYAML float resolver: ``yaml/resolver.py:178-184`` (research/dialects.md §1).
- OmegaConf adds a YAML 1.2 float resolver (``omegaconf/_yaml.py:259-273``); LLaMA-Factory fixed the same pitfall in PR #8505.
- jsonargparse ``_loaders_dumpers.py`` ``get_yaml_default_loader`` replaces PyYAML's float resolver (omni-us/jsonargparse@02e418c).
- TRL ``TrlParser.set_defaults_with_config`` (``trl/scripts/utils.py``): YAML values become argparse defaults, which argparse converts with the field's type.
- transformers ``HfArgumentParser.parse_yaml_file`` uses ``yaml.safe_load`` without type coercion.
"""

from __future__ import annotations

from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from .base import Caught, Rule

#: loaders that leave ``1e-4`` a string (research/dialects.md §1)
_STRING_LOADERS = {"pyyaml"}


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """Canonical fields marked ``as_string`` by the dialect, plus (for non-coercing
    PyYAML dialects) every other plain ``1e-4``-style scalar in the file."""
    seen: set[tuple[str, int, int]] = set()
    unsure = not plan.loader_known
    severity = options["unknown_loader_severity"] if unsure else RULE.severity
    maybe = " (if the file is read with PyYAML; its loader is not certain)" if unsure else ""
    for name, pv in plan.items():
        values = pv.value.values() if name == "loss.weights" and isinstance(pv.value, dict) else [pv]
        for item in values:
            if item.as_string and item.source is not None:
                seen.add((item.source.path, item.source.line, item.source.column))
                raw = item.raw or str(item.value)
                yield RULE.finding(
                    plan, name, f"'{item.source.key}: {raw}' is read as the string {raw!r}, not a number, by {plan.dialect}'s YAML 1.1 loader{maybe}",
                    pv=item, hint=f"write it with a dot and a signed exponent, e.g. {_fixed(raw)}",
                    fix={"field": name, "key": item.source.key, "value": _fixed(raw)}, severity=severity,
                )
    if plan.loader not in _STRING_LOADERS or plan.coerces or plan.dialect == "unknown":
        return
    if not options.get("all_keys", True):
        return
    for doc in plan.documents:
        for issue in doc.issues:
            if issue.kind != "yaml11-float-string":
                continue
            src = (issue.path or doc.path, issue.line, issue.column)
            key = issue.key_path
            # the finding points at the key: find its line via the value line
            if any(s[0] == src[0] and s[1] == src[1] for s in seen):
                continue
            yield Finding(
                code=RULE.code, rule=RULE.name,
                severity=options["unknown_loader_severity"] if unsure else options.get("other_keys_severity", "warning"),
                message=f"'{key}: {issue.detail}' is read as the string {issue.detail!r}, not a number, by {plan.dialect}'s YAML 1.1 loader{maybe}",
                path=src[0], line=issue.line, column=issue.column, field=key, dialect=plan.dialect,
                hint=f"write it as {_fixed(issue.detail)}",
            )


def _fixed(raw: str) -> str:
    """``1e-4`` → ``1.0e-4``; ``5e-05`` → ``5.0e-05``; other strings unchanged."""
    s = raw.strip().strip("'\"")
    mant, sep, exp = s.lower().partition("e")
    if not sep:
        return s
    if "." not in mant:
        mant += ".0"
    if exp and exp[0] not in "+-":
        exp = "+" + exp
    return f"{mant}e{exp}"


RULE = Rule(
    code="STL002", name="yaml-float-as-string", severity="error",
    summary="A numeric hyperparameter that the framework's YAML 1.1 loader reads as a string (1e-4).",
    check=check, doc=__doc__,
    options={"all_keys": True, "other_keys_severity": "warning", "unknown_loader_severity": "info"},
    caught=(
        Caught("FR-UNet config.yaml optimizer lr 1e-4 read as a string by PyYAML: torch.optim raised TypeError '<=' not supported between 'float' and 'str' (info: the loader is not certain)",
               'https://github.com/lseventeen/FR-UNet/issues/10', 'thread', 'tests/caught/yaml-float-as-string__fr-unet-10.yaml'),
        Caught("deep-clustering trainer lr 1e-5 read as a string by PyYAML yaml.load: torch.optim.RMSprop raised TypeError '<=' not supported, fixed by writing 1.0e-5 (info: the loader is not certain)",
               'https://github.com/funcwj/deep-clustering/issues/3', 'thread', 'tests/caught/yaml-float-as-string__deep-clustering-3.yaml'),
    ),
)
