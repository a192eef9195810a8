"""`llm-audit diff BASE.json HEAD.json`: what changed in LLM cost, per call site, and why."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llm_audit.cli.common import FormatOpt, MaxPriceAgeOpt, OutputFormat, OutputOpt, emit


def diff(
    base: Annotated[Path, typer.Argument(help="The baseline snapshot (llm-audit snapshot).")],
    head: Annotated[Path, typer.Argument(help="The snapshot to compare with it.")],
    fmt: FormatOpt = OutputFormat.table,
    output: OutputOpt = None,
    max_price_age: MaxPriceAgeOpt = None,
) -> None:
    """Per call site and in total: the change, split into price, model, tokens and usage."""
    from llm_audit.analyses import snapshot
    from llm_audit.analyses.gate import diff as compare
    from llm_audit.report.gate_view import diff_report

    result = compare(snapshot.load(base), snapshot.load(head))
    emit(diff_report(result), fmt, output, inputs=(base, head))
