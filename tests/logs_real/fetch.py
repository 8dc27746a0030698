"""Fetch the corpus logs whose licence does not allow copying them here (``copied`` = ``no``).

Usage: ``python tests/logs_real/fetch.py`` (needs network; stdlib only). Downloads each log
at its pinned commit from raw.githubusercontent.com, with the files saved beside it that
diagnose reads (``training_args.json``, ``config.json``, ``hparams.yaml``; absent ones are
skipped), into :func:`corpus.cache_dir` as ``<id>/<name>``. Existing files are kept.
"""

from __future__ import annotations

import os
import posixpath
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from corpus import cache_dir, load  # noqa: E402

BESIDE = ("training_args.json", "config.json", "hparams.yaml", "adapter_config.json")


def _get(url: str, dst: str) -> bool:
    if os.path.exists(dst):
        return True
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            data = r.read()
    except (urllib.error.URLError, OSError):
        return False
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    with open(dst, "wb") as fh:
        fh.write(data)
    return True


def main() -> int:
    """Fetch every not-copied log; returns the number that could not be fetched."""
    missing = 0
    for e in load():
        if e.copied:
            continue
        d = os.path.join(cache_dir(), e.id)
        if not _get(e.url, os.path.join(d, posixpath.basename(e.path))):
            print(f"{e.id}: cannot fetch {e.url}", file=sys.stderr)
            missing += 1
            continue
        base = posixpath.dirname(e.path)
        for name in BESIDE:
            _get(f"https://raw.githubusercontent.com/{e.repo}/{e.commit}/{posixpath.join(base, name)}",
                 os.path.join(d, name))
    return missing


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
