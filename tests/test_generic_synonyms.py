"""The generic dialect's key-synonym table (issue 12): each added spelling is read with its meaning
and unit; evidence for each spelling is recorded in ``generic.SYNONYM_EVIDENCE``.

Files: tmarkmann/chexnet-tf2 ``src/chexnet/configs/config.py`` (the ``train`` block, verbatim) and
reconstructions of custom trainers' configs in the spellings the evidence table cites.
"""

from __future__ import annotations

import textwrap

import pytest

from stablint.linter.dialects import generic
from stablint.linter.engine import LintOptions, build_plan, lint_paths
from stablint.linter.loaders import load_path
from stablint.linter.plan import EPOCH

CHEXNET = '''\
chexnet_config = {
    "train": {
        "batch_size": 32,
        "learn_rate": 0.001,
        "epochs": 1,
    },
    "test": {
        "batch_size": 32,
    },
}
'''


def _plan(tmp_path, text: str, name: str = "config.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return build_plan(load_path(str(path)), LintOptions())


def test_every_added_spelling_has_evidence():
    added = {"initial_learning_rate", "initial_lr", "learn_rate", "batch_size_per_gpu", "warmup_epochs",
             "lr_scheduler_patience", "lr_scheduler_factor", "learning_rate_patience",
             "reduce_learning_rate_patience", "reduce_learning_rate_factor"}
    table = {name for names in generic.ALIASES.values() for name in names}
    assert added <= table
    assert added <= set(generic.SYNONYM_EVIDENCE)
    for ambiguous in ("patience", "lr_decay", "lr_decay_factor", "learning_rate_drop", "epoch", "max_lr"):
        assert ambiguous not in table


def test_learn_rate_in_a_python_dict_config(tmp_path):
    plan = _plan(tmp_path, CHEXNET, "config.py")
    assert plan.dialect == "generic"
    assert plan.number("optimizer.lr") == 0.001 and plan.get("optimizer.lr").source.key == "chexnet_config.train.learn_rate"


def test_plateau_spellings_and_units(tmp_path):
    plan = _plan(tmp_path, """\
        initial_learning_rate: 5.0e-4
        n_epochs: 100
        batch_size_per_gpu: 4
        learning_rate_patience: 50
        lr_scheduler_factor: 0.5
        warmup_epochs: 5
        """)
    assert plan.number("optimizer.lr") == 5e-4 and plan.number("batch.per_device") == 4
    assert plan.value("scheduler.type") == "plateau"
    assert (plan.number("scheduler.patience"), plan.unit("scheduler.patience")) == (50, EPOCH)
    assert plan.number("scheduler.factor") == 0.5
    assert (plan.number("warmup.steps"), plan.unit("warmup.steps")) == (5, EPOCH)
    assert plan.value("scheduler.interval") == "epoch"  # warmup in epochs is no per-step evidence
    # patience 50 of 100 epochs: the first cut cannot come before epoch 51
    assert "plateau-patience-too-long" in {f.rule for f in lint_paths([str(tmp_path / "config.yaml")]).findings}


@pytest.mark.parametrize("key", ["lr_scheduler_patience", "reduce_learning_rate_patience"])
def test_patience_spellings(tmp_path, key):
    plan = _plan(tmp_path, f"learning_rate: 1.0e-3\nepochs: 30\n{key}: 5\n")
    assert plan.number("scheduler.patience") == 5 and plan.get("scheduler.patience").source.key == key


def test_sibling_loss_weights(tmp_path):
    plan = _plan(tmp_path, """\
        learning_rate: 0.003
        batch_size: 256
        route_loss_weight: 1.0
        role_loss_weight: 1.0
        step_loss_weight: 0.5
        """)
    w = plan.get("loss.weights")
    assert set(w.value) == {"route_loss_weight", "role_loss_weight", "step_loss_weight"}
    assert w.source.line == 3


def test_one_loss_weight_is_not_a_balance(tmp_path):
    plan = _plan(tmp_path, "learning_rate: 0.003\nbatch_size: 8\nedge_loss_weight: 0.5\n")
    assert not plan.has("loss.weights")
