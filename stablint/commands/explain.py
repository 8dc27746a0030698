"""``stablint explain NAME|CODE``: print a rule's documentation page."""

from __future__ import annotations

import click


@click.command()
@click.argument("rule")
def explain(rule):
    """Show what RULE (a name such as duplicate-key, or a code such as STL001) checks, why, and how to fix it.

    The text is the rule's own docstring, the same page as docs/rules/<name>.md.
    Exit 2 when no rule has that name or code.
    """
    from ..docs import render_rule
    from ..linter.rules import by_key, catalog

    found = by_key(rule)
    if found is None:
        names = ", ".join(f"{r.code} {r.name}" for r in catalog())
        raise click.BadParameter(f"no rule named {rule!r}; rules: {names}", param_hint="RULE")
    text = render_rule(found)
    click.echo(text.split("\n", 1)[1].lstrip("\n"), nl=False)
