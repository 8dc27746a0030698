"""Orchestration of ``stablint probe``: lint → spec → main run → A/B runs → verdicts → (fix runs).

Time budget: the main run gets :data:`MAIN_SHARE` of ``max_seconds``; the A/B runs
(LR/3 when an LR-type or plateau warning needs it, α×4 for LoRA) share the rest and
are shortened to the steps the main run managed. Every run uses the same seed, so
they start from the same weights and see the same batches.

CPU runs use one intra-op thread: the targets are tiny, and on a loaded 2-core
machine torch's default 2 threads made a step 35× slower in our measurement
(0.72 s vs 0.02 s for the LM's forward+backward).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from ..linter.document import InputError
from ..linter.engine import LintOptions, lint_file
from ..linter.finding import Finding
from ..trends.judge import signal_of
from ..trends.signals import Signal, analyze
from . import require_torch
from .spec import ProbeSpec, spec_from_plan

MAIN_SHARE = 0.55
LR_AB_SIGNALS = {"lr-ab", "lr-cut-too-late"}


@dataclass
class ProbeReport:
    """Everything ``stablint probe`` reports.

    Attributes:
        path: the probed config.
        spec: the compressed run (:class:`~stablint.probes.spec.ProbeSpec`).
        findings: static findings, each with ``probe`` set.
        runtime: runtime signals the probe saw on its own (shared STL9xx vocabulary).
        checks: the probe's own checks for this plan (dicts with verdict, evidence ...).
        runs: per run label, ``{"status", "steps", "seconds", "final_val"}``.
        main: the main :class:`~stablint.probes.loop.RunResult`.
        fixes: ``--compare-fix`` results, one dict per finding with a fix.
        device: the torch device used.
        seconds: total wall time.
    """

    path: str
    spec: ProbeSpec
    findings: list[Finding] = field(default_factory=list)
    runtime: list[Signal] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    main: Any = None
    fixes: list[dict[str, Any]] = field(default_factory=list)
    device: str = "cpu"
    seconds: float = 0.0

    @property
    def notes(self) -> list[str]:
        """Caps and substitutions of the spec and the runs."""
        return list(dict.fromkeys(self.spec.notes + (self.main.notes if self.main else [])))


def pick_device(device: str) -> str:
    """``auto`` → ``cuda`` when available, else ``cpu``.

    Raises:
        ValueError: ``cuda`` was asked for and is not available.
    """
    torch = require_torch()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda: no CUDA device is available")
    return device


#: How :func:`load` starts its error for a file no dialect recognizes (``probe`` skips those
#: among several files).
NOT_A_TRAINING_CONFIG = "not a training config"


def load(path: str, options: LintOptions | None = None):
    """Lint ``path`` → (plan, findings).

    Raises:
        InputError: the file cannot be read or parsed, or is not a training config
            (:mod:`stablint.linter.filekinds`) (→ ``path:line:col: message``, exit 2).
    """
    fr = lint_file(path, options or LintOptions())
    if fr.error is not None:
        raise fr.error
    if fr.skipped is not None and (options is None or not options.dialect):
        raise InputError(path, f"not a training config ({fr.skipped.reason}): nothing to probe")
    if fr.plan is None:
        raise InputError(path, "no training plan could be built from this file")
    if fr.plan.dialect == "unknown":  # docker-compose.yml, a CI workflow, notes: nothing to train
        raise InputError(path, NOT_A_TRAINING_CONFIG + ": no framework's settings (learning rate, optimizer, "
                               "schedule, batch) were recognized, so there is nothing to probe "
                               "(`stablint rules --dialects` lists what stablint reads)")
    return fr.plan, fr.findings


def _summary(res) -> dict[str, Any]:
    from .signals_probe import final_val

    return {"status": res.status, "steps": res.steps_done, "seconds": round(res.seconds, 2),
            "init_loss": res.init_loss, "final_val": final_val(res), "message": res.message}


def probe_path(path: str, *, target: str | None = None, steps: int = 200, max_seconds: float = 60.0,
               device: str = "auto", seed: int = 0, compare_fix: bool = False,
               progress: Callable[[int, int], None] | None = None, options: LintOptions | None = None,
               hf_model: str | None = None, hf_max_params: int | None = None) -> ProbeReport:
    """Probe one config file (see the module docstring).

    ``hf_model``: a local Hugging Face model directory trained instead of a built-in target
    (:mod:`.target_hf`); ``hf_max_params``: its CPU parameter limit (``None`` = the default).

    Raises:
        InputError: unreadable config, or an ``hf_model`` directory that cannot be used;
        spec.AbsurdConfig: absurd values; targets.TargetError: bad ``--target``;
        target_hf.HFUnavailable: transformers/peft missing; ValueError: bad device or steps.
    """
    plan, findings = load(path, options)
    return probe_plan(plan, findings, target=target, steps=steps, max_seconds=max_seconds, device=device, seed=seed,
                      compare_fix=compare_fix, progress=progress, hf_model=hf_model, hf_max_params=hf_max_params)


def main_instrument(spec: ProbeSpec, findings: list[Finding]):
    """The :class:`~stablint.probes.loop.Instrument` of the main run: task-gradient shares when the
    plan weights loss terms, noise-scale samples when a finding needs them or the micro-batch is <= 2."""
    from .loop import Instrument

    wanted = {signal_of(f) for f in findings} - {None}
    return Instrument(task_share=bool(spec.loss_weights), noise="noise-scale" in wanted or spec.micro_batch <= 2)


def probe_plan(plan, findings: list[Finding], *, target: str | None = None, steps: int = 200,
               max_seconds: float = 60.0, device: str = "auto", seed: int = 0, compare_fix: bool = False,
               progress: Callable[[int, int], None] | None = None, hf_model: str | None = None,
               hf_max_params: int | None = None) -> ProbeReport:
    """Probe an already-linted plan; see :func:`probe_path`."""
    from .loop import Instrument, run
    from . import signals_probe as sp
    from .verdicts import attach, probe_checks

    torch = require_torch()
    spec = spec_from_plan(plan, target=target, steps=steps, seed=seed)
    dev = pick_device(device)
    if hf_model:
        from .target_hf import prepare

        spec.target = prepare(hf_model, spec, device=dev, max_params=hf_max_params)
    if dev == "cpu":
        torch.set_num_threads(1)
    t0 = time.perf_counter()
    wanted = {signal_of(f) for f in findings} - {None}
    ins = main_instrument(spec, findings)
    main = run(spec, plan=plan, device=dev, max_seconds=max_seconds * MAIN_SHARE, instrument=ins, phase="main",
               progress=progress)
    rep = ProbeReport(path=plan.path, spec=spec, main=main, device=dev)
    rep.runs["main"] = _summary(main)
    checks = {"update-ratio": sp.update_ratio(main)}
    ref = None
    if spec.target in ("lm", "mlp-classification", "cnn-classification"):
        from .targets import VOCAB
        import math

        ref = math.log(VOCAB) if spec.target == "lm" else math.log(10)
    checks["init-loss"] = sp.init_loss(main, ref)
    if main.noise:
        checks["noise-scale"] = sp.noise_scale(main, spec.effective_batch)
    if main.shares:
        checks["task-grad-share"] = sp.task_grad_share(main)

    left = lambda: max(1.0, max_seconds - (time.perf_counter() - t0))  # noqa: E731
    ab_steps = max(8, main.steps_done)
    light = Instrument(update_ratio=False)
    if wanted & LR_AB_SIGNALS and main.steps_done >= 8:
        low = run(spec.replace(lr=spec.lr / 3, steps=ab_steps), plan=plan, device=dev, max_seconds=left() / 2,
                  instrument=light, phase="ab-lr/3")
        rep.runs["lr/3"] = _summary(low)
        checks["lr-ab"] = sp.lr_ab(main, low)
    if spec.lora and (spec.target == "lora-lm" or spec.target.startswith("hf:")) and main.steps_done >= 8:
        boosted = run(spec.replace(lora={**spec.lora, "alpha": spec.lora["alpha"] * 4}, steps=ab_steps), plan=plan,
                      device=dev, max_seconds=left(), instrument=light, phase="ab-alpha-x4")
        rep.runs["alpha x4"] = _summary(boosted)
        checks["lora-effective-update"] = sp.lora_effective_update(main, boosted)
    rep.findings = [f.with_(probe={**f.probe, "evidence_from": evidence_from(spec.target)}) if f.probe else f
                    for f in attach(findings, main, spec, plan, checks)]
    from .verdicts import judge_options

    rep.runtime = analyze(main.trace, judge_options(spec))
    rep.checks = probe_checks(main, spec, plan, checks)
    if compare_fix:
        rep.fixes = compare_fixes(rep, plan, dev, max_seconds)
    rep.seconds = time.perf_counter() - t0
    return rep


def evidence_from(target: str) -> str:
    """``"surrogate"`` for a built-in target (:data:`~stablint.probes.targets.BUILTIN`), else ``"user-model"``
    (``--target pkg.module:build`` or ``--hf-model DIR``); ``probe --run`` verdicts say ``"user-run"``."""
    from .targets import BUILTIN

    return "surrogate" if target in BUILTIN else "user-model"


def apply_fix(plan, fix: dict[str, Any]):
    """A copy of ``plan`` with ``fix["field"]`` set to ``fix["value"]`` (numbers parsed from text).

    Returns ``None`` when the fix does not name a canonical field or its value is not usable.
    """
    name, value = fix.get("field"), fix.get("value")
    if not name or name not in dict(plan.items()) and name not in _fields():
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            pass
    new = copy.copy(plan)
    new.fields = dict(plan.fields)
    old = plan.get(name)
    pv = copy.copy(old) if old is not None else None
    if pv is None:
        from ..linter.plan import PlanValue

        pv = PlanValue(value)
    pv.value, pv.resolved = value, True
    new.fields[name] = pv
    return new


def _fields():
    from ..linter.plan import FIELDS

    return FIELDS


def compare_fixes(rep: ProbeReport, plan, dev: str, max_seconds: float) -> list[dict[str, Any]]:
    """Probe the plan again with each finding's suggested fix applied; the finding's verdict before/after.

    The fixed plan is probed like the original (:func:`probe_plan`: same target, seed and
    horizon in optimizer steps, and the A/B runs the finding's signal needs, e.g. lr/3 or
    alpha x4), so the "after" verdict comes from the same signal whenever it is measurable.
    Micro-batch ``i`` and the initial weights depend only on the seed, so the runs share init
    and data order: ``first_step_loss`` (loss of optimizer step 0, before any update) is equal
    unless the fix changes the model or the batch.

    Returns:
        one dict per finding: ``code``, ``rule``, ``line``, ``fix`` (or ``None``), ``before``
        (its probe verdict); with an applicable fix also ``old_value``, ``after`` (the
        verdict on the fixed run), ``static_after`` (the rule still fires on the fixed plan),
        ``run`` (the fixed main run's summary), ``runs`` (all its runs) and
        ``first_step_loss`` ``{"before", "after"}``; otherwise ``after: None`` and a ``note``.
    """
    from ..linter.engine import run_rules, selected_rules

    # the original horizon, unless the main run was cut short by the time limit or memory
    steps = rep.spec.steps if rep.main.status in ("ok", "early-stop", "nonfinite") else max(8, rep.main.steps_done)
    out = []
    for f in rep.findings:
        entry: dict[str, Any] = {"code": f.code, "rule": f.rule, "line": f.line, "fix": f.fix, "before": f.probe}
        out.append(entry)
        if not f.fix:
            entry.update(after=None, note="no machine-readable fix for this finding (see its hint); not re-run")
            continue
        fixed = apply_fix(plan, f.fix)
        if fixed is None:
            entry.update(after=None, note="the fix does not name a canonical field the probe can apply")
            continue
        old = plan.value(f.fix["field"])
        entry["old_value"] = old if isinstance(old, (int, float, str, bool, type(None))) else str(old)
        sub = probe_plan(fixed, [f.with_(probe=None)], target=rep.spec.target, steps=steps, max_seconds=max_seconds,
                         device=dev, seed=rep.spec.seed)
        still = [g.code for g in run_rules(fixed, selected_rules(LintOptions()), LintOptions()) if g.code == f.code]
        entry.update({"after": sub.findings[0].probe if sub.findings else None, "static_after": bool(still),
                      "run": sub.runs["main"], "runs": sub.runs,
                      "first_step_loss": {"before": _first_loss(rep.main), "after": _first_loss(sub.main)}})
    return out


def _first_loss(res) -> float | None:
    """Training loss of optimizer step 0 (before any update), ``None`` when no step ran."""
    return res.trace.records[0].loss if res.trace.records else None
