"""``stablint probe --run CONFIG -- CMD ARGS...``: judge CONFIG's findings on the user's own training run.

The command runs unmodified for a short budget (``steps`` optimizer steps, ``max_seconds`` wall
seconds), in one of three ways (``mode``):

- ``hf`` (and ``auto``): ``stablint/callbacks/inject`` goes first on ``PYTHONPATH``; its
  ``sitecustomize`` attaches :class:`stablint.callbacks.hf.StablintCallback` to every
  ``transformers.Trainer``, which writes the per-step trace and stops training at the step or
  time budget (``control.should_training_stop``; ``args.max_steps`` and so the LR schedule are
  left as configured).
- ``lightning-cli``: ``--trainer.callbacks+=stablint.callbacks.lightning.StablintCallback`` and
  ``--trainer.max_steps=STEPS`` are appended to the command (a LightningCLI script).
- ``logs``: nothing is injected; the log the command writes (``log``: trainer_state.json,
  metrics.csv, TensorBoard directory, JSONL, text; default: the command's own output, read as a
  text log) is followed with the ``diagnose`` readers, and the command is ended at the budget.

In every mode the command is ended when the budget is spent: SIGINT to its process group, then
SIGTERM after ``grace`` seconds, then SIGKILL. The trace (callback trace, else the log) is then
judged exactly as ``stablint diagnose LOG --config CONFIG`` does (:func:`stablint.commands.diagnose.run_diagnose`),
and every verdict gets ``"evidence_from": "user-run"``. torch is not imported here.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..linter.document import InputError

MODES = ("auto", "hf", "lightning-cli", "logs")
#: Seconds between two reads of a followed log (``logs`` mode).
POLL_SECONDS = 1.0
LIGHTNING_CALLBACK = "stablint.callbacks.lightning.StablintCallback"


@dataclass
class UserRun:
    """What ``probe --run`` did and found.

    Attributes:
        config: the linted config. command: the user's command (argv) as run.
        mode: the injection mode used. evidence: path of the trace or log judged (``None``: none).
        returncode: the command's exit status (negative: killed by that signal).
        ended_by: ``"exit"`` (finished by itself), ``"budget-steps"``, ``"budget-seconds"``,
            or the ``stop_on`` signal that stopped it (``"nonfinite-values"``...).
        seconds: wall time of the command. output_tail: last lines of its output.
        result: the :class:`~stablint.trends.report.DiagnoseResult` of the evidence.
        notes: limits met on the way.
    """

    config: str
    command: list[str]
    mode: str
    evidence: str | None = None
    returncode: int | None = None
    ended_by: str = "exit"
    seconds: float = 0.0
    output_tail: list[str] = field(default_factory=list)
    result: Any = None
    notes: list[str] = field(default_factory=list)
    steps_budget: int = 0
    seconds_budget: float = 0.0

    def summary(self) -> dict[str, Any]:
        """JSON-ready description of the run (the ``"run"`` object of ``--format json``)."""
        return {"command": self.command, "mode": self.mode, "evidence": self.evidence,
                "returncode": self.returncode, "ended_by": self.ended_by, "seconds": round(self.seconds, 2),
                "budget": {"steps": self.steps_budget, "seconds": self.seconds_budget},
                "evidence_from": "user-run", "notes": self.notes}


def _env(trace: str, config: str, steps: int, max_seconds: float, stop_on: Sequence[str]) -> dict[str, str]:
    from ..callbacks.core import ENV
    from ..callbacks.inject import DIR

    env = dict(os.environ)
    pkg_root = os.path.dirname(os.path.dirname(os.path.dirname(DIR)))
    parts = [DIR]
    if os.path.basename(pkg_root) not in ("site-packages", "dist-packages"):
        parts.append(pkg_root)  # a source checkout: the user's interpreter may not have stablint installed
    parts += [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(parts))
    env[ENV["trace"]] = trace
    env[ENV["config"]] = os.path.abspath(config)
    env[ENV["max_steps"]] = str(steps)
    env[ENV["max_seconds"]] = str(max_seconds)
    if stop_on:
        env[ENV["stop_on"]] = ",".join(stop_on)
    return env


def _steps_in(path: str | None) -> int:
    """Optimizer steps a followed log covers so far (0 when it cannot be read yet)."""
    if not path or not os.path.exists(path):
        return 0
    from ..trends.readers import read_log

    try:
        t = read_log(path)
    except Exception:  # a log being written can be half a line; try again at the next poll
        return 0
    steps = [r.step for r in t.records if r.loss is not None]
    return (steps[-1] - steps[0] + 1) if steps else 0


def _end(proc: subprocess.Popen, grace: float) -> None:
    """SIGINT the process group, then SIGTERM, then SIGKILL, ``grace`` seconds apart."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def run_user(config: str, command: Sequence[str], *, steps: int = 200, max_seconds: float = 600.0,
             mode: str = "auto", log: str | None = None, stop_on: Sequence[str] = (), grace: float = 10.0,
             trace_out: str | None = None, echo=None, cwd: str | None = None) -> UserRun:
    """Run ``command`` for the budget, then judge ``config``'s findings on what it recorded.

    Args:
        config: training config of the run (linted first; an unreadable one raises).
        command: argv of the user's training command (``["python", "train.py", ...]``).
        steps: optimizer-step budget. max_seconds: wall-clock budget of the whole command.
        mode: one of :data:`MODES` (see the module docstring). log: the log to follow (``logs``
            mode, or the fallback when no callback trace appears); default: the command's output.
        stop_on: signals that end the run early (passed to the callback).
        grace: seconds between SIGINT, SIGTERM and SIGKILL at the budget.
        trace_out: where the callback trace goes (default: a temporary directory).
        echo: a callable receiving each output line of the command (default: write to stderr).
        cwd: working directory of the command (default: the current one).

    Raises:
        InputError: the config cannot be read, the command cannot be started, or the run left
            no step records (the message carries the tail of its output).
        ValueError: an unknown ``mode`` or an empty command.
    """
    from ..commands.diagnose import run_diagnose
    from ..linter.engine import LintOptions, lint_file

    if mode not in MODES:
        raise ValueError(f"--mode: {mode!r} is not one of {', '.join(MODES)}")
    if not command:
        raise ValueError("--run needs the training command after '--', e.g. -- python train.py --config CONFIG")
    fr = lint_file(config, LintOptions())
    if fr.error is not None:
        raise fr.error
    tmp = tempfile.mkdtemp(prefix="stablint-run-")
    trace = os.path.abspath(trace_out or os.path.join(tmp, "stablint.trace.jsonl"))
    out_log = os.path.join(tmp, "output.log")
    cmd = list(command)
    if mode == "lightning-cli":
        cmd += [f"--trainer.callbacks+={LIGHTNING_CALLBACK}", f"--trainer.max_steps={steps}"]
    env = _env(trace, config, steps, max_seconds, stop_on) if mode != "logs" else dict(os.environ)
    ur = UserRun(config=config, command=cmd, mode=mode, steps_budget=steps, seconds_budget=max_seconds)
    echo = echo or (lambda line: sys.stderr.write(line))
    t0 = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True, text=True, errors="replace", bufsize=1, cwd=cwd)
    except OSError as exc:
        raise InputError(cmd[0], f"cannot start the command: {exc.strerror or exc}") from None
    tail: list[str] = []

    def pump():
        with open(out_log, "w", encoding="utf-8") as fh:
            for line in proc.stdout:
                fh.write(line)
                fh.flush()
                tail.append(line.rstrip("\n"))
                del tail[:-40]
                echo(line)

    th = threading.Thread(target=pump, daemon=True)
    th.start()
    follow = log or out_log
    next_poll = 0.0
    while proc.poll() is None:
        now = time.perf_counter() - t0
        if now >= max_seconds:
            ur.ended_by = "budget-seconds"
            _end(proc, grace)
            break
        if now >= next_poll:
            next_poll = now + POLL_SECONDS
            if (mode == "logs" or not os.path.exists(trace)) and _steps_in(follow) >= steps:
                ur.ended_by = "budget-steps"
                _end(proc, grace)
                break
        time.sleep(0.1)
    proc.wait()
    th.join(timeout=5)
    ur.seconds = time.perf_counter() - t0
    ur.returncode = proc.returncode
    ur.output_tail = tail[-12:]
    if os.path.exists(trace) and os.path.getsize(trace) > 0:
        ur.evidence = trace
    elif log and os.path.exists(log):
        ur.evidence = log
        if mode != "logs":
            ur.notes.append("no stablint callback trace appeared (not an HF Trainer / LightningCLI run?); "
                            f"judged the log {log}")
    elif mode == "logs" or os.path.getsize(out_log) > 0:
        ur.evidence = out_log
        if mode != "logs":
            ur.notes.append("no stablint callback trace appeared (not an HF Trainer / LightningCLI run?); judged the "
                            "command's output as a text log; pass --log PATH for its trainer_state.json, "
                            "metrics.csv, TensorBoard or JSONL log")
    if ur.evidence is None:
        raise InputError(config, "the run left no step records; last output: " + " | ".join(tail[-5:]))
    _ended_by_callback(ur)
    res = run_diagnose(ur.evidence, config)
    if res.errors and res.trace is None:
        raise InputError(config, f"the run left no readable step records in {ur.evidence} ({res.errors[0].message});"
                         " last output: " + " | ".join(tail[-5:]))
    res.findings = [f.with_(probe={**f.probe, "evidence_from": "user-run"}) if f.probe else f for f in res.findings]
    ur.result = res
    if ur.returncode not in (0, None) and ur.ended_by == "exit":
        ur.notes.append(f"the command exited with status {ur.returncode}")
    return ur


def _ended_by_callback(ur: UserRun) -> None:
    """Refine ``ended_by`` from the trace: a ``stop`` meta line, or the step budget reached."""
    if ur.evidence is None or not ur.evidence.endswith(".jsonl"):
        return
    import json

    steps = 0
    try:
        with open(ur.evidence, encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                if "meta" in row and isinstance(row["meta"], dict) and "stop" in row["meta"]:
                    ur.ended_by = row["meta"]["stop"].get("signal", ur.ended_by)
                    return
                if "step" in row and "loss" in row:
                    steps += 1
    except (OSError, ValueError):
        return
    if ur.ended_by == "exit" and steps >= ur.steps_budget:
        ur.ended_by = "budget-steps"


def command_text(cmd: Sequence[str]) -> str:
    """The command as one shell-quoted line."""
    return shlex.join(list(cmd))
