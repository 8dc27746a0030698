"""Reproduce bench/validity/README.md's tables: ``python bench/validity/run.py [--no-plots]``.

Trains what ``cache/`` lacks (:mod:`bench.validity.compute`), then writes ``results.json``
(small summary, committed), the tables between the ``<!-- tables -->`` markers of README.md,
and one PNG per signal under ``plots/``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from bench.validity import analysis as an  # noqa: E402
from bench.validity.compute import compute_all  # noqa: E402
from bench.validity.digits_target import dataset_name  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
#: Evidence key plotted per signal (the statistic the threshold applies to) and its threshold.
STAT = {"lr-ab": ("difference_over_l0", "ab_rel"), "noise-scale": ("b_simple_over_b", "noise_ratio"),
        "task-grad-share": ("dominated_fraction", "share_steps"), "lora-effective-update": ("gain", "lora_gain"),
        "clip-saturation": ("clip_rate", "clip_rate_warn"), "lr-never-changes": ("constant_share", "lr_constant_fraction"),
        "lr-cut-too-late": ("lag_epochs", "lr_cut_max_lag_epochs"), "update-ratio": ("median_log10", None),
        "loss-spike": ("max_spike_score", None)}


def _num(v):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else (1e9 if x > 0 else None)


def stat(signal: str, ev: dict):
    """The plotted statistic of one verdict's evidence (``None`` when absent)."""
    ev = ev or {}
    key = STAT.get(signal, (None,))[0]
    if signal == "lr-ab":
        d, l0 = _num(ev.get("difference")), _num(ev.get("init_loss"))
        return d / abs(l0) if d is not None and l0 else None
    if signal == "lr-cut-too-late" and "lag_epochs" not in ev:
        return _num(ev.get("stall_epochs"))  # no cut in the probe: epochs since the best so far
    return _num(ev.get(key)) if key else None


def table(title: str, groups: dict) -> list[str]:
    """Markdown confusion table: one line per group."""
    out = [f"### {title}", "", "| | N | conf/pos | conf/neg | n-o/pos | n-o/neg | inc/pos | inc/neg | precision | recall "
           "| agreement (decided) | inconclusive |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, c in groups.items():
        m = c["matrix"]
        out.append(f"| {name} | {c['n']} | {m['confirmed']['pos']} | {m['confirmed']['neg']} | {m['not-observed']['pos']} "
                   f"| {m['not-observed']['neg']} | {m['inconclusive']['pos']} | {m['inconclusive']['neg']} "
                   f"| {an.fmt(c['precision'])} | {an.fmt(c['recall'])} | {an.fmt(c['agreement'])} ({c['decided']}) "
                   f"| {an.fmt(c['inconclusive'])} |")
    return out + [""]


def predictive(rs: list[dict]) -> dict:
    """(signal, rule) → {"confirmed": "k of n", "not-observed": "k of n"}: how often each verdict direction was right."""
    out: dict = {}
    for r in rs:
        if r["label"] is None or r["verdict"] not in ("confirmed", "not-observed"):
            continue
        e = out.setdefault((r["signal"], r["rule"]), {"confirmed": [0, 0], "not-observed": [0, 0]})
        right = bool(r["label"]) == (r["verdict"] == "confirmed")
        e[r["verdict"]][0] += right
        e[r["verdict"]][1] += 1
    return {k: {d: f"{a} of {n}" if n else "-" for d, (a, n) in v.items()} for k, v in sorted(out.items())}


def plots(rs: list[dict], cal: dict) -> list[str]:
    """One PNG per signal: statistic (x) vs long-run label (y, jittered), threshold line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(os.path.join(HERE, "plots"), exist_ok=True)
    made = []
    for sig in sorted({r["signal"] for r in rs if r["signal"]}):
        pts = [(stat(sig, r["evidence"]), r["label"], r["half"], r["verdict"]) for r in rs if r["signal"] == sig]
        pts = [p for p in pts if p[0] is not None and p[1] is not None]
        if not pts:
            continue
        fig, ax = plt.subplots(figsize=(5, 3), dpi=80)
        for i, (x, y, h, v) in enumerate(pts):
            ax.scatter([x], [int(y) + 0.06 * ((i % 5) - 2)], marker="o" if h == "cal" else "s",
                       c={"confirmed": "tab:red", "not-observed": "tab:green"}.get(v, "tab:gray"), s=25)
        thr = STAT.get(sig, (None, None))[1]
        if thr and thr in cal:
            ax.axvline(float(cal[thr]["default"]), color="k", ls="--", lw=1, label=f"{thr} = {cal[thr]['default']:g}")
            if cal[thr]["chosen"] != cal[thr]["default"]:
                ax.axvline(float(cal[thr]["chosen"]), color="tab:blue", ls=":", lw=1, label=f"calibrated {cal[thr]['chosen']:g}")
            ax.legend(fontsize=7, loc="center right")
        xs = [p[0] for p in pts]
        if min(xs) > 0 and max(xs) / min(xs) > 100:
            ax.set_xscale("log")
        ax.set_yticks([0, 1], ["long run fine", "long run bad"])
        ax.set_xlabel(f"probe statistic: {STAT.get(sig, ('?',))[0]}")
        ax.set_title(f"{sig} (o calibration, s held-out; red confirmed, green not-observed, grey inconclusive)",
                     fontsize=6)
        fig.tight_layout()
        p = os.path.join(HERE, "plots", f"{sig}.png")
        fig.savefig(p)
        plt.close(fig)
        made.append(os.path.relpath(p, HERE))
    return made


def main(argv=None) -> int:
    """Compute (cache), analyse, write results.json, README tables and plots."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--no-plots", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    data = compute_all(verbose=True)
    t_compute = time.perf_counter() - t0
    rs = an.rows(data)
    per_rule = {r: an.confusion([x for x in rs if x["rule"] == r and x["static"]])
                for r in sorted({x["rule"] for x in rs if x["static"]})}
    per_signal = {s: an.confusion([x for x in rs if x["signal"] == s]) for s in sorted({x["signal"] for x in rs if x["signal"]})}
    held = {s: an.confusion([x for x in rs if x["signal"] == s and x["half"] == "test"]) for s in per_signal}
    ship = {s: an.confusion([x for x in rs if x["signal"] == s], "shipped") for s in per_signal}
    ship_held = {s: an.confusion([x for x in rs if x["signal"] == s and x["half"] == "test"], "shipped")
                 for s in per_signal}
    cal = an.calibrate(data)
    mism = an.mismatches(data, rs)
    made = [] if args.no_plots else plots(rs, cal)
    lines = ["<!-- tables -->", "", f"{len(data)} configs; {len(rs)} (config, finding) pairs. "
             "conf = confirmed, n-o = not-observed, inc = inconclusive; pos/neg = long-run label.", ""]
    lines += table("Per rule (static findings only)", {k: v for k, v in per_rule.items() if v["n"]})
    lines += table("Per signal (static findings and stand-ins, both halves)", {k: v for k, v in per_signal.items() if v["n"]})
    lines += table("Per signal, held-out half only (shipped thresholds)", {k: v for k, v in held.items() if v["n"]})
    lines += table("Per signal after the downgrades (what the probe reports), both halves",
                   {k: v for k, v in ship.items() if v["n"]})
    lines += table("Per signal after the downgrades, held-out half", {k: v for k, v in ship_held.items() if v["n"]})
    lines += ["### Predictive value per direction (measured verdicts, both halves; the downgrade criterion)", "",
              "| signal | rule | confirmed: long run bad | not-observed: long run fine |", "|---|---|---|---|"]
    for (sig, rule), pv in predictive(rs).items():
        lines.append(f"| {sig} | {rule} | {pv['confirmed']} | {pv['not-observed']} |")
    lines += ["", "### Calibration (chosen on the calibration half; agreement / inconclusive per half)", "",
              "| parameter | signal | before | chosen on cal | shipped | cal: before | cal: chosen | held-out: before "
              "| held-out: chosen |", "|---|---|---|---|---|---|---|---|---|"]
    for p, c in cal.items():
        g = c["grid"]
        d, ch = g[an.key_of(c["default"])], g[an.key_of(c["chosen"])]
        cell = lambda x: f"{an.fmt(x['agreement'])} / {an.fmt(x['inconclusive'])} (N {x['n']})"  # noqa: E731
        lines.append(f"| {p} | {c['signal']} | {c['default']:g} | {c['chosen']:g} | {c['shipped']:g} | {cell(d['cal'])} "
                     f"| {cell(ch['cal'])} "
                     f"| {cell(d['test'])} | {cell(ch['test'])} |")
    lines += ["", "### Per config", "", "| config | half | rule | static | signal | measured verdict | shipped | long-run label |",
              "|---|---|---|---|---|---|---|---|"]
    for r in rs:
        lines.append(f"| {r['case']} | {r['half']} | {r['rule']} | {'yes' if r['static'] else 'stand-in'} | {r['signal']} "
                     f"| {r['verdict']} | {r['shipped']} | {r['label']} |")
    lines += ["", f"Recomputed-verdict mismatches with the stored probe verdicts: {len(mism)}.", "", "<!-- /tables -->"]
    readme = os.path.join(HERE, "README.md")
    text = open(readme).read()
    start, end = text.find("<!-- tables -->"), text.find("<!-- /tables -->")
    text = (text[:start] + "\n".join(lines) + text[end + len("<!-- /tables -->"):]) if start >= 0 and end > start \
        else text.rstrip() + "\n\n## Results\n\n" + "\n".join(lines) + "\n"
    with open(readme, "w") as fh:
        fh.write(text)
    summary = {"configs": len(data), "per_rule": per_rule, "per_signal": per_signal, "held_out": held,
               "shipped": ship, "shipped_held_out": ship_held,
               "calibration": {p: {k: v for k, v in c.items() if k != "grid"} | {"grid": c["grid"]} for p, c in cal.items()},
               "mismatches": mism, "digits_data": dataset_name(), "compute_seconds": round(t_compute, 1), "plots": made, "rows": [{k: v for k, v in r.items() if k != "evidence"} for r in rs]}
    with open(os.path.join(HERE, "results.json"), "w") as fh:
        json.dump(summary, fh, indent=1, default=str)
    print(f"compute {t_compute:.0f}s, total {time.perf_counter() - t0:.0f}s; {len(mism)} mismatches", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
