"""`llm-audit pricing list|show`: the price tables as users see them."""

from __future__ import annotations

from typing import Annotated

import typer

from llm_audit.cli.common import FormatOpt, OutputFormat, OutputOpt, PricingOpt, emit, load_book

app = typer.Typer(no_args_is_help=True, help="The price tables: what a model costs, since when, "
                  "from which source.")


@app.command("list")
def list_models(
    provider: Annotated[str | None, typer.Option(help="Only this provider.")] = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    pricing: PricingOpt = None,
) -> None:
    """Every priced model: current standard rates, tiers, checked date and source."""
    from llm_audit.report.pricing_view import list_report

    book = load_book(pricing)
    emit(list_report(book, provider), fmt, output)


@app.command("show")
def show_model(
    model: Annotated[str, typer.Argument(help="A model id, alias or display name.")],
    provider: Annotated[str | None, typer.Option(help="Provider hint for shared ids.")] = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    pricing: PricingOpt = None,
) -> None:
    """One model: how the id resolved, aliases, and its full price history per tier."""
    from llm_audit.report.pricing_view import show_report

    book = load_book(pricing)
    emit(show_report(book, model, provider), fmt, output)
