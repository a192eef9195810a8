"""`llm-audit snapshot PATH... [--logs FILE]`: what each LLM call site costs, as a baseline file."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from llm_audit.cli.common import (
    MaxPriceAgeOpt,
    OutputFormat,
    OutputOpt,
    PricingOpt,
    check_output,
    emit,
    stamp_prices,
    write_atomic,
)


class SnapshotFormat(enum.StrEnum):
    json = "json"
    table = "table"
    csv = "csv"
    markdown = "markdown"


PathsArg = Annotated[
    list[Path] | None, typer.Argument(help="Source files or folders (default: . unless --logs).")
]
LogsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--logs",
        help="Request logs: measured cost per call, per user-month, p95 "
        "latency and cache hit rate per feature and model. Repeatable.",
    ),
]


def input_files(paths: list[Path] | None, logs: list[str] | None) -> tuple[Path, ...]:
    """The files named on the command line (source files, logs): -o may not overwrite them."""
    named = [*(paths or []), *(Path(f) for f in (logs or []) if f != "-")]
    return tuple(p for p in named if p.is_file())


def snapshot(
    paths: PathsArg = None,
    logs: LogsOpt = None,
    fmt: Annotated[
        SnapshotFormat, typer.Option("--format", "-f", help="json is the snapshot file itself.")
    ] = SnapshotFormat.json,
    output: OutputOpt = None,
    max_price_age: MaxPriceAgeOpt = None,
    pricing: PricingOpt = None,
) -> None:
    """Snapshot the cost of every LLM call site (and, from logs, every feature)."""
    from llm_audit.analyses.snapshot import snapshot_paths
    from llm_audit.lint.config import load
    from llm_audit.pricing.book import PriceBook
    from llm_audit.report.gate_view import snapshot_report

    if output is not None:  # before the work, and before any write
        check_output(output, input_files(paths, logs))
    scan = list(paths or ([] if logs else [Path(".")]))
    start = scan[0] if scan and scan[0].is_dir() else (scan[0].parent if scan else Path("."))
    cfg = load(start)
    snap = snapshot_paths(
        scan, cfg, lambda: PriceBook.load([*cfg.pricing, *(pricing or [])]), logs=logs or ()
    )
    for w in snap.warnings:
        typer.echo(f"warning: {w}", err=True)
    if fmt is SnapshotFormat.json:
        stamp_prices(snapshot_report(snap), fmt.value)  # the stale-price warning, on stderr
        if output is None:
            typer.echo(snap.dumps(), nl=False)
        else:
            write_atomic(output, snap.dumps())
            typer.echo(f"wrote {len(snap.sites)} call site(s) to {output}", err=True)
        return
    emit(snapshot_report(snap), OutputFormat(fmt.value), output)
