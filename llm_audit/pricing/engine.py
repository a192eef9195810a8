"""Price a usage table, vectorised: cost columns per row and the price table version.

Adds to a normalized usage table:

* ``model`` (canonical id), ``price_rule`` (how the raw id resolved), ``priced``,
  ``unpriced_reason``, ``long_context``;
* ``cost_input`` (uncached input), ``cost_cache_read``, ``cost_cache_write`` (5m + 1h),
  ``cost_output``, ``cost_extras`` (web search ...), ``cost_total``, all USD; NaN when unpriced.

``df.attrs["pricing"]`` carries the book's provenance. Unique (model, provider) pairs are
resolved once; every per-row step is a column operation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.tables import RATE_FIELDS

if TYPE_CHECKING:
    import pandas as pd

COST_COLUMNS = (
    "cost_input",
    "cost_cache_read",
    "cost_cache_write",
    "cost_output",
    "cost_extras",
    "cost_total",
)
PER_MILLION = 1_000_000.0


def price(usage: pd.DataFrame, book: PriceBook) -> pd.DataFrame:
    """Return ``usage`` with cost columns; never prices an unknown model at $0."""
    import numpy as np
    import pandas as pd

    from llm_audit.usage.schema import normalize

    df = normalize(usage).drop(columns=[c for c in (*COST_COLUMNS, "priced", "unpriced_reason",
                                                    "price_rule", "long_context")
                                        if c in usage.columns])
    n = len(df)
    df["_row"] = np.arange(n)

    if n == 0:  # nothing to resolve: the cost columns, empty
        out = df.drop(columns=["_row"])
        for name in COST_COLUMNS:
            out[name] = pd.Series(dtype="float64")
        out["priced"] = pd.Series(dtype="bool")
        out["unpriced_reason"] = pd.Series(dtype="string")
        out["price_rule"] = pd.Series(dtype="string")
        out["long_context"] = pd.Series(dtype="bool")
        out.attrs["pricing"] = book.provenance
        return out
    pairs = df[["model_raw", "provider"]].drop_duplicates()
    resolved: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for raw, provider in pairs.itertuples(index=False, name=None):
        raw_s = "" if pd.isna(raw) else str(raw)
        prov = None if pd.isna(provider) else str(provider)
        res = book.resolve(raw_s, prov) if raw_s else None
        if res is not None and res.model is not None:
            resolved[(raw, provider)] = (res.model.id, res.rule or "", res.region or "", "")
        elif res is not None and res.ambiguous:
            why = f"ambiguous model id (one of {', '.join(res.ambiguous)})"
            resolved[(raw, provider)] = ("", "", "", why)
        else:
            hint = f"; close: {', '.join(res.close)}" if res is not None and res.close else ""
            resolved[(raw, provider)] = ("", "", "", f"unknown model{hint}")
    keys = pd.MultiIndex.from_frame(df[["model_raw", "provider"]])
    lookup = pd.DataFrame.from_dict(resolved, orient="index",
                                    columns=["model", "price_rule", "_region", "_reason"])
    lookup.index = pd.MultiIndex.from_tuples(lookup.index)
    found = lookup.reindex(keys)
    df["model"] = found["model"].to_numpy()
    df["model"] = df["model"].replace("", pd.NA).astype("string")
    df["price_rule"] = pd.Series(found["price_rule"].to_numpy(), dtype="string")
    region = df["region"].fillna(pd.Series(found["_region"].to_numpy(), dtype="string"))
    df["region"] = region.replace("", pd.NA).str.lower()
    reason = pd.Series(found["_reason"].to_numpy(), dtype="string")

    rates = book.rate_frame(m for m in df["model"].dropna().unique())
    for col in ("model", "service_tier"):
        df[col] = df[col].astype("string")
    if rates.empty:
        merged = df.copy()
        for f in RATE_FIELDS:
            merged[f"rate_{f}"] = np.nan
            merged[f"lc_{f}"] = np.nan
        merged["lc_threshold"] = np.nan
        merged["lc_missing"] = False
        merged["extra_web_search_request"] = np.nan
        merged["_multiplier"] = 1.0
    else:
        regions = [r for r in df["region"].dropna().unique()]
        rates["_multiplier"] = 1.0
        for r in regions:
            rates[f"_region_{r}"] = rates["price_regions"].map(lambda d, r=r: d.get(r, 1.0))
        rates = rates.drop(columns=["price_regions"])
        rates["model"] = rates["model"].astype("string")
        rates["service_tier"] = rates["service_tier"].astype("string")
        left = df.assign(_model_key=df["model"].fillna(""))
        left = left.sort_values("timestamp", kind="stable")
        right = rates.rename(columns={"model": "_model_key"})
        right["_model_key"] = right["_model_key"].astype(object)
        left["_model_key"] = left["_model_key"].astype(object)
        left["_tier_key"] = left["service_tier"].fillna("").astype(object)
        right = right.rename(columns={"service_tier": "_tier_key"})
        right["_tier_key"] = right["_tier_key"].astype(object)
        merged = pd.merge_asof(left, right, left_on="timestamp", right_on="effective",
                               by=["_model_key", "_tier_key"], direction="backward")
        merged = merged.sort_values("_row").reset_index(drop=True)
        mult = np.ones(n)
        for r in regions:
            mask = (merged["region"] == r).fillna(False).to_numpy(dtype=bool)
            mult = np.where(mask, merged[f"_region_{r}"].fillna(1.0).to_numpy(), mult)
        merged["_multiplier"] = mult

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
    lc_missing = over & merged["lc_missing"].fillna(False).to_numpy(dtype=bool)

    def rate(field: str) -> np.ndarray:
        base = merged[f"rate_{field}"].to_numpy(dtype="float64")
        lc = merged[f"lc_{field}"].to_numpy(dtype="float64")
        return np.where(long_ctx, lc, base)

    cache_read = merged["cache_read_tokens"].to_numpy(dtype="float64")
    write_5m = merged["cache_write_5m_tokens"].to_numpy(dtype="float64")
    write_1h = merged["cache_write_1h_tokens"].to_numpy(dtype="float64")
    uncached = inp - cache_read - write_5m - write_1h
    m = merged["_multiplier"].to_numpy(dtype="float64") / PER_MILLION
    costs = {
        "cost_input": uncached * rate("input") * m,
        "cost_cache_read": cache_read * rate("cache_read") * m,
        "cost_cache_write": (write_5m * rate("cache_write_5m") + write_1h * rate("cache_write_1h"))
        * m,
        "cost_output": merged["output_tokens"].to_numpy(dtype="float64") * rate("output") * m,
    }
    searches = merged["web_search_requests"].to_numpy(dtype="float64")
    search_rate = merged["extra_web_search_request"].to_numpy(dtype="float64")
    extras = np.where(searches > 0, searches * search_rate * m * PER_MILLION, 0.0)
    costs["cost_extras"] = extras
    no_rate = np.isnan(merged["rate_input"].to_numpy(dtype="float64"))
    missing_extra = (searches > 0) & np.isnan(search_rate)
    unpriced = no_rate | lc_missing | missing_extra
    reason = reason.mask(reason == "", pd.NA)
    tier_reason = ("no " + merged["service_tier"].fillna("?") + " price for "
                   + merged["model"].fillna("?"))
    reason = reason.fillna(tier_reason.where(pd.Series(no_rate)))
    for mask, why in ((lc_missing, "no long-context price for this tier"),
                      (missing_extra, "no web search price")):
        reason = reason.fillna(pd.Series(np.where(mask, why, ""), dtype="string").replace(
            "", pd.NA))
    out = df.drop(columns=["_row"])
    for name, values in costs.items():
        out[name] = np.where(unpriced, np.nan, values)
    out["cost_total"] = out[list(costs)].sum(axis=1, min_count=1).where(~unpriced)
    out["priced"] = ~unpriced
    out["unpriced_reason"] = reason.where(pd.Series(unpriced)).astype("string")
    out["long_context"] = long_ctx
    out.attrs["pricing"] = book.provenance
    return out
