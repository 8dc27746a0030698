"""``stablint rules``: list every rule (code, name, severity, summary, options)."""

from __future__ import annotations

import json

import click


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--dialects", "show_dialects", is_flag=True, help="List the dialects instead of the rules.")
def rules(fmt, show_dialects):
    """List the rules (or, with --dialects, the supported config dialects)."""
    if show_dialects:
        from ..linter.dialects import all_dialects

        rows = [{"name": d.name, "title": d.title, "formats": list(d.formats), "loader": d.loader} for d in all_dialects()]
        if fmt == "json":
            click.echo(json.dumps(rows, indent=2))
        else:
            for r in rows:
                click.echo(f"{r['name']:<16} {r['title']}  [{', '.join(r['formats'])}; numbers via {r['loader']}]")
        return
    from ..linter.rules import catalog

    data = [{"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary, "options": r.options,
             "signal": r.signal} for r in catalog()]
    if fmt == "json":
        click.echo(json.dumps(data, indent=2))
        return
    for r in data:
        opts = ", ".join(f"{k}={v}" for k, v in r["options"].items())
        click.echo(f"{r['code']}  {r['name']:<28} {r['severity']:<8} {r['summary']}" + (f"  [{opts}]" if opts else ""))
