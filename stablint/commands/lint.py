"""``stablint lint PATHS...``: static checks of training configs."""

from __future__ import annotations

import os
import sys

import click


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


def _did_you_mean(sel: str) -> str:
    """`` (did you mean 'x'?)`` for the closest rule name or code to ``sel``, or ``""``."""
    import difflib

    from ..linter.rules import catalog

    names = [r.name for r in catalog()] + [r.code for r in catalog()]
    close = difflib.get_close_matches(sel, names, n=1, cutoff=0.6) or \
        difflib.get_close_matches(sel.upper(), [r.code for r in catalog()], n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def use_color(choice: str, stream=None) -> bool:
    """``--color``: ``always``/``never``; ``auto`` = a terminal and no ``NO_COLOR`` (no-color.org),
    or ``FORCE_COLOR`` set (as ruff reads them)."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def statistics(result) -> str:
    """``--statistics``: one line per rule, most frequent first: count, code, name (ruff's layout)."""
    counts: dict[tuple[str, str], int] = {}
    for f in result.findings:
        counts[(f.code, f.rule)] = counts.get((f.code, f.rule), 0) + 1
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = [f"{n:>{width}}\t{code}\t{rule}" for (code, rule), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    if result.errors:
        lines.append(f"{len(result.errors):>{width}}\tinput errors")
    return "\n".join(lines) + ("\n" if lines else "")


def show_settings(paths, options) -> str:
    """``--show-settings``: the settings that govern the first path (config file, selection, exclusions)."""
    import json

    from ..linter.config import ConfigResolver
    from ..linter.engine import selected_rules
    from ..linter.exclude import DEFAULT_EXCLUDE

    target = paths[0] if paths else "."
    probe_path = os.path.join(target, "_") if os.path.isdir(target) else target
    cfg = ConfigResolver(options.config_file, options.isolated).for_file(probe_path)
    eff = cfg.apply(options, probe_path) if cfg else options
    data = {
        "path": target,
        "config_file": cfg.path if cfg else None,
        "select": eff.select or ["ALL"],
        "ignore": eff.ignore,
        "per_file_ignores": dict(cfg.per_file_ignores) if cfg else {},
        "fail_on": (cfg.fail_on if cfg else None) or "warning",
        "exclude": list(DEFAULT_EXCLUDE) if not cfg or cfg.exclude is None else cfg.exclude,
        "extend_exclude": cfg.extend_exclude if cfg else [],
        "force_exclude": bool(options.force_exclude or (cfg and cfg.force_exclude)),
        "respect_gitignore": cfg.respect_gitignore if cfg else True,
        "dialect": eff.dialect or "detect",
        "max_file_size": eff.max_bytes,
        "suppressions": eff.suppressions,
        "rules": {r.name: {"code": r.code, "severity": eff.severity.get(r.name, r.severity),
                           **{k: eff.rule_options.get(r.name, {}).get(k, v) for k, v in r.options.items()}}
                  for r in selected_rules(eff)},
    }
    return json.dumps(data, indent=2, default=str) + "\n"


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True), required=True)
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
@click.option("--force-exclude", is_flag=True,
              help="Apply exclude/extend-exclude to files named explicitly too (what the pre-commit hook passes).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour the text output; auto = on a terminal unless NO_COLOR is set.")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, allow_dash=True), default=None, metavar="FILE",
              help="Write the report to FILE instead of standard output.")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only (no summary line, no warnings).")
@click.option("--statistics", "show_statistics", is_flag=True,
              help="Print the number of findings per rule instead of the findings.")
@click.option("--stdin-filename", default=None, metavar="NAME",
              help="With PATH '-': the name of the text read from standard input (its format and config).")
@click.option("--fix", "apply_fixes", is_flag=True,
              help="Apply the safe fixes (yaml-float-as-string: 1e-4 -> 1.0e-4; comments and layout kept), then report what is left.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the safe fixes as a unified diff instead of applying them; exit 1 when there is one.")
@click.option("--show-files", is_flag=True,
              help="List each file with how it is read (dialect, confidence, evidence) or why it is skipped; no findings.")
@click.option("--show-settings", "show_settings_flag", is_flag=True,
              help="Print the settings that govern the first PATH (config file, rules, exclusions) and exit.")
def lint(paths, fmt, select, ignore, dialect, fail_on, exit_zero, max_file_size, file_timeout, config_file, isolated, jobs,
         no_suppressions, baseline_file, write_baseline, base_rev, force_exclude, color, output_file, quiet,
         show_statistics, stdin_filename, show_settings_flag, apply_fixes, show_diff, show_files):
    """Lint training configs (files or directories) for risky combinations.

    Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.
    """
    from ..linter import dialects
    from ..linter.engine import LintOptions, exit_code, lint_paths
    from ..linter.reporters import render
    from ..linter.rules import all_rules, by_key, diff_rules

    for sel in _split(select) + _split(ignore):
        if sel.upper() != "ALL" and by_key(sel) is None and not any(r.code.upper().startswith(sel.upper()) for r in all_rules() + diff_rules()):
            raise click.BadParameter(f"no rule matches {sel!r}{_did_you_mean(sel)} (see `stablint rules`)",
                                     param_hint="--select/--ignore")
    if dialect and dialect not in dialects.dialect_names():
        raise click.BadParameter(f"unknown dialect {dialect!r}; choose from: {', '.join(dialects.dialect_names())}", param_hint="--dialect")
    options = LintOptions(select=_split(select), ignore=_split(ignore), dialect=dialect, config_file=config_file,
                          isolated=isolated, suppressions=not no_suppressions, jobs=jobs or None,
                          force_exclude=force_exclude)
    if max_file_size:
        options.max_bytes = max_file_size
    if file_timeout is not None:
        options.timeout_s = file_timeout or None
    if show_settings_flag:
        from ..linter.document import InputError

        try:
            click.echo(show_settings([p for p in paths if p != "-"] or [stdin_filename or "."], options), nl=False)
        except InputError as exc:
            click.echo(f"{exc.path}:{exc.line}:{exc.column}: {exc.message}", err=True)
            sys.exit(2)
        sys.exit(0)
    if "-" in paths:
        if len(paths) > 1:
            raise click.BadParameter("'-' (standard input) cannot be combined with other paths", param_hint="PATHS")
        from ..linter.stdin import lint_text

        result = lint_text(sys.stdin.read(), stdin_filename, options)
    else:
        if stdin_filename:
            raise click.BadParameter("--stdin-filename needs the path '-'", param_hint="--stdin-filename")
        result = lint_paths(paths, options)
        if result.files == 0 and not result.errors and not quiet:
            click.echo(f"warning: no config files found under {', '.join(paths)} (looked for "
                       ".yaml/.yml/.json/.toml/.sh/.bash and config-named .py files; excluded paths skipped)", err=True)
    if show_files:  # what each file was taken for (stablint/linter/filekinds.py, dialects.detection)
        _show_files(result)
        sys.exit(2 if result.errors else 0)
    if show_diff or apply_fixes:  # stablint/linter/fix.py
        from ..linter import fix

        changes = fix.plan_fixes(result.findings) if "-" not in paths else {}
        if show_diff:
            sys.stdout.write(fix.unified_diff(changes))
            sys.exit(2 if result.errors else 1 if changes else 0)
        try:
            fixed = fix.write(changes)
        except OSError as exc:
            click.echo(f"error: cannot write {exc.filename}: {exc.strerror or exc}", err=True)
            sys.exit(2)
        if fixed:
            if not quiet:
                click.echo(f"fixed {fixed} finding{'s' if fixed != 1 else ''} in {len(changes)} "
                           f"file{'s' if len(changes) != 1 else ''}", err=True)
            result = lint_paths(paths, options)
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
    try:
        out = open(output_file, "w", encoding="utf-8") if output_file and output_file != "-" else None
    except OSError as exc:
        click.echo(f"error: cannot write {output_file}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    try:
        stream = out or sys.stdout
        if show_statistics:
            stream.write(statistics(result))
        else:
            stream.write(render(fmt, result, color=use_color(color, stream), quiet=quiet))
    finally:
        if out is not None:
            out.close()
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
