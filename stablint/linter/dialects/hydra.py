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

Composition (``defaults:``, hydra@2c03d1b ``website/docs/advanced/defaults_list.md``): entries
``- group: option`` load ``<config root>/group/option.yaml`` into package ``group``; plain names
load ``<dir>/name.yaml``; ``_self_`` marks where the file's own keys go and is appended **last**
when omitted; ``override``/``optional`` prefixes and ``@package`` are honoured; ``# @package
_global_`` moves a file to the root. Missing files become plan notes, never errors.

OmegaConf reads ``1e-4`` as a float (omegaconf ``_yaml.py:259-273``): ``loader = "omegaconf"``.
"""

from __future__ import annotations

import os
import re

from ..document import Document, Node
from ..plan import EPOCH, EVAL, OPT_STEP, PlanValue, TrainingPlan
from .base import Context, Dialect, merge_nodes, number_of
from .names import optimizer_family, scheduler_kind

_MAX_DEPTH = 6
_GLOBAL = re.compile(r"^#\s*@package\s+_global_\s*$", re.M)
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
        """The composed config: ``defaults:`` files merged in order around the file's own keys."""
        here = os.path.dirname(doc.path)
        return self._compose(doc, here, here, "", ctx, plan, 0)

    def _compose(self, doc: Document, config_root: str, group_dir: str, package: str, ctx: Context,
                 plan: TrainingPlan, depth: int) -> Node:
        own = Node({k: v for k, v in doc.root.value.items() if k != "defaults"}, path=doc.path)
        if _GLOBAL.search(doc.text or ""):
            package = ""
        own = _at(own, package)
        defaults = doc.root.get("defaults")
        if defaults is None or not defaults.is_sequence or depth >= _MAX_DEPTH:
            return own
        parts: list[Node] = []
        self_seen = False
        for entry in defaults.value:
            if entry.value == "_self_":
                parts.append(own)
                self_seen = True
                continue
            for path, pkg in self._entry_files(entry, group_dir, config_root, package):
                sub = ctx.load(path) if os.path.isfile(path) else None
                if sub is None:
                    plan.notes.append(f"hydra defaults: {os.path.relpath(path, config_root)} not found; "
                                      "its values are not included")
                    continue
                plan.documents.append(sub)
                parts.append(self._compose(sub, config_root, os.path.dirname(path), pkg, ctx, plan, depth + 1))
        if not self_seen:
            parts.append(own)
        merged = parts[0]
        for p in parts[1:]:
            merged = merge_nodes(merged, p)
        return merged

    def _entry_files(self, entry: Node, group_dir: str, config_root: str, package: str):
        """Yield ``(file, package)`` for one defaults entry; ``null`` options are skipped."""
        if isinstance(entry.value, str):
            name = entry.value
            base = config_root if name.startswith("/") else group_dir
            yield os.path.join(base, name.lstrip("/") + ".yaml"), package
            return
        if not entry.is_mapping:
            return
        for key, opt in entry.value.items():
            key = key.replace("override ", "").replace("optional ", "").strip()
            group, _, pkg = key.partition("@")
            options = opt.value if opt.is_sequence else [opt]
            for o in options:
                if not isinstance(o.value, str) or o.value in ("???", "null"):
                    continue
                rel_group = group.lstrip("/")
                base = config_root if group.startswith("/") or group_dir == config_root else group_dir
                if group_dir != config_root and not group.startswith("/"):
                    rel_pkg = f"{package}.{rel_group}" if package else rel_group
                else:
                    rel_pkg = rel_group.replace("/", ".")
                target_pkg = pkg.replace("_global_", "").strip(".") if pkg else rel_pkg
                yield os.path.join(base, rel_group, o.value + ".yaml"), target_pkg

    # -- normalization ------------------------------------------------------------
    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Find components by ``_target_``; then the Trainer, data and layout-specific keys."""
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


def _at(node: Node, package: str) -> Node:
    """Wrap ``node`` under the dotted ``package`` (``"model"`` → ``{model: node}``)."""
    for part in reversed([p for p in package.split(".") if p]):
        node = Node({part: node}, node.line, node.column, path=node.path)
    return node


DIALECT = Hydra()
