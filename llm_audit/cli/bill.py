"""`llm-audit bill`: read provider bills, explain them, reconcile them, say what to save."""

from __future__ import annotations

import datetime as dt
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

# Set once the report is rendered: the console entry point then exits without tearing down
# a million-row table object by object (see cli.main.run).
report_done = False


def _date(value: str | None, flag: str) -> dt.date | None:
    from llm_audit.errors import InputError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as e:
        raise InputError(f"{flag} {value!r} is not a date", hint="use YYYY-MM-DD") from e


def bill(
    files: Annotated[list[str], typer.Argument(help="Exports: files, dirs, globs, - for stdin.")],
    input_format: Annotated[
        str | None, typer.Option(help="Skip detection: a name from `llm-audit formats`.")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN for a generic CSV/JSONL (repeatable)."),
    ] = None,
    since: Annotated[str | None, typer.Option(help="First day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Last day (YYYY-MM-DD).")] = None,
    timezone: Annotated[str, typer.Option(help="Bucket days in this time zone.")] = "UTC",
    users: Annotated[int | None, typer.Option(help="Monthly active users.")] = None,
    group_by: Annotated[
        str | None,
        typer.Option(
            help="KEY[,KEY]: model, kind, day, provider, service_tier, project, workspace, "
            "api_key, user."
        ),
    ] = None,
    explain: Annotated[bool, typer.Option("--explain", help="The bill line by line.")] = False,
    target_cache_hit: Annotated[
        float, typer.Option(help="Cache hit rate to price the bill at.")
    ] = 0.8,
    anomaly_factor: Annotated[
        float,
        typer.Option(help="Flag a day whose cost per request exceeds this x its trailing median."),
    ] = 2.0,
    as_of: Annotated[
        str | None,
        typer.Option(
            help="Date the report as of DATE (YYYY-MM-DD): the price-data age is counted to it, "
            "so a report can be reproduced. Default: today."
        ),
    ] = None,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    max_price_age: MaxPriceAgeOpt = None,
    pricing: PricingOpt = None,
) -> None:
    """What the providers billed, line by line, reconciled with list prices, what to save."""
    from llm_audit.analyses.bill import BillOptions, analyze, load
    from llm_audit.errors import InputError
    from llm_audit.ingest.base import Reader
    from llm_audit.ingest.billing import READERS, GenericReader
    from llm_audit.report.bill_view import bill_report

    readers: list[Reader] = list(READERS)
    forced = input_format
    if map_:
        readers = [GenericReader().with_map(map_), *readers]
        forced = forced or "generic"
    if not 0.0 <= target_cache_hit <= 1.0:
        raise InputError("--target-cache-hit takes a share between 0 and 1")
    opts = BillOptions(
        since=_date(since, "--since"),
        until=_date(until, "--until"),
        timezone=timezone,
        users=users,
        group_by=tuple(k.strip() for k in group_by.split(",")) if group_by else (),
        explain=explain,
        target_cache_hit=target_cache_hit,
        anomaly_factor=anomaly_factor,
    )
    from llm_audit.pricing import age

    age.as_of = _date(as_of, "--as-of")
    book = load_book(pricing)
    table, inputs = load(files, readers, forced)
    result = analyze(table, book, opts, inputs)
    global report_done
    report_done = True
    emit(bill_report(result), fmt, output, inputs=tuple(Path(f) for f in files if f != "-"))
