"""Is this file a training config at all? Decided per file, before any rule (issues 12 and 17).

A repository that installs the pre-commit hook hands stablint every YAML, JSON,
TOML, Python and shell file it has: CI workflows, Docker Compose, conda
environments, editor settings, model and tokenizer ``config.json``, training
logs, test modules. None of them is a training config, and a linter that reports
on them (or refuses them with an input error) blocks commits for nothing. Such
files are **skipped silently**: no finding, no input error, exit 0; ``stablint
lint --show-files`` lists each with its reason.

Two tables, checked in order; both are data, each entry with what it recognises:

* :data:`NON_CONFIG_NAMES`: file names and path tails that are never training
  configs (checked *before* loading, so a JSONC ``tsconfig.json`` or a Jinja-laden
  Ansible file cannot become a parse error);
* :data:`NON_CONFIG_SHAPES`: top-level key shapes of loaded files (a Kubernetes
  manifest, a GitHub workflow whose name is unusual, a HF ``trainer_state.json``
  saved under another name, a model ``config.json``).

A file whose root is not a mapping (a list: Ansible playbooks, JSON datasets such
as ``alpaca_data.json``) is no framework's training config and is skipped too
(:func:`root_reason`), and so is a file that no dialect reads and that has no
training key name at all (:func:`training_key_names`). ``--dialect`` turns all of this off: a file the user names a
dialect for is linted.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from typing import Callable

from .document import Document

#: ``(pattern, reason)``: a pattern without ``/`` matches the file name, one with ``/``
#: the end of the path (``.github/workflows/*.yml``). Matching is case-insensitive.
NON_CONFIG_NAMES: tuple[tuple[str, str], ...] = (
    # CI / automation
    (".github/workflows/*.y*ml", "GitHub Actions workflow"),
    (".github/*.y*ml", "GitHub repository settings (dependabot, issue templates)"),
    (".github/ISSUE_TEMPLATE/*.y*ml", "GitHub issue template"),
    ("action.y*ml", "GitHub Action metadata"),
    (".gitlab-ci.y*ml", "GitLab CI pipeline"),
    (".travis.y*ml", "Travis CI config"),
    ("azure-pipelines*.y*ml", "Azure Pipelines config"),
    (".circleci/config.y*ml", "CircleCI config"),
    ("codecov.y*ml", "Codecov config"),
    (".codecov.y*ml", "Codecov config"),
    (".pre-commit-config.y*ml", "pre-commit config"),
    (".pre-commit-hooks.y*ml", "pre-commit hook definitions"),
    (".readthedocs.y*ml", "Read the Docs config"),
    (".yamllint*", "yamllint config"),
    ("renovate.json*", "Renovate config"),
    # containers / infrastructure
    ("docker-compose*.y*ml", "Docker Compose file"),
    ("compose.y*ml", "Docker Compose file"),
    ("compose.*.y*ml", "Docker Compose file"),
    ("devcontainer.json", "dev container config"),
    (".devcontainer.json", "dev container config"),
    ("Chart.yaml", "Helm chart metadata"),
    # environments / packaging / docs / editors
    ("recipe/meta.yaml", "conda-build recipe"),
    ("conda.recipe/meta.yaml", "conda-build recipe"),
    ("conda/meta.yaml", "conda-build recipe"),
    ("mkdocs*.y*ml", "MkDocs site config"),
    ("pyproject.toml", "Python project metadata"),
    ("Cargo.toml", "Rust package manifest"),
    ("ruff.toml", "ruff config"),
    (".ruff.toml", "ruff config"),
    (".stablint.y*ml", "stablint's own config"),
    ("package.json", "npm package manifest"),
    ("package-lock.json", "npm lock file"),
    ("tsconfig*.json", "TypeScript config"),
    ("jsconfig*.json", "JavaScript project config"),
    (".eslintrc*", "ESLint config"),
    (".prettierrc*", "Prettier config"),
    (".markdownlint*", "markdownlint config"),
    (".vscode/*.json", "editor settings"),
    # model / tokenizer / dataset files written by the libraries
    ("tokenizer.json", "tokenizer file"),
    ("tokenizer_config.json", "tokenizer config"),
    ("special_tokens_map.json", "tokenizer file"),
    ("added_tokens.json", "tokenizer file"),
    ("vocab.json", "tokenizer vocabulary"),
    ("generation_config.json", "model generation config"),
    ("preprocessor_config.json", "model preprocessor config"),
    ("*.safetensors.index.json", "model weight index"),
    ("*.bin.index.json", "model weight index"),
    ("dataset_info*.json", "dataset metadata"),
    ("dataset_infos.json", "dataset metadata"),
    ("dataset_dict.json", "dataset metadata"),
    # logs and results of finished runs
    ("trainer_state.json", "training log (HF Trainer state)"),
    ("all_results.json", "training results (HF Trainer output)"),
    ("train_results.json", "training results (HF Trainer output)"),
    ("eval_results.json", "evaluation results (HF Trainer output)"),
    ("*.csv", "CSV table or metrics log (Lightning metrics.csv)"),
    ("*.md", "Markdown document (README, HF model or dataset card)"),
    ("*.rst", "reStructuredText document"),
    ("*.txt", "text file (requirements, notes, plain logs)"),
    ("*.ini", "INI file"),
    ("*.cfg", "INI-style config (setup.cfg, flake8)"),
    ("*.lock", "lock file"),
    ("*.jsonl", "JSON-lines data or log"),
    # tests and packaging scripts
    ("test_*.py", "pytest test module"),
    ("*_test.py", "pytest test module"),
    ("conftest.py", "pytest conftest"),
    ("setup.py", "packaging script"),
    ("noxfile.py", "nox session file"),
)


def _has(*keys: str) -> Callable[[Document], bool]:
    return lambda doc: set(keys) <= doc.keys()


def _workflow(doc: Document) -> bool:
    keys = doc.keys()  # PyYAML reads the bare key ``on`` as the boolean True (YAML 1.1)
    return "jobs" in keys and ("on" in keys or True in keys)


def _compose(doc: Document) -> bool:
    services = doc.root.get("services")
    if services is None or not services.is_mapping or not services.value:
        return False
    return all(s.is_mapping and ({"image", "build"} & set(s.value)) for s in services.value.values())


def _conda(doc: Document) -> bool:
    deps = doc.root.get("dependencies")
    return deps is not None and deps.is_sequence and bool({"channels", "name", "prefix"} & doc.keys())


def _precommit(doc: Document) -> bool:
    repos = doc.root.get("repos")
    return repos is not None and repos.is_sequence and all(r.is_mapping and "repo" in r.value for r in repos.value)


#: Top-level names of a training config (any framework): a model/tokenizer config has none.
TRAINING_KEYS = frozenset({
    "learning_rate", "lr", "lr0", "base_lr", "batch_size", "per_device_train_batch_size", "micro_batch_size",
    "train_batch_size", "train_micro_batch_size_per_gpu", "num_train_epochs", "num_epochs", "epochs", "max_epochs",
    "max_steps", "optimizer", "optim", "optim_wrapper", "lr_scheduler", "scheduler", "trainer", "SOLVER", "training",
    "gradient_accumulation_steps", "warmup_steps", "warmup_ratio", "weight_decay", "max_grad_norm",
})


def _ansible_vars(doc: Document) -> bool:
    return any(isinstance(k, str) and k.startswith("ansible_") for k in doc.keys())


def _model_config(doc: Document) -> bool:
    keys = doc.keys()
    model = "architectures" in keys or ({"model_type", "vocab_size"} <= keys) or ({"model_type", "hidden_size"} <= keys)
    return model and not keys & TRAINING_KEYS


def _tokenizer_config(doc: Document) -> bool:
    keys = doc.keys()
    return bool({"tokenizer_class", "added_tokens_decoder"} & keys) and not keys & TRAINING_KEYS


def _dataset_card(doc: Document) -> bool:
    keys = doc.keys()
    return bool({"dataset_info", "task_categories", "annotations_creators"} & keys) and not keys & TRAINING_KEYS


#: ``(test, reason)`` on a loaded document's top level, in order.
NON_CONFIG_SHAPES: tuple[tuple[Callable[[Document], bool], str], ...] = (
    # HF trainer_state.json: log_history + global_step/best_metric (transformers trainer_callback.TrainerState)
    (_has("log_history"), "training log (HF TrainerState: log_history)"),
    (_has("apiVersion", "kind"), "Kubernetes manifest (apiVersion, kind)"),
    (_workflow, "CI workflow (on, jobs)"),
    (_compose, "Docker Compose file (services with image/build)"),
    (_conda, "conda environment (dependencies, channels)"),
    (_has("site_name"), "MkDocs site config (site_name)"),
    (_precommit, "pre-commit config (repos)"),
    (_has("compilerOptions"), "TypeScript config (compilerOptions)"),
    (lambda doc: "$schema" in doc.keys() or {"properties", "type"} <= doc.keys(), "JSON Schema ($schema/properties)"),
    (_ansible_vars, "Ansible variables (ansible_* keys)"),
    (_model_config, "model config (architectures/model_type, no training keys)"),
    (_tokenizer_config, "tokenizer config (tokenizer_class, no training keys)"),
    (_dataset_card, "dataset card metadata (dataset_info/task_categories)"),
)

#: Lightning loggers (CSVLogger, TensorBoardLogger) write ``hparams.yaml`` into each run's
#: ``version_<n>`` folder beside ``metrics.csv`` / ``events.out.tfevents.*`` (``save_hyperparameters``
#: output, lightning ``loggers/csv_logs.py`` NAME_HPARAMS_FILE): a record of a finished run, not an input.
_LOGGER_DIR = re.compile(r"^version_\d+$")


@dataclass(frozen=True)
class Skip:
    """Why a file is not linted: ``reason`` (one phrase) and ``how`` it was decided
    (``"name"``, ``"content"``, ``"root"``, ``"no dialect"``)."""

    reason: str
    how: str


def _tail_match(path: str, pattern: str) -> bool:
    parts = path.replace("\\", "/").split("/")
    n = pattern.count("/") + 1
    return fnmatch.fnmatch("/".join(parts[-n:]).lower(), pattern.lower())


def name_reason(path: str) -> Skip | None:
    """A :class:`Skip` when ``path``'s name says it is not a training config (see :data:`NON_CONFIG_NAMES`)."""
    for pattern, reason in NON_CONFIG_NAMES:
        if _tail_match(path, pattern):
            return Skip(reason, "name")
    if os.path.basename(path) == "hparams.yaml":
        folder = os.path.dirname(os.path.abspath(path))
        try:
            siblings = os.listdir(folder)
        except OSError:
            siblings = []
        if _LOGGER_DIR.match(os.path.basename(folder)) or "metrics.csv" in siblings \
                or any(s.startswith("events.out.tfevents") for s in siblings):
            return Skip("logger output of a finished run (Lightning hparams.yaml beside its metrics)", "name")
    return None


def content_reason(doc: Document) -> Skip | None:
    """A :class:`Skip` when the loaded ``doc``'s top level has a non-config shape (:data:`NON_CONFIG_SHAPES`)."""
    if doc.fmt not in ("yaml", "json", "toml"):
        return None
    for test, reason in NON_CONFIG_SHAPES:
        if test(doc):
            return Skip(reason, "content")
    return None


def training_key_names(doc: Document) -> set[str]:
    """Names anywhere in ``doc`` that training configs use (:data:`TRAINING_KEYS` and the generic
    dialect's aliases, lower-cased): the evidence that keeps a file no dialect claims in the run,
    for the load-pitfall rules (a duplicated ``learning_rate``)."""
    from .dialects.generic import ALIASES

    known = {k.lower() for k in TRAINING_KEYS} | {n for names in ALIASES.values() for n in names}
    names = {p.rsplit(".", 1)[-1].lower() for p, _ in doc.root.walk() if p}
    return names & known


#: A function or method definition or a ``__main__`` guard: Python *source* (a script, a library module, a
#: test helper), not a config file (configs assign values; nanoGPT, mmengine and detectron2 configs and zencfg
#: config classes define no functions).
_PY_SOURCE = re.compile(r"^[ \t]*(?:async\s+)?def\s+\w+\s*\(|^if\s+__name__\s*==", re.M)


def python_source_reason(doc: Document, dialect: str) -> Skip | None:
    """A :class:`Skip` for a Python file that no framework dialect claims (``dialect`` is ``generic``
    or ``unknown``) and that defines functions or methods or a ``__main__`` guard: source code whose
    module-level names (``batch_size = 1`` in a helper or a test) are not a run's settings."""
    if doc.fmt != "python" or dialect not in ("generic", "unknown"):
        return None
    m = _PY_SOURCE.search(doc.text)
    if m is None:
        return None
    line = doc.text.count("\n", 0, m.start()) + 1
    return Skip(f"Python source, not a config (a function or __main__ guard at line {line}; no framework's config)",
                "content")


def root_reason(kind: str) -> Skip:
    """The :class:`Skip` of a file whose root is ``kind`` (``"a list"``) instead of a mapping."""
    return Skip(f"root is {kind}, not a mapping (Ansible playbook, dataset, list of records)", "root")


__all__ = ["NON_CONFIG_NAMES", "NON_CONFIG_SHAPES", "Skip", "TRAINING_KEYS", "content_reason", "name_reason",
           "python_source_reason", "root_reason", "training_key_names"]
