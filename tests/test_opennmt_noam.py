"""OpenNMT-py configs: not TrainingArguments files, and ``decay_method: noam`` makes ``learning_rate`` a
multiplier (found while collecting the rule catalog: the documented Transformer recipe got a false
lr-out-of-range warning "learning rate 2 is above the published range of adam").

Recipe: OpenNMT-py ``docs/source/FAQ.md`` ("How do I use the Transformer model?") and
``onmt/utils/optimizers.py`` (``noam_decay = d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)``, multiplied
by ``learning_rate``).
"""

from __future__ import annotations

from stablint.linter.engine import LintOptions, lint_paths

RECIPE = """\
save_model: run/model
save_checkpoint_steps: 10000
train_steps: 200000
valid_steps: 10000
world_size: 4
gpu_ranks: [0, 1, 2, 3]
batch_type: tokens
batch_size: 4096
accum_count: 2
optim: adam
adam_beta1: 0.9
adam_beta2: 0.998
decay_method: noam
warmup_steps: 8000
learning_rate: 2
max_grad_norm: 0
param_init_glorot: true
label_smoothing: 0.1
encoder_type: transformer
decoder_type: transformer
"""


def _lint(tmp_path, text):
    p = tmp_path / "transformer.yaml"
    p.write_text(text)
    res = lint_paths([str(p)], LintOptions(isolated=True))
    assert not res.errors
    return res.results[0].plan, [f.rule for f in res.findings]


def test_noam_recipe_is_not_an_hf_file_and_gets_no_lr_warning(tmp_path):
    plan, rules = _lint(tmp_path, RECIPE)
    assert plan.dialect != "hf-trainer"
    assert plan.get("optimizer.lr").number is None  # a multiplier of the noam schedule
    assert "lr-out-of-range" not in rules and "unknown-key" not in rules


def test_without_noam_the_lr_is_an_lr(tmp_path):
    """No decay_method: OpenNMT-py uses learning_rate as the LR itself, and 2 with Adam is still reported."""
    plan, rules = _lint(tmp_path, RECIPE.replace("decay_method: noam\n", ""))
    assert plan.get("optimizer.lr").number == 2.0
    assert "lr-out-of-range" in rules
