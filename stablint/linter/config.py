"""Project configuration: ``[tool.stablint]`` in ``pyproject.toml`` or ``.stablint.yaml``.

Discovery (ruff's "closest config wins", research/linter_anchors.md A.1 and C.6):
for each linted file, walk up from its directory; in each directory look for
``.stablint.yaml``, ``.stablint.yml``, then a ``pyproject.toml`` that has a
``[tool.stablint]`` table (a pyproject without it is skipped, ruff#1223). The
first hit wins; settings are not merged across files. The walk stops after the
repository root (a directory holding ``.git``) or at the filesystem root.
``--config FILE`` replaces discovery, ``--isolated`` ignores config files.

Keys (JSON Schema: ``stablint/schemas/config.schema.json``)::

    [tool.stablint]
    select = ["STL1", "lora-scaling-too-low"]   # names, codes, code prefixes, ALL
    extend-select = ["STL201"]
    ignore = ["yaml-float-as-string"]
    fail-on = "error"
    extend-exclude = ["tests/", "ansible/"]      # gitignore-style; see stablint/linter/exclude.py
    force-exclude = true                         # also for files named explicitly (pre-commit)
    respect-gitignore = true
    [tool.stablint.per-file-ignores]
    "legacy/*.yaml" = ["STL101"]
    [tool.stablint.rules.plateau-patience-too-long]
    severity = "error"
    max_patience_ratio = 0.2

A broken config (bad YAML/TOML, unknown key, unknown rule, unknown option,
wrong option type) raises :class:`~stablint.linter.document.InputError` at
``path:line:col`` naming the key; the lint run then exits 2 (a broken config
must never exit 0: hadolint#816, research/linter_anchors.md C.6).
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from ..schemas import load_schema
from .document import InputError, Node
from .finding import SEVERITY_RANK, Finding

#: File names looked for in each directory, in priority order.
CONFIG_NAMES = (".stablint.yaml", ".stablint.yml", "pyproject.toml")


@dataclass
class Config:
    """One parsed configuration file.

    Attributes:
        path: the config file.
        root: directory that ``per-file-ignores`` globs are relative to (the file's directory).
        select, extend_select, ignore: rule selectors (names, codes, code prefixes, ``ALL``).
        per_file_ignores: ``(glob, selectors)`` pairs in file order.
        fail_on: ``"error"``/``"warning"``/``"info"`` or ``None`` (not set).
        severity: rule name → severity override.
        rule_options: rule name → option overrides (validated against ``Rule.options``).
        exclude: gitignore-style patterns replacing the default exclusions (``None``: not set).
        extend_exclude: patterns excluded in addition to ``exclude`` or the defaults.
        force_exclude: apply the patterns to files named explicitly too.
        respect_gitignore: skip what ``.gitignore`` ignores in directory walks (default true).
    """

    path: str
    root: str
    select: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: list[tuple[str, list[str]]] = field(default_factory=list)
    fail_on: str | None = None
    severity: dict[str, str] = field(default_factory=dict)
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    exclude: list[str] | None = None
    extend_exclude: list[str] = field(default_factory=list)
    force_exclude: bool = False
    respect_gitignore: bool = True

    def file_ignores(self, path: str) -> list[str]:
        """Selectors of every ``per-file-ignores`` glob that matches ``path``.

        A glob is matched against ``path`` relative to :attr:`root` (``/``-separated);
        a glob without ``/`` is also matched against the file name (ruff's convention).
        ``fnmatch`` semantics: ``*`` also crosses ``/``.
        """
        rel = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
        base = os.path.basename(path)
        out: list[str] = []
        for glob, selectors in self.per_file_ignores:
            if fnmatch.fnmatchcase(rel, glob) or ("/" not in glob and fnmatch.fnmatchcase(base, glob)):
                out.extend(selectors)
        return out

    def apply(self, options, path: str):
        """The :class:`~stablint.linter.engine.LintOptions` for ``path``: command line over config.

        ``--select`` replaces ``select``; ``extend-select`` is added to whichever
        selection is in force (unless it is "everything"); ``--ignore``, ``ignore``
        and matching ``per-file-ignores`` are combined; options and severities set
        programmatically on ``options`` win over the config's.
        """
        select = list(options.select or self.select)
        if select and self.extend_select:
            select += self.extend_select
        ignore = list(options.ignore) + self.ignore + self.file_ignores(path)
        rule_options = {name: dict(opts) for name, opts in self.rule_options.items()}
        for name, opts in options.rule_options.items():
            rule_options.setdefault(name, {}).update(opts)
        severity = {**self.severity, **options.severity}
        return replace(options, select=select, ignore=ignore, rule_options=rule_options, severity=severity)

    def drops(self, finding: Finding) -> bool:
        """True when ``per-file-ignores`` matches the file the finding points into (e.g. a ``_base_`` file)."""
        from .rules import matches, by_key

        rule = by_key(finding.code)
        return rule is not None and any(matches(rule, s) for s in self.file_ignores(finding.path))


class ConfigResolver:
    """Finds and caches the configuration of each linted file.

    Args:
        config_file: explicit ``--config`` file (replaces discovery), or ``None``.
        isolated: ``--isolated``: use no configuration file at all.
    """

    def __init__(self, config_file: str | None = None, isolated: bool = False):
        self.config_file = config_file
        self.isolated = isolated
        self._by_dir: dict[str, Config | None] = {}
        self._explicit: Config | None = None

    def for_file(self, path: str) -> Config | None:
        """The configuration governing ``path`` (``None`` = built-in defaults).

        Raises:
            InputError: the governing config file is broken (``path:line:col`` naming the key).
        """
        if self.isolated:
            return None
        if self.config_file:
            if self._explicit is None:
                self._explicit = load_config(self.config_file, explicit=True)
            return self._explicit
        return self._for_dir(os.path.dirname(os.path.abspath(path)))

    def _for_dir(self, directory: str) -> Config | None:
        if directory in self._by_dir:
            return self._by_dir[directory]
        found: Config | None = None
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate):
                found = load_config(candidate)
                if found is not None:
                    break
        if found is None and not os.path.exists(os.path.join(directory, ".git")):
            parent = os.path.dirname(directory)
            if parent != directory:
                found = self._for_dir(parent)
        self._by_dir[directory] = found
        return found


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The configuration JSON Schema shipped in ``stablint/schemas/config.schema.json``."""
    return load_schema("config.schema.json")


def load_config(path: str, explicit: bool = False) -> Config | None:
    """Parse and validate one config file.

    Args:
        path: ``.stablint.yaml``/``.yml`` (keys at the top level) or a TOML file
            (keys under ``[tool.stablint]``).
        explicit: given with ``--config``: a TOML file without ``[tool.stablint]``
            is then an error instead of being skipped.

    Returns:
        The :class:`Config`, or ``None`` for a ``pyproject.toml`` without ``[tool.stablint]``.

    Raises:
        InputError: unreadable or malformed file, schema violation, unknown rule,
            unknown option or wrong option type, at the offending key.
    """
    from .loaders import load_path

    is_toml = path.endswith(".toml")
    if is_toml and not explicit:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                if "tool.stablint" not in fh.read():
                    return None
        except OSError as exc:
            raise InputError(path, f"cannot read config: {exc.strerror or exc}") from None
    doc = load_path(path, fmt="toml" if is_toml else "yaml")
    for issue in doc.issues:
        if issue.kind == "duplicate-key":
            raise InputError(path, f"invalid config: duplicate key '{issue.key_path}'", issue.line, issue.column)
    node = doc.root
    prefix: list[str] = []
    if is_toml:
        node = doc.root.find("tool.stablint") if isinstance(doc.root.value, dict) else None
        prefix = ["tool", "stablint"]
        if node is None:
            if explicit:
                raise InputError(path, "invalid config: no [tool.stablint] table")
            return None
    data = _plain(node)
    _validate_schema(path, node, data, prefix)
    return _build(path, node, data, prefix)


def _plain(node: Node) -> Any:
    """Plain data with YAML 1.2 numbers (``2e-1`` is a float in stablint's own config)."""
    v = node.value
    if isinstance(v, dict):
        return {k: _plain(c) for k, c in v.items()}
    if isinstance(v, list):
        return [_plain(c) for c in v]
    if isinstance(v, str) and node.alt is not None:
        return node.alt
    return v


def _node_at(node: Node, parts: list[Any]) -> Node:
    """The deepest existing node along ``parts`` (keys may contain dots, so no dotted find)."""
    for part in parts:
        nxt = None
        if isinstance(node.value, dict):
            nxt = node.value.get(str(part))
        elif isinstance(node.value, list) and isinstance(part, int) and 0 <= part < len(node.value):
            nxt = node.value[part]
        if nxt is None:
            break
        node = nxt
    return node


def _fail(path: str, root: Node, parts: list[Any], prefix: list[str], message: str) -> InputError:
    line, col = _node_at(root, parts).anchor
    key = ".".join(str(p) for p in prefix + parts)
    return InputError(path, f"invalid config: {key}: {message}" if key else f"invalid config: {message}", line, col)


def _validate_schema(path: str, root: Node, data: Any, prefix: list[str]) -> None:
    import jsonschema  # lazy: only when a config file exists

    validator = jsonschema.validators.validator_for(schema())(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        return
    err = errors[0]
    parts = list(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        extra = next((k for k in err.instance if k not in allowed), None)
        if extra is not None:
            raise _fail(path, root, parts + [extra], prefix,
                        f"unknown key (allowed: {', '.join(sorted(allowed))})")
    if err.validator == "propertyNames":
        raise _fail(path, root, parts + [err.instance], prefix, "not a rule name or code")
    raise _fail(path, root, parts, prefix, _schema_message(err))


_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
               (list, "array"), (dict, "object"), (type(None), "null"))


def _json_type(value: Any) -> str:
    """The JSON Schema type name of a loaded value (``bool`` before ``int``: bool is an int in Python)."""
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), type(value).__name__)


def _schema_message(err: Any) -> str:
    """Our own sentence for the common schema errors (type, enum); jsonschema's text otherwise.

    The wording of the user-facing error is our contract, so it must not change when jsonschema
    rewords its messages (issue 11).
    """
    if err.validator == "type":
        expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        return f"expected {' or '.join(map(str, expected))}, got {_json_type(err.instance)} {err.instance!r}"
    if err.validator == "enum":
        return f"expected one of {', '.join(map(str, err.validator_value))}; got {err.instance!r}"
    return err.message


def _check_selectors(path: str, root: Node, prefix: list[str], parts: list[Any], selectors: list[str]) -> None:
    from .rules import catalog, matches

    for i, sel in enumerate(selectors):
        if sel.upper() != "ALL" and not any(matches(r, sel) for r in catalog()):
            raise _fail(path, root, parts + [i], prefix, f"unknown rule {sel!r} (see `stablint rules`)")


def _option_type_ok(default: Any, value: Any) -> bool:
    """Type check against the option's default (bool, int, float accepts int, str, list; None = any)."""
    if default is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, type(default))


def _build(path: str, root: Node, data: dict[str, Any], prefix: list[str]) -> Config:
    from .rules import by_key
    from .safe_regex import PatternError, compile_pattern, is_pattern_option

    cfg = Config(path=path, root=os.path.dirname(os.path.abspath(path)))
    for key, attr in (("select", "select"), ("extend-select", "extend_select"), ("ignore", "ignore")):
        if key in data:
            _check_selectors(path, root, prefix, [key], data[key])
            setattr(cfg, attr, list(data[key]))
    for glob, selectors in data.get("per-file-ignores", {}).items():
        _check_selectors(path, root, prefix, ["per-file-ignores", glob], selectors)
        cfg.per_file_ignores.append((glob, list(selectors)))
    cfg.fail_on = data.get("fail-on")
    if "exclude" in data:
        cfg.exclude = list(data["exclude"])
    cfg.extend_exclude = list(data.get("extend-exclude", []))
    cfg.force_exclude = bool(data.get("force-exclude", False))
    cfg.respect_gitignore = bool(data.get("respect-gitignore", True))
    for key, settings in data.get("rules", {}).items():
        rule = by_key(key)
        if rule is None:
            raise _fail(path, root, ["rules", key], prefix, "unknown rule (see `stablint rules`)")
        for opt, value in settings.items():
            if opt == "severity":
                cfg.severity[rule.name] = value
                continue
            if opt not in rule.options:
                known = ", ".join(sorted(rule.options)) or "none"
                if opt in rule.retired_options:
                    raise _fail(path, root, ["rules", key, opt], prefix,
                                f"option removed from rule {rule.name}: {rule.retired_options[opt]}; "
                                f"delete it (options: {known})")
                raise _fail(path, root, ["rules", key, opt], prefix,
                            f"unknown option for rule {rule.name} (options: {known})")
            default = rule.options[opt]
            if not _option_type_ok(default, value):
                raise _fail(path, root, ["rules", key, opt], prefix,
                            f"expected {type(default).__name__} like the default {default!r}, got {value!r}")
            if is_pattern_option(opt):
                try:
                    compile_pattern(value)
                except PatternError as exc:
                    raise _fail(path, root, ["rules", key, opt], prefix, str(exc)) from None
            cfg.rule_options.setdefault(rule.name, {})[opt] = value
    return cfg


def strictest(fail_ons: list[str | None]) -> str | None:
    """The ``fail-on`` that fails on the most findings (``info`` over ``warning`` over ``error``), or ``None``."""
    given = [f for f in fail_ons if f]
    return max(given, key=lambda f: SEVERITY_RANK[f]) if given else None
