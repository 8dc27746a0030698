"""ultralytics dialect: YOLO ``cfg=`` override files (keys of ``ultralytics/cfg/default.yaml``) and yolov5 hyps.

Keys (research/dialects.md table 2C, ultralytics ``cfg/default.yaml@00033e8``, [UL-TR]):
``lr0`` (0.01), ``lrf`` (0.01, **fraction of lr0**: final LR = lr0·lrf), ``epochs`` (100),
``batch`` (16, **global** across DDP; -1 or a float = AutoBatch), ``warmup_epochs`` (3.0,
**epochs**), ``patience`` (100 epochs without fitness improvement → early stop), ``optimizer``
(``auto``), ``momentum`` (0.937), ``weight_decay`` (0.0005), ``cos_lr`` (False → linear decay),
loss gains ``box`` (7.5) / ``cls`` (0.5) / ``dfl`` (1.5), ``amp`` (True), ``save_period`` (-1).

Traps (research §3.11): the scheduler steps **per epoch**; ``optimizer: auto`` (the default)
ignores ``lr0`` and ``momentum`` and picks SGD(lr=0.01) or AdamW with its own LR, so ``lr0``
is kept but marked unresolved in that case. A ``cfg=`` file overrides ``default.yaml``, so
omitted keys take the defaults above (``default=True``). The files are read with
``yaml.safe_load`` (``loader = "pyyaml"``: ``1e-4`` is a string and ``check_cfg`` raises
``TypeError``). yolov5 ``hyp.*.yaml`` files (``obj`` gain, no ``optimizer`` key) train with SGD.
"""

from __future__ import annotations

from ..document import Document, Node
from ..plan import EPOCH, FRACTION_OF_LR, GLOBAL, PlanValue, Provenance, TrainingPlan
from .base import Context, Dialect, number_of
from .names import optimizer_family
from . import known_keys as kk

_KNOWN_KEYS = kk.ULTRALYTICS.keys

_STRONG = {"lr0", "lrf", "warmup_epochs", "warmup_bias_lr", "warmup_momentum", "hsv_h", "hsv_s", "hsv_v", "mosaic",
           "close_mosaic", "nbs", "dfl", "fliplr", "flipud", "copy_paste", "cos_lr", "box", "obj", "anchor_t"}
_LOSS_GAINS = ("box", "cls", "dfl", "obj", "pose", "kobj")

#: ``ultralytics/cfg/default.yaml`` values for the keys the plan uses.
DEFAULTS: dict[str, object] = {
    "lr0": 0.01, "lrf": 0.01, "epochs": 100, "batch": 16, "warmup_epochs": 3.0, "patience": 100,
    "momentum": 0.937, "weight_decay": 0.0005, "optimizer": "auto", "cos_lr": False,
    "box": 7.5, "cls": 0.5, "dfl": 1.5, "amp": True,
}

KEYS = {
    "optimizer.lr": "lr0",
    "scheduler.min_lr": ("lrf", FRACTION_OF_LR),
    "run.epochs": ("epochs", EPOCH),
    "warmup.steps": ("warmup_epochs", EPOCH),
    "early_stopping.patience": ("patience", EPOCH),
    "optimizer.momentum": "momentum",
    "optimizer.weight_decay": "weight_decay",
    "model.dropout": "dropout",
}


class Ultralytics(Dialect):
    """ultralytics YOLO training overrides and yolov5 hyperparameter files."""

    name = "ultralytics"
    evidence_keys = frozenset(_STRONG)
    #: 0.6 + 0.03 per YOLO-only key: four (0.72) are certain, two or three are medium
    high_score = 0.72
    title = "ultralytics YOLO"
    known_keys = _KNOWN_KEYS  # closed top-level key set, for unknown-key (STL004)
    #: ``check_dict_alignment`` raises ``SyntaxError`` "'x' is not a valid YOLO argument" for any
    #: other key (``cfg/__init__.py@0019742``; research/existing_checks.md A.11)
    unknown_keys = "closed"
    #: ``yolo train key=value``: CLI arguments are the same cfg keys, checked by the same
    #: ``check_dict_alignment`` (research/dialects.md §1, ultralytics row)
    cli_flags_are_keys = True
    formats = ("yaml",)
    loader = "pyyaml"
    scheduler_interval = "epoch"
    KEYS = KEYS

    def key_policy(self, doc: Document) -> kk.KeyPolicy | None:
        """Two families, never mixed (known_keys.py):

        * a yolov5-generation hyp file (any key of ``YOLOV5_ONLY``: ``obj``, ``anchor_t``,
          ``iou_t``...) is read by that repository's ``train.py`` as a plain dict, and the
          generation (yolov3/v5/v7/v9 forks add keys) is not in the file: near misses of the
          yolov5 hyp keys only, at ``info``; YOLOv8 arguments are never suggested;
        * an ``args.yaml`` the trainer wrote itself (most default.yaml keys present): a newer
          release's keys are not typos: ``info``;
        * otherwise a YOLOv8+ cfg override: closed (``check_dict_alignment`` raises), ``warning``.
        """
        keys = {k for k in doc.keys() if isinstance(k, str)}
        if keys & kk.YOLOV5_ONLY:
            return kk.KeyPolicy(kk.YOLOV5_HYP, kk.YOLOV5_HYP.keys, kk.YOLOV5_HYP.keys, severity="info",
                                why="a yolov5-style hyp file (its generation is not stated)")
        suggest = kk.ULTRALYTICS.consistent_with(keys)
        if kk.is_dump(keys, kk.ULTRALYTICS):
            return kk.KeyPolicy(kk.ULTRALYTICS, kk.ULTRALYTICS.keys, suggest, closed=True, severity="info",
                                why="an args.yaml the trainer wrote (a newer release may add keys)")
        return kk.KeyPolicy(kk.ULTRALYTICS, kk.ULTRALYTICS.keys, suggest, closed=True)

    def detect(self, doc: Document) -> float:
        """Two or more YOLO-specific keys (``lr0``, ``lrf``, ``warmup_bias_lr``, ``mosaic``, ``dfl`` ...)."""
        hits = len(doc.keys() & _STRONG)
        return 0.0 if hits < 2 else min(0.95, 0.6 + 0.03 * hits)

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Defaults (ultralytics only), optimizer choice, schedule, batch, loss gains, AMP."""
        yolov5 = root.get("obj") is not None and root.get("optimizer") is None
        if not yolov5:
            for canonical, spec in KEYS.items():
                key, unit = spec if isinstance(spec, tuple) else (spec, None)
                if not plan.has(canonical) and key in DEFAULTS:
                    self.put(plan, canonical, DEFAULTS[key], None, key=key, unit=unit)
        if plan.has("early_stopping.patience"):
            self.put(plan, "early_stopping.monitor", "fitness", plan.get("early_stopping.patience"), key="patience")
        self._optimizer(root, plan, yolov5)
        cos = root.get("cos_lr")
        if cos is not None and isinstance(cos.value, bool):
            pv = self.take(plan, "scheduler.type", cos, "cos_lr", convert=lambda v: "cosine" if v else "linear")
        else:
            pv = self.put(plan, "scheduler.type", "linear", None, key="cos_lr")
        plan.set("scheduler.raw_type", PlanValue("one_cycle (cosine lr0 -> lr0*lrf)" if pv.value == "cosine"
                                                 else "linear lr0 -> lr0*lrf", source=pv.source))
        batch = root.get("batch") or root.get("batch_size")
        if batch is not None:
            n = number_of(batch)
            pv = self.take(plan, "batch.global", batch, "batch", GLOBAL)
            if n is None or n <= 0 or not float(n).is_integer():  # -1 or a fraction: AutoBatch picks it
                pv.resolved = False
        elif not yolov5:
            self.put(plan, "batch.global", DEFAULTS["batch"], None, key="batch", unit=GLOBAL)
        self._loss_gains(root, plan, yolov5)
        amp = root.get("amp")
        if amp is not None and isinstance(amp.value, bool):
            self.take(plan, "precision.fp16", amp, "amp")
        elif amp is None and not yolov5:
            self.put(plan, "precision.fp16", True, None, key="amp")
        period = root.get("save_period")
        if period is not None and (number_of(period) or -1) > 0:
            self.take(plan, "save.interval", period, "save_period", EPOCH)

    def _optimizer(self, root: Node, plan: TrainingPlan, yolov5: bool) -> None:
        opt = root.get("optimizer")
        if yolov5:
            self.put(plan, "optimizer.type", "sgd", None, key="--optimizer (yolov5 default SGD)")
            return
        name = opt.value if opt is not None and isinstance(opt.value, str) else DEFAULTS["optimizer"]
        if str(name).lower() == "auto":
            plan.notes.append("optimizer: auto ignores lr0 and momentum (SGD lr=0.01 or AdamW with a fitted lr is "
                              "chosen from the iteration count); set an explicit optimizer to use lr0")
            for field in ("optimizer.lr", "optimizer.momentum"):
                pv = plan.get(field)
                if pv is not None:
                    pv.resolved = False
            return
        self.take(plan, "optimizer.type", opt, "optimizer", convert=optimizer_family)

    def _loss_gains(self, root: Node, plan: TrainingPlan, yolov5: bool) -> None:
        terms: dict[str, PlanValue] = {}
        for key in _LOSS_GAINS:
            node = root.get(key)
            if node is not None and number_of(node) is not None:
                terms[key] = self.value_of(node, key, "optimizer.lr", None, False, plan.path)
            elif not yolov5 and key in DEFAULTS:
                terms[key] = PlanValue(DEFAULTS[key], source=Provenance(plan.path, 1, 1, key, default=True))
        if len(terms) >= 2:
            first = next((root.get(k) for k in terms if root.get(k) is not None), None)
            line, col = first.anchor if first is not None else (1, 1)
            plan.set("loss.weights", PlanValue(terms, source=Provenance(plan.path, line, col,
                                                                         "box/cls/dfl", default=first is None)))


DIALECT = Ultralytics()
