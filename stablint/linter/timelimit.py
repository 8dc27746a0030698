"""A wall-clock limit per linted file, the safety net behind the loaders' own bounds.

The loaders bound what a hostile file can make them build (size, nesting depth,
folded constants: :mod:`stablint.linter.loaders`); this limit catches whatever
slips past them, so one file cannot stall a pre-commit hook or a CI job. On
POSIX it uses ``SIGALRM`` (``signal.setitimer``), which interrupts Python code
between bytecodes; it is a no-op outside the main thread and on platforms
without ``setitimer`` (Windows), where only the loaders' bounds apply. A single
long C call (one huge regex match) is not interrupted until it returns, which is
why user regular expressions run on a linear-time engine
(:mod:`stablint.linter.safe_regex`).
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

#: Default limit in seconds per file (``stablint lint --file-timeout``). A real config takes
#: about 4 ms (bench/README.md); 10 s is 2,500 times that, so only a pathological file hits it.
DEFAULT_TIMEOUT_S = 10.0


class FileTimeout(Exception):
    """Raised inside the protected block when its time is up."""


def timeout_error(path: str, exc: FileTimeout):
    """The input error reported for a file (or stdin) that ran over the limit."""
    from .document import InputError

    return InputError(path, f"file not checked: {exc} (the per-file limit; raise it with --file-timeout)")


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`FileTimeout` in the block after ``seconds`` of wall-clock time.

    ``None`` or ``0`` disables the limit. A previous ``SIGALRM`` handler and timer are
    restored on exit (the remaining time of an outer timer is not extended).
    """
    usable = bool(seconds) and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def _expired(signum, frame):  # noqa: ARG001 - signal handler signature
        raise FileTimeout(f"took longer than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:
            signal.setitimer(signal.ITIMER_REAL, outer_delay, outer_interval)
