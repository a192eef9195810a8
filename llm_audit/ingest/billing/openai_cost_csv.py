"""OpenAI dashboard cost export CSV: billed dollars per bucket and line item."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_audit.ingest.base import Source
from llm_audit.ingest.billing._common import header_fields, numbers, read_csv

if TYPE_CHECKING:
    import pandas as pd

_REQUIRED = ("start_time", "amount_value")


def split_line_item(item: str) -> tuple[str, str]:
    """`"gpt-4o-2024-08-06, input"` -> (model, kind). Sources disagree on the kind's spelling
    (`input`, `input_tokens`, `Input`, `cached input`...; formats.md 1c, unverified), so match
    words, and a bare model name is kind `other`."""
    model, _, rest = item.partition(",")
    r = rest.strip().lower().replace("_", " ")
    if not r:
        kind = "other"
    elif "cache" in r and ("write" in r or "creation" in r):
        kind = "cache_write_1h" if ("12h" in r or "1h" in r) else "cache_write_5m"
    elif "cache" in r:
        kind = "cache_read"
    elif "input" in r or "prompt" in r:
        kind = "input"
    elif "output" in r or "completion" in r:
        kind = "output"
    elif "search" in r:
        kind = "web_search"
    else:
        kind = "other"
    return model.strip(), kind


def cost_frame(
    ts: pd.Series, amount: pd.Series, line_item: pd.Series, extra: pd.DataFrame
) -> pd.DataFrame:
    import pandas as pd

    from llm_audit.usage.schema import normalize

    parts = line_item.fillna("").astype(str).map(split_line_item)
    out = pd.DataFrame(
        {
            "timestamp": ts.to_numpy(),
            "provider": "openai",
            "model_raw": [p[0] or "(line item not grouped)" for p in parts],
            "requests": 0,
            "input_tokens": 0,
            "cache_read_tokens": 0,
            "cache_write_5m_tokens": 0,
            "cache_write_1h_tokens": 0,
            "output_tokens": 0,
            "reasoning_tokens": 0,
            "service_tier": "standard",
            "billed_usd": amount.to_numpy(),
            "row_role": "cost",
            "token_kind": [p[1] for p in parts],
            "line_item": line_item.fillna("").astype(str).to_numpy(),
        }
    )
    for col in extra.columns:
        out[col] = extra[col].to_numpy()
    # Line items such as "gpt-4o, batch input" carry the tier in the words (unverified).
    low = out["line_item"].str.lower()
    out.loc[low.str.contains("batch"), "service_tier"] = "batch"
    out.loc[low.str.contains("flex"), "service_tier"] = "flex"
    out.loc[low.str.contains("priority"), "service_tier"] = "priority"
    return normalize(out)


class OpenAICostCsvReader:
    name = "openai-cost-csv"
    description = "OpenAI dashboard cost export CSV (amount_value per line_item)"

    def detect(self, source: Source) -> bool:
        cols = header_fields(source)
        return "amount_value" in cols and "start_time" in cols

    def read(self, source: Source) -> pd.DataFrame:
        import pandas as pd

        from llm_audit.usage.schema import empty

        df = read_csv(source, required=_REQUIRED)
        df = df[df["amount_value"].str.strip() != ""]  # empty buckets carry no amount
        if df.empty:
            return empty()
        cur = df["amount_currency"].str.lower() if "amount_currency" in df.columns else None
        if cur is not None and bool(((cur != "usd") & (cur != "")).any()):
            i = int(((cur != "usd") & (cur != "")).to_numpy().argmax())
            from llm_audit.errors import InputError

            raise InputError(
                f"currency {df['amount_currency'].iloc[i]!r} is not USD",
                path=source.name,
                line=int(df["source_line"].iloc[i]),
                hint="llm-audit reports USD only",
            )
        ts = pd.to_datetime(numbers(df, "start_time", source), unit="s", utc=True)
        extra = pd.DataFrame({"source_file": df["source_file"], "source_line": df["source_line"]})
        if "project_id" in df.columns:
            extra["project"] = df["project_id"].replace("", None)
        item = df["line_item"] if "line_item" in df.columns else pd.Series("", index=df.index)
        return cost_frame(ts, numbers(df, "amount_value", source), item, extra)
