"""Never read outside the repository: the files a pull request can point stablint at.

A pull request controls file *contents* and *names*, including symlinks and the
paths in ``_base_`` / ``_BASE_`` / Hydra ``defaults`` / ``deepspeed: ds.json``
references. Read blindly, ``_base_ = '/proc/self/environ'``, a base of
``../../.git/config`` (where ``actions/checkout`` keeps the job's token) or a
committed symlink ``configs/x.yaml -> ~/.config/gh/hosts.yml`` would put secrets
into findings that quote keys and values. So every file reached *through* a config
(bases, references) and every symlinked file handed to ``lint`` must resolve, after
following symlinks, inside the repository root and outside any ``.git`` directory.

The repository root of a file is the nearest ancestor holding ``.git`` (a directory,
or a file for worktrees and submodules); outside any git checkout it is the current
working directory when the file lies under it. A file in neither (``stablint lint
/tmp/x.yaml`` run elsewhere) is the user's own, named on the command line, and is
not confined. Threat model: ``docs/security.md``.
"""

from __future__ import annotations

import os

from .document import InputError


def repository_root(path: str) -> str | None:
    """The directory that files reached from ``path`` must stay in, or ``None`` (not confined)."""
    here = os.path.dirname(os.path.abspath(path))
    probe = here
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    cwd = os.path.abspath(os.getcwd())
    return cwd if _under(here, cwd) else None


def _under(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives (Windows)
        return False


def check_inside(path: str, root: str | None, why: str) -> None:
    """Refuse ``path`` unless it resolves (symlinks followed) inside ``root`` and outside ``.git``.

    Args:
        path: the file about to be read.
        root: from :func:`repository_root` of the file the user linted; ``None`` = no confinement.
        why: how the file was reached, for the message ("symlink", "base file").

    Raises:
        InputError: the resolved file lies outside ``root`` or inside a ``.git`` directory.
    """
    if root is None:
        return
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    if not _under(real, real_root):
        raise InputError(path, f"not read: {why} resolves outside the repository ({real_root})")
    if ".git" in os.path.relpath(real, real_root).split(os.sep):
        raise InputError(path, f"not read: {why} resolves into a .git directory")
