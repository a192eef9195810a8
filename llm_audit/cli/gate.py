"""`llm-audit gate --baseline BASE.json [PATH...]`: snapshot, diff and policy in one (exit 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llm_audit.cli.common import (
    FormatOpt,
    MaxPriceAgeOpt,
    OutputFormat,
    OutputOpt,
    PricingOpt,
    check_output,
    emit,
    write_atomic,
)
from llm_audit.cli.snapshot import LogsOpt, PathsArg, input_files


def gate(
    baseline: Annotated[Path, typer.Option(help="The baseline snapshot to compare with.")],
    paths: PathsArg = None,
    logs: LogsOpt = None,
    max_increase: Annotated[
        str | None,
        typer.Option(metavar="PCT", help="Total monthly cost, price changes excluded: e.g. 10%."),
    ] = None,
    max_call_increase: Annotated[
        str | None, typer.Option(metavar="PCT", help="Cost per call of any call site: e.g. 25%.")
    ] = None,
    max_monthly_increase: Annotated[
        str | None,
        typer.Option(metavar="USD", help="USD per month, price changes excluded: e.g. 50."),
    ] = None,
    max_unpriced_share: Annotated[
        str | None,
        typer.Option(
            metavar="SHARE",
            help="Share of calls/month at newly unpriced call sites: 0, 0.05 or 5%.",
        ),
    ] = None,
    max_p95_increase: Annotated[
        str | None,
        typer.Option(
            metavar="PCT|MS", help="p95 latency per feature and model, from --logs: 20% or 300ms."
        ),
    ] = None,
    update_baseline: Annotated[
        bool, typer.Option(help="Rewrite the baseline with this snapshot (atomically) and exit 0.")
    ] = False,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    max_price_age: MaxPriceAgeOpt = None,
    pricing: PricingOpt = None,
) -> None:
    """Fail (exit 1) when LLM cost grows past a threshold; price-table changes are not blamed."""
    from llm_audit import config
    from llm_audit.analyses import gate as policy
    from llm_audit.analyses import snapshot
    from llm_audit.lint.config import load
    from llm_audit.pricing.book import PriceBook
    from llm_audit.report.gate_view import gate_report

    inputs = (baseline, *input_files(paths, logs))
    if output is not None:  # refused before the baseline is rewritten: nothing is written
        check_output(output, inputs)
    flags = policy.cli_limits(
        {
            "max-increase": max_increase,
            "max-call-increase": max_call_increase,
            "max-monthly-increase": max_monthly_increase,
            "max-unpriced-share": max_unpriced_share,
            "max-p95-increase": max_p95_increase,
        }
    )
    try:
        base = (
            snapshot.empty()
            if update_baseline and not baseline.exists()
            else snapshot.load(baseline)
        )
    except snapshot.OtherVersionError as e:
        if not update_baseline:
            raise
        # our own file of another version: what its hint says to do (anything else is refused)
        typer.echo(f"warning: {e.where}: {e.message}; replaced, compared with nothing", err=True)
        base = snapshot.empty()
    # without PATH: the current folder, unless only logs are compared
    scan = list(paths or ([] if logs and not base.sites else [Path(".")]))
    start = scan[0] if scan and scan[0].is_dir() else (scan[0].parent if scan else Path("."))
    cfg = load(start)
    limits = policy.merged_limits(policy.project_limits(config.load(start)), flags)
    head = snapshot.snapshot_paths(
        scan,
        cfg,
        lambda: PriceBook.load([*cfg.pricing, *(pricing or [])]),
        logs=logs or (),
        also_price=policy.base_models(base),
    )
    for w in head.warnings:
        typer.echo(f"warning: {w}", err=True)
    result = policy.judge(policy.diff(base, head), limits, baseline_updated=update_baseline)
    if update_baseline:
        write_atomic(baseline, head.dumps())
        typer.echo(f"updated the baseline {baseline} ({len(head.sites)} call site(s))", err=True)
    emit(gate_report(result), fmt, output, inputs=inputs)
