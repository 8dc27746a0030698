"""Confusion tables, threshold calibration (calibration half) and held-out agreement.

Verdicts are recomputed from the cached raw runs with the shipped functions
(:mod:`stablint.probes.signals_probe` for the probe-only signals, :func:`stablint.trends.judge.judge`
for the trace signals), with one threshold changed at a time; at the shipped defaults they
reproduce the probe's own verdicts (checked: ``mismatches`` in results.json).
"""

from __future__ import annotations

import contextlib
import math
from types import SimpleNamespace

from . import labels
from .sweep import cases

#: Families used to choose thresholds; every other family is held out (fixed before calibrating).
CALIBRATION = {"s0-lr-mlp", "s0-clip-mlp", "s1-weights-lr2e-4", "s2-patience-e50", "s4-lora-lr1e-05",
               "s4-lora-lr0.001", "s3-batch-digits", "s0-plateau-train-lr5e-5"}

#: Calibrated parameter → (signal, module where it lives, attribute or option name, candidate values).
PARAMS = {
    "ab_rel": ("lr-ab", "sp", "AB_REL", [0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2]),
    "noise_ratio": ("noise-scale", "sp", "NOISE_RATIO", [1, 3, 10, 30, 100]),
    "share_steps": ("task-grad-share", "sp", "SHARE_STEPS", [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]),
    "share_max": ("task-grad-share", "sp", "SHARE_MAX", [0.6, 0.7, 0.8, 0.9, 0.95, 0.99]),
    "lora_gain": ("lora-effective-update", "sp", "LORA_GAIN", [1.1, 1.25, 1.5, 2.0, 3.0, 5.0]),
    "clip_rate_warn": ("clip-saturation", "opt", "clip_rate_warn", [0.3, 0.5, 0.7, 0.9]),
    "lr_constant_fraction": ("lr-never-changes", "opt", "lr_constant_fraction", [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]),
    "lr_cut_max_lag_epochs": ("lr-cut-too-late", "opt", "lr_cut_max_lag_epochs", [3, 4, 6, 8, 11]),
}
#: Defaults before issue 14 (the calibration compares against these; ``shipped`` may differ after it).
ORIGINAL = {"ab_rel": 0.02, "noise_ratio": 10.0, "share_steps": 0.8, "share_max": 0.9, "lora_gain": 2.0,
            "clip_rate_warn": 0.5, "lr_constant_fraction": 0.8, "lr_cut_max_lag_epochs": 6.0}


def _ns(raw: dict) -> SimpleNamespace:
    """A RunResult stand-in from a cached raw run (what signals_probe reads)."""
    f = lambda v: v if isinstance(v, (int, float)) else float(v)  # noqa: E731  ("NaN"/"Infinity" strings)
    return SimpleNamespace(status=raw["status"], steps_done=raw["steps_done"], init_loss=raw["init_loss"],
                           val_losses=[f(v) for v in raw["val_losses"]], noise=[tuple(map(f, n)) for n in raw["noise"]],
                           shares=raw["shares"], lora_rel=raw["lora_rel"],
                           update_ratios=[f(v) for v in raw["update_ratios"]])


@contextlib.contextmanager
def patched(mod, name, value):
    """Temporarily set ``mod.name = value``."""
    old = getattr(mod, name)
    setattr(mod, name, value)
    try:
        yield
    finally:
        setattr(mod, name, old)


def recompute(case, probe: dict, signal: str, rule: str, override: dict | None = None) -> tuple[str, dict]:
    """(verdict, evidence) of ``signal`` on the cached probe, with ``override`` {param: value} applied."""
    from stablint.linter.finding import Finding
    from stablint.probes import signals_probe as sp
    from stablint.probes.runner import load
    from stablint.probes.verdicts import verdict_of
    from stablint.trends.judge import judge
    from stablint.trends.trace import Trace

    from .runs import config_path

    override = override or {}
    runs = probe["runs"]
    main = _ns(runs["main"])
    with contextlib.ExitStack() as st:
        for p, v in override.items():
            if PARAMS[p][1] == "sp":
                st.enter_context(patched(sp, PARAMS[p][2], v))
        if signal == "lr-ab":
            c = sp.lr_ab(main, _ns(runs["ab-lr/3"])) if "ab-lr/3" in runs else None
        elif signal == "noise-scale":
            c = sp.noise_scale(main, probe["spec"]["effective_batch"]) if main.noise else None
        elif signal == "task-grad-share":
            c = sp.task_grad_share(main) if main.shares else None
        elif signal == "lora-effective-update":
            c = sp.lora_effective_update(main, _ns(runs["ab-alpha-x4"])) if "ab-alpha-x4" in runs else None
        elif signal == "update-ratio":
            c = sp.update_ratio(main)
        else:
            c = False
        if c is None:
            return "inconclusive", {}
        if c is not False:
            return verdict_of(c), c.evidence
    plan, _ = load(config_path(case))
    trace = Trace.from_records(runs["main"]["records"], runs["main"]["meta"])
    opts = {"warmup_steps": probe["spec"]["warmup_steps"], "max_grad_norm": probe["spec"]["max_grad_norm"]}
    opts.update({PARAMS[p][2]: v for p, v in override.items() if PARAMS[p][1] == "opt"})
    f = Finding(code="-", rule=rule, severity="info", message="", path=plan.path)
    j = judge([f], trace, plan, horizon=runs["main"]["steps_done"], options=opts, checks={})[0]
    pr = j.probe or {}
    return pr.get("verdict", "inconclusive"), pr.get("evidence") or {}


def _spec(case):
    """The probe's spec for ``case`` (pure Python: optimizer family etc. for :func:`shipped`)."""
    from stablint.probes.runner import load
    from stablint.probes.spec import spec_from_plan

    from .runs import config_path

    plan, _ = load(config_path(case))
    return spec_from_plan(plan, target=case.target, steps=case.probe_steps)


def shipped(verdict: str, evidence: dict, signal: str, rule: str, spec) -> str:
    """The verdict the probe reports after :func:`stablint.probes.verdicts.downgrade`."""
    from stablint.probes.verdicts import downgrade

    return downgrade({"verdict": verdict, "evidence": evidence, "note": ""}, signal, rule, spec)["verdict"]


def rows(data: dict) -> list[dict]:
    """One row per (case, finding): rule, static, signal, measured verdict (recomputed at the shipped
    thresholds, before any downgrade), shipped verdict, label, half, evidence."""
    out = []
    for c in cases():
        d = data[c.id]
        spec = _spec(c)
        half = "cal" if c.family in CALIBRATION else "test"
        for f in d["probe"]["findings"]:
            lab = labels.label(f["signal"], d["long"], d["ref"]) if f["signal"] else None
            v, ev = (recompute(c, d["probe"], f["signal"], f["rule"]) if f["signal"] else (f["verdict"], {}))
            out.append({"case": c.id, "family": c.family, "rule": f["rule"], "static": f["static"],
                        "signal": f["signal"], "verdict": v, "stored": f["verdict"],
                        "shipped": shipped(v, ev, f["signal"], f["rule"], spec), "label": lab, "half": half,
                        "evidence": ev or f["evidence"]})
        if c.family.startswith("s0-lr"):  # update-ratio is measured on every probe: judged on the LR families
            v, ev = recompute(c, d["probe"], "update-ratio", "")
            out.append({"case": c.id, "family": c.family, "rule": "(probe check)", "static": False,
                        "signal": "update-ratio", "verdict": v, "stored": v,
                        "shipped": shipped(v, ev, "update-ratio", "", spec),
                        "label": labels.label("update-ratio", d["long"], d["ref"]), "half": half, "evidence": ev})
    return out


def confusion(rs: list[dict], key: str = "verdict") -> dict:
    """Counts verdict x label, precision, recall, agreement over decided verdicts, share inconclusive
    (``key``: ``"verdict"`` = measured, ``"shipped"`` = after the downgrades)."""
    m = {v: {True: 0, False: 0} for v in ("confirmed", "not-observed", "inconclusive")}
    for r in rs:
        if r["label"] is None or r[key] not in m:
            continue
        m[r[key]][bool(r["label"])] += 1
    tp, fp = m["confirmed"][True], m["confirmed"][False]
    fn, tn = m["not-observed"][True], m["not-observed"][False]
    pos = tp + fn + m["inconclusive"][True]
    n = sum(sum(x.values()) for x in m.values())
    dec = tp + fp + fn + tn
    return {"n": n, "matrix": {k: {"pos": v[True], "neg": v[False]} for k, v in m.items()},
            "precision": tp / (tp + fp) if tp + fp else None, "recall": tp / pos if pos else None,
            "agreement": (tp + tn) / dec if dec else None, "decided": dec,
            "inconclusive": (n - dec) / n if n else None}


def calibrate(data: dict) -> dict:
    """For each PARAMS entry: agreement per candidate on both halves; the chosen value (calibration half).

    ``default`` is the value before issue 14 (:data:`ORIGINAL`), ``shipped`` the current one. The
    chosen candidate agrees strictly more on the calibration half without a higher inconclusive
    share there (ties keep the default). The shipped default was changed only where the chosen
    value does not agree less on the held-out half either (README "Calibration").
    """
    from stablint.probes import signals_probe as sp
    from stablint.trends.signals.catalog import DEFAULT_OPTIONS

    out = {}
    by_id = {c.id: c for c in cases()}
    for p, (signal, where, name, grid) in PARAMS.items():
        shipped_value = getattr(sp, name) if where == "sp" else DEFAULT_OPTIONS[name]
        default = ORIGINAL[p]
        targets = [(by_id[c], data[c]) for c in data]
        res = {}
        for v in sorted({float(x) for x in grid} | {float(default), float(shipped_value)}):
            rs = []
            for case, d in targets:
                for f in d["probe"]["findings"]:
                    if f["signal"] != signal:
                        continue
                    verdict, _ = recompute(case, d["probe"], signal, f["rule"], {p: v})
                    rs.append({"verdict": verdict, "label": labels.label(signal, d["long"], d["ref"]),
                               "half": "cal" if case.family in CALIBRATION else "test"})
            res[v] = {h: confusion([r for r in rs if r["half"] == h]) for h in ("cal", "test")}
        best = default
        key = lambda v: ((res[v]["cal"]["agreement"] or 0), -(res[v]["cal"]["inconclusive"] or 0))  # noqa: E731
        for v in res:
            if key(v) > key(best):
                best = v
        out[p] = {"signal": signal, "default": float(default), "shipped": float(shipped_value), "chosen": best, "grid": {key_of(k): v for k, v in res.items()}}
    return out


def key_of(v) -> str:
    """Grid key of a candidate value (``repr`` of the float)."""
    return repr(float(v))


def mismatches(data: dict, rs: list[dict]) -> list[str]:
    """Rows whose stored probe verdict is neither the recomputed one nor its shipped form (should be empty)."""
    return [f"{r['case']} {r['rule']}: stored {r['stored']}, recomputed {r['verdict']}" for r in rs
            if r["signal"] and r["stored"] not in (r["verdict"], r["shipped"])]


def fmt(x, pct=False):
    """Table cell: '-' for None, else 2 decimals."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.2f}"
