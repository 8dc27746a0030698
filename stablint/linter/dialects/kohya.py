"""kohya-ss sd-scripts training TOML (``train_network.py --config_file x.toml``).

Sources: kohya-ss/sd-scripts ``library/train_util.py`` [K-TU] (``read_config_from_file``,
``add_optimizer_arguments``, ``add_training_arguments``), ``networks/lora.py`` [K-L]
(``LoRAModule``: ``scale = alpha / lora_dim``).

* ``read_config_from_file`` flattens one level: every ``[section]`` table's keys become top-level
  arguments, so ``[Optimizer] unet_lr = 1e-4`` is ``--unet_lr 1e-4`` and a key in two sections takes
  the later one's value [K-TU]. A file whose sections set the same key twice (one section per model
  variant, picked by a project's own launcher) is not normalized: which values run is not in it.
* TOML types numbers itself (``1e-4`` is a float: ``loader = "toml"``); the result becomes the
  argparse namespace, command-line flags override it.
* Defaults [K-TU]: ``learning_rate`` 2e-6 (``unet_lr``/``text_encoder_lr`` default to it),
  ``optimizer_type`` "" = AdamW, ``lr_scheduler`` "constant", ``lr_warmup_steps`` 0 (a float < 1 is
  a ratio of the run in current releases), ``max_train_steps`` 1600 unless ``max_train_epochs``
  is set (it overrides the steps), ``gradient_accumulation_steps`` 1, ``max_grad_norm`` 1.0,
  ``mixed_precision`` "no", ``train_batch_size`` 1.
* The LR in the plan is the U-Net's: ``unet_lr`` when set, else ``learning_rate``.
* Batch: a ``dataset_config`` file sets ``batch_size`` per dataset and wins over
  ``train_batch_size``, so the batch is only taken from an explicit ``train_batch_size`` in a file
  without ``dataset_config``; one batch element is one image.
* LoRA (``network_dim``/``network_alpha``, scale alpha/dim [K-L]) is **not** put into ``lora.*``:
  the LoRA rules' thresholds come from LLM recipes, and diffusion LoRA recipes (alpha 1 with dim
  32-128 at LR 1e-4, kohya's documented default alpha 1) sit far outside them.
"""

from __future__ import annotations

from typing import Any

from ..document import Document, Node
from ..plan import EPOCH, OPT_STEP, PER_DEVICE, RATIO, TrainingPlan
from .base import Context, Dialect, number_of
from .names import optimizer_family, scheduler_kind

#: Arguments only sd-scripts uses (diffusers' example scripts share the generic ones:
#: ``pretrained_model_name_or_path``, ``train_batch_size``, ``lr_warmup_steps`` ...).
KOHYA_KEYS = frozenset({
    "network_module", "network_dim", "network_alpha", "network_args", "network_train_unet_only",
    "network_train_text_encoder_only", "save_model_as", "save_precision", "optimizer_type", "max_train_epochs",
    "sample_sampler", "save_every_n_epochs", "cache_latents", "cache_latents_to_disk", "xformers", "sdpa",
    "mem_eff_attn", "clip_skip", "unet_lr", "text_encoder_lr", "output_name", "min_snr_gamma", "full_fp16",
    "full_bf16", "fp8_base", "cache_text_encoder_outputs", "max_data_loader_n_workers",
    "persistent_data_loader_workers", "lr_scheduler_num_cycles", "lr_scheduler_power", "v_parameterization",
    "max_token_length", "dataset_config", "prior_loss_weight", "highvram", "lowram", "save_state",
})
#: (dataset-config arguments such as ``caption_extension``, ``shuffle_caption``, ``keep_tokens``, ``num_repeats``
#: are left out: a ``dataset_config`` TOML ([general]/[[datasets]]) has them and is not a training config)


def flatten(root: Node) -> tuple[Node, list[str]]:
    """The mapping ``read_config_from_file`` builds: section tables merged into the top level.

    Returns the flattened node and the keys set in more than one place (later wins in kohya).
    """
    out: dict[str, Node] = {}
    dupes: list[str] = []
    if not root.is_mapping:
        return root, dupes
    for name, node in root.value.items():
        items = node.value.items() if node.is_mapping and name != "custom_attributes" else [(name, node)]
        for key, value in items:
            if key in out:
                dupes.append(key)
            out[key] = value
    return Node(out, root.line, root.column, path=root.path), dupes


class Kohya(Dialect):
    """sd-scripts ``--config_file`` TOML (train_network.py, sdxl_train_network.py, flux_train_network.py ...)."""

    name = "kohya"
    title = "kohya-ss sd-scripts TOML"
    formats = ("toml",)
    loader = "toml"
    scheduler_interval = "step"
    #: detection evidence (``stablint plan``); :meth:`detect` gives 0.9 (high) or 0
    evidence_keys = KOHYA_KEYS

    def evidence(self, doc: Document) -> tuple[str, ...]:
        """The sd-scripts-only arguments of ``doc`` after flattening its sections."""
        flat, _ = flatten(doc.root)
        keys = set(flat.value) if flat.is_mapping else set()
        return tuple(f"key {k}" for k in sorted(keys & KOHYA_KEYS))

    def detect(self, doc: Document) -> float:
        """0.9 with three sd-scripts-only arguments (after flattening the sections); 0 for a dataset
        config (``[[datasets]]``)."""
        if "datasets" in doc.keys():
            return 0.0
        flat, _ = flatten(doc.root)
        keys = set(flat.value) if flat.is_mapping else set()
        return 0.9 if len(keys & KOHYA_KEYS) >= 3 else 0.0

    def root(self, doc: Document, ctx: Context, plan: TrainingPlan) -> Node:
        """The flattened argument mapping (see :func:`flatten`)."""
        flat, dupes = flatten(doc.root)
        if dupes:
            plan.notes.append(f"sections set {', '.join(sorted(set(dupes)))} more than once: kohya keeps the last, "
                              "a project launcher may pick one section; values not read")
            self._dupes = True
        else:
            self._dupes = False
        return flat

    def refine(self, doc: Document, root: Node, plan: TrainingPlan, ctx: Context) -> None:
        """Optimizer, LR, run length, warmup, scheduler, precision, clipping, batch, with sd-scripts defaults."""
        if getattr(self, "_dupes", False) or not root.is_mapping:
            return
        get = root.get
        self._take_or_default(plan, root, "model.name", "pretrained_model_name_or_path", None)
        opt = get("optimizer_type")
        name = opt.value if opt is not None and isinstance(opt.value, str) and opt.value.strip() else None
        if get("use_8bit_adam") is not None and get("use_8bit_adam").value is True and name is None:
            name = "AdamW8bit"
        if get("use_lion_optimizer") is not None and get("use_lion_optimizer").value is True and name is None:
            name = "Lion"
        if name is not None:
            self.take(plan, "optimizer.type", opt, "optimizer_type", convert=lambda _v: optimizer_family(name))
        else:
            self.put(plan, "optimizer.type", "adamw", opt or root, key="optimizer_type (default: AdamW)")
        if plan.value("optimizer.type") == "adamw":
            self.put(plan, "optimizer.decoupled_weight_decay", True, plan.get("optimizer.type"), key="optimizer_type")
        lr = get("unet_lr") if get("unet_lr") is not None and number_of(get("unet_lr")) is not None else get("learning_rate")
        if lr is not None:
            self.take(plan, "optimizer.lr", lr, "unet_lr" if lr is get("unet_lr") else "learning_rate")
        else:
            self.put(plan, "optimizer.lr", 2e-6, root, key="learning_rate (default 2e-6)")
        epochs, steps = get("max_train_epochs"), get("max_train_steps")
        if epochs is not None and number_of(epochs) is not None:
            self.take(plan, "run.epochs", epochs, "max_train_epochs", EPOCH)
        elif steps is not None:
            self.take(plan, "run.max_steps", steps, "max_train_steps", OPT_STEP)
        else:
            self.put(plan, "run.max_steps", 1600, root, key="max_train_steps (default 1600)", unit=OPT_STEP)
        warm = get("lr_warmup_steps")
        w = number_of(warm) if warm is not None else None
        if warm is not None and w is not None:
            if isinstance(w, float) and 0 < w < 1:
                self.take(plan, "warmup.ratio", warm, "lr_warmup_steps", RATIO)
            else:
                self.take(plan, "warmup.steps", warm, "lr_warmup_steps", OPT_STEP)
        else:
            self.put(plan, "warmup.steps", 0, root, key="lr_warmup_steps (default 0)", unit=OPT_STEP)
        sched = get("lr_scheduler")
        if sched is not None and isinstance(sched.value, str) and sched.value.strip():
            self.take(plan, "scheduler.raw_type", sched, "lr_scheduler")
            self.take(plan, "scheduler.type", sched, "lr_scheduler", convert=lambda v: scheduler_kind(v) or "other")
        else:
            self.put(plan, "scheduler.type", "constant", root, key="lr_scheduler (default constant)")
        mp = get("mixed_precision")
        if mp is not None and isinstance(mp.value, str):
            self.take(plan, "precision.fp16", mp, "mixed_precision", convert=lambda v: v.lower() == "fp16")
            self.take(plan, "precision.bf16", mp, "mixed_precision", convert=lambda v: v.lower() == "bf16")
        self._take_or_default(plan, root, "clip.max_norm", "max_grad_norm", 1.0)
        self._take_or_default(plan, root, "batch.grad_accum", "gradient_accumulation_steps", 1)
        bs = get("train_batch_size")
        if bs is not None and get("dataset_config") is None:
            pv = self.take(plan, "batch.per_device", bs, "train_batch_size", PER_DEVICE)
            self.put(plan, "batch.sample_kind", "image", pv, key="train_batch_size")

    def _take_or_default(self, plan: TrainingPlan, root: Node, canonical: str, key: str, default: Any) -> None:
        """``canonical`` from ``key`` when stated, else the sd-scripts default (``None``: leave unset)."""
        node = root.get(key)
        if node is not None and node.value is not None:
            self.take(plan, canonical, node, key)
        elif default is not None:
            self.put(plan, canonical, default, root, key=f"{key} (default {default})")


DIALECT = Kohya()
