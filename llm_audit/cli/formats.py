"""`llm-audit formats`: every input format the readers know, by command."""

from __future__ import annotations

from llm_audit.cli.common import FormatOpt, OutputFormat, OutputOpt, emit


def formats(fmt: FormatOpt = OutputFormat.table, output: OutputOpt = None) -> None:
    """The input formats `bill` and `logs` detect (names for --input-format)."""
    from llm_audit.ingest.billing import READERS as BILL_READERS
    from llm_audit.ingest.logs import READERS as LOG_READERS
    from llm_audit.report.model import Col, Report, Section

    rows = [{"command": command, "name": r.name, "description": r.description}
            for command, readers in (("bill", BILL_READERS), ("logs", LOG_READERS))
            for r in readers]
    emit(Report(
        command="formats",
        title="llm-audit formats: what `bill` and `logs` read (auto-detected; "
        "--input-format NAME to force one)",
        headline=(),
        sections=(Section("Formats", (Col("command", "command"), Col("name", "name"),
                                      Col("description", "description")), tuple(rows)),),
        pricing=None,
        data={"formats": rows},
    ), fmt, output)
