"""Lint every file of the unseen benchmark and summarise the findings per rule and split.

Usage: ``python bench/unseen/run.py [--split test|calibration|all] [--out results.json]``

Reads ``MANIFEST.tsv`` next to this script; each row's file is ``files/<local>`` (redistributable) or the
same layout under the git-ignored ``cache/`` (``python bench/unseen/fetch.py`` fills it). All files go to
one ``stablint lint --format json --isolated --exit-zero`` process (``--isolated``: no project
configuration changes what is reported); if that process dies (a traceback, exit code other than 0/1/2,
or output that is not JSON) every file is linted on its own so the crashing ones are named.

Writes ``results.json``: one record per manifest row with its findings (rule, severity, line, message,
dialect) and input errors, plus per-split counts. Prints, per split, the number of findings per rule
and severity, the findings on non-config files (expected: none), the input errors and any crash.
Judgements of the test half live in ``judgements.tsv``; ``--judged`` prints precision per rule from it.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent


def read_manifest(path: Path = HERE / "MANIFEST.tsv") -> list[dict[str, str]]:
    """Rows of the manifest as dicts (columns: id, repo, path, commit, licence, framework, kind, split, local, extra_paths)."""
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def local_file(row: dict[str, str]) -> Path:
    """Where this row's file lies here: ``files/...`` or, for non-redistributable ones, ``cache/...``."""
    return HERE / row["local"]


def lint(paths: list[Path]) -> tuple[dict | None, str, int]:
    """Run ``stablint lint`` on ``paths`` in one process; return (parsed JSON or None, stderr, exit code)."""
    cmd = [sys.executable, "-m", "stablint", "lint", "--format", "json", "--isolated", "--exit-zero", "-j", "1"]
    proc = subprocess.run(cmd + [str(p) for p in paths], capture_output=True, text=True)
    try:
        return json.loads(proc.stdout), proc.stderr, proc.returncode
    except json.JSONDecodeError:
        return None, proc.stderr, proc.returncode


def main() -> int:
    """Lint the benchmark, write results.json, print the per-rule table; exit 1 on a crash."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="all", choices=["all", "test", "calibration"])
    ap.add_argument("--out", type=Path, default=HERE / "results.json")
    ap.add_argument("--judged", action="store_true", help="also print precision per rule from judgements.tsv")
    args = ap.parse_args()
    rows = [r for r in read_manifest() if args.split == "all" or r["split"] == args.split]
    present = [r for r in rows if local_file(r).is_file()]
    missing = [r["id"] for r in rows if not local_file(r).is_file()]
    by_path = {str(local_file(r)): r for r in present}
    crashes: list[dict] = []
    data, stderr, rc = lint([local_file(r) for r in present])
    if data is None or rc not in (0, 1, 2) or "Traceback" in stderr:
        findings, errors = [], []
        for r in present:
            d, err, code = lint([local_file(r)])
            if d is None or code not in (0, 1, 2) or "Traceback" in err:
                crashes.append({"id": r["id"], "rc": code, "stderr": err[-2000:]})
                continue
            findings += d["findings"]
            errors += d.get("errors", [])
    else:
        findings, errors = data["findings"], data.get("errors", [])
    records = {r["id"]: {**{k: r[k] for k in ("id", "repo", "path", "framework", "kind", "split")},
                         "findings": [], "errors": []} for r in present}
    for f in findings:
        row = by_path.get(f["path"])
        if row is None:  # a base file reported under its own path: attribute it to the row whose tree holds it
            row = next((r for p, r in by_path.items() if f["path"].startswith(str(HERE / "files" / r["id"]))
                        or f["path"].startswith(str(HERE / "cache" / r["id"]))), None)
        if row is None:
            continue
        rec = {k: f.get(k) for k in ("rule", "code", "severity", "line", "field", "dialect", "message")}
        rec["file"] = str(Path(f["path"]).resolve().relative_to(HERE)) if f["path"].startswith(str(HERE)) else f["path"]
        records[row["id"]]["findings"].append(rec)
    for e in errors:
        p = e.get("path") if isinstance(e, dict) else None
        row = by_path.get(p) if p else None
        if row:
            records[row["id"]]["errors"].append(e)
    summary: dict[str, dict] = {}
    for split in ("calibration", "test"):
        recs = [rec for rec in records.values() if rec["split"] == split]
        per_rule: Counter = Counter()
        for rec in recs:
            for f in rec["findings"]:
                per_rule[f"{f['rule']}:{f['severity']}"] += 1
        summary[split] = {
            "files": len(recs),
            "configs": sum(rec["kind"] == "config" for rec in recs),
            "repos": len({rec["repo"] for rec in recs}),
            "findings_per_rule": dict(sorted(per_rule.items())),
            "nonconfig_findings": sum(len(rec["findings"]) for rec in recs if rec["kind"] == "nonconfig"),
            "files_with_errors": sum(bool(rec["errors"]) for rec in recs),
        }
    out = {"summary": summary, "missing": missing, "crashes": crashes,
           "records": sorted(records.values(), key=lambda r: r["id"])}
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    for split, s in summary.items():
        print(f"== {split}: {s['files']} files ({s['configs']} configs) from {s['repos']} repositories")
        for key, n in s["findings_per_rule"].items():
            print(f"   {n:4d}  {key}")
        print(f"   non-config files with findings: {s['nonconfig_findings']} findings")
        print(f"   files with input errors: {s['files_with_errors']}")
    for rec in records.values():
        if rec["kind"] == "nonconfig" and (rec["findings"] or rec["errors"]):
            print(f"NONCONFIG {rec['id']} {rec['repo']}:{rec['path']}: "
                  + "; ".join(f"{f['rule']}@{f['line']}" for f in rec["findings"])
                  + "; ".join(str(e.get("message", e))[:100] for e in rec["errors"]))
    for rec in records.values():
        if rec["kind"] == "config" and rec["errors"]:
            print(f"ERROR {rec['id']} {rec['repo']}:{rec['path']}: "
                  + "; ".join(str(e.get("message", e))[:160] for e in rec["errors"]))
    if missing:
        print(f"missing files ({len(missing)}): run bench/unseen/fetch.py; first: {missing[:5]}")
    for c in crashes:
        print(f"CRASH {c['id']} rc={c['rc']}\n{c['stderr']}")
    if args.judged:
        print_precision(records)
    return 1 if crashes else 0


def print_precision(records: dict[str, dict]) -> None:
    """Precision per rule on the judged test half: TP / (TP + FP) at warning and error level."""
    path = HERE / "judgements.tsv"
    if not path.is_file():
        print("no judgements.tsv")
        return
    with path.open(newline="") as fh:
        judged = list(csv.DictReader(fh, delimiter="\t"))
    verdicts = {(j["id"], j["ruleId"], str(j["line"])): j["verdict"] for j in judged}
    per_rule: dict[str, Counter] = defaultdict(Counter)
    for rec in records.values():
        if rec["split"] != "test":
            continue
        for f in rec["findings"]:
            if f["severity"] not in ("warning", "error"):
                continue
            v = verdicts.get((rec["id"], f["rule"], str(f["line"])), "unjudged")
            per_rule[f["rule"]][v] += 1
        for e in rec["errors"]:
            v = verdicts.get((rec["id"], "input-error", str(e.get("line"))), "unjudged")
            per_rule["input-error"][v] += 1
    print("== precision on the test half (warning + error findings, and input errors)")
    for rule, c in sorted(per_rule.items()):
        tp, fp = c["TP"], c["FP"]
        prec = f"{tp / (tp + fp):.0%}" if tp + fp else "-"
        print(f"   {rule:32s} TP {tp:3d}  FP {fp:3d}  unjudged {c['unjudged']:3d}  precision {prec}")


if __name__ == "__main__":
    sys.exit(main())
