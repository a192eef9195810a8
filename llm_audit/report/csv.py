"""CSV: the report's primary table (its first section), one header row, raw values."""

from __future__ import annotations

import csv
import io

from llm_audit.report.model import Report, json_cell


class CsvRenderer:
    name = "csv"

    def render(self, report: Report, *, width: int = 100, color: bool = False) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        if not report.sections:
            return ""
        section = report.sections[0]
        writer.writerow([c.key for c in section.columns])
        for row in section.rows:
            writer.writerow(["" if (v := json_cell(row.get(c.key), c.kind)) is None else v
                             for c in section.columns])
        return buf.getvalue()
