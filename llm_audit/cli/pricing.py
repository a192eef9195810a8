"""`llm-audit pricing list|show|update`: the price tables as users see them, and updates."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from llm_audit.cli.common import (
    FormatOpt,
    MaxPriceAgeOpt,
    OutputFormat,
    OutputOpt,
    PricingOpt,
    emit,
    load_book,
)

app = typer.Typer(
    no_args_is_help=True,
    help="The price tables: what a model costs, since when, from which source.",
)


@app.command("list")
def list_models(
    provider: Annotated[str | None, typer.Option(help="Only this provider.")] = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    max_price_age: MaxPriceAgeOpt = None,
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
    max_price_age: MaxPriceAgeOpt = None,
    pricing: PricingOpt = None,
) -> None:
    """One model: how the id resolved, aliases, and its full price history per tier."""
    from llm_audit.report.pricing_view import show_report

    book = load_book(pricing)
    emit(show_report(book, model, provider), fmt, output)


@app.command("update")
def update(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Folder for the updated user tables (one YAML per "
            "provider); never the bundled tables.",
        ),
    ],
    source: Annotated[
        str, typer.Option(help="litellm, genai-prices, or a URL serving either's JSON.")
    ] = "litellm",
    provider: Annotated[
        list[str] | None, typer.Option(help="Only these providers (repeatable or a,b).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the changes; write nothing.")
    ] = False,
    fmt: FormatOpt = OutputFormat.table,
    max_price_age: MaxPriceAgeOpt = None,
    read_timeout: Annotated[float, typer.Option(help="Seconds to wait for the source.")] = 60.0,
) -> None:
    """Download a price source, show what changed against our tables, write user tables.

    The change list (new models, changed prices, models the source no longer lists) is printed
    first; then the tables are written to --output unless --dry-run. Old prices stay in each
    model's history with their dates. Load the folder with --pricing DIR.
    """
    from llm_audit.pricing import age
    from llm_audit.pricing.book import PriceBook
    from llm_audit.pricing.update import download, plan_update, providers_of, write_tables
    from llm_audit.report.pricing_update_view import update_report

    if output.exists() and not output.is_dir():
        from llm_audit.errors import InputError

        raise InputError(
            "--output must be a folder (one table per provider is written there)",
            path=str(output),
            hint="pass a folder, e.g. --output prices/",
        )
    from llm_audit.pricing import tables

    bundled = tables._bundled_root()
    if isinstance(bundled, Path) and output.resolve() == bundled.resolve():
        from llm_audit.errors import InputError

        raise InputError(
            "--output is the folder of the bundled price tables; updates never go over them",
            path=str(output),
            hint="write to a folder of your own, e.g. --output prices/, then pass --pricing DIR",
        )
    wanted = providers_of(provider or [])
    data = download(source, read_timeout=read_timeout)
    book = PriceBook.load([output] if output.is_dir() else [])
    plan = plan_update(data, book, output, age.today(), wanted)
    emit(update_report(plan, book.provenance, dry_run), fmt, None)  # the list, then the files
    if not dry_run:
        written = write_tables(plan)
        sys.stderr.write("wrote " + ", ".join(map(str, written)) + "\n")
