"""General-purpose / vision / systems / scientific-ML dialects on the real corpus and on small fixtures.

Corpus files are flattened (``owner__repo__path``), so ``_base_``/``_BASE_``/``defaults``
inheritance is proven by rebuilding the original folder layout in ``tmp_path`` from
``MANIFEST.tsv`` (real files, real relative paths) and by small hand-written multi-file fixtures.
"""

from __future__ import annotations

import csv
import os
import shutil
import textwrap

import pytest

from stablint.linter import dialects
from stablint.linter.document import InputError
from stablint.linter.engine import LintOptions, build_plan, lint_paths
from stablint.linter.loaders import load_path

CORPUS = os.path.join(os.path.dirname(__file__), "corpus")
MINE = {"lightning-cli", "hydra", "nanogpt", "mmengine", "detectron2", "torchtitan", "ultralytics", "neuraloperator"}
EXPECTED = {"lightning_cli": "lightning-cli", "hydra_omegaconf": "hydra", "nanogpt_pyconfig": "nanogpt",
            "openmmlab": "mmengine", "detectron2": "detectron2", "torchtitan": "torchtitan",
            "neuraloperator": "neuraloperator"}
#: corpus files that are broken upstream (the loader reports them as input errors)
BROKEN = {"IBM__terratorch__examples__confs__alexnet_custom_model_config.yaml",
          "LumionHXJ__SegHist__config__baseline__config.py"}
OTHERS = ("axolotl", "llamafactory", "torchtune", "deepspeed", "shell_launch")


def _files(family: str) -> list[str]:
    d = os.path.join(CORPUS, family)
    return sorted(os.path.join(d, f) for f in os.listdir(d))


def _corpus(family: str, stem: str) -> str:
    hits = [p for p in _files(family) if stem in os.path.basename(p)]
    assert len(hits) == 1, hits
    return hits[0]


def plan_of(path: str):
    return build_plan(load_path(path), LintOptions())


def _manifest() -> dict[str, tuple[str, str]]:
    """local_file → (repo, original path)."""
    with open(os.path.join(CORPUS, "MANIFEST.tsv"), newline="") as fh:
        return {r["local_file"]: (r["repo"], r["path"]) for r in csv.DictReader(fh, delimiter="\t")}


def _rebuild(tmp_path, family: str, stems: list[str]) -> dict[str, str]:
    """Copy corpus files back to their repository-relative paths under tmp_path; stem → new path."""
    man = _manifest()
    out = {}
    for stem in stems:
        src = _corpus(family, stem)
        repo, rel = man[f"{family}/{os.path.basename(src)}"]
        dst = tmp_path / repo.replace("/", "__") / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dst)
        out[stem] = str(dst)
    return out


# -- detection -------------------------------------------------------------------
@pytest.mark.parametrize("family", sorted(EXPECTED))
def test_every_corpus_file_of_a_family_gets_its_dialect(family):
    checked = 0
    for path in _files(family):
        if os.path.basename(path) in BROKEN:
            with pytest.raises(InputError):
                load_path(path)
            continue
        doc = load_path(path)
        got = dialects.detect(doc)
        assert got is not None and got.name == EXPECTED[family], (path, got and got.name)
        checked += 1
    assert checked >= 2


@pytest.mark.parametrize("family", OTHERS)
def test_llm_stack_files_are_not_claimed(family):
    mine = [d for d in dialects.all_dialects() if d.name in MINE]
    for path in _files(family):
        try:
            doc = load_path(path)
        except InputError:
            continue
        scores = {d.name: d.detect(doc) for d in mine if doc.fmt in d.formats}
        assert all(s == 0 for s in scores.values()), (path, scores)


def test_speechbrain_hyperpyyaml_is_not_claimed():
    mine = [d for d in dialects.all_dialects() if d.name in MINE]
    for path in _files("other_custom"):
        doc = load_path(path)
        assert all(d.detect(doc) == 0 for d in mine if doc.fmt in d.formats), path


# -- Lightning CLI -----------------------------------------------------------------
def test_lightning_plateau_default_patience_and_early_stopping_in_epochs():
    plan = plan_of(_corpus("lightning_cli", "burn_scars"))
    assert plan.dialect == "lightning-cli" and plan.loader == "jsonargparse"
    lr = plan.get("optimizer.lr")
    assert lr.value == pytest.approx(1.5e-5) and lr.source.line == 129 and lr.source.key == "optimizer.init_args.lr"
    pat = plan.get("scheduler.patience")  # ReduceLROnPlateau without patience: torch default 10
    assert (pat.value, pat.unit, pat.source.default) == (10, "epoch", True)
    assert plan.value("scheduler.type") == "plateau" and plan.value("scheduler.interval") == "epoch"
    es = plan.get("early_stopping.patience")
    assert (es.value, es.unit, es.source.line, es.source.default) == (40, "epoch", 22, False)
    assert plan.value("optimizer.type") == "adam" and plan.value("precision.fp16") is True
    assert plan.get("batch.per_device").value == 4 and plan.get("run.epochs").unit == "epoch"


def test_lightning_optimizer_inside_model_init_args_and_yaml12_float():
    plan = plan_of(_corpus("lightning_cli", "dual_lr"))
    lr = plan.get("optimizer.lr")
    # "lr: 1e-4" is a PyYAML string, but jsonargparse reads it as a float
    assert lr.value == pytest.approx(1e-4) and lr.as_string is False and lr.source.key == "model.init_args.lr"
    assert plan.value("optimizer.type") == "adamw" and plan.get("optimizer.type").source.key == "model.init_args.optimizer"
    assert plan.get("scheduler.monitor").source.key == "model.init_args.scheduler_hparams.monitor"
    assert plan.get("scheduler.patience").source.default is True


def test_lightning_early_stopping_counts_validation_checks(tmp_path):
    cfg = tmp_path / "fit.yaml"
    cfg.write_text(textwrap.dedent("""\
        seed_everything: 0
        trainer:
          max_epochs: 100
          check_val_every_n_epoch: 10
          callbacks:
            - class_path: lightning.pytorch.callbacks.EarlyStopping
              init_args: {monitor: val_loss}
        model:
          class_path: my.Model
        optimizer:
          class_path: torch.optim.SGD
          init_args: {lr: 0.1, momentum: 0.9}
        lr_scheduler:
          class_path: torch.optim.lr_scheduler.StepLR
          init_args: {step_size: 30, gamma: 0.1}
        """))
    plan = plan_of(str(cfg))
    es = plan.get("early_stopping.patience")  # default 3 checks x every 10 epochs
    assert (es.value, es.unit, es.source.default) == (30, "epoch", True)
    assert plan.get("scheduler.step_size").unit == "epoch" and plan.value("scheduler.type") == "step"
    assert plan.value("optimizer.momentum") == 0.9


# -- Hydra / OmegaConf ----------------------------------------------------------------
def test_latent_diffusion_target_params_style():
    plan = plan_of(_corpus("hydra_omegaconf", "latent-diffusion"))
    assert plan.dialect == "hydra" and plan.loader == "omegaconf"
    lr = plan.get("optimizer.lr")  # 4.5e-6 x batch 12 x accumulate 2 (1 GPU)
    assert lr.value == pytest.approx(4.5e-6 * 12 * 2) and lr.source.line == 2
    weights = plan.value("loss.weights")
    assert weights["model.params.lossconfig.params.kl_weight"].value == pytest.approx(1e-6)
    assert weights["model.params.lossconfig.params.disc_weight"].value == 0.5


def test_dinov2_placeholder_lr_uses_base_lr():
    plan = plan_of(_corpus("hydra_omegaconf", "dinov2"))
    assert plan.value("optimizer.lr") == 0.004 and plan.get("optimizer.lr").source.key == "optim.base_lr"
    assert plan.get("warmup.steps").unit == "epoch" and plan.value("warmup.steps") == 10
    assert plan.value("scheduler.interval") == "step" and plan.value("clip.max_norm") == 3.0
    assert set(plan.value("loss.weights")) == {"dino.loss_weight", "dino.koleo_loss_weight", "ibot.loss_weight"}


def test_hydra_defaults_list_composition(tmp_path):
    """lightning-hydra-template: early_stopping.yaml says 3, callbacks/default.yaml makes it 100."""
    (tmp_path / "callbacks").mkdir()
    (tmp_path / "model").mkdir()
    (tmp_path / "train.yaml").write_text(textwrap.dedent("""\
        defaults:
          - _self_
          - model: mnist
          - callbacks: default
          - logger: null
          - trainer: missing_one
        seed: 12345
        trainer:
          max_epochs: 10
          gradient_clip_val: 0.5
        """))
    (tmp_path / "model" / "mnist.yaml").write_text(textwrap.dedent("""\
        _target_: src.models.mnist_module.MNISTLitModule
        optimizer:
          _target_: torch.optim.Adam
          _partial_: true
          lr: 1e-3
          weight_decay: 0.0
        scheduler:
          _target_: torch.optim.lr_scheduler.ReduceLROnPlateau
          _partial_: true
          mode: min
          factor: 0.1
          patience: 10
        """))
    (tmp_path / "callbacks" / "default.yaml").write_text(textwrap.dedent("""\
        defaults:
          - early_stopping
          - _self_
        early_stopping:
          monitor: "val/acc"
          patience: 100
        """))
    (tmp_path / "callbacks" / "early_stopping.yaml").write_text(textwrap.dedent("""\
        early_stopping:
          _target_: lightning.pytorch.callbacks.EarlyStopping
          monitor: ???
          patience: 3
        """))
    plan = plan_of(str(tmp_path / "train.yaml"))
    assert plan.dialect == "hydra"
    lr = plan.get("optimizer.lr")  # OmegaConf: 1e-3 is a float, not a YAML 1.1 string
    assert lr.value == pytest.approx(1e-3) and lr.as_string is False
    assert lr.source.path.endswith(os.path.join("model", "mnist.yaml")) and lr.source.key == "model.optimizer.lr"
    es = plan.get("early_stopping.patience")
    assert es.value == 100 and es.source.path.endswith(os.path.join("callbacks", "default.yaml")) and es.unit == "eval"
    assert plan.value("early_stopping.monitor") == "val/acc"
    assert plan.value("scheduler.type") == "plateau" and plan.get("scheduler.patience").unit == "epoch"
    assert plan.value("clip.max_norm") == 0.5 and plan.value("run.epochs") == 10
    assert any("trainer/missing_one.yaml not found" in n for n in plan.notes)


# -- nanoGPT --------------------------------------------------------------------------
def test_nanogpt_defaults_and_global_grad_accum():
    plan = plan_of(_corpus("nanogpt_pyconfig", "train_gpt2"))
    lr = plan.get("optimizer.lr")  # not set in the file: train.py default
    assert lr.value == 6e-4 and lr.source.default is True
    ga = plan.get("batch.grad_accum")  # 5 * 8 folded by the ast reader
    assert ga.value == 40 and ga.source.line == 13 and ga.source.default is False
    assert plan.value("batch.global") == 12 * 40 and plan.unit("batch.global") == "global"
    assert plan.get("run.max_steps").unit == "iteration" and plan.value("scheduler.decay_steps") == 600000
    assert plan.value("warmup.steps") == 2000 and plan.get("warmup.steps").source.default is True
    assert plan.value("scheduler.interval") == "step" and plan.value("optimizer.betas") == [0.9, 0.95]


def test_nanogpt_decay_lr_false_is_constant_without_warmup():
    plan = plan_of(_corpus("nanogpt_pyconfig", "finetune_shakespeare"))
    assert plan.value("scheduler.type") == "constant" and plan.get("scheduler.type").source.line == 25
    assert not plan.has("warmup.steps") and plan.value("batch.per_device") == 1
    assert plan.value("batch.global") == 32 and plan.value("run.max_steps") == 20


# -- mmengine ---------------------------------------------------------------------------
def test_mmdet_schedule_units_per_scheduler():
    plan = plan_of(_corpus("openmmlab", "schedule_1x"))
    warm = plan.get("warmup.steps")
    assert (warm.value, warm.unit, warm.source.line) == (500, "iteration", 9)
    ms = plan.get("scheduler.milestones")
    assert (ms.value, ms.unit) == ([8, 11], "epoch") and plan.value("scheduler.interval") == "epoch"
    assert plan.value("optimizer.type") == "sgd" and plan.value("optimizer.lr") == 0.02
    assert plan.value("run.epochs") == 12 and plan.unit("eval.interval") == "epoch"


def test_mmpretrain_expression_lr_amp_and_batchnorm():
    revvit = plan_of(_corpus("openmmlab", "revvit"))
    assert revvit.value("optimizer.lr") == pytest.approx(5e-4 * 2048 / 512)
    assert revvit.value("scheduler.t_max") == 230 and revvit.get("scheduler.t_max").source.default is True
    assert revvit.value("clip.max_norm") == 1.0
    moco = plan_of(_corpus("openmmlab", "mocov3"))
    assert moco.value("precision.fp16") is True and moco.value("precision.loss_scale") == "dynamic"
    assert moco.value("scheduler.interval") == "step"  # convert_to_iter_based
    assert moco.get("scheduler.t_max").unit == "epoch" and moco.value("scheduler.t_max") == 90
    bn = moco.get("model.uses_batchnorm")
    assert bn.value is True and bn.source.line == 14
    assert any("imagenet_bs512_mocov3.py" in n for n in moco.notes)


def test_mmengine_plateau_patience_counts_evaluations():
    plan = plan_of(_corpus("openmmlab", "seghist_resnet50"))
    pat = plan.get("scheduler.patience")
    assert (pat.value, pat.unit) == (1, "eval") and plan.value("eval.interval") == 10
    assert plan.value("scheduler.mode") == "max" and plan.value("scheduler.monitor") == "loss"
    assert plan.get("scheduler.monitor").source.default is True
    assert sum("_base_ file not found" in n for n in plan.notes) == 5


def test_mmengine_base_merge_delete_and_provenance(tmp_path):
    base_dir = tmp_path / "_base_"
    base_dir.mkdir()
    (base_dir / "schedule.py").write_text(textwrap.dedent("""\
        optim_wrapper = dict(
            type='OptimWrapper',
            optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001),
            clip_grad=dict(max_norm=35, norm_type=2))
        param_scheduler = [
            dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
            dict(type='MultiStepLR', by_epoch=True, milestones=[8, 11], gamma=0.1)]
        train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)
        """))
    (base_dir / "runtime.py").write_text("_base_ = './schedule.py'\ndefault_hooks = dict(checkpoint=dict(type='CheckpointHook', interval=1))\n")
    (tmp_path / "child.py").write_text(textwrap.dedent("""\
        _base_ = ['./_base_/runtime.py', './_base_/missing.py']
        optim_wrapper = dict(
            optimizer=dict(_delete_=True, type='AdamW', lr=1e-4, weight_decay=0.05))
        train_cfg = dict(max_epochs=24)
        """))
    plan = plan_of(str(tmp_path / "child.py"))
    assert plan.dialect == "mmengine"
    # _delete_ replaced the SGD dict: no inherited momentum
    assert plan.value("optimizer.type") == "adamw" and not plan.has("optimizer.momentum")
    assert plan.get("optimizer.lr").source.path == str(tmp_path / "child.py")
    clip = plan.get("clip.max_norm")  # merged (not deleted) sibling from the base, two levels up
    assert clip.value == 35 and clip.source.path.endswith(os.path.join("_base_", "schedule.py")) and clip.source.line == 4
    assert plan.value("run.epochs") == 24 and plan.value("eval.interval") == 1
    assert plan.get("warmup.steps").source.path.endswith("schedule.py")
    assert plan.value("save.interval") == 1
    assert any("missing.py" in n for n in plan.notes)
    assert len(plan.documents) == 3


def test_mmdetection_base_resolved_from_rebuilt_tree(tmp_path):
    files = _rebuild(tmp_path, "openmmlab", ["faster-rcnn_r50_fpn_1x", "schedule_1x"])
    plan = plan_of(files["faster-rcnn_r50_fpn_1x"])
    lr = plan.get("optimizer.lr")
    assert lr.value == 0.02 and lr.source.path == files["schedule_1x"] and lr.source.line == 22
    assert plan.value("scheduler.milestones") == [8, 11]
    assert sum("_base_ file not found" in n for n in plan.notes) == 3


# -- detectron2 ---------------------------------------------------------------------------
def test_detectron2_yacs_decoding_and_defaults():
    plan = plan_of(_corpus("detectron2", "Base-RCNN-FPN"))
    assert plan.loader == "yacs"
    ms = plan.get("scheduler.milestones")  # "(60000, 80000)" literal_eval'd like yacs
    assert (ms.value, ms.unit, ms.source.line) == ([60000, 80000], "iteration", 38)
    assert plan.get("batch.global").unit == "global" and plan.value("batch.global") == 16
    warm = plan.get("warmup.steps")
    assert (warm.value, warm.source.default) == (1000, True)
    assert plan.value("optimizer.type") == "sgd" and plan.value("scheduler.raw_type") == "WarmupMultiStepLR"


def test_detectron2_missing_base_applies_no_defaults():
    plan = plan_of(_corpus("detectron2", "mask_rcnn_R_50_FPN_1x_giou"))
    assert not plan.has("optimizer.lr") and not plan.has("warmup.steps")
    assert any("Base-RCNN-FPN.yaml" in n for n in plan.notes)
    assert plan.value("loss.weights")["ROI_BOX_HEAD.BBOX_REG_LOSS_WEIGHT"].value == 10.0


def test_detectron2_base_chain_from_rebuilt_tree(tmp_path):
    files = _rebuild(tmp_path, "detectron2", ["Base-RCNN-FPN", "mask_rcnn_R_50_FPN_1x_giou"])
    plan = plan_of(files["mask_rcnn_R_50_FPN_1x_giou"])
    lr = plan.get("optimizer.lr")
    assert lr.value == 0.02 and lr.source.path == files["Base-RCNN-FPN"] and lr.source.line == 37
    assert plan.value("run.max_steps") == 90000 and plan.get("warmup.steps").source.default is True
    assert not any("not found" in n for n in plan.notes)


def test_detectron2_clip_type_value_vs_norm():
    value = plan_of(_corpus("detectron2", "GCV_instant_test"))
    assert value.value("clip.value") == 1.0 and not value.has("clip.max_norm")
    norm = plan_of(_corpus("detectron2", "WC1M_s1x"))
    assert norm.value("clip.max_norm") == 100.0 and norm.get("clip.max_norm").source.line == 17
    pan = plan_of(_corpus("detectron2", "Panoptic"))
    w = pan.value("loss.weights")
    assert w["INS_EMBED_HEAD.CENTER_LOSS_WEIGHT"].value == 200.0 and w["INS_EMBED_HEAD.OFFSET_LOSS_WEIGHT"].value == 0.01
    assert pan.value("optimizer.type") == "adam" and pan.value("scheduler.type") == "polynomial"
    assert pan.value("model.uses_batchnorm") is True


# -- torchtitan -----------------------------------------------------------------------------
def test_torchtitan_wsd_and_underscore_numbers():
    plan = plan_of(_corpus("torchtitan", "deepseek_v3"))
    assert plan.value("warmup.steps") == 2000 and plan.unit("warmup.steps") == "opt_step"
    # WSD: stable at the peak, then decay in the last decay_ratio (0.8) of the run, ending at training.steps
    # (torchtitan 238fa9953e4a components/lr_scheduler.py:123-135): no horizon shorter than the run
    assert plan.value("scheduler.type") == "wsd" and not plan.has("scheduler.decay_steps")
    assert "last 80%" in plan.value("scheduler.raw_type")
    mlr = plan.get("scheduler.min_lr")
    assert (mlr.value, mlr.unit) == (0.1, "fraction_of_lr")


def test_torchtitan_training_steps_not_confused_with_validation_steps():
    plan = plan_of(_corpus("torchtitan", "llama3_8b"))
    steps = plan.get("run.max_steps")
    assert steps.value == 1000 and steps.source.line == 35 and steps.source.key == "training.steps"
    assert plan.value("scheduler.type") == "linear" and plan.get("scheduler.type").source.default is True
    assert plan.get("optimizer.weight_decay").source.default is True
    assert not plan.has("eval.interval")  # [validation] enable = false
    flux = plan_of(_corpus("torchtitan", "flux_dev"))
    assert flux.value("scheduler.type") == "constant"  # decay_ratio 0.0


# -- ultralytics ----------------------------------------------------------------------------
ULTRA = """\
task: detect
mode: train
model: yolo11n.pt
data: coco8.yaml
epochs: 300
patience: 50
batch: 64
imgsz: 640
optimizer: SGD
cos_lr: true
lr0: 0.02
lrf: 0.05
momentum: 0.937
weight_decay: 5e-4
warmup_epochs: 3.0
warmup_momentum: 0.8
warmup_bias_lr: 0.1
box: 7.5
cls: 0.5
dfl: 1.5
hsv_h: 0.015
mosaic: 1.0
close_mosaic: 10
"""


def test_ultralytics_units_and_pyyaml_strings(tmp_path):
    cfg = tmp_path / "train.yaml"
    cfg.write_text(ULTRA)
    plan = plan_of(str(cfg))
    assert plan.dialect == "ultralytics" and plan.value("scheduler.interval") == "epoch"
    assert plan.value("optimizer.lr") == 0.02 and plan.get("optimizer.lr").source.line == 11
    lrf = plan.get("scheduler.min_lr")
    assert (lrf.value, lrf.unit) == (0.05, "fraction_of_lr")
    assert plan.get("warmup.steps").unit == "epoch" and plan.get("early_stopping.patience").unit == "epoch"
    assert plan.value("batch.global") == 64 and plan.unit("batch.global") == "global"
    wd = plan.get("optimizer.weight_decay")  # yaml.safe_load keeps 5e-4 a string
    assert wd.value == pytest.approx(5e-4) and wd.as_string is True
    assert plan.value("scheduler.type") == "cosine" and plan.value("optimizer.type") == "sgd"
    assert {k: v.value for k, v in plan.value("loss.weights").items()} == {"box": 7.5, "cls": 0.5, "dfl": 1.5}


def test_ultralytics_optimizer_auto_ignores_lr0(tmp_path):
    cfg = tmp_path / "auto.yaml"
    cfg.write_text("lr0: 0.01\nlrf: 0.01\nwarmup_epochs: 3.0\nmosaic: 1.0\n")
    plan = plan_of(str(cfg))
    assert plan.get("optimizer.lr").resolved is False and any("optimizer: auto" in n for n in plan.notes)
    assert plan.value("run.epochs") == 100 and plan.get("run.epochs").source.default is True


# -- neuraloperator -------------------------------------------------------------------------
def test_neuraloperator_yaml12_plateau_on_training_loss():
    plan = plan_of(_corpus("neuraloperator", "burgers_pino_config.yaml"))
    assert plan.loader == "ruamel"
    wd = plan.get("optimizer.weight_decay")  # "1e-4": a float for ruamel (YAML 1.2)
    assert wd.value == pytest.approx(1e-4) and wd.as_string is False and wd.source.line == 59
    pat = plan.get("scheduler.patience")
    assert (pat.value, pat.unit, pat.source.key) == (100, "epoch", "default.opt.scheduler_patience")
    assert plan.value("scheduler.monitor") == "train_loss" and plan.value("scheduler.factor") == 0.5
    assert {k: v.value for k, v in plan.value("loss.weights").items()} == {"l2": 0.0, "equation": 0.2, "ic": 0.8}


def test_neuraloperator_only_selected_scheduler_keys():
    darcy = plan_of(_corpus("neuraloperator", "darcy"))
    assert darcy.value("scheduler.type") == "step" and darcy.get("scheduler.step_size").unit == "epoch"
    assert not darcy.has("scheduler.patience") and not darcy.has("scheduler.t_max")
    cfd = plan_of(_corpus("neuraloperator", "gino_carcfd"))
    assert cfd.get("optimizer.lr").source.key == "cfd.opt.learning_rate"


def test_neuraloperator_zencfg_classes_and_base_class(tmp_path):
    plan = plan_of(_corpus("neuraloperator", "burgers_pino_config.py"))
    assert plan.loader == "python" and plan.value("scheduler.type") == "plateau"
    assert plan.get("scheduler.patience").source.key == "BurgersOptConfig.scheduler_patience"
    assert plan.value("batch.per_device") == 16
    files = _rebuild(tmp_path, "neuraloperator", ["burgers_pino_config.py", "opt.py"])
    merged = plan_of(files["burgers_pino_config.py"])
    assert not any("not found" in n for n in merged.notes)
    assert len(merged.documents) == 2


# -- whole corpus ------------------------------------------------------------------------------
def test_lint_of_my_families_has_no_internal_errors():
    result = lint_paths([os.path.join(CORPUS, f) for f in sorted(EXPECTED)])
    assert not any("internal error" in e.message for e in result.errors)
    assert {os.path.basename(e.path) for e in result.errors} == BROKEN
    by_dialect = {r.plan.dialect for r in result.results if r.plan is not None}
    assert by_dialect == MINE - {"ultralytics"}
