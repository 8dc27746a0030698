"""RL (GRPO / RLOO) health signals: ``completion-truncation`` (STL913), ``reward-zero-std`` (STL914),
and the recognition of RL logs, on which the loss-based signals are muted (issue 15).

Metric names are those TRL's ``GRPOTrainer._generate_and_score_completions`` / ``RLOOTrainer`` log
through ``Trainer.log`` (read at the release tags of huggingface/trl, ``trl/trainer/grpo_trainer.py``):

- ``completions/clipped_ratio``: share of the sampled completions that did not end with EOS, i.e. were
  cut at ``max_completion_length`` (v0.17.0: ``1 - len(terminated) / len(all)``; v1.9.0:
  ``is_truncated.float().mean()``, last token neither EOS nor pad). Logged from v0.17.0 on; v0.14-v0.16
  log only ``completion_length`` (the mean length), which says nothing without the cap.
  **Not** ``clip_ratio`` / ``clip_ratio/region_mean`` / ``clip_ratio/low_mean`` ...: those (v0.16 on)
  are the share of tokens whose PPO importance ratio was clipped to the trust region.
- ``frac_reward_zero_std``: share of prompts (groups) whose ``num_generations`` completions all got the
  same reward, ``torch.isclose(std_grouped_rewards, 0)``: their advantage is 0 and they give no
  gradient. Logged from v0.18.0 on.
- ``reward_std``: v0.14-v0.2x the mean over groups of the per-group reward std, v1.x the std over the
  whole batch; in both a logged 0 means every group of that logging window had one reward.
- ``reward``, ``kl``, ``completion_length`` (v0.14-v0.16), ``completions/mean_length`` (v0.17 on).

The logged ``loss`` of GRPO is not a health measure: with group-normalised advantages its value is
about ``beta x KL`` (TRL maintainer, huggingface/open-r1#239: "It is completely normal for the loss to start
at zero and then increase"; huggingface/trl#2703), near 0 throughout when ``beta = 0`` (``GRPOConfig.beta``
default 0.04 up to v0.18, 0.0 from v0.19.0), and it may be negative. Spikes, plateaus and divergence of that number are not instability.

Logged through W&B or TensorBoard the same names carry a ``train/`` prefix; both spellings are read.
Eval-time copies (``eval_completions/clipped_ratio``) are not judged.
"""

from __future__ import annotations

from ..trace import Trace
from .base import Check, _clean, _make, _unknown
from .series import points
from .stats import _g, _median

#: Metric names (without ``train/``) whose presence makes a log an RL log. ``rewards/<func>`` is
#: deliberately absent: DPO/KTO log ``rewards/chosen``, ``rewards/margins`` and their loss is a real loss.
RL_MARKERS = frozenset(("reward", "reward_std", "frac_reward_zero_std", "completion_length"))
#: Prefix of TRL's completion-length metrics (``completions/mean_length``, ``completions/clipped_ratio``...).
RL_PREFIX = "completions/"
#: Loss-based runtime signals muted on an RL log.
LOSS_SIGNALS = ("loss-spike", "loss-plateau", "loss-divergence", "early-collapse-then-plateau", "overfitting",
                "initial-loss-high")


def _bare(name: str) -> str:
    low = name.strip().lower()
    return low[6:] if low.startswith("train/") else low


def is_rl_trace(trace: Trace, o: dict | None = None) -> bool:
    """True when the log was written by an RL trainer (TRL GRPO / RLOO): a record has ``reward``,
    ``reward_std``, ``frac_reward_zero_std``, ``completion_length`` or a ``completions/...`` metric.

    ``o["rl_log"]`` (True / False) overrides the detection; ``None`` (default) detects.
    """
    forced = (o or {}).get("rl_log")
    if forced is not None:
        return bool(forced)
    seen: set[str] = set()
    for r in trace.records:
        if r.extra:
            seen.update(r.extra)
    for k in seen:
        b = _bare(k)
        if b in RL_MARKERS or b.startswith(RL_PREFIX):
            return True
    return False


def _rl_points(trace: Trace, name: str, o: dict) -> tuple[list[tuple[int, int, float]], str]:
    """Finite points of metric ``name`` or ``train/<name>`` (the one with more points) and the key used."""
    best: tuple[list[tuple[int, int, float]], str] = ([], name)
    for key in (name, "train/" + name):
        pts = points(trace, key, o=o)
        if len(pts) > len(best[0]):
            best = (pts, key)
    return best


def _tail(pts: list, fraction: float) -> list:
    """The trailing ``fraction`` of ``pts`` (at least one point)."""
    if not pts:
        return pts
    k = max(1, int(round(len(pts) * fraction)))
    return pts[-k:]


def check_completion_truncation(trace: Trace, o: dict) -> Check:
    """A high share of the sampled completions cut at ``max_completion_length``.

    Reads ``completions/clipped_ratio`` (TRL >= 0.17, a share in [0, 1]; values outside are dropped
    and counted). Fires (``warning``) when the median over the trailing ``rl_tail_fraction`` (0.5) of
    its points is >= ``truncation_share`` (0.2, proposed) and there are >= ``truncation_min_points``
    (1) points: the reward then scores answers that were cut off (DAPO, Yu et al. 2025, section 3.4:
    truncated samples inject reward noise; TRL's ``mask_truncated_completions`` drops them from the
    loss). Not measurable without the metric (TRL < 0.17 logs only ``completion_length``).
    """
    name = "completion-truncation"
    share, frac = float(o["truncation_share"]), float(o["rl_tail_fraction"])
    thr = (f"median of completions/clipped_ratio over the last {frac:.0%} of its points >= {share:g} "
           f"(>= {int(o['truncation_min_points'])} points)")
    raw, key = _rl_points(trace, "completions/clipped_ratio", o)
    if not raw:
        return _unknown(name, "no completions/clipped_ratio in the log (TRL GRPOTrainer/RLOOTrainer log it from "
                        "v0.17; earlier releases log only completion_length)", thr)
    pts = [p for p in raw if 0.0 <= p[2] <= 1.0]
    dropped = len(raw) - len(pts)
    if not pts or len(pts) < int(o["truncation_min_points"]):
        return _unknown(name, f"{len(pts)} usable completions/clipped_ratio points", thr,
                        {"points": len(pts), "dropped_out_of_range": dropped})
    tail = _tail(pts, frac)
    med = _median([p[2] for p in tail])
    ev = {"series": key, "points": len(pts), "tail_points": len(tail), "tail_median": _g(med),
          "mean": _g(sum(p[2] for p in pts) / len(pts)), "max": _g(max(p[2] for p in pts)), "last": _g(pts[-1][2])}
    if dropped:
        ev["dropped_out_of_range"] = dropped
    for extra in ("completions/max_length", "completions/mean_terminated_length", "completions/mean_length"):
        xs, _ = _rl_points(trace, extra, o)
        if xs:
            ev[extra.split("/", 1)[1] + "_last"] = _g(xs[-1][2])
    if med < share:
        return _clean(name, ev, thr)
    msg = (f"{med:.0%} of the sampled completions were cut at max_completion_length (median of "
           f"completions/clipped_ratio over the last {len(tail)} of {len(pts)} logged points; mean {ev['mean']:.0%}): "
           f"the reward scores cut-off answers (raise max_completion_length or set mask_truncated_completions=True)")
    return _make(name, "warning", msg, tail[0][1], tail[-1][1], ev, thr, tail[0][0], f"trace.{key}")


def _reward_std_trend(trace: Trace, o: dict) -> dict:
    """Evidence only: median ``reward_std`` of the first and the last quarter of its points (>= 8 points).

    A ``reward_std`` sinking towards 0 is the same symptom seen from the batch side; it is reported with
    the reward-zero-std check, never fires alone (its level depends on the reward's scale).
    """
    pts, _ = _rl_points(trace, "reward_std", o)
    if len(pts) < 8:
        return {}
    q = len(pts) // 4
    return {"reward_std_first_quarter": _g(_median([p[2] for p in pts[:q]])),
            "reward_std_last_quarter": _g(_median([p[2] for p in pts[-q:]]))}


def check_reward_zero_std(trace: Trace, o: dict) -> Check:
    """Most prompt groups gave every completion the same reward: zero advantage, no learning signal.

    Reads ``frac_reward_zero_std`` (TRL >= 0.18): fires (``warning``) when its median over the trailing
    ``rl_tail_fraction`` (0.5) of the points is >= ``zero_std_share`` (0.5, proposed). Without it (TRL
    0.14-0.17) it falls back on ``reward_std``: fires when >= ``zero_std_share`` of the trailing points
    are <= ``zero_std_eps`` (1e-12), i.e. every group of those logging windows was uniform (a lower
    bound of the zero-std share). Source: DAPO (Yu et al. 2025, section 3.2, dynamic sampling: groups
    whose accuracy is 0 or 1 have zero advantage and shrink the effective batch); TRL's GRPO docs
    ("implying there is little diversity for that prompt (all answers are correct or incorrect)").
    """
    name = "reward-zero-std"
    share, frac, eps = float(o["zero_std_share"]), float(o["rl_tail_fraction"]), float(o["zero_std_eps"])
    n_min = int(o["zero_std_min_points"])
    pts, key = _rl_points(trace, "frac_reward_zero_std", o)
    if pts:
        thr = f"median of frac_reward_zero_std over the last {frac:.0%} of its points >= {share:g}"
        pts = [p for p in pts if 0.0 <= p[2] <= 1.0]
        if not pts or len(pts) < n_min:
            return _unknown(name, f"{len(pts)} usable frac_reward_zero_std points (need >= {max(n_min, 1)})", thr)
        tail = _tail(pts, frac)
        med = _median([p[2] for p in tail])
        ev = {"series": key, "points": len(pts), "tail_points": len(tail), "tail_median": _g(med),
              "mean": _g(sum(p[2] for p in pts) / len(pts)), "last": _g(pts[-1][2]), **_reward_std_trend(trace, o)}
        if med < share:
            return _clean(name, ev, thr)
        msg = (f"{med:.0%} of the prompt groups had one reward for all their completions (median of "
               f"frac_reward_zero_std over the last {len(tail)} of {len(pts)} logged points): their advantage is 0 "
               f"and they give no gradient (prompts too easy or too hard for the model, or a binary reward)")
        return _make(name, "warning", msg, tail[0][1], tail[-1][1], ev, thr, tail[0][0], f"trace.{key}")
    pts, key = _rl_points(trace, "reward_std", o)
    thr = f">= {share:.0%} of the last {frac:.0%} of the reward_std points are 0 (no frac_reward_zero_std logged)"
    if not pts:
        return _unknown(name, "neither frac_reward_zero_std nor reward_std in the log", thr)
    if len(pts) < max(n_min, 1):
        return _unknown(name, f"{len(pts)} reward_std points (need >= {max(n_min, 1)})", thr)
    tail = _tail(pts, frac)
    zero = sum(1 for p in tail if abs(p[2]) <= eps)
    ev = {"series": key, "points": len(pts), "tail_points": len(tail), "tail_zero_share": _g(zero / len(tail)),
          "basis": "reward_std == 0 (lower bound of the zero-std share)", **_reward_std_trend(trace, o)}
    if zero < share * len(tail):
        return _clean(name, ev, thr)
    msg = (f"reward_std was 0 on {zero} of the last {len(tail)} logged points: in those windows every prompt group "
           f"gave one reward to all its completions (zero advantage, no learning signal)")
    return _make(name, "warning", msg, tail[0][1], tail[-1][1], ev, thr, tail[0][0], f"trace.{key}")


def muted_loss_check(name: str) -> Check:
    """The not-measurable Check that replaces a loss-based signal on an RL log."""
    return _unknown(name, "RL log (reward / completions metrics of TRL GRPO or RLOO): its loss is about beta x KL, "
                          "0 at the start and possibly negative, not a health measure (huggingface/open-r1#239); "
                          "not judged (option rl_log=False judges it)")
