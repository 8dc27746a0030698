"""The unseen benchmark's manifest stays well-formed (bench/unseen/, issue 12 item 6).

The benchmark itself is not run here (bench/ is outside the test suite); this only checks that the
manifest and the shipped files cannot rot: the columns, ids, licences, both splits, the size the issue
asks for, and that every redistributable file (with its bases) is present.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "unseen"
COLUMNS = ["id", "repo", "path", "commit", "licence", "framework", "kind", "split", "local", "extra_paths"]
PERMISSIVE = {"MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "ISC", "Unlicense", "CC0-1.0"}


def _rows() -> list[dict[str, str]]:
    """Manifest rows; asserts the header is exactly COLUMNS."""
    with (BENCH / "MANIFEST.tsv").open(newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        assert reader.fieldnames == COLUMNS
        return list(reader)


def _corpus_repos() -> set[str]:
    """Repositories of the development corpus (tests/corpus/MANIFEST.tsv)."""
    repos = set()
    for manifest in (Path(__file__).resolve().parent / "corpus" / "MANIFEST.tsv",):
        with manifest.open(newline="") as fh:
            repos |= {r["repo"] for r in csv.DictReader(fh, delimiter="\t")}
    return repos


def test_manifest_columns_ids_and_size():
    """Unique ids, both kinds, >= 300 configs from >= 150 repositories, >= 40 non-configs, full commits."""
    rows = _rows()
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    configs = [r for r in rows if r["kind"] == "config"]
    assert {r["kind"] for r in rows} == {"config", "nonconfig"}
    assert len(configs) >= 300
    assert len({r["repo"] for r in configs}) >= 150
    assert sum(r["kind"] == "nonconfig" for r in rows) >= 40
    for r in rows:
        assert len(r["commit"]) == 40 and all(c in "0123456789abcdef" for c in r["commit"]), r["id"]
        assert r["repo"].count("/") == 1 and r["path"] and r["framework"], r["id"]


def test_split_is_by_repository_hash_and_has_both_halves():
    """split = parity of sha256(repo)[0], so a repository never straddles the halves."""
    rows = _rows()
    for r in rows:
        even = hashlib.sha256(r["repo"].encode()).digest()[0] % 2 == 0
        assert r["split"] == ("calibration" if even else "test"), r["id"]
    assert {r["split"] for r in rows if r["kind"] == "config"} == {"calibration", "test"}


def test_only_redistributable_files_are_shipped_and_they_are_present():
    """files/ holds exactly the permissive-licence rows, each with its bases; the rest live in cache/."""
    for r in _rows():
        shipped = r["local"].startswith("files/")
        assert shipped == (r["licence"] in PERMISSIVE), r["id"]
        assert r["local"].startswith(("files/", "cache/")), r["id"]
        if not shipped:
            continue
        assert (BENCH / r["local"]).is_file(), r["id"]
        for extra in filter(None, r["extra_paths"].split(",")):
            assert (BENCH / "files" / r["id"] / extra).is_file(), (r["id"], extra)


def test_no_repository_of_the_development_corpus():
    """The benchmark is unseen: no repository overlaps the corpus stablint was developed on."""
    assert not {r["repo"] for r in _rows()} & _corpus_repos()
