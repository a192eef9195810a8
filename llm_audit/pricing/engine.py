"""Price a usage table, vectorised: cost columns per row and the price table version.

Adds to a normalized usage table:

* ``model`` (canonical id), ``price_rule`` (how the raw id resolved), ``priced``,
  ``unpriced_reason``, ``long_context``;
* ``cost_input`` (uncached input), ``cost_cache_read``, ``cost_cache_write`` (5m + 1h),
  ``cost_output``, ``cost_extras`` (web search ...), ``cost_total``, all USD; NaN when unpriced;
* ``cost_cache_write_5m`` and ``cost_cache_write_1h``, the two parts of ``cost_cache_write``;
* with ``rates=True``, the rates each row was priced at, every multiplier applied (USD per 1M
  tokens; per request for ``unit_web_search``): ``unit_input``, ``unit_cache_read``,
  ``unit_cache_write_5m``, ``unit_cache_write_1h``, ``unit_output``, ``unit_web_search``, so a
  caller can re-price a what-if (more cache reads, fewer output tokens) without pricing again,
  and ``price_effective``, the start of the price period each row was priced in.

Audio tokens (``audio_input_tokens``, ``audio_cache_read_tokens``, ``audio_output_tokens``)
have their own rates, which the tables do not carry: they are left out of ``cost_input``,
``cost_cache_read`` and ``cost_output`` (never priced at the text rate), so a row's cost is its
text part's; the caller reports the audio tokens as unpriced.

Multipliers: ``region`` (data residency, geo profiles) and, when the table has a ``speed``
column, Anthropic's ``speed`` (fast mode). A speed other than standard on a model whose table
states no multiplier for it is unpriced, never priced at the standard rate.

``df.attrs["pricing"]`` carries the book's provenance. Unique (model, provider) pairs are
resolved once; every per-row step is a column operation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.tables import RATE_FIELDS

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

COST_COLUMNS = (
    "cost_input",
    "cost_cache_read",
    "cost_cache_write",
    "cost_output",
    "cost_extras",
    "cost_total",
)
SPLIT_COLUMNS = ("cost_cache_write_5m", "cost_cache_write_1h")
UNIT_COLUMNS = (
    "unit_input",
    "unit_cache_read",
    "unit_cache_write_5m",
    "unit_cache_write_1h",
    "unit_output",
    "unit_web_search",
)
_OWN = (
    *COST_COLUMNS,
    *SPLIT_COLUMNS,
    *UNIT_COLUMNS,
    "priced",
    "unpriced_reason",
    "price_rule",
    "long_context",
)
# Tiers a provider sells without a per-token list price (OpenAI Scale Tier is bought as units
# of throughput, formats.md 1e): say so instead of "no scale price".
_COMMITTED_TIERS = {
    "scale": "Scale Tier is a commitment (throughput units), not a per-token list price"
}
PER_MILLION = 1_000_000.0
# The usage columns the arithmetic below reads, next to the matched rates.
_ROW_COLUMNS = (
    "input_tokens",
    "requests",
    "context_tier",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "web_search_requests",
    "audio_input_tokens",
    "audio_cache_read_tokens",
    "audio_output_tokens",
    "service_tier",
    "model",
    "region",
)


_DTYPES = {
    "time": "datetime64[us, UTC]",
    "str": "string",
    "int": "int64",
    "float": "float64",
    "Int": "Int64",
    "bool": "boolean",
}


def _is_normal(df: pd.DataFrame) -> bool:
    """Already a normalized usage table (every contract column in its dtype, tiers in our
    words)? Then normalizing again, a full copy, is skipped: normalize is idempotent."""
    from llm_audit.usage.schema import _TIER_ALIASES, COLUMNS

    for col in COLUMNS:
        if col.name not in df.columns or str(df[col.name].dtype) != _DTYPES[col.kind]:
            return False
    tier = df["service_tier"]
    return not bool(tier.isna().any() or tier.isin(list(_TIER_ALIASES)).any())


def _why_unpriced(
    resolved: str, no_rate: bool, tier: str, model: object, flags: tuple[bool, bool, bool]
) -> str:
    """Why one row is unpriced: the model, else its tier, else a missing part of its price."""
    if resolved and resolved not in ("<NA>", "nan"):
        return resolved
    if no_rate:
        text = f"no {tier or '?'} price for {model if isinstance(model, str) else '?'}"
        return text + (f": {_COMMITTED_TIERS[tier]}" if tier in _COMMITTED_TIERS else "")
    for flag, why in zip(
        flags,
        (
            "no long-context price for this tier",
            "no web search price",
            "no price for this speed (fast mode) in the table",
        ),
        strict=True,
    ):
        if flag:
            return why
    return "unpriced"


def resolve_models(usage: pd.DataFrame, book: PriceBook) -> pd.Series:
    """The canonical model id of every row (NA when unpriced), without pricing anything.

    For rows that carry a billed amount instead of tokens (cost exports), which only need to
    be matched with usage rows by model."""
    import pandas as pd

    if not len(usage):
        return pd.Series([], dtype="string")
    codes, found = _resolve_pairs(usage, book)
    model = pd.array([f[0] or None for f in found], dtype="string")
    return pd.Series(model.take(codes), index=usage.index)


def _resolve(
    df: pd.DataFrame, book: PriceBook
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(model, price_rule, region, unpriced reason) per row; each distinct pair resolved once."""
    codes, found = _resolve_pairs(df, book)
    return _spread(found, codes, df.index)


def _resolve_pairs(
    df: pd.DataFrame, book: PriceBook
) -> tuple[np.ndarray, list[tuple[str, str, str, str]]]:
    """The distinct (model_raw, provider) pairs resolved: each row's pair, and per pair
    (model, price_rule, region, unpriced reason), "" for none."""
    import numpy as np
    import pandas as pd

    raw_codes, raws = pd.factorize(df["model_raw"].astype("string").fillna(""))
    prov_codes, provs = pd.factorize(df["provider"].astype("string").fillna(""))
    codes, pairs = pd.factorize(raw_codes * (len(provs) + 1) + prov_codes)
    found: list[tuple[str, str, str, str]] = []
    raw_list, prov_list = list(raws), list(provs)
    for pair in pairs.tolist():
        raw_s, prov = (
            str(raw_list[pair // (len(provs) + 1)]),
            str(prov_list[pair % (len(provs) + 1)]),
        )
        res = book.resolve(raw_s, prov or None) if raw_s else None
        if res is not None and res.model is not None:
            found.append((res.model.id, res.rule or "", res.region or "", ""))
        elif res is not None and res.ambiguous:
            found.append(("", "", "", f"ambiguous model id (one of {', '.join(res.ambiguous)})"))
        else:
            hint = f"; close: {', '.join(res.close)}" if res is not None and res.close else ""
            found.append(("", "", "", f"unknown model{hint}"))
    return np.asarray(codes), found


def _spread(
    found: list[tuple[str, str, str, str]], take: np.ndarray, index: pd.Index
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    import pandas as pd

    cols = []
    for i in range(4):
        # One string per distinct pair, spread by position (an arrow take, not a million
        # Python strings converted one by one); no model or region is NA, decided per pair.
        values = [f[i] or (None if i in (0, 2) else "") for f in found]
        distinct = pd.array(values, dtype="string")
        cols.append(pd.Series(distinct.take(take), index=index))
    return cols[0], cols[1], cols[2], cols[3]


class _Gathered(dict[str, "pd.Series"]):
    """The rate-table columns beside each row, gathered by position when first used (rows
    of models without a long-context price never read the long-context rates)."""

    def __init__(self, right: pd.DataFrame, at: np.ndarray) -> None:
        super().__init__()
        self._right = right
        self._at = at

    def __missing__(self, key: str) -> pd.Series:
        import numpy as np
        import pandas as pd

        if key not in self._right.columns:
            raise KeyError(key)
        if key == "effective":
            value = pd.Series(self._right[key].array.take(self._at, allow_fill=True))
        else:
            column = self._right[key].to_numpy(dtype="float64", na_value=np.nan)
            value = pd.Series(np.append(column, np.nan)[self._at], copy=False)
        self[key] = value
        return value


def price(usage: pd.DataFrame, book: PriceBook, *, rates: bool = False) -> pd.DataFrame:
    """Return ``usage`` with cost columns; never prices an unknown model at $0."""
    import numpy as np
    import pandas as pd

    from llm_audit.usage.schema import normalize

    table_in = usage if _is_normal(usage) else normalize(usage)
    df = table_in.drop(columns=[c for c in _OWN if c in usage.columns])
    n = len(df)
    df["_row"] = np.arange(n)

    if n == 0:  # nothing to resolve: the cost columns, empty
        out = df.drop(columns=["_row"])
        for name in (*COST_COLUMNS, *SPLIT_COLUMNS, *(UNIT_COLUMNS if rates else ())):
            out[name] = pd.Series(dtype="float64")
        out["priced"] = pd.Series(dtype="bool")
        out["unpriced_reason"] = pd.Series(dtype="string")
        out["price_rule"] = pd.Series(dtype="string")
        out["long_context"] = pd.Series(dtype="bool")
        out.attrs["pricing"] = book.provenance
        return out
    pair_codes, found = _resolve_pairs(df, book)
    model, rule, found_region, reason = _spread(found, pair_codes, df.index)
    df["model"] = model
    df["price_rule"] = rule
    if bool(df["region"].isna().all()):  # the region is the pair's: lower-cased per pair
        import pyarrow as pa
        import pyarrow.compute as pc

        words = pa.array([f[2] or None for f in found], type=pa.large_string())
        lowered = pd.array(pc.utf8_lower(words), dtype="string")  # as .str.lower() does
        df["region"] = pd.Series(lowered.take(pair_codes), index=df.index)
    else:
        region = df["region"].fillna(found_region)
        df["region"] = region.replace("", pd.NA).str.lower()

    table = book.rate_frame(sorted({f[0] for f in found if f[0]}))
    for col in ("model", "service_tier"):
        df[col] = df[col].astype("string")
    speed = None
    if "speed" in df.columns:  # Anthropic fast mode; "" and "standard" are the base price
        speed = df["speed"].astype("string").str.strip().str.lower()
        speed = speed.mask(speed.isin(["", "standard"]))
    speeds = [] if speed is None else [s for s in speed.dropna().unique()]
    merged: Any  # the rates beside each row: a frame, or (large inputs) a dict of columns
    if table.empty:
        merged = df.copy()
        for f in RATE_FIELDS:
            merged[f"rate_{f}"] = np.nan
            merged[f"lc_{f}"] = np.nan
        merged["lc_threshold"] = np.nan
        merged["lc_missing"] = False
        merged["extra_web_search_request"] = np.nan
        merged["_multiplier"] = 1.0
        no_speed = np.zeros(n, dtype=bool)
    else:
        regions = [r for r in df["region"].dropna().unique()]
        table["_multiplier"] = 1.0
        for r in regions:
            table[f"_region_{r}"] = table["price_regions"].map(lambda d, r=r: d.get(r, 1.0))
        for s in speeds:
            table[f"_speed_{s}"] = table["price_speeds"].map(lambda d, s=s: d.get(s, np.nan))
        table = table.drop(columns=["price_regions", "price_speeds"])
        # Rates matched by (model, tier) integer codes and time: sorting and re-ordering the
        # whole usage table (dozens of string columns) was most of the time on large inputs.
        # (model, tier) codes: the model from its pair, the tier factorized once.
        t_codes, t_uniq = pd.factorize(df["service_tier"].fillna(""))
        tier_at = {t: i + 1 for i, t in enumerate(t_uniq)}
        model_at = {m: i + 1 for i, m in enumerate(table["model"].unique())}
        width = len(t_uniq) + 2
        pair_model = np.array([model_at.get(f[0], 0) for f in found], dtype=np.int64)
        row_codes = pair_model[pair_codes] * width + (np.asarray(t_codes, dtype=np.int64) + 1)
        entry_codes = np.array(
            [
                model_at[m] * width + tier_at.get(t, 0)
                for m, t in zip(table["model"], table["service_tier"], strict=True)
            ],
            dtype=np.int64,
        )
        codes = np.concatenate([row_codes, entry_codes])
        right = table.drop(columns=["model", "service_tier"]).sort_values(
            "effective", kind="stable"
        )
        stamps = df["timestamp"].astype(table["effective"].dtype)
        if bool(stamps.isna().any()):  # merge_asof names the problem (null keys)
            left = pd.DataFrame({"timestamp": stamps.array, "_k": codes[:n], "_row": np.arange(n)})
            merged = pd.merge_asof(
                left.sort_values("timestamp", kind="stable"),
                right.assign(_k=codes[n:][right.index]),
                left_on="timestamp",
                right_on="effective",
                by="_k",
                direction="backward",
            )
            merged = merged.sort_values("_row").reset_index(drop=True)
        else:
            # What merge_asof(by key, backward) matches, as positions into the rate table:
            # gathering the rates by position beat sorting a million rows by time and back.
            at = _asof_positions(
                codes[:n],
                stamps.array.asi8,
                codes[n:][right.index.to_numpy()],
                right["effective"].array.asi8,
            )
            # Columns of their own, not one DataFrame: building a frame stacked its ~20
            # float columns into one block, a copy of them all.
            merged = _Gathered(right, at)
            merged["effective"] = merged["effective"]  # gathered now: `in merged` is asked
        for col in _ROW_COLUMNS:
            merged[col] = df[col].reset_index(drop=True)
        mult = np.ones(n)
        for r in regions:
            mask = (merged["region"] == r).fillna(False).to_numpy(dtype=bool)
            mult = np.where(mask, merged[f"_region_{r}"].fillna(1.0).to_numpy(), mult)
        no_speed = np.zeros(n, dtype=bool)
        if speed is not None:
            for s in speeds:
                mask = speed.eq(s).fillna(False).to_numpy(dtype=bool)
                factor = merged[f"_speed_{s}"].to_numpy(dtype="float64")
                no_speed |= mask & np.isnan(factor)
                mult = np.where(mask, np.nan_to_num(factor, nan=1.0) * mult, mult)
        merged["_multiplier"] = pd.Series(mult, copy=False)

    inp = merged["input_tokens"].to_numpy(dtype="float64")
    reqs = np.maximum(merged["requests"].to_numpy(dtype="float64"), 1.0)
    threshold = merged["lc_threshold"].to_numpy(dtype="float64")
    tier_col = merged["context_tier"].str.lower()
    declared_long = (tier_col == "long").fillna(False).to_numpy(dtype=bool)
    declared = tier_col.notna().to_numpy(dtype=bool)
    # A request log row is one request; a bucket says its context tier or is judged by the mean.
    over = np.where(declared, declared_long, (inp / reqs) > np.nan_to_num(threshold, nan=np.inf))
    has_lc = ~np.isnan(threshold)
    long_ctx = over & has_lc
    lc_missing = over & merged["lc_missing"].fillna(0).to_numpy(dtype=bool)  # 0.0/1.0 or bool

    any_long = bool(long_ctx.any())

    def rate(field: str) -> np.ndarray:
        base: np.ndarray = merged[f"rate_{field}"].to_numpy(dtype="float64")
        if not any_long:
            return base
        lc: np.ndarray = merged[f"lc_{field}"].to_numpy(dtype="float64")
        return np.where(long_ctx, lc, base)

    cache_read = merged["cache_read_tokens"].to_numpy(dtype="float64")
    write_5m = merged["cache_write_5m_tokens"].to_numpy(dtype="float64")
    write_1h = merged["cache_write_1h_tokens"].to_numpy(dtype="float64")
    # Audio is not priced at the text rate: only the text part of each count is priced.
    audio_cached = merged["audio_cache_read_tokens"].to_numpy(dtype="float64")
    audio_uncached = merged["audio_input_tokens"].to_numpy(dtype="float64") - audio_cached
    uncached = inp - cache_read - write_5m - write_1h - audio_uncached
    cache_read = cache_read - audio_cached
    text_output = (merged["output_tokens"].to_numpy(dtype="float64")
                   - merged["audio_output_tokens"].to_numpy(dtype="float64"))
    m = merged["_multiplier"].to_numpy(dtype="float64") / PER_MILLION
    unit = {f: rate(f) * m for f in RATE_FIELDS}  # USD per token, every multiplier applied
    split = {
        "cost_cache_write_5m": write_5m * unit["cache_write_5m"],
        "cost_cache_write_1h": write_1h * unit["cache_write_1h"],
    }
    costs = {
        "cost_input": uncached * unit["input"],
        "cost_cache_read": cache_read * unit["cache_read"],
        "cost_cache_write": split["cost_cache_write_5m"] + split["cost_cache_write_1h"],
        "cost_output": text_output * unit["output"],
    }
    searches = merged["web_search_requests"].to_numpy(dtype="float64")
    search_rate = merged["extra_web_search_request"].to_numpy(dtype="float64")
    extras = np.where(searches > 0, searches * search_rate * m * PER_MILLION, 0.0)
    costs["cost_extras"] = extras
    no_rate = np.isnan(merged["rate_input"].to_numpy(dtype="float64"))
    missing_extra = (searches > 0) & np.isnan(search_rate)
    unpriced = no_rate | lc_missing | missing_extra | no_speed
    # The reason, worked out for the unpriced rows only (usually few of a million), spread
    # by position as one Arrow take (a million-element object array took longer to convert).
    reasons: dict[str, int] = {}
    why_code = np.full(n, -1, dtype=np.int64)
    for i in np.flatnonzero(unpriced).tolist():
        why = _why_unpriced(
            str(reason.iat[i]),
            bool(no_rate[i]),
            str(merged["service_tier"].iat[i]),
            merged["model"].iat[i],
            (bool(lc_missing[i]), bool(missing_extra[i]), bool(no_speed[i])),
        )
        why_code[i] = reasons.setdefault(why, len(reasons))
    out = df.drop(columns=["_row"])
    blank = bool(unpriced.any())

    def priced_only(values: np.ndarray) -> np.ndarray:
        # NaN where unpriced; with every row priced, the values themselves (no copy)
        return np.where(unpriced, np.nan, values) if blank else values

    for name, values in costs.items():
        out[name] = priced_only(values)
    total = out[list(costs)].sum(axis=1, min_count=1)
    out["cost_total"] = total.where(~unpriced) if blank else total
    for name, values in split.items():
        out[name] = priced_only(values)
    if rates:
        out["price_effective"] = merged["effective"].array if "effective" in merged else pd.NaT
        for f in RATE_FIELDS:
            out[f"unit_{f}"] = priced_only(unit[f] * PER_MILLION)
        out["unit_web_search"] = priced_only(search_rate * m * PER_MILLION)
    out["priced"] = ~unpriced
    out["unpriced_reason"] = _strings_at(why_code, list(reasons))
    out["long_context"] = long_ctx
    out.attrs["pricing"] = book.provenance
    return out


def _asof_positions(
    row_keys: np.ndarray, row_times: np.ndarray, keys: np.ndarray, times: np.ndarray
) -> np.ndarray:
    """Per row, the position (into ``keys``/``times``, sorted by time) of the latest entry of
    the row's key at or before its time, as ``merge_asof(by=key, direction="backward")``
    matches it (the last of equal times); -1 where there is none."""
    import numpy as np

    # Times as ranks among the entries' distinct times (an entry at or before a row's time
    # has a rank at most the row's), so (key, rank) packs into one small integer.
    distinct = np.unique(times)
    width = len(distinct) + 1
    entry = keys.astype(np.int64) * width + np.searchsorted(distinct, times, side="right")
    order = np.argsort(entry, kind="stable")
    packed = row_keys.astype(np.int64) * width + np.searchsorted(distinct, row_times, "right")
    found = np.searchsorted(entry[order], packed, side="right") - 1
    hit = (found >= 0) & (keys[order][np.maximum(found, 0)] == row_keys)
    return np.where(hit, order[np.maximum(found, 0)], -1)


def _strings_at(codes: np.ndarray, values: list[str]) -> pd.Series:
    """A string column: ``values[code]`` per row, NA where the code is -1."""
    import pandas as pd
    import pyarrow as pa

    taken = pa.array(values, type=pa.large_string()).take(pa.array(codes, mask=codes < 0))
    return pd.Series(pd.arrays.ArrowStringArray(taken), dtype="string")
