"""Command-line entry point: ``stablint lint|plan|rules|explain|probe|diagnose``.

Sub-commands live in ``stablint/commands/`` and are imported only when invoked
(click's documented lazy-group pattern), so ``stablint lint`` never imports the
probe (and therefore never torch).
"""

from __future__ import annotations

import sys
from importlib import import_module

import click

from . import __version__

#: sub-command name → "module:attribute" of its click command.
COMMANDS: dict[str, str] = {
    "lint": "stablint.commands.lint:lint",
    "rules": "stablint.commands.rules:rules",
    "explain": "stablint.commands.explain:explain",
    "diagnose": "stablint.commands.diagnose:diagnose",
    "probe": "stablint.commands.probe:probe",
    "plan": "stablint.commands.plan:plan",
}


class LazyGroup(click.Group):
    """A click group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stablint")
def cli() -> None:
    """Catch unstable deep-learning training runs before they burn GPU hours."""


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point; usage errors exit 2 (click's convention, design.md)."""
    cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="stablint")
