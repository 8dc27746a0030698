"""Per-device sections of a custom config: every section is a possible run (issue 15).

Hand-written training YAML sometimes keeps the hyperparameters that depend on the
accelerator in one mapping per device, the script picking the section for the device
it finds at run time::

    epochs: 50
    learning_rate: 3.0e-4
    cuda: {batch_size: 64, mixed_precision: true}
    mps:  {batch_size: 1,  mixed_precision: false}
    cpu:  {batch_size: 4}

(the layout of a public multi-environment guide, ``get_device_config()`` returning
``config[device]``; the same under a parent key, ``device_settings: {cpu: {...}, cuda: {...}}``,
"applied automatically per device"; and as a Python dict ``configs = {"cuda": {...}, "mps":
{"batch_size": 1, ...}}`` returned by ``get_device_config``; see ``tests/fixtures/device_sections/README.md``).
The generic dialect reads the shallowest key of each name, so only the first section was
checked and ``batch_size: 1`` on ``mps`` was missed.

What is split, and what is not
------------------------------
A mapping is a *device group* when at least :data:`MIN_SECTIONS` of its children are
mappings named after a device (:data:`DEVICE_NAMES`, case-insensitive, optionally with a
``_cfg``/``_config`` suffix: :data:`SECTION_KEY`) and at least one of
those sections holds a training hyperparameter (:data:`HYPERPARAMETER_KEYS`: batch size,
learning rate, accumulation, epochs/steps, warmup). That leaves alone the YAML where
``cuda:`` means something else: ``cuda: true`` and ``device: cuda`` (scalars), ``cuda:
{version: 12.1}`` or ``{"cuda": {"available": true}, "mps": {...}}`` (no hyperparameter), a
single ``gpu: {batch_size: 8}`` inference/serving section (one section is the only run, read
as before), k8s ``resources: {limits: {cpu: 2}}`` (scalars). Only the generic dialect is split
(a framework's schema has no such sections) and only when exactly one group exists (two
independent groups would be a product of runs the file does not spell out).

How a section becomes a plan
----------------------------
The section's keys are merged over the file's other keys at the top level
(:func:`~stablint.linter.dialects.base.merge_nodes`: mappings merge key by key, a section's
scalar replaces the shared one), the other device sections are dropped, and the generic
dialect normalizes the result. Nodes are not copied, so every value keeps its own line: a
finding about ``mps.batch_size`` points at that line.

How findings of the sections are reported (:func:`merge_findings`): a finding raised in every
section at the same place with the same message is reported once, unchanged (it does not
depend on the device: a shared key, a load pitfall); any other finding is reported once with
``(device section mps)`` (or ``sections cpu, mps``) appended to its message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .document import Document, Node
from .finding import Finding

#: Keys that name an accelerator backend: torch device types (``torch.device("cuda"|"mps"|"cpu"|"xpu")``),
#: ``gpu``/``tpu`` as Lightning ``accelerator`` names, ``npu`` (Ascend torch_npu), ``hpu`` (Gaudi).
DEVICE_NAMES = frozenset({"cuda", "mps", "cpu", "gpu", "tpu", "xpu", "npu", "hpu"})
#: A section key: a device name, alone or with a config suffix (``cpu_cfg``/``gpu_cfg`` in
#: mhrice/BeatTrack ``cfg.py``@0db065d, ``cuda_config``), case-insensitive.
SECTION_KEY = re.compile(r"(?P<device>" + "|".join(sorted(DEVICE_NAMES)) + r")(?:[_-]?(?:cfg|config|conf|settings|params"
                         r"|hparams|hyperparameters))?", re.IGNORECASE)
#: A device group needs this many device sections: one ``gpu:`` section is the only run, not an alternative.
MIN_SECTIONS = 2
#: Key names (lower case) that make a device section hold training hyperparameters; the
#: spellings are the generic dialect's aliases (:data:`~stablint.linter.dialects.generic.ALIASES`)
#: of batch size, learning rate, accumulation, run length and warmup.
HYPERPARAMETER_KEYS = frozenset({
    "batch_size", "per_device_train_batch_size", "micro_batch_size", "train_batch_size", "batch_size_per_gpu",
    "learning_rate", "lr", "base_lr", "init_lr", "lr0",
    "gradient_accumulation_steps", "accumulation_steps", "grad_accum", "grad_accum_steps", "accumulate_grad_batches",
    "epochs", "n_epochs", "num_epochs", "max_epochs", "num_train_epochs", "max_steps", "max_iters", "total_steps",
    "warmup_steps", "warmup_iters", "warmup_epochs", "warmup_ratio",
})


@dataclass(frozen=True)
class DeviceGroup:
    """A mapping whose children are per-device sections.

    Attributes:
        path: dotted path of the mapping holding the sections (``""`` for the file's root).
        sections: ``(key as written, section node)`` in file order.
    """

    path: str
    sections: tuple[tuple[str, Node], ...]

    @property
    def names(self) -> tuple[str, ...]:
        """The section keys as written (``("cuda", "mps", "cpu")``)."""
        return tuple(k for k, _ in self.sections)


def _has_hyperparameter(node: Node) -> bool:
    for path, _child in node.walk():
        if path and path.rsplit(".", 1)[-1].lower() in HYPERPARAMETER_KEYS:
            return True
    return False


def device_groups(root: Node) -> list[DeviceGroup]:
    """Every device group in the tree (see the module docstring), shallowest first."""
    out: list[DeviceGroup] = []
    for path, node in root.walk():
        if not node.is_mapping:
            continue
        sections = tuple((str(k), c) for k, c in node.value.items()
                         if SECTION_KEY.fullmatch(str(k)) and c.is_mapping and c.value)
        if len(sections) >= MIN_SECTIONS and any(_has_hyperparameter(c) for _, c in sections):
            out.append(DeviceGroup(path, sections))
    return out


def _without(node: Node, dotted: str, drop: set[str]) -> Node:
    """A copy of the mapping ``node`` with the keys ``drop`` removed from the mapping at ``dotted``
    (an emptied mapping is removed from its parent); other nodes are shared, not copied."""
    if not dotted:
        value = {k: c for k, c in node.value.items() if str(k) not in drop}
    else:
        head, _, rest = dotted.partition(".")
        value = dict(node.value)
        child = value.get(head)
        if child is None or not child.is_mapping:
            return node
        new = _without(child, rest, drop)
        if new.value:
            value[head] = new
        else:
            value.pop(head)
    return Node(value, node.line, node.column, node.key_line, node.key_column, path=node.path)


def section_documents(doc: Document, group: DeviceGroup) -> list[tuple[str, Document]]:
    """``(section name, document of that run)`` for each section of ``group``: the section's keys
    merged over the file's other keys at the top level, the group's sections removed."""
    from .dialects.base import merge_nodes

    shared = _without(doc.root, group.path, set(group.names))
    out = []
    for name, section in group.sections:
        root = merge_nodes(shared, Node(section.value, section.line, section.column, path=section.path))
        root = Node(root.value, doc.root.line, doc.root.column, path=doc.root.path)
        out.append((name, replace(doc, root=root)))
    return out


def merge_findings(per_section: list[tuple[str, list[Finding]]]) -> list[Finding]:
    """One list from the findings of each section's plan.

    A finding (same code, place and message) raised in every section is kept once as it is;
    one raised in some sections gets ``(device section X)``/``(device sections X, Y)`` appended
    to its message and ``extra["sections"]``. Order: first appearance.
    """
    names = [n for n, _ in per_section]
    seen: dict[tuple, tuple[Finding, list[str]]] = {}
    for name, findings in per_section:
        for f in findings:
            key = (f.code, f.path, f.line, f.column, f.message)
            if key in seen:
                if name not in seen[key][1]:
                    seen[key][1].append(name)
            else:
                seen[key] = (f, [name])
    out = []
    for f, where in seen.values():
        if len(where) == len(names):
            out.append(f)
            continue
        label = f"device section {where[0]}" if len(where) == 1 else f"device sections {', '.join(where)}"
        out.append(f.with_(message=f"{f.message} ({label})", extra={**f.extra, "sections": list(where)}))
    return out
