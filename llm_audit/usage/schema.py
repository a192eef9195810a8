"""The normalized usage table: the contract every reader produces and every analysis reads.

One row per request or per usage bucket. Token semantics are fixed here, whatever the source:

* ``input_tokens`` counts *all* input tokens, cached reads and cache writes included;
* ``cache_read_tokens``, ``cache_write_5m_tokens`` and ``cache_write_1h_tokens`` are parts of it;
* ``output_tokens`` counts all output, reasoning / thinking included; ``reasoning_tokens`` is a
  part of it;
* ``audio_input_tokens`` is the audio part of ``input_tokens`` (cached audio included, and
  ``audio_cache_read_tokens`` is that cached part, inside ``cache_read_tokens`` too);
  ``audio_output_tokens`` is the audio part of ``output_tokens``. Audio has its own rates,
  which the price tables do not carry: the engine prices the text part only and the analyses
  report the audio tokens as unpriced, never at the text rate.

Readers translate each provider's convention (formats.md section 0) into this one, explicitly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from llm_audit.errors import UsageTableError

if TYPE_CHECKING:
    import pandas as pd

Kind = Literal["time", "str", "int", "float", "Int", "bool"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool
    doc: str


COLUMNS: tuple[Column, ...] = (
    Column("timestamp", "time", True, "start of the request or bucket, UTC"),
    Column("provider", "str", True, "who served it: openai, anthropic, bedrock, ..."),
    Column("model", "str", False, "canonical model id (filled by pricing; NA when unpriced)"),
    Column("model_raw", "str", True, "the model id as the source wrote it"),
    Column("requests", "int", True, "requests in the row (1 for a request log)"),
    Column("input_tokens", "int", True, "all input tokens, cache reads and writes included"),
    Column("cache_read_tokens", "int", True, "input tokens read from the prompt cache"),
    Column("cache_write_5m_tokens", "int", True, "input tokens written to a 5-minute cache"),
    Column("cache_write_1h_tokens", "int", True, "input tokens written to a 1-hour cache"),
    Column("output_tokens", "int", True, "all output tokens, reasoning included"),
    Column("reasoning_tokens", "int", True, "reasoning / thinking tokens (part of output)"),
    Column("service_tier", "str", True, "standard, batch, flex or priority"),
    Column("request_id", "str", False, "provider or gateway request id"),
    Column("user", "str", False, "end user"),
    Column("project", "str", False, "project"),
    Column("workspace", "str", False, "workspace"),
    Column("api_key", "str", False, "API key id or name (never the secret)"),
    Column("feature", "str", False, "feature or tag"),
    Column("latency_ms", "float", False, "total latency in milliseconds"),
    Column("ttft_ms", "float", False, "time to first token in milliseconds"),
    Column("max_tokens", "Int", False, "output cap requested"),
    Column("stream", "bool", False, "streamed response"),
    Column("finish_reason", "str", False, "stop, length, tool_calls, ..."),
    Column("status", "str", False, "success, error, ..."),
    Column("billed_usd", "float", False, "amount the provider billed for the row"),
    Column("region", "str", False, "region / geo key that changes the price (us, eu, ...)"),
    Column("context_tier", "str", False, "standard or long, where the source says so"),
    Column("web_search_requests", "int", False, "priced web search requests"),
    Column("audio_input_tokens", "int", False, "audio input tokens (part of input, unpriced)"),
    Column("audio_cache_read_tokens", "int", False,
           "cached audio input tokens (part of audio input and of cache reads)"),
    Column("audio_output_tokens", "int", False, "audio output tokens (part of output, unpriced)"),
    Column("source_file", "str", False, "file the row was read from"),
    Column("source_line", "Int", False, "line (or row) in that file"),
)
BY_NAME: Mapping[str, Column] = {c.name: c for c in COLUMNS}
TOKEN_COLUMNS = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
)
AUDIO_COLUMNS = ("audio_input_tokens", "audio_cache_read_tokens", "audio_output_tokens")
COUNT_COLUMNS = ("requests", *TOKEN_COLUMNS, "web_search_requests", *AUDIO_COLUMNS)
_TIER_ALIASES = {
    "": "standard",
    "default": "standard",
    "auto": "standard",
    "on_demand": "standard",
    "standard_only": "standard",
    "batches": "batch",
    "on_demand_flex": "flex",
    "fast": "priority",
    "on_demand_priority": "priority",
}
_MAX_LISTED = 5


def empty() -> pd.DataFrame:
    """A usage table with no rows and every column."""
    import pandas as pd

    return normalize(pd.DataFrame({c.name: [] for c in COLUMNS if c.required}))


def from_records(records: list[Mapping[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    return normalize(pd.DataFrame.from_records(records)) if records else empty()


def normalize(df: pd.DataFrame) -> pd.DataFrame:
    """Every column present in its dtype and order; tiers in our vocabulary. Idempotent.

    Raises UsageTableError listing every problem when the table cannot honour the contract.
    """
    import pandas as pd

    problems = [f"missing column {c.name!r}" for c in COLUMNS
                if c.required and c.name not in df.columns]
    if problems:
        raise UsageTableError(problems)
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for col in COLUMNS:
        values = df[col.name].reset_index(drop=True) if col.name in df.columns else None
        try:
            out[col.name] = _coerce(col, values, len(df))
        except (ValueError, TypeError) as e:
            problems.append(f"column {col.name!r} is not {col.kind}: {e}")
    if problems:
        raise UsageTableError(problems)
    tier = out["service_tier"].fillna("").str.strip().str.lower()
    out["service_tier"] = tier.replace(_TIER_ALIASES).astype("string")
    extra = [c for c in df.columns if c not in BY_NAME]
    for name in extra:  # readers may carry more; keep it, after the contract's columns
        out[name] = df[name].reset_index(drop=True)
    out.attrs.update(df.attrs)
    return out


def _coerce(col: Column, values: pd.Series | None, n: int) -> pd.Series:
    import pandas as pd

    if values is None:
        default: dict[Kind, Any] = {
            "time": pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]"),
            "str": pd.Series(pd.NA, index=range(n), dtype="string"),
            "int": pd.Series(0, index=range(n), dtype="int64"),
            "float": pd.Series(float("nan"), index=range(n), dtype="float64"),
            "Int": pd.Series(pd.NA, index=range(n), dtype="Int64"),
            "bool": pd.Series(pd.NA, index=range(n), dtype="boolean"),
        }
        return cast("pd.Series", default[col.kind])
    if col.kind == "time":
        return pd.to_datetime(values, utc=True).astype("datetime64[us, UTC]")
    if col.kind == "str":
        return values.astype("string")
    if col.kind == "int":
        numbers = pd.to_numeric(values, errors="raise").fillna(0)
        if (numbers != numbers.round()).any():
            raise ValueError("has fractional counts")
        return numbers.astype("int64")
    if col.kind == "Int":
        return pd.to_numeric(values, errors="raise").astype("Int64")
    if col.kind == "float":
        return pd.to_numeric(values, errors="raise").astype("float64")
    return values.astype("boolean")


def problems(df: pd.DataFrame) -> list[str]:
    """Every broken invariant of a normalized table, each with where it is."""
    found: list[str] = []

    def where(mask: pd.Series) -> str:
        rows = df.index[mask.fillna(False).to_numpy(dtype=bool)]
        places = []
        for i in rows[:_MAX_LISTED]:
            src, line = df.at[i, "source_file"], df.at[i, "source_line"]
            places.append(f"{src!s}:{line!s}" if isinstance(src, str) else f"row {i!s}")
        more = f" and {len(rows) - _MAX_LISTED} more" if len(rows) > _MAX_LISTED else ""
        return ", ".join(places) + more

    def check(mask: pd.Series, what: str) -> None:
        if bool(mask.fillna(False).any()):
            found.append(f"{what} ({int(mask.fillna(False).sum())} rows: {where(mask)})")

    check(df["timestamp"].isna(), "no timestamp")
    check(df["model_raw"].isna() | (df["model_raw"].str.strip() == ""), "no model id")
    for name in COUNT_COLUMNS:
        check(df[name] < 0, f"negative {name}")
    cached = df["cache_read_tokens"] + df["cache_write_5m_tokens"] + df["cache_write_1h_tokens"]
    check(cached > df["input_tokens"], "cache read + cache write exceed input_tokens")
    check(df["reasoning_tokens"] > df["output_tokens"], "reasoning_tokens exceed output_tokens")
    # The audio checks only where there is audio (a count's own check covers the rest).
    check(df["audio_cache_read_tokens"] > df["audio_input_tokens"],
          "audio_cache_read_tokens exceed audio_input_tokens")
    check((df["audio_cache_read_tokens"] > 0)
          & (df["audio_cache_read_tokens"] > df["cache_read_tokens"]),
          "audio_cache_read_tokens exceed cache_read_tokens")
    check((df["audio_input_tokens"] > 0) & (df["audio_input_tokens"]
          - df["audio_cache_read_tokens"] > df["input_tokens"] - cached),
          "uncached audio input exceeds uncached input_tokens")
    check((df["audio_output_tokens"] > 0) & (df["audio_output_tokens"] > df["output_tokens"]),
          "audio_output_tokens exceed output_tokens")
    check(df["latency_ms"] < 0, "negative latency_ms")
    check(df["ttft_ms"] > df["latency_ms"], "ttft_ms exceeds latency_ms")
    return found


def validate(df: pd.DataFrame, path: str | None = None) -> pd.DataFrame:
    """Normalize and check a table; raise one UsageTableError naming every problem."""
    table = normalize(df)
    found = problems(table)
    if found:
        raise UsageTableError(found, path=path)
    return table
