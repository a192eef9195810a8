"""The `logs` analysis: price every request, then find where the money and the latency go.

Input: a ``LogLoad`` (normalized usage rows plus what could not be used). Every dollar comes
from ``pricing.engine.price``, what-ifs included (a cheaper model, the batch tier, a reordered
prompt): the rows are changed and priced again, never multiplied by a guessed factor.
Monthly figures scale the log's window to 30 days and say so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llm_audit.analyses.logs_stats import Spread, spread
from llm_audit.errors import InputError
from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.engine import price

if TYPE_CHECKING:
    import pandas as pd

    from llm_audit.ingest.logs.load import LogLoad

DAYS_PER_MONTH = 30  # the convention `estimate` states too
DEFAULT_LATENCY_BUDGET_MS = 5000.0  # p95 total latency an interactive feature can afford
DEFAULT_BUDGET_PER_USER_MONTH = 2.0  # USD; a stated default, override with the option
SLOW_TTFT_MS = 1000.0
LONG_GENERATION_MS = 5000.0
SHORT_INPUT, SHORT_OUTPUT = 1000, 50  # "classification-shaped": both sides short
MIN_CACHEABLE_PREFIX = 1024  # tokens; the smallest prefix OpenAI and Anthropic cache
PREFIX_SAMPLE = 400  # prompts per feature tokenized for the shared-prefix analysis
BATCH_TAGS = re.compile(r"batch|cron|nightly|offline|backfill|etl|job|bulk|report", re.I)
BURST_CALLS = 5  # same feature+model calls in one trace/session: the loop-per-item pattern
BURST_GAP_S = 10  # seconds between one user's same-feature calls that make them one loop
ROUTE_TO = {"openai": "gpt-5-mini", "azure": "gpt-5-mini", "anthropic": "claude-haiku-4-5",
            "google": "gemini-2.5-flash", "vertex_ai": "gemini-2.5-flash"}
GROUP_KEYS = ("model", "provider", "feature", "user", "project", "api_key", "day",
              "service_tier", "finish_reason")
Row = Mapping[str, object]


@dataclass(frozen=True)
class LogsOptions:
    since: str | None = None
    until: str | None = None
    timezone: str = "UTC"
    group_by: tuple[str, ...] = ()
    latency_budget_ms: float | None = None
    budget_per_user_month: float | None = None
    users: int | None = None
    route_to: str | None = None


@dataclass(frozen=True)
class Lever:
    """One saving: dollars per month and the assumption behind the figure."""

    lever: str
    usd_per_month: float
    assumption: str


@dataclass(frozen=True)
class Verdict:
    latency_p95_ms: float
    latency_budget_ms: float
    latency_budget_stated: bool  # given on the command line, not the default
    cost_user_month: float  # p95 per active user-month (or mean with --users)
    cost_budget: float
    cost_budget_stated: bool
    first: str  # "latency", "cost", "neither" or "unknown"
    text: str


@dataclass(frozen=True)
class LogsResult:
    inputs: tuple[Row, ...]
    bad_lines: tuple[str, ...]
    skipped: tuple[str, ...]
    contradictions: tuple[str, ...]
    contradiction_count: int
    duplicate_ids: int
    duplicate_examples: tuple[str, ...]
    transcript_duplicates: int
    timing_contradictions: tuple[str, ...]
    timing_contradiction_count: int
    requests: int
    priced_requests: int
    total_cost: float
    billed_usd: float | None
    unpriced: tuple[Row, ...]
    window_days: float
    month_factor: float
    first_seen: str | None
    last_seen: str | None
    missing_timestamps: int
    filtered_out: int
    cost_per_call: Spread
    user_source: str  # "user column", "--users", "none"
    users_active: int
    cost_per_user_month: Spread
    top_users: tuple[Row, ...]
    latency_budget: tuple[Row, ...]
    verdict: Verdict
    latency: tuple[Row, ...]
    streaming_share: float | None
    slow_ttft: tuple[Row, ...]
    long_unstreamed: tuple[Row, ...]
    cost_by: Mapping[str, tuple[Row, ...]]
    output_cost_share: float | None
    no_max_tokens: int
    requests_with_body: int
    truncated: int
    with_finish_reason: int
    costliest: tuple[Row, ...]
    cache_by_model: tuple[Row, ...]
    prefixes: tuple[Row, ...]
    prefix_notes: tuple[str, ...]
    duplicate_requests: tuple[Row, ...]
    response_cache_hit_rate: float | None
    routing: tuple[Row, ...]
    batching: tuple[Row, ...]
    levers: tuple[Lever, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    # requests priced for their text whose audio tokens are unpriced (rows in ``unpriced``)
    audio_unpriced_requests: int = 0


# -- helpers -----------------------------------------------------------------------------------


def fmt_money(x: float) -> str:
    return f"${x:,.6f}" if x == x else "unpriced"


def _f(x: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def _when(text: str, tz: str, end: bool) -> pd.Timestamp:
    import pandas as pd

    try:
        ts = pd.Timestamp(text)
    except ValueError as e:
        raise InputError(f"cannot read the date {text!r}",
                         hint="use YYYY-MM-DD or an ISO 8601 time") from e
    if ts.tzinfo is None:
        ts = ts.tz_localize(tz)
    if end and len(text) <= 10:  # a bare date includes the whole day
        ts = ts + pd.Timedelta(days=1)
    return ts.tz_convert("UTC")


def _label(df: pd.DataFrame) -> pd.Series:
    """The priced model id, else the id as logged (a categorical: few distinct values).

    From the two columns' category codes when both are categoricals (the usual case): one
    string per distinct (model, model_raw) pair instead of one a row; the same categories
    (the distinct labels, sorted) and values as converting the strings."""
    import numpy as np
    import pandas as pd

    model, raw = df["model"], df["model_raw"]
    if not (isinstance(model.dtype, pd.CategoricalDtype)
            and isinstance(raw.dtype, pd.CategoricalDtype)):
        return model.astype("string").fillna(raw.astype("string")).astype("category")
    names = [*(str(v) for v in model.cat.categories), *(str(v) for v in raw.cat.categories)]
    m = model.cat.codes.to_numpy().astype(np.int32)
    r = raw.cat.codes.to_numpy().astype(np.int32)
    key = np.where(m >= 0, m, np.where(r >= 0, np.int32(len(model.cat.categories)) + r,
                                       np.int32(-1)))
    present = np.flatnonzero(np.bincount(key[key >= 0], minlength=len(names)))
    labels = sorted({names[k] for k in present.tolist()})
    where = {v: i for i, v in enumerate(labels)}
    remap = np.array([where.get(v, -1) for v in names] + [-1], dtype=np.int32)
    dtype = pd.CategoricalDtype(pd.Index(labels, dtype="string"), ordered=False)
    return pd.Series(pd.Categorical.from_codes(remap[key], dtype=dtype), index=df.index)


_SUMMED = ("requests", "input_tokens", "output_tokens", "cache_read_tokens",
           "cache_write_5m_tokens", "cache_write_1h_tokens", "cost_total", "cost_output",
           "priced")


def _group_rows(df: pd.DataFrame, keys: list[str], limit: int | None = None,
                dropna: bool = False) -> tuple[Row, ...]:
    import pandas as pd

    # Only the summed columns, not copied, and nothing derived a row (a groupby over the
    # full-width frame copied every column; selecting them, adding the cache-write sum and
    # the priced flags, and dropping the rows without a key each cost a column of every row).
    df = pd.DataFrame({c: df[c] for c in dict.fromkeys([*keys, *_SUMMED])}, copy=False)
    # dropna: the rows with a missing key are in no group, and not in the total
    g = df.groupby(keys, dropna=dropna, sort=False)
    out = g.agg(requests=("requests", "sum"), input_tokens=("input_tokens", "sum"),
                output_tokens=("output_tokens", "sum"),
                cache_read_tokens=("cache_read_tokens", "sum"),
                cache_write_5m=("cache_write_5m_tokens", "sum"),
                cache_write_1h=("cache_write_1h_tokens", "sum"), cost=("cost_total", "sum"),
                cost_output=("cost_output", "sum"), priced_rows=("priced", "sum"),
                rows=("priced", "size"))
    out["cache_write_tokens"] = out["cache_write_5m"] + out["cache_write_1h"]
    out["unpriced"] = out["rows"] - out["priced_rows"]
    out = out.sort_values("cost", ascending=False)
    costs = df["cost_total"]
    total = float((costs[df[keys].notna().all(axis=1).to_numpy()] if dropna else costs).sum())
    rows: list[Row] = []
    for key, r in out.iterrows():
        parts = key if isinstance(key, tuple) else (key,)
        row: dict[str, object] = {k: ("—" if _isna(v) else str(v)) for k, v in zip(keys, parts,
                                                                              strict=True)}
        # a group with no priced row has no cost (None, shown as such), not $0
        cost = float(r["cost"]) if r["priced_rows"] else None
        # input includes the cache parts (the schema's convention); they are given beside it
        row.update(requests=int(r["requests"]), input_tokens=int(r["input_tokens"]),
                   output_tokens=int(r["output_tokens"]),
                   cache_read_tokens=int(r["cache_read_tokens"]),
                   cache_write_tokens=int(r["cache_write_tokens"]), cost=cost,
                   share=cost / total if total and cost is not None else None,
                   output_share=float(r["cost_output"]) / cost if cost else None,
                   unpriced_requests=int(r["unpriced"]))
        rows.append(row)
    return tuple(rows[:limit] if limit else rows)


def _filled(values: pd.Series, blank: str) -> pd.Series:
    """``values`` with ``blank`` for the missing ones, as a categorical when it is one (the
    same groups, in the same order of appearance, as the strings: a byte a row instead of a
    string, on 10M rows 0.1 GB less)."""
    import pandas as pd

    if not isinstance(values.dtype, pd.CategoricalDtype):
        return values.astype("string").fillna(blank)
    if blank not in values.cat.categories:
        values = values.cat.add_categories([blank])
    return values.fillna(blank)


def _days(stamps: pd.Series, timezone: str) -> pd.Series:
    """The local calendar day of each timestamp ("YYYY-MM-DD", NA without one), as a
    categorical: a log spans few days, so each is formatted once, not once per row.

    A million rows at a time (on 10M rows the local times, days and codes of every row at
    once were 0.3 GB); the days are numbered in order of first appearance, as one
    ``factorize`` of the whole column numbers them."""
    import numpy as np
    import pandas as pd

    seen: dict[np.datetime64, int] = {}
    codes = np.empty(len(stamps), dtype=np.int32)
    for i in range(0, len(stamps), _DAY_CHUNK):
        part = stamps.iloc[i:i + _DAY_CHUNK]
        local = part.dt.tz_convert(timezone).dt.tz_localize(None)
        day = local.to_numpy(dtype="datetime64[D]")
        got, uniques = pd.factorize(day, use_na_sentinel=True)
        remap = np.array([seen.setdefault(u, len(seen)) for u in uniques] + [-1],
                         dtype=np.int32)
        codes[i:i + len(part)] = remap[np.asarray(got)]
    names = pd.DatetimeIndex(list(seen)).strftime("%Y-%m-%d")
    labels = pd.Categorical.from_codes(codes, categories=pd.Index(names))
    return pd.Series(labels, index=stamps.index)


_DAY_CHUNK = 1_000_000


def _isna(v: object) -> bool:
    import pandas as pd

    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


# Columns that never change a price: they stay out of the frame the engine prices (it sorts
# and merges every column it is given), and the costs are joined back by position. Anything
# else a reader adds (``speed``, ...) goes to the engine, so a new price rule still sees it.
_NOT_PRICED = frozenset({
    "request_id", "user", "project", "workspace", "api_key", "feature", "latency_ms", "ttft_ms",
    "max_tokens", "stream", "finish_reason", "status", "billed_usd", "source_file",
    "source_line", "prompt_text", "request_key", "has_request", "trace_id", "session_id",
    "message_id", "label", "day", "generation_ms", "reason",
})


def _priceable_names(rows: pd.DataFrame) -> list[str]:
    from llm_audit.pricing.engine import COST_COLUMNS

    skip = _NOT_PRICED | set(COST_COLUMNS) | {"priced", "unpriced_reason", "price_rule",
                                               "long_context", "model"}
    return [c for c in rows.columns if c not in skip]


def _priceable(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[_priceable_names(rows)]


def _engine_input(rows: pd.DataFrame, blanks: dict[tuple[str, int], pd.Series] | None = None
                  ) -> pd.DataFrame:
    """``_priceable(rows)`` as the engine's ``normalize`` would make it, made cheaply.

    The engine normalizes what it is given: every contract column left out was rebuilt as a
    default of every kind, and every categorical turned back into one string a row, which
    was most of pricing's time on a million rows (measured: 1.9 of 3.0 s). Here a column that
    never changes a price is a blank of its contract dtype (the engine never reads it, and
    its outputs for it are not kept), and a categorical is decoded by Arrow from its codes;
    ``normalize`` then has nothing to convert. The prices are the same. ``blanks`` keeps the
    blank columns from one chunk to the next (same length: the same blanks), and no column
    is copied into the frame (each chunk's copy of every column was a third of its time)."""
    import pandas as pd
    import pyarrow as pa

    from llm_audit.ingest.logs._common import blank_column
    from llm_audit.usage import schema

    n = len(rows)
    base = pd.RangeIndex(n)
    narrow = _priceable_names(rows)
    made: dict[tuple[str, int], pd.Series] = {} if blanks is None else blanks

    def blank(kind: str) -> pd.Series:
        if (kind, n) not in made:
            made[(kind, n)] = blank_column(kind, n, base)
        return made[(kind, n)]

    def strings(values: pd.Series) -> pd.Series:
        if not isinstance(values.dtype, pd.CategoricalDtype):
            return values.set_axis(base)
        codes = values.cat.codes.to_numpy()
        if not (codes >= 0).any():
            return blank("str")
        names = pa.array(values.cat.categories.astype("string").to_numpy(dtype=object),
                         type=pa.large_string())
        decoded = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0),
                                                 names).dictionary_decode()
        return pd.Series(pd.array(decoded, dtype="string"), index=base)

    columns: dict[str, pd.Series] = {}
    for col in schema.COLUMNS:
        if col.name in narrow:
            values = rows[col.name]
            columns[col.name] = strings(values) if col.kind == "str" else values.set_axis(base)
        else:
            columns[col.name] = blank(col.kind)
    for name in narrow:  # what a reader added beside the contract, as it is
        if name not in columns:
            columns[name] = rows[name].set_axis(base)
    frame = pd.DataFrame(columns, copy=False)
    frame.index = rows.index
    return frame


# What the sections read from the priced rows (besides the columns a price depends on).
_PRICED_USE = ("model", "label", "feature", "user", "trace_id", "session_id", "stream",
               "source_file", "source_line", "cost_total", "cost_output", "priced")
# Rows per engine call: its merge holds ~40 columns of every row (~0.75 KB a row at peak:
# 500k rows were 0.38 GB above the table; on 10M rows that sat on top of 1.7 GB).
PRICE_CHUNK = 250_000
# The engine's cost columns the sections read (the others are never kept).
_KEPT_COSTS = ("cost_cache_read", "cost_output", "cost_total")


def _price(table: pd.DataFrame, book: PriceBook) -> pd.DataFrame:
    """``table`` with the engine's model and cost columns; an empty log gets them without rows.

    Only the columns a price depends on go through the engine, ``PRICE_CHUNK`` rows at a time
    (a row's price depends on that row alone), and only the engine's columns the analysis
    reads come back, compact as each chunk is priced (the model and the reason as
    categoricals, the same categories ``astype("category")`` of the whole column gives): the
    engine's working set stays a couple of hundred MB on any log."""
    import numpy as np
    import pandas as pd
    from pandas.api.types import union_categoricals

    from llm_audit.pricing.engine import COST_COLUMNS

    if len(table):
        named: dict[str, list[pd.Categorical]] = {"model": [], "unpriced_reason": []}
        # each chunk's values written into the whole column (lists of chunks, then a join,
        # held every value twice: 0.25 GB on 10M rows)
        plain: dict[str, np.ndarray] = {}
        blanks: dict[tuple[str, int], pd.Series] = {}
        # The engine's input is built a chunk at a time: its blanks and decoded strings for
        # the whole of 10M rows were 2.3 GB more peak.
        for i in range(0, len(table), PRICE_CHUNK):
            got = price(_engine_input(table.iloc[i:i + PRICE_CHUNK], blanks), book)
            for col, cats in named.items():
                cats.append(pd.Categorical(got[col]))
            for col in ("priced", *_KEPT_COSTS):
                values = got[col].to_numpy()
                if col not in plain:
                    plain[col] = np.empty(len(table), dtype=values.dtype)
                plain[col][i:i + len(values)] = values
            del got
        from llm_audit.ingest.logs.stream import release_free_memory

        release_free_memory()  # the chunks' freed temporaries
        out = table.copy(deep=False)
        for col, cats in named.items():  # the engine keeps the row order
            # few distinct values: a categorical is a byte a row instead of a string
            out[col] = pd.Series(union_categoricals(cats, sort_categories=True)
                                 if len(cats) > 1 else cats[0], index=out.index)
        for col, values in plain.items():
            out[col] = values
        return out
    out = table.copy()
    for col in COST_COLUMNS:
        out[col] = out["input_tokens"].astype("float64")
    out["priced"] = out["input_tokens"].astype(bool)
    for col in ("price_rule", "unpriced_reason"):
        out[col] = out["model_raw"]
    out["long_context"] = out["priced"]
    return out


def _reprice(rows: pd.DataFrame, book: PriceBook, **changes: Any) -> pd.Series:
    """cost_total of ``rows`` priced again with columns changed (a what-if)."""
    import pandas as pd

    base = _engine_input(rows)
    # As in analyze: a row without a timestamp (bare Messages, batch results) is priced at
    # current prices; the engine cannot match a missing date (it was an internal error).
    base["timestamp"] = base["timestamp"].fillna(pd.Timestamp.now(tz="UTC"))
    for k, v in changes.items():
        base[k] = v
    priced = price(base, book)
    return priced["cost_total"].set_axis(rows.index)


# -- the analysis -----------------------------------------------------------------------------


def analyze(load: LogLoad, book: PriceBook, options: LogsOptions) -> LogsResult:
    import numpy as np
    import pandas as pd

    notes: list[str] = []
    table = load.table
    if options.timezone:
        try:
            pd.Timestamp("2026-01-01").tz_localize(options.timezone)
        except Exception as e:  # pytz/zoneinfo raise several types for an unknown zone
            raise InputError(f"unknown time zone {options.timezone!r}",
                             hint="use an IANA name such as UTC or Europe/Berlin") from e
    missing_ts = int(table["timestamp"].isna().sum())
    before = len(table)
    if options.since:
        table = table[~(table["timestamp"] < _when(options.since, options.timezone, False))]
    if options.until:
        table = table[~(table["timestamp"] >= _when(options.until, options.timezone, True))]
    filtered_out = before - len(table)
    for key in options.group_by:
        if key not in GROUP_KEYS:
            raise InputError(f"--group-by: unknown key {key!r}",
                             hint="keys: " + ", ".join(GROUP_KEYS))

    # Pricing needs a date; a row without one is priced at the newest prices (and said so).
    stamped = table
    if missing_ts:
        stamped = table.assign(timestamp=table["timestamp"].fillna(pd.Timestamp.now(tz="UTC")))
        notes.append(f"{missing_ts} request(s) have no timestamp (bare Messages, batch results):"
                     " priced at current prices and left out of the per-day and per-month "
                     "figures' window")
    df = _price(stamped, book)
    df.index = table.index
    df["timestamp"] = table["timestamp"]
    df = df.reset_index(drop=True)
    df["label"] = _label(df)
    feature_key = _filled(df["feature"], "—")
    df["feature"] = df["feature"].astype("string")
    df["day"] = _days(df["timestamp"], options.timezone)
    priced_mask = df["priced"].astype(bool)
    # The priced rows, with the columns the sections below read (not a full-width copy).
    priced = df if priced_mask.all() else df.loc[priced_mask.to_numpy(), list(dict.fromkeys([
        *_priceable(df).columns, *(c for c in _PRICED_USE if c in df.columns)]))]
    total_cost = float(priced["cost_total"].sum())
    billed = float(df["billed_usd"].sum()) if df["billed_usd"].notna().any() else None

    unpriced_rows: list[Row] = []
    if (~priced_mask).any():
        up = df[~priced_mask]
        for (raw, reason), g in up.groupby(["model_raw", "unpriced_reason"], dropna=False):
            unpriced_rows.append({
                "model": str(raw), "requests": int(g["requests"].sum()),
                "input_tokens": int(g["input_tokens"].sum()),
                "output_tokens": int(g["output_tokens"].sum()),
                "share": float(g["requests"].sum()) / max(float(df["requests"].sum()), 1.0),
                "reason": "" if _isna(reason) else str(reason)})
    # Audio tokens have their own rate, which the tables do not carry: the engine priced the
    # text part of these requests only; their audio is unpriced, and said so, never at $0.
    audio_requests = 0
    has_audio = ((df["audio_input_tokens"] > 0) | (df["audio_output_tokens"] > 0)) & priced_mask
    if bool(has_audio.any()):
        for raw, g in df[has_audio.to_numpy(dtype=bool)].groupby("model_raw", dropna=False):
            a_in, a_out = int(g["audio_input_tokens"].sum()), int(g["audio_output_tokens"].sum())
            reqs = int(g["requests"].sum())
            audio_requests += reqs
            unpriced_rows.append({
                "model": str(raw), "requests": reqs, "input_tokens": a_in, "output_tokens": a_out,
                "share": float(reqs) / max(float(df["requests"].sum()), 1.0),
                "reason": "audio tokens (modality AUDIO): no audio rate in the price table; "
                          "the requests' text tokens are priced, their audio tokens are not"})
            notes.append(f"{reqs} request(s) to {raw!s} carry AUDIO tokens ({a_in:,} input, "
                         f"{a_out:,} output): priced for their text tokens only; the audio "
                         "tokens are unpriced (audio has its own rate, not in the price "
                         "tables) and their cost is NOT in any total")

    ts = df["timestamp"].dropna()
    first = ts.min() if len(ts) else None
    last = ts.max() if len(ts) else None
    window_days = max((last - first).total_seconds() / 86400.0, 1.0) if first is not None \
        else float(DAYS_PER_MONTH)
    month_factor = DAYS_PER_MONTH / window_days
    if first is not None and (last - first).total_seconds() < 86400:
        notes.append("the log covers less than a day; monthly figures treat it as one day of "
                     "traffic (x30)")

    # 1. cost per call, per user-month
    cost_per_call = spread(priced["cost_total"].to_numpy())
    users = df["user"].dropna()
    per_user = spread([])
    top_users: list[Row] = []
    user_source = "none"
    users_active = 0
    if options.users:
        user_source, users_active = "--users", options.users
        v = total_cost * month_factor / options.users
        per_user = Spread(options.users, v, v, v, v, v)
    elif len(users):
        user_source = "user column"
        spent = priced.groupby("user")["cost_total"].sum()  # NA users are not a group
        users_active = int(users.nunique())
        # every active user counts, the ones whose calls were all unpriced or free included
        monthly = (spent * month_factor).reindex(users.unique(), fill_value=0.0)
        per_user = spread(monthly.to_numpy())
        counts = df.groupby("user")["requests"].sum()
        for u, c in monthly.sort_values(ascending=False).head(5).items():
            top_users.append({"user": str(u), "cost_per_month": float(c),
                              "requests": int(counts.get(u, 0))})

    # latency budget: ttft against generation, per model and feature
    lat = df.loc[df["latency_ms"].notna().to_numpy(),
                 ["label", "feature", "latency_ms", "ttft_ms", "output_tokens", "stream",
                  "service_tier", "requests", "input_tokens", "cache_read_tokens",
                  "cache_write_5m_tokens", "cache_write_1h_tokens", "cost_total", "cost_output",
                  "priced"]]
    lat["generation_ms"] = lat["latency_ms"] - lat["ttft_ms"]
    budget_rows: list[Row] = []
    latency_rows: list[Row] = []
    for (model, feature), g in lat.groupby(["label", "feature"], dropna=False, sort=True):
        total_l, ttft = spread(g["latency_ms"].to_numpy()), spread(g["ttft_ms"].to_numpy())
        gen = spread(g["generation_ms"].to_numpy())
        secs = (g["generation_ms"].fillna(g["latency_ms"]) / 1000.0).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            tps = np.where(secs > 0, g["output_tokens"].to_numpy(dtype="float64") / secs,
                           np.nan)
        streamed = g["stream"].dropna()
        name = {"model": str(model), "feature": "—" if _isna(feature) else str(feature)}
        ttft_share = (float(g["ttft_ms"].sum()) / float(g.loc[g["ttft_ms"].notna(),
                      "latency_ms"].sum())) if ttft.n else None
        budget_rows.append({**name, "requests": total_l.n, "latency_p50": total_l.p50,
                            "ttft_p50": ttft.p50, "generation_p50": gen.p50,
                            "ttft_share": ttft_share})
        latency_rows.append({**name, "requests": total_l.n, "p50": total_l.p50,
                             "p95": total_l.p95, "p99": total_l.p99, "max": total_l.max,
                             "ttft_p50": ttft.p50, "ttft_p95": ttft.p95, "ttft_p99": ttft.p99,
                             "tokens_per_s": spread(tps).p50,
                             "stream_share": float(streamed.astype(bool).mean())
                             if len(streamed) else None})
    stream_known = df["stream"].dropna()
    streaming_share = float(stream_known.astype(bool).mean()) if len(stream_known) else None
    slow_ttft = tuple(r for r in latency_rows if _f(r["ttft_p95"]) > SLOW_TTFT_MS)
    long_un = lat[(lat["stream"] == False) & (lat["latency_ms"] > LONG_GENERATION_MS)  # noqa: E712
                  & (lat["output_tokens"] > 500)]
    long_rows = _group_rows(long_un.assign(feature=long_un["feature"].fillna("—")),
                            ["feature"]) if len(long_un) else ()
    long_rows = tuple({**r, "latency_p50": spread(long_un.loc[long_un["feature"].fillna("—")
                       == r["feature"], "latency_ms"].to_numpy()).p50} for r in long_rows)

    # which number bites first
    # A latency budget is about someone waiting: batch-tier and batch/cron-tagged calls are out.
    waiting = lat[(lat["service_tier"] != "batch").to_numpy(dtype=bool)
                  & ~lat["feature"].fillna("").str.contains(BATCH_TAGS).to_numpy(dtype=bool)]
    overall = spread(waiting["latency_ms"].to_numpy())
    lb = options.latency_budget_ms or DEFAULT_LATENCY_BUDGET_MS
    cb = options.budget_per_user_month or DEFAULT_BUDGET_PER_USER_MONTH
    user_cost = per_user.p95 if user_source == "user column" else per_user.mean
    ratios = {"latency": overall.p95 / lb, "cost": user_cost / cb}
    known = {k: v for k, v in ratios.items() if not np.isnan(v)}
    if not known:
        first_bite, text = "unknown", "the log has neither latency nor users to judge"
    else:
        top = max(known, key=lambda k: known[k])
        parts = []
        if "latency" in known:
            parts.append(f"p95 latency of interactive calls ({overall.p95:,.0f} ms) is "
                         f"{known['latency']:.0%} of the {lb:,.0f} ms budget")
        if "cost" in known:
            parts.append(f"{'p95' if user_source == 'user column' else 'mean'} cost per "
                         f"user-month is {known['cost']:.0%} of the ${cb:,.2f} budget")
        if known[top] < 1:
            first_bite = "neither"
            text = f"neither bites yet; {top} is closest: " + "; ".join(parts)
        else:
            first_bite = top
            text = f"{top} bites first: " + "; ".join(parts)
    verdict = Verdict(overall.p95, lb, options.latency_budget_ms is not None, user_cost, cb,
                      options.budget_per_user_month is not None, first_bite, text)

    # 3. cost
    cost_by = {
        "model": _group_rows(df.assign(model=df["label"]), ["model"]),
        "feature": _group_rows(df.assign(feature=feature_key), ["feature"]),
        "user": _group_rows(df, ["user"], limit=20, dropna=True),
        "day": tuple(sorted(_group_rows(df, ["day"], dropna=True),
                            key=lambda r: str(r["day"]))),
    }
    if options.group_by:
        keyed = df.assign(model=df["label"])
        cost_by["+".join(options.group_by)] = _group_rows(keyed, list(options.group_by))
    out_share = float(priced["cost_output"].sum()) / total_cost if total_cost else None
    body = df[df["has_request"].fillna(False).astype(bool)] if "has_request" in df else df[:0]
    no_cap = int(body["max_tokens"].isna().sum())
    finish = df["finish_reason"].dropna()
    truncated = int((finish == "length").sum())
    costliest = []
    dearest = priced["cost_total"].nlargest(10, keep="first").index  # not a sort of all rows
    for r in priced.loc[dearest].itertuples():
        costliest.append({"where": f"{r.source_file}:{r.source_line}", "model": r.label,
                          "feature": "—" if _isna(r.feature) else r.feature,
                          "input_tokens": int(_f(r.input_tokens)),
                          "output_tokens": int(_f(r.output_tokens)),
                          "cost": _f(r.cost_total)})

    # 4. caching
    cache_rows: list[Row] = []
    sums = df[["label", "input_tokens", "cache_read_tokens", "cost_cache_read"]].assign(
        cache_write_tokens=df["cache_write_5m_tokens"] + df["cache_write_1h_tokens"]
    ).groupby("label", sort=True).sum()
    for model, inp, read, write, read_cost in sums[
            ["input_tokens", "cache_read_tokens", "cache_write_tokens", "cost_cache_read"]
    ].itertuples(name=None):
        cache_rows.append({"model": str(model), "input_tokens": int(inp),
                           "cache_read_tokens": int(read), "cache_write_tokens": int(write),
                           "hit_rate": float(read) / int(inp) if inp else None,
                           "cost_cache_read": float(read_cost)})
    levers: list[Lever] = []
    prefixes, prefix_notes, prefix_saving = _prefix_analysis(df, book)
    if prefix_saving > 0:
        levers.append(Lever("put the static prompt block before the variable content",
                            prefix_saving * month_factor,
                            "the static block repeated across calls of a feature becomes a "
                            "cached prefix read at the cache-read rate (cache writes on the "
                            "first call not counted); token counts from the logged prompts"))
    dup_rows: list[Row] = []
    hit_rate = None
    if "request_key" in df and df["request_key"].notna().any():
        keyed = df[df["request_key"].notna()]
        dup = keyed["request_key"].duplicated(keep="first")
        hit_rate = float(dup.mean())
        for feature, g in keyed[dup].groupby(keyed["feature"].fillna("—")):
            dup_rows.append({"feature": str(feature), "duplicates": len(g),
                             "requests": int((keyed["feature"].fillna("—") == feature).sum()),
                             "cost": float(g["cost_total"].sum())})
        saved = float(keyed.loc[dup, "cost_total"].sum())
        if saved > 0:
            levers.append(Lever("cache responses to exact duplicate requests",
                                saved * month_factor,
                                f"{hit_rate:.1%} of logged requests repeat an earlier request "
                                "byte for byte (model, messages, parameters); a response cache "
                                "would answer them at no model cost"))

    # 5. routing and batching
    routing: list[Row] = []
    short = priced[(priced["input_tokens"] <= SHORT_INPUT)
                   & (priced["output_tokens"] <= SHORT_OUTPUT)]
    if len(short):
        classes = {m: book.models[m].model_class for m in short["model"].dropna().unique()}
        frontier = short[short["model"].map(classes) == "frontier"]
        for model, g in frontier.groupby("model"):
            # The priced model's own provider (a gateway log may say "openai" for any model).
            target = options.route_to or ROUTE_TO.get(book.models[str(model)].provider)
            if not target:
                continue
            res = book.resolve(target)
            if res.model is None:
                notes.append(f"routing what-if: {target} has no price; not computed")
                continue
            what_if = _reprice(g, book, model_raw=res.model.id, provider=res.model.provider,
                               region=pd.NA)
            now, then = float(g["cost_total"].sum()), float(what_if.sum())
            if res.model.id == model or not then < now:
                continue  # already the cheaper model, or the target costs more here
            routing.append({"model": str(model), "to": res.model.id, "requests": len(g),
                            "share": len(g) / max(len(df), 1), "cost": now,
                            "what_if": then, "saving_per_month": (now - then) * month_factor})
        saving = sum(_f(r["saving_per_month"]) for r in routing)
        if saving > 0:
            levers.append(Lever("route short frontier calls to a cheaper model", saving,
                                f"calls with <= {SHORT_INPUT:,} input and <= {SHORT_OUTPUT} "
                                "output tokens are classification-shaped; the smaller model "
                                "answers them as well (check with an eval first)"))
    batching: list[Row] = []
    waits = (priced["service_tier"] != "batch") & (priced["stream"] == False)  # noqa: E712
    # The columns the burst rules and the batch what-if read, not the full-width frame.
    needed = [*_priceable(priced).columns, *(c for c in ("feature", "trace_id", "session_id",
              "label", "user", "cost_total") if c in priced.columns)]
    cand = priced.loc[waits.fillna(False).to_numpy(dtype=bool), list(dict.fromkeys(needed))]
    if len(cand):
        tag = cand["feature"].fillna("").str.contains(BATCH_TAGS)
        group = cand["trace_id"] if "trace_id" in cand else pd.Series(pd.NA, index=cand.index)
        if "session_id" in cand:
            group = group.fillna(cand["session_id"])
        burst_size = cand.groupby([group.fillna(""), cand["feature"].fillna(""),
                                   cand["label"]])["requests"].transform("sum")
        burst = group.notna() & (burst_size >= BURST_CALLS)
        # Without trace ids, a loop shows as one user's same-feature calls seconds apart.
        rapid = _rapid_runs(cand) & ~burst
        picked = tag | burst | rapid
        chosen = cand[picked.to_numpy(dtype=bool)]
        reasons = np.where(tag[picked], "batch/cron tag",
                           np.where(burst[picked], "burst in one trace/session",
                                    f"burst: one user, < {BURST_GAP_S} s apart"))
        chosen = chosen.assign(reason=reasons)
        for (feature, model, reason), g in chosen.groupby(
                [chosen["feature"].fillna("—"), "label", "reason"]):
            what_if = _reprice(g, book, service_tier="batch")
            now, then = float(g["cost_total"].sum()), float(what_if.sum())
            if np.isnan(then):
                continue
            batching.append({"feature": str(feature), "model": str(model), "reason": reason,
                             "requests": len(g), "cost": now, "what_if": then,
                             "saving_per_month": (now - then) * month_factor})
        saving = sum(_f(r["saving_per_month"]) for r in batching)
        if saving > 0:
            levers.append(Lever("send non-interactive traffic through the batch API", saving,
                                "non-streamed calls tagged batch/cron, or bursts of "
                                f">= {BURST_CALLS} same-feature calls in one trace or session "
                                f"(or from one user < {BURST_GAP_S} s apart), can wait up to "
                                "24 h; priced at the model's batch rates"))
    if "speed" in df and (df["speed"] == "fast").any():
        fast = df[(df["speed"] == "fast").fillna(False).to_numpy(dtype=bool)]
        priced_fast = fast["cost_total"].notna()
        notes.append(f"{len(fast)} request(s) ran with speed \"fast\": {int(priced_fast.sum())} "
                     "priced at the model's fast-mode multiplier "
                     f"({fmt_money(float(fast['cost_total'].sum()))}), "
                     f"{int((~priced_fast).sum())} unpriced (no fast-mode price in the table)")
    if no_cap and len(body):
        notes.append(f"{no_cap} of {len(body)} logged requests set no max_tokens: one runaway "
                     "generation is then bounded only by the model's output limit")
    levers.sort(key=lambda lv: lv.usd_per_month, reverse=True)

    return LogsResult(
        inputs=tuple({"source": s, "format": f} for s, f in load.formats),
        bad_lines=load.bad_lines, skipped=load.skipped, contradictions=load.contradictions,
        contradiction_count=load.contradiction_count, duplicate_ids=load.duplicate_ids,
        duplicate_examples=load.duplicate_examples,
        transcript_duplicates=load.transcript_duplicates,
        timing_contradictions=load.timing_contradictions,
        timing_contradiction_count=load.timing_contradiction_count,
        requests=int(df["requests"].sum()), priced_requests=int(priced["requests"].sum()),
        total_cost=total_cost, billed_usd=billed, unpriced=tuple(unpriced_rows),
        window_days=window_days, month_factor=month_factor,
        first_seen=first.isoformat() if first is not None else None,
        last_seen=last.isoformat() if last is not None else None,
        missing_timestamps=missing_ts, filtered_out=filtered_out,
        cost_per_call=cost_per_call, user_source=user_source, users_active=users_active,
        cost_per_user_month=per_user, top_users=tuple(top_users),
        latency_budget=tuple(budget_rows), verdict=verdict, latency=tuple(latency_rows),
        streaming_share=streaming_share, slow_ttft=slow_ttft, long_unstreamed=long_rows,
        cost_by=cost_by, output_cost_share=out_share, no_max_tokens=no_cap,
        requests_with_body=len(body), truncated=truncated, with_finish_reason=len(finish),
        costliest=tuple(costliest), cache_by_model=tuple(cache_rows), prefixes=prefixes,
        prefix_notes=prefix_notes, duplicate_requests=tuple(dup_rows),
        response_cache_hit_rate=hit_rate, routing=tuple(routing), batching=tuple(batching),
        levers=tuple(levers), notes=tuple(notes), audio_unpriced_requests=audio_requests,
    )


def _prefix_analysis(df: pd.DataFrame, book: PriceBook
                     ) -> tuple[tuple[Row, ...], tuple[str, ...], float]:
    """Per feature: leading tokens shared with the previous call, static blocks placed after
    variable content, and what moving them first would save (priced by the engine)."""
    import numpy as np

    from llm_audit import tokens

    if "prompt_text" not in df or not df["prompt_text"].notna().any():
        return (), ("no prompts in the log: the shared-prefix analysis needs the request "
                    "bodies (the wrapper's `request`)",), 0.0
    rows: list[Row] = []
    notes: list[str] = []
    saving = 0.0
    needed = [*_priceable(df).columns, "prompt_text", "feature", "model", "priced",
              "cost_total"]
    with_prompt = df.loc[df["prompt_text"].notna().to_numpy(), list(dict.fromkeys(needed))]
    with_prompt = with_prompt.sort_values("timestamp", kind="stable")
    for feature, g in with_prompt.groupby(with_prompt["feature"].fillna("—"), sort=True):
        g = g.tail(PREFIX_SAMPLE)
        model = str(g["model"].dropna().iloc[0]) if g["model"].notna().any() else \
            str(g["model_raw"].iloc[0])
        declared = book.models[model].encoding if model in book.models else None
        enc_name, exact = tokens.encoding_for_model(model, declared)
        enc = tokens.encoding(enc_name)
        ids = [enc.encode_ordinary(str(t)) for t in g["prompt_text"]]
        lcp = np.zeros(len(ids), dtype="int64")
        suffix = np.zeros(len(ids), dtype="int64")
        for i in range(1, len(ids)):
            a, b = ids[i - 1], ids[i]
            lcp[i] = _common_prefix(a, b)
            suffix[i] = _common_prefix(a[::-1], b[::-1]) if lcp[i] < min(len(a), len(b)) else 0
        lengths = np.array([len(x) for x in ids])
        misplaced = (lcp < MIN_CACHEABLE_PREFIX) & (suffix >= MIN_CACHEABLE_PREFIX)
        misplaced[0] = False
        already = (g["cache_read_tokens"] + g["cache_write_5m_tokens"]
                   + g["cache_write_1h_tokens"]).to_numpy()
        room = np.maximum(g["input_tokens"].to_numpy() - already, 0)
        movable = np.where(misplaced, np.minimum(suffix, room), 0)
        dollars = 0.0
        if movable.any() and g["priced"].astype(bool).any():
            sub = g[misplaced]
            what_if = _reprice(sub, book, cache_read_tokens=sub["cache_read_tokens"]
                               + movable[misplaced])
            dollars = float((sub["cost_total"] - what_if).sum())
            saving += dollars if dollars == dollars else 0.0
        rows.append({"feature": str(feature), "prompts": len(ids),
                     "median_prompt_tokens": float(np.median(lengths)),
                     "median_shared_prefix": float(np.median(lcp[1:])) if len(ids) > 1
                     else None,
                     "cacheable_share": float((lcp[1:] >= MIN_CACHEABLE_PREFIX).mean())
                     if len(ids) > 1 else None,
                     "variable_first_share": float(misplaced[1:].mean()) if len(ids) > 1
                     else None,
                     "reorder_saving": dollars, "encoding": enc_name + ("" if exact else
                                                                        " (estimate)")})
        if not exact:
            notes.append(f"{feature}: {model} does not publish its tokenizer; prompt token "
                         f"counts are estimates ({enc_name})")
    return tuple(rows), tuple(notes), saving


def _rapid_runs(df: pd.DataFrame) -> pd.Series:
    """Rows in runs of >= BURST_CALLS same user+feature+model calls, each < BURST_GAP_S apart."""
    import pandas as pd

    out = pd.Series(False, index=df.index)
    known = df.loc[(df["user"].notna() & df["timestamp"].notna()).to_numpy(),
                   ["user", "feature", "label", "timestamp"]]
    if known.empty:
        return out
    keys = [known["user"], known["feature"].fillna(""), known["label"]]
    ordered = known.assign(_k=pd.Series(list(zip(*keys, strict=True)), index=known.index)
                           .astype(str)).sort_values(["_k", "timestamp"], kind="stable")
    gap = ordered.groupby("_k")["timestamp"].diff().dt.total_seconds()
    run = (gap.isna() | (gap >= BURST_GAP_S)).cumsum()
    size = run.map(run.value_counts())
    out.loc[ordered.index] = (size >= BURST_CALLS).to_numpy()
    return out


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i
