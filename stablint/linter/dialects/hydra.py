"""Hydra / OmegaConf dialect: ``_target_`` component trees, ``defaults:`` lists, and older OmegaConf styles.

Three layouts seen in the wild (research/dialects.md table 2B, [LHT]):

* **Hydra** (lightning-hydra-template): ``model.optimizer: {_target_: torch.optim.Adam, _partial_: true,
  lr}``, ``model.scheduler: {_target_: ...ReduceLROnPlateau, patience}``, ``trainer.*`` (Lightning
  Trainer kwargs), ``data.batch_size``, ``callbacks.early_stopping.{patience, monitor}``, and a
  ``defaults:`` list composed from files in group folders next to the primary config;
* **latent-diffusion** OmegaConf (``target:``/``params:`` pairs): ``model.base_learning_rate``
  is multiplied by ``batch_size × accumulate_grad_batches × n_gpus`` in ``main.py`` when
  ``scale_lr`` is on (its default); ``lightning.trainer.*`` holds the Trainer kwargs;
* **dinov2** default config (plain OmegaConf, merged by ``dinov2/utils/config.py``): ``optim.*``,
  ``train.batch_size_per_gpu``, ``optim.lr: 0.`` is a placeholder overwritten from
  ``optim.base_lr`` by the scaling rule, schedules are per iteration.

Composition (``defaults:``, hydra@2c03d1b ``website/docs/advanced/defaults_list.md``,
``hydra/_internal/defaults_list.py``, ``hydra/core/default_element.py``): entries ``- group: option``
load ``<group dir>/group/option.yaml`` into package ``group`` (``/group`` from the config root: the
file's folder or the nearest of its 3 parents holding that group); plain names load
``<dir>/name.yaml``; ``.yaml`` is appended only when the name does not end in it
(``ConfigSource._normalize_file_name``); ``_self_`` marks where the file's own keys go and is
appended **last** when omitted (unless the list has only ``override`` entries); the list is walked
in reverse as Hydra does, so ``override /group: x`` replaces the choice of an earlier ``group``
entry (in this file or in the file that includes it) instead of adding one; ``optional`` entries
that are missing and Hydra's own ``hydra/...`` groups are dropped silently; ``# @package X``
headers and ``group@pkg`` are honoured. Other missing files become plan notes and
``plan.missing_bases`` (rule ``base-not-found``), never errors.

OmegaConf reads ``1e-4`` as a float (omegaconf ``_yaml.py:259-273``): ``loader = "omegaconf"``.
"""

from __future__ import annotations

import os
import re

from ..document import Document, Node
from ..plan import EPOCH, EVAL, OPT_STEP, PlanValue, TrainingPlan
from .base import Context, Dialect, merge_nodes, missing_base, number_of
from .names import optimizer_family, scheduler_kind

_MAX_DEPTH = 6
_DINOV2_KEYS = {"optim", "train", "student", "teacher", "crops", "dino", "ibot", "compute_precision"}
_SCHED_ARGS = {"patience": "scheduler.patience", "factor": "scheduler.factor", "mode": "scheduler.mode",
               "cooldown": "scheduler.cooldown", "T_max": "scheduler.t_max", "T_0": "scheduler.t_0",
               "T_mult": "scheduler.t_mult", "eta_min": "scheduler.min_lr", "step_size": "scheduler.step_size",
               "gamma": "scheduler.gamma", "milestones": "scheduler.milestones", "monitor": "scheduler.monitor"}
_COUNTED = {"scheduler.patience", "scheduler.cooldown", "scheduler.t_max", "scheduler.t_0", "scheduler.step_size",
            "scheduler.milestones"}
_OPT_ARGS = {"lr": "optimizer.lr", "weight_decay": "optimizer.weight_decay", "momentum": "optimizer.momentum",
             "betas": "optimizer.betas", "eps": "optimizer.eps"}


def _target(node: Node) -> tuple[str | None, Node | None, str]:
    """``(class path, args node, args key suffix)`` of a ``_target_`` or ``target:/params:`` mapping."""
    if not node.is_mapping:
        return None, None, ""
    t = node.get("_target_")
    if t is not None and isinstance(t.value, str):
        return t.value, node, ""
    t = node.get("target")
    if t is not None and isinstance(t.value, str) and "." in t.value:
        params = node.get("params")
        return t.value, params if params is not None and params.is_mapping else None, ".params"
    return None, None, ""


def _kind(target: str) -> str | None:
    """``"optimizer"``, ``"scheduler"``, ``"early_stopping"``, ``"checkpoint"``, ``"trainer"`` or ``None``."""
    low = target.lower()
    last = low.rsplit(".", 1)[-1]
    if "lr_scheduler" in low or last.endswith("lr") or "scheduler" in last or "plateau" in last:
        return "scheduler"
    if last == "earlystopping":
        return "early_stopping"
    if last.endswith("modelcheckpoint"):
        return "checkpoint"
    if last == "trainer":
        return "trainer"
    if "torch.optim." in low or "optim" in low.rsplit(".", 1)[0] or optimizer_family(last) != last:
        return "optimizer"
    return None


class Hydra(Dialect):
    """Hydra/OmegaConf configs (``_target_``, ``defaults:``, ``target:/params:``, dinov2)."""

    name = "hydra"
    #: ``_target_`` (0.7), ``target:``/``params:`` pairs (0.65), a defaults list or dinov2's sections (0.6+):
    #: the only defaults this dialect fills are dinov2's own ``optim`` block, so any of them is enough
    high_score = 0.6
    title = "Hydra / OmegaConf"
    formats = ("yaml",)
    loader = "omegaconf"
    scheduler_interval = "epoch"

    def detect(self, doc: Document) -> float:
        """``_target_``/``target:+params:``/``defaults:``/dinov2 sections; never torchtune's ``_component_``."""
        names = [p.rsplit(".", 1)[-1] for p, _ in doc.root.walk() if p]
        if "_component_" in names:
            return 0.0
        score = 0.0
        if "_target_" in names:
            score = 0.7
        elif sum(1 for p, n in doc.root.walk() if _target(n)[2] == ".params") >= 2:
            score = 0.65
        defaults = doc.root.get("defaults")
        if defaults is not None and defaults.is_sequence:
            score = max(score, 0.6) + 0.1
        if len(doc.keys() & _DINOV2_KEYS) >= 5:
            score = max(score, 0.6)
        return min(score, 0.95)

    def evidence(self, doc: Document) -> tuple[str, ...]:
        """The first ``_target_`` (or ``target:``/``params:``) path, a defaults list, dinov2 sections."""
        out: list[str] = []
        first = next((p for p, _ in doc.root.walk() if p.rsplit(".", 1)[-1] == "_target_"), None)
        if first:
            out.append(f"_target_ at {first}")
        else:
            first = next((p for p, n in doc.root.walk() if _target(n)[2] == ".params"), None)
            if first:
                out.append(f"target/params at {first or 'top level'}")
        defaults = doc.root.get("defaults")
        if defaults is not None and defaults.is_sequence:
            out.append("defaults list")
        dino = sorted(doc.keys() & _DINOV2_KEYS)
        if len(dino) >= 5:
            out.append("dinov2 sections " + ", ".join(dino))
        return tuple(out)

    # -- composition --------------------------------------------------------------
    def root(self, doc: Document, ctx: Context, plan: TrainingPlan) -> Node:
        """The composed config: ``defaults:`` files merged in order around the file's own keys.

        The linted file is taken as the primary config. Its relative entries resolve against its own
        folder; absolute ones (``/group: x``, ``override /group: x``) against the config root: the
        nearest of the file's folder and its :data:`ROOT_SEARCH_PARENTS` parents that holds the
        group folder (an ``experiment/x.yaml`` names ``/model`` from ``configs/``).
        """
        here = os.path.dirname(doc.path)
        config_root = _config_root(doc, here)
        group = os.path.relpath(here, config_root).replace(os.sep, "/")
        overrides = _Overrides()
        merged = self._compose(doc, config_root, "" if group == "." else group, "", ctx, plan, 0, overrides)
        # overrides no entry consumed (a file linted without its primary config): Hydra would apply
        # them to the primary's entries, which all come before this file's own keys
        extra = [self._option(doc, config_root, key, opt, "", ctx, plan, 1, overrides, optional)
                 for key, (opt, optional) in overrides.choices.items() if key not in overrides.consumed]
        parts = [p for p in extra if p is not None] + [merged]
        out = parts[0]
        for p in parts[1:]:
            out = merge_nodes(out, p)
        return out

    def _compose(self, doc: Document, config_root: str, group: str, package: str, ctx: Context,
                 plan: TrainingPlan, depth: int, overrides: "_Overrides") -> Node:
        """One config with its defaults list, as hydra@2c03d1b ``_create_defaults_tree_impl``
        (``hydra/_internal/defaults_list.py:596-719``): ``_self_`` is appended last when the list
        has a non-override entry and no ``_self_``; the list is walked in **reverse**, so an
        ``override`` entry changes the choice of every entry listed before it (in this file and,
        through ``overrides``, in the files that include it)."""
        own = Node({k: v for k, v in doc.root.value.items() if k != "defaults"}, path=doc.path)
        header = _package_header(doc.text or "")
        if header is not None:
            package = header
        own = _at(own, package)
        defaults = doc.root.get("defaults")
        if defaults is None or not defaults.is_sequence or depth >= _MAX_DEPTH:
            return own
        entries = list(defaults.value)
        has_self = any(e.value == "_self_" for e in entries)
        if not has_self and any(not _is_override(e) for e in entries):
            entries.append(Node("_self_", path=doc.path))
        parts: list[Node] = []
        for entry in reversed(entries):
            if entry.value == "_self_":
                parts.append(own)
                continue
            if isinstance(entry.value, str):
                sub = self._config_entry(doc, entry, config_root, group, package, ctx, plan, depth, overrides)
                if sub is not None:
                    parts.append(sub)
                continue
            if not entry.is_mapping:
                continue
            for raw_key, opt in reversed(list(entry.value.items())):
                flags, key = _flags(raw_key)
                abs_key = _absolute_group(key, group)
                if "override" in flags:
                    overrides.choices.setdefault(abs_key, (opt, "optional" in flags))
                    continue
                if abs_key in overrides.choices:
                    opt = overrides.choices[abs_key][0]
                    overrides.consumed.add(abs_key)
                sub = self._option(doc, config_root, abs_key, opt, package, ctx, plan, depth, overrides,
                                   "optional" in flags, relative=not key.startswith("/"), group=group, raw_key=key)
                if sub is not None:
                    parts.append(sub)
        parts.reverse()
        if not parts:  # only ``override`` entries: Hydra keeps the file as a leaf, its own keys only
            return own
        merged = parts[0]
        for p in parts[1:]:
            merged = merge_nodes(merged, p)
        return merged

    def _config_entry(self, doc: Document, entry: Node, config_root: str, group: str, package: str,
                      ctx: Context, plan: TrainingPlan, depth: int, overrides) -> Node | None:
        """A plain ``- name`` / ``- dir/name`` / ``- /abs/name`` entry (a ConfigDefault)."""
        name = entry.value.strip()
        if "${" in name:
            return None
        optional = False
        if name.startswith("optional "):
            optional, name = True, name[len("optional "):].strip()
        name, _, pkg = name.partition("@")
        path_rel = name.lstrip("/") if name.startswith("/") else (f"{group}/{name}" if group else name)
        sub_group = path_rel.rsplit("/", 1)[0] if "/" in path_rel else ""
        rel_group = name.lstrip("/").rsplit("/", 1)[0] if "/" in name.lstrip("/") else ""
        target_pkg = _join_pkg(package, pkg.strip() if pkg else rel_group.replace("/", "."))
        path = os.path.join(config_root, *_normalize_file_name(path_rel).split("/"))
        return self._load(doc, entry, name, path, config_root, sub_group, target_pkg, ctx, plan, depth, overrides,
                          optional)

    def _option(self, doc: Document, config_root: str, abs_key: str, opt: Node, package: str, ctx: Context,
                plan: TrainingPlan, depth: int, overrides, optional: bool, relative: bool = False,
                group: str = "", raw_key: str = "") -> Node | None:
        """A ``group: option`` entry (a GroupDefault): ``<root>/<group>/<option>.yaml`` in package ``group``."""
        grp, _, pkg = abs_key.partition("@")
        if grp == "hydra" or grp.startswith("hydra/"):
            optional = True  # Hydra's own groups (hydra/job_logging ...) usually live in its package, not here
        options = opt.value if opt.is_sequence else [opt]
        rel_group = raw_key.partition("@")[0].lstrip("/") if raw_key else grp
        pkg_default = rel_group.replace("/", ".")
        loaded: list[Node] = []
        for o in options:
            if not isinstance(o.value, str) or o.value in ("???", "null") or "${" in o.value:
                continue
            target_pkg = (pkg.replace("_global_", "").strip(".") if pkg else _join_pkg(package, pkg_default))
            path = os.path.join(config_root, *grp.split("/"), *_normalize_file_name(o.value).split("/"))
            sub = self._load(doc, o, f"{grp}: {o.value}", path, config_root, grp, target_pkg, ctx, plan, depth,
                             overrides, optional)
            if sub is not None:
                loaded.append(sub)
        if not loaded:
            return None
        out = loaded[0]
        for n in loaded[1:]:
            out = merge_nodes(out, n)
        return out

    def _load(self, doc: Document, near: Node, ref: str, path: str, config_root: str, group: str, package: str,
              ctx: Context, plan: TrainingPlan, depth: int, overrides, optional: bool) -> Node | None:
        sub = ctx.load(path) if os.path.isfile(path) else None
        if sub is None or sub.fmt != "yaml" or not isinstance(sub.root.value, dict):
            if not optional:  # Hydra: a missing ``optional`` entry is dropped without a word
                rel = os.path.relpath(path, config_root)
                missing_base(plan, ref, path, near, "defaults",
                             f"hydra defaults: {rel} not found; its values are not included")
            return None
        plan.documents.append(sub)
        return self._compose(sub, config_root, group, package, ctx, plan, depth + 1, overrides)

    # -- normalization ------------------------------------------------------------
    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Find components by ``_target_``; then the Trainer, data and layout-specific keys.

        A primary config of lightning-hydra-template's shape whose ``task_name`` names an
        inference task (``configs/eval.yaml``: ``task_name: "eval"``; predict configs:
        ``"inference"``) starts no training: ``run.stage`` becomes ``inference`` and the
        engine runs only the load rules (STL0xx) on it (the composed model/scheduler files
        are shared with the training config, which is checked on its own).
        """
        task = doc.root.get("task_name") if isinstance(doc.root.value, dict) else None
        if task is not None and isinstance(task.value, str) and task.value.strip().lower() in INFERENCE_TASKS:
            self.put(plan, "run.stage", "inference", task, "task_name", default=False)
        for path, node in root.walk():
            target, args, suffix = _target(node)
            if target is None:
                continue
            kind = _kind(target)
            tkey = f"{path}._target_" if suffix == "" else f"{path}.target"
            akey = path + suffix
            if kind == "optimizer" and not plan.has("optimizer.type"):
                self.take(plan, "optimizer.type", node.get("_target_") or node.get("target"), tkey,
                          convert=optimizer_family)
                self._args(args, akey, _OPT_ARGS, plan)
            elif kind == "scheduler" and not plan.has("scheduler.type"):
                pv = self.take(plan, "scheduler.type", node.get("_target_") or node.get("target"), tkey)
                plan.set("scheduler.raw_type", PlanValue(target, source=pv.source))
                pv.value = scheduler_kind(target)
                self._args(args, akey, _SCHED_ARGS, plan, EPOCH)
            elif kind == "early_stopping" and args is not None:
                self._args(args, akey, {"patience": "early_stopping.patience", "monitor": "early_stopping.monitor"},
                           plan, EVAL)
        self._trainer(root, plan)
        self._latent_diffusion(root, plan)
        self._dinov2(root, plan)
        self._loss_weights(root, plan)
        if not plan.has("batch.per_device"):
            for key in ("data.batch_size", "data.params.batch_size", "datamodule.batch_size"):
                node = root.find(key)
                if node is not None and node.is_scalar:
                    self.take(plan, "batch.per_device", node, key, "per_device")
                    break

    def _args(self, args: Node | None, akey: str, table: dict[str, str], plan: TrainingPlan,
              unit: str | None = None) -> None:
        if args is None:
            return
        for arg, field in table.items():
            node = args.get(arg)
            if node is not None and node.value is not None and not plan.has(field):
                counted = field in _COUNTED or field == "early_stopping.patience"
                self.take(plan, field, node, f"{akey}.{arg}", unit if counted else None)

    def _trainer(self, root: Node, plan: TrainingPlan) -> None:
        """Lightning Trainer kwargs under ``trainer`` or ``lightning.trainer``."""
        for prefix in ("trainer", "lightning.trainer"):
            t = root.find(prefix)
            if t is None or not t.is_mapping:
                continue
            for key, field, unit in (("max_epochs", "run.epochs", EPOCH), ("max_steps", "run.max_steps", OPT_STEP),
                                     ("accumulate_grad_batches", "batch.grad_accum", None),
                                     ("check_val_every_n_epoch", "eval.interval", EPOCH)):
                node = t.get(key)
                if node is not None and node.is_scalar and node.value is not None and not plan.has(field):
                    if field == "run.max_steps" and (number_of(node) or -1) <= 0:
                        continue
                    if field == "run.epochs" and number_of(node) == -1:  # Lightning: infinite training
                        plan.notes.append(f"{prefix}.max_epochs -1: train until max_steps/max_time or forever "
                                          "(Lightning Trainer)")
                        continue
                    self.take(plan, field, node, f"{prefix}.{key}", unit)
            clip = t.get("gradient_clip_val")
            if clip is not None and clip.value is not None:
                algo = t.get("gradient_clip_algorithm")
                by_value = algo is not None and str(algo.value).lower() == "value"
                self.take(plan, "clip.value" if by_value else "clip.max_norm", clip, f"{prefix}.gradient_clip_val")
            prec = t.get("precision")
            if prec is not None and prec.value is not None:
                p = str(prec.value).lower()
                if p.startswith(("bf16", "16")):
                    self.take(plan, "precision.bf16" if p.startswith("bf16") else "precision.fp16", prec,
                              f"{prefix}.precision", convert=lambda _: True)
            return

    def _latent_diffusion(self, root: Node, plan: TrainingPlan) -> None:
        """``model.base_learning_rate`` scaled by ``main.py`` (``scale_lr`` default True), lower bound for 1 GPU."""
        base = root.find("model.base_learning_rate")
        if base is None or plan.has("optimizer.lr"):
            return
        pv = self.take(plan, "optimizer.lr", base, "model.base_learning_rate")
        bs = plan.number("batch.per_device") or number_of(root.find("data.params.batch_size") or Node(None))
        ga = plan.number("batch.grad_accum") or 1
        if pv.number is not None and bs:
            pv.value = pv.number * bs * ga
            plan.notes.append(f"latent-diffusion main.py scales base_learning_rate {base.value} by batch_size {int(bs)}"
                              f" x accumulate_grad_batches {int(ga)} x n_gpus (1 assumed): lr = {pv.value:g}")

    def _dinov2(self, root: Node, plan: TrainingPlan) -> None:
        """dinov2 ``optim``/``train`` sections: AdamW, per-iteration cosine schedules, epochs of fixed length."""
        optim = root.get("optim")
        if optim is None or not optim.is_mapping or root.get("train") is None:
            return
        lr, base_lr = optim.get("lr"), optim.get("base_lr")
        if base_lr is not None and (lr is None or number_of(lr) == 0):
            pv = self.take(plan, "optimizer.lr", base_lr, "optim.base_lr")
            plan.notes.append("dinov2: optim.lr is overwritten by the scaling rule from optim.base_lr "
                              f"({optim.get('scaling_rule').value if optim.get('scaling_rule') else 'none'}); "
                              f"using base_lr {pv.value} (the lr at batch 1024)")
        elif lr is not None:
            self.take(plan, "optimizer.lr", lr, "optim.lr")
        self.put(plan, "optimizer.type", "adamw", optim, key="optim")
        for key, field, unit in (("epochs", "run.epochs", EPOCH), ("weight_decay", "optimizer.weight_decay", None),
                                 ("warmup_epochs", "warmup.steps", EPOCH), ("min_lr", "scheduler.min_lr", None),
                                 ("clip_grad", "clip.max_norm", None)):
            if optim.get(key) is not None:
                self.take(plan, field, optim.get(key), f"optim.{key}", unit)
        b1, b2 = optim.get("adamw_beta1"), optim.get("adamw_beta2")
        if b1 is not None and b2 is not None:
            pv = self.take(plan, "optimizer.betas", b1, "optim.adamw_beta1")
            pv.value = [number_of(b1), number_of(b2)]
        bs = root.find("train.batch_size_per_gpu")
        if bs is not None:
            self.take(plan, "batch.per_device", bs, "train.batch_size_per_gpu", "per_device")
        self.put(plan, "scheduler.type", "cosine", optim, key="optim")
        self.put(plan, "scheduler.interval", "step", optim, key="optim", derived=True)

    def _loss_weights(self, root: Node, plan: TrainingPlan) -> None:
        """Scalars named ``*loss_weight``/``*_weight`` in a loss config or top-level loss sections."""
        terms: dict[str, PlanValue] = {}
        anchor: Node | None = None
        for path, node in root.walk():
            leaf = path.rsplit(".", 1)[-1]
            if not node.is_scalar or number_of(node) is None or not leaf.endswith("weight"):
                continue
            if "loss" not in path.lower() or leaf in ("weight",):
                continue
            terms[path] = self.value_of(node, path, "optimizer.lr", None, self.coerces, plan.path)
            anchor = anchor or node
        if len(terms) >= 2 and anchor is not None:
            line, col = anchor.anchor
            from ..plan import Provenance
            plan.set("loss.weights", PlanValue(terms, source=Provenance(anchor.path or plan.path, line, col,
                                                                         next(iter(terms)))))


class _Overrides:
    """``override`` choices seen so far in the reverse walk (group path → (option node, optional)),
    and the groups whose entry took one (Hydra ``Overrides.override_choices``)."""

    def __init__(self) -> None:
        self.choices: dict[str, tuple[Node, bool]] = {}
        self.consumed: set[str] = set()


#: How many parent folders of a file are searched for the config root (the folder of the groups).
ROOT_SEARCH_PARENTS = 3
_HEADER = re.compile(r"^#\s*@package\s+(\S+)\s*$", re.M)


#: ``task_name`` values of configs that evaluate or predict instead of training
#: (lightning-hydra-template: ``eval.yaml`` has ``task_name: "eval"``, ``train.yaml`` ``"train"``).
INFERENCE_TASKS = frozenset({"eval", "evaluate", "evaluation", "inference", "predict", "prediction", "test", "testing"})


def _normalize_file_name(name: str) -> str:
    """hydra ``ConfigSource._normalize_file_name``: ``.yaml`` appended unless already there
    (``.yml`` is kept as written: Hydra < 1.2 read it, newer versions refuse it)."""
    return name if name.endswith((".yaml", ".yml")) else name + ".yaml"


def _flags(raw_key: str) -> tuple[set[str], str]:
    """``"override /model@m"`` → ``({"override"}, "/model@m")``; ``optional`` likewise."""
    words = raw_key.split()
    flags = {w for w in words[:-1] if w in ("override", "optional")}
    return flags, words[-1] if words else raw_key


def _is_override(entry: Node) -> bool:
    return entry.is_mapping and bool(entry.value) and all("override" in _flags(k)[0] for k in entry.value)


def _absolute_group(key: str, group: str) -> str:
    """The group path from the config root (Hydra ``GroupDefault.get_group_path``); ``@pkg`` kept."""
    if key.startswith("/"):
        return key[1:]
    return f"{group}/{key}" if group else key


def _join_pkg(parent: str, child: str) -> str:
    """Hydra ``_get_final_package``: ``parent.child``; ``_global_`` anywhere resets to the root."""
    full = ".".join(p for p in (parent, child) if p)
    if "_global_" in full:
        full = full[full.rfind("_global_") + len("_global_"):]
    return full.strip(".")


def _package_header(text: str) -> str | None:
    """``# @package X`` (absolute; ``_global_`` = the root) or ``None``."""
    m = _HEADER.search(text[:2000])
    if not m:
        return None
    return _join_pkg("", m.group(1))


def _config_root(doc: Document, here: str) -> str:
    """The nearest of ``here`` and its parents (up to :data:`ROOT_SEARCH_PARENTS`) holding a group folder
    named by an absolute entry of ``doc``'s defaults list; ``here`` when there is none."""
    defaults = doc.root.get("defaults")
    groups: list[str] = []
    for e in (defaults.value if defaults is not None and defaults.is_sequence else []):
        keys = list(e.value) if e.is_mapping else [e.value] if isinstance(e.value, str) else []
        for k in keys:
            name = _flags(str(k))[1].partition("@")[0]
            if name.startswith("/") and name.strip("/"):
                groups.append(name.strip("/").split("/")[0] if e.is_mapping else name.strip("/").rsplit("/", 1)[0])
    groups = [g for g in groups if g and g != "hydra"]
    if not groups:
        return here
    d = here
    for _ in range(ROOT_SEARCH_PARENTS + 1):
        if any(os.path.isdir(os.path.join(d, g)) for g in groups):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return here


def _at(node: Node, package: str) -> Node:
    """Wrap ``node`` under the dotted ``package`` (``"model"`` → ``{model: node}``)."""
    for part in reversed([p for p in package.split(".") if p]):
        node = Node({part: node}, node.line, node.column, path=node.path)
    return node


DIALECT = Hydra()
