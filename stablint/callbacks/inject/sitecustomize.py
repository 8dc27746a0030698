"""Injected by ``stablint probe --run`` through ``PYTHONPATH``: the stablint callback on every HF ``Trainer``.

Python imports ``sitecustomize`` at start-up when it is on ``sys.path`` (``site`` module). This
one does nothing unless ``STABLINT_RUN_TRACE`` is set. Then it installs an import hook that,
when ``transformers.trainer`` is first imported, wraps ``Trainer.__init__`` so that each
``Trainer`` (and every subclass that calls ``super().__init__``: TRL, axolotl, LLaMA-Factory)
gets :class:`stablint.callbacks.hf.StablintCallback` attached with the ``STABLINT_RUN_*``
settings (trace path, config, step and time budget, ``stop_on``). It then runs the
``sitecustomize`` that this one shadows, if any, so the environment's own stays in effect.

Limits (docs/probe.md): the user's process must be a Python interpreter started with this
``PYTHONPATH`` (``python train.py``, ``torchrun``, ``accelerate launch``, ``deepspeed`` keep it
for their workers; a launcher that clears the environment, a container started by the command,
or ``python -I`` / ``-S`` / ``-E`` does not); a script that constructs several ``Trainer``
objects writes one trace per trainer (``TRACE``, ``TRACE.2`` ...) and only the first is judged;
a ``Trainer`` subclass that replaces ``training_step`` without calling the wrapped instance
attribute still works, but then the callback falls back to what HF logs.
"""

import os
import sys


def _chain() -> None:
    """Run the next ``sitecustomize`` on ``sys.path`` (the one this file shadows), if there is one."""
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.origin is None or os.path.dirname(os.path.abspath(spec.origin)) == here:
        return
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)


def _patch_trainer(module) -> None:
    import functools

    trainer_cls = getattr(module, "Trainer", None)
    if trainer_cls is None or getattr(trainer_cls.__init__, "_stablint", False):
        return
    orig = trainer_cls.__init__
    count = [0]

    @functools.wraps(orig)
    def __init__(self, *args, **kwargs):
        orig(self, *args, **kwargs)
        if getattr(self, "_stablint_callback", None) is not None:
            return
        from stablint.callbacks.core import env_settings
        from stablint.callbacks.hf import StablintCallback

        s = env_settings()
        count[0] += 1
        trace = s["trace"] if count[0] == 1 else f"{s['trace']}.{count[0]}"
        StablintCallback(trace=trace, config=s.get("config"), stop_on=s.get("stop_on", ()),
                         max_steps=s.get("max_steps"), max_seconds=s.get("max_seconds")).attach(self)

    __init__._stablint = True
    trainer_cls.__init__ = __init__


class _Hook:
    """``sys.meta_path`` finder that patches ``transformers.trainer`` right after it executes."""

    targets = {"transformers.trainer": _patch_trainer}

    def find_spec(self, name, path=None, target=None):
        if name not in self.targets:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        run = getattr(loader, "exec_module", None)
        if run is None:
            return spec
        patch = self.targets[name]

        def exec_module(module):
            run(module)
            try:
                patch(module)
            except Exception as exc:  # never break the user's training because of stablint
                print(f"stablint: could not attach the callback ({type(exc).__name__}: {exc})", file=sys.stderr)

        loader.exec_module = exec_module
        return spec


if os.environ.get("STABLINT_RUN_TRACE"):
    sys.meta_path.insert(0, _Hook())
try:
    _chain()
except Exception as _exc:  # the shadowed sitecustomize failing is its own business; report, do not abort
    print(f"stablint: the shadowed sitecustomize failed: {_exc}", file=sys.stderr)
