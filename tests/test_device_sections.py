"""Per-device sections of custom configs: every section is a possible run (issue 15, part 1).

Sources of the layouts (the code search names no repository for the first two, so they are
minimal reconstructions of the excerpts, cited by their search query and excerpt id):

* ``TOP_LEVEL``: a public "multi-environment GPU support" guide (code corpus, ``find_string``
  ``"mps:\\n  batch_size:"``, excerpt id 6302642839): ``get_device_config()`` returns the
  section for the detected device (``mps: {batch_size: 8, mixed_precision: false, ...}``,
  ``cuda: {batch_size: 16, ...}``, ``cpu: {batch_size: 4, ...}``). Shared training keys and
  the ``batch_size: 1`` of the issue-15 report added; sections in the report's order (cuda first).
* ``NESTED``: ``configs/config.yaml`` shown in a public README (``find_string``
  ``"  cuda:\\n    batch_size:"``, excerpt id 54793597933): ``device_settings:`` "applied
  automatically per device", ``cpu: {batch_size: 8, num_workers: 0, pin_memory: false}``,
  ``cuda: {batch_size: 32, ...}`` next to ``training: {epochs: 50, learning_rate: 0.0001, ...}``
  (cpu batch changed to 1 for the test).
* ``BEATTRACK``: mhrice/BeatTrack ``cfg.py`` @0db065de8df5b1f663d882a1a6ce6b4826d9f096 (MIT),
  copied whole: ``cpu_cfg``/``gpu_cfg`` dicts.
* Not device sections: ``gpu: {batch_size: ...}`` alone is the inference batch of face-swap,
  GPU-miner, RAG and clustering configs (``find_string "gpu:\\n  batch_size:"``: 10 of 10 hits);
  ``{"cuda": {"available": true}, "mps": {...}}`` is a hardware-capability table (``find_string
  '"mps": {'``); ``cuda: true`` (bench/unseen u0043 ``configs/preproc.yaml``), ``device: cuda``.
"""

from __future__ import annotations

from stablint.linter.document import Node
from stablint.linter.loaders import load_text
from stablint.linter.sections import device_groups

TOP_LEVEL = """epochs: 30
learning_rate: 3.0e-4
optimizer: adamw

cuda:
  batch_size: 64
  mixed_precision: true
  num_workers: 4

mps:
  batch_size: 1
  mixed_precision: false
  num_workers: 4

cpu:
  batch_size: 4
  mixed_precision: false
  num_workers: 8
"""

NESTED = """project:
  device: "auto"

device_settings:
  cuda:
    batch_size: 32
    num_workers: 0
    pin_memory: true
  cpu:
    batch_size: 1
    num_workers: 0
    pin_memory: false

training:
  epochs: 50
  learning_rate: 0.0001
  optimizer: "adamw"
  scheduler: "cosine"
  early_stopping_patience: 10
"""

BEATTRACK = '''sample_rate = 44100
data_length = 30 * sample_rate  # 30 seconds of audio

cpu_cfg = {
    "batch_size": 1,
    "num_workers": 0,
    "wandb": True,
    "max_epochs": 50,
    "gpu": False,
}

gpu_cfg = {
    "batch_size": 32,
    "num_workers": 0,
    "wandb": True,
    "max_epochs": 1000,
    "gpu": True,
}

spec = {
    "n_fft": 2048,
    "win_length": None,
    "hop_size": round(sample_rate / 100),  # 10ms hop size
    "n_mels": 81,
}
'''

NOT_SECTIONS = """training:
  batch_size: 16
  learning_rate: 1.0e-4
  epochs: 10
  device: cuda
cuda: true
environment:
  cuda: {version: "12.1"}
  cpu: {threads: 8}
hardware:
  cuda: {available: true}
  mps: {available: false}
"""

SINGLE_GPU = """gpu:
  batch_size: 1
  workers_per_gpu: 2
training:
  learning_rate: 1.0e-4
  epochs: 5
"""


def _warnings(res, rule):
    return [f for f in res.findings if f.rule == rule and f.severity != "info"]


def test_batch_of_one_in_the_second_device_section_is_found_at_its_line(lint_text):
    res = lint_text("config.yaml", TOP_LEVEL, isolated=True)
    [f] = _warnings(res, "batch-size-one")
    assert (f.line, f.column) == (11, 3)  # mps.batch_size
    assert f.message.endswith("(device section mps)") and f.extra["sections"] == ["mps"]
    fr = res.results[0]
    assert [n for n, _ in fr.sections] == ["cuda", "mps", "cpu"]
    plans = dict(fr.sections)
    assert [plans[n].value("batch.per_device") for n in ("cuda", "mps", "cpu")] == [64, 1, 4]
    assert all(plans[n].value("optimizer.lr") == 3e-4 for n in plans)  # the shared keys are in every run
    assert plans["mps"].get("batch.per_device").source.key == "batch_size"


def test_unsplit_reading_missed_it(lint_text):
    """What the generic dialect alone reads: the first section's batch (64), no finding."""
    res = lint_text("config.yaml", TOP_LEVEL, isolated=True)
    assert res.results[0].plan.value("batch.per_device") == 64


def test_nested_device_settings_group(lint_text):
    res = lint_text("configs/config.yaml", NESTED, isolated=True)
    [f] = _warnings(res, "batch-size-one")
    assert f.line == 10 and "(device section cpu)" in f.message
    plans = dict(res.results[0].sections)
    assert plans["cuda"].value("batch.per_device") == 32
    assert plans["cuda"].value("run.epochs") == 50


def test_a_finding_of_every_section_is_reported_once_without_a_section(lint_text):
    text = "epochs: 3\nwarmup_epochs: 5\nlearning_rate: 3.0e-4\nscheduler: cosine\n" \
           "cuda:\n  batch_size: 64\nmps:\n  batch_size: 1\n"
    res = lint_text("config.yaml", text, isolated=True)
    warm = [f for f in res.findings if f.rule == "warmup-exceeds-training"]
    assert len(warm) == 1 and warm[0].line == 2 and "device section" not in warm[0].message
    [one] = _warnings(res, "batch-size-one")
    assert one.line == 8 and one.message.endswith("(device section mps)")


def test_a_shared_key_wrong_in_some_sections_names_them(lint_text):
    text = "warmup_epochs: 5\nlearning_rate: 3.0e-4\nscheduler: cosine\nbatch_size: 32\n" \
           "cuda:\n  epochs: 100\nmps:\n  epochs: 3\ncpu:\n  epochs: 2\n"
    res = lint_text("config.yaml", text, isolated=True)
    warm = [f for f in res.findings if f.rule == "warmup-exceeds-training"]
    # the numbers differ per section (3- and 2-epoch runs), so each section keeps its own message
    assert [(f.line, f.extra["sections"]) for f in warm] == [(1, ["mps"]), (1, ["cpu"])]
    assert "3-epoch run" in warm[0].message and warm[0].message.endswith("(device section mps)")
    same = text.replace("cpu:\n  epochs: 2", "cpu:\n  epochs: 3")
    [both] = [f for f in lint_text("c2.yaml", same, isolated=True).findings if f.rule == "warmup-exceeds-training"]
    assert both.message.endswith("(device sections mps, cpu)")


def test_inline_suppression_on_the_section_line(lint_text):
    text = TOP_LEVEL.replace("  batch_size: 1\n", "  batch_size: 1  # stablint: disable=batch-size-one\n")
    res = lint_text("config.yaml", text, isolated=True)
    assert _warnings(res, "batch-size-one") == []
    assert not [f for f in res.findings if f.rule == "unused-suppression"]


def test_cuda_meaning_something_else_is_not_split(lint_text):
    res = lint_text("config.yaml", NOT_SECTIONS, isolated=True)
    fr = res.results[0]
    assert fr.plan.dialect == "generic" and fr.sections == []
    assert fr.plan.value("batch.per_device") == 16
    assert [f for f in res.findings if f.severity != "info"] == []


def test_a_single_gpu_section_is_the_only_run(lint_text):
    res = lint_text("config.yaml", SINGLE_GPU, isolated=True)
    fr = res.results[0]
    assert fr.sections == []
    [f] = _warnings(res, "batch-size-one")  # read as before: no section label
    assert "device section" not in f.message


def test_suffixed_section_names_of_a_real_file():
    doc = load_text("cfg.py", BEATTRACK, "python")
    [group] = device_groups(doc.root)
    assert group.path == "" and group.names == ("cpu_cfg", "gpu_cfg")


def test_two_groups_are_not_split(lint_text):
    text = "learning_rate: 1.0e-4\nepochs: 3\ntrain:\n  cuda: {batch_size: 64}\n  mps: {batch_size: 1}\n" \
           "eval:\n  cuda: {batch_size: 128}\n  mps: {batch_size: 2}\n"
    res = lint_text("config.yaml", text, isolated=True)
    fr = res.results[0]
    assert fr.sections == [] and any("not split" in n for n in fr.plan.notes)


def test_framework_dialects_are_not_split(lint_text):
    text = "model_name_or_path: gpt2\nper_device_train_batch_size: 8\nlearning_rate: 2.0e-5\n" \
           "num_train_epochs: 3\noutput_dir: out\ncuda:\n  batch_size: 1\nmps:\n  batch_size: 1\n"
    res = lint_text("train.yaml", text, isolated=True)
    fr = res.results[0]
    if fr.plan.dialect != "generic":
        assert fr.sections == []


def test_bad_sections_never_raise():
    for root in (Node({"cuda": Node({}), "mps": Node({})}), Node({"cuda": Node([]), "mps": Node(None)})):
        assert device_groups(root) == []


def test_show_files_names_the_sections(lint_text):
    res = lint_text("config.yaml", TOP_LEVEL, isolated=True)
    assert res.results[0].describe().endswith("one run per device section (cuda, mps, cpu)")
