"""``stablint lint -`` : lint text read from standard input (editors, ``git show REV:f | stablint lint -``).

``--stdin-filename NAME`` names the text: its extension picks the loader, its directory the
configuration file (as if the file were at ``NAME``; without it, the working directory's), and findings carry it as their path
(ruff's ``--stdin-filename``). Without it the text is read as YAML and called ``-``.
"""

from __future__ import annotations

import os

from .document import InputError
from . import filekinds
from .timelimit import FileTimeout, time_limit, timeout_error
from .engine import FileResult, LintOptions, LintResult, lint_document, selected_rules


def lint_text(text: str, filename: str | None, options: LintOptions) -> LintResult:
    """Lint ``text`` as the file ``filename`` (``None``: YAML named ``-``).

    Returns:
        A :class:`LintResult` with ``files == 1``; input problems (a broken config, a
        parse error) are in ``errors``, never raised.
    """
    from .config import ConfigResolver
    from .loaders import load_text
    from .rules import unused_suppression
    from .suppressions import Suppressions

    name = filename or "-"
    result = LintResult(files=1)
    try:
        # the config of NAME's directory (of the working directory without a name)
        cfg = ConfigResolver(options.config_file, options.isolated).for_file(os.path.abspath(name))
        file_options = cfg.apply(options, name) if cfg else options
        rules = selected_rules(file_options)
        skip = filekinds.name_reason(name) if filename and not file_options.dialect else None
        if skip is not None:  # named like a non-config (a workflow, a model card): as lint_file does
            result.results.append(FileResult(path=name, skipped=skip))
            return result
        with time_limit(file_options.timeout_s):  # the same per-file limit as files on disk
            doc = load_text(name, text, fmt=None if filename else "yaml")
            fr = lint_document(doc, file_options, rules)
    except FileTimeout as exc:
        result.errors.append(timeout_error(name, exc))
        return result
    except InputError as exc:
        result.errors.append(exc)
        return result
    except RecursionError:
        result.errors.append(InputError(name, "structure too deeply nested"))
        return result
    findings = [f for f in fr.findings if not (cfg and cfg.drops(f))]
    if options.suppressions:
        sup = Suppressions()
        findings = sup.filter(findings, {r.name for r in rules}, fr.plan.documents if fr.plan else [doc])
        findings += sup.filter(unused_suppression.findings(sup.unused(), options.severity), ())
    result.results.append(fr)
    result.findings = sorted(findings, key=lambda f: f.sort_key())
    result.fail_on = cfg.fail_on if cfg else None
    return result
