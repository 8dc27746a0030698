"""Rule base-not-found (STL006) and linting the rest of a file whose base is missing (issue 12).

Real files: the mmdetection/detectron2 configs of ``tests/corpus`` (MANIFEST.tsv: repo, path,
commit, licence), linted flat (their bases are not beside them) and rebuilt in their tree.
"""

from __future__ import annotations

import os
import shutil

from stablint.linter.engine import LintOptions, build_plan, lint_paths
from stablint.linter.loaders import load_path

CORPUS = os.path.join(os.path.dirname(__file__), "corpus")
FASTER_RCNN = os.path.join(CORPUS, "openmmlab", "open-mmlab__mmdetection__configs__faster_rcnn__faster-rcnn_r50_fpn_1x_coco.py")
SCHEDULE_1X = os.path.join(CORPUS, "openmmlab", "open-mmlab__mmdetection__configs___base___schedules__schedule_1x.py")
GIOU = os.path.join(CORPUS, "detectron2",
                    "facebookresearch__detectron2__configs__COCO-InstanceSegmentation__mask_rcnn_R_50_FPN_1x_giou.yaml")
BASE_FPN = os.path.join(CORPUS, "detectron2", "facebookresearch__detectron2__configs__Base-RCNN-FPN.yaml")


def _base_findings(path: str):
    return [f for f in lint_paths([path]).findings if f.rule == "base-not-found"]


def test_each_missing_mmengine_base_is_an_info_at_its_line(tmp_path):
    dst = tmp_path / "faster-rcnn_r50_fpn_1x_coco.py"
    shutil.copy(FASTER_RCNN, dst)
    found = _base_findings(str(dst))
    refs = sorted(f.message.split(": ", 1)[1].split(" (")[0] for f in found)
    assert refs == ["../_base_/datasets/coco_detection.py", "../_base_/default_runtime.py",
                    "../_base_/models/faster-rcnn_r50_fpn.py", "../_base_/schedules/schedule_1x.py"]
    assert {f.severity for f in found} == {"info"} and {f.code for f in found} == {"STL006"}
    text = dst.read_text().splitlines()
    for f in found:
        ref = f.message.split(": ", 1)[1].split(" (")[0]
        assert ref in text[f.line - 1]


def test_found_base_is_not_reported_and_missing_one_still_is(tmp_path):
    cfg = tmp_path / "configs" / "faster_rcnn" / "faster-rcnn_r50_fpn_1x_coco.py"
    sched = tmp_path / "configs" / "_base_" / "schedules" / "schedule_1x.py"
    for src, dst in ((FASTER_RCNN, cfg), (SCHEDULE_1X, sched)):
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, dst)
    plan = build_plan(load_path(str(cfg)), LintOptions())
    assert len(plan.missing_bases) == 3 and "schedule_1x.py" not in {os.path.basename(m.ref) for m in plan.missing_bases}
    assert plan.number("optimizer.lr") == 0.02  # the found base is read (SGD lr 0.02 in schedule_1x.py)
    assert all("schedule_1x" not in f.message for f in _base_findings(str(cfg)))


def test_missing_detectron2_base_is_reported_and_the_file_still_linted(tmp_path):
    dst = tmp_path / "mask_rcnn_R_50_FPN_1x_giou.yaml"
    shutil.copy(GIOU, dst)
    found = _base_findings(str(dst))
    assert [f.line for f in found] == [1] and "../Base-RCNN-FPN.yaml" in found[0].message
    plan = build_plan(load_path(str(dst)), LintOptions())
    assert plan.dialect == "detectron2" and plan.missing_bases[0].source.key == "_BASE_"
    # with the base beside it: nothing to report
    (tmp_path / "sub").mkdir()
    shutil.copy(GIOU, tmp_path / "sub" / "giou.yaml")
    shutil.copy(BASE_FPN, tmp_path / "Base-RCNN-FPN.yaml")
    assert _base_findings(str(tmp_path / "sub" / "giou.yaml")) == []


def test_rest_of_the_file_is_linted_from_what_it_states(tmp_path):
    # what the child states still gets checked: SGD at lr 20 is far out of range
    cfg = tmp_path / "child.py"
    cfg.write_text("_base_ = ['../_base_/schedules/schedule_1x.py']\n"
                   "optim_wrapper = dict(optimizer=dict(type='SGD', lr=20.0, momentum=0.9))\n")
    rules = {f.rule for f in lint_paths([str(cfg)]).findings}
    assert rules == {"base-not-found", "lr-out-of-range"}


def test_absence_rules_stay_silent_when_a_base_is_missing(tmp_path):
    # no warmup and no accumulation in the child: the missing base may hold them
    body = ("optim_wrapper = dict(optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.05))\n"
            "train_dataloader = dict(batch_size=1)\n")
    alone = tmp_path / "alone.py"
    alone.write_text(body)
    child = tmp_path / "child.py"
    child.write_text("_base_ = './missing_runtime.py'\n" + body)
    assert "batch-size-one" in {f.rule for f in lint_paths([str(alone)]).findings}
    assert {f.rule for f in lint_paths([str(child)]).findings} == {"base-not-found"}


def test_cross_package_base_is_reported_as_written(tmp_path):
    cfg = tmp_path / "x.py"
    cfg.write_text("_base_ = ['mmdet::_base_/default_runtime.py']\noptim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))\n")
    found = _base_findings(str(cfg))
    assert len(found) == 1 and "mmdet::_base_/default_runtime.py" in found[0].message
