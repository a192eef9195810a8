"""OpenAI Costs API `/v1/organization/costs` JSON: billed dollars per day and line item."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest.base import Source
from llm_audit.ingest.billing._common import fnum, json_head_has, load_json, pages
from llm_audit.ingest.billing.openai_cost_csv import cost_frame

if TYPE_CHECKING:
    import pandas as pd


class OpenAICostsApiReader:
    name = "openai-costs-api"
    description = "OpenAI Costs API /organization/costs JSON (pages or JSONL)"

    def detect(self, source: Source) -> bool:
        head = source.head
        return json_head_has(source, '"results"') and (
            "organization.costs.result" in head or ('"amount"' in head and '"line_item"' in head)
        )

    def read(self, source: Source) -> pd.DataFrame:
        import pandas as pd

        from llm_audit.usage.schema import empty

        ts: list[int] = []
        amounts: list[float] = []
        items: list[str] = []
        extra: dict[str, list[Any]] = {
            "project": [],
            "api_key": [],
            "user": [],
            "quantity": [],
            "source_file": [],
            "source_line": [],
        }
        for page in pages(load_json(source)):
            for bucket in page.get("data") or []:
                for result in bucket.get("results") or []:
                    amount = result.get("amount") or {}
                    cur = str(amount.get("currency", "usd")).lower()
                    if cur != "usd":
                        raise InputError(
                            f"currency {cur!r} is not USD",
                            path=source.name,
                            hint="llm-audit reports USD only",
                        )
                    ts.append(int(bucket.get("start_time") or 0))
                    amounts.append(fnum(amount.get("value"), source, "amount.value"))
                    items.append(str(result.get("line_item") or ""))
                    extra["project"].append(result.get("project_id"))
                    extra["api_key"].append(result.get("api_key_id"))
                    extra["user"].append(result.get("user_id"))
                    q = result.get("quantity")
                    # quantity_unit may be 1000_tokens; only plain tokens are comparable.
                    unit = str(result.get("quantity_unit") or "")
                    factor = 1000.0 if unit == "1000_tokens" else 1.0
                    extra["quantity"].append(
                        None
                        if q is None or unit not in ("tokens", "1000_tokens")
                        else float(q) * factor
                    )
                    extra["source_file"].append(source.name)
                    extra["source_line"].append(len(ts))
        if not ts:
            return empty()
        return cost_frame(
            pd.to_datetime(pd.Series(ts), unit="s", utc=True),
            pd.Series(amounts, dtype="float64"),
            pd.Series(items),
            pd.DataFrame(extra),
        )
