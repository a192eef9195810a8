"""Markdown: for pull-request comments, wikis and issues."""

from __future__ import annotations

from llm_audit.report.model import Report, fmt_cell, fmt_usd


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class MarkdownRenderer:
    name = "markdown"

    def render(self, report: Report, *, width: int = 100, color: bool = False) -> str:
        out = [f"## {report.title}", ""]
        for key, value in report.headline:
            out.append(f"- **{_escape(key)}**: {_escape(value)}")
        out.append("")
        for section in report.sections:
            out += [f"### {section.title}", ""]
            out.append("| " + " | ".join(c.header for c in section.columns) + " |")
            out.append("|" + "|".join("---:" if c.kind != "text" else "---"
                                      for c in section.columns) + "|")
            for row in section.rows:
                cells = [_escape(fmt_cell(row.get(c.key), c.kind)) for c in section.columns]
                out.append("| " + " | ".join(cells) + " |")
            if section.notes:  # GFM would read a line right under the rows as one more row
                out.append("")
            out += [f"_{_escape(n)}_" for n in section.notes]
            out.append("")
        if report.savings:
            out += ["### Savings checklist", ""]
            for item in report.savings:
                out.append(f"- [ ] **{_escape(item.lever)}**: {fmt_usd(item.usd_per_month)}"
                           f"/month. _Assumes {_escape(item.assumption)}_")
            out.append("")
        out += [f"> {_escape(n)}" for n in report.notes]
        if report.pricing is not None:
            out.append(f"> {report.pricing.summary()}")
            if (warning := report.pricing.warning()) is not None:
                out.append(f"> **{warning}**")
        return "\n".join(out) + "\n"
