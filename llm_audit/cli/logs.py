"""`llm-audit logs`: price every request in request logs; latency, caching, routing, savings."""

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

report_done = False  # set once the report is on its way: main exits without teardown


def _progress(message: str) -> None:
    sys.stderr.write(f"\r\x1b[K{message[:120]}")
    sys.stderr.flush()


def logs(
    files: Annotated[list[str], typer.Argument(help="Log files, directories, globs or - .")],
    since: Annotated[str | None, typer.Option(help="Start date (inclusive).")] = None,
    until: Annotated[str | None, typer.Option(help="End date (inclusive).")] = None,
    timezone: Annotated[str, typer.Option(help="Time zone for dates and days.")] = "UTC",
    group_by: Annotated[str | None, typer.Option(
        help="KEY[,KEY]: model, provider, feature, user, project, api_key, day, ...")] = None,
    users: Annotated[int | None, typer.Option(
        help="Monthly active users, when the log has no user column.")] = None,
    latency_budget_ms: Annotated[float | None, typer.Option(
        help="p95 latency budget in ms (default 5000).")] = None,
    budget_per_user_month: Annotated[float | None, typer.Option(
        help="Budget per active user-month in USD (default 2.00).")] = None,
    route_to: Annotated[str | None, typer.Option(
        help="Cheaper model for the routing what-if (default: per provider).")] = None,
    input_format: Annotated[str | None, typer.Option(
        help="Skip detection: a reader name (see `llm-audit formats`).")] = None,
    map_: Annotated[list[str] | None, typer.Option(
        "--map", help="FIELD=COLUMN for a generic CSV/JSONL (repeatable).")] = None,
    skip_bad_lines: Annotated[bool, typer.Option(
        help="Count and skip broken lines instead of stopping.")] = False,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    max_price_age: MaxPriceAgeOpt = None,
    pricing: PricingOpt = None,
) -> None:
    """Cost per call and per user, latency percentiles, caching, routing and batching."""
    from llm_audit.analyses.logs import LogsOptions, analyze
    from llm_audit.ingest.logs.load import load_logs
    from llm_audit.report.logs_view import logs_report

    tty = sys.stderr.isatty()
    # The analysis never reads request ids: the duplicate check is done on fingerprints.
    load = load_logs(files, input_format=input_format, maps=map_ or (),
                     skip_bad_lines=skip_bad_lines, progress=_progress if tty else None,
                     request_ids=False)
    if tty:  # pricing and the analysis take seconds on millions of rows: say so
        _progress(f"pricing and analysing {len(load.table):,} requests")
    book = load_book(pricing)
    keys = tuple(k.strip() for k in group_by.split(",") if k.strip()) if group_by else ()
    result = analyze(load, book, LogsOptions(
        since=since, until=until, timezone=timezone, group_by=keys,
        latency_budget_ms=latency_budget_ms, budget_per_user_month=budget_per_user_month,
        users=users, route_to=route_to))
    if tty:
        sys.stderr.write("\r\x1b[K")
    global report_done
    report_done = True
    emit(logs_report(result, book.provenance), fmt, output,
         inputs=tuple(Path(f) for f in files if f != "-"))
