"""``stablint probe CONFIG...``: a short instrumented training that confirms or refutes each warning.

torch is the optional extra ``stablint[probe]`` and is imported only inside
``stablint.probes``; without it this command prints how to install it and exits 2.
Exit codes (:func:`exit_code`): 0 nothing confirmed, 1 a static warning confirmed or a runtime error
(or, on the user's own model, a runtime warning), 2 usage, config or input errors (absurd values included).
"""

from __future__ import annotations

import contextlib
import io
import sys

import click


@contextlib.contextmanager
def _progress(label: str = "probe: main run"):
    """Yield a ``progress(step, total)`` callback drawing a ``click.progressbar`` on stderr, or
    ``None`` when stderr is not a terminal (CI logs, pipes, files: no progress output at all).

    The bar appears at the first callback (an input error before the run draws nothing) and
    is finished (newline) when the block exits, also when the run stops early. Steps are
    optimizer steps of the main run; the loop reports them at every flush (<= 10 steps).
    """
    if not sys.stderr.isatty():
        yield None
        return
    with contextlib.ExitStack() as stack:
        bar = None

        def cb(step: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = stack.enter_context(click.progressbar(length=total, label=label, file=sys.stderr,
                                                            show_pos=True))
            bar.update(step - bar.pos)

        yield cb


def _fail(msg: str) -> None:
    click.echo(msg, err=True)
    sys.exit(2)


@click.command()
@click.argument("configs", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="CONFIG...")
@click.option("--target", metavar="NAME", help="Built-in target (lm, lora-lm, multitask, mlp-regression, "
              "mlp-classification, cnn-classification) or pkg.module:build (see examples/custom_target.py).")
@click.option("--steps", type=click.IntRange(min=8, max=100_000), default=200, show_default=True,
              help="Optimizer steps of the main run.")
@click.option("--max-seconds", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Wall-clock budget for all runs together.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--plot", type=click.Path(dir_okay=False), help="Write a PNG (loss, pre-clip grad norm, LR); needs matplotlib.")
@click.option("--trace-out", type=click.Path(dir_okay=False), help="Write the main run's trace as JSONL (read by `diagnose`).")
@click.option("--compare-fix", is_flag=True, help="Also run each finding's suggested fix from the same init and data.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--hf-model", metavar="DIR",
              help="Train a local Hugging Face causal-LM directory (config.json + weights, as save_pretrained "
                   "writes) instead of a built-in target, on the built-in probe text (its tokenizer if present, "
                   "else bytes mod vocab_size); LoRA configs wrap it with PEFT. Offline only; needs "
                   'pip install "stablint[hf]".')
@click.option("--hf-max-params", type=click.IntRange(min=0), default=None, metavar="N",
              help="Refuse --hf-model models with more than N parameters on CPU (default 50,000,000; 0 = no limit).")
def probe(configs, target, steps, max_seconds, device, fmt, plot, trace_out, compare_fix, seed, hf_model,
          hf_max_params):
    """Run a short instrumented training of each CONFIG and give every warning a verdict.

    Verdicts: confirmed, not-observed (measured over a long enough horizon, clean),
    inconclusive (the horizon or the target cannot show it; never a refutation).
    Several CONFIGs (what the pre-commit hook passes) are probed one after the other, each
    with the full --max-seconds; files that are not training configs are skipped with a note
    (one such file given alone is an error); the exit code is the highest of theirs and
    --format json prints a JSON list of the reports.
    """
    if len(configs) > 1:
        if plot or trace_out:
            _fail("error: --plot and --trace-out take one CONFIG (they write one file)")
        _probe_each(configs, fmt, dict(target=target, steps=steps, max_seconds=max_seconds, device=device,
                                       compare_fix=compare_fix, seed=seed, hf_model=hf_model,
                                       hf_max_params=hf_max_params))
    config = configs[0]
    try:
        from ..probes import ProbeUnavailable, require_torch

        require_torch()
    except ProbeUnavailable as exc:
        _fail(f"error: {exc}")
    if hf_model:
        import importlib.util

        if target:
            _fail("error: --target and --hf-model are exclusive: --hf-model DIR is the target")
        if importlib.util.find_spec("transformers") is None:
            _fail('error: --hf-model needs transformers, which is not installed: pip install "stablint[hf]"  '
                  "(or: pip install transformers peft)")
    from ..linter.document import InputError
    from ..probes.report import RENDERERS, write_plot, write_trace
    from ..probes.runner import probe_path
    from ..probes.spec import AbsurdConfig
    from ..probes.targets import TargetError

    try:
        with _progress() as progress:
            rep = probe_path(config, target=target, steps=steps, max_seconds=max_seconds, device=device, seed=seed,
                             compare_fix=compare_fix, progress=progress, hf_model=hf_model,
                             hf_max_params=hf_max_params)
    except InputError as exc:
        _fail(str(exc))
    except ProbeUnavailable as exc:  # --hf-model: transformers / peft missing
        _fail(f"error: {exc}")
    except AbsurdConfig as exc:
        _fail(str(exc))
    except (TargetError, ValueError) as exc:
        _fail(f"{config}:1:1: {exc}")
    sys.stdout.write(RENDERERS[fmt](rep))
    if trace_out:
        try:
            write_trace(rep, trace_out)
        except OSError as exc:
            _fail(f"error: cannot write {trace_out}: {exc}")
    if plot:
        try:
            write_plot(rep, plot)
        except ImportError:
            click.echo('warning: --plot needs matplotlib (pip install "stablint[plot]"); no PNG written', err=True)
        except OSError as exc:
            _fail(f"error: cannot write {plot}: {exc}")
    sys.exit(exit_code(rep))


def _probe_each(configs, fmt: str, params: dict) -> None:
    """Probe every config in a child invocation of this command; exits with the highest code."""
    import json

    from ..linter.document import InputError
    from ..probes.runner import NOT_A_TRAINING_CONFIG, load

    worst, reports = 0, []
    for config in configs:
        try:
            load(config)
        except InputError as exc:
            if exc.message.startswith(NOT_A_TRAINING_CONFIG):  # pre-commit hands over every YAML/JSON/...
                click.echo(f"{config}: skipped, {exc.message}", err=True)
                continue
        args = [config, "--format", fmt]
        for name, value in params.items():
            flag = "--" + name.replace("_", "-")
            if value is True:
                args.append(flag)
            elif value not in (None, False):
                args += [flag, str(value)]
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf) if fmt == "json" else contextlib.nullcontext():
            try:
                probe.main(args=args, prog_name="stablint probe", standalone_mode=False)
            except SystemExit as exc:
                worst = max(worst, exc.code if isinstance(exc.code, int) else 2)
            except click.ClickException as exc:
                exc.show()
                worst = max(worst, exc.exit_code)
        if buf.getvalue().strip():
            reports.append(json.loads(buf.getvalue()))
        sys.stdout.flush()
    if fmt == "json":
        sys.stdout.write(json.dumps(reports, indent=2) + "\n")
    sys.exit(worst)


def exit_code(rep) -> int:
    """1 when the probe found evidence against the config, else 0 (input errors exit 2 earlier).

    Evidence: a static finding ``confirmed``; a runtime signal of severity ``error``
    (non-finite values, divergence) on any target; a runtime ``warning`` (plateau, spikes,
    clip saturation ...) only on the user's own model (``--target pkg.module:build`` or
    ``--hf-model``). On a built-in surrogate target those warnings describe the surrogate's
    loss curve as much as the config, so they are printed but do not fail the command: a
    fixed config must be able to pass (examples/seed00*_after).
    """
    from ..probes.targets import BUILTIN

    if any(f.probe and f.probe.get("verdict") == "confirmed" for f in rep.findings):
        return 1
    own_model = rep.spec.target not in BUILTIN
    failing = ("warning", "error") if own_model else ("error",)
    return 1 if any(s.severity in failing for s in rep.runtime) else 0
