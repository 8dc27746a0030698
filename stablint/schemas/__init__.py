"""The JSON Schemas shipped with stablint (``*.schema.json`` in this package).

- ``training_plan.schema.json``: the normalized TrainingPlan (rule invalid-value, STL003).
- ``config.schema.json``: ``.stablint.yaml`` / ``[tool.stablint]`` configuration.
"""

from __future__ import annotations

from typing import Any


def load_schema(name: str) -> dict[str, Any]:
    """The parsed JSON Schema ``name`` (a file name in this package).

    Read with :func:`pkgutil.get_data`, which works for zipped installs too and, unlike
    ``importlib.resources``, does not pull ``zipfile``/``tempfile`` into every cold start
    (issue 7: ~14 ms of imports in a clean virtual environment).

    Raises:
        FileNotFoundError: no schema of that name is shipped.
    """
    import json
    import pkgutil

    data = pkgutil.get_data(__name__, name)
    if data is None:  # a loader without get_data support
        raise FileNotFoundError(name)
    return json.loads(data)
