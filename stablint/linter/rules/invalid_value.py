"""invalid-value (STL003): a canonical value outside its valid range.

### What it does
Validates the normalized TrainingPlan against its JSON Schema
(``stablint/schemas/training_plan.schema.json``): learning rate > 0, dropout in
[0, 1), batch sizes >= 1, ReduceLROnPlateau factor in (0, 1), betas in [0, 1) ...
A framework default (provenance ``framework_default``) is never reported: it is not the
file's mistake, and dialects derive nothing from defaults.

### Why is this bad?
Some of these fail at start-up, after the model and data have loaded (often
minutes on a cluster); others do not fail at all: ``lora_dropout: 1.0`` zeroes
every adapter input and the run trains nothing for its whole budget.

### Example
```yaml
base_model: meta-llama/Llama-3.2-1B
adapter: lora
lora_r: 16
lora_alpha: 32
lora_dropout: 1.0
learning_rate: 0.0002
micro_batch_size: 2
```

### Use instead
```yaml
base_model: meta-llama/Llama-3.2-1B
adapter: lora
lora_r: 16
lora_alpha: 32
lora_dropout: 0.05
learning_rate: 0.0002
micro_batch_size: 2
```

### References
- torch.optim argument checks ("Invalid learning rate", "Invalid beta parameter"); torch.nn.Dropout (p in [0, 1]).
- torch.optim.lr_scheduler.ReduceLROnPlateau ("Factor should be < 1.0").
- PEFT ``LoraConfig`` (r positive).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator

from ..finding import Finding
from ..plan import TrainingPlan
from .base import Caught, Rule


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The TrainingPlan JSON Schema shipped in ``stablint/schemas/``."""
    from ...schemas import load_schema

    return load_schema("training_plan.schema.json")


@lru_cache(maxsize=1)
def _validator():
    import jsonschema  # lazy: jsonschema costs ~0.1 s to import

    cls = jsonschema.validators.validator_for(schema())
    return cls(schema())


#: JSON Schema keywords :func:`maybe_invalid` understands; tests/test_invalid_value.py
#: checks that the shipped schema uses no others.
FAST_KEYWORDS = frozenset({"$schema", "$id", "title", "description", "type", "properties", "additionalProperties",
                           "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum", "minItems",
                           "maxItems", "items", "minLength"})
_TYPES = {"number": (int, float), "integer": (int,), "string": (str,), "boolean": (bool,),
          "array": (list, tuple), "object": (dict,)}


def maybe_invalid(value: Any, sch: dict[str, Any]) -> bool:
    """Conservative pre-check: ``False`` only when ``value`` certainly satisfies ``sch``.

    Lets the lint path skip importing jsonschema (~0.1-0.4 s, issue 7 cold-start
    goal) for the common case of a valid plan; jsonschema stays the authority for
    every reported error. Unknown keywords make it answer ``True`` (validate for real).
    """
    if any(k not in FAST_KEYWORDS for k in sch):
        return True
    if "type" in sch:
        names = sch["type"] if isinstance(sch["type"], list) else [sch["type"]]
        ok = False
        for n in names:
            if n in ("number", "integer") and isinstance(value, bool):
                continue
            if n == "integer" and isinstance(value, float) and value.is_integer():
                ok = True
            elif isinstance(value, _TYPES.get(n, ())):
                ok = True
        if not ok:
            return True
    if "enum" in sch and value not in sch["enum"]:
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value:  # NaN fails every numeric bound in jsonschema's eyes? let it decide
            return True
        if "minimum" in sch and not value >= sch["minimum"]:
            return True
        if "maximum" in sch and not value <= sch["maximum"]:
            return True
        if "exclusiveMinimum" in sch and not value > sch["exclusiveMinimum"]:
            return True
        if "exclusiveMaximum" in sch and not value < sch["exclusiveMaximum"]:
            return True
    if isinstance(value, str) and "minLength" in sch and len(value) < sch["minLength"]:
        return True
    if isinstance(value, (list, tuple)):
        if len(value) < sch.get("minItems", 0) or len(value) > sch.get("maxItems", len(value)):
            return True
        if "items" in sch and any(maybe_invalid(v, sch["items"]) for v in value):
            return True
    if isinstance(value, dict):
        props = sch.get("properties", {})
        extra = sch.get("additionalProperties", True)
        for k, v in value.items():
            sub = props.get(k, extra)
            if sub is False:
                return True
            if isinstance(sub, dict) and maybe_invalid(v, sub):
                return True
    return False


def plain(value: Any) -> Any:
    """``value`` with loader :class:`~stablint.linter.document.Node` wrappers removed (recursively)."""
    from ..document import Node

    if isinstance(value, Node):
        return plain(value.value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def shown(value: Any) -> str:
    """A value as the user wrote it: numbers and strings as in YAML/JSON, containers in JSON style."""
    import json

    value = plain(value)
    if isinstance(value, (dict, list)):
        try:
            return json.dumps(value, default=str)
        except (TypeError, ValueError):
            return str(value)
    return repr(value) if isinstance(value, str) else str(value)


_TYPE_WORDS = {"number": "a number", "integer": "a whole number", "string": "a string", "boolean": "true or false",
               "array": "a list", "object": "a mapping"}


def reason(err) -> str:
    """Our own sentence for one schema violation (never jsonschema's wording or its reprs)."""
    v, kind = err.validator_value, err.validator
    if kind == "type":
        names = v if isinstance(v, list) else [v]
        return "must be " + " or ".join(_TYPE_WORDS.get(n, n) for n in names)
    words = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
    if kind in words:
        return f"must be {words[kind]} {v}"
    if kind == "enum":
        return "must be one of " + ", ".join(map(shown, v))
    if kind == "minItems":
        return f"needs at least {v} item{'s' if v != 1 else ''}"
    if kind == "maxItems":
        return f"takes at most {v} item{'s' if v != 1 else ''}"
    if kind == "minLength":
        return "must not be empty" if v == 1 else f"needs at least {v} characters"
    return f"violates '{kind}: {v}'"


def check(plan: TrainingPlan, options: dict[str, Any]) -> Iterator[Finding]:
    """One finding per schema violation, at the offending field.

    A *type* mismatch on a structured value (a mapping or list where the schema expects
    something else, e.g. ``betas: {b1: 0.9, b2: 0.999}``) is not reported: it means the
    dialect met a layout it does not read, not that the value is out of range.
    """
    instance = plan.to_json()
    if not instance or not maybe_invalid(instance, schema()):
        return
    for err in sorted(_validator().iter_errors(instance), key=lambda e: list(e.absolute_path)):
        path = list(err.absolute_path)
        name = str(path[0]) if path else ""
        pv = plan.get(name)
        if pv is None or (pv.source is not None and pv.source.framework_default):
            continue  # a framework default is not the file's mistake (and nothing is derived from one)
        value = plain(err.instance)
        if err.validator == "type" and isinstance(value, (dict, list)):
            continue
        if name == "loss.weights" and len(path) > 1 and isinstance(pv.value, dict):
            pv = pv.value.get(str(path[1]), pv)
        key = pv.source.key if pv.source else name
        if len(path) > 1 and name != "loss.weights":
            key += "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[1:])
        yield RULE.finding(
            plan, name, f"{key} = {shown(value)} is invalid: it {reason(err)}",
            pv=pv, hint=err.schema.get("description") or schema().get("properties", {}).get(name, {}).get(
                "description", "the valid ranges: stablint/schemas/training_plan.schema.json"),
        )


RULE = Rule(
    code="STL003", name="invalid-value", severity="error",
    summary="A hyperparameter outside its valid range (lr <= 0, dropout >= 1, batch 0, ...).",
    check=check, doc=__doc__,
    caught=(
        Caught("OpenGait optimizer_cfg betas written (0.9, 0.999), a YAML string: torch.optim.Adam raised TypeError '<=' not supported between 'float' and 'str'",
               'https://github.com/ShiqiYu/OpenGait/issues/119', 'thread', 'tests/caught/invalid-value__opengait-119.yaml'),
    ),
)
