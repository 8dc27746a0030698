"""Cross-file plans: a training run spread over a launch script and config files.

Inheritance *inside* a framework (Hydra ``defaults``, mmengine ``_base_``,
detectron2 ``_BASE_``) is resolved by the dialects. This module handles the
files a run **references** by path:

* launch scripts: ``llamafactory-cli train examples/x.yaml``, ``axolotl train x.yml``,
  ``python train.py config/train_gpt2.py`` (nanoGPT's configurator), Lightning CLI
  ``fit --config a.yaml --config b.yaml`` (later files override earlier ones,
  jsonargparse; research/dialects.md §1), ``--deepspeed ds_config.json``,
  ``--job.config_file x.toml`` (torchtitan), Hydra ``--config-path D --config-name N``;
* config files: a top-level ``deepspeed: ds_config.json`` (HF TrainingArguments,
  LLaMA-Factory, axolotl), ``config:``/``config_file:``, and jsonargparse group
  files (``trainer: trainer.yaml``, ``trainer: {callbacks: callbacks.yaml}``),
  whose content is the value of that key.

Each referenced file is loaded with the engine's loader, normalized by its own
dialect, and merged into the referencing plan with :func:`fill`: a field the
referencing plan lacks (or has only as a framework default, or as ``"auto"``)
is taken from the referenced plan with its provenance (file, line, key), so a
finding points into the file that holds the value. The referencing file wins,
as on the real command line (LLaMA-Factory merges CLI overrides over the YAML;
HF fills DeepSpeed's ``"auto"`` from TrainingArguments).

A saved PEFT run directory is one run without any reference: ``adapter_config.json`` (the
``LoraConfig``) next to ``training_args.json`` (the ``TrainingArguments`` as JSON, written by
TRL/unsloth notebooks and ``Trainer`` wrappers) holds r/alpha in one file and the learning rate in
the other. Each of the two files is filled from the other (:data:`RUN_SIBLINGS`), only when both
sit in the same folder and are recognised as PEFT and HF Trainer files respectively.

Paths resolve relative to the referencing file's directory, then its parent
directories up to the repository root (launch scripts run from the repo root:
LLaMA-Factory's ``examples/deepspeed/ds_z0_config.json``), then the working
directory. Nothing is guessed from similar file names: a reference that does
not resolve to an existing file leaves a note in ``plan.notes`` and nothing else.
"""

from __future__ import annotations

import os
import re
from typing import Callable

from .document import Document, Node
from .plan import PlanValue, TrainingPlan

#: Extensions of files that can hold a training config.
CONFIG_EXTS = (".yaml", ".yml", ".json", ".toml")
#: Top-level keys of config files whose string value names another config file → dialect hint.
REFERENCE_KEYS: dict[str, str | None] = {"deepspeed": "deepspeed", "deepspeed_config": "deepspeed",
                                         "ds_config": "deepspeed", "config": None, "config_file": None}
#: jsonargparse group keys whose value may be a file holding that group (Lightning CLI).
GROUP_KEYS = ("trainer", "model", "data", "optimizer", "lr_scheduler", "callbacks")
#: Command-line flags of launch scripts that name a config file → dialect hint.
REFERENCE_FLAGS: dict[str, str | None] = {"--config": None, "--deepspeed": "deepspeed", "--deepspeed_config": "deepspeed",
                                          "--job.config_file": None}
#: Files of one saved run that complete each other: linted file name → (sibling file name, its dialect).
RUN_SIBLINGS: dict[str, tuple[str, str]] = {"adapter_config.json": ("training_args.json", "hf-trainer"),
                                            "training_args.json": ("adapter_config.json", "peft")}
#: The dialect each file of :data:`RUN_SIBLINGS` must be recognised as for the pair to count.
_SIBLING_DIALECTS = {"adapter_config.json": "peft", "training_args.json": "hf-trainer"}
#: How many reference hops are followed (a script → a YAML → its DeepSpeed JSON).
MAX_DEPTH = 3
#: How many parent directories are tried when the repository root is not found.
MAX_PARENTS = 6

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")

Loader = Callable[[str], "Document | None"]
Normalizer = Callable[[Document, "str | None"], TrainingPlan]


def fill(plan: TrainingPlan, other: TrainingPlan) -> list[str]:
    """Merge ``other`` into ``plan`` where ``plan`` lacks a value; returns the field names taken.

    A field of ``plan`` is replaced when it is absent, a framework default
    (``Provenance.default``) while ``other`` states it, or the placeholder
    ``"auto"`` while ``other`` has a resolved value. ``other``'s documents are
    appended to ``plan.documents`` (for load-pitfall rules and suppressions).
    An ``"unknown"`` plan (a script with no hyperparameter flags) adopts
    ``other``'s dialect and loader.
    """
    taken: list[str] = []
    for name, pv in other.items():
        cur = plan.get(name)
        if cur is None or _weaker(cur, pv):
            plan.set(name, pv)
            taken.append(name)
    if plan.dialect == "unknown" and other.dialect != "unknown":
        plan.dialect, plan.loader, plan.coerces = other.dialect, other.loader, other.coerces
        plan.detection = other.detection if other.detection is not None else plan.detection
        plan.loader_known = other.loader_known
    known = {id(d) for d in plan.documents}
    plan.documents.extend(d for d in other.documents if id(d) not in known)
    return taken


def _weaker(cur: PlanValue, new: PlanValue) -> bool:
    cur_default = bool(cur.source and cur.source.default)
    new_default = bool(new.source and new.source.default)
    if cur_default and not new_default:
        return True
    return not cur.resolved and str(cur.value).strip().lower() == "auto" and new.resolved


def resolve_path(ref: str, referrer: str) -> str | None:
    """The existing file ``ref`` names, seen from the file ``referrer``; ``None`` when none exists."""
    ref = os.path.expanduser(ref)
    if os.path.isabs(ref):
        return ref if os.path.isfile(ref) else None
    directory = os.path.dirname(os.path.abspath(referrer))
    for _ in range(MAX_PARENTS + 1):
        candidate = os.path.join(directory, ref)
        if os.path.isfile(candidate):
            return os.path.normpath(candidate)
        if os.path.exists(os.path.join(directory, ".git")) or os.path.dirname(directory) == directory:
            break
        directory = os.path.dirname(directory)
    candidate = os.path.abspath(ref)
    return candidate if os.path.isfile(candidate) else None


def references(doc: Document) -> list[tuple[str, str | None, str | None]]:
    """The files ``doc`` references, highest precedence first.

    Returns:
        ``(reference as written, dialect hint or None, group key or None)`` triples.
        A group key means the file's content is the value of that key.
    """
    if doc.fmt == "shell":
        return _shell_references(doc)
    if doc.fmt not in ("yaml", "json", "toml") or not isinstance(doc.root.value, dict):
        return []
    out: list[tuple[str, str | None, str | None]] = []
    for key, hint in REFERENCE_KEYS.items():
        for ref in _paths(doc.root.get(key)):
            out.append((ref, hint, None))
    for key in GROUP_KEYS:
        node = doc.root.get(key)
        for ref in _paths(node):
            out.append((ref, None, key))
        if node is not None and node.is_mapping:
            for sub in GROUP_KEYS:
                for ref in _paths(node.get(sub)):
                    out.append((ref, None, f"{key}.{sub}"))
    return out


def _paths(node: Node | None) -> list[str]:
    """Config-file paths held by a string node or a list of string nodes."""
    if node is None:
        return []
    items = node.value if isinstance(node.value, list) else [node]
    return [n.value for n in items if isinstance(n.value, str) and n.value.lower().endswith(CONFIG_EXTS)
            and "${" not in n.value]


def _shell_references(doc: Document) -> list[tuple[str, str | None, str | None]]:
    variables = doc.meta.get("variables", {}) if isinstance(doc.meta, dict) else {}
    configs: list[tuple[str, str | None, str | None]] = []
    deepspeed: list[tuple[str, str | None, str | None]] = []
    import shlex  # lazy: only launch scripts are split (cold-start budget, issue 7)

    for line in doc.text.replace("\\\r\n", " ").replace("\\\n", " ").splitlines():
        try:
            tokens = shlex.split(line, comments=True)
        except ValueError:
            continue
        tokens = [_subst(t, variables) for t in tokens]
        scripts_seen = 0
        hydra_path = hydra_name = None
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            flag, eq, inline = tok.partition("=")
            value = inline if eq else (tokens[i + 1] if i + 1 < len(tokens) else None)
            step = 1 if eq else 2
            if flag in REFERENCE_FLAGS and tok.startswith("--") and value is not None:
                target = deepspeed if REFERENCE_FLAGS[flag] == "deepspeed" else configs
                target.append((value, REFERENCE_FLAGS[flag], None))
                i += step
                continue
            if flag in ("--config-path", "--config_path", "--config-name", "--config_name") and value is not None:
                if "path" in flag:
                    hydra_path = value
                else:
                    hydra_name = value
                i += step
                continue
            if not tok.startswith("-") and "=" not in tok:
                low = tok.lower()
                if low.endswith(".py"):
                    scripts_seen += 1
                    if scripts_seen > 1:  # nanoGPT: python train.py config/x.py
                        configs.append((tok, None, None))
                elif low.endswith(CONFIG_EXTS):
                    configs.append((tok, None, None))
            i += 1
        if hydra_name:
            name = hydra_name if hydra_name.endswith((".yaml", ".yml")) else hydra_name + ".yaml"
            configs.append((os.path.join(hydra_path or ".", name), None, None))
    # later --config files override earlier ones; the DeepSpeed JSON only fills what is left
    return [r for r in reversed(configs) if "$" not in r[0]] + [r for r in deepspeed if "$" not in r[0]]


def _subst(token: str, variables: dict[str, str]) -> str:
    return _VAR.sub(lambda m: variables.get(m.group(1) or m.group(2), m.group(0)), token)


def _as_group(doc: Document, group: str) -> Document:
    """``doc`` re-rooted under ``group`` (``trainer.callbacks`` → ``{trainer: {callbacks: <doc>}}``)."""
    root = doc.root
    for part in reversed(group.split(".")):
        root = Node(value={part: root}, line=1, column=1, path=doc.path)
    return Document(path=doc.path, fmt=doc.fmt, root=root, issues=doc.issues, text=doc.text, meta=doc.meta)


def merge_references(plan: TrainingPlan, doc: Document, load: Loader, normalize: Normalizer,
                     _seen: set[str] | None = None, _depth: int = 0) -> None:
    """Fill ``plan`` (built from ``doc``) from every file ``doc`` references, recursively.

    Args:
        plan: the referencing plan; modified in place.
        doc: its document.
        load: ``load(path) -> Document | None`` (the engine's quiet loader; ``None`` for broken files).
        normalize: ``normalize(doc, dialect_hint) -> TrainingPlan``; the hint is a dialect
            name (``"deepspeed"``) used when that dialect is registered.

    Never raises for missing, broken or cyclic references: each leaves a note in ``plan.notes``.
    """
    seen = _seen if _seen is not None else {os.path.normcase(os.path.abspath(doc.path))}
    if _depth >= MAX_DEPTH:
        return
    if _depth == 0:
        _merge_run_sibling(plan, doc, load, normalize, seen)
    for ref, hint, group in references(doc):
        path = resolve_path(ref, doc.path)
        if path is None:
            plan.notes.append(f"referenced file not found: {ref} (from {doc.path})")
            continue
        key = os.path.normcase(os.path.abspath(path))
        if key in seen:
            continue
        seen.add(key)
        ref_doc = load(path)
        if ref_doc is None:
            plan.notes.append(f"referenced file could not be loaded: {ref} (from {doc.path})")
            continue
        ref_plan = normalize(_as_group(ref_doc, group) if group else ref_doc, hint)
        merge_references(ref_plan, ref_doc, load, normalize, seen, _depth + 1)
        taken = fill(plan, ref_plan)
        plan.notes.append(f"merged {len(taken)} field{'s' if len(taken) != 1 else ''} from {path}")


def _merge_run_sibling(plan: TrainingPlan, doc: Document, load: Loader, normalize: Normalizer,
                       seen: set[str]) -> None:
    """Fill ``plan`` from the other file of a saved PEFT run (:data:`RUN_SIBLINGS`), if it is there.

    Nothing happens unless ``doc`` is itself recognised as its kind (``plan.dialect``) and the
    sibling, in the same folder, normalizes to the expected dialect: two weak files are not a run.
    """
    name = os.path.basename(doc.path)
    if name not in RUN_SIBLINGS or plan.dialect != _SIBLING_DIALECTS[name]:
        return
    other_name, dialect = RUN_SIBLINGS[name]
    path = os.path.join(os.path.dirname(os.path.abspath(doc.path)), other_name)
    key = os.path.normcase(path)
    if key in seen or not os.path.isfile(path):
        return
    seen.add(key)
    other_doc = load(path)
    if other_doc is None:
        return
    from .dialects import detect  # lazy: only saved run folders need it

    found = detect(other_doc)
    if found is None or found.name != dialect:
        return
    taken = fill(plan, normalize(other_doc, dialect))
    plan.notes.append(f"one run with {other_name} beside it: took {len(taken)} field{'s' if len(taken) != 1 else ''}")
