"""PNG plot of a diagnosed run: loss, eval loss, grad norm and LR, finding step ranges shaded.

matplotlib is optional and imported lazily (never on the lint path); without it
:func:`plot` raises :class:`PlotUnavailable` with an install hint.
"""

from __future__ import annotations

from typing import Iterable

from ..linter.finding import Finding
from .signals import eval_series, points
from .trace import Trace


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed."""


_COLORS = {"error": "#d62728", "warning": "#ff7f0e", "info": "#1f77b4"}


def plot(trace: Trace, findings: Iterable[Finding], out_path: str, title: str = "") -> str:
    """Write a 3-panel PNG (loss + eval losses; pre-clip grad norm; LR) to ``out_path``.

    Runtime findings' ``extra["steps"]`` ranges are shaded in every panel, coloured by severity.

    Raises:
        PlotUnavailable: matplotlib missing.
        OSError: ``out_path`` not writable.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotUnavailable("--plot needs matplotlib: pip install matplotlib (or stablint[plot])") from None
    fig, axes = plt.subplots(3, 1, figsize=(10, 8), sharex=True)
    loss = points(trace, "loss")
    if loss:
        axes[0].plot([p[1] for p in loss], [p[2] for p in loss], label="train loss", lw=1)
    for key, pts in eval_series(trace).items():
        axes[0].plot([p[1] for p in pts], [p[2] for p in pts], marker=".", lw=1, label=key)
    axes[0].set_ylabel("loss")
    if loss and min(p[2] for p in loss) > 0 and max(p[2] for p in loss) / min(p[2] for p in loss) > 100:
        axes[0].set_yscale("log")
    axes[0].legend(loc="upper right", fontsize=7)
    g = points(trace, "grad_norm")
    if g:
        axes[1].plot([p[1] for p in g], [p[2] for p in g], lw=1, color="#2ca02c")
        mg = trace.meta.get("max_grad_norm")
        if mg:
            axes[1].axhline(float(mg), ls="--", color="k", lw=0.8, label=f"max_grad_norm {mg:g}")
            axes[1].legend(loc="upper right", fontsize=7)
    axes[1].set_ylabel("grad norm (pre-clip)")
    lr = points(trace, "lr")
    if lr:
        axes[2].plot([p[1] for p in lr], [p[2] for p in lr], lw=1, color="#9467bd")
    axes[2].set_ylabel("learning rate")
    axes[2].set_xlabel(f"step ({trace.meta.get('step_unit', 'step')})")
    for f in findings:
        steps = f.extra.get("steps")
        if not steps or steps[0] is None:
            continue
        a, b = steps
        for ax in axes:
            if a == b:
                ax.axvline(a, color=_COLORS.get(f.severity, "grey"), alpha=0.4)
            else:
                ax.axvspan(a, b, color=_COLORS.get(f.severity, "grey"), alpha=0.12)
        axes[0].annotate(f.rule, xy=(a, 1.0), xycoords=("data", "axes fraction"), fontsize=7, rotation=90,
                         va="top", color=_COLORS.get(f.severity, "grey"))
    fig.suptitle(title or str(trace.meta.get("source", "")), fontsize=9)
    fig.tight_layout()
    fig.savefig(out_path, dpi=100)
    plt.close(fig)
    return out_path
