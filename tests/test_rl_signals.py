"""RL/GRPO health in ``stablint diagnose`` (issue 15): completion-truncation (STL913), reward-zero-std
(STL914), and the loss-based signals muted on RL logs.

Real logs (tests/logs_real/files, licences beside them; manifest rows L1402-L1406):

- L1402, L1403: github.com/JuncyLu/trl_DAPO ``training_logs/20251022_120531/run_terminal.md`` (commit
  f0cbd71c) and ``training_logs/20251022_181457/run_terminal.md`` (commit afd3030f), Apache-2.0: stdout
  of TRL's GRPOTrainer (printed ``{'loss': ...}`` dicts with ``completions/clipped_ratio`` and
  ``frac_reward_zero_std``).
- L1405: github.com/IMJONEZZ/UnslothGRPO ``outputs/checkpoint-250/trainer_state.json`` (commit d4669106),
  MIT: a TRL 0.14-era GRPO log (``reward``, ``reward_std``, ``completion_length``, ``kl``; no
  ``completions/clipped_ratio``, no ``frac_reward_zero_std``).
- L1406: github.com/abdo-ashraf/Gemma-3-RL-Finetuning ``outputs/checkpoint-250/trainer_state.json``
  (commit 23ecd0b4), MIT: same era, 25 points.
"""

from __future__ import annotations

import json
import os

from stablint.commands.diagnose import run_diagnose
from stablint.trends.readers import read_log
from stablint.trends.signals import SIGNALS, measure
from stablint.trends.signals.rl import LOSS_SIGNALS, is_rl_trace
from stablint.trends.trace import Trace

FILES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "logs_real", "files")
L1402 = os.path.join(FILES, "L1402", "run_terminal.md")
L1403 = os.path.join(FILES, "L1403", "run_terminal.md")
L1405 = os.path.join(FILES, "L1405", "trainer_state.json")
L1406 = os.path.join(FILES, "L1406", "trainer_state.json")


def _fired(path, **opts):
    return {k for k, c in measure(read_log(path), opts).items() if c.fired}


def test_codes_are_new_and_shipped_at_info():
    assert SIGNALS["completion-truncation"] == "STL913" and SIGNALS["reward-zero-std"] == "STL914"
    assert len(set(SIGNALS.values())) == len(SIGNALS)
    res = run_diagnose(L1403)
    sev = {f.rule: f.severity for f in res.findings}
    assert sev == {"completion-truncation": "info", "reward-zero-std": "info"}


def test_grpo_stdout_log_with_truncated_completions_and_uniform_groups():
    """L1403: completions/clipped_ratio 0.297, 0.966, 0.995 and frac_reward_zero_std 0.4, 0.581, 0.581."""
    checks = measure(read_log(L1403))
    tr, zs = checks["completion-truncation"], checks["reward-zero-std"]
    assert tr.fired and zs.fired
    assert tr.evidence["tail_median"] > 0.95 and tr.evidence["points"] == 3
    assert 0.5 < zs.evidence["tail_median"] < 0.6
    assert "max_completion_length" in tr.result.message


def test_grpo_log_with_no_truncation_but_mostly_uniform_groups():
    """L1402: clipped_ratio 0.0 on all 18 points, frac_reward_zero_std 0.4..1.0 (median of the last half 0.9)."""
    checks = measure(read_log(L1402))
    assert checks["completion-truncation"].fired is False
    assert checks["reward-zero-std"].fired and checks["reward-zero-std"].evidence["tail_median"] == 0.9


def test_loss_signals_are_muted_on_a_real_grpo_log():
    """L1405 (TRL 0.14 GRPO, loss 0.0 .. 0.0374): before issue 15 diagnose reported 16 loss spikes on it."""
    t = read_log(L1405)
    assert is_rl_trace(t)
    checks = measure(t)
    assert all(checks[s].fired is None and "RL log" in checks[s].reason for s in LOSS_SIGNALS)
    assert not any(c.fired for c in checks.values())
    old = measure(t, {"rl_log": False})
    assert old["loss-spike"].fired  # what the loss-based rules say when forced: the misfire the mute removes


def test_old_trl_log_has_no_truncation_metric_and_falls_back_on_reward_std():
    checks = measure(read_log(L1405))
    tr = checks["completion-truncation"]
    assert tr.fired is None and "v0.17" in tr.reason
    zs = checks["reward-zero-std"]
    assert zs.fired is False and zs.evidence["basis"].startswith("reward_std == 0")
    assert _fired(L1406) == set()


def test_dpo_log_is_not_an_rl_log():
    """TRL DPOTrainer logs rewards/chosen, rewards/margins... (trl/trainer/dpo_trainer.py, v0.19.0): its loss is a
    real loss (ln 2 at the start), so the loss signals keep running."""
    rows = [{"step": s, "loss": 0.6931 - 0.01 * s, "rewards/chosen": 0.01 * s, "rewards/rejected": -0.01 * s,
             "rewards/margins": 0.02 * s, "rewards/accuracies": 0.5, "logps/chosen": -100.0} for s in range(1, 30)]
    t = Trace.from_records(rows)
    assert not is_rl_trace(t)
    assert measure(t)["loss-plateau"].fired is not None


def test_issue_thread_all_groups_uniform(tmp_path):
    """Reconstruction of https://github.com/huggingface/trl/issues/3857 (TRL 0.2x GRPO): every logged window
    has frac_reward_zero_std 1.0, reward_std 0.0, loss 0.0, grad_norm 0.0."""
    row = {"loss": 0.0, "grad_norm": 0.0, "learning_rate": 1.7050844078611056e-06, "num_tokens": 1751675.0,
           "completions/mean_length": 701.8125, "completions/max_length": 1013.0, "completions/clipped_ratio": 0.0,
           "rewards/if_rewrite_reward/mean": -3.0, "rewards/if_rewrite_reward/std": 5.080004692077637,
           "reward": 3.0, "reward_std": 0.0, "frac_reward_zero_std": 1.0, "clip_ratio/low_mean": 0.0,
           "clip_ratio/region_mean": 0.0, "epoch": 0.33}
    p = tmp_path / "trainer_state.json"
    p.write_text(json.dumps({"log_history": [dict(row, step=s) for s in (10, 20)]}))
    res = run_diagnose(str(p))
    assert not res.errors
    assert {f.rule for f in res.findings} == {"reward-zero-std"}
    assert res.checks["reward-zero-std"].evidence["tail_median"] == 1.0


def test_clip_ratio_is_the_importance_ratio_not_truncation():
    """clip_ratio/region_mean (PPO trust-region clipping) must never be read as truncation."""
    rows = [{"step": s, "loss": 0.0, "reward": 0.5, "clip_ratio/region_mean": 0.9, "clip_ratio": 0.9}
            for s in range(1, 6)]
    c = measure(Trace.from_records(rows))["completion-truncation"]
    assert c.fired is None


def test_wandb_and_tensorboard_names_with_train_prefix(tmp_path):
    """HF's WandbCallback / TensorBoardCallback rewrite metric names to train/<name>."""
    p = tmp_path / "history.jsonl"
    p.write_text("\n".join(json.dumps({"train/global_step": s, "train/loss": 0.0, "train/reward": 0.1,
                                       "train/completions/clipped_ratio": 0.6, "train/frac_reward_zero_std": 0.1})
                           for s in range(1, 8)) + "\n")
    res = run_diagnose(str(p))
    assert not res.errors and {f.rule for f in res.findings} == {"completion-truncation"}
    assert res.checks["completion-truncation"].evidence["series"] == "train/completions/clipped_ratio"


def test_eval_copies_are_not_judged():
    rows = [{"step": s, "loss": 0.0, "reward": 0.1, "eval_completions/clipped_ratio": 0.9,
             "eval_frac_reward_zero_std": 0.9} for s in range(1, 6)]
    checks = measure(Trace.from_records(rows))
    assert checks["completion-truncation"].fired is None and checks["reward-zero-std"].fired is None


def test_bad_entries_are_counted_never_a_traceback(tmp_path):
    hist = [{"step": 1, "loss": 0.0, "reward": 0.1, "completions/clipped_ratio": None, "frac_reward_zero_std": "abc"},
            {"step": 2, "loss": 0.0, "reward": 0.1, "completions/clipped_ratio": 1.7, "frac_reward_zero_std": 0.2},
            {"step": 3, "loss": "NaN-ish", "reward": 0.1, "completions/clipped_ratio": 0.1},
            {"loss": 0.0, "completions/clipped_ratio": 0.5},
            "not a row"]
    p = tmp_path / "trainer_state.json"
    p.write_text(json.dumps({"log_history": hist}))
    res = run_diagnose(str(p))
    assert not res.errors and res.trace is not None
    assert res.trace.meta["skipped"] == {"without a step": 1, "not an object": 1, "with non-numeric values": 1}
    c = res.checks["completion-truncation"]
    assert c.fired is False and c.evidence["dropped_out_of_range"] == 1 and c.evidence["points"] == 1


def test_rl_log_can_be_forced_off_and_on():
    rows = [{"step": s, "loss": 1.0 if s != 20 else 9.0} for s in range(1, 40)]
    t = Trace.from_records(rows)
    assert measure(t)["loss-spike"].fired
    assert measure(t, {"rl_log": True})["loss-spike"].fired is None


def test_out_of_range_only_and_zero_minimum_never_raise():
    rows = [{"step": s, "reward": 0.1, "completions/clipped_ratio": 2.0, "frac_reward_zero_std": -1.0}
            for s in range(1, 4)]
    checks = measure(Trace.from_records(rows), {"truncation_min_points": 0, "zero_std_min_points": 0})
    assert checks["completion-truncation"].fired is None and checks["reward-zero-std"].fired is None
