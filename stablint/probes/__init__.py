"""``stablint probe``: a short instrumented training that confirms or refutes static warnings.

Everything that needs torch lives in this package and is imported lazily:
``stablint lint`` never imports it. The modules, in pipeline order:

- :mod:`.spec`: TrainingPlan → :class:`~.spec.ProbeSpec` (the compressed timeline,
  caps, absurd-value checks; pure Python, no torch);
- :mod:`.targets`, :mod:`.lora`: the built-in offline models and data, user targets;
- :mod:`.build_optim`, :mod:`.build_sched`: torch optimizers and LR schedulers from the spec;
- :mod:`.loop`: the instrumented training loop → :class:`~stablint.trends.trace.Trace`;
- :mod:`.signals_probe`: probe-only signals that need the model (clip-rate, lr-ab,
  noise-scale, task-grad-share, lora-effective-update, update-ratio, init-loss);
- :mod:`.verdicts`: a verdict for every static finding;
- :mod:`.runner`: orchestration (main run, A/B runs, ``--compare-fix``);
- :mod:`.report`: text, JSON, Markdown and PNG output.
"""

from __future__ import annotations

INSTALL_HINT = 'stablint probe needs PyTorch: pip install "stablint[probe]"  (or: pip install torch==2.13.0)'


class ProbeUnavailable(RuntimeError):
    """torch (the optional extra ``stablint[probe]``) is not installed."""


def require_torch():
    """Import and return ``torch``.

    Raises:
        ProbeUnavailable: torch is missing; the message says how to install it.
    """
    try:
        import torch  # noqa: PLC0415 - lazy by design
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ProbeUnavailable(INSTALL_HINT) from exc
    return torch
