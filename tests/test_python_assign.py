"""Python configs built by item/attribute assignment and nested optimizer blocks (issue 12).

Read with ``ast`` only (never executed). Real files: google/flax ``examples/mnist/configs/default.py``
(commit 3448764de94461bd08caef2cf90e113a711ffa3c, Apache-2.0; the ml_collections ``get_config()``
convention) and smallcorgi/Faster-RCNN_TF ``lib/fast_rcnn/config.py`` (commit
25091bb9a5d6e21fe42e9cc4bbe8f952737b35c7, MIT; the easydict ``__C.TRAIN.X = ...`` convention), cut down.
"""

from __future__ import annotations

import textwrap

from stablint.linter.engine import LintOptions, build_plan, lint_paths
from stablint.linter.loaders import load_path

FLAX_MNIST = '''\
"""Default Hyperparameter configuration."""

import ml_collections


def get_config():
    """Get the default hyperparameter configuration."""
    config = ml_collections.ConfigDict()

    config.learning_rate = 0.1
    config.momentum = 0.9
    config.batch_size = 128
    config.num_epochs = 10
    return config
'''
FASTER_RCNN_TF = '''\
import os
import os.path as osp
import numpy as np
from easydict import EasyDict as edict

__C = edict()
# Consumers can get config by:
#   from fast_rcnn_config import cfg
cfg = __C

__C.TRAIN = edict()
# learning rate
__C.TRAIN.LEARNING_RATE = 0.001
__C.TRAIN.MOMENTUM = 0.9
__C.TRAIN.GAMMA = 0.1
__C.TRAIN.STEPSIZE = 50000
__C.TRAIN.DISPLAY = 10
__C.IS_MULTISCALE = False
__C.TRAIN.SCALES = (600,)
__C.TRAIN.IMS_PER_BATCH = 2
__C.PIXEL_MEANS = np.array([[[102.9801, 115.9465, 122.7717]]])
__C.ROOT_DIR = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
'''


def _doc(tmp_path, text: str, name: str = "config.py"):
    path = tmp_path / name
    path.write_text(text)
    return load_path(str(path))


def _plan(tmp_path, text: str, name: str = "config.py"):
    return build_plan(_doc(tmp_path, text, name), LintOptions())


def test_item_assignment_on_a_dict_literal(tmp_path):
    doc = _doc(tmp_path, "train = {}\ntrain['lr'] = 1e-3\ntrain['epochs'] = 50\ntrain['batch_size'] = 32\n")
    assert doc.root.plain() == {"train": {"lr": 1e-3, "epochs": 50, "batch_size": 32}}
    assert doc.root.find("train.lr").anchor == (2, 1)  # findings point at ``train['lr']``
    plan = build_plan(doc, LintOptions())
    assert plan.number("optimizer.lr") == 1e-3 and plan.get("optimizer.lr").source.line == 2


def test_nested_item_assignment_needs_the_parent_mapping(tmp_path):
    doc = _doc(tmp_path, textwrap.dedent("""\
        cfg = dict(optimizer=dict(type='SGD', lr=0.1))
        cfg['optimizer']['lr'] = 0.01
        cfg['missing']['lr'] = 5.0
        other = make_config()
        other['lr'] = 3.0
        """))
    assert doc.root.plain()["cfg"] == {"optimizer": {"type": "SGD", "lr": 0.01}}
    assert doc.root.find("other").plain() != {"lr": 3.0}  # an opaque call's result is not a mapping we know


def test_attribute_assignment_on_easydict_and_aliases(tmp_path):
    doc = _doc(tmp_path, FASTER_RCNN_TF)
    lr = doc.root.find("__C.TRAIN.LEARNING_RATE")
    assert lr.value == 0.001 and lr.anchor == (13, 1)
    assert doc.root.find("cfg.TRAIN.MOMENTUM").value == 0.9  # ``cfg = __C`` is the same mapping
    assert doc.root.find("__C.PIXEL_MEANS").plain() != [[[102.9801, 115.9465, 122.7717]]]  # np.array: opaque
    # forced to the generic dialect (one training key name is too little to claim it), the LR is found
    plan = build_plan(doc, LintOptions(dialect="generic"))
    assert plan.number("optimizer.lr") == 0.001 and plan.get("optimizer.lr").source.line == 13
    assert lint_paths([str(tmp_path / "config.py")]).findings == []


def test_ml_collections_get_config_function(tmp_path):
    doc = _doc(tmp_path, FLAX_MNIST, "default.py")
    assert doc.root.plain() == {"config": {"learning_rate": 0.1, "momentum": 0.9, "batch_size": 128, "num_epochs": 10}}
    plan = build_plan(doc, LintOptions())
    assert plan.number("optimizer.lr") == 0.1 and plan.number("run.epochs") == 10


def test_augmented_item_assignment_makes_the_value_unresolved(tmp_path):
    doc = _doc(tmp_path, "cfg = {}\ncfg['lr'] = 1e-3\ncfg['lr'] *= 8\n")
    plan = build_plan(doc, LintOptions())
    assert plan.has("optimizer.lr") is False or plan.get("optimizer.lr").resolved is False


def test_nothing_is_executed(tmp_path):
    marker = tmp_path / "ran"
    _doc(tmp_path, f"import os\ncfg = {{}}\ncfg['x'] = os.system('touch {marker}')\n")
    assert not marker.exists()


def test_nested_optimizer_block_in_custom_yaml(tmp_path):
    path = tmp_path / "train.yaml"
    path.write_text(textwrap.dedent("""\
        model:
          name: unet
        train:
          epochs: 100
          batch_size: 16
          optimizer:
            type: Adam
            lr: 0.5
        """))
    plan = build_plan(load_path(str(path)), LintOptions())
    assert plan.value("optimizer.type") == "adam" and plan.get("optimizer.type").source.key == "train.optimizer.type"
    assert plan.number("optimizer.lr") == 0.5
    assert [f.rule for f in lint_paths([str(path)]).findings] == ["lr-out-of-range"]


def test_optimizer_block_lr_wins_over_an_unrelated_lr(tmp_path):
    path = tmp_path / "train.yaml"
    path.write_text("lr: 0.001\nepochs: 3\nhead:\n  optimizer:\n    name: SGD\n    lr: 0.1\n    momentum: 0.9\n")
    plan = build_plan(load_path(str(path)), LintOptions())
    assert plan.get("optimizer.lr").source.key == "head.optimizer.lr" and plan.value("optimizer.type") == "sgd"


def test_a_block_named_optimizer_needs_a_known_optimizer_class(tmp_path):
    path = tmp_path / "train.yaml"
    path.write_text("learning_rate: 0.001\nepochs: 3\noptim:\n  name: experiment_7\n  lr: 5.0\n")
    plan = build_plan(load_path(str(path)), LintOptions())
    assert plan.get("optimizer.lr").source.key == "learning_rate" and not plan.has("optimizer.type")
