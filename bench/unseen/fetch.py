"""Fill ``bench/unseen/cache/`` with the benchmark files whose licence does not let us ship them.

Usage: ``python bench/unseen/fetch.py [--mirror DIR] [--force]``

For every manifest row whose ``local`` path is under ``cache/`` (no licence, GPL/AGPL, non-commercial...),
downloads the file and every path in ``extra_paths`` (its ``_base_``/``_BASE_``/Hydra tree) at the
recorded commit from ``https://raw.githubusercontent.com/<repo>/<commit>/<path>``, into the same layout
as ``files/`` uses. With ``--mirror DIR`` it reads them instead from local bare git snapshots
(``DIR/<owner>+<name>/repo``, as the search tool's ``fetch`` leaves them), for machines without internet.
Files already present are kept unless ``--force``. Exit code 1 if any file could not be had.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import urllib.request
from pathlib import Path

from run import HERE, read_manifest


def targets(row: dict[str, str]) -> list[tuple[str, Path]]:
    """(repository path, local destination) for the row's file and its bases."""
    local = HERE / row["local"]
    extra = [p for p in row["extra_paths"].split(",") if p]
    if not extra:
        return [(row["path"], local)]
    root = HERE / "cache" / row["id"]
    return [(p, root / p) for p in [row["path"], *extra]]


def get(repo: str, commit: str, path: str, mirror: Path | None) -> bytes:
    """Bytes of ``path`` at ``commit`` in ``repo``, from the snapshot mirror or raw.githubusercontent.com."""
    if mirror is not None:
        git_dir = mirror / repo.replace("/", "+") / "repo"
        return subprocess.run(["git", "-C", str(git_dir), "show", f"{commit}:{path}"],
                              capture_output=True, check=True).stdout
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"
    with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - fixed https host
        return resp.read()


def main() -> int:
    """Download (or copy from snapshots) every cache/ file of the manifest; 1 when some are missing."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, help="read from local bare git snapshots instead of the network")
    ap.add_argument("--force", action="store_true", help="re-download files already present")
    args = ap.parse_args()
    failed = 0
    for row in read_manifest():
        if not row["local"].startswith("cache/"):
            continue
        for path, dst in targets(row):
            if dst.is_file() and not args.force:
                continue
            try:
                data = get(row["repo"], row["commit"], path, args.mirror)
            except Exception as exc:  # network or git failure: report and go on
                print(f"{row['id']} {row['repo']}:{path}: {exc}", file=sys.stderr)
                failed += 1
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(data)
    print(f"{failed} file(s) could not be fetched" if failed else "cache complete")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
