"""lr-batch-scaling (STL503, issue 15): detectron2 SGD base LR vs the linearly scaled 0.02 @ 16 images.

Real files (negatives): facebookresearch/detectron2 model-zoo configs in tests/corpus/detectron2
(Apache-2.0; @02b5c4e295e990042a714712c21dc79b731e8833, tests/corpus/MANIFEST.tsv): Base-RCNN-FPN (0.02 @ 16), cascade X152 (0.16 @ 128),
the C4 instant test (IMS_PER_BATCH 4), Panoptic-DeepLab (ADAM: not checked). The positive is the
single-GPU edit of detectron2#357 / mmdetection#351: IMS_PER_BATCH lowered to 2, BASE_LR kept at 0.02.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import CORPUS, corpus_file
from stablint.linter.engine import LintOptions, lint_paths

CODE = "STL503"


def _lint(path, **rule_options):
    opts = LintOptions(select=[CODE], isolated=True, rule_options={"lr-batch-scaling": rule_options} if rule_options else {})
    res = lint_paths([str(path)], opts)
    assert not res.errors, res.errors
    return [f for f in res.findings if f.code == CODE]


@pytest.mark.parametrize("contains", ["configs__Base-RCNN-FPN", "X_152_32x8d", "GCV_instant_test", "Base-PanopticDeepLab"])
def test_model_zoo_configs_are_silent(contains):
    assert _lint(corpus_file("detectron2", contains)) == []


def _single_gpu(tmp_path, lr, ims):
    shutil.copy(corpus_file("detectron2", "configs__Base-RCNN-FPN"), tmp_path / "Base-RCNN-FPN.yaml")
    cfg = tmp_path / "faster_rcnn_1gpu.yaml"
    cfg.write_text(f'_BASE_: "Base-RCNN-FPN.yaml"\nSOLVER:\n  IMS_PER_BATCH: {ims}\n  BASE_LR: {lr}\n  MAX_ITER: 90000\n')
    return cfg


def test_single_gpu_batch_with_8_gpu_lr(tmp_path):
    hits = _lint(_single_gpu(tmp_path, 0.02, 2))
    assert len(hits) == 1
    h = hits[0]
    assert h.field == "optimizer.lr" and h.line == 4 and h.path.endswith("faster_rcnn_1gpu.yaml")
    assert abs(h.extra["ratio"] - 8.0) < 1e-9


def test_scaled_lr_and_threshold(tmp_path):
    assert _lint(_single_gpu(tmp_path, 0.0025, 2)) == []     # the getting-started single-GPU setting
    assert _lint(_single_gpu(tmp_path, 0.005, 2)) == []      # 2x: inside the default margin
    assert len(_lint(_single_gpu(tmp_path, 0.005, 2), max_ratio=1.5)) == 1


def test_other_frameworks_are_not_checked(lint_text):
    res = lint_text("ds.json", '{"train_batch_size": 2, "optimizer": {"type": "SGD", "params": {"lr": 0.5}}}',
                    select=[CODE], isolated=True)
    assert [f for f in res.findings if f.code == CODE] == []
