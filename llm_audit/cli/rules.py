"""`llm-audit rules` and `llm-audit rule CODE`: what each lint rule means."""

from __future__ import annotations

from typing import Annotated

import typer


def rules() -> None:
    """List the lint rules: code, name, severity, confidence, summary."""
    from llm_audit.lint.rules import RULES

    for r in RULES:
        typer.echo(f"{r.code}  {r.name:<32} {r.severity:<8} {r.confidence:<7} {r.summary}")


def rule(code: Annotated[str, typer.Argument(help="A rule code or name, e.g. LLM002.")]) -> None:
    """Print one rule's documentation (Anti-pattern / Best practice)."""
    import inspect

    from llm_audit.errors import InputError
    from llm_audit.lint.rules import RULES, lookup

    found = lookup(code)
    if found is None:
        raise InputError(
            f"unknown rule {code!r}", hint="known: " + ", ".join(r.code for r in RULES)
        )
    typer.echo(
        f"{found.code} {found.name} (severity {found.severity}, confidence {found.confidence})\n"
    )
    typer.echo(inspect.cleandoc(type(found).__doc__ or ""))
