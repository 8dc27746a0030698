"""``stablint diagnose LOG``: trend analysis of a training log that already exists.

Reads the log (``stablint.trends.readers``), runs the runtime signals
(``stablint.trends.signals``), and with ``--config`` lints the config and marks
each static finding confirmed / not-observed / inconclusive from the run
(``stablint.trends.judge``). Exit codes as ``lint``: 0 clean, 1 findings at or
above ``--fail-on``, 2 usage or input errors (``path:line:col: message``, never a
traceback).
"""

from __future__ import annotations

import sys

import click


def run_diagnose(log: str, config: str | None = None, fmt_in: str | None = None, max_grad_norm: float | None = None,
                 warmup_steps: int | None = None):
    """Read, analyze and judge; returns a :class:`~stablint.trends.report.DiagnoseResult` (never raises on bad input).

    ``max_grad_norm``: the clipping threshold (default: the config's ``clip.max_norm``);
    needed for clip-saturation. ``warmup_steps``: steps excluded from clip/growth statistics.
    """
    from ..linter.document import InputError
    from ..linter.engine import LintOptions, lint_file
    from ..trends.judge import judge
    from ..trends.readers import read_log
    from ..trends.report import DiagnoseResult
    from ..trends.signals import measure, signal_findings

    result = DiagnoseResult(log=log, config=config)
    try:
        trace = read_log(log, fmt_in)
    except InputError as exc:
        result.errors.append(exc)
        return result
    except RecursionError:
        result.errors.append(InputError(log, "log nested too deeply"))
        return result
    except Exception as exc:  # an internal bug must not become a traceback for the user
        result.errors.append(InputError(log, f"internal error ({type(exc).__name__}: {exc}); please report it"))
        return result
    result.trace = trace
    plan, static = None, []
    if config:
        fr = lint_file(config, LintOptions())
        if fr.error is not None:
            result.errors.append(fr.error)
        plan, static = fr.plan, fr.findings
    options: dict = {}
    if max_grad_norm is not None:
        options["max_grad_norm"] = max_grad_norm
    elif plan is not None and plan.get("clip.max_norm") is not None and plan.get("clip.max_norm").number:
        options["max_grad_norm"] = plan.get("clip.max_norm").number
    if warmup_steps is not None:
        options["warmup_steps"] = warmup_steps
    _apply_beside(log, trace, options)
    if options.get("max_grad_norm"):
        trace.meta["max_grad_norm"] = options["max_grad_norm"]
    result.checks = measure(trace, options)
    signals = [c.result for c in result.checks.values() if c.fired and c.result is not None]
    runtime = signal_findings(signals, log, trace.meta.get("record_lines"))
    judged = judge(static, trace, plan, options=options) if static else []
    result.findings = sorted(runtime, key=lambda f: (f.line, f.code)) + sorted(judged, key=lambda f: f.sort_key())
    return result


def _apply_beside(log: str, trace, options: dict) -> None:
    """Fill clip threshold, warm-up and vocabulary from the files beside the log (:mod:`stablint.trends.beside`).

    The command line and ``--config`` win; a value the log itself states (``trace.meta``) wins
    over a file beside it. A stated clip of 0 (clipping off) leaves clip-saturation unmeasured.
    """
    from ..trends.beside import read_beside

    found = read_beside(log, trace.meta.get("max_steps"))
    for key in ("max_grad_norm", "warmup_steps", "vocab_size"):
        if key in found and options.get(key) is None and trace.meta.get(key) is None:
            if found[key]:
                options[key] = found[key]
                trace.meta[f"{key}_source"] = found[f"{key}_source"]


@click.command()
@click.argument("log", type=click.Path())
@click.option("--config", "config", type=click.Path(), default=None,
              help="Training config of this run: lint it and judge each finding against the log.")
@click.option("--format-in", "fmt_in", type=click.Choice(["hf", "csv", "tensorboard", "jsonl", "text"]), default=None,
              help="Log format (default: detected).")
@click.option("--max-grad-norm", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Gradient clipping threshold of the run (default: from --config); enables clip-saturation.")
@click.option("--warmup-steps", type=click.IntRange(min=0), default=None,
              help="Warm-up steps to exclude from clip/grad-norm statistics (default: first 10% of points).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="Output format.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Also write a PNG of loss, eval loss, grad norm and LR with findings shaded (needs matplotlib).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="warning", show_default=True,
              help="Lowest severity that makes the exit code 1.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (input errors still exit 2).")
def diagnose(log, config, fmt_in, max_grad_norm, warmup_steps, fmt, plot_path, fail_on, exit_zero):
    """Diagnose an existing training log (HF trainer_state.json, Lightning metrics.csv,
    TensorBoard events, JSONL, or a text log).

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.
    """
    from ..linter.document import InputError
    from ..trends.report import exit_code, render_json, render_text

    result = run_diagnose(log, config, fmt_in, max_grad_norm, warmup_steps)
    written = None
    if plot_path and result.trace is not None:
        from ..trends.plot import PlotUnavailable, plot

        try:
            written = plot(result.trace, [f for f in result.findings if f.dialect == "trace"], plot_path)
        except PlotUnavailable as exc:
            click.echo(f"stablint: {exc}", err=True)
        except OSError as exc:
            result.errors.append(InputError(plot_path, f"cannot write plot: {exc.strerror or exc}"))
    if fmt == "json":
        out = render_json(result)
    elif fmt == "markdown":
        from ..trends.report_md import render_markdown

        out = render_markdown(result, written)
    else:
        out = render_text(result, color=sys.stdout.isatty())
    sys.stdout.write(out)
    sys.exit(exit_code(result, fail_on, exit_zero))
