"""``probe --run`` on commands that are neither HF nor Lightning: log following, SIGINT then SIGTERM at the budget.

These commands are tiny Python scripts printing log lines; no torch needed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from conftest import EXAMPLES, ROOT, cli_runner
from stablint.cli import cli

CLIP_CFG = str(EXAMPLES / "run" / "hf_tiny_clip.yaml")

PRINTER = textwrap.dedent('''
    import json, signal, sys, time
    if "--ignore-sigint" in sys.argv:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = open(sys.argv[1], "w") if len(sys.argv) > 1 and not sys.argv[1].startswith("--") else None
    step = 0
    while True:
        step += 1
        row = {"step": step, "loss": 2.0 / step ** 0.1, "grad_norm": 1.0 + 0.01 * step, "lr": 5e-4}
        if out:
            out.write(json.dumps(row) + "\\n"); out.flush()
        else:
            print(f"step {step} loss {row['loss']:.4f} grad_norm {row['grad_norm']:.3f} lr 0.0005", flush=True)
        time.sleep(0.02)
''')


@pytest.fixture
def printer(tmp_path):
    p = tmp_path / "printer.py"
    p.write_text(PRINTER)
    return str(p)


def test_logs_mode_follows_the_output_and_stops_at_the_step_budget(printer):
    from stablint.probes.user_run import run_user

    ur = run_user(CLIP_CFG, [sys.executable, printer], mode="logs", steps=40, max_seconds=60, echo=lambda s: None)
    assert ur.ended_by == "budget-steps" and ur.returncode != 0  # ended by SIGINT (KeyboardInterrupt)
    assert ur.evidence.endswith("output.log") and len(ur.result.trace) >= 40
    f = next(f for f in ur.result.findings if f.code == "STL302")
    assert f.probe["verdict"] == "confirmed" and f.probe["evidence_from"] == "user-run"


def test_logs_mode_reads_the_log_the_command_writes(printer, tmp_path):
    from stablint.probes.user_run import run_user

    log = tmp_path / "metrics.jsonl"
    ur = run_user(CLIP_CFG, [sys.executable, printer, str(log)], mode="logs", log=str(log), steps=30,
                  echo=lambda s: None)
    assert ur.evidence == str(log) and ur.ended_by == "budget-steps"
    assert ur.result.trace.meta["format"] == "jsonl"


def test_sigterm_follows_an_ignored_sigint(printer):
    from stablint.probes.user_run import run_user

    ur = run_user(CLIP_CFG, [sys.executable, printer, "--ignore-sigint"], mode="logs", steps=10_000,
                  max_seconds=2, grace=0.5, echo=lambda s: None)
    assert ur.ended_by == "budget-seconds" and ur.returncode == -15  # SIGTERM
    assert ur.seconds < 2 + 0.5 + 3


def test_cli_json_and_exit_code(printer):
    r = cli_runner().invoke(cli, ["probe", "--run", CLIP_CFG, "--mode", "logs", "--steps", "30", "--format", "json",
                                  "--", sys.executable, printer])
    assert r.exit_code == 1, r.output
    doc = json.loads(r.stdout)
    assert doc["evidence_from"] == "user-run" and doc["run"]["mode"] == "logs"
    assert all(f["probe"]["evidence_from"] == "user-run" for f in doc["findings"] if "probe" in f)


def test_lint_and_callback_core_stay_torch_free():
    code = ("import sys, stablint, stablint.callbacks, stablint.callbacks.core, stablint.probes.user_run\n"
            "from stablint.cli import main\n"
            "sys.argv = ['stablint', 'lint', %r]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'torch imported'\n"
            % str(EXAMPLES))
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert p.returncode == 0, p.stderr
