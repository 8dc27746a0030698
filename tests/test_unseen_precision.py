"""False positives of the unseen benchmark's test half (issue 12), each from its real file.

The files come from ``bench/unseen/files`` (redistributable; repo, path, commit and licence in
``bench/unseen/MANIFEST.tsv``) or, where the licence does not allow copying, a minimal
reconstruction of the construct (cited). Verdicts: ``bench/unseen/judgements.tsv``.
"""

from __future__ import annotations

import textwrap

from conftest import ROOT
from stablint.linter.engine import LintOptions, lint_paths

UNSEEN = ROOT / "bench" / "unseen" / "files"


def _lint(path) -> tuple[dict[str, list], object]:
    res = lint_paths([str(path)], LintOptions(isolated=True))
    assert not res.errors, [e.to_dict() for e in res.errors]
    out: dict[str, list] = {}
    for f in res.findings:
        out.setdefault(f.rule, []).append(f)
    return out, res.results[0].plan


def _write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


# -- torchtitan: the old [training] layout (u0388 saforem2/mmm train_configs/debug_model.toml
#    @cd1bf36598aa, BSD-3-Clause; same layout as u0140, u0464) -------------------------------------
def test_torchtitan_old_layout_reads_training_warmup_and_fills_no_new_defaults():
    found, plan = _lint(UNSEEN / "u0388_debug_model.toml")
    assert plan.dialect == "torchtitan"
    ws = plan.get("warmup.steps")  # [training] warmup_steps = 2, read by old torchtitan's optimizer.py
    assert (ws.value, ws.source.key, ws.source.default) == (2, "training.warmup_steps", False)
    assert plan.value("batch.per_device") == 8 and plan.get("batch.per_device").source.key == "training.batch_size"
    assert plan.value("scheduler.type") == "linear"  # the one hard-coded schedule of that layout
    # no new-layout default (lr_scheduler.warmup_steps 200, weight_decay 0.1 ...) and nothing derived from one
    assert not plan.has("optimizer.weight_decay") and not plan.has("scheduler.decay_steps")
    assert "warmup-exceeds-training" not in found and "invalid-value" not in found


def test_torchtitan_old_layout_stated_warmup_longer_than_the_run_still_found(tmp_path):
    text = (UNSEEN / "u0388_debug_model.toml").read_text().replace("warmup_steps = 2 ", "warmup_steps = 20 ")
    found, _ = _lint(_write(tmp_path, "debug_model.toml", text))
    assert [f.severity for f in found["warmup-exceeds-training"]] == ["error"]


def test_torchtitan_oldest_data_parallel_degree_fills_every_gpu():
    # u0472 YerevaNN/YNNtitan train_configs/llama3_8b.toml @8c3fea00c406 (BSD-3-Clause): batch_size = 1 with
    # [training] data_parallel_degree = -1 ("leftover ranks will be used", its torchtitan/config_manager.py:263)
    found, plan = _lint(UNSEEN / "u0472_llama3_8b.toml")
    assert plan.value("batch.per_device") == 1
    ws = plan.get("batch.world_size")
    assert ws is not None and not ws.resolved and ws.source.key == "training.data_parallel_degree"
    assert not [f for f in found.get("batch-size-one", []) if f.severity != "info"]


def test_torchtitan_new_layout_derives_nothing_from_defaults(tmp_path):
    # new layout, warmup not stated (default 200 > 10 steps): no negative derived decay length
    text = '[job]\ndump_folder = "out"\n[optimizer]\nname = "AdamW"\nlr = 8e-4\n[lr_scheduler]\ndecay_type = "linear"\n' \
           '[training]\nlocal_batch_size = 8\nsteps = 10\n'
    found, plan = _lint(_write(tmp_path, "debug_model.toml", text))
    assert plan.get("warmup.steps").source.default is True
    assert "invalid-value" not in found and not plan.has("scheduler.decay_steps")


# -- torchtitan WSD: decay only in the last decay_ratio (u0100 Aleph-Alpha-Research/1-Bit-Wonder
#    train_configs/12B_4bit_config.toml @fbfaca84cc10, Apache-2.0; also u0101, u0102) --------------
def test_torchtitan_wsd_decay_ratio_is_not_a_short_horizon():
    found, plan = _lint(UNSEEN / "u0100_12B_4bit_config.toml")
    assert plan.value("scheduler.type") == "wsd" and "last 10%" in plan.value("scheduler.raw_type")
    assert "schedule-horizon-mismatch" not in found


def test_torchtitan_stated_total_steps_is_the_horizon(tmp_path):
    text = (UNSEEN / "u0100_12B_4bit_config.toml").read_text().replace(
        "decay_ratio = 0.1", "decay_ratio = 0.1\ntotal_steps = 100")
    found, plan = _lint(_write(tmp_path, "cfg.toml", text))
    assert plan.value("scheduler.decay_steps") == 100
    assert "schedule-horizon-mismatch" in found  # decay ends at step 100 of a 10-step run


# -- max_epochs: -1 (u0125 CarperAI/trlx configs/nemo_configs/megatron_2b.yaml @3340c2f3a56d, MIT) --
def test_nemo_max_epochs_minus_one_is_no_limit():
    found, plan = _lint(UNSEEN / "u0125_megatron_2b.yaml")
    assert "invalid-value" not in found and not plan.has("run.epochs")
    assert plan.value("run.max_steps") == 200
    assert any("max_epochs -1" in n for n in plan.notes)


def test_hydra_trainer_max_epochs_minus_one_is_no_limit(tmp_path):
    # minimal reconstruction of a Hydra/NeMo trainer block (same construct as u0446-u0448, u0125)
    (tmp_path / "conf").mkdir()
    p = _write(tmp_path, "conf/train.yaml", """\
        defaults:
          - _self_
        trainer:
          max_epochs: -1
          max_steps: 1000
        model:
          optim:
            lr: 0.001
        """)
    found, plan = _lint(p)
    assert plan.dialect == "hydra"
    assert "invalid-value" not in found and not plan.has("run.epochs") and plan.value("run.max_steps") == 1000
    found, _ = _lint(_write(tmp_path, "conf/train.yaml", p.read_text().replace("max_epochs: -1", "max_epochs: 0")))
    assert "invalid-value" in found  # 0 is not Lightning's "forever"


# -- unknown scheduler stepping (u0126 CarperAI/trlx configs/test_config.yml @3340c2f3a56d, MIT):
#    trlx steps the cosine per optimizer step, the file does not say so -------------------------------
def test_custom_trainer_t_max_not_compared_with_epochs():
    found, plan = _lint(UNSEEN / "u0126_test_config.yml")
    assert plan.value("scheduler.type") == "cosine" and plan.value("scheduler.interval") is None
    assert plan.unit("scheduler.t_max") is None
    assert "schedule-horizon-mismatch" not in found
    assert "min-lr-above-lr" in found  # eta_min == lr: the judged true positive stays


# -- detectron2 !!python/object/apply:eval (u0180 csuhan/opendet2 configs/Base-RetinaNet.yaml, no licence:
#    the same file as facebookresearch/detectron2 configs/Base-RetinaNet.yaml @02b5c4e295e9, Apache-2.0) --
D2_RETINANET = """\
MODEL:
  META_ARCHITECTURE: "RetinaNet"
  BACKBONE:
    NAME: "build_retinanet_resnet_fpn_backbone"
  RESNETS:
    OUT_FEATURES: ["res3", "res4", "res5"]
  ANCHOR_GENERATOR:
    SIZES: !!python/object/apply:eval ["[[x, x * 2**(1.0/3), x * 2**(2.0/3) ] for x in [32, 64, 128, 256, 512 ]]"]
  FPN:
    IN_FEATURES: ["res3", "res4", "res5"]
  RETINANET:
    IOU_THRESHOLDS: [0.4, 0.5]
    IOU_LABELS: [0, -1, 1]
    SMOOTH_L1_LOSS_BETA: 0.0
DATASETS:
  TRAIN: ("coco_2017_train",)
  TEST: ("coco_2017_val",)
SOLVER:
  IMS_PER_BATCH: 16
  BASE_LR: 0.01  # Note that RetinaNet uses a different default learning rate
  STEPS: (60000, 80000)
  MAX_ITER: 90000
INPUT:
  MIN_SIZE_TRAIN: (640, 672, 704, 736, 768, 800)
VERSION: 2
"""


def test_detectron2_python_eval_tag_is_unresolved_and_the_file_is_linted(tmp_path):
    from stablint.linter.document import UNRESOLVED
    from stablint.linter.loaders import load_path

    p = _write(tmp_path, "Base-RetinaNet.yaml", D2_RETINANET)
    sizes = load_path(str(p)).find("MODEL.ANCHOR_GENERATOR.SIZES")
    assert sizes.value is UNRESOLVED and sizes.raw.startswith("!!python/object/apply:eval [")
    _, plan = _lint(p)
    assert plan.dialect == "detectron2" and plan.value("optimizer.lr") == 0.01
    assert plan.value("run.max_steps") == 90000
    # the rest of the file is linted: a milestone past MAX_ITER is still found
    found, _ = _lint(_write(tmp_path, "Base-RetinaNet.yaml", D2_RETINANET.replace("(60000, 80000)", "(60000, 95000)")))
    assert "scheduler-never-fires" in found


def test_hydra_inference_config_runs_load_rules_only():
    """Aaaapril4/PhaseNet-TF@a684f59 (MIT), bench u0063/u0064: predict.yaml (task_name "inference",
    src/predict.py only calls trainer.predict) and train.yaml compose the same model file whose
    MultiStepLR milestones lie beyond max_epochs. The finding is right for train.yaml, not for predict.yaml."""
    predict = UNSEEN / "u0063" / "configs" / "predict.yaml"
    train = UNSEEN / "u0064" / "configs" / "train.yaml"
    by_rule_predict, plan_predict = _lint(predict)
    by_rule_train, plan_train = _lint(train)
    assert "scheduler-never-fires" in by_rule_train and plan_train.value("run.stage") != "inference"
    assert "scheduler-never-fires" not in by_rule_predict
    assert plan_predict.value("run.stage") == "inference"
