"""Anthropic Console cost export CSV (`claude_api_cost_*.csv`): dollars per model and token type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_audit.ingest.base import Source
from llm_audit.ingest.billing import _anthropic as vocab
from llm_audit.ingest.billing._common import (
    header_fields,
    numbers,
    read_csv,
    strings_by_value,
    times_by_value,
    usage_table,
)

if TYPE_CHECKING:
    import pandas as pd

_REQUIRED = ("usage_date_utc", "model", "token_type", "cost_usd")
# The columns read (api_key_id and api_key_status are not used).
_USED = (
    *_REQUIRED,
    "workspace",
    "api_key",
    "usage_type",
    "context_window",
    "list_price_usd",
    "cost_type",
    "inference_geo",
    "speed",
)


class AnthropicCostCsvReader:
    name = "anthropic-cost-csv"
    description = "Anthropic Console cost export CSV (claude_api_cost_*.csv), display names"

    def detect(self, source: Source) -> bool:
        cols = header_fields(source)
        return "cost_usd" in cols and "token_type" in cols and "usage_date_utc" in cols

    def read(self, source: Source) -> pd.DataFrame:
        import pandas as pd

        from llm_audit.usage.schema import empty

        df = read_csv(
            source, required=_REQUIRED, numeric=("cost_usd", "list_price_usd"), columns=_USED
        )
        if df.empty:
            return empty()

        def col(name: str) -> pd.Series:
            return df[name] if name in df.columns else pd.Series("", index=df.index)

        token_type = df["token_type"].str.strip().str.lower()
        kind = strings_by_value(token_type, vocab.KINDS.get)  # an Arrow take, not objects
        cost_type = col("cost_type").str.strip().str.lower()
        web = (cost_type == "web_search").to_numpy(dtype=bool)
        kind = kind.where(kind.notna() | ~web, "web_search").fillna("other")
        columns: dict[str, object] = {
            "timestamp": times_by_value(df["usage_date_utc"], df, source, utc=True, format="mixed"),
            "provider": "anthropic",
            # A display name ("Claude Sonnet 4.5"); the price book resolves display names.
            "model_raw": df["model"].str.strip(),
            "requests": 0,
            "input_tokens": 0,
            "cache_read_tokens": 0,
            "cache_write_5m_tokens": 0,
            "cache_write_1h_tokens": 0,
            "output_tokens": 0,
            "reasoning_tokens": 0,
            "service_tier": col("usage_type").pipe(strings_by_value, vocab.tier),
            "api_key": col("api_key").replace("", None),
            "workspace": col("workspace").replace("", None),
            "context_tier": col("context_window").pipe(strings_by_value, vocab.context_tier),
            "region": col("inference_geo").pipe(strings_by_value, vocab.region),
            "speed": col("speed").replace("", None),  # matched with usage rows by speed
            "billed_usd": numbers(df, "cost_usd", source),  # dollars, not cents (formats.md 2a)
            "source_file": df["source_file"],
            "source_line": df["source_line"],
            "row_role": "cost",
            "token_kind": kind,
            "line_item": token_type,
        }
        if "list_price_usd" in df.columns:
            columns["list_price_usd"] = numbers(df, "list_price_usd", source)
        return usage_table(columns, len(df))
