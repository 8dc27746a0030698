"""Reporters: one module per output format; each exposes ``render(result, **kw) -> str``.

:data:`FORMATS` maps a ``--format`` name to its module under this package.
"""

from __future__ import annotations

from importlib import import_module

FORMATS: dict[str, str] = {
    "text": "text",
    "json": "json_format",
    "sarif": "sarif",
    "github": "github",
}


def render(fmt: str, result, **kwargs) -> str:
    """Render ``result`` in format ``fmt``.

    Raises:
        KeyError: unknown format.
    """
    return import_module(f"{__name__}.{FORMATS[fmt]}").render(result, **kwargs)
