"""The framework-neutral half of every stablint callback: record steps, write the trace, judge online.

:class:`Recorder` receives one call per **optimizer step** (not per micro-batch) from the
HF / Lightning callbacks or from :func:`stablint.watch`, appends a
:class:`~stablint.trends.trace.StepRecord`, writes it as one JSONL line (the trace format
``stablint diagnose`` reads; meta line first), and runs the runtime signals of
:mod:`stablint.trends.signals` online every ``check_every`` steps. Signals named in
``stop_on`` end the run: :attr:`Recorder.stop` is then set to a :class:`StopReason` with the
finding, its numbers and the config line it points to (when ``config`` was given).

This module never imports torch: the framework adapters measure tensors and pass floats.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..trends.trace import StepRecord, Trace

#: Signals a run can be stopped on (the two of severity ``error`` that do not recover by themselves).
STOPPABLE = ("nonfinite-values", "loss-divergence")
#: Steps between two online signal passes; ``stop_on`` therefore acts within this many steps
#: of the condition (issue 13: "within 10 steps of the first non-finite value"). Non-finite
#: values are checked at every step regardless.
CHECK_EVERY = 10
#: Records the online ``stop_on`` checks look at (the most recent ones): each check then costs O(1) in the
#: run length. A divergence slower than this window is still reported by :meth:`Recorder.findings` and by
#: ``stablint diagnose`` on the trace, which see the whole run; it just does not stop the run (stablint's
#: own choice: ~1 ms of pure Python per check every 10 steps).
STOP_WINDOW = 1000
#: Canonical plan fields cited as "the config line" of a runtime signal when no static
#: finding of the config confirms it, in order of preference.
CONFIG_FIELDS = {
    "nonfinite-values": ("optimizer.lr", "clip.max_norm", "precision"),
    "loss-divergence": ("optimizer.lr", "warmup.steps", "clip.max_norm"),
}


class StopTraining(Exception):
    """Raised by :meth:`stablint.callbacks.watch.Watch.step` when a ``stop_on`` signal fired.

    Attributes:
        reason: the :class:`StopReason`.
    """

    def __init__(self, reason: "StopReason"):
        super().__init__(reason.message())
        self.reason = reason


@dataclass
class StopReason:
    """Why a run was stopped.

    Attributes:
        step: the optimizer step at which the stop was decided.
        signal: runtime signal name (``"nonfinite-values"``...), ``code`` its STL9xx code.
        evidence: the signal's measured numbers.
        text: the signal's one-sentence message.
        config_line: ``"path:line: key = value"`` of the config value it points to, or ``None``.
        static: codes of the config's static findings this run confirms (``["STL101"]``).
    """

    step: int
    signal: str
    code: str
    text: str
    evidence: dict[str, Any] = field(default_factory=dict)
    config_line: str | None = None
    static: list[str] = field(default_factory=list)

    def message(self) -> str:
        """One paragraph for stderr: the signal, its numbers and the config line."""
        ev = ", ".join(f"{k}={v}" for k, v in self.evidence.items() if not isinstance(v, (list, dict)))
        out = f"stablint: stopped the run at step {self.step}: {self.code} {self.signal}: {self.text}"
        if ev:
            out += f"\n  evidence: {ev}"
        if self.config_line:
            out += f"\n  config: {self.config_line}"
        if self.static:
            out += f"\n  confirms: {', '.join(self.static)}"
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (written as the trace's last meta line ``{"stop": ...}``)."""
        return {"step": self.step, "signal": self.signal, "code": self.code, "message": self.text,
                "evidence": self.evidence, "config_line": self.config_line, "static": self.static}


def is_rank_zero() -> bool:
    """True unless the launcher (torchrun, accelerate, SLURM, MPI) says this is not global rank 0.

    Reads ``RANK`` (torchrun, accelerate launch), then ``SLURM_PROCID``, ``OMPI_COMM_WORLD_RANK``,
    ``PMI_RANK``; no variable set = a single process = rank 0. torch is not imported.
    """
    for var in ("RANK", "SLURM_PROCID", "OMPI_COMM_WORLD_RANK", "PMI_RANK"):
        v = os.environ.get(var)
        if v is not None and v.strip().lstrip("-").isdigit():
            return int(v) == 0
    return True


def _num(v: Any) -> float | None:
    """A float from a Python number or a 0-d tensor-like (``.item()``); ``None`` otherwise."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    item = getattr(v, "item", None)
    if callable(item):
        try:
            return float(item())
        except (TypeError, ValueError, RuntimeError):
            return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


class Recorder:
    """Collect optimizer-step records, write the JSONL trace, run the signals online.

    Args:
        trace_path: JSONL file to write (``None`` = keep in memory only). Written on rank 0 only.
        config: training config path: linted (torch-free) at start; its static findings are
            judged against the run at :meth:`close` and its lines are cited on a stop.
        max_grad_norm: clipping threshold (global L2 norm; default: the config's ``clip.max_norm``).
        stop_on: signal names of :data:`STOPPABLE` that end the run.
        check_every: optimizer steps between two online signal passes (default :data:`CHECK_EVERY`).
        meta: extra trace metadata (``{"source": "hf-callback"}``...).
        rank_zero: whether this process records (default :func:`is_rank_zero`); other ranks keep
            no records but still take part in stop decisions through the adapter.
        verbose: print the stop message to stderr.

    Raises:
        ValueError: a ``stop_on`` name not in :data:`STOPPABLE`.
    """

    def __init__(self, trace_path: str | None = None, *, config: str | None = None,
                 max_grad_norm: float | None = None, stop_on: Iterable[str] = (), check_every: int = CHECK_EVERY,
                 meta: dict[str, Any] | None = None, rank_zero: bool | None = None, verbose: bool = True):
        self.stop_on = tuple(stop_on or ())
        bad = [s for s in self.stop_on if s not in STOPPABLE]
        if bad:
            raise ValueError(f"stop_on: unknown signal(s) {bad}; choose from {list(STOPPABLE)}")
        self.check_every = max(1, int(check_every))
        self.rank_zero = is_rank_zero() if rank_zero is None else bool(rank_zero)
        self.config = config
        self.verbose = verbose
        self.plan, self.static = None, []
        if config:
            self.plan, self.static = _lint(config)
        if max_grad_norm is None and self.plan is not None:
            pv = self.plan.get("clip.max_norm")
            max_grad_norm = pv.number if pv is not None else None
        self.max_grad_norm = max_grad_norm if max_grad_norm and max_grad_norm > 0 else None
        self.trace = Trace(meta={"format": "stablint-trace", "source": "stablint-callback", **(meta or {})})
        if self.max_grad_norm:
            self.trace.meta["max_grad_norm"] = self.max_grad_norm
        if config:
            self.trace.meta["config"] = config
        self.trace_path = trace_path
        self._fh = None
        self.stop: StopReason | None = None
        self._first_nonfinite: int | None = None
        self._losses: list[float] = []
        self.closed = False

    # -- recording ------------------------------------------------------------------------
    def record(self, step: int, *, loss: Any = None, grad_norm: Any = None, clipped: bool | None = None,
               lr: Any = None, update_ratio: Any = None, terms: dict[str, Any] | None = None,
               epoch: Any = None, eval_loss: Any = None, loss_scale: Any = None) -> StopReason | None:
        """Add one optimizer step; returns the :class:`StopReason` when a ``stop_on`` signal fires now.

        Args:
            step: optimizer step index (0-based or as the framework counts; must increase).
            loss: training loss of the step (mean over its micro-batches), a float or 0-d tensor.
            grad_norm: **pre-clip** global gradient L2 norm.
            clipped: whether clipping changed the gradient; derived from ``grad_norm`` and
                ``max_grad_norm`` when ``None``.
            lr: learning rate of the first param group.
            update_ratio: ||Δθ|| / ||θ|| (median over tensors), when sampled this step.
            terms: per-term losses ``{name: value}``.
            epoch: fractional epoch, if known. eval_loss, loss_scale: when known.
        """
        if not self.rank_zero or self.closed:
            return self.stop
        gn = _num(grad_norm)
        if clipped is None and gn is not None and self.max_grad_norm and math.isfinite(gn):
            clipped = gn > self.max_grad_norm
        rec = StepRecord(step=int(step), epoch=_num(epoch), loss=_num(loss), eval_loss=_num(eval_loss), lr=_num(lr),
                         grad_norm=gn, clipped=clipped, update_ratio=_num(update_ratio), loss_scale=_num(loss_scale),
                         loss_terms={k: f for k, v in terms.items() if (f := _num(v)) is not None} if terms else None)
        self.trace.records.append(rec)
        self._write(rec)
        bad = [v for v in (rec.loss, rec.grad_norm, rec.lr) if v is not None and not math.isfinite(v)]
        if rec.loss_terms:
            bad += [v for v in rec.loss_terms.values() if not math.isfinite(v)]
        if bad and self._first_nonfinite is None:
            self._first_nonfinite = rec.step
        if rec.loss is not None:
            self._losses.append(rec.loss)
            if len(self._losses) > 2 * STOP_WINDOW:
                del self._losses[:-STOP_WINDOW]
        if self.stop is None and self.stop_on:
            if bad and "nonfinite-values" in self.stop_on:
                self._check_stop(rec.step, "nonfinite-values")
            if self.stop is None and "loss-divergence" in self.stop_on and \
                    len(self.trace.records) % self.check_every == 0 and self._may_diverge():
                self._check_stop(rec.step, "loss-divergence")
        return self.stop

    def _may_diverge(self) -> bool:
        """Cheap necessary condition for ``loss-divergence`` on the window: max loss > factor x min loss.

        The bias-corrected EMA is a convex combination of the raw losses, so the smoothed loss
        is <= the window's max and the best smoothed loss >= its min; without max > factor x min
        the check cannot fire (a non-positive or non-finite loss: no shortcut, run the check).
        """
        from ..trends.signals import DEFAULT_OPTIONS

        w = self._losses[-STOP_WINDOW:]
        if len(w) < 5:
            return False
        lo, hi = min(w), max(w)
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo <= 0:
            return True
        return hi > float(DEFAULT_OPTIONS["divergence_factor"]) * lo

    def _write(self, rec: StepRecord) -> None:
        if not self.trace_path:
            return
        import json

        if self._fh is None:
            d = os.path.dirname(os.path.abspath(self.trace_path))
            os.makedirs(d, exist_ok=True)
            self._fh = open(self.trace_path, "w", encoding="utf-8")
            self._fh.write(json.dumps({"meta": _clean(self.trace.meta)}) + "\n")
        self._fh.write(json.dumps(_row(rec)) + "\n")
        self._fh.flush()  # one line per optimizer step: a SIGINT/SIGKILL at the budget loses nothing

    def options(self) -> dict[str, Any]:
        """Signal options of this run (``max_grad_norm`` when known)."""
        return {"max_grad_norm": self.max_grad_norm} if self.max_grad_norm else {}

    def _check_stop(self, step: int, name: str) -> None:
        """Run the ``name`` check over the last :data:`STOP_WINDOW` records (bounded cost per call)."""
        from ..trends.signals import check_divergence, check_nonfinite
        from ..trends.signals.catalog import resolve_options

        window = Trace(records=self.trace.records[-STOP_WINDOW:], meta=self.trace.meta)
        o = resolve_options(self.options(), window)
        o["_cache"] = {}
        fns = {"nonfinite-values": check_nonfinite, "loss-divergence": check_divergence}
        c = fns[name](window, o)
        if c.fired and c.result is not None:
            self.stop = self._reason(step, c)
            if self.verbose:
                print(self.stop.message(), file=sys.stderr, flush=True)

    def _reason(self, step: int, check) -> StopReason:
        sig = check.result
        ev = {k: v for k, v in check.evidence.items() if not isinstance(v, (list, dict))}
        static, line = [], None
        if self.static:
            from ..trends.judge import judge

            for f in judge(self.static, self.trace, self.plan, options=self.options()):
                if f.probe and f.probe.get("verdict") == "confirmed":
                    static.append(f.code)
                    line = line or f"{f.path}:{f.line}: {f.code} {f.rule}: {f.message}"
        if line is None and self.plan is not None:
            for name in CONFIG_FIELDS.get(sig.name, ()):
                pv = self.plan.get(name)
                if pv is not None and pv.source is not None and not pv.source.default:
                    key = pv.source.key or name
                    line = f"{pv.source.path}:{pv.source.line}: {key} = {pv.raw or pv.value}"
                    break
        return StopReason(step=step, signal=sig.name, code=sig.code, text=sig.message, evidence=ev,
                          config_line=line, static=static)

    # -- end of run -----------------------------------------------------------------------
    def close(self) -> None:
        """Flush and close the trace file (idempotent); a stop is appended as ``{"meta": {"stop": ...}}``."""
        if self.closed:
            return
        self.closed = True
        if self._fh is not None:
            import json

            if self.stop is not None:
                self._fh.write(json.dumps({"meta": {"stop": _clean(self.stop.to_dict())}}) + "\n")
            self._fh.close()
            self._fh = None

    def findings(self):
        """Runtime findings of the run so far plus the config's static findings with verdicts.

        Same as ``stablint diagnose TRACE --config CONFIG``: runtime :class:`~stablint.linter.finding.Finding`
        objects first (``dialect`` ``"trace"``), then the judged static findings.
        """
        from ..trends.judge import judge
        from ..trends.signals import measure, signal_findings

        checks = measure(self.trace, self.options())
        sigs = [c.result for c in checks.values() if c.fired and c.result is not None]
        runtime = signal_findings(sigs, self.trace_path or "<run>")
        judged = judge(self.static, self.trace, self.plan, options=self.options()) if self.static else []
        return runtime + judged


def _row(rec: StepRecord) -> dict[str, Any]:
    """``rec.to_json()`` without ``dataclasses.asdict`` (its deep copy was most of the per-step cost)."""
    from ..trends.trace import _finite

    out: dict[str, Any] = {}
    for k in ("step", "epoch", "loss", "eval_loss", "lr", "grad_norm", "clipped", "loss_terms", "update_ratio",
              "loss_scale", "phase"):
        v = getattr(rec, k)
        if v is not None:
            out[k] = _finite(v)
    return out


def _clean(obj: Any) -> Any:
    from ..trends.trace import _finite

    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return _finite(obj)


def _lint(config: str):
    """(plan, static findings) of ``config``; (None, []) with a warning on stderr when it cannot be read."""
    from ..linter.engine import LintOptions, lint_file

    fr = lint_file(config, LintOptions())
    if fr.error is not None:
        print(f"stablint: {fr.error}; the run is recorded without its config", file=sys.stderr)
        return None, []
    return fr.plan, list(fr.findings)


#: Environment variables ``stablint probe --run`` sets for the injected callbacks.
ENV = {"trace": "STABLINT_RUN_TRACE", "config": "STABLINT_RUN_CONFIG", "max_steps": "STABLINT_RUN_MAX_STEPS",
       "max_seconds": "STABLINT_RUN_MAX_SECONDS", "stop_on": "STABLINT_RUN_STOP_ON"}


def env_settings() -> dict[str, Any]:
    """Callback settings from the ``STABLINT_RUN_*`` variables (:data:`ENV`); absent or unparsable ones are left out.

    ``max_steps`` is an int (optimizer steps), ``max_seconds`` a float (wall seconds),
    ``stop_on`` a comma-separated list of :data:`STOPPABLE` names (unknown names dropped).
    """
    out: dict[str, Any] = {}
    for key, var in ENV.items():
        v = os.environ.get(var)
        if not v:
            continue
        try:
            if key == "max_steps":
                out[key] = int(v)
            elif key == "max_seconds":
                out[key] = float(v)
            elif key == "stop_on":
                out[key] = tuple(s.strip() for s in v.split(",") if s.strip() in STOPPABLE)
            else:
                out[key] = v
        except ValueError:
            continue
    return out
