"""MosaicML Composer / llm-foundry dialect: train YAMLs with Composer **time strings**.

Sources (read at mosaicml/composer@6405188805a0 and mosaicml/llm-foundry@8c8dd48f7216, both Apache-2.0):

* **Loader.** llm-foundry's ``train_from_yaml`` reads the file with ``om.load`` (OmegaConf;
  ``llmfoundry/command_utils/train.py``), mosaicml/examples' BERT ``main.py`` likewise, so ``1e-4``
  is a float (``loader = "omegaconf"``). ``${variables.x}`` / ``${x}`` interpolations are resolved by
  OmegaConf at run time; stablint has no OmegaConf resolver, so those values stay *unresolved*.
* **Time strings** (:func:`parse_time`, a copy of ``Time.from_timestring``, ``composer/core/time.py``):
  ``<number><unit>`` with unit ``ba`` (batches), ``ep`` (epochs), ``sp`` (samples), ``tok`` (tokens),
  ``dur`` (fraction of ``max_duration``), ``iter`` (iterations) or ``sec``, case-insensitive; the
  number is read with ``float()`` (``3e4tok``, ``1_000ba``) and must be integral for every unit but
  ``dur`` (``1.5ba`` raises ``TypeError``). A wall-clock ``XhYmZs`` string (``verify_wct``) is tried
  first. An **integer** means epochs for ``max_duration``, ``eval_interval`` and ``save_interval``
  (``Trainer.__init__``: ``ensure_time(max_duration, TimeUnit.EPOCH)``; ``create_interval_scheduler``:
  ``Time.from_input(interval, TimeUnit.EPOCH)``, ``composer/utils/misc.py``).
* **One batch is one optimizer step.** ``Trainer._train_batch`` splits the device batch into
  micro-batches of ``device_train_microbatch_size``, runs them all, then calls ``optimizer.step()``
  once, and ``timestamp.to_next_batch`` counts one batch (``composer/trainer/trainer.py``); Composer
  schedulers are stepped every batch (``_get_default_scheduler_frequency``). So ``ba`` is
  :data:`~stablint.linter.plan.OPT_STEP` and the schedule interval is ``step``.
* **Samples and tokens** become optimizer steps only when the file states what one step holds:
  ``sp / global_train_batch_size``; ``tok / (global_train_batch_size × max_seq_len)`` (exact for
  packed/concatenated text, a lower bound of the steps when sequences are padded, since Composer
  counts non-padding tokens). Otherwise the field is set *unresolved* (rules stay silent).
* **Batch.** ``global_train_batch_size`` is the global batch per step; ``device_train_microbatch_size``
  (``auto`` allowed) the micro-batch per device; the accumulation ``ceil(global / world_size /
  micro)`` depends on the launcher's world size and is not set (``calculate_batch_size_info``,
  ``llmfoundry/utils/config_utils.py``).
* **Schedulers** (llm-foundry ``llmfoundry/optim/__init__.py`` registry; Composer
  ``composer/optim/scheduler.py``): ``cosine_with_warmup``, ``linear_decay_with_warmup``,
  ``constant_with_warmup``, ``inv_sqrt_with_warmup``. ``t_warmup`` is a time string; ``t_max``
  (default ``1dur``) is the **absolute** end of the decay, counted from step 0 (the decay fraction is
  ``(t - t_warmup) / (t_max - t_warmup)``), and Composer raises when ``t_max`` is shorter than
  ``max_duration`` in the same unit (``_raise_if_max_duration_exceeds_t_max``). ``dur`` values are
  fractions of ``max_duration`` (``_convert_time``).
* **Optimizers** (``decoupled_adamw``, ``decoupled_lionw``, ``decoupled_sgdw``, ``adalr_lion``,
  ``clip_lion``): Composer's decoupled weight decay is ``param *= 1 - (lr / initial_lr) ×
  weight_decay`` (``composer/optim/decoupled_weight_decay.py``), i.e. decoupled from the gradient
  *and* not multiplied by the LR (only by the schedule's factor), so ``optimizer.decoupled_weight_decay``
  is True and ``adam-coupled-weight-decay`` never applies.
* **Precision** ``amp_bf16`` / ``amp_fp16`` (``composer/core/precision.py``; ``amp`` and ``bf16`` in
  Composer < 0.13); **clipping** ``algorithms.gradient_clipping.{clipping_type, clipping_threshold}``
  (``norm`` → ``clip_grad_norm_``, ``value`` → ``clip_grad_value_``, ``adaptive`` is AGC, a ratio to
  the weight norm: not mapped; ``composer/algorithms/gradient_clipping/gradient_clipping.py``).
* **LoRA**: ``model.peft_config`` with ``peft_type: LORA`` is passed to ``peft.LoraConfig``
  (``llmfoundry/models/hf/hf_base.py`` ``get_peft_config``): ``r``, ``lora_alpha``, ``lora_dropout``.
* MCLI run files wrap the train config in ``parameters:``; that mapping is read as the config.
* Composer < 0.12 hparams files (yahp: ``optimizers: {decoupled_sgdw: {...}}``, ``schedulers: [{name: {...}}]``,
  ``train_batch_size``) are read when the dialect is forced (``--dialect composer``) but not detected: their
  keys (``train_dataset``, ``grad_accum``, ``optimizers``) are not distinctive enough, and yahp reads them with
  PyYAML (``yahp/hparams.py``), so the loader is then ``pyyaml`` and not certain.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass

from ..document import Document, Node
from ..plan import EPOCH, FRACTION_OF_LR, GLOBAL, OPT_STEP, PER_DEVICE, RATIO, PlanValue, TrainingPlan
from .base import Context, Dialect, number_of
from .names import optimizer_family, scheduler_kind

# -- time strings (composer/core/time.py) -------------------------------------------

#: ``TimeUnit`` values in declaration order (``composer/core/time.py``): the regex alternation below
#: is built from them exactly as ``_TIME_STR_REGEX`` is.
TIME_UNITS = ("iter", "ep", "ba", "sp", "tok", "dur", "sec")
_TIME_STR_REGEX = re.compile(r"^(.+)(" + "|".join(TIME_UNITS) + r")$", flags=re.IGNORECASE)
_WCT = re.compile(r"^(\d+h)?(\d+m)?(\d+s)?$")


@dataclass(frozen=True)
class Time:
    """A parsed Composer time: ``value`` (int, float for ``dur``) in ``unit`` (one of :data:`TIME_UNITS`)."""

    value: float
    unit: str


def _wall_clock(text: str) -> int | None:
    """Seconds of a ``XhYmZs`` string, as ``Time.from_timedelta``/``verify_wct`` read it; ``None`` otherwise."""
    t = text
    if "h" not in t:
        t = "0h" + t
    if "m" not in t:
        t = t.replace("h", "h0m")
    if "s" not in t:
        t = t + "0s"
    if not _WCT.match(t):
        return None
    try:
        ts = datetime.datetime.strptime(t, "%Hh%Mm%Ss")
    except ValueError:
        return None
    return ts.hour * 3600 + ts.minute * 60 + ts.second


def parse_time(value: object, int_unit: str | None = None) -> Time | None:
    """Parse a Composer time as ``Time.from_input``/``Time.from_timestring`` do; ``None`` where Composer raises.

    Args:
        value: a time string (``"4800ba"``, ``"0.05dur"``, ``"3e4tok"``, ``"1h30m"``) or an integer.
        int_unit: the unit an integer means for this key (``"ep"`` for ``max_duration``,
            ``eval_interval``, ``save_interval``); ``None`` where Composer accepts no integer
            (scheduler ``t_warmup``/``t_max`` go straight to ``Time.from_timestring``).

    Never raises: garbage, ``1.5ba`` (non-integral count: ``TypeError``), ``infba`` and booleans give ``None``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Time(value, int_unit) if int_unit else None
    if not isinstance(value, str):
        return None  # a float max_duration is a TypeError in Time.__init__ (integral units need int)
    secs = _wall_clock(value)
    if secs is not None:
        return Time(secs, "sec")
    m = _TIME_STR_REGEX.findall(value)
    if len(m) != 1:
        return None
    number, unit = m[0][0], m[0][1].lower()
    try:
        x = float(number)
    except ValueError:
        return None
    if unit == "dur":
        return Time(x, unit) if math.isfinite(x) else None
    if not math.isfinite(x) or int(x) != x:
        return None
    return Time(int(x), unit)


# -- keys ----------------------------------------------------------------------------

#: Top-level keys of llm-foundry's ``TrainConfig`` / Composer ``Trainer`` kwargs that other trainers
#: do not use (``llmfoundry/utils/config_utils.py``): each is evidence for Composer. ``max_duration``
#: is not among them (speech recipes use it for seconds of audio per batch: icefall, NeMo); it counts
#: only as a value marker when it holds a time string (:func:`_markers`).
STRONG_KEYS = frozenset({
    "global_train_batch_size", "device_train_microbatch_size", "device_eval_batch_size",
    "eval_subset_num_batches", "console_log_interval", "eval_first", "save_num_checkpoints_to_keep",
    "icl_tasks", "eval_gauntlet", "train_subset_num_batches", "device_train_batch_size",
    "save_latest_filename", "load_weights_only", "icl_subset_num_batches",
})
#: Keys Composer configs use that other configs use too (evidence only beside a strong key).
WEAK_KEYS = frozenset({"train_loader", "eval_loader", "algorithms", "fsdp_config", "eval_interval", "save_interval",
                       "callbacks", "loggers", "scheduler", "optimizer", "precision", "max_seq_len", "seed",
                       "run_name", "variables", "autoresume", "save_folder", "load_path", "progress_bar",
                       "log_to_console", "python_log_level", "dist_timeout", "tokenizer", "model"})
#: Composer ``Precision`` values (``composer/core/precision.py``; ``amp``/``bf16`` before 0.13).
PRECISIONS = {"amp_bf16": "precision.bf16", "amp_fp16": "precision.fp16", "amp": "precision.fp16",
              "bf16": "precision.bf16", "fp16": "precision.fp16"}
#: Scheduler names registered by llm-foundry (``llmfoundry/optim/__init__.py``) and Composer's own
#: hparams registry, with the canonical curve (``composer/optim/scheduler.py``).
SCHEDULERS = {
    "cosine_with_warmup": "cosine", "cosine_decay_with_warmup": "cosine", "linear_decay_with_warmup": "linear",
    "constant_with_warmup": "constant", "inv_sqrt_with_warmup": "inverse_sqrt",
    "polynomial_decay_with_warmup": "polynomial", "multistep_with_warmup": "multistep",
    "cosine_decay": "cosine", "linear_decay": "linear", "constant": "constant", "polynomial": "polynomial",
    "step": "step", "multistep": "multistep", "exponential": "exponential", "cosine_warmrestart": "cosine_restarts",
}
#: Optimizer names of Composer/llm-foundry whose weight decay is Composer's decoupled, LR-ratio-scaled decay.
DECOUPLED = frozenset({"decoupled_adamw", "decoupled_sgdw", "decoupled_lionw", "adalr_lion", "clip_lion"})
#: keys only a training config has (``TrainConfig``); an ``EvalConfig`` with ``models:`` has none of them
TRAIN_KEYS = frozenset({"optimizer", "optimizers", "scheduler", "schedulers", "max_duration", "train_loader",
                        "global_train_batch_size"})
#: ``TimeUnit`` → plan unit for counts that need no conversion.
_DIRECT = {"ba": OPT_STEP, "ep": EPOCH}
#: MCLI run-file keys around ``parameters:`` (``mcli`` run YAMLs).
_MCLI = frozenset({"command", "image", "compute", "integrations", "gpu_num", "gpu_type", "cluster", "scheduling"})


def _config(root: Node) -> tuple[Node, str]:
    """``(train config node, key prefix)``: the ``parameters:`` mapping of an MCLI run file, else the root."""
    params = root.get("parameters")
    if params is not None and params.is_mapping and set(root.value) & _MCLI:
        return params, "parameters."
    return root, ""


def _markers(cfg: Node) -> list[str]:
    """Value-level evidence: a time-string ``max_duration``/``t_warmup``, an ``amp_*`` precision, a Composer
    optimizer or scheduler name, a ``gradient_clipping`` algorithm."""
    out: list[str] = []
    md = cfg.get("max_duration")
    if md is not None and isinstance(md.value, str) and parse_time(md.value) is not None:
        out.append(f"time string max_duration {md.value}")
    tw = cfg.find("scheduler.t_warmup")
    if tw is not None and isinstance(tw.value, str) and parse_time(tw.value) is not None:
        out.append(f"time string scheduler.t_warmup {tw.value}")
    prec = cfg.get("precision")
    if prec is not None and isinstance(prec.value, str) and prec.value.lower().startswith("amp_"):
        out.append(f"precision {prec.value}")
    name = cfg.find("optimizer.name")
    if name is not None and isinstance(name.value, str) and name.value.lower() in DECOUPLED:
        out.append(f"optimizer {name.value}")
    sname = cfg.find("scheduler.name")
    if sname is not None and isinstance(sname.value, str) and sname.value.lower() in SCHEDULERS \
            and sname.value.lower().endswith("_with_warmup"):
        out.append(f"scheduler {sname.value}")
    if cfg.find("algorithms.gradient_clipping.clipping_type") is not None:
        out.append("algorithms.gradient_clipping")
    return out


class Composer(Dialect):
    """llm-foundry / Composer train YAMLs (and MCLI run files holding one under ``parameters:``)."""

    name = "composer"
    title = "MosaicML Composer / llm-foundry"
    formats = ("yaml",)
    loader = "omegaconf"
    scheduler_interval = "step"
    evidence_keys = STRONG_KEYS
    #: llm-foundry needs only ``global_train_batch_size % world_size == 0``; the device batch is split into
    #: ``ceil(device_batch / device_train_microbatch_size)`` micro-batches (``calculate_batch_size_info``,
    #: ``llmfoundry/utils/config_utils.py``; ``Trainer._train_batch`` ``split_batch``), the last one smaller
    micro_batch_split = "ceil"
    #: 0.5 + 0.1 per strong key or value marker: four of them (``max_duration: 4800ba``,
    #: ``global_train_batch_size``, ``device_train_microbatch_size``, ``precision: amp_bf16``) are certain
    high_score = 0.85
    #: a strong key plus one marker (two Composer-specific signs) to use the key mapping at all
    medium_score = 0.7

    def detect(self, doc: Document) -> float:
        """Strong top-level keys plus value markers (:func:`_markers`); 0 without a strong key."""
        if not doc.root.is_mapping:
            return 0.0
        cfg, _ = _config(doc.root)
        keys = set(cfg.value)
        strong = len(keys & STRONG_KEYS)
        if strong == 0:
            return 0.0
        weak = min(0.04, 0.01 * len(keys & WEAK_KEYS))  # never enough to turn three signs into "high"
        return min(0.95, 0.5 + 0.1 * strong + 0.1 * len(_markers(cfg)) + weak)

    def evidence(self, doc: Document) -> tuple[str, ...]:
        """The strong keys found and the value markers."""
        if not doc.root.is_mapping:
            return ()
        cfg, prefix = _config(doc.root)
        return tuple(f"key {prefix}{k}" for k in sorted(set(cfg.value) & STRONG_KEYS)) + tuple(_markers(cfg))

    def root(self, doc: Document, ctx: Context, plan: TrainingPlan) -> Node:
        """The train config: ``parameters:`` of an MCLI run file, else the document root."""
        return _config(doc.root)[0] if doc.root.is_mapping else doc.root

    # -- normalization ----------------------------------------------------------------
    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Batch, run length, optimizer, scheduler, precision, clipping, intervals, model."""
        prefix = _config(doc.root)[1] if doc.root.is_mapping else ""
        self.prefix = prefix
        if root.is_mapping and root.get("models") is not None and not set(root.value) & TRAIN_KEYS:
            # llm-foundry eval YAML (``EvalConfig``: ``models`` list, ``icl_tasks``; scripts/eval/eval.py)
            self.put(plan, "run.stage", "inference", root.get("models"), self._key("models"), default=False)
        if root.is_mapping and (root.get("optimizers") is not None or root.get("schedulers") is not None) \
                and root.get("optimizer") is None and root.get("scheduler") is None:
            # Composer < 0.12 hparams (yahp, removed in composer#1512): read with PyYAML (yahp/hparams.py
            # ``yaml.safe_load``); whether yahp casts a ``1e-4`` string for a float field was not checked
            plan.loader, plan.loader_known = "pyyaml", False
            plan.notes.append("composer: Composer hparams (yahp) layout: optimizers:/schedulers: registries")
        self._batch(root, plan)
        per_step = self._per_step(root)
        md = root.get("max_duration")
        if md is not None and md.value is not None:
            t = self._time(plan, md, "max_duration", "ep", per_step, {OPT_STEP: "run.max_steps", EPOCH: "run.epochs"},
                           "run.max_steps")
            ssr = root.get("scale_schedule_ratio")
            if t is not None and ssr is not None and number_of(ssr) not in (None, 1, 1.0):
                for f in ("run.max_steps", "run.epochs"):
                    if plan.has(f):
                        plan.fields[f].resolved = False
                plan.notes.append("composer: scale_schedule_ratio rescales max_duration and t_max but not t_warmup; "
                                  "run length left unresolved")
        self._optimizer(root, plan)
        self._scheduler(root, plan, per_step)
        self._precision(root, plan)
        self._clipping(root, plan)
        for key, canonical in (("eval_interval", "eval.interval"), ("save_interval", "save.interval")):
            node = root.get(key)
            if node is not None and node.value is not None:
                self._time(plan, node, key, "ep", per_step, {OPT_STEP: canonical, EPOCH: canonical}, canonical)
        self._lora(root, plan)
        model = root.find("model.pretrained_model_name_or_path")
        if model is not None and isinstance(model.value, str) and model.value.strip():
            self.take(plan, "model.name", model, self._key("model.pretrained_model_name_or_path"))

    def _key(self, key: str) -> str:
        return f"{getattr(self, 'prefix', '')}{key}"

    def _batch(self, root: Node, plan: TrainingPlan) -> None:
        """``global_train_batch_size`` (or Composer-hparams ``train_batch_size``) and the micro-batch."""
        for key in ("global_train_batch_size", "train_batch_size"):
            node = root.get(key)
            if node is not None and node.is_scalar and node.value is not None:
                self.take(plan, "batch.global", node, self._key(key), GLOBAL)
                break
        micro = root.get("device_train_microbatch_size")
        if micro is not None and micro.is_scalar and micro.value is not None:
            self.take(plan, "batch.per_device", micro, self._key("device_train_microbatch_size"), PER_DEVICE)

    def _per_step(self, root: Node) -> dict[str, float]:
        """How many samples (``sp``) and tokens (``tok``) one optimizer step holds, from stated values only."""
        out: dict[str, float] = {}
        g = root.get("global_train_batch_size") or root.get("train_batch_size")
        gb = number_of(g) if g is not None and g.is_scalar else None
        if gb is not None and gb > 0:
            out["sp"] = float(gb)
            s = root.get("max_seq_len")
            seq = number_of(s) if s is not None and s.is_scalar else None
            if seq is not None and seq > 0:
                out["tok"] = float(gb * seq)
        return out

    def _time(self, plan: TrainingPlan, node: Node, key: str, int_unit: str | None, per_step: dict[str, float],
              fields: dict[str, str], fallback: str, ratio_field: str | None = None) -> Time | None:
        """Set the field a Composer time maps to; unresolved (with a note) when it cannot be counted in
        optimizer steps or epochs. Returns the parsed :class:`Time` (``None`` when unparsable)."""
        pv = self.value_of(node, self._key(key), fallback, None, False, plan.path)
        raw = node.value if isinstance(node.value, str) else None
        if not pv.resolved and isinstance(node.value, str) and "${" in node.value:
            plan.set(fallback, pv)
            return None
        t = parse_time(node.value, int_unit)
        pv.raw = str(node.value)
        pv.as_string = False
        if t is None:
            pv.value, pv.resolved = str(node.value), False
            plan.set(fallback, pv)
            plan.notes.append(f"composer: {self._key(key)} {node.value!r} is not a Composer time string")
            return None
        pv.resolved = True
        if t.unit == "dur" and ratio_field is not None:
            pv.value, pv.unit = float(t.value), RATIO
            plan.set(ratio_field, pv)
            return t
        if t.unit in _DIRECT and t.value >= 0:
            pv.value, pv.unit = int(t.value), _DIRECT[t.unit]
            plan.set(fields[pv.unit], pv)
            return t
        if t.unit in per_step and t.value >= 0 and OPT_STEP in fields:
            steps = t.value / per_step[t.unit]
            pv.value, pv.unit = (int(steps) if float(steps).is_integer() else steps), OPT_STEP
            plan.set(fields[OPT_STEP], pv)
            what = "global_train_batch_size" if t.unit == "sp" else "global_train_batch_size × max_seq_len"
            plan.notes.append(f"composer: {self._key(key)} {raw} = {pv.value:g} optimizer steps ({t.unit} / {what}"
                              + (", exact for packed sequences" if t.unit == "tok" else "") + ")")
            return t
        pv.value, pv.resolved = str(node.value), False
        plan.set(fallback, pv)
        reason = {"sp": "global_train_batch_size is not stated", "tok": "global_train_batch_size and max_seq_len are "
                  "not both stated", "dur": "a fraction of the run", "iter": "iterations (passes over the data "
                  "curriculum) have no step count", "sec": "wall-clock time"}.get(t.unit, "negative")
        plan.notes.append(f"composer: {self._key(key)} {node.value} not converted to steps: {reason}")
        return t

    def _optimizer(self, root: Node, plan: TrainingPlan) -> None:
        """``optimizer: {name, lr, betas, eps, weight_decay}`` (llm-foundry) or ``optimizers: {name: {...}}``."""
        opt = root.get("optimizer")
        key = "optimizer"
        name_node: Node | None = opt.get("name") if opt is not None and opt.is_mapping else None
        args = opt
        if name_node is None:
            opts = root.get("optimizers")  # Composer hparams (yahp): optimizers: {decoupled_adamw: {lr: ...}}
            if opts is not None and opts.is_mapping and len(opts.value) == 1:
                (oname, args), = opts.value.items()
                key = f"optimizers.{oname}"
                if args.is_mapping:
                    name_node = Node(oname, *opts.anchor, path=opts.path)
                    pv = self.value_of(name_node, self._key(key), "optimizer.type", None, False, plan.path)
                    pv.value = optimizer_family(oname)
                    plan.set("optimizer.type", pv)
                else:
                    args = None
        elif isinstance(name_node.value, str):
            self.take(plan, "optimizer.type", name_node, self._key("optimizer.name"), convert=optimizer_family)
        if name_node is None or args is None or not args.is_mapping:
            return
        raw = str(name_node.value).strip().lower()
        if raw in DECOUPLED or raw.startswith("decoupled_"):  # a ``decoupled_*`` optimizer says so by name
            self.put(plan, "optimizer.decoupled_weight_decay", True, plan.get("optimizer.type"),
                     key=self._key(f"{key}.name" if key == "optimizer" else key), default=False)
        for arg, canonical in (("lr", "optimizer.lr"), ("betas", "optimizer.betas"), ("eps", "optimizer.eps"),
                               ("weight_decay", "optimizer.weight_decay"), ("momentum", "optimizer.momentum")):
            child = args.get(arg)
            if child is not None and child.value is not None:
                self.take(plan, canonical, child, self._key(f"{key}.{arg}"))

    def _scheduler(self, root: Node, plan: TrainingPlan, per_step: dict[str, float]) -> None:
        """``scheduler: {name, t_warmup, t_max, alpha_f}`` (llm-foundry) or ``schedulers: [{name: {...}}]``."""
        sch = root.get("scheduler")
        key = "scheduler"
        name_node = sch.get("name") if sch is not None and sch.is_mapping else None
        args = sch
        if name_node is None:
            lst = root.get("schedulers")  # Composer hparams: schedulers: [- cosine_decay_with_warmup: {t_warmup}]
            if lst is not None and lst.is_sequence and len(lst.value) == 1 and lst.value[0].is_mapping \
                    and len(lst.value[0].value) == 1:
                (sname, args), = lst.value[0].value.items()
                key = f"schedulers.0.{sname}"
                name_node = Node(sname, *lst.value[0].anchor, path=lst.path)
            else:
                return
        if not isinstance(name_node.value, str):
            return
        raw = name_node.value.strip().lower()
        pv = self.take(plan, "scheduler.type", name_node, self._key(f"{key}.name" if key == "scheduler" else key))
        plan.set("scheduler.raw_type", PlanValue(name_node.value, source=pv.source))
        pv.value = SCHEDULERS.get(raw) or scheduler_kind(raw)
        self.put(plan, "scheduler.interval", "step", pv, derived=True)  # every batch (_get_default_scheduler_frequency)
        if args is None or not args.is_mapping:
            return
        tw = args.get("t_warmup")
        if tw is not None and tw.value is not None:
            self._time(plan, tw, f"{key}.t_warmup", None, per_step, {OPT_STEP: "warmup.steps", EPOCH: "warmup.steps"},
                       "warmup.steps", ratio_field="warmup.ratio")
        tmax = args.get("t_max")
        if tmax is not None and tmax.value is not None and raw in SCHEDULERS:
            t = parse_time(tmax.value)
            if t is not None and t.unit == "dur":
                self._dur_horizon(plan, tmax, f"{key}.t_max", t)
            else:
                self._time(plan, tmax, f"{key}.t_max", None, per_step, {OPT_STEP: "scheduler.t_max",
                           EPOCH: "scheduler.t_max"}, "scheduler.t_max")
        alpha = args.get("alpha_f")  # the multiplier the decay ends at (cosine, linear, polynomial)
        if alpha is not None and alpha.value is not None and pv.value in ("cosine", "linear", "polynomial") \
                and raw in SCHEDULERS:
            self.take(plan, "scheduler.min_lr", alpha, self._key(f"{key}.alpha_f"), FRACTION_OF_LR)

    def _dur_horizon(self, plan: TrainingPlan, node: Node, key: str, t: Time) -> None:
        """``t_max: Xdur``: X × ``max_duration`` in its unit (``_convert_time``); unset for ``1dur`` (the run)."""
        run = plan.get("run.max_steps") or plan.get("run.epochs")
        if t.value == 1.0:
            return
        if run is None or run.number is None:
            pv = self.value_of(node, self._key(key), "scheduler.t_max", None, False, plan.path)
            pv.value, pv.resolved = str(node.value), False
            plan.set("scheduler.t_max", pv)
            return
        pv = self.value_of(node, self._key(key), "scheduler.t_max", run.unit, False, plan.path)
        # Composer's _convert_time: Time(int(value × max_duration.value), max_duration.unit)
        pv.value, pv.raw, pv.as_string, pv.resolved = int(t.value * run.number), str(node.value), False, True
        plan.set("scheduler.t_max", pv)

    def _lora(self, root: Node, plan: TrainingPlan) -> None:
        """``model.peft_config``: llm-foundry builds ``peft.LoraConfig(**peft_config)`` and accepts only
        ``peft_type: LORA`` (``BaseHuggingFaceModel.get_peft_config``, ``llmfoundry/models/hf/hf_base.py``).
        Only stated values are set (the ``LoraConfig`` defaults depend on the PEFT version)."""
        pc = root.find("model.peft_config")
        if pc is None or not pc.is_mapping:
            return
        ptype = pc.get("peft_type")
        if ptype is None or not isinstance(ptype.value, str) or ptype.value.strip().upper() != "LORA":
            return
        self.put(plan, "lora.enabled", True, ptype, self._key("model.peft_config.peft_type"), default=False)
        for arg, canonical in (("r", "lora.r"), ("lora_alpha", "lora.alpha"), ("lora_dropout", "lora.dropout"),
                               ("use_rslora", "lora.use_rslora")):
            child = pc.get(arg)
            if child is not None and child.value is not None:
                self.take(plan, canonical, child, self._key(f"model.peft_config.{arg}"))

    def _precision(self, root: Node, plan: TrainingPlan) -> None:
        node = root.get("precision")
        if node is None or not isinstance(node.value, str):
            return
        field = PRECISIONS.get(node.value.strip().lower())
        if field:
            self.take(plan, field, node, self._key("precision"), convert=lambda _: True)

    def _clipping(self, root: Node, plan: TrainingPlan) -> None:
        gc = root.find("algorithms.gradient_clipping")
        if gc is None or not gc.is_mapping:
            return
        kind, thr = gc.get("clipping_type"), gc.get("clipping_threshold")
        if thr is None or kind is None or not isinstance(kind.value, str):
            return
        field = {"norm": "clip.max_norm", "value": "clip.value"}.get(kind.value.strip().lower())
        if field is None:
            plan.notes.append(f"composer: gradient_clipping clipping_type {kind.value!r} (adaptive = AGC, a ratio to "
                              "the weight norm) is not a norm or value threshold")
            return
        self.take(plan, field, thr, self._key("algorithms.gradient_clipping.clipping_threshold"))


DIALECT = Composer()
