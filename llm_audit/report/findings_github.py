"""GitHub Actions workflow annotations (``::warning file=...::message``) for findings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llm_audit.report.model import Report, fmt_usd

LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class GithubRenderer:
    name = "github"

    def render(self, report: Report, *, width: int = 100, color: bool = False) -> str:
        findings: Sequence[Mapping[str, Any]] = report.data.get("findings", [])  # type: ignore[assignment]
        lines = []
        for f in findings:
            money = ""
            if f["usd_per_month_at_stake"] is not None:
                money = f" ({fmt_usd(f['usd_per_month_at_stake'])}/month at stake)"
            title = _prop(f"{f['code']} {f['name']}")
            lines.append(
                f"::{LEVEL[f['severity']]} file={_prop(f['path'])},line={f['line']},"
                f"col={f['column']},title={title}::"
                f"{_data(f['message'] + money + '. Fix: ' + f['fix'])}"
            )
        return "\n".join(lines) + ("\n" if lines else "")
