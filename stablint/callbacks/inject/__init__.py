"""The directory ``stablint probe --run`` prepends to ``PYTHONPATH``: it holds only ``sitecustomize.py``.

See :mod:`stablint.callbacks.inject.sitecustomize` for what it does and its limits.
"""

import os

#: Absolute path of this directory (what goes on ``PYTHONPATH``).
DIR = os.path.dirname(os.path.abspath(__file__))
