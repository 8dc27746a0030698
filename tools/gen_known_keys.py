"""Regenerate ``stablint/linter/dialects/known_keys.json`` from the frameworks' own sources.

Usage::

    python tools/gen_known_keys.py --cache /tmp/known_keys_cache \\
        --yolov5 /path/to/ultralytics/yolov5.git --detectron2 /path/to/detectron2.git

What it reads (nothing is imported or executed: Python sources are parsed with :mod:`ast`,
YAML with ``yaml.safe_load``):

* PyPI wheels, downloaded with ``pip download --no-deps PKG==VERSION`` into ``--cache``
  (each source records the wheel's file name and sha256): ``transformers``
  (``TrainingArguments``, ``Seq2SeqTrainingArguments``), ``trl`` (every ``@dataclass`` in
  ``trl/trainer/*config*.py``, ``trl/scripts/utils.py``, ``trl/commands/cli_utils.py``),
  ``peft`` (``LoraConfig`` + ``PeftConfig`` + ``PeftConfigMixin``), ``llamafactory``
  (every ``@dataclass`` in ``llamafactory/hparams/*.py``), ``ultralytics``
  (``cfg/default.yaml`` keys plus the keys ``_handle_deprecation`` still accepts).
* git mirrors (``--yolov5``, ``--detectron2``: bare or normal clones; each source records the
  tag and commit): yolov5 ``data/hyp*.yaml``/``data/hyps/*.yaml`` and the ``meta`` dict of
  ``train.py`` (the hyperparameters ``--evolve`` knows); detectron2 top-level ``_C.X``
  nodes of ``detectron2/config/defaults.py``.

A dataclass field counts when it can be passed to ``__init__`` (``field(init=False)`` and
``ClassVar`` are skipped). The output lists, per key set, every source (version, file,
identifier) with its own key list, so a rule can say in which versions a key exists.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from typing import Iterable

OUT = os.path.join(os.path.dirname(__file__), "..", "stablint", "linter", "dialects", "known_keys.json")

#: key set -> (PyPI package, versions, [(path glob inside the wheel, class names or "*")])
PYPI: dict[str, tuple[str, list[str], list[tuple[str, list[str] | str]]]] = {
    "transformers.TrainingArguments": (
        "transformers",
        ["4.20.1", "4.26.1", "4.30.2", "4.34.1", "4.36.2", "4.41.2", "4.46.3", "4.51.3", "4.57.6",
         "5.0.0", "5.12.1", "5.25.0"],
        [("transformers/training_args.py", ["TrainingArguments"])],
    ),
    "transformers.Seq2SeqTrainingArguments": (
        "transformers",
        ["4.20.1", "4.30.2", "4.41.2", "4.46.3", "4.57.6", "5.25.0"],
        [("transformers/training_args_seq2seq.py", ["Seq2SeqTrainingArguments"])],
    ),
    "trl.configs": (
        "trl",
        ["0.8.6", "0.9.6", "0.12.2", "0.15.2", "0.19.1", "0.23.1", "0.29.1", "1.0.0", "1.8.0", "1.16.0"],
        [("trl/trainer/*config*.py", "*"), ("trl/scripts/utils.py", "*"), ("trl/commands/cli_utils.py", "*"),
         ("trl/trainer/utils.py", ["ModelConfig"])],
    ),
    "peft.LoraConfig": (
        "peft",
        ["0.4.0", "0.6.2", "0.10.0", "0.13.2", "0.17.1", "0.21.2"],
        [("peft/config.py", ["PeftConfigMixin", "PeftConfig"]), ("peft/utils/config.py", ["PeftConfigMixin", "PeftConfig"]),
         ("peft/tuners/lora/config.py", ["LoraConfig"]), ("peft/tuners/lora.py", ["LoraConfig"])],
    ),
    "llamafactory.hparams": (
        "llamafactory",
        ["0.7.1", "0.8.3", "0.9.4", "0.9.5"],
        [("llamafactory/hparams/*.py", "*")],
    ),
}
ULTRALYTICS_VERSIONS = ["8.0.0", "8.0.239", "8.1.47", "8.2.103", "8.3.253", "8.4.190"]
YOLOV5_TAGS = ["v5.0", "v6.0", "v6.1", "v6.2", "v7.0", "HEAD"]
DETECTRON2_TAGS = ["v0.4.1", "v0.6", "HEAD"]


def sh(*args: str, cwd: str | None = None) -> str:
    """Run a command, return its stdout (raises ``CalledProcessError`` on failure)."""
    return subprocess.run(args, cwd=cwd, check=True, capture_output=True, text=True).stdout


def wheel(cache: str, pkg: str, version: str) -> str:
    """Path of ``pkg==version``'s wheel in ``cache``, downloading it with pip if absent."""
    os.makedirs(cache, exist_ok=True)
    norm = pkg.replace("-", "_")
    for name in os.listdir(cache):
        if name.startswith(f"{norm}-{version}-") and name.endswith(".whl"):
            return os.path.join(cache, name)
    sh(sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-q", "-d", cache,
       f"{pkg}=={version}")
    return wheel(cache, pkg, version)


def sha256(path: str) -> str:
    """Hex sha256 of a file."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _is_field_init_false(value: ast.expr | None) -> bool:
    if not isinstance(value, ast.Call):
        return False
    return any(kw.arg == "init" and isinstance(kw.value, ast.Constant) and kw.value.value is False
               for kw in value.keywords)


def _is_dataclass(cls: ast.ClassDef) -> bool:
    for dec in cls.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name == "dataclass":
            return True
    return False


def dataclass_fields(source: str, classes: list[str] | str) -> dict[str, list[str]]:
    """``{class name: [init fields]}`` of the named classes (``"*"``: every ``@dataclass``) in ``source``."""
    tree = ast.parse(source)
    out: dict[str, list[str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        if classes == "*" and not _is_dataclass(node):
            continue
        if classes != "*" and node.name not in classes:
            continue
        names = []
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                ann = ast.unparse(stmt.annotation)
                if "ClassVar" in ann or _is_field_init_false(stmt.value):
                    continue
                names.append(stmt.target.id)
        out[node.name] = names
    return out


def from_wheels(cache: str) -> dict[str, list[dict]]:
    """Every PyPI key set of :data:`PYPI`: ``{set: [source, ...]}``."""
    sets: dict[str, list[dict]] = {}
    for set_name, (pkg, versions, specs) in PYPI.items():
        for version in versions:
            path = wheel(cache, pkg, version)
            keys: set[str] = set()
            files: list[str] = []
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
                for glob, classes in specs:
                    for member in sorted(n for n in names if fnmatch.fnmatch(n, glob)):
                        found = dataclass_fields(zf.read(member).decode("utf-8"), classes)
                        for cls, fields in found.items():
                            keys.update(fields)
                            files.append(f"{member}:{cls}")
            if not keys:
                raise SystemExit(f"{set_name}: nothing found in {os.path.basename(path)}")
            sets.setdefault(set_name, []).append({
                "version": version, "origin": f"pypi:{os.path.basename(path)}", "sha256": sha256(path),
                "classes": files, "keys": sorted(keys)})
    return sets


_DEPRECATED = re.compile(r"""(?:key\s*==|in\s+custom|custom\.pop\(|custom\.get\()\s*\(?\s*["'](\w+)["']""")


def _deprecated_keys(func: ast.FunctionDef, source: str) -> set[str]:
    """Old key names ``_handle_deprecation`` accepts: ``key == "x"``/``"x" in custom`` tests, the keys of
    its mapping dicts and the members of its sets of removed keys (all its versions' styles)."""
    found = set(_DEPRECATED.findall(source))
    for node in ast.walk(func):
        consts: list[ast.expr] = []
        value = node.value if isinstance(node, ast.Assign) else None
        if isinstance(value, ast.Dict):  # deprecated_mappings = {"boxes": ("show_boxes", ...)}
            consts = [k for k in value.keys if k is not None]
        elif isinstance(value, ast.Set):  # removed_keys = {"label_smoothing", ...}
            consts = list(value.elts)
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In) and isinstance(node.comparators[0], ast.Name):
            consts = [node.left]  # "x" in custom
        elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Name):
            consts = list(node.comparators)  # key == "x"
        found.update(c.value for c in consts if isinstance(c, ast.Constant) and isinstance(c.value, str)
                     and re.fullmatch(r"[a-z_][a-z0-9_]*", c.value))
    return found


def from_ultralytics(cache: str) -> list[dict]:
    """``cfg/default.yaml`` keys plus the deprecated keys ``_handle_deprecation`` maps, per version."""
    import yaml

    out = []
    for version in ULTRALYTICS_VERSIONS:
        path = wheel(cache, "ultralytics", version)
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            default = next(n for n in names if re.search(r"/(cfg|configs)/default\.yaml$", n))
            keys = set(yaml.safe_load(io.TextIOWrapper(zf.open(default), "utf-8")))
            init = next((n for n in names if re.search(r"/(cfg|configs)/__init__\.py$", n)), None)
            deprecated: set[str] = set()
            if init is not None:
                src = zf.read(init).decode("utf-8")
                for node in ast.walk(ast.parse(src)):
                    if isinstance(node, ast.FunctionDef) and node.name == "_handle_deprecation":
                        deprecated = _deprecated_keys(node, ast.get_source_segment(src, node) or "")
        out.append({"version": version, "origin": f"pypi:{os.path.basename(path)}", "sha256": sha256(path),
                    "classes": [default] + ([f"{init}:_handle_deprecation"] if deprecated else []),
                    "keys": sorted(keys | deprecated)})
    return out


def git_show(repo: str, rev: str, path: str) -> str | None:
    """File ``path`` at ``rev`` of the git repository ``repo``, ``None`` if absent."""
    try:
        return sh("git", f"--git-dir={_git_dir(repo)}", "show", f"{rev}:{path}")
    except subprocess.CalledProcessError:
        return None


def _git_dir(repo: str) -> str:
    return os.path.join(repo, ".git") if os.path.isdir(os.path.join(repo, ".git")) else repo


def git_files(repo: str, rev: str) -> list[str]:
    """Every file path of ``rev``."""
    return sh("git", f"--git-dir={_git_dir(repo)}", "ls-tree", "-r", "--name-only", rev).split()


def from_yolov5(repo: str) -> list[dict]:
    """yolov5 hyp file keys and ``train.py``'s evolve ``meta`` keys per tag."""
    import yaml

    out = []
    for tag in YOLOV5_TAGS:
        commit = sh("git", f"--git-dir={_git_dir(repo)}", "rev-parse", f"{tag}^{{commit}}").strip()
        keys: set[str] = set()
        files = []
        for path in git_files(repo, commit):
            if re.fullmatch(r"data/(hyps/)?hyp[^/]*\.yaml", path):
                data = yaml.safe_load(git_show(repo, commit, path) or "")
                if isinstance(data, dict):
                    keys.update(data)
                    files.append(path)
        train = git_show(repo, commit, "train.py") or ""
        for node in ast.walk(ast.parse(train)):
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
                    and any(isinstance(t, ast.Name) and t.id == "meta" for t in node.targets)):
                keys.update(k.value for k in node.value.keys if isinstance(k, ast.Constant))
                files.append("train.py:meta")
        out.append({"version": tag, "origin": "git:github.com/ultralytics/yolov5", "commit": commit,
                    "classes": files, "keys": sorted(keys)})
    return out


def from_detectron2(repo: str) -> list[dict]:
    """Top-level ``_C.X`` nodes of ``detectron2/config/defaults.py`` per tag."""
    out = []
    for tag in DETECTRON2_TAGS:
        commit = sh("git", f"--git-dir={_git_dir(repo)}", "rev-parse", f"{tag}^{{commit}}").strip()
        src = git_show(repo, commit, "detectron2/config/defaults.py") or ""
        keys = set()
        for node in ast.parse(src).body:
            if isinstance(node, ast.Assign):
                for t in node.targets:
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "_C":
                        keys.add(t.attr)
        out.append({"version": tag, "origin": "git:github.com/facebookresearch/detectron2", "commit": commit,
                    "classes": ["detectron2/config/defaults.py:_C"], "keys": sorted(keys | {"_BASE_"})})
    return out


def _compact(doc: dict) -> str:
    """JSON with one line per source (key lists inline): small, and diffs show which source changed."""
    lines = ["{", f' "_header": {json.dumps(doc["_header"])},', ' "sets": {']
    names = list(doc["sets"])
    for i, name in enumerate(names):
        lines.append(f"  {json.dumps(name)}: [")
        sources = doc["sets"][name]
        for j, src in enumerate(sources):
            lines.append("   " + json.dumps(src) + ("," if j < len(sources) - 1 else ""))
        lines.append("  ]" + ("," if i < len(names) - 1 else ""))
    lines += [" }", "}"]
    return "\n".join(lines)


def main(argv: Iterable[str] | None = None) -> int:
    """Write the JSON file (see the module docstring); returns the exit code."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", required=True, help="folder for downloaded wheels")
    ap.add_argument("--yolov5", required=True, help="git clone of ultralytics/yolov5")
    ap.add_argument("--detectron2", required=True, help="git clone of facebookresearch/detectron2")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args(list(argv) if argv is not None else None)
    sets = from_wheels(args.cache)
    sets["ultralytics.default_yaml"] = from_ultralytics(args.cache)
    sets["yolov5.hyp"] = from_yolov5(args.yolov5)
    sets["detectron2.top_level"] = from_detectron2(args.detectron2)
    doc = {
        "_header": {
            "what": "top-level key sets of training frameworks, one entry per source version, for unknown-key (STL004)",
            "generated_by": "tools/gen_known_keys.py (do not edit by hand; rerun it)",
            "method": "dataclass fields that __init__ accepts (ast, never imported); YAML keys via yaml.safe_load",
        },
        "sets": sets,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(_compact(doc))
        f.write("\n")
    for name, sources in sets.items():
        union = set().union(*(s["keys"] for s in sources))
        print(f"{name}: {len(sources)} versions, {len(union)} keys")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
