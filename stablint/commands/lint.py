"""``stablint lint PATHS...``: static checks of training configs."""

from __future__ import annotations

import sys

import click


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(), required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text", show_default=True,
              help="Output format (sarif: SARIF 2.1.0 for code scanning; github: workflow-command annotations).")
@click.option("--select", multiple=True, metavar="RULES", help="Only these rules (names, codes or code prefixes; comma-separated).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules (names, codes or code prefixes).")
@click.option("--dialect", metavar="NAME", help="Force a dialect instead of detecting it (see `stablint rules --dialects`).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Lowest severity that makes the exit code 1 (default: the config's fail-on, else warning).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (input errors still exit 2).")
@click.option("--max-file-size", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Refuse files larger than this (default 5 MiB).")
@click.option("--file-timeout", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Give up on a file after this long, as an input error (default 10; 0 = no limit). "
                   "Command line only: a pull request's .stablint.yaml cannot raise it.")
@click.option("--config", "config_file", type=click.Path(), default=None, metavar="FILE",
              help="Use this .stablint.yaml or pyproject.toml instead of discovering one per file.")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, show_default=True, metavar="N",
              help="Worker processes; 0 = automatic (all cores from 200 files on), 1 = no parallelism.")
@click.option("--no-suppressions", is_flag=True, help="Ignore '# stablint: disable' comments (report everything).")
@click.option("--baseline", "baseline_file", type=click.Path(), default=None, metavar="FILE",
              help="Report only findings not recorded in this baseline; list its stale entries on stderr.")
@click.option("--write-baseline", type=click.Path(), default=None, metavar="FILE",
              help="Record the current findings in FILE (keyed by path, rule, field; never line numbers).")
@click.option("--base", "base_rev", default=None, metavar="REV",
              help="Also compare each file with its version at git revision REV (PR-diff rules STL7xx).")
@click.option("--show-files", is_flag=True,
              help="List each file with how it is read (dialect, confidence, evidence) or why it is skipped; no findings.")
def lint(paths, fmt, select, ignore, dialect, fail_on, exit_zero, max_file_size, file_timeout, config_file, isolated, jobs,
         no_suppressions, baseline_file, write_baseline, base_rev, show_files):
    """Lint training configs (files or directories) for risky combinations.

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.
    """
    from ..linter import dialects
    from ..linter.engine import LintOptions, exit_code, lint_paths
    from ..linter.reporters import render
    from ..linter.rules import all_rules, by_key, diff_rules

    for sel in _split(select) + _split(ignore):
        if sel.upper() != "ALL" and by_key(sel) is None and not any(r.code.upper().startswith(sel.upper()) for r in all_rules() + diff_rules()):
            raise click.BadParameter(f"no rule matches {sel!r} (see `stablint rules`)", param_hint="--select/--ignore")
    if dialect and dialect not in dialects.dialect_names():
        raise click.BadParameter(f"unknown dialect {dialect!r}; choose from: {', '.join(dialects.dialect_names())}", param_hint="--dialect")
    options = LintOptions(select=_split(select), ignore=_split(ignore), dialect=dialect, config_file=config_file,
                          isolated=isolated, suppressions=not no_suppressions, jobs=jobs or None)
    if max_file_size:
        options.max_bytes = max_file_size
    if file_timeout is not None:
        options.timeout_s = file_timeout or None
    result = lint_paths(paths, options)
    if show_files:  # what each file was taken for (stablint/linter/filekinds.py, dialects.detection)
        _show_files(result)
        sys.exit(2 if result.errors else 0)
    if base_rev:  # PR-diff rules (stablint/linter/diff.py)
        from ..linter import diff

        try:
            diff.apply(result, base_rev, options)
        except diff.GitError as exc:
            raise click.BadParameter(str(exc), param_hint="--base") from None
    if baseline_file or write_baseline:  # stablint/linter/baseline.py
        from ..linter import baseline
        from ..linter.document import InputError

        try:
            if write_baseline:
                recorded = baseline.write(write_baseline, result.findings)
                click.echo(f"baseline: recorded {sum(recorded.counts.values())} findings in {write_baseline}", err=True)
            if baseline_file:
                result.findings, stale = baseline.load(baseline_file).filter(result.findings)
                for e in stale:
                    click.echo(f"{baseline_file}: stale baseline entry: {e['path']} {e['code']} ({e['rule']}) "
                               f"field '{e['field']}' no longer found ({e['count']}x); rewrite the baseline", err=True)
            if write_baseline:
                result.findings = []
        except InputError as exc:
            click.echo(f"{exc.path}:{exc.line}:{exc.column}: {exc.message}", err=True)
            sys.exit(2)
    sys.stdout.write(render(fmt, result, color=sys.stdout.isatty()))
    sys.exit(exit_code(result, fail_on, exit_zero))


def _show_files(result) -> None:
    """One line per file: ``path: linted as <dialect> (...)`` / ``skipped: <reason>`` / ``error: ...``."""
    shown = set()
    for fr in result.results:
        shown.add(fr.path)
        click.echo(f"{fr.path}: {fr.describe()}")
    for e in result.errors:
        if e.path not in shown:
            click.echo(f"{e.path}: error: {e.message}")
