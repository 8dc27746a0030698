"""The real-log corpus (tests/logs_real, issue 16): its manifest, its labels, and diagnose on it.

Logs whose licence allows it are in tests/logs_real/files and always checked; the others are
checked when ``python tests/logs_real/fetch.py`` has put them in the cache (see corpus.py).
"""

from __future__ import annotations

import functools
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "logs_real"))
from corpus import HERE, SCORED, load, score  # noqa: E402
from corpus import fired as fired_on  # noqa: E402
from label_rule import labels as rule_labels  # noqa: E402

from stablint.trends.beside import read_beside  # noqa: E402
from stablint.trends.readers import read_log  # noqa: E402
from stablint.trends.signals import SIGNALS  # noqa: E402

ENTRIES = load()
_fired = functools.lru_cache(maxsize=None)(fired_on)  # each log is diagnosed once per session
PRESENT = [e for e in ENTRIES if e.local]
PERMISSIVE = {"MIT", "Apache", "BSD", "CC0"}


def test_manifest_is_a_corpus_of_real_public_logs_split_by_repository():
    assert len(ENTRIES) >= 60 and len({e.id for e in ENTRIES}) == len(ENTRIES)
    assert all(re.fullmatch(r"[0-9a-f]{40}", e.commit) and "/" in e.repo and e.path for e in ENTRIES)
    splits = {}
    for e in ENTRIES:
        splits.setdefault(e.repo, set()).add(e.split)
    assert all(len(s) == 1 for s in splits.values()), "a repository in both halves"
    assert {e.split for e in ENTRIES} == {"calibration", "test"}
    assert all(lab in SIGNALS for e in ENTRIES for lab in e.labels | e.diagnosed)


def test_copied_logs_are_present_and_their_licence_allows_it():
    copied = [e for e in ENTRIES if e.copied]
    assert copied and all(e.licence in PERMISSIVE for e in copied)
    assert all(e.local and e.local.startswith(os.path.join(HERE, "files")) for e in copied)
    on_disk = set(os.listdir(os.path.join(HERE, "files"))) - {"README.md"}
    assert on_disk == {e.id for e in copied}, "files/ holds exactly the copied logs"
    assert all(os.path.exists(os.path.join(HERE, "files", e.id, "LICENSE")) for e in copied)


@pytest.mark.parametrize("e", PRESENT, ids=lambda e: e.id)
def test_labels_are_the_written_rule_and_diagnose_is_unchanged(e):
    """The frozen labels are what label_rule.py says (bar the documented second looks), and
    diagnose fires what the manifest recorded with the calibrated defaults."""
    t = read_log(e.local)
    b = read_beside(e.local, t.meta.get("max_steps"))
    got = set(rule_labels(t, b.get("max_grad_norm"), b.get("vocab_size")))
    relabelled = {m for m in re.findall(r"label \+([\w-]+)", e.note)}
    assert got | relabelled == e.labels
    assert _fired(e.local) == e.diagnosed


def test_precision_and_recall_of_the_present_logs_agree_with_the_manifest():
    """Scoring is consistent: counts from the run equal counts from the frozen columns."""
    res = [(e, _fired(e.local)) for e in PRESENT]
    frozen = score([(e, e.diagnosed) for e in PRESENT])
    assert score(res) == frozen
    assert set(frozen) == set(SCORED)


def test_real_seq2seq_log_with_stepless_predict_entries_is_analysed():
    """github.com/Jaong/Checkpoint-of-CPT trainer_state.json (commit 6a9b832a, no licence: cache only):
    10 ``predict_*`` entries without a step; issue 16 saw it rejected whole (exit 2)."""
    e = next(e for e in ENTRIES if e.repo == "Jaong/Checkpoint-of-CPT")
    if not e.local:
        pytest.skip("not fetched (python tests/logs_real/fetch.py)")
    t = read_log(e.local)
    assert len(t.meta["held_out"]) == 10 and len(t.records) == 20
    assert sum(1 for r in t.records if r.loss is not None) == 10
