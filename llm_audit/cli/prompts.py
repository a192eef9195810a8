"""`llm-audit prompts PATH...`: the pre-ship check of code that calls LLMs."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from llm_audit.cli.common import (
    MaxPriceAgeOpt,
    OutputOpt,
    PricingOpt,
    check_output,
    emit,
    stamp_prices,
    write_atomic,
)


class FindingsFormat(enum.StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    sarif = "sarif"
    gitlab = "gitlab"
    github = "github"


class Level(enum.StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


class Confidence(enum.StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


def _scanned_source(target: Path, paths: list[Path]) -> tuple[Path, ...]:
    """``target`` when it is a source file this scan reads (an --output must never replace it)."""
    from llm_audit.lint.engine import JS_SUFFIXES, PY_SUFFIXES

    if not target.name.endswith(PY_SUFFIXES + JS_SUFFIXES):
        return ()
    real = target.resolve()
    for p in paths:
        root = p.resolve()
        if real == root or (root.is_dir() and real.is_relative_to(root)):
            return (target,)
    return ()


def prompts(
    paths: Annotated[list[Path], typer.Argument(help="Source files or folders.")],
    fmt: Annotated[
        FindingsFormat, typer.Option("--format", "-f", help="Output format.")
    ] = FindingsFormat.table,
    output: OutputOpt = None,
    max_price_age: MaxPriceAgeOpt = None,
    pricing: PricingOpt = None,
    select: Annotated[str | None, typer.Option(help="Only these rules (comma-separated).")] = None,
    ignore: Annotated[str | None, typer.Option(help="Skip these rules (comma-separated).")] = None,
    fail_on: Annotated[
        Level, typer.Option(help="Exit 1 on findings at or above this.")
    ] = Level.warning,
    exit_zero: Annotated[bool, typer.Option(help="Exit 0 even with findings.")] = False,
    min_confidence: Annotated[
        Confidence, typer.Option(help="Drop findings below this confidence.")
    ] = Confidence.low,
    baseline: Annotated[
        Path | None, typer.Option(help="Report only findings not in this baseline file.")
    ] = None,
    write_baseline: Annotated[
        Path | None, typer.Option(help="Write the current findings as a baseline file and exit 0.")
    ] = None,
) -> None:
    """Lint LLM call sites: antipatterns, each with the dollars at stake."""
    from llm_audit.analyses.prompts import run
    from llm_audit.lint.config import load
    from llm_audit.lint.engine import write_baseline as baseline_text
    from llm_audit.pricing.book import PriceBook
    from llm_audit.report.findings_view import findings_report

    for target in (output, write_baseline):
        if target is not None:
            check_output(target, _scanned_source(target, paths))
    start = paths[0] if paths[0].is_dir() else paths[0].parent
    cfg = load(start, select.split(",") if select else None, ignore.split(",") if ignore else None)

    def book() -> PriceBook:
        return PriceBook.load([*cfg.pricing, *(pricing or [])])

    result = run(
        paths,
        cfg,
        book,
        fail_on=fail_on.value,
        exit_zero=exit_zero,
        min_confidence=min_confidence.value,
        baseline=None if write_baseline else baseline,
    )
    if write_baseline is not None:
        write_atomic(write_baseline, baseline_text(result.lint))
        typer.echo(f"wrote {len(result.lint.findings)} finding(s) to {write_baseline}", err=True)
        return
    report = findings_report(result, flat=fmt is FindingsFormat.csv)
    for w in result.lint.warnings:
        typer.echo(f"warning: {w.path}:{w.line}: {w.message}", err=True)
    if fmt.value in ("sarif", "gitlab", "github"):
        from llm_audit.report.base import Renderer
        from llm_audit.report.findings_github import GithubRenderer
        from llm_audit.report.findings_gitlab import GitlabRenderer
        from llm_audit.report.findings_sarif import SarifRenderer

        renderers: dict[str, Renderer] = {
            "sarif": SarifRenderer(),
            "gitlab": GitlabRenderer(),
            "github": GithubRenderer(),
        }
        text = renderers[fmt.value].render(stamp_prices(report, fmt.value))
        if output is None:
            typer.echo(text, nl=False)
        else:
            write_atomic(output, text)
        if report.exit_code:
            raise typer.Exit(report.exit_code)
        return
    from llm_audit.cli.common import OutputFormat

    emit(report, OutputFormat(fmt.value), output)
