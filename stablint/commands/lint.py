"""``stablint lint PATHS...``: static checks of training configs."""

from __future__ import annotations

import sys

import click


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(), required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@click.option("--select", multiple=True, metavar="RULES", help="Only these rules (names, codes or code prefixes; comma-separated).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules (names, codes or code prefixes).")
@click.option("--dialect", metavar="NAME", help="Force a dialect instead of detecting it (see `stablint rules --dialects`).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default=None,
              help="Lowest severity that makes the exit code 1 (default: the config's fail-on, else warning).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (input errors still exit 2).")
@click.option("--max-file-size", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Refuse files larger than this (default 5 MiB).")
@click.option("--config", "config_file", type=click.Path(), default=None, metavar="FILE",
              help="Use this .stablint.yaml or pyproject.toml instead of discovering one per file.")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--no-suppressions", is_flag=True, help="Ignore '# stablint: disable' comments (report everything).")
def lint(paths, fmt, select, ignore, dialect, fail_on, exit_zero, max_file_size, config_file, isolated, no_suppressions):
    """Lint training configs (files or directories) for risky combinations.

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.
    """
    from ..linter import dialects
    from ..linter.engine import LintOptions, exit_code, lint_paths
    from ..linter.reporters import render
    from ..linter.rules import all_rules, by_key

    for sel in _split(select) + _split(ignore):
        if sel.upper() != "ALL" and by_key(sel) is None and not any(r.code.upper().startswith(sel.upper()) for r in all_rules()):
            raise click.BadParameter(f"no rule matches {sel!r} (see `stablint rules`)", param_hint="--select/--ignore")
    if dialect and dialect not in dialects.dialect_names():
        raise click.BadParameter(f"unknown dialect {dialect!r}; choose from: {', '.join(dialects.dialect_names())}", param_hint="--dialect")
    options = LintOptions(select=_split(select), ignore=_split(ignore), dialect=dialect, config_file=config_file,
                          isolated=isolated, suppressions=not no_suppressions)
    if max_file_size:
        options.max_bytes = max_file_size
    result = lint_paths(paths, options)
    sys.stdout.write(render(fmt, result, color=sys.stdout.isatty()))
    sys.exit(exit_code(result, fail_on, exit_zero))
