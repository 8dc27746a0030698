"""Lightning CLI ``lr_scheduler: LinearLR`` warmup is counted in epochs (issue 15, cause 4).

``LightningCLI.configure_optimizers`` returns ``[optimizer], [lr_scheduler]`` (lightning
``src/lightning/pytorch/cli.py``), stepped once per epoch (``LRSchedulerConfig.interval`` default
``"epoch"``). Minimal reconstruction of ace-step/ACE-Step#198 ("If we don't set interval step, the
lightning trainer will run lr_scheduler.step() every epoch, and the warmup will take 4000 epochs",
https://github.com/ace-step/ACE-Step/pull/198), written as a CLI config; the warm-up form
``start_factor: 0.1, total_iters: 100  # Warm-up epochs`` is the one a public docs page shows.
"""

from __future__ import annotations

CLI = """trainer:
  max_epochs: 100
model:
  class_path: my_project.LitModel
data:
  class_path: my_project.DataModule
  init_args:
    batch_size: 32
optimizer:
  class_path: torch.optim.AdamW
  init_args:
    lr: 1.0e-4
lr_scheduler:
  class_path: torch.optim.lr_scheduler.LinearLR
  init_args:
    start_factor: 0.01
    total_iters: 4000
"""


def _stl105(res):
    return [f for f in res.findings if f.rule == "warmup-exceeds-training"]


def test_total_iters_meant_as_steps_lasts_epochs(lint_text):
    res = lint_text("config.yaml", CLI, isolated=True)
    plan = res.results[0].plan
    ws = plan.get("warmup.steps")
    assert (ws.value, ws.unit, ws.source.key) == (4000, "epoch", "lr_scheduler.init_args.total_iters")
    [f] = _stl105(res)
    assert f.severity == "error" and f.line == 17
    assert "total_iters is counted in epochs here, not in optimizer steps" in f.message


def test_short_epoch_warmup_and_decays_are_silent(lint_text):
    ok = lint_text("ok.yaml", CLI.replace("total_iters: 4000", "total_iters: 5"), isolated=True)
    assert _stl105(ok) == []
    decay = CLI.replace("start_factor: 0.01", "start_factor: 1.0\n    end_factor: 0.0")
    res = lint_text("decay.yaml", decay, isolated=True)
    assert res.results[0].plan.get("warmup.steps") is None and _stl105(res) == []


def test_stated_step_interval_is_not_epochs(lint_text):
    res = lint_text("c.yaml", CLI.replace("total_iters: 4000", "total_iters: 4000\n    interval: step"), isolated=True)
    assert res.results[0].plan.get("warmup.steps").unit == "opt_step"
