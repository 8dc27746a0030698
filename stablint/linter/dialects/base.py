"""What every dialect module provides, and the helpers that keep them short.

A dialect turns one :class:`~stablint.linter.document.Document` into a
:class:`~stablint.linter.plan.TrainingPlan`. A newcomer should be able to read a
dialect module in a few minutes: a ``detect`` score from key signatures, a
table ``KEYS`` mapping canonical fields to the framework's key paths, and a
``refine`` hook for what a table cannot say (units, defaults, derived values).
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable

from ..document import UNRESOLVED, Document, Node
from ..plan import PlanValue, Provenance, TrainingPlan
from ..pretrain_dtype import fill_local_dtype

#: Strings that mean "filled in elsewhere" (DeepSpeed/HF ``"auto"``, Hydra ``???``).
PLACEHOLDERS = {"auto", "???", "none_set"}


class Context:
    """Services a dialect may use while normalizing: loading sibling/base files.

    Attributes:
        load: ``load(path) -> Document | None``; cached, returns ``None`` (and
            notes why) for missing or broken files. Never raises.
        max_bytes: size limit passed to the loader.
        fill_defaults: copied into :attr:`TrainingPlan.fill_defaults`: False when the
            dialect was not detected with high confidence, so framework defaults are
            withheld (:meth:`Dialect.put`).
    """

    def __init__(self, loader: Callable[[str], Document | None] | None = None, fill_defaults: bool = True):
        self._loader = loader
        self.fill_defaults = fill_defaults
        self._cache: dict[str, Document | None] = {}
        self.notes: list[str] = []

    def load(self, path: str) -> Document | None:
        """Load ``path`` (absolute, or relative to the working directory); ``None`` on failure."""
        key = os.path.normpath(path)
        if key not in self._cache:
            doc = None
            if self._loader is not None and os.path.isfile(key):
                doc = self._loader(key)
            if doc is None:
                self.notes.append(f"could not load {path}")
            self._cache[key] = doc
        return self._cache[key]

    def load_relative(self, doc: Document, ref: str) -> Document | None:
        """Load ``ref`` relative to the directory of ``doc`` (how ``_base_``/``_BASE_`` resolve)."""
        return self.load(os.path.join(os.path.dirname(doc.path), ref))


def number_of(node: Node) -> float | int | None:
    """A node's numeric value, reading ``1e-4`` strings (and quoted numbers) as numbers."""
    v = node.value
    if isinstance(v, bool) or v is UNRESOLVED:
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(node.alt, (int, float)) and not isinstance(node.alt, bool):
        return node.alt
    if isinstance(v, str):
        s = v.strip().replace("_", "")
        try:
            return int(s)
        except ValueError:
            pass
        try:
            return float(s)
        except ValueError:
            return None
    return None


class Dialect:
    """Base class of all dialects.

    Class attributes:
        name: kebab-case id used in ``--dialect`` and in findings.
        title: human name.
        formats: document formats this dialect reads (``"yaml"``, ``"json"``...).
        loader: how the framework itself reads numbers (see :class:`TrainingPlan`).
        coerces: True when the framework converts numeric strings for typed fields
            (pydantic lax mode, jsonargparse type hints, yacs ``literal_eval``).
        loader_known: False when :attr:`loader` is a guess (``TrainingPlan.loader_known``).
        scheduler_interval: default stepping of the LR scheduler (``"step"``/``"epoch"``).
        KEYS: canonical field → key path or list of key paths tried in order;
            a path may be a ``(path, unit)`` tuple.
        known_keys: the closed set of top-level keys, for ``unknown-key``; ``None``
            when the dialect's key set is open.

    Framework facts (class attributes read by rules through :func:`facts_of`; the
    defaults below hold for a framework nobody has examined, each module overrides
    what its framework's docs or code say, citing them):
        model_family: the architecture family every model the framework trains
            belongs to, ``"transformer"`` for the LLM training stacks (HF Trainer,
            axolotl, LLaMA-Factory, torchtune, torchtitan, nanoGPT); ``None`` (default)
            when it trains any architecture. ``missing-warmup`` applies its
            transformer-scale ``min_lr`` only to ``"transformer"`` frameworks.
        precision_conflict: what the framework does when fp16 and bf16 are both on:
            ``"raises"`` (default: HF ``TrainingArguments`` "At most one of fp16 and bf16
            can be True", DeepSpeed "bfloat16 and fp16 modes cannot be simultaneously
            enabled", research/existing_checks.md A.1, A.7) or ``"bf16-wins"`` (it trains
            in bf16 and ignores fp16 without a word: axolotl, A.3). ``conflicting-precision``.
        unknown_keys: how :attr:`known_keys` bounds the top-level keys: ``"closed"``
            when the framework accepts no other key (it raises or silently drops it) and
            the set covers its releases, so every other key is a mistake; ``"typos-only"``
            (default) when user code or projects may add their own keys (HF scripts'
            extra dataclasses, detectron2 project nodes), so only a near miss of a known
            key is certainly a typo. Ignored when ``known_keys`` is ``None``. ``unknown-key``.
        micro_batch_split: how the framework turns a global batch into micro-batches: ``"exact"``
            (default: ``global = micro × accumulation × world_size`` must hold, DeepSpeed raises
            otherwise) or ``"ceil"`` (Composer/llm-foundry: only ``global % world_size == 0`` is
            required; each device batch is cut into ``ceil(device_batch / micro)`` micro-batches, the
            last one smaller, ``calculate_batch_size_info``). ``inconsistent-batch-size``.
        cli_flags_are_keys: True when the framework's own command line (``llamafactory-cli``,
            ``yolo``) takes its config keys as flags, so a launch script's flags are checked
            against :attr:`known_keys`; False (default) when a script's flags go to the
            user's own ``train.py``, whose argument classes are unknown. ``unknown-key``.
    """

    name = "base"
    title = "Base"
    formats: tuple[str, ...] = ("yaml", "json")
    loader = "pyyaml"
    coerces = False
    #: the framework has this one loader (False: :attr:`loader` is only the likeliest; see TrainingPlan)
    loader_known = True
    scheduler_interval = "step"
    KEYS: dict[str, Any] = {}
    known_keys: frozenset[str] | None = None
    #: architecture family every model of the framework belongs to (``"transformer"``), ``None`` = any
    model_family: str | None = None
    #: fp16 and bf16 both on: ``"raises"`` at start-up or ``"bf16-wins"`` silently
    precision_conflict = "raises"
    #: ``"closed"`` (no other top-level key is accepted) or ``"typos-only"`` (users add keys)
    unknown_keys = "typos-only"
    #: the framework's CLI takes its config keys as flags (``llamafactory-cli``, ``yolo``)
    cli_flags_are_keys = False
    #: ``"exact"`` (global = micro × accumulation × world size) or ``"ceil"`` (uneven last micro-batch allowed)
    micro_batch_split = "exact"
    #: how the framework's plateau scheduler and early stopping count patience: ``"torch"`` (default:
    #: torch ``ReduceLROnPlateau`` cuts when ``num_bad_epochs > patience``, i.e. on the ``patience + 1``-th
    #: bad step, then skips ``cooldown`` steps; HF/Lightning/mmengine early stopping stops at
    #: ``wait >= patience``) or ``"keras"`` (keras ``ReduceLROnPlateau`` cuts on the ``patience``-th bad
    #: epoch, ``wait >= patience``, and cooldown only delays later cuts, by ``cooldown - 1`` epochs;
    #: ``EarlyStopping`` stops on the ``patience``-th: :mod:`~stablint.linter.dialects.keras`).
    #: ``plateau-patience-too-long``, ``early-stop-before-lr-drop``.
    plateau_semantics = "torch"
    #: names of dialects whose files share this one's keys by design (DeepSpeed-Chat copies HF's
    #: flags): scoring close to them is not ambiguity (:func:`~stablint.linter.dialects.detection`)
    relatives: tuple[str, ...] = ()

    #: detection evidence (data): the top-level keys :meth:`detect` counts; the matched
    #: ones are reported by :meth:`evidence` (``stablint plan``, ``lint --show-files``)
    evidence_keys: frozenset[str] = frozenset()
    #: lowest :meth:`detect` score that means "certainly this framework" (``"high"``
    #: confidence: its defaults are filled in); each module states what its score
    #: formula gives for a file with distinctive evidence
    high_score = 0.85
    #: lowest score at which the dialect's key mapping is used at all (``"medium"``:
    #: stated values only, no defaults); below it the file is read as generic
    medium_score = 0.6

    # -- top-level keys ---------------------------------------------------------
    def key_policy(self, doc: Document) -> Any:
        """How ``unknown-key`` judges ``doc``'s top-level keys: a
        :class:`~stablint.linter.dialects.known_keys.KeyPolicy`, or ``None`` (no key set is
        known for this file's framework and version: the rule stays silent).

        The default wraps :attr:`known_keys`/:attr:`unknown_keys` (one unversioned set);
        dialects whose framework has several families or releases override it.
        """
        if not self.known_keys:
            return None
        from .known_keys import KeyPolicy, KeySet

        family = KeySet(self.name, self.title, (("", self.known_keys),))
        return KeyPolicy(family, self.known_keys, self.known_keys, closed=self.unknown_keys == "closed")

    def monitor_split(self, name: str) -> str | None:
        """Whether the metric ``name`` that a plateau scheduler or early stopping monitors is a
        ``"train"`` or a ``"val"`` metric by the framework's own naming, ``None`` when the framework
        does not decide it (default: rule ``plateau-monitors-train-loss`` then reads the name)."""
        return None

    # -- detection ------------------------------------------------------------
    def detect(self, doc: Document) -> float:
        """Score in [0, 1] that ``doc`` is written for this framework (0 = no)."""
        return 0.0

    def evidence(self, doc: Document) -> tuple[str, ...]:
        """What in ``doc`` points at this framework, as short phrases (``"key lora_target"``).

        Default: the top-level keys of ``doc`` in :attr:`evidence_keys`, sorted.
        Dialects that detect structure (``class_path``, ``_component_``) override it.
        """
        return tuple(f"key {k}" for k in sorted(doc.keys() & self.evidence_keys))

    def confidence(self, doc: Document, score: float) -> str:
        """``"high"``, ``"medium"`` or ``"low"`` for a :meth:`detect` score (see
        :attr:`high_score`, :attr:`medium_score`)."""
        if score >= self.high_score:
            return "high"
        return "medium" if score >= self.medium_score else "low"

    # -- normalization --------------------------------------------------------
    def normalize(self, doc: Document, ctx: Context) -> TrainingPlan:
        """Build the TrainingPlan of ``doc``: apply :attr:`KEYS`, then :meth:`refine`."""
        plan = TrainingPlan(path=doc.path, dialect=self.name, loader=self.loader, coerces=self.coerces, documents=[doc],
                            framework=self, fill_defaults=ctx.fill_defaults, loader_known=self.loader_known)
        root = self.root(doc, ctx, plan)
        for canonical, spec in self.KEYS.items():
            self.take_first(plan, root, canonical, spec)
        self.refine(doc, root, plan, ctx)
        fill_local_dtype(plan, ctx)  # model.torch_dtype from a local checkpoint's config.json
        if "scheduler.type" in plan.fields and "scheduler.interval" not in plan.fields:
            anchor = plan.fields["scheduler.type"].source
            plan.set("scheduler.interval", PlanValue(self.scheduler_interval, source=Provenance(
                anchor.path, anchor.line, anchor.column, anchor.key, default=True, derived=True) if anchor else None))
        return plan

    def root(self, doc: Document, ctx: Context, plan: TrainingPlan) -> Node:
        """The node the KEYS table is read from (after inheritance); the doc root by default."""
        return doc.root

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Dialect-specific normalization beyond the KEYS table (units, defaults, derived values)."""

    # -- helpers for subclasses ----------------------------------------------
    def take_first(self, plan: TrainingPlan, root: Node, canonical: str, spec: Any) -> PlanValue | None:
        """Try each key path of ``spec`` in order and set the first one present."""
        specs = spec if isinstance(spec, list) else [spec]
        for s in specs:
            key, unit = (s if isinstance(s, tuple) else (s, None))
            node = root.find(key)
            if node is not None and not (node.value is None and node.tag is None):
                return self.take(plan, canonical, node, key, unit)
        return None

    def take(self, plan: TrainingPlan, canonical: str, node: Node, key: str, unit: str | None = None,
             coerce: bool | None = None, convert: Callable[[Any], Any] | None = None) -> PlanValue:
        """Set ``canonical`` from ``node`` with provenance and the loader's string semantics.

        Args:
            coerce: override :attr:`coerces` for this key (e.g. axolotl's free-form
                ``lr_scheduler_kwargs`` are not coerced by pydantic).
            convert: applied to the value after numeric reading (e.g. ``str.lower``).
        """
        pv = self.value_of(node, key, canonical, unit, self.coerces if coerce is None else coerce, plan.path)
        if convert is not None and pv.resolved:
            try:
                pv.value = convert(pv.value)
            except (TypeError, ValueError):
                pv.resolved = False
        plan.set(canonical, pv)
        return pv

    def value_of(self, node: Node, key: str, canonical: str, unit: str | None, coerce: bool, path: str) -> PlanValue:
        """Build a :class:`PlanValue` from a node (no plan mutation)."""
        from ..plan import FIELDS

        line, col = node.anchor
        src = Provenance(node.path or path, line, col, key)
        v = node.value
        raw = node.raw
        if v is UNRESOLVED:
            return PlanValue(raw or "<expression>", unit, src, resolved=False, raw=raw)
        if isinstance(v, str) and (v.strip().lower() in PLACEHOLDERS or "${" in v or v.startswith("$")):
            return PlanValue(v, unit, src, resolved=False, raw=raw)
        types = FIELDS.get(canonical, ((object,), ""))[0]
        numeric = (float in types or int in types) and str not in types
        if numeric and isinstance(v, str):
            num = number_of(node)
            if num is None:
                return PlanValue(v, unit, src, resolved=False, raw=raw)
            if node.alt is not None:  # plain YAML 1.1 scalar like 1e-4
                as_string = self.loader == "pyyaml" and not coerce
            else:  # explicitly quoted "1e-4"
                as_string = not coerce
            if int in types and float not in types and float(num).is_integer():
                num = int(num)
            return PlanValue(num, unit, src, as_string=as_string, raw=raw or v)
        if int in types and float not in types and isinstance(v, float) and v.is_integer():
            v = int(v)
        if numeric and isinstance(v, bool):
            return PlanValue(v, unit, src, resolved=False, raw=raw)
        if isinstance(v, (dict, list)) and canonical not in ("optimizer.betas", "scheduler.milestones", "loss.weights"):
            return PlanValue(node.plain(), unit, src, resolved=False, raw=raw)
        if isinstance(v, list):
            v = [number_of(c) if number_of(c) is not None else c.value for c in v]
        return PlanValue(v, unit, src, raw=raw)

    def put(self, plan: TrainingPlan, canonical: str, value: Any, near: PlanValue | Node | None,
            key: str = "", unit: str | None = None, default: bool = True, derived: bool = False) -> PlanValue:
        """Set a derived or default value, located at ``near`` (a related field or node).

        Args:
            default: the value is not written in the file (a framework default, or
                ``derived``); False for a value the file states in another form.
            derived: computed from stated values (not a framework default): kept even
                when the plan withholds defaults.

        Returns the :class:`PlanValue`; a framework default is *not set* in the plan
        when ``plan.fill_defaults`` is False (dialect not detected with high confidence).
        """
        derived = derived and default
        if isinstance(near, PlanValue) and near.source is not None:
            s = near.source
            src = Provenance(s.path, s.line, s.column, key or s.key, default=default, derived=derived)
        elif isinstance(near, Node):
            line, col = near.anchor
            src = Provenance(near.path or plan.path, line, col, key, default=default, derived=derived)
        else:
            src = Provenance(plan.path, 1, 1, key, default=default, derived=derived)
        pv = PlanValue(value, unit, src)
        if default and not derived and not plan.fill_defaults:
            return pv
        plan.set(canonical, pv)
        return pv


def missing_base(plan: TrainingPlan, ref: str, tried: str, near: Node | None, key: str, note: str) -> None:
    """Record an inherited file that was not found: a plan note and a :class:`~stablint.linter.plan.MissingBase`.

    ``near`` is the node of the reference (its line/column locate the ``base-not-found`` finding);
    ``key`` the key holding it (``"_base_"``, ``"defaults"``).
    """
    from ..plan import MissingBase

    line, col = near.anchor if near is not None else (1, 1)
    path = (near.path if near is not None else None) or plan.path
    plan.notes.append(note)
    if all(m.ref != ref or m.source.path != path for m in plan.missing_bases):
        plan.missing_bases.append(MissingBase(ref, tried, Provenance(path, line, col, key)))


def signature_score(keys: Iterable[str], strong: set[str], weak: set[str] = frozenset(), need: int = 1) -> float:
    """A detection score from key signatures.

    Returns 0 unless at least ``need`` strong keys are present; then
    ``0.5 + 0.1 * strong hits + 0.02 * weak hits`` capped at 1.
    """
    ks = set(keys)
    s = len(ks & strong)
    if s < need:
        return 0.0
    return min(1.0, 0.5 + 0.1 * s + 0.02 * len(ks & weak))


def lower_name(value: Any) -> Any:
    """Normalize an optimizer/scheduler class path to its lower-case last segment."""
    if not isinstance(value, str):
        return value
    return value.rsplit(".", 1)[-1].strip().lower()


def merge_nodes(base: Node, override: Node, delete_key: str | None = None) -> Node:
    """Merge two config trees the way mmengine/yacs/OmegaConf do: mappings merge key by key, anything else is replaced.

    Nodes are not copied: every value keeps its own ``path``/line, so provenance of an
    inherited value points into the base file. Returns a new mapping node positioned at
    ``override`` when both are mappings, else ``override`` itself.

    Args:
        delete_key: mmengine's ``"_delete_"``: an override mapping with ``_delete_=True``
            replaces the base mapping instead of merging (mmengine ``config.py:36,251-259``);
            the marker key itself is dropped.
    """
    if not (base.is_mapping and override.is_mapping):
        return _without(override, delete_key)
    if delete_key is not None:
        marker = override.value.get(delete_key)
        if marker is not None and marker.value is True:
            return _without(override, delete_key)
    out = dict(base.value)
    for key, child in override.value.items():
        if key == delete_key:
            continue
        out[key] = merge_nodes(out[key], child, delete_key) if key in out else _without(child, delete_key)
    merged = Node(out, override.line, override.column, override.key_line, override.key_column,
                  path=override.path)
    return merged


def _without(node: Node, delete_key: str | None) -> Node:
    """``node`` with every ``delete_key`` marker removed (only copies mappings that hold one)."""
    if delete_key is None or not node.is_mapping:
        return node
    if delete_key not in node.value and not any(c.is_mapping for c in node.value.values()):
        return node
    value = {k: _without(c, delete_key) for k, c in node.value.items() if k != delete_key}
    return Node(value, node.line, node.column, node.key_line, node.key_column, path=node.path)
