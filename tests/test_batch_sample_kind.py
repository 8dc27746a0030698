"""batch-size-one knows by-design batch-1 structures (batch.sample_kind) from i.i.d. samples."""

from __future__ import annotations

from conftest import corpus_file


def _stl201(result):
    return [f for f in result.findings if f.rule == "batch-size-one"]


def test_gino_geometry_batch_one_is_info_and_fno_is_warning(lint_text):
    text = open(corpus_file("neuraloperator", "poisson_gino")).read()
    (f,) = _stl201(lint_text("poisson_gino_config.yaml", text))
    assert f.severity == "info" and "one geometry per step" in f.message
    (f,) = _stl201(lint_text("poisson_fno_config.yaml", text.replace("arch: 'gino'", "arch: 'fno'")))
    assert f.severity == "warning"


def test_speechbrain_utterance_batch_one_is_info(lint_text):
    text = open(corpus_file("other_custom", "sepformer")).read()
    (f,) = _stl201(lint_text("sepformer.yaml", text))
    assert f.severity == "info" and "utterance" in f.message
    plain = "learning_rate: 0.00015\nbatch_size: 1\nN_epochs: 200\noptimizer: adam\n"
    (f,) = _stl201(lint_text("custom.yaml", plain))
    assert f.severity == "warning"


def test_by_design_kinds_is_configurable(lint_text):
    text = open(corpus_file("neuraloperator", "poisson_gino")).read()
    result = lint_text("poisson_gino_config.yaml", text, rule_options={"batch-size-one": {"by_design_kinds": []}})
    assert [f.severity for f in _stl201(result)] == ["warning"]
