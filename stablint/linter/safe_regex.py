"""Regular expressions from configuration, matched in linear time.

A rule option whose name ends in ``_pattern`` (for example
``plateau-monitors-train-loss.train_pattern``) is a regular expression that a
``.stablint.yaml`` sets, and a pull request can change ``.stablint.yaml`` as easily
as a training config. Python's backtracking :mod:`re` takes exponential time on
patterns such as ``(a+)+$`` against ``aaaa…!`` (ReDoS, OWASP), and a C-level match
cannot be interrupted by the per-file time limit. These options are therefore
compiled with RE2 (``google-re2``, Google's linear-time engine: Cox, "Regular
Expression Matching Can Be Simple And Fast", 2007), which guarantees time linear in
the input for every pattern. RE2 has no backreferences or look-around; a pattern
using them is refused at configuration load with the engine's reason.

Values matched are also capped at :data:`MAX_SUBJECT` characters (metric names are
short), so even a linear scan stays trivial.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

#: Longest string a configured pattern is matched against (a metric name, a scheduler type).
MAX_SUBJECT = 1_000


class PatternError(ValueError):
    """A configured pattern that RE2 cannot compile (syntax, backreference, look-around)."""


def is_pattern_option(name: str) -> bool:
    """Whether rule option ``name`` holds a regular expression (its name ends in ``_pattern``)."""
    return name.endswith("_pattern")


@lru_cache(maxsize=256)
def compile_pattern(pattern: str, ignore_case: bool = True) -> Any:
    """The compiled RE2 pattern (cached).

    Raises:
        PatternError: the pattern is not valid RE2 syntax (message from the engine).
    """
    import re2  # google-re2; imported on first use (a few ms)

    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False  # report through PatternError, not on stderr
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise PatternError(f"not a valid RE2 pattern ({reason}); backreferences and look-around are not "
                           "supported") from None


def search(pattern: str, text: str, ignore_case: bool = True) -> bool:
    """Whether ``pattern`` matches anywhere in ``text`` (first :data:`MAX_SUBJECT` characters), in linear time.

    Raises:
        PatternError: an invalid pattern (normally caught when the configuration loads).
    """
    return compile_pattern(pattern, ignore_case).search(str(text)[:MAX_SUBJECT]) is not None
