"""The logic of the stablint GitHub Action (``action.yml``), as testable Python.

``action.yml`` passes every input through ``env:`` as ``STABLINT_INPUT_<NAME>``
(upper case, ``-`` → ``_``), never as ``${{ inputs.x }}`` inside ``run:``
(zizmor's template-injection audit; linter_anchors.md §E). Three sub-commands::

    python -m stablint.action install   # venv + pip install; output `python`
    python -m stablint.action run       # lint, annotations, SARIF, job summary, outputs
    python -m stablint.action gate      # exit with the `exit-code` of `run`

``run`` never fails the step itself, so the SARIF upload that follows it still
runs; ``gate`` fails the job afterwards. Workflow commands (annotations) are
escaped per the runner's rules (see :mod:`stablint.linter.reporters.github`);
outputs are appended to ``$GITHUB_OUTPUT``, the Markdown summary to
``$GITHUB_STEP_SUMMARY``. Only the standard library is imported at module level:
``install`` runs before stablint itself is installed.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import uuid

BOOL = {"true": True, "false": False, "": False}
FAIL_ON = ("error", "warning", "info", "never")
FORMATS = ("github", "text", "json", "sarif")
#: config extensions the loaders read (kept equal to stablint.linter.loaders.EXTENSIONS by tests)
CONFIG_EXTENSIONS = (".yaml", ".yml", ".json", ".toml", ".py", ".sh", ".bash")
#: how every Python child process starts: ``-I`` (isolated mode) keeps the working
#: directory (the pull request's checkout) and ``PYTHON*`` variables off ``sys.path``,
#: so a ``shlex.py``, ``json.py`` or ``stablint/`` in the workspace is never imported.
PYTHON_ISOLATED = (sys.executable, "-I")


def _neutral_dir() -> str:
    """A directory outside the workspace for steps that need no files of it (``$RUNNER_TEMP``)."""
    return os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()


class ActionError(Exception):
    """An invalid input or a failed step; printed as an ``::error::`` and exit code 2."""


# -- inputs -------------------------------------------------------------------
def get_input(name: str, default: str = "") -> str:
    """The value of input ``name`` from ``STABLINT_INPUT_<NAME>``, stripped."""
    return os.environ.get("STABLINT_INPUT_" + name.upper().replace("-", "_"), default).strip()


def get_bool(name: str, default: bool = False) -> bool:
    """A ``true``/``false`` input.

    Raises:
        ActionError: any other value.
    """
    raw = get_input(name, "true" if default else "false").lower()
    if raw not in BOOL:
        raise ActionError(f"input '{name}' must be 'true' or 'false', not {raw!r}")
    return BOOL[raw] if raw else default


def get_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """An input restricted to ``choices``.

    Raises:
        ActionError: a value outside ``choices``.
    """
    raw = get_input(name, default).lower() or default
    if raw not in choices:
        raise ActionError(f"input '{name}' must be one of {', '.join(choices)}; got {raw!r}")
    return raw


def get_paths(name: str, default: str = ".") -> list[str]:
    """A list of paths: one per line, or several per line separated by spaces (shell-quoted).

    Raises:
        ActionError: a path that starts with ``-`` (it would be read as an option).
    """
    raw = get_input(name, default) or default
    out: list[str] = []
    for line in raw.splitlines():
        try:
            out.extend(shlex.split(line))
        except ValueError as exc:
            raise ActionError(f"input '{name}': {exc}") from None
    for p in out:
        if p.startswith("-"):
            raise ActionError(f"input '{name}': {p!r} looks like an option, not a path (write ./{p})")
    return out


# -- workflow commands and files ------------------------------------------------
def set_output(name: str, value: str) -> None:
    """Append ``name=value`` to ``$GITHUB_OUTPUT`` (a random heredoc delimiter for multi-line values)."""
    path = os.environ.get("GITHUB_OUTPUT")
    value = str(value)
    if not path:
        print(f"{name}={value}")
        return
    with open(path, "a", encoding="utf-8") as fh:
        if "\n" in value or "\r" in value:
            delim = f"ghadelimiter_{uuid.uuid4()}"
            fh.write(f"{name}<<{delim}\n{value}\n{delim}\n")
        else:
            fh.write(f"{name}={value}\n")


def append_summary(markdown: str) -> None:
    """Append to ``$GITHUB_STEP_SUMMARY`` (printed when not on a runner)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        print(markdown)
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(markdown)


def error(message: str, **props: object) -> None:
    """Print an ``::error`` workflow command."""
    from stablint.linter.reporters.github import command

    print(command("error", message, **props), flush=True)


# -- install --------------------------------------------------------------------
_VERSION = re.compile(r"^[0-9][0-9A-Za-z.+!-]*$")
_EXTRAS = re.compile(r"^[A-Za-z0-9_-]+(,[A-Za-z0-9_-]+)*$")


def install_spec(version: str, extras: str, source: str) -> str:
    """The pip requirement: ``stablint[extras]==version`` from PyPI, or ``source[extras]`` (the action's checkout).

    Raises:
        ActionError: a malformed version or extras list.
    """
    if version and not _VERSION.match(version):
        raise ActionError(f"input 'version' must be a version like 0.1.0, not {version!r}")
    if extras and not _EXTRAS.match(extras):
        raise ActionError(f"input 'extras' must be comma-separated names like probe,plot, not {extras!r}")
    suffix = f"[{extras}]" if extras else ""
    return f"stablint{suffix}=={version}" if version else f"{os.path.abspath(source)}{suffix}"


def install() -> int:
    """Create ``$RUNNER_TEMP/stablint-venv`` and pip-install stablint into it; output ``python``.

    With input ``install: false`` the Python running this module is used as is.
    """
    if not get_bool("install", True):
        set_output("python", sys.executable)
        return 0
    spec = install_spec(get_input("version"), get_input("extras"), os.environ.get("ACTION_PATH") or os.getcwd())
    venv = os.path.join(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir(), "stablint-venv")
    subprocess.run([*PYTHON_ISOLATED, "-m", "venv", venv], check=True, cwd=_neutral_dir())
    python = os.path.join(venv, "Scripts" if os.name == "nt" else "bin", "python")
    subprocess.run([python, "-I", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", spec], check=True,
                   cwd=_neutral_dir())
    set_output("python", python)
    return 0


# -- run ------------------------------------------------------------------------
def changed_files(base: str, paths: list[str], cwd: str = ".") -> list[str]:
    """Config files added/copied/modified/renamed between ``base`` and ``HEAD`` that lie under ``paths``.

    Uses ``git diff base...HEAD`` (changes of the PR since the merge base) and falls
    back to ``git diff base HEAD`` when the merge base is not fetched.

    Raises:
        ActionError: git fails (unknown ``base``: fetch more history, ``fetch-depth: 0``).
    """
    if base.startswith("-"):
        raise ActionError(f"input 'base-ref' {base!r} is not a revision")
    out = None
    for spec in ([f"{base}...HEAD"], [base, "HEAD"]):
        proc = subprocess.run(["git", "diff", "--name-only", "-z", "--diff-filter=ACMR", *spec, "--"],
                              cwd=cwd, capture_output=True, text=True)
        if proc.returncode == 0:
            out = proc.stdout
            break
    if out is None:
        raise ActionError(f"git diff against {base!r} failed: {proc.stderr.strip()} "
                          "(check out with fetch-depth: 0 so the base commit is present)")
    roots = [os.path.normpath(p) for p in paths]
    files = []
    for name in filter(None, out.split("\0")):
        norm = os.path.normpath(name)
        if not norm.lower().endswith(CONFIG_EXTENSIONS) or not os.path.isfile(os.path.join(cwd, norm)):
            continue
        if any(r in (".", "") or norm == r or norm.startswith(r.rstrip(os.sep) + os.sep) for r in roots):
            files.append(norm)
    return files


def _has_commit(rev: str, cwd: str) -> bool:
    proc = subprocess.run(["git", "cat-file", "-e", f"{rev}^{{commit}}"], cwd=cwd, capture_output=True, text=True)
    return proc.returncode == 0


def ensure_base(base: str, cwd: str = ".") -> str | None:
    """Make the commit ``base`` available; ``None`` when it is, else the reason it is not.

    ``actions/checkout`` fetches one commit by default (``fetch-depth: 1``), so on a pull
    request the base commit is absent. Then ``git fetch --no-tags --depth=1 origin <base>``
    brings that one commit (GitHub serves any reachable commit by id); a full history
    (``fetch-depth: 0``) needs nothing.
    """
    if base.startswith("-"):
        return f"{base!r} is not a revision"
    if _has_commit(base, cwd):
        return None
    proc = subprocess.run(["git", "fetch", "--quiet", "--no-tags", "--depth=1", "origin", base], cwd=cwd,
                          capture_output=True, text=True)
    if proc.returncode == 0 and _has_commit(base, cwd):
        return None
    why = (proc.stderr or proc.stdout).strip().splitlines()
    return f"git fetch --depth=1 origin {base} failed" + (f" ({why[-1]})" if why else "")


def notice(message: str) -> None:
    """Print a ``::notice`` workflow command (visible in the log and as an annotation)."""
    from stablint.linter.reporters.github import command

    print(command("notice", message, title="stablint"), flush=True)


def summary_markdown(result, fail_on: str, changed_only: bool) -> str:
    """The job summary: totals, then one table of findings per file with links to the rule docs.

    Every path, message and value is escaped with :func:`stablint.linter.reporters.escape.markdown`:
    a pull request's file names and values cannot add links, images, HTML or table cells.
    """
    from stablint.linter.reporters.escape import markdown as _md
    from stablint.linter.reporters.sarif import rule_doc_url

    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in ("error", "warning", "info")}
    head = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())
    scope = "changed config" if changed_only else "config"
    lines = [f"## stablint: {head} in {result.files} {scope} file{'s' if result.files != 1 else ''}", ""]
    if fail_on != "never":
        lines += [f"Fails on: **{fail_on}** and above.", ""]
    if result.errors:
        lines += ["### Input errors", "", "| File | Line | Message |", "| --- | --- | --- |"]
        lines += [f"| {_md(e.path)} | {e.line}:{e.column} | {_md(e.message)} |" for e in result.errors]
        lines.append("")
    by_file: dict[str, list] = {}
    for f in result.findings:
        by_file.setdefault(f.path, []).append(f)
    for path, findings in by_file.items():
        lines += [f"### {_md(path)}", "", "| Line | Rule | Severity | Message |", "| --- | --- | --- | --- |"]
        for f in findings:
            rule = f"[{_md(f.code)} {_md(f.rule)}]({rule_doc_url(f.rule)})"
            lines.append(f"| {int(f.line)}:{int(f.column)} | {rule} | {_md(f.severity)} | {_md(f.message)} |")
        lines.append("")
    if not result.findings and not result.errors:
        lines += ["No findings.", ""]
    return "\n".join(lines) + "\n"


def _norm(path: str) -> str:
    """``./configs/a.yaml`` → ``configs/a.yaml`` (annotations and the summary use workspace-relative paths)."""
    return path if not path or os.path.isabs(path) else os.path.normpath(path).replace(os.sep, "/")


def result_from_json(data: dict):
    """Rebuild a :class:`~stablint.linter.engine.LintResult` from ``stablint lint --format json`` output."""
    from stablint.linter.document import InputError
    from stablint.linter.engine import LintResult
    from stablint.linter.finding import Finding

    known = set(Finding.__dataclass_fields__) - {"extra"}
    findings = [Finding(**{k: (_norm(v) if k == "path" else v) for k, v in f.items() if k in known})
                for f in data.get("findings", [])]
    errors = [InputError(_norm(e.get("path", "")), e.get("message", ""), e.get("line", 1), e.get("column", 1))
              for e in data.get("errors", [])]
    return LintResult(findings=findings, errors=errors, files=int(data.get("files", 0)))


def decide_exit(result, fail_on: str) -> int:
    """2 on input errors; 1 when a finding is at or above ``fail_on`` (``never``: 0); else 0."""
    from stablint.linter.finding import SEVERITY_RANK

    if result.errors:
        return 2
    if fail_on == "never":
        return 0
    return 1 if any(SEVERITY_RANK[f.severity] <= SEVERITY_RANK[fail_on] for f in result.findings) else 0


def lint_command(files: list[str], config: str, baseline: str, base: str | None) -> list[str]:
    """The ``stablint lint`` argv (JSON output; ``--`` before the paths), run isolated (``python -I``).

    ``--force-exclude``: the changed files of ``only-changed`` are named explicitly, and the
    repository's ``exclude``/``extend-exclude`` must still hold for them (as in the pre-commit hook).
    """
    cmd = [*PYTHON_ISOLATED, "-m", "stablint", "lint", "--format", "json", "--exit-zero", "--force-exclude"]
    if config:
        cmd += ["--config", config]
    if baseline:
        cmd += ["--baseline", baseline]
    if base:
        cmd += ["--base", base]
    return cmd + ["--", *files]


def run() -> int:
    """Lint, annotate, write SARIF, the summary and the outputs; returns 0 (see ``gate``).

    Only our own escaped workflow commands reach the log as commands: any other text
    (a text/JSON/SARIF report, a child's stderr, the probe's report) is framed by
    ``::stop-commands::`` (:func:`stablint.linter.reporters.escape.stop_commands`).
    """
    from stablint.linter.reporters import render
    from stablint.linter.reporters.escape import markdown, stop_commands

    paths = get_paths("paths")
    fail_on = get_choice("fail-on", FAIL_ON, "warning")
    fmt = get_choice("format", FORMATS, "github")
    only_changed = get_bool("only-changed")
    use_diff_rules = get_bool("diff-rules", True)
    skipped = ""
    base = get_input("base-ref")
    sarif_file = get_input("sarif-file")
    config, baseline = get_input("config"), get_input("baseline")
    for name, value in (("config", config), ("baseline", baseline), ("sarif-file", sarif_file)):
        if value.startswith("-"):
            raise ActionError(f"input '{name}': {value!r} looks like an option, not a path")
    if only_changed and not base:
        raise ActionError("input 'only-changed' needs 'base-ref' (on pull_request it defaults to the base commit)")
    if base and (only_changed or use_diff_rules):
        missing = ensure_base(base)
        if missing:  # a shallow checkout we could not deepen: lint without the base, say so
            skipped = (f"base commit {base} is not available: {missing}; the PR-diff rules (STL7xx) are skipped"
                       + (" and every config under 'paths' is linted" if only_changed else "")
                       + ". Check out with fetch-depth: 0 to compare with the base.")
            notice(skipped)
            only_changed, use_diff_rules = False, False
    files = changed_files(base, paths) if only_changed else paths
    exit_code = 0
    if only_changed and not files:
        from stablint.linter.engine import LintResult

        result = LintResult()
        print("stablint: no changed config files")
    else:
        proc = subprocess.run(lint_command(files, config, baseline, base if (base and use_diff_rules) else None),
                              capture_output=True, text=True)
        if proc.stderr:  # may quote file names: no workflow command may come from it
            sys.stderr.write(stop_commands(proc.stderr))
        try:
            data = json.loads(proc.stdout)
        except json.JSONDecodeError:
            error(f"stablint lint failed (exit {proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}",
                  title="stablint")
            set_output("exit-code", "2")
            return 0
        result = result_from_json(data)
        exit_code = decide_exit(result, fail_on)
    report = render(fmt, result)
    # annotations are our own, escaped commands; any other format is framed so nothing in it runs
    sys.stdout.write(report if fmt == "github" else stop_commands(report))
    if sarif_file:
        os.makedirs(os.path.dirname(os.path.abspath(sarif_file)), exist_ok=True)
        with open(sarif_file, "w", encoding="utf-8") as fh:
            fh.write(render("sarif", result))
    append_summary(summary_markdown(result, fail_on, only_changed) + (f"> {markdown(skipped)}\n" if skipped else ""))
    if get_bool("probe") and files:
        probed = probe_targets(result)
        markdown, rc = run_probes(probed, shlex.split(get_input("probe-args")))
        append_summary(markdown)
        exit_code = max(exit_code, rc if fail_on != "never" or rc >= 2 else 0)
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in ("error", "warning", "info")}
    for sev, n in counts.items():
        set_output(f"{sev}s" if sev != "info" else "infos", str(n))
    set_output("findings", str(len(result.findings)))
    set_output("input-errors", str(len(result.errors)))
    set_output("sarif-file", sarif_file)
    set_output("exit-code", str(exit_code))
    return 0


def probe_targets(result) -> list[str]:
    """The files to probe: each linted training config with at least one finding (sorted).

    A probe confirms or refutes findings, so a file without one has nothing to check; a
    finding from a file no dialect recognized (``dialect: unknown``, e.g. a duplicate key in
    a non-training YAML) does not make the file a training config.
    """
    return sorted({f.path for f in result.findings if f.dialect and f.dialect != "unknown"})


def run_probes(files: list[str], args: list[str]) -> tuple[str, int]:
    """Probe each file (``stablint probe`` runs one probe per config) and merge the verdicts.

    One ``stablint probe --format json FILE...`` process (torch is imported once) prints a
    JSON list of reports; a file the probe refused has no report and its message on stderr.

    Returns:
        ``(markdown, exit_code)``: one summary table (file, code, rule, verdict, reason) for
        all files, and the probe's exit code (the highest of the files': 0 nothing confirmed,
        1 evidence, 2 a file the probe refused).
    """
    from stablint.linter.reporters.escape import markdown as _md, stop_commands

    rows, refused = [], []
    rc, reports = 0, []
    if files:
        cmd = [*PYTHON_ISOLATED, "-m", "stablint", "probe", *args, "--format", "json", "--", *files]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        rc = proc.returncode
        sys.stderr.write(stop_commands(proc.stderr))
        try:
            data = json.loads(proc.stdout)
            reports = data if isinstance(data, list) else [data]
        except json.JSONDecodeError:
            reports = []
        errors = proc.stderr.strip().splitlines()
        probed = {r.get("path") for r in reports}
        for path in files:
            if path not in probed:
                why = [e for e in errors if e.startswith(path + ":")] or errors[-1:] or [f"exit {rc}"]
                refused.append((path, why[-1]))
    for rep in reports:
        path = rep.get("path", "")
        for f in rep.get("findings", []):
            p = f.get("probe") or {}
            rows.append((path, f.get("code", ""), f.get("rule", ""), p.get("verdict", "-"), p.get("note", "")))
        for sig in rep.get("runtime", []):
            rows.append((path, sig.get("code", ""), sig.get("name", ""), sig.get("severity", ""), sig.get("message", "")))
        if not rep.get("findings") and not rep.get("runtime"):
            rows.append((path, "", "", "clean", "no static finding to check; no runtime signal fired"))
    confirmed = sum(1 for r in rows if r[3] == "confirmed")
    lines = [f"## stablint probe: {len(files)} config file{'s' if len(files) != 1 else ''}, "
             f"{confirmed} finding{'s' if confirmed != 1 else ''} confirmed", ""]
    if rows:
        lines += ["| File | Code | Rule | Verdict | Why |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {_md(p)} | {_md(c)} | {_md(r)} | **{_md(v)}** | {_md(n)} |" for p, c, r, v, n in rows]
        lines.append("")
    if refused:
        lines += ["### Not probed", ""] + [f"- {_md(p)}: {_md(m)}" for p, m in refused] + [""]
    if not files:
        lines += ["No training config to probe.", ""]
    return "\n".join(lines) + "\n", rc


def gate() -> int:
    """Exit with the ``exit-code`` output of ``run`` (``STABLINT_EXIT_CODE``)."""
    raw = os.environ.get("STABLINT_EXIT_CODE", "").strip()
    if not raw.isdigit():
        print("::error title=stablint::the lint step did not report an exit code")
        return 2
    return int(raw)


def main(argv: list[str] | None = None) -> int:
    """``python -m stablint.action install|run|gate``; invalid inputs print ``::error::`` and exit 2."""
    args = sys.argv[1:] if argv is None else argv
    commands = {"install": install, "run": run, "gate": gate}
    if len(args) != 1 or args[0] not in commands:
        print(f"usage: python -m stablint.action {{{'|'.join(commands)}}}", file=sys.stderr)
        return 2
    try:
        return commands[args[0]]()
    except ActionError as exc:
        msg = str(exc).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        print(f"::error title=stablint::{msg}", flush=True)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"::error title=stablint::command failed with exit {exc.returncode}: {' '.join(map(str, exc.cmd))}")
        return 2
    except OSError as exc:
        print(f"::error title=stablint::{exc.strerror or exc}: {exc.filename or ''}".replace("\n", "%0A"))
        return 2


if __name__ == "__main__":
    sys.exit(main())
