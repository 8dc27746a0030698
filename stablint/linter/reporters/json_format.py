"""JSON reporter: exactly ``{"version": 1, "findings": [...], "files": N, "errors": [...]}``."""

from __future__ import annotations

import json


def render(result, **_: object) -> str:
    """The design.md JSON contract, pretty-printed, one object."""
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
