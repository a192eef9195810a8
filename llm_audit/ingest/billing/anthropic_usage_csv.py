"""Anthropic Console usage export CSV (`claude_api_tokens_*.csv`), old and new column sets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_audit.ingest.base import Source
from llm_audit.ingest.billing import _anthropic as vocab
from llm_audit.ingest.billing._common import by_value, header_fields, numbers, read_csv, whole

if TYPE_CHECKING:
    import pandas as pd

_COUNTS = (
    "usage_input_tokens_no_cache",
    "usage_input_tokens_cache_write_5m",
    "usage_input_tokens_cache_write_1h",
    "usage_input_tokens_cache_read",
    "usage_output_tokens",
    "web_search_count",
)
_REQUIRED = (
    "usage_date_utc",
    "model_version",
    "usage_input_tokens_no_cache",
    "usage_output_tokens",
)


class AnthropicUsageCsvReader:
    name = "anthropic-usage-csv"
    description = "Anthropic Console usage export CSV (claude_api_tokens_*.csv)"

    def detect(self, source: Source) -> bool:
        cols = header_fields(source)
        return "usage_input_tokens_no_cache" in cols and "model_version" in cols

    def read(self, source: Source) -> pd.DataFrame:
        import pandas as pd

        from llm_audit.usage.schema import empty, normalize

        df = read_csv(source, required=_REQUIRED, numeric=_COUNTS)
        if df.empty:
            return empty()

        def count(col: str) -> pd.Series:
            return whole(numbers(df, col, source), col, df, source)

        no_cache = count("usage_input_tokens_no_cache")
        w5 = count("usage_input_tokens_cache_write_5m")
        w1 = count("usage_input_tokens_cache_write_1h")
        read = count("usage_input_tokens_cache_read")

        def col(name: str) -> pd.Series:
            return df[name] if name in df.columns else pd.Series("", index=df.index)

        out = pd.DataFrame(
            {
                # A date (daily rows) or a timestamp (finer rows): both are UTC.
                "timestamp": pd.to_datetime(df["usage_date_utc"], utc=True, format="mixed"),
                "provider": "anthropic",
                "model_raw": df["model_version"].str.strip(),
                # The Console usage export has no request count (formats.md 2a).
                "requests": 0,
                # Anthropic's input excludes the cache; ours includes it (formats.md section 0).
                "input_tokens": no_cache + w5 + w1 + read,
                "cache_read_tokens": read,
                "cache_write_5m_tokens": w5,
                "cache_write_1h_tokens": w1,
                "output_tokens": count("usage_output_tokens"),
                "reasoning_tokens": 0,
                "service_tier": col("usage_type").pipe(by_value, vocab.tier),
                "api_key": col("api_key").replace("", None),
                "workspace": col("workspace").replace("", None),
                # No context_window (the mid-2025 column set) or an unknown value: a row sums
                # a day of requests with no request count (formats.md 2a), so its total cannot
                # tell the tier; standard unless the export says long (as the usage report).
                "context_tier": col("context_window").pipe(
                    by_value, lambda v: vocab.context_tier(v) or "standard"
                ),
                "region": col("inference_geo").pipe(by_value, vocab.region),
                "web_search_requests": count("web_search_count"),
                "source_file": df["source_file"],
                "source_line": df["source_line"],
                "row_role": "usage",
                "speed": col("speed").replace("", None),
            }
        )
        return normalize(out)
