"""JSON: the stable, versioned machine form (``schema_version``, ``pricing`` provenance)."""

from __future__ import annotations

import json
from dataclasses import asdict

from llm_audit.report.model import SCHEMA_VERSION, Report


def payload(report: Report) -> dict[str, object]:
    pricing = report.pricing
    return {
        "schema_version": SCHEMA_VERSION,
        "command": report.command,
        "pricing": None if pricing is None else {
            "version": pricing.version,
            "oldest_checked": pricing.oldest_checked,
            "age_days": pricing.age_days,
            "max_age_days": pricing.max_age_days,
            "stale": bool(pricing.stale_providers),
            "stale_providers": list(pricing.stale_providers),
            "tables": [asdict(t) for t in pricing.tables],
        },
        **report.data,
        "savings": [s.to_dict() for s in report.savings],
        "notes": list(report.notes),
    }


class JsonRenderer:
    name = "json"

    def render(self, report: Report, *, width: int = 100, color: bool = False) -> str:
        return json.dumps(payload(report), indent=2, ensure_ascii=False, default=str) + "\n"
