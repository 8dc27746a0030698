"""Build the unseen benchmark (``MANIFEST.tsv`` and ``files/``) from local git snapshots.

This is how the benchmark was assembled; it is kept so the selection is reproducible and auditable,
not because it has to be run again. It reads snapshots that the search tool's ``fetch`` put under
``--mirror`` (``<mirror>/<owner>+<name>/repo``, bare git directories), one line per repository in
``--repos``, and for each repository:

* classifies every ``.yaml/.yml/.json/.toml/.py`` file by content signatures (which framework's config
  it looks like) and keeps at most ``--per-repo`` configs, spreading over frameworks and folders;
* keeps at most ``--nonconfig-per-repo`` files that sit in ML repositories but are not training
  configs (CI workflows, docker-compose, conda environments, mkdocs, pre-commit, model/tokenizer
  ``config.json``, ``trainer_state.json``, k8s manifests, dataset YAMLs, ``pyproject.toml``);
* resolves ``_base_`` (mmengine/mmcv), ``_BASE_`` (detectron2) and Hydra ``defaults`` by copying the
  config's folder tree of the same type, so the linted file sees its bases at their relative paths;
* reads the repository's LICENSE to decide whether the files may be redistributed: permissive
  licences (MIT, Apache-2.0, BSD, ISC, Unlicense, CC0) go to ``files/``, anything else (no licence,
  GPL/AGPL, non-commercial) is recorded in the manifest only and materialised into the git-ignored
  ``cache/`` (``fetch.py`` can recreate it from raw.githubusercontent.com or from the snapshots).

The split is by repository: ``sha256(repo)`` even -> ``calibration``, odd -> ``test``.

Nothing here executes repository code: files are read with ``git cat-file`` and classified as text.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import posixpath
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXTS = (".yaml", ".yml", ".json", ".toml", ".py")
MAX_BYTES = 200_000
PERMISSIVE = {"MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "ISC", "Unlicense", "CC0-1.0"}


def split_of(repo: str) -> str:
    """Return ``calibration`` or ``test`` for a repository (stable: parity of sha256(repo))."""
    return "calibration" if hashlib.sha256(repo.encode()).digest()[0] % 2 == 0 else "test"


def git(repo_dir: Path, *args: str) -> str:
    """Run git in a bare snapshot and return stdout as text (errors replaced)."""
    out = subprocess.run(["git", "-C", str(repo_dir), *args], capture_output=True, check=True)
    return out.stdout.decode("utf-8", "replace")


def tree(repo_dir: Path) -> dict[str, int]:
    """Map path -> size (bytes) of every blob in HEAD."""
    result = {}
    for line in git(repo_dir, "ls-tree", "-r", "-l", "HEAD").splitlines():
        meta, path = line.split("\t", 1)
        parts = meta.split()
        if parts[1] == "blob" and parts[3].isdigit():
            result[path] = int(parts[3])
    return result


def show(repo_dir: Path, path: str) -> str:
    """Text of ``path`` at HEAD."""
    return git(repo_dir, "show", f"HEAD:{path}")


def licence_of(repo_dir: Path, files: dict[str, int]) -> str:
    """SPDX-like id from the root LICENSE/COPYING text; ``NOASSERTION`` when none is found."""
    cands = [p for p in files if "/" not in p and re.match(r"(?i)(licen[cs]e|copying)", p)]
    if not cands:
        return "NOASSERTION"
    text = show(repo_dir, sorted(cands, key=len)[0])[:6000]
    low = text.lower()
    if "gnu affero" in low:
        return "AGPL-3.0"
    if "gnu lesser" in low:
        return "LGPL"
    if "gnu general public license" in low:
        return "GPL-3.0" if "version 3" in low else "GPL-2.0"
    if "apache license" in low:
        return "Apache-2.0"
    if "permission is hereby granted, free of charge" in low:
        return "MIT"
    if "redistribution and use in source and binary forms" in low:
        return "BSD-3-Clause" if "neither the name" in low or "contributors may be used" in low else "BSD-2-Clause"
    if "mozilla public license" in low:
        return "MPL-2.0"
    if "noncommercial" in low or "non-commercial" in low:
        return "CC-BY-NC"
    if "unlicense" in low or "this is free and unencumbered" in low:
        return "Unlicense"
    if "cc0" in low:
        return "CC0-1.0"
    if "permission to use, copy, modify, and/or distribute" in low:
        return "ISC"
    return "OTHER"


NONCONFIG_PATTERNS = [
    ("github-workflow", re.compile(r"^\.github/workflows/[^/]+\.ya?ml$")),
    ("docker-compose", re.compile(r"(^|/)(docker-)?compose[^/]*\.ya?ml$")),
    ("conda-env", re.compile(r"(^|/)(conda[-_])?env(ironment)?[^/]*\.ya?ml$")),
    ("mkdocs", re.compile(r"(^|/)mkdocs\.ya?ml$")),
    ("pre-commit", re.compile(r"(^|/)\.pre-commit-config\.ya?ml$")),
    ("readthedocs", re.compile(r"(^|/)\.readthedocs\.ya?ml$")),
    ("trainer-state", re.compile(r"(^|/)trainer_state\.json$")),
    ("tokenizer-config", re.compile(r"(^|/)(tokenizer_config|special_tokens_map|generation_config)\.json$")),
    ("model-config-json", re.compile(r"(^|/)config\.json$")),
    ("issue-template", re.compile(r"^\.github/ISSUE_TEMPLATE/[^/]+\.ya?ml$")),
    ("pyproject", re.compile(r"^pyproject\.toml$")),
    ("citation", re.compile(r"(^|/)CITATION\.cff$")),
    ("vscode", re.compile(r"(^|/)\.vscode/[^/]+\.json$")),
    ("results-json", re.compile(r"(^|/)[^/]*(result|metric|eval_|scores)[^/]*\.json$")),
]


def nonconfig_kind(path: str, text: str) -> str | None:
    """Name of the non-config category ``path`` belongs to, or None."""
    for name, pat in NONCONFIG_PATTERNS:
        if pat.search(path):
            if name == "model-config-json" and not re.search(r'"(architectures|model_type)"', text):
                continue
            return name
    if path.endswith((".yaml", ".yml")):
        if re.search(r"^apiVersion:", text, re.M) and re.search(r"^kind:", text, re.M):
            return "k8s-manifest"
        if re.search(r"^names:", text, re.M) and re.search(r"^(nc|train|path):", text, re.M) and "lr0" not in text:
            return "dataset-yaml"
    return None


def framework_of(path: str, text: str) -> str | None:
    """Which framework's training config ``text`` looks like (content signatures), or None."""
    ext = posixpath.splitext(path)[1]
    base = posixpath.basename(path)
    if ext == ".json":
        if base == "adapter_config.json" and "peft_type" in text:
            return "peft"
        if '"zero_optimization"' in text or '"train_micro_batch_size_per_gpu"' in text:
            return "deepspeed"
        if '"per_device_train_batch_size"' in text or ('"learning_rate"' in text and '"num_train_epochs"' in text):
            return "hf-json"
        if re.search(r'"(lr|learning_rate)"\s*:', text) and re.search(r'"(epochs|batch_size|max_epochs)"', text):
            return "custom-json"
        return None
    if ext == ".toml":
        if "[training]" in text and ("[optimizer]" in text or "[model]" in text):
            return "torchtitan"
        if "network_module" in text or "pretrained_model_name_or_path" in text or "[[datasets]]" in text:
            return "kohya"
        if re.search(r"^(lr|learning_rate)\s*=", text, re.M):
            return "custom-toml"
        return None
    if ext == ".py":
        if "_base_" in text and re.search(r"^_base_\s*=", text, re.M):
            return "mmengine"
        if re.search(r"^(optimizer|lr_config|param_scheduler|train_cfg|optim_wrapper)\s*=\s*dict\(", text, re.M):
            return "mmengine"
        if (path.startswith("config/") or "/config/" in path or path.startswith("configs/")) and re.search(
            r"^(learning_rate|max_iters|batch_size|lr)\s*=", text, re.M
        ):
            if "import torch" not in text and "def " not in text:
                return "nanogpt-py"
        return None
    # YAML
    if re.search(r"_component_:\s*torchtune", text):
        return "torchtune"
    if re.search(r"^stage:\s*\w", text, re.M) and "finetuning_type" in text:
        return "llamafactory"
    if re.search(r"^base_model:", text, re.M) and re.search(r"^(micro_batch_size|sequence_len|adapter):", text, re.M):
        return "axolotl"
    if re.search(r"^lr0:", text, re.M) and re.search(r"^(task|mode):", text, re.M):
        return "ultralytics-args"
    if re.search(r"^lr0:", text, re.M) and re.search(r"^(anchor_t|fl_gamma|obj|box):", text, re.M):
        return "yolov5-hyp"
    if re.search(r"^_BASE_:", text, re.M) or (re.search(r"^SOLVER:", text, re.M) and re.search(r"^MODEL:", text, re.M)):
        return "detectron2"
    if "class_path" in text and re.search(r"^(fit:|trainer:|model:)", text, re.M):
        return "lightning-cli"
    if re.search(r"^fit:", text, re.M) and re.search(r"^\s+(trainer|model|data):", text, re.M):
        return "lightning-cli"  # subcommand-nested LightningCLI config (fit: {trainer: ..., model: ...})
    if re.search(r"^(fine_tune_type|lora_parameters):", text, re.M) or (
        re.search(r"^iters:", text, re.M) and re.search(r"^(model|data):", text, re.M)
    ):
        return "mlx-lm"
    if re.search(r"^defaults:", text, re.M) and ("_target_" in text or "_self_" in text or re.search(r"^\s*-\s*\w+:", text, re.M)):
        return "hydra"
    if re.search(r"^model_name_or_path:", text, re.M) and re.search(
        r"^(per_device_train_batch_size|learning_rate|num_train_epochs|gradient_accumulation_steps):", text, re.M
    ):
        return "trl-hf-yaml"
    if re.search(r"^(distributed_type|compute_environment):", text, re.M):
        return None  # accelerate launcher config: neither a training config nor obviously non-config
    if re.search(r"^\s*(lr|learning_rate|base_lr|init_lr):", text, re.M) and re.search(
        r"^\s*(epochs|max_epochs|num_epochs|batch_size|max_steps|n_epochs|train_batch_size|iters|max_iter):", text, re.M
    ):
        return "custom-yaml"
    return None


def base_refs(path: str, text: str, framework: str) -> list[str]:
    """Repository paths that ``path`` names as bases (``_base_``/``_BASE_``), normalised."""
    refs: list[str] = []
    here = posixpath.dirname(path)
    if framework == "mmengine":
        try:
            mod = ast.parse(text)
        except SyntaxError:
            return []
        for node in mod.body:
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_base_" for t in node.targets):
                vals = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
                for v in vals:
                    if isinstance(v, ast.Constant) and isinstance(v.value, str) and "::" not in v.value:
                        refs.append(posixpath.normpath(posixpath.join(here, v.value)))
    elif framework == "detectron2":
        m = re.search(r"^_BASE_:\s*['\"]?([^'\"\s#]+)", text, re.M)
        if m:
            refs.append(posixpath.normpath(posixpath.join(here, m.group(1))))
    return refs


def hydra_root(path: str) -> str:
    """The config root for a Hydra file: its folder, or the folder above ``experiment/``."""
    parts = path.split("/")
    if "experiment" in parts[:-1]:
        return "/".join(parts[: parts.index("experiment")])
    return posixpath.dirname(path)


def hydra_depth(path: str) -> int:
    """0 for a primary config at the root, 1 for an experiment file, 2 for a group member."""
    if "experiment" in path.split("/")[:-1]:
        return 1
    d = posixpath.dirname(path)
    return 0 if posixpath.basename(d) in ("configs", "config", "conf", "") else 2


def hydra_root_files(path: str, files: dict[str, int]) -> list[str]:
    """Every YAML under the primary config's folder (Hydra's config root, its groups included)."""
    root = hydra_root(path)
    prefix = root + "/" if root else ""
    return [p for p in files if p.startswith(prefix) and p.endswith((".yaml", ".yml")) and files[p] < MAX_BYTES and p != path][:400]


NONCONFIG_USED: dict[str, int] = defaultdict(int)


def pick(repo: str, repo_dir: Path, per_repo: int, nonconfig_per_repo: int) -> tuple[list[dict], str, str]:
    """Choose this repository's configs and non-configs; return (entries, licence, commit)."""
    files = tree(repo_dir)
    commit = git(repo_dir, "rev-parse", "HEAD").strip()
    lic = licence_of(repo_dir, files)
    configs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    nonconfigs: dict[str, list[str]] = defaultdict(list)
    for p, size in sorted(files.items()):
        if not p.endswith(EXTS + (".cff",)) or size > MAX_BYTES or size == 0:
            continue
        low = p.lower()
        if any(seg in "/" + low for seg in ("node_modules/", "site-packages/", "/tests/", "/test/", "/fixtures/", "third_party/")):
            continue
        try:
            text = show(repo_dir, p)
        except subprocess.CalledProcessError:
            continue
        nk = nonconfig_kind(p, text)
        if nk:
            nonconfigs[nk].append(p)
            continue
        if p.endswith(".cff"):
            continue
        fw = framework_of(p, text)
        if fw:
            configs[fw].append((p, text))
    chosen: list[dict] = []
    # round-robin over frameworks; inside one, spread over folders, prefer files that have bases
    order = sorted(configs, key=lambda k: -len(configs[k]))
    used_dirs: set[str] = set()
    rank = 0
    while len(chosen) < per_repo and any(configs[k] for k in order):
        for fw in order:
            if len(chosen) >= per_repo or not configs[fw]:
                continue
            lst = configs[fw]
            if fw == "hydra":
                lst.sort(key=lambda pt: (hydra_depth(pt[0]) > 1, posixpath.dirname(pt[0]) in used_dirs,
                                         "train" not in posixpath.basename(pt[0]).lower(), len(pt[0]), pt[0]))
            else:
                lst.sort(key=lambda pt: (posixpath.dirname(pt[0]) in used_dirs, "train" not in pt[0].lower(), len(pt[0]), pt[0]))
            p, text = lst.pop(0)
            used_dirs.add(posixpath.dirname(p))
            extra: list[str] = []
            if fw in ("mmengine", "detectron2"):
                todo = [p]
                seen = {p}
                while todo:
                    cur = todo.pop()
                    try:
                        cur_text = text if cur == p else show(repo_dir, cur)
                    except subprocess.CalledProcessError:
                        continue
                    for ref in base_refs(cur, cur_text, fw):
                        if ref in files and ref not in seen:
                            seen.add(ref)
                            extra.append(ref)
                            todo.append(ref)
            elif fw == "hydra":
                extra = hydra_root_files(p, files)
            chosen.append({"path": p, "framework": fw, "kind": "config", "extra": extra})
        rank += 1
    nk_order = sorted(nonconfigs, key=lambda k: (NONCONFIG_USED[k], k))
    taken = 0
    for nk in nk_order:
        if taken >= nonconfig_per_repo:
            break
        p = sorted(nonconfigs[nk], key=len)[0]
        chosen.append({"path": p, "framework": nk, "kind": "nonconfig", "extra": []})
        NONCONFIG_USED[nk] += 1
        taken += 1
    return chosen, lic, commit


def main() -> None:
    """Parse arguments, select files from every snapshot, write MANIFEST.tsv and files/ (+ cache/)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repos", type=Path, required=True, help="one owner/name a line")
    ap.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--per-repo", type=int, default=3)
    ap.add_argument("--nonconfig-per-repo", type=int, default=1)
    ap.add_argument("--exclude", type=Path, help="repositories already in the development corpora")
    args = ap.parse_args()
    exclude = set(args.exclude.read_text().split()) if args.exclude else set()
    rows = []
    for repo in [r.strip() for r in args.repos.read_text().splitlines() if r.strip()]:
        if repo in exclude:
            continue
        repo_dir = args.mirror / repo.replace("/", "+") / "repo"
        if not repo_dir.is_dir():
            print("missing snapshot", repo)
            continue
        entries, lic, commit = pick(repo, repo_dir, args.per_repo, args.nonconfig_per_repo)
        for e in entries:
            rows.append((repo, repo_dir, lic, commit, e))
    rows.sort(key=lambda r: (r[0].lower(), r[4]["path"]))
    # ids are stable: a (repo, path) already in the manifest keeps its id, new rows get the next numbers,
    # so judgements.tsv (keyed by id) survives adding repositories
    old_ids: dict[tuple[str, str], str] = {}
    if (HERE / "MANIFEST.tsv").is_file():
        for line in (HERE / "MANIFEST.tsv").read_text().splitlines()[1:]:
            cols = line.split("\t")
            old_ids[(cols[1], cols[2])] = cols[0]
    next_num = max((int(v[1:]) for v in old_ids.values()), default=0) + 1
    ids = []
    for repo, _d, _l, _c, e in rows:
        if (repo, e["path"]) in old_ids:
            ids.append(old_ids[(repo, e["path"])])
        else:
            ids.append(f"u{next_num:04d}")
            next_num += 1
    for sub in ("files", "cache"):
        shutil.rmtree(HERE / sub, ignore_errors=True)
    lines = ["id\trepo\tpath\tcommit\tlicence\tframework\tkind\tsplit\tlocal\textra_paths"]
    for uid, (repo, repo_dir, lic, commit, e) in zip(ids, rows):
        top = "files" if lic in PERMISSIVE else "cache"
        if e["extra"]:
            local = f"{top}/{uid}/{e['path']}"
            for p in [e["path"], *e["extra"]]:
                dst = HERE / top / uid / p
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.write_text(show(repo_dir, p))
        else:
            local = f"{top}/{uid}_{posixpath.basename(e['path'])}"
            dst = HERE / local
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(show(repo_dir, e["path"]))
        lines.append(
            "\t".join(
                [uid, repo, e["path"], commit, lic, e["framework"], e["kind"], split_of(repo),
                 local, ",".join(e["extra"])]
            )
        )
    (HERE / "MANIFEST.tsv").write_text("\n".join(lines) + "\n")
    print(f"{len(rows)} entries from {len({r[0] for r in rows})} repositories")


if __name__ == "__main__":
    main()
