"""mmcv 1.x ``lr_config``/``optimizer_config`` and mmengine ``PolyLR`` horizons (issue 12, reading fixes).

Every config below is a real public file (repository, path, commit given), copied verbatim or
cut down to the lines that matter; semantics from mmcv v1.7.2 (commit 4c01b026)
``mmcv/runner/hooks/lr_updater.py`` (see ``stablint/linter/dialects/mmcv_lr.py``).
"""

from __future__ import annotations

import textwrap

from stablint.linter.engine import LintOptions, build_plan, lint_paths
from stablint.linter.loaders import load_path
from stablint.linter.plan import EPOCH, EVAL, FRACTION_OF_LR, ITERATION

#: ftbabi/TIE_ECCV2022@9b14285c90bf0552f4492b08584eb3ba8028c36c configs/_base_/schedules/adam_plateau_bs16.py
#: (its hook: sim/core/lr_updater/hooks.py, torch ReduceLROnPlateau semantics once per epoch); verbatim.
TIE_PLATEAU = """\
# optimizer
optimizer = dict(type='Adam', lr=0.0008, betas=(0.9, 0.999), weight_decay=0, amsgrad=False)
optimizer_config = dict(grad_clip=None)

# learning policy
lr_config = dict(policy='Plateau', mode='min', factor=0.8, patience=3)
runner = dict(type='EpochBasedRunner', max_epochs=5)
"""
#: lizhihao6/MMCompression_open@47b0c1a4676918319273e23c73bcd4484af9cf2a
#: configs/_base_/schedules/schedule_40epochs.py, verbatim.
MMCOMPRESSION_STEP = """\
# optimizer
optimizer = dict(type='Adam', lr=1e-4)
optimizer_config = dict()
# learning policy
lr_config = dict(policy='step', step=[30, 50], by_epoch=True, gamma=0.1, min_lr=1e-5)
# runtime settings
runner = dict(type='EpochBasedRunner', max_epochs=40)
checkpoint_config = dict(by_epoch=True, interval=1)
evaluation = dict(interval=1)
"""
#: XiwenK/mobileNet_v3@e300114abe9c381bd046bdf8c165c0fcb9b2293f
#: configs/_base_/schedules/cifar10_bs128_lr_poly_warmup5.py, verbatim.
MOBILENET_POLY = """\
# optimizer
optimizer = dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=None)
# learning policy
lr_config = dict(policy='poly', power=0.7, min_lr=1e-4, by_epoch=False, warmup='exp', warmup_ratio=0.1, warmup_iters=5, warmup_by_epoch=True)
runner = dict(type='EpochBasedRunner', max_epochs=200)
"""
#: open-mmlab/mmpretrain@00acf43133d0f1da84f62cf0484e61d479424cb6
#: configs/_base_/schedules/imagenet_bs1024_linearlr_bn_nowd.py, verbatim.
MMPRETRAIN_POLY = """\
# optimizer
optimizer = dict(
    type='SGD',
    lr=0.5,
    momentum=0.9,
    weight_decay=0.00004,
    paramwise_cfg=dict(norm_decay_mult=0))
optimizer_config = dict(grad_clip=None)
# learning policy
lr_config = dict(
    policy='poly',
    min_lr=0,
    by_epoch=False,
    warmup='constant',
    warmup_iters=5000,
)
runner = dict(type='EpochBasedRunner', max_epochs=300)
"""
#: open-mmlab/mmsegmentation@229a6c8d554a9ac145e8941769bf13bd45c9123e configs/_base_/schedules/schedule_160k.py,
#: the optimizer/scheduler/loop part verbatim.
MMSEG_160K = """\
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0005)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=160000,
        by_epoch=False)
]
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=160000, val_interval=500)
"""


def _plan(tmp_path, text: str, name: str = "cfg.py"):
    path = tmp_path / name
    path.write_text(text)
    return build_plan(load_path(str(path)), LintOptions())


def _rules(tmp_path, text: str, name: str = "cfg.py") -> list[str]:
    path = tmp_path / name
    path.write_text(text)
    return [f.rule for f in lint_paths([str(path)]).findings]


def test_project_plateau_policy_with_patience_is_a_plateau_scheduler_in_epochs(tmp_path):
    plan = _plan(tmp_path, TIE_PLATEAU)
    assert plan.dialect == "mmengine"
    assert plan.value("scheduler.type") == "plateau"
    assert plan.value("scheduler.raw_type") == "PlateauLrUpdaterHook"
    pat = plan.get("scheduler.patience")
    assert (pat.value, pat.unit, pat.source.line) == (3, EPOCH, 6)
    assert plan.value("scheduler.factor") == 0.8 and plan.value("scheduler.mode") == "min"
    assert plan.value("scheduler.interval") == "epoch"
    assert plan.number("run.epochs") == 5
    # patience 3 in a 5-epoch run: the first cut cannot come before epoch 4 (TIE trains 5 epochs)
    assert "plateau-patience-too-long" in _rules(tmp_path, TIE_PLATEAU)


def test_plateau_policy_without_patience_fills_nothing(tmp_path):
    # a project hook named like a plateau but without ReduceLROnPlateau arguments: unknown semantics
    plan = _plan(tmp_path, "optimizer = dict(type='Adam', lr=1e-3)\nlr_config = dict(policy='Plateau', end_lr=1e-5)\n"
                           "runner = dict(type='EpochBasedRunner', max_epochs=5)\n")
    assert plan.value("scheduler.type") == "other"
    assert not plan.has("scheduler.patience")


def test_mmediting_reduce_policy_patience_counts_validations(tmp_path):
    # open-mmlab/mmagic (mmediting 0.x) configs: policy='Reduce' with val_metric, by_epoch=False
    text = textwrap.dedent("""\
        optimizers = dict(generator=dict(type='Adam', lr=1e-4, betas=(0.9, 0.99)))
        total_iters = 288700
        lr_config = dict(
            policy='Reduce',
            by_epoch=False,
            mode='max',
            val_metric='PSNR',
            epoch_base_valid=True,
            factor=0.5,
            patience=5,
            cooldown=0,
            verbose=True)
        """)
    plan = _plan(tmp_path, text)
    assert plan.value("scheduler.type") == "plateau"
    assert plan.unit("scheduler.patience") == EVAL
    assert plan.value("scheduler.monitor") == "PSNR" and plan.value("scheduler.mode") == "max"


def test_step_policy_milestones_in_epochs_and_one_never_reached(tmp_path):
    plan = _plan(tmp_path, MMCOMPRESSION_STEP)
    ms = plan.get("scheduler.milestones")
    assert plan.value("scheduler.type") == "multistep"
    assert [float(x) for x in ms.value] == [30, 50] and ms.unit == EPOCH
    assert plan.number("scheduler.min_lr") == 1e-5 and plan.number("scheduler.gamma") == 0.1
    assert plan.get("eval.interval").unit == EPOCH
    assert _rules(tmp_path, MMCOMPRESSION_STEP) == ["scheduler-never-fires"]  # milestone 50 > 40 epochs


def test_step_policy_int_is_a_period_and_iterations_without_by_epoch(tmp_path):
    text = ("optimizer = dict(type='SGD', lr=0.02, momentum=0.9)\n"
            "lr_config = dict(policy='step', by_epoch=False, step=40000, gamma=0.5)\n"
            "runner = dict(type='IterBasedRunner', max_iters=30000)\n")
    plan = _plan(tmp_path, text)
    assert plan.value("scheduler.type") == "step"
    assert (plan.number("scheduler.step_size"), plan.unit("scheduler.step_size")) == (40000, ITERATION)
    assert plan.value("scheduler.interval") == "step"
    assert "scheduler-never-fires" in _rules(tmp_path, text)


def test_poly_warmup_by_epoch_is_in_epochs(tmp_path):
    plan = _plan(tmp_path, MOBILENET_POLY)
    assert plan.value("scheduler.type") == "polynomial"
    warm = plan.get("warmup.steps")
    assert (warm.value, warm.unit) == (5, EPOCH)
    assert plan.value("scheduler.interval") == "step"
    assert plan.number("scheduler.min_lr") == 1e-4
    assert not plan.has("scheduler.decay_steps")  # poly decays over runner.max_* itself
    assert _rules(tmp_path, MOBILENET_POLY) == []


def test_poly_warmup_iterations_default(tmp_path):
    plan = _plan(tmp_path, MMPRETRAIN_POLY)
    warm = plan.get("warmup.steps")
    assert (warm.value, warm.unit) == (5000, ITERATION)
    assert plan.number("scheduler.min_lr") == 0
    assert _rules(tmp_path, MMPRETRAIN_POLY) == []


def test_cosine_min_lr_ratio_and_grad_clip_and_cumulative_iters(tmp_path):
    text = ("optimizer = dict(type='AdamW', lr=1e-3, weight_decay=0.05)\n"
            "optimizer_config = dict(type='GradientCumulativeOptimizerHook', cumulative_iters=4,\n"
            "                        grad_clip=dict(max_norm=5.0))\n"
            "lr_config = dict(policy='CosineAnnealing', min_lr_ratio=1e-2, warmup='linear', warmup_iters=500)\n"
            "runner = dict(type='EpochBasedRunner', max_epochs=100)\n"
            "data = dict(samples_per_gpu=32, workers_per_gpu=4)\n")
    plan = _plan(tmp_path, text)
    assert plan.value("scheduler.type") == "cosine"
    assert (plan.number("scheduler.min_lr"), plan.unit("scheduler.min_lr")) == (0.01, FRACTION_OF_LR)
    assert plan.number("clip.max_norm") == 5.0
    assert plan.number("batch.grad_accum") == 4 and plan.number("batch.per_device") == 32
    assert plan.get("batch.per_device").source.key == "data.samples_per_gpu"
    assert not plan.has("scheduler.t_max")


def test_mmengine_polylr_end_is_the_horizon(tmp_path):
    plan = _plan(tmp_path, MMSEG_160K)
    dec = plan.get("scheduler.decay_steps")
    assert (dec.value, dec.unit) == (160000, ITERATION)
    assert _rules(tmp_path, MMSEG_160K) == []
    # a child that shortens the run but keeps the base's PolyLR end=160000
    (tmp_path / "schedule_160k.py").write_text(MMSEG_160K)
    child = "_base_ = ['./schedule_160k.py']\ntrain_cfg = dict(max_iters=40000)\n"
    assert _rules(tmp_path, child, "short.py") == ["schedule-horizon-mismatch"]


def test_mmengine_polylr_without_end_has_no_horizon(tmp_path):
    text = MMSEG_160K.replace("        end=160000,\n", "")
    plan = _plan(tmp_path, text)
    assert not plan.has("scheduler.decay_steps")


#: open-mmlab/mmocr@31f1c007c0c294ea5398a87b342b1fd18c29ee4e configs/_base_/schedules/schedule_2e.py
#: (mmocr 0.x, before ``runner``), verbatim.
MMOCR_2E = """\
# optimizer
optimizer = dict(type='SGD', lr=0.007, momentum=0.9, weight_decay=0.0001)
optimizer_config = dict(grad_clip=None)
# learning policy
lr_config = dict(policy='poly', power=0.9, min_lr=1e-4, by_epoch=True)
total_epochs = 2
"""


def test_total_epochs_is_the_run_length_before_runner(tmp_path):
    plan = _plan(tmp_path, MMOCR_2E)
    assert (plan.number("run.epochs"), plan.unit("run.epochs")) == (2, EPOCH)
    assert plan.value("scheduler.type") == "polynomial" and plan.value("scheduler.interval") == "epoch"
    assert _rules(tmp_path, MMOCR_2E) == []
