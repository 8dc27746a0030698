"""Hydra defaults-list resolution as Hydra does it (issue 12): ``.yaml`` suffix, ``/group`` from the
config root, ``override``, ``optional``, ``_self_`` order.

Semantics read from hydra@2c03d1b925fe239e0b67b923699d4027685f198f:
``hydra/plugins/config_source.py:115-124`` (``_normalize_file_name``),
``hydra/core/default_element.py:322-374`` (group/config paths), ``hydra/_internal/defaults_list.py``
(``_validate_self`` 255-275, the reverse walk and overrides 596-719).

The trees are reconstructions of ashleve/lightning-hydra-template: ``configs/train.yaml``
(commit 07dcdcc077942ad99d6c7445ce7a158bf78d0527) and ``configs/experiment/example.yaml``
(commit 187e1a36a1060f9bf0ac9e424750d10517440828) verbatim, the group files cut down.
MIT licence.
"""

from __future__ import annotations

import textwrap

from stablint.linter.engine import LintOptions, build_plan
from stablint.linter.loaders import load_path

TRAIN = """\
# @package _global_

# specify here default configuration
# order of defaults determines the order in which configs override each other
defaults:
  - _self_
  - data: mnist.yaml
  - model: mnist.yaml
  - callbacks: default.yaml
  - logger: null # set logger here or use command line (e.g. `python train.py logger=tensorboard`)
  - trainer: default.yaml
  - paths: default.yaml
  - extras: default.yaml
  - hydra: default.yaml

  # experiment configs allow for version control of specific hyperparameters
  # e.g. best hyperparameters for given model and datamodule
  - experiment: null

  # config for hyperparameter optimization
  - hparams_search: null

  # optional local config for machine/user specific settings
  # it's optional since it doesn't need to exist and is excluded from version control
  - optional local: default.yaml

  # debugging config (enable through command line, e.g. `python train.py debug=default)
  - debug: null

# task name, determines output directory path
task_name: "train"
tags: ["dev"]
train: True
test: True
ckpt_path: null
seed: null
"""
EXAMPLE = """\
# @package _global_

# to execute this experiment run:
# python train.py experiment=example

defaults:
  - override /data: mnist.yaml
  - override /model: mnist.yaml
  - override /callbacks: default.yaml
  - override /trainer: default.yaml

# all parameters below will be merged with parameters from default configurations set above
# this allows you to overwrite only specified parameters

tags: ["mnist", "simple_dense_net"]

seed: 12345

trainer:
  min_epochs: 10
  max_epochs: 10
  gradient_clip_val: 0.5

model:
  optimizer:
    lr: 0.002
  net:
    lin1_size: 128
    lin2_size: 256
    lin3_size: 64

data:
  batch_size: 64

logger:
  wandb:
    tags: ${tags}
    group: "mnist"
"""
MODEL = """\
_target_: src.models.mnist_module.MNISTLitModule
optimizer:
  _target_: torch.optim.Adam
  _partial_: true
  lr: 0.001
  weight_decay: 0.0
scheduler:
  _target_: torch.optim.lr_scheduler.ReduceLROnPlateau
  _partial_: true
  mode: min
  factor: 0.1
  patience: 10
"""
FILES = {
    "train.yaml": TRAIN,
    "experiment/example.yaml": EXAMPLE,
    "model/mnist.yaml": MODEL,
    "model/big.yaml": MODEL.replace("lr: 0.001", "lr: 0.01"),
    "data/mnist.yaml": "_target_: src.data.mnist_datamodule.MNISTDataModule\nbatch_size: 128\n",
    "trainer/default.yaml": "_target_: lightning.pytorch.trainer.Trainer\nmin_epochs: 1\nmax_epochs: 10\n",
    "callbacks/default.yaml": "defaults:\n  - early_stopping\n  - _self_\nearly_stopping:\n  patience: 100\n",
    "callbacks/early_stopping.yaml": "early_stopping:\n  _target_: lightning.pytorch.callbacks.EarlyStopping\n  patience: 3\n",
    "paths/default.yaml": "root_dir: .\n",
    "extras/default.yaml": "print_config: True\n",
}


def _tree(tmp_path, files=FILES):
    root = tmp_path / "configs"
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def _plan(path):
    return build_plan(load_path(str(path)), LintOptions())


def test_entries_ending_in_yaml_are_not_suffixed_again_and_optional_is_silent(tmp_path):
    root = _tree(tmp_path)
    plan = _plan(root / "train.yaml")
    lr = plan.get("optimizer.lr")
    assert lr.value == 0.001 and lr.source.path.endswith("mnist.yaml") and lr.source.key == "model.optimizer.lr"
    assert plan.number("batch.per_device") == 128 and plan.number("run.epochs") == 10
    assert plan.number("early_stopping.patience") == 100  # callbacks/default.yaml wins over early_stopping.yaml
    # optional local/default.yaml and the hydra group are absent: no note, no missing base
    assert plan.missing_bases == []
    assert not any("not found" in n for n in plan.notes)


def test_missing_required_entry_is_recorded_with_its_position(tmp_path):
    files = dict(FILES)
    del files["paths/default.yaml"]
    root = _tree(tmp_path, files)
    plan = _plan(root / "train.yaml")
    assert [(m.ref, m.source.line) for m in plan.missing_bases] == [("paths: default.yaml", 12)]
    assert plan.number("optimizer.lr") == 0.001  # the rest is still read


def test_experiment_override_groups_resolve_from_the_config_root(tmp_path):
    root = _tree(tmp_path)
    plan = _plan(root / "experiment" / "example.yaml")
    assert plan.missing_bases == []
    lr = plan.get("optimizer.lr")  # the experiment's own value wins over model/mnist.yaml
    assert lr.value == 0.002 and lr.source.path.endswith("example.yaml")
    assert plan.value("optimizer.type") == "adam"  # from configs/model/mnist.yaml, not experiment/model/
    assert plan.value("scheduler.type") == "plateau"
    assert plan.number("batch.per_device") == 64 and plan.number("clip.max_norm") == 0.5


def test_override_replaces_the_choice_of_an_earlier_entry(tmp_path):
    files = dict(FILES)
    files["train.yaml"] = "defaults:\n  - model: mnist\n  - override /model: big\n  - _self_\nseed: 1\n"
    root = _tree(tmp_path, files)
    plan = _plan(root / "train.yaml")
    assert plan.number("optimizer.lr") == 0.01 and plan.get("optimizer.lr").source.path.endswith("big.yaml")


def test_override_in_an_included_experiment_applies_to_the_primary_entries(tmp_path):
    files = dict(FILES)
    files["train.yaml"] = "defaults:\n  - model: mnist\n  - experiment: swap\n  - _self_\n"
    files["experiment/swap.yaml"] = "# @package _global_\ndefaults:\n  - override /model: big\n"
    root = _tree(tmp_path, files)
    plan = _plan(root / "train.yaml")
    assert plan.number("optimizer.lr") == 0.01


def test_self_position_decides_who_wins(tmp_path):
    own = "model:\n  optimizer:\n    lr: 0.5\n"
    for defaults, expected in (("  - _self_\n  - model: mnist\n", 0.001),
                               ("  - model: mnist\n  - _self_\n", 0.5),
                               ("  - model: mnist\n", 0.5)):  # _self_ omitted: appended last
        files = dict(FILES)
        files["train.yaml"] = "defaults:\n" + defaults + own
        root = _tree(tmp_path / str(expected) / str(len(defaults)), files)
        assert _plan(root / "train.yaml").number("optimizer.lr") == expected, defaults


def test_absolute_config_entry_and_package_of_nested_group(tmp_path):
    files = {
        "conf/run.yaml": "defaults:\n  - model: net\n  - _self_\n",
        "conf/model/net.yaml": textwrap.dedent("""\
            defaults:
              - optim: adamw
              - _self_
            _target_: my.Net
            """),
        "conf/model/optim/adamw.yaml": "_target_: torch.optim.AdamW\nlr: 3e-4\n",
    }
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    plan = _plan(tmp_path / "conf" / "run.yaml")
    lr = plan.get("optimizer.lr")
    assert lr.value == 3e-4 and lr.source.key == "model.optim.lr"
