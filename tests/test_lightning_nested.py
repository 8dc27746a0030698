"""Lightning CLI subcommand-nested configs (issue 12, category 2).

``fit: {trainer: ..., model: ..., data: ...}`` is what a global ``--config`` holds
(``python main.py --config cfg.yaml fit``; ``LightningCLI.subcommands()``). Real file:
mamintoosi/TGCN-GSL-PyTorch ``configs/tgcn-sz-gsl-pre_len1.yaml``
(@26188612913d9b5d8753e4331e64309cf3167973, MIT), copied whole below. The ``NESTED`` file is
a minimal reconstruction of the form ``--print_config`` writes, with ``1e-4`` scalars
(jsonargparse's loader reads them as floats: jsonargparse ``_loaders_dumpers.py``
``DefaultLoader`` float resolver, omni-us/jsonargparse@02e418c9965f2571da70e3794c50a7b63db7f640)
and ``max_epochs: -1`` ("To enable infinite training, set ``max_epochs = -1``", Trainer docstring).
"""

from __future__ import annotations

import pytest

TGCN = """fit:
  trainer:
    max_epochs: 50
    accelerator: cuda
    devices: 1
  data:
    dataset_name: shenzhen
    batch_size: 64
    seq_len: 12
    pre_len: 1
  model:
    model:
      class_path: models.TGCN
      init_args:
        hidden_dim: 100
        use_gsl: 1
    learning_rate: 0.001
    weight_decay: 0
    loss: mse_with_regularizer
"""

NESTED = """fit:
  seed_everything: 42
  trainer:
    accelerator: gpu
    devices: 1
    max_epochs: -1
    max_steps: 100000
    gradient_clip_val: 1.0
  model:
    class_path: my_project.LitModel
  data:
    class_path: my_project.DataModule
    init_args:
      batch_size: 32
  optimizer:
    class_path: torch.optim.AdamW
    init_args:
      lr: 1e-4
      weight_decay: 1e-2
  lr_scheduler:
    class_path: torch.optim.lr_scheduler.CosineAnnealingLR
    init_args:
      T_max: 100000
      eta_min: 1e-6
  ckpt_path: null
"""


def test_real_nested_config_is_lightning(lint_text):
    res = lint_text("tgcn-sz-gsl-pre_len1.yaml", TGCN, isolated=True)
    plan = res.results[0].plan
    assert plan.dialect == "lightning-cli" and plan.loader == "jsonargparse"
    ep = plan.get("run.epochs")
    assert (ep.value, ep.unit, ep.source.key, ep.source.line) == (50, "epoch", "fit.trainer.max_epochs", 3)
    bs = plan.get("batch.per_device")
    assert (bs.value, bs.source.key) == (64, "fit.data.batch_size")
    assert [f for f in res.findings if f.severity != "info"] == []


def test_nested_print_config_form_is_normalized_like_the_flat_form(lint_text):
    nested = lint_text("nested.yaml", NESTED, isolated=True)
    flat_text = "\n".join(line[2:] for line in NESTED.splitlines()[1:]) + "\n"
    flat = lint_text("flat.yaml", flat_text, isolated=True)
    pn, pf = nested.results[0].plan, flat.results[0].plan
    assert pn.dialect == pf.dialect == "lightning-cli"
    assert {k: v.value for k, v in pn.fields.items()} == {k: v.value for k, v in pf.fields.items()}
    assert pn.value("optimizer.lr") == pytest.approx(1e-4) and not pn.get("optimizer.lr").as_string
    assert pn.get("optimizer.lr").source.key == "fit.optimizer.init_args.lr"
    assert pf.get("optimizer.lr").source.key == "optimizer.init_args.lr"
    for res in (nested, flat):  # jsonargparse reads 1e-4 as a float; max_epochs -1 is "train forever"
        assert not [f for f in res.findings if f.rule in ("yaml-float-as-string", "invalid-value")]
    assert not pn.has("run.epochs") and pn.value("run.max_steps") == 100000


@pytest.mark.parametrize("sub", ["validate", "test", "predict"])
def test_other_subcommands_are_read(lint_text, sub):
    text = f"{sub}:\n  trainer:\n    devices: 2\n    limit_test_batches: 4\n  ckpt_path: best\n  model:\n    class_path: m.M\n"
    plan = lint_text("eval.yaml", text, isolated=True).results[0].plan
    assert plan.dialect == "lightning-cli" and plan.get("batch.world_size").source.key == f"{sub}.trainer.devices"


def test_a_fit_section_of_another_tool_is_not_lightning(lint_text):
    # decline-curve / peak fitting configs have `fit:` sections without a Lightning Trainer
    text = "fit:\n  model: hyperbolic\n  b_range: [0.5, 1.5]\n  d_min: 0.06\n"
    plan = lint_text("type_curve.yaml", text, isolated=True).results[0].plan
    assert plan is None or plan.dialect != "lightning-cli"
    text = "fit:\n  trainer: {name: bob}\n  model: x\n"  # a `trainer` without Trainer arguments
    plan = lint_text("x.yaml", text, isolated=True).results[0].plan
    assert plan is None or plan.dialect != "lightning-cli"


def test_flat_max_epochs_minus_one_and_invalid_minus_two(lint_text):
    base = ("trainer:\n  max_epochs: {}\nmodel:\n  class_path: m.M\noptimizer:\n  class_path: torch.optim.AdamW\n"
            "  init_args:\n    lr: 1.0e-3\n")
    res = lint_text("a.yaml", base.format(-1), isolated=True)
    assert not [f for f in res.findings if f.rule == "invalid-value"]
    res = lint_text("b.yaml", base.format(-2), isolated=True)  # Lightning raises for max_epochs < -1
    assert [f.field for f in res.findings if f.rule == "invalid-value"] == ["run.epochs"]


def test_nested_file_is_high_confidence_with_subcommand_evidence(lint_text):
    """Detection confidence (h12detect) on a ``fit:``-nested file: certain, so Lightning's
    defaults (EarlyStopping patience, plateau patience) may apply; the evidence names the
    subcommand and its sections, not only the top-level ``fit`` key."""
    plan = lint_text("tgcn-sz-gsl-pre_len1.yaml", TGCN, isolated=True).results[0].plan
    det = plan.detection
    assert (det.name, det.confidence, det.fills_defaults) == ("lightning-cli", "high", True)
    assert det.evidence[0] == "subcommand fit: with Trainer arguments"
    assert {"key fit.trainer", "key fit.model", "key fit.data"} <= set(det.evidence)
    assert any(e.startswith("class_path at fit.") for e in det.evidence)
