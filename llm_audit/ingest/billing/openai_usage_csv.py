"""OpenAI dashboard usage export CSV (`completions_usage_<from>_<to>.csv`): token buckets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_audit.ingest.base import Source
from llm_audit.ingest.billing._common import (
    bools,
    header_fields,
    numbers,
    read_csv,
    usage_table,
    whole,
)

if TYPE_CHECKING:
    import pandas as pd

_TIME = ("start_time", "end_time", "start_time_iso", "end_time_iso")
_GROUPS = ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier")
# Columns read as numbers when every cell is one (formats.md 1a: counts can be `10.0`).
NUMERIC = (
    "start_time",
    "end_time",
    "num_model_requests",
    "input_tokens",
    "output_tokens",
    "input_cached_tokens",
    "input_uncached_tokens",
    "input_text_tokens",
    "output_text_tokens",
    "input_cached_text_tokens",
    "input_audio_tokens",
    "input_cached_audio_tokens",
    "output_audio_tokens",
    "input_image_tokens",
    "input_cached_image_tokens",
    "output_image_tokens",
    "input_cache_write_tokens",
    "input_cache_write_30m_tokens",
    "input_cache_write_12h_tokens",
)


class OpenAIUsageCsvReader:
    name = "openai-usage-csv"
    description = "OpenAI dashboard usage export CSV (completions_usage_*.csv)"

    def detect(self, source: Source) -> bool:
        cols = header_fields(source)
        if "num_model_requests" in cols and "input_tokens" in cols:
            return True
        # OpenAI writes a file with no data as the 4 time columns only (formats.md 1a).
        return tuple(cols) == _TIME

    def read(self, source: Source) -> pd.DataFrame:
        return read_openai_usage_frame(
            read_csv(source, required=_TIME, numeric=NUMERIC, columns=_columns(source)), source
        )


# The columns read_openai_usage_frame uses: the text, audio and image splits of the export
# are never read (parsing 22 columns of a million rows instead of 11 was a third of the read).
_USED = (
    "start_time",
    "num_model_requests",
    "input_tokens",
    "output_tokens",
    "input_cached_tokens",
    "input_cache_write_tokens",
    "input_cache_write_30m_tokens",
    "input_cache_write_12h_tokens",
    *_GROUPS,
)


def _columns(source: Source) -> tuple[str, ...]:
    """The columns the reader uses; the ISO start time only where the unix one is missing."""
    return _USED if "start_time" in header_fields(source) else (*_USED, "start_time_iso")


def read_openai_usage_frame(df: pd.DataFrame, source: Source) -> pd.DataFrame:
    """Usage buckets (dashboard CSV or flattened Usage API results) to usage rows."""
    import pandas as pd

    from llm_audit.usage.schema import empty

    if df.empty:
        return empty()
    tokens = {
        c: numbers(df, c, source)
        for c in (
            "num_model_requests",
            "input_tokens",
            "output_tokens",
            "input_cached_tokens",
            "input_cache_write_tokens",
            "input_cache_write_30m_tokens",
            "input_cache_write_12h_tokens",
        )
    }
    model = (
        df["model"].astype(str).str.strip()
        if "model" in df.columns
        else pd.Series("", index=df.index)
    )
    # An empty bucket fills only the time columns: nothing was used, nothing to price.
    used = (tokens["num_model_requests"] + tokens["input_tokens"] + tokens["output_tokens"]) > 0
    keep = used | (model != "")
    if not bool(keep.all()):  # filtering copies every column of a million rows
        df = df[keep]
        tokens = {k: v[keep] for k, v in tokens.items()}
        model = model[keep]
    start = df["start_time"] if "start_time" in df.columns else None
    if start is not None and (
        start.notna().all()
        if start.dtype == "float64"
        else (start.astype(str).str.strip() != "").all()
    ):
        ts = pd.to_datetime(numbers(df, "start_time", source), unit="s", utc=True)
    else:
        ts = pd.to_datetime(df["start_time_iso"], utc=True, format="ISO8601")
    tier = (
        df["service_tier"].astype(str)
        if "service_tier" in df.columns
        else pd.Series("", index=df.index)
    )
    if "batch" in df.columns:
        tier = tier.where(~bools(df["batch"]), "batch")
    # Usage API: input_tokens includes cache reads and cache writes (formats.md section 0).
    # OpenAI has no 5m/1h split; its 30m/12h writes are kept as the short / long write.
    # input_cache_write_tokens = _30m + _12h (formats.md 1b); every one of them is optional,
    # so a result with only the two parts has its total as their sum (the 30m part was lost).
    w_long = tokens["input_cache_write_12h_tokens"]
    w_total = tokens["input_cache_write_tokens"].where(
        tokens["input_cache_write_tokens"] > 0,
        tokens["input_cache_write_30m_tokens"] + w_long,
    )
    w_short = (w_total - w_long).clip(lower=0)
    columns: dict[str, object] = {
        "timestamp": ts,
        "provider": "openai",
        "model_raw": model.where(model != "", "(model not grouped)"),
        "requests": whole(tokens["num_model_requests"], "num_model_requests", df, source),
        "input_tokens": whole(tokens["input_tokens"], "input_tokens", df, source),
        "cache_read_tokens": whole(
            tokens["input_cached_tokens"], "input_cached_tokens", df, source
        ),
        "cache_write_5m_tokens": w_short.astype("int64"),
        "cache_write_1h_tokens": w_long.astype("int64"),
        "output_tokens": whole(tokens["output_tokens"], "output_tokens", df, source),
        "reasoning_tokens": 0,
        "service_tier": tier,
        "source_file": df["source_file"],
        "source_line": df["source_line"],
        "row_role": "usage",
    }
    for src, dst in (("project_id", "project"), ("user_id", "user"), ("api_key_id", "api_key")):
        if src in df.columns:
            columns[dst] = df[src].astype(str).replace("", None)
    return usage_table(columns, len(df))
