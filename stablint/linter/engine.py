"""The lint pipeline, top to bottom: collect files → load → detect → normalize → rules.

``lint_paths`` is what ``stablint lint`` calls; ``lint_document`` is the
per-file step (also used by ``probe`` and ``diagnose --config``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from .document import Document, InputError, RootNotMapping
from .confine import check_inside, repository_root
from .timelimit import DEFAULT_TIMEOUT_S, FileTimeout, time_limit, timeout_error
from .finding import SEVERITY_RANK, Finding
from .loaders import DEFAULT_MAX_BYTES, EXTENSIONS, load_path
from .plan import TrainingPlan

#: Directories never descended into.
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox", ".mypy_cache",
             ".pytest_cache", ".ruff_cache", "site-packages", "build", "dist", ".eggs", ".idea", ".vscode"}
#: Path parts that make a ``.py`` file look like a config (directory recursion only).
_PY_CONFIG_HINTS = ("config", "conf", "cfg", "hparams", "hyp")


@dataclass
class LintOptions:
    """What to check and how.

    Attributes:
        select: rule names/codes/prefixes to enable (empty = all).
        ignore: rule names/codes/prefixes to disable (wins over ``select``).
        dialect: force a dialect for every file (``None`` = detect).
        max_bytes: files above this size are refused with an input error.
        rule_options: rule name → option overrides (thresholds).
        severity: rule name → severity override.
        jobs: worker processes (1 = none; ``None`` = automatic, see :func:`_run_files`).
        config_file: ``--config``: use this config file instead of discovering one per file.
        isolated: ``--isolated``: ignore configuration files.
        suppressions: False (``--no-suppressions``) ignores ``# stablint: disable`` comments.
        timeout_s: wall-clock seconds allowed per file (``--file-timeout``; ``None``/0 = no
            limit); a file over it is an input error (:mod:`stablint.linter.timelimit`).
        force_exclude: ``--force-exclude``: exclusion patterns apply to explicit files too
            (:mod:`stablint.linter.exclude`).
    """

    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    dialect: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    jobs: int | None = 1
    config_file: str | None = None
    isolated: bool = False
    suppressions: bool = True
    timeout_s: float | None = DEFAULT_TIMEOUT_S
    force_exclude: bool = False


@dataclass
class FileResult:
    """Everything known about one linted file."""

    path: str
    findings: list[Finding] = field(default_factory=list)
    error: InputError | None = None
    plan: TrainingPlan | None = None
    document: Document | None = None
    #: why the file is not a training config (:class:`~stablint.linter.filekinds.Skip`); no findings then
    skipped: Any = None
    #: ``(section name, plan)`` per device section when the file keeps one section per device
    #: (:mod:`stablint.linter.sections`); the findings are those of these plans, ``plan`` is the unsplit one
    sections: list = field(default_factory=list)

    def describe(self) -> str:
        """``linted as <dialect> (confidence; evidence)`` (``, one run per device section (cuda, mps)``
        when split), ``skipped: <reason>`` or ``error: <message>``."""
        if self.skipped is not None:
            return f"skipped: {self.skipped.reason}"
        if self.error is not None:
            return f"error: {self.error.message}"
        det = self.plan.detection if self.plan is not None else None
        out = f"linted as {det.describe()}" if det is not None else "linted"
        if self.sections:
            out += f", one run per device section ({', '.join(n for n, _ in self.sections)})"
        return out


@dataclass
class LintResult:
    """The result of a lint run.

    Attributes:
        findings: all findings, sorted by path and position, de-duplicated.
        errors: input errors (each becomes an ``errors`` entry; exit code 2).
        files: number of files examined.
        results: per-file details (plans, documents) for other commands.
        fail_on: the ``fail-on`` of the configuration files used (the one that fails
            on most when they differ); ``None`` when no config sets it.
    """

    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    files: int = 0
    results: list[FileResult] = field(default_factory=list)
    fail_on: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: ``{"version": 1, "findings": [...], "files": N, "errors": [...]}``."""
        return {
            "version": 1,
            "findings": [f.to_dict() for f in self.findings],
            "files": self.files,
            "errors": [e.to_dict() for e in self.errors],
        }


def _looks_like_config(path: str) -> bool:
    ext = os.path.splitext(path)[1].lower()
    if ext not in EXTENSIONS:
        return False
    if ext == ".py":
        low = path.lower().replace("\\", "/")
        return any(h in part for part in low.split("/") for h in _PY_CONFIG_HINTS) or os.path.basename(low).startswith("train")
    return True


def collect_files(paths: Iterable[str], excluder=None) -> tuple[list[str], list[InputError]]:
    """Expand directories into config-looking files (sorted); explicit files are kept.

    ``excluder`` (a :class:`~stablint.linter.exclude.Excluder`) decides what walks skip
    (``exclude``/``extend-exclude``, ``.gitignore``) and, with force-exclude, which explicit
    files are dropped; without one, :data:`SKIP_DIRS` and dot-directories are skipped.
    Symlinked directories are not followed (no loops); missing paths become input errors.
    """
    files: list[str] = []
    errors: list[InputError] = []
    seen: set[str] = set()
    for p in paths:
        if os.path.isdir(p):
            for dirpath, dirnames, filenames in os.walk(p, followlinks=False):
                if excluder is None:
                    dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
                else:
                    dirnames[:] = sorted(d for d in dirnames if not excluder.walk_excluded(os.path.join(dirpath, d), True))
                for name in sorted(filenames):
                    full = os.path.join(dirpath, name)
                    if _looks_like_config(full) and not os.path.islink(full) and full not in seen \
                            and not (excluder is not None and excluder.walk_excluded(full, False)):
                        seen.add(full)
                        files.append(full)
        elif os.path.exists(p) or os.path.islink(p):
            if p not in seen and not (excluder is not None and excluder.explicit_excluded(p)):
                seen.add(p)
                files.append(p)
        else:
            errors.append(InputError(p, "no such file or directory"))
    return files, errors


def selected_rules(options: LintOptions, pool=None):
    """The rules of ``pool`` (default: every single-plan rule) enabled by ``select``/``ignore``, in order."""
    from .rules import all_rules, matches

    out = []
    for rule in all_rules() if pool is None else pool:
        if options.select and not any(matches(rule, s) for s in options.select):
            continue
        if any(matches(rule, s) for s in options.ignore):
            continue
        out.append(rule)
    return out


def build_plan(doc: Document, options: LintOptions, loader=None) -> TrainingPlan:
    """Detect the dialect (or use ``options.dialect``) and normalize ``doc`` into a plan.

    Files no dialect recognizes get an empty plan with dialect ``"unknown"`` so that
    load-pitfall rules (duplicate keys) still run. Files the document references
    (a launch script's YAML, ``deepspeed: ds.json``) fill what it lacks
    (:mod:`stablint.linter.crossfile`).

    Raises:
        KeyError: ``options.dialect`` names no registered dialect.
    """
    from .crossfile import merge_references

    root = repository_root(doc.path)
    load = loader or (lambda p: _quiet_load(p, options.max_bytes, root))
    plan = _normalize(doc, options.dialect, load)
    merge_references(plan, doc, load, lambda d, hint: _normalize(d, hint, load, forced=False))
    return plan


def _normalize(doc: Document, dialect_name: str | None, load, forced: bool = True) -> TrainingPlan:
    """One document → its plan, with the named dialect (``forced``) or the detected one.

    With ``forced=False`` the name is only a hint, used when that dialect is registered.
    A named dialect counts as certain (high confidence); a detected one fills in its
    framework's defaults only when detected with high confidence
    (:class:`~stablint.linter.dialects.Detection`).
    """
    from . import dialects

    det = None
    if dialect_name and (forced or dialect_name in dialects.dialect_names()):
        chosen = dialects.get(dialect_name)
        det = dialects.Detection(chosen, "high", chosen.evidence(doc), forced=True)
    det = det or dialects.detection(doc)
    if det.dialect is None:
        return TrainingPlan(path=doc.path, dialect="unknown", loader="unknown", documents=[doc], detection=det)
    ctx = dialects.Context(load, fill_defaults=det.fills_defaults)
    plan = det.dialect.normalize(doc, ctx)
    plan.detection = det
    plan.notes.extend(ctx.notes)
    return plan


def _quiet_load(path: str, max_bytes: int, root: str | None = None) -> Document | None:
    """A file referenced by a config (a base, a DeepSpeed JSON), or ``None`` when it cannot be read
    or lies outside ``root`` (:func:`stablint.linter.confine.check_inside`)."""
    try:
        check_inside(path, root, "a file this config references")
        return load_path(path, max_bytes)
    except InputError:
        return None


class _ReadFields(dict):
    """The plan's field mapping, recording which fields a rule read (``get``/``[]``/``in``)."""

    def __init__(self, fields: dict):
        super().__init__(fields)
        self.read: list[str] = []

    def get(self, key, default=None):  # noqa: D102 - dict API
        self.read.append(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.read.append(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.read.append(key)
        return super().__contains__(key)


def defaults_cited(plan: TrainingPlan, names: Iterable[str]) -> list[tuple[str, Any]]:
    """``(framework key, value)`` of each field in ``names`` that is a framework default
    (:attr:`Provenance.framework_default`), in first-read order, without repeats."""
    out: list[tuple[str, Any]] = []
    seen: set[str] = set()
    for name in names:
        pv = plan.fields.get(name) if name not in seen else None
        seen.add(name)
        if pv is not None and pv.resolved and pv.source is not None and pv.source.framework_default:
            out.append((pv.source.key or name, pv.value))
    return out


def _with_default_note(f: Finding, plan: TrainingPlan, read: list[str]) -> Finding:
    """``f`` with ``(... is the default of <framework>, not written in the file)`` appended when
    a value the rule read to reach it is a framework default (issue 12: a finding says what it
    rests on)."""
    cited = [(k, v) for k, v in defaults_cited(plan, read)
             if not re.search(rf"(?<![\w.]){re.escape(k)}(?![\w])", f.message)]  # not already named
    if not cited:
        return f
    from . import dialects

    title = dialects.facts_of(plan).title
    what = ", ".join(k if isinstance(v, bool) else f"{k}={v:g}" if isinstance(v, (int, float)) else f"{k}={v}"
                     for k, v in cited)
    verb = "is the default" if len(cited) == 1 else "are defaults"
    return f.with_(message=f"{f.message} ({what} {verb} of {title}, not written in the file)",
                   extra={**f.extra, "defaults": [k for k, _ in cited]})


def run_rules(plan: TrainingPlan, rules, options: LintOptions) -> list[Finding]:
    """Run ``rules`` on ``plan`` with the configured options and severities.

    A finding reached by reading a framework default says so in its message
    (:func:`_with_default_note`).
    """
    if plan.value("run.stage") == "inference":  # an eval/predict config trains nothing: load rules only
        rules = [r for r in rules if r.code.startswith("STL0")]
    out: list[Finding] = []
    fields = plan.fields
    for rule in rules:
        opts = dict(rule.options)
        opts.update(options.rule_options.get(rule.name, {}))
        recorder = _ReadFields(fields)
        plan.fields = recorder
        try:
            for f in rule.check(plan, opts):
                f = _with_default_note(f, plan, recorder.read)
                sev = options.severity.get(rule.name)
                out.append(f.with_(severity=sev) if sev else f)
        finally:
            plan.fields = fields
    return out


def lint_document(doc: Document, options: LintOptions, rules=None) -> FileResult:
    """Normalize and check one loaded document.

    Unless ``options.dialect`` forces a dialect, a document that is not a training config
    (:func:`~stablint.linter.filekinds.content_reason`, or no dialect reads it and it has no
    training key name) is skipped:
    no rule runs and ``FileResult.skipped`` says why.
    """
    from . import filekinds

    if not options.dialect:
        skip = filekinds.content_reason(doc)
        if skip is not None:
            return FileResult(path=doc.path, document=doc, skipped=skip)
    rules = selected_rules(options) if rules is None else rules
    plan = build_plan(doc, options)
    if not options.dialect:
        skip = filekinds.python_source_reason(doc, plan.dialect)
        if skip is not None:
            return FileResult(path=doc.path, plan=plan, document=doc, skipped=skip)
    if plan.dialect == "unknown" and not options.dialect and not filekinds.training_key_names(doc):
        det = plan.detection
        why = f" (too weak for {det.candidate})" if det is not None and det.candidate else ""
        return FileResult(path=doc.path, plan=plan, document=doc, skipped=filekinds.Skip(
            f"no training key names{why}", "no dialect"))
    sections = _section_plans(doc, plan, options)
    if sections:
        from .sections import merge_findings

        per = [(name, run_rules(p, rules, options)) for name, p in sections]
        return FileResult(path=doc.path, findings=merge_findings(per), plan=plan, document=doc,
                          sections=sections)
    return FileResult(path=doc.path, findings=run_rules(plan, rules, options), plan=plan, document=doc)


def _section_plans(doc: Document, plan: TrainingPlan, options: LintOptions) -> list[tuple[str, TrainingPlan]]:
    """One plan per device section of a generic config (:mod:`stablint.linter.sections`), each
    normalized like ``plan`` (same detection, same defaults policy); empty when the file has no
    device group, more than one, or is not read by the generic dialect."""
    if plan.dialect != "generic" or doc.fmt not in ("yaml", "json", "toml", "python"):
        return []
    from . import dialects
    from .crossfile import merge_references
    from .sections import device_groups, section_documents

    groups = device_groups(doc.root)
    if len(groups) != 1:
        if groups:
            plan.notes.append("device sections in " + " and ".join(g.path or "<root>" for g in groups)
                              + ": not split (which combination runs is not in the file)")
        return []
    root = repository_root(doc.path)
    load = lambda p: _quiet_load(p, options.max_bytes, root)  # noqa: E731 - as in build_plan
    out = []
    generic = dialects.get("generic")
    for name, sdoc in section_documents(doc, groups[0]):
        ctx = dialects.Context(load, fill_defaults=plan.fill_defaults)
        p = generic.normalize(sdoc, ctx)
        p.detection = plan.detection
        p.notes.extend(ctx.notes)
        p.notes.append(f"device section {name}: its keys merged over the shared ones")
        merge_references(p, sdoc, load, lambda d, hint: _normalize(d, hint, load, forced=False))
        out.append((name, p))
    plan.notes.append(f"device sections {', '.join(n for n, _ in out)} (at {groups[0].path or 'the top level'}): "
                      "each is checked as its own run")
    return out


def lint_file(path: str, options: LintOptions, rules=None) -> FileResult:
    """Load and lint one file; input problems become ``FileResult.error``, never exceptions.

    The whole file (its bases included) runs under ``options.timeout_s``. A file whose name
    or root says it is not a training config is skipped before any rule
    (:mod:`stablint.linter.filekinds`), unless ``options.dialect`` forces a dialect.
    """
    from . import filekinds

    try:
        if not options.dialect:
            skip = filekinds.name_reason(path)
            if skip is not None:
                return FileResult(path=path, skipped=skip)
        with time_limit(options.timeout_s):
            if os.path.islink(path):  # a committed symlink must not lead out of the repository
                check_inside(path, repository_root(path), "this symlink")
            doc = load_path(path, options.max_bytes)
            return lint_document(doc, options, rules)
    except FileTimeout as exc:
        return FileResult(path=path, error=timeout_error(path, exc))
    except RootNotMapping as exc:
        if options.dialect:
            return FileResult(path=path, error=exc)
        return FileResult(path=path, skipped=filekinds.root_reason(exc.kind))
    except InputError as exc:
        return FileResult(path=path, error=exc)
    except RecursionError:
        return FileResult(path=path, error=InputError(path, "structure too deeply nested"))
    except Exception as exc:  # an internal bug must not become a traceback for the user
        return FileResult(path=path, error=InputError(path, f"internal error ({type(exc).__name__}: {exc}); please report it"))


def lint_paths(paths: Iterable[str], options: LintOptions | None = None) -> LintResult:
    """Lint files and directories.

    Returns:
        A :class:`LintResult`; findings de-duplicated (a ``_base_`` file linted both
        directly and through a child reports once) and sorted.
    """
    from .config import ConfigResolver, strictest
    from .rules import unused_suppression
    from .suppressions import Suppressions

    from .exclude import Excluder

    options = options or LintOptions()
    configs = ConfigResolver(options.config_file, options.isolated)
    files, errors = collect_files(paths, Excluder(configs, options.force_exclude))
    suppressions = Suppressions() if options.suppressions else None
    result = LintResult(errors=list(errors), files=len(files))
    fail_ons: list[str | None] = []
    seen: set[tuple] = set()
    # 1. each file's configuration (nearest .stablint.yaml / pyproject.toml, or --config)
    jobs: list[tuple[str, Any, LintOptions, list]] = []
    for path in files:
        try:
            cfg = configs.for_file(path)
        except InputError as exc:
            if all((e.path, e.line, e.message) != (exc.path, exc.line, exc.message) for e in result.errors):
                result.errors.append(exc)
            continue
        file_options = cfg.apply(options, path) if cfg else options
        fail_ons.append(cfg.fail_on if cfg else None)
        jobs.append((path, cfg, file_options, selected_rules(file_options)))
    # 2. load, normalize, run the enabled rules (in worker processes for large runs)
    for (path, cfg, file_options, rules), (fr, documents) in zip(jobs, _run_files(jobs, options.jobs)):
        result.results.append(fr)
        if fr.error is not None:
            result.errors.append(fr.error)
        # 3. per-file-ignores of the file a finding points into, then inline suppressions
        findings = [f for f in fr.findings if not (cfg and cfg.drops(f))]
        if suppressions is not None:
            findings = suppressions.filter(findings, {r.name for r in rules}, documents)
        for f in findings:
            key = (f.path, f.line, f.column, f.code, f.message)
            if key not in seen:
                seen.add(key)
                result.findings.append(f)
    # 4. suppressions that suppressed nothing (rule unused-suppression, STL005)
    if suppressions is not None:
        unused = unused_suppression.findings(suppressions.unused(), options.severity)
        result.findings.extend(suppressions.filter(unused, ()))  # `disable-file=unused-suppression` works
    result.fail_on = strictest(fail_ons)
    result.findings.sort(key=Finding.sort_key)
    return result


@dataclass(frozen=True)
class _DocText:
    """What suppressions need of a document, cheap to send back from a worker process."""

    path: str
    text: str
    fmt: str


#: Below this many files a process pool costs more than it saves (measured: bench/README.md).
PARALLEL_MIN_FILES = 200


def _lint_in_worker(job: tuple[str, LintOptions, tuple[str, ...]]) -> tuple[FileResult, list[_DocText]]:
    path, options, rule_names = job
    from .rules import all_rules

    fr = lint_file(path, options, [r for r in all_rules() if r.name in rule_names])
    docs = [_DocText(d.path, d.text, d.fmt) for d in (fr.plan.documents if fr.plan else [])]
    slim = None
    if fr.plan is not None:  # what --show-files needs, without the documents
        slim = TrainingPlan(path=fr.plan.path, dialect=fr.plan.dialect, detection=fr.plan.detection)
    return FileResult(path=fr.path, findings=fr.findings, error=fr.error, skipped=fr.skipped, plan=slim), docs


def _run_files(jobs: list, n_jobs: int | None):
    """Lint each ``(path, cfg, options, rules)`` job; yields ``(FileResult, documents)`` in order.

    ``n_jobs``: 1 = in this process; ``None`` = automatic (all cores when there are at least
    :data:`PARALLEL_MIN_FILES` files); N > 1 = a pool of N worker processes. Results from
    workers carry findings, errors, skip reasons and a plan with only its dialect and detection.
    """
    workers = n_jobs if n_jobs is not None else (os.cpu_count() or 1) if len(jobs) >= PARALLEL_MIN_FILES else 1
    if workers <= 1 or len(jobs) < 2:
        for path, _cfg, opts, rules in jobs:
            fr = lint_file(path, opts, rules)
            yield fr, (fr.plan.documents if fr.plan else [])
        return
    from concurrent.futures import ProcessPoolExecutor

    payload = [(path, opts, tuple(r.name for r in rules)) for path, _cfg, opts, rules in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_lint_in_worker, payload, chunksize=max(1, len(payload) // (workers * 8)))


def exit_code(result: LintResult, fail_on: str | None = "warning", exit_zero: bool = False) -> int:
    """0 nothing at/above ``fail_on``; 1 findings; 2 input errors (design.md exit codes).

    ``fail_on=None`` uses the configuration's ``fail-on`` (``result.fail_on``), else ``"warning"``.
    """
    if result.errors:
        return 2
    if exit_zero:
        return 0
    threshold = SEVERITY_RANK[fail_on or result.fail_on or "warning"]
    return 1 if any(SEVERITY_RANK[f.severity] <= threshold for f in result.findings) else 0
