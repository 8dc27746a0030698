"""stablint: catch unstable deep-learning training runs before they burn GPU hours."""

__version__ = "0.1.0"


def watch(model, optimizer, **kwargs):
    """Record and judge a hand-written PyTorch loop: ``with stablint.watch(model, opt, max_grad_norm=1.0) as w:``.

    See :class:`stablint.callbacks.watch.Watch` for the arguments; torch is imported only here.
    """
    from .callbacks.watch import watch as _watch

    return _watch(model, optimizer, **kwargs)
