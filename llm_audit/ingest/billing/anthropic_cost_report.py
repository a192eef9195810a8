"""Anthropic Admin API `cost_report` JSON: amounts are decimal strings in cents."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest.base import Source
from llm_audit.ingest.billing import _anthropic as vocab
from llm_audit.ingest.billing._common import cost_rows, json_head_has, load_json, pages

if TYPE_CHECKING:
    import pandas as pd


class AnthropicCostReportReader:
    name = "anthropic-cost-report"
    description = "Anthropic Admin API cost_report JSON (amounts in cents)"

    def detect(self, source: Source) -> bool:
        return json_head_has(source, '"starting_at"', '"amount"') and (
            '"cost_type"' in source.head or '"currency"' in source.head
        )

    def read(self, source: Source) -> pd.DataFrame:
        records: list[dict[str, Any]] = []
        for page in pages(load_json(source)):
            for bucket in page.get("data") or []:
                for r in bucket.get("results") or []:
                    raw = r.get("amount")
                    try:
                        # "123.45" is 123.45 cents = $1.2345; Decimal keeps it exact.
                        usd = float(Decimal(str(raw)) / 100)
                    except (InvalidOperation, ValueError) as e:
                        raise InputError(
                            f"amount {raw!r} is not a decimal string",
                            path=source.name,
                            hint="amounts are decimal strings in cents",
                        ) from e
                    cur = str(r.get("currency") or "USD").upper()
                    if cur != "USD":
                        raise InputError(f"currency {cur!r} is not USD", path=source.name)
                    desc = str(r.get("description") or "")
                    desc_model, desc_kind = vocab.description_kind(desc)
                    kind = vocab.KINDS.get(str(r.get("token_type") or ""), desc_kind)
                    cost_type = str(r.get("cost_type") or "")
                    if cost_type == "web_search":
                        kind = "web_search"
                    elif cost_type and cost_type != "tokens":
                        kind = "other"  # code execution, session usage: not token-priced
                    records.append(
                        {
                            "timestamp": bucket.get("starting_at"),
                            "provider": "anthropic",
                            "model_raw": r.get("model") or desc_model or "(model not grouped)",
                            "service_tier": vocab.tier(r.get("service_tier")),
                            "workspace": r.get("workspace_id") or "(default)",
                            "context_tier": vocab.context_tier(r.get("context_window")),
                            "region": vocab.region(r.get("inference_geo")),
                            "billed_usd": usd,
                            "token_kind": kind,
                            "line_item": desc or cost_type,
                            "source_file": source.name,
                            "source_line": len(records) + 1,
                        }
                    )
        return cost_rows(records)
