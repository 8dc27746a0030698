"""Probe target from a local Hugging Face model directory (``stablint probe CONFIG --hf-model DIR``).

The directory is what ``save_pretrained`` writes: ``config.json``, the weights
(``model.safetensors`` or ``pytorch_model.bin``, sharded or not) and optionally a
tokenizer. Nothing is downloaded: ``HF_HUB_OFFLINE=1`` and ``TRANSFORMERS_OFFLINE=1``
are set in-process before transformers is imported, every load passes
``local_files_only=True``, and code shipped in the directory is never run
(``trust_remote_code=False``).

What the target trains (same protocol as :mod:`.targets`):

- model: ``AutoModelForCausalLM.from_pretrained(DIR)`` in float32 (the loop applies the
  config's bf16/fp16 through autocast), in train mode, so dropout is the model's own;
- data: the offline text of the built-in ``lm`` target (:func:`.targets.stdlib_corpus`),
  tokenized with the directory's tokenizer when it has one, else token ids = bytes mod
  ``vocab_size``; micro-batches of ``spec.micro_batch`` windows of :data:`SEQ_LEN` tokens
  (capped by the model's maximum positions), 90 % / 10 % train/validation split of the
  token stream, micro-batch ``i`` identical in every run;
- loss: the model's own causal-LM loss (``model(input_ids=x, labels=x).loss``, i.e.
  next-token cross-entropy in nats per token);
- LoRA: when the plan trains LoRA, ``peft.get_peft_model(model, LoraConfig(r, lora_alpha,
  use_rslora, lora_dropout, target_modules))`` with the base frozen; target modules
  come from the config (``target_modules``, ``lora_target_modules``, LLaMA-Factory
  ``lora_target``, axolotl ``lora_target_linear``), else PEFT's default for the model
  type, else ``all-linear``. PEFT's scaling is ``alpha / r`` (``alpha / sqrt(r)`` with rsLoRA).

Model size guard (CPU only): models with more than :data:`DEFAULT_MAX_PARAMS_CPU` parameters
are refused unless ``--hf-max-params`` raises the limit (see the constant for the
measurement it comes from).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import os
import warnings
from typing import Any

from ..linter.document import InputError
from . import ProbeUnavailable, require_torch
from .targets import SEQ_LEN, Target, stdlib_corpus, val_batches, window_starts

torch = require_torch()

#: Prefix of ``ProbeSpec.target`` for a local HF model directory: ``"hf:" + DIR``.
HF_PREFIX = "hf:"
#: Largest parameter count probed on CPU by default. Source: measured on the project's 2-core CPU with
#: the probe's one intra-op thread, AdamW, micro-batch 16 x 64 tokens: 37.8k params 0.02 s/step, a 10.4M
#: Llama 1.1 s/step, 33.5M 3-6 s/step, 134M 10-16 s/step (bench/README.md). Above ~50M params a
#: step takes > 5 s, so even ``--max-seconds 600`` leaves the main run (55 % of the budget) < 70 of its
#: 200 steps: the horizon-aware verdicts would almost all be inconclusive.
DEFAULT_MAX_PARAMS_CPU = 50_000_000
#: Weight files ``from_pretrained`` reads (the first present names the directory's format).
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json", "pytorch_model.bin",
                "pytorch_model.bin.index.json")
#: Any of these makes the directory's tokenizer the one used.
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model", "vocab.json", "spiece.model")
#: Config keys (last path segment, case-insensitive) that name the LoRA target modules.
TARGET_MODULE_KEYS = ("target_modules", "lora_target_modules", "lora_target")
#: Largest LoRA rank allocated; alpha is rescaled so that the scaling keeps the configured r.
MAX_HF_RANK = 256
INSTALL_HF = 'pip install "stablint[hf]"  (or: pip install transformers peft)'


class HFUnavailable(ProbeUnavailable):
    """transformers (or peft, when the plan trains LoRA) is not installed; the message says how to install it."""


def _silence() -> None:
    """Offline mode, no progress bars, errors-only logging; must run before transformers is imported."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


def _transformers():
    _silence()
    if importlib.util.find_spec("transformers") is None:
        raise HFUnavailable(f"--hf-model needs transformers, which is not installed: {INSTALL_HF}")
    import transformers  # noqa: PLC0415 - optional, lazy by design

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    return transformers


@contextlib.contextmanager
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else ""
    if len(line) > 200:
        line = line[:197] + "..."
    return f"{type(exc).__name__}: {line}".rstrip(": ")


def _weights_file(path: str) -> str | None:
    for name in WEIGHT_FILES:
        if os.path.isfile(os.path.join(path, name)):
            return os.path.join(path, name)
    return None


def _read_config(path: str) -> dict[str, Any]:
    """``DIR/config.json`` as a dict. Raises InputError (missing dir/file, bad JSON with its position)."""
    if not os.path.exists(path):
        raise InputError(path, "no such Hugging Face model directory")
    if not os.path.isdir(path):
        raise InputError(path, "--hf-model must be a directory (what save_pretrained writes), not a file")
    cfg_path = os.path.join(path, "config.json")
    if not os.path.isfile(cfg_path):
        raise InputError(path, "no config.json in this directory: not a Hugging Face model directory "
                               "(save_pretrained writes config.json beside the weights)")
    try:
        with open(cfg_path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(cfg_path, f"cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(cfg_path, f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    if not isinstance(data, dict):
        raise InputError(cfg_path, "config.json must hold a JSON object")
    return data


def _max_positions(config) -> int | None:
    for key in ("max_position_embeddings", "n_positions", "n_ctx", "max_seq_len", "seq_length"):
        v = getattr(config, key, None)
        if isinstance(v, int) and v > 0:
            return v
    return None


def inspect_dir(path: str) -> dict[str, Any]:
    """Check a model directory without reading its weights.

    Instantiates the architecture on the ``meta`` device (no memory, no weights) to
    validate it and count its parameters.

    Returns:
        ``{"config": PretrainedConfig, "model_type", "class", "params" (distinct parameters,
        tied weights once), "weights" (file path), "tokenizer" (bool), "max_positions"}``.

    Raises:
        HFUnavailable: transformers is not installed.
        InputError: missing directory, no/invalid config.json, architecture unknown to
            transformers or without a causal-LM class, code in the directory required, no weights.
    """
    raw = _read_config(path)
    tf = _transformers()
    cfg_path = os.path.join(path, "config.json")
    mt = raw.get("model_type")
    with _quiet():
        try:
            config = tf.AutoConfig.from_pretrained(path, local_files_only=True, trust_remote_code=False)
        except Exception as exc:  # noqa: BLE001 - transformers raises ValueError/KeyError/OSError here
            if raw.get("auto_map"):
                raise InputError(cfg_path, f"model_type {mt!r} needs code shipped in the directory (auto_map); "
                                           "the probe never runs it (trust_remote_code=False)") from None
            if not mt:
                raise InputError(cfg_path, "no \"model_type\" in config.json: transformers cannot tell the "
                                           "architecture") from None
            raise InputError(cfg_path, f"unsupported architecture: transformers {tf.__version__} does not know "
                                       f"model_type {mt!r} ({_first_line(exc)})") from None
        try:
            with torch.device("meta"):
                meta = tf.AutoModelForCausalLM.from_config(config)
        except Exception as exc:  # noqa: BLE001 - unknown config class → ValueError; odd configs anything
            arch = ", ".join(raw.get("architectures") or []) or type(config).__name__
            raise InputError(cfg_path, f"unsupported architecture {arch} (model_type {config.model_type!r}): "
                                       f"transformers has no causal-LM class for it; the probe trains "
                                       f"AutoModelForCausalLM models ({_first_line(exc)})") from None
    weights = _weights_file(path)
    if weights is None:
        raise InputError(path, "no weights in this directory (model.safetensors or pytorch_model.bin, "
                               "possibly sharded with an .index.json)")
    return {"config": config, "model_type": config.model_type, "class": type(meta).__name__,
            "params": sum(p.numel() for p in meta.parameters()), "weights": weights,
            "tokenizer": any(os.path.isfile(os.path.join(path, f)) for f in TOKENIZER_FILES),
            "max_positions": _max_positions(config)}


def prepare(path: str, spec, *, device: str = "cpu", max_params: int | None = None) -> str:
    """Validate ``--hf-model DIR`` before any run and return the ``ProbeSpec.target`` for it.

    Appends a description of the model to ``spec.notes``.

    Args:
        path: the model directory as given on the command line.
        spec: the :class:`~stablint.probes.spec.ProbeSpec` (``spec.lora`` decides whether peft is needed).
        device: the resolved device; the size guard applies on ``"cpu"`` only.
        max_params: parameter limit on CPU (``None`` = :data:`DEFAULT_MAX_PARAMS_CPU`; 0 = no limit).

    Raises:
        HFUnavailable: transformers missing, or peft missing while the plan trains LoRA.
        InputError: see :func:`inspect_dir`; a model above the CPU size limit.
    """
    info = inspect_dir(path)
    if spec.lora and importlib.util.find_spec("peft") is None:
        raise HFUnavailable("the config trains LoRA adapters and --hf-model applies them with PEFT, which is not "
                            f"installed: {INSTALL_HF}")
    limit = DEFAULT_MAX_PARAMS_CPU if max_params is None else max_params
    if device == "cpu" and limit and info["params"] > limit:
        raise InputError(path, f"{info['class']} has {info['params']:,} parameters, above the CPU probe limit of "
                               f"{limit:,} (--hf-max-params; default {DEFAULT_MAX_PARAMS_CPU:,}: above it a CPU step takes "
                               f"seconds and the budget ends long before the horizon): probe on a GPU (--device "
                               f"cuda), use a smaller model, or raise --hf-max-params")
    tok = "its own tokenizer" if info["tokenizer"] else "no tokenizer: token ids = bytes mod vocab_size"
    spec.notes.append(f"Hugging Face model {path}: {info['class']} (model_type {info['model_type']}), "
                      f"{info['params']:,} parameters; {tok}")
    return HF_PREFIX + path


# --- data -------------------------------------------------------------------------------------------
_TOKENS: dict[tuple[str, int], tuple[Any, str]] = {}


def token_stream(path: str, vocab_size: int) -> tuple[Any, str]:
    """The probe text as a 1-D int64 tensor of token ids in ``[0, vocab_size)``, and how it was made.

    Cached per (directory, vocab size): every run of one probe sees the same stream.

    Raises:
        InputError: the directory's tokenizer yields ids ``>= vocab_size``.
    """
    key = (os.path.realpath(path), int(vocab_size))
    if key in _TOKENS:
        return _TOKENS[key]
    corpus = stdlib_corpus()
    how = f"token ids = probe text bytes mod vocab_size {vocab_size}"
    ids = None
    if any(os.path.isfile(os.path.join(path, f)) for f in TOKENIZER_FILES):
        tf = _transformers()
        try:
            with _quiet():
                tok = tf.AutoTokenizer.from_pretrained(path, local_files_only=True, trust_remote_code=False)
                text = bytes(corpus.tolist()).decode("utf-8", errors="replace")
                ids = tok(text, add_special_tokens=False)["input_ids"]
        except Exception as exc:  # noqa: BLE001 - any tokenizer failure falls back to bytes, with a note
            how = f"the directory's tokenizer could not be used ({_first_line(exc)}); " + how
            ids = None
        else:
            top = max(ids) if ids else -1
            if top >= vocab_size:
                raise InputError(path, f"the tokenizer yields token id {top}, outside the model's vocab_size "
                                       f"{vocab_size} (config.json): tokenizer and model do not match")
            how = f"tokenized with the directory's tokenizer ({type(tok).__name__}): {len(ids):,} tokens"
    if ids is None or len(ids) < 20 * (SEQ_LEN + 1):
        stream = corpus % vocab_size
        if ids is not None:
            how = f"the tokenizer gave only {len(ids)} tokens; " + how
    else:
        stream = torch.tensor(ids, dtype=torch.long)
    _TOKENS[key] = (stream, how)
    return stream, how


# --- LoRA -------------------------------------------------------------------------------------------
class PeftAdapter:
    """One PEFT LoRA layer seen through the probe's adapter interface (``relative_update``)."""

    def __init__(self, layer, adapter: str = "default"):
        self.layer, self.adapter = layer, adapter

    @property
    def scaling(self) -> float:
        """PEFT's ``scaling[adapter]``: ``lora_alpha / r`` (``/ sqrt(r)`` with rsLoRA)."""
        return float(self.layer.scaling[self.adapter])

    def relative_update(self) -> float:
        """``‖s·BA‖_F / ‖W0‖_F`` (research/probe_anchors.md §13 ``lora_effective_update``)."""
        with torch.no_grad():
            delta = self.layer.get_delta_weight(self.adapter)
            w0 = self.layer.get_base_layer().weight
            return float(delta.float().norm() / w0.float().norm().clamp_min(1e-12))


def config_target_modules(plan) -> tuple[Any, Any]:
    """LoRA target modules named in the config: ``(value, node)`` or ``(None, None)``.

    ``value`` is a list of module names or ``"all-linear"`` (LLaMA-Factory ``all``, axolotl
    ``lora_target_linear: true``); comma-separated strings are split.
    """
    for doc in getattr(plan, "documents", []) or []:
        root = getattr(doc, "root", None)
        if root is None:
            continue
        for dotted, node in root.walk():
            leaf = dotted.rsplit(".", 1)[-1].lower() if dotted else ""
            v = node.plain()
            if leaf == "lora_target_linear" and v is True:
                return "all-linear", node
            if leaf not in TARGET_MODULE_KEYS or v is None:
                continue
            if isinstance(v, str):
                names = [s.strip() for s in v.split(",") if s.strip()]
            elif isinstance(v, list) and all(isinstance(s, str) for s in v):
                names = list(v)
            else:
                continue
            if names in (["all"], ["all-linear"], ["all_linear"]):
                return "all-linear", node
            if names:
                return names, node
    return None, None


def _wrap_lora(model, spec, plan, notes: list[str]):
    if importlib.util.find_spec("peft") is None:
        raise HFUnavailable("the config trains LoRA adapters and --hf-model applies them with PEFT, which is not "
                            f"installed: {INSTALL_HF}")
    import peft  # noqa: PLC0415 - optional, lazy by design

    cfg = spec.lora
    r, alpha, rs = int(cfg["r"]), float(cfg["alpha"]), bool(cfg["use_rslora"])
    alloc = min(r, MAX_HF_RANK)
    # keep PEFT's scaling at the configured r when the rank is capped
    alloc_alpha = alpha * (math.sqrt(alloc / r) if rs else alloc / r)
    modules, node = config_target_modules(plan)
    kw = dict(r=alloc, lora_alpha=alloc_alpha, use_rslora=rs, lora_dropout=float(cfg.get("dropout") or 0.0),
              bias="none", task_type="CAUSAL_LM")
    where = "from the config"
    with _quiet():
        try:
            wrapped = peft.get_peft_model(model, peft.LoraConfig(target_modules=modules, **kw))
        except ValueError as exc:
            if modules is not None:
                src = (node.path or plan.path) if node is not None else plan.path
                raise InputError(src, f"LoRA target modules {modules!r} do not fit this model "
                                      f"({model.config.model_type}): {_first_line(exc)}",
                                 getattr(node, "key_line", None) or getattr(node, "line", 1),
                                 getattr(node, "key_column", None) or getattr(node, "column", 1)) from None
            # PEFT has no default for this model type
            wrapped = peft.get_peft_model(model, peft.LoraConfig(target_modules="all-linear", **kw))
            where = f"all-linear (PEFT has no default for model_type {model.config.model_type!r})"
        else:
            if modules is None:
                where = f"PEFT's default for model_type {model.config.model_type!r}"
    adapters = [PeftAdapter(m) for m in wrapped.modules()
                if isinstance(getattr(m, "scaling", None), dict) and "default" in m.scaling
                and hasattr(m, "get_delta_weight")]
    names = sorted({n.rsplit(".", 1)[-1] for n, m in wrapped.named_modules()
                    if isinstance(getattr(m, "scaling", None), dict) and "default" in m.scaling})
    trainable = sum(p.numel() for p in wrapped.parameters() if p.requires_grad)
    total = sum(p.numel() for p in wrapped.parameters())
    formula = f"alpha/sqrt(r) = {alpha:g}/sqrt({r})" if rs else f"alpha/r = {alpha:g}/{r}"
    scale = alpha / math.sqrt(r) if rs else alpha / r
    notes.append(f"PEFT LoRA r={r}, scale {formula} = {scale:.4g} on {', '.join(names)} ({where}): "
                 f"{trainable:,} of {total:,} parameters trainable, base frozen")
    if alloc != r:
        notes.append(f"LoRA rank {r} allocated as {alloc} (alpha {alloc_alpha:g} keeps the scaling of r={r})")
    return wrapped, adapters


# --- the target -------------------------------------------------------------------------------------
def _dtype_kw(tf) -> dict[str, Any]:
    major, minor = (int(x) for x in tf.__version__.split(".")[:2])
    return {"dtype" if (major, minor) >= (4, 56) else "torch_dtype": torch.float32}


def build_hf_target(spec, plan, path: str) -> Target:
    """Load ``path`` and return the probe :class:`~.targets.Target` (see the module docstring).

    Batches are ``(micro_batch, T)`` int64 token ids, T = min(:data:`SEQ_LEN`, max positions).

    Raises:
        HFUnavailable: transformers (or peft with LoRA) missing.
        InputError: directory problems (:func:`inspect_dir`), weights that cannot be loaded or that
            do not match config.json, target modules that match nothing, tokenizer ids out of range.
    """
    tf = _transformers()
    weights = _weights_file(path)
    if weights is None:
        inspect_dir(path)  # raises the precise error
    torch.manual_seed(spec.seed)
    with _quiet():
        try:
            model, info = tf.AutoModelForCausalLM.from_pretrained(
                path, local_files_only=True, trust_remote_code=False, output_loading_info=True, **_dtype_kw(tf))
        except Exception as exc:  # noqa: BLE001 - corrupt files raise SafetensorError, OSError, RuntimeError ...
            why = _first_line(exc)
            if "mismatched" in why:
                why = "tensor shapes in the weights differ from config.json"
            raise InputError(weights or path, f"cannot load the weights: {why}") from None
    notes: list[str] = []
    n_tensors = len(model.state_dict())
    missing = sorted(info.get("missing_keys") or [])
    if missing and len(missing) > n_tensors // 2:
        raise InputError(weights or path, f"the weights do not match config.json: {len(missing)} of {n_tensors} "
                                          f"tensors missing (e.g. {missing[0]})")
    if missing:
        notes.append(f"{len(missing)} tensors missing from the checkpoint were randomly initialised "
                     f"(e.g. {missing[0]})")
    vocab = int(model.get_input_embeddings().num_embeddings)
    stream, how = token_stream(path, vocab)
    seq = min(SEQ_LEN, _max_positions(model.config) or SEQ_LEN)
    notes.append(f"HF batches: {spec.micro_batch} x {seq} tokens from the built-in probe text, {how}")
    n = len(stream) - seq - 1

    def batch(i: int):
        starts = window_starts(spec.seed, i, n, spec.micro_batch)
        return torch.stack([stream[s:s + seq] for s in starts])

    def loss(m, x):
        return m(input_ids=x, labels=x).loss

    adapters: list = []
    shared = model.get_output_embeddings()
    if spec.lora:
        torch.manual_seed(spec.seed)  # same adapter init in every A/B run
        model, adapters = _wrap_lora(model, spec, plan, notes)
        shared = None
    model.train()
    t = Target(HF_PREFIX + path, model, batch, loss, val_batches(batch), shared=shared,
               adapters=adapters, notes=notes)
    return t
