"""Callbacks that record the user's own training and judge it with the runtime signals.

Each adapter is imported only when used (torch, transformers and Lightning stay out of the
lint path): :mod:`.hf` (``transformers.TrainerCallback``), :mod:`.lightning` (Lightning
``Callback``), :mod:`.watch` (hand-written PyTorch loops, also ``stablint.watch``). The shared,
torch-free part is :mod:`.core` (:class:`~.core.Recorder`: records, JSONL trace, online
signals, ``stop_on``); :mod:`.inject` holds the ``sitecustomize`` that ``stablint probe --run``
puts on ``PYTHONPATH``.
"""
