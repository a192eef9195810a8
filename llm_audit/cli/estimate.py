"""`llm-audit estimate`: token math before deploy."""

from __future__ import annotations

import enum
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


class ServiceTier(enum.StrEnum):
    standard = "standard"
    batch = "batch"
    flex = "flex"
    priority = "priority"


def estimate(
    model: Annotated[list[str], typer.Option("--model", "-m",
                                             help="Model id (repeatable: side by side).")],
    input_tokens: Annotated[int | None, typer.Option(help="Input tokens per call.")] = None,
    prompt: Annotated[Path | None, typer.Option(
        help="A prompt file, counted with each model's tokenizer.")] = None,
    output_tokens: Annotated[int, typer.Option(help="Output tokens per call.")] = 500,
    cached_tokens: Annotated[int, typer.Option(
        help="Input tokens per call read from the prompt cache.")] = 0,
    calls_per_user_day: Annotated[float, typer.Option(
        help="Calls per active user per day.")] = 10.0,
    users: Annotated[int, typer.Option(help="Monthly active users.")] = 1000,
    service_tier: Annotated[ServiceTier, typer.Option(
        help="standard, batch, flex or priority.")] = ServiceTier.standard,
    cascade: Annotated[str | None, typer.Option(
        help="SMALL,LARGE: try SMALL first, escalate to LARGE.")] = None,
    escalation_rate: Annotated[float, typer.Option(
        help="Share of calls the cascade escalates.")] = 0.2,
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    max_price_age: MaxPriceAgeOpt = None,
    pricing: PricingOpt = None,
) -> None:
    """What one call, one active user-month and one month will cost, before deploy."""
    from llm_audit.analyses.estimate import estimate as run_estimate
    from llm_audit.errors import InputError
    from llm_audit.report.estimate_view import estimate_report

    pair = None
    if cascade is not None:
        parts = [p.strip() for p in cascade.split(",")]
        if len(parts) != 2 or not all(parts):
            raise InputError(f"--cascade takes SMALL,LARGE, got {cascade!r}",
                             hint="e.g. --cascade gpt-4o-mini,gpt-4o")
        pair = (parts[0], parts[1])
    book = load_book(pricing)
    result = run_estimate(
        book, model, input_tokens=input_tokens, prompt=prompt, output_tokens=output_tokens,
        cached_tokens=cached_tokens, calls_per_user_day=calls_per_user_day, users=users,
        service_tier=service_tier.value, cascade=pair, escalation_rate=escalation_rate,
    )
    emit(estimate_report(result, book.provenance), fmt, output,
         inputs=(prompt,) if prompt else ())
