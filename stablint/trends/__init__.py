"""Trend analysis shared by ``probe`` and ``diagnose``: Trace, readers, signals, verdicts."""
