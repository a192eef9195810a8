"""The terminal table (rich): the default, for people."""

from __future__ import annotations

import io

from llm_audit.report.model import Report, fmt_cell, fmt_usd


class TableRenderer:
    name = "table"

    def render(self, report: Report, *, width: int = 100, color: bool = False) -> str:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        buf = io.StringIO()
        console = Console(file=buf, width=width, force_terminal=color, no_color=not color,
                          highlight=False, soft_wrap=False)
        console.print(Text(report.title, style="bold"))
        if report.headline:
            head = Table.grid(padding=(0, 2))
            head.add_column(style="bold")
            head.add_column()
            for key, value in report.headline:
                head.add_row(key, value)
            console.print(head)
        for section in report.sections:
            table = Table(title=section.title, title_justify="left", title_style="bold",
                          show_edge=False, pad_edge=False)
            last_text = max((i for i, c in enumerate(section.columns) if c.kind == "text"),
                            default=-1)
            for i, col in enumerate(section.columns):
                # one column may wrap (the last text one), so the others stay whole
                table.add_column(col.header, justify="left" if col.kind == "text" else "right",
                                 no_wrap=i != last_text or i == 0, overflow="fold")
            for row in section.rows:
                # Text, not markup: cells hold user data such as `[x for x in y]`
                table.add_row(*(Text(fmt_cell(row.get(c.key), c.kind)) for c in section.columns))
            console.print()
            console.print(table)
            for note in section.notes:
                console.print(Text(note, style="dim"))
        if report.savings:
            console.print()
            console.print(Text("Savings checklist", style="bold"))
            for i, item in enumerate(report.savings, 1):
                console.print(f"{i}. {item.lever}: [bold]{fmt_usd(item.usd_per_month)}[/]/month"
                              if color else f"{i}. {item.lever}: "
                              f"{fmt_usd(item.usd_per_month)}/month", markup=color)
                console.print(Text(f"   assumes {item.assumption}", style="dim"))
        console.print()
        for note in report.notes:
            console.print(Text(f"note: {note}", style="yellow"))
        if report.pricing is not None:
            console.print(Text(report.pricing.summary(), style="dim"))
            if (warning := report.pricing.warning()) is not None:
                console.print(Text(warning, style="yellow"))
        return buf.getvalue()
