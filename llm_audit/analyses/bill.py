"""`bill`: what the providers billed, line by line, reconciled with list prices, and what to save.

Input rows come from ``ingest.billing`` readers: *usage* rows (tokens, priced by our engine)
and *cost* rows (amounts the provider billed per model and token kind). Every cost figure is
computed by ``pricing.engine.price``, and usage is priced once: the cache what-ifs re-apply the
unit rates the engine returned to the moved tokens, and the other what-ifs (a cheaper model,
the batch tier) price usage summed over what pricing does not look at, in one call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest.base import Reader, Source, open_sources, pick_reader
from llm_audit.ingest.billing._cloud import NOT_INTERPRETED
from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.tables import Provenance

if TYPE_CHECKING:
    import pandas as pd

DAYS_PER_MONTH = 30  # monthly figures scale the period's daily average by 30 days
GAP_TOLERANCE = 0.01  # reconciliation explains every gap above 1%
GROUP_KEYS = (
    "model",
    "kind",
    "day",
    "provider",
    "service_tier",
    "project",
    "workspace",
    "api_key",
    "user",
)
Row = Mapping[str, object]


@dataclass(frozen=True)
class BillOptions:
    since: dt.date | None = None
    until: dt.date | None = None
    timezone: str = "UTC"
    users: int | None = None
    group_by: tuple[str, ...] = ()
    explain: bool = False
    target_cache_hit: float = 0.8
    anomaly_factor: float = 2.0
    short_output_tokens: int = 300


@dataclass(frozen=True)
class Saving:
    lever: str
    usd_per_month: float
    assumption: str


@dataclass(frozen=True)
class BillResult:
    inputs: tuple[tuple[str, str, int], ...]  # (source, reader, rows)
    first_day: str | None
    last_day: str | None
    days: int
    timezone: str
    computed_usd: float  # priced usage at list prices
    usage_rows: int  # rows with token counts (0: only cost files were given)
    billed_usd: float | None  # sum of cost rows, when there are any
    spend_usd: float
    spend_basis: str
    requests: int
    requests_in_spend: int  # the requests the spend covers (unpriced ones are not in it)
    users: int | None
    users_basis: str
    run_rate_daily: float
    forecast_month: str | None
    forecast_usd: float | None
    unpriced: tuple[Row, ...]
    unpriced_share: float
    explain: tuple[Row, ...]
    breakdowns: tuple[tuple[str, tuple[Row, ...]], ...]
    reconciliation: tuple[Row, ...]
    cache: Row
    anomalies: tuple[Row, ...]
    savings: tuple[Saving, ...]
    savings_combined: float | None  # every lever at once, per month: they overlap
    skipped: tuple[str, ...]
    notes: tuple[str, ...]
    pricing: Provenance

    @property
    def cost_per_request(self) -> float | None:
        return self.spend_usd / self.requests_in_spend if self.requests_in_spend else None

    @property
    def cost_per_user_month(self) -> float | None:
        if not self.users or not self.days:
            return None
        return self.spend_usd / self.days * DAYS_PER_MONTH / self.users


# -- loading --------------------------------------------------------------------------------


def load(
    specs: Sequence[str], readers: Sequence[Reader], forced: str | None = None
) -> tuple[pd.DataFrame, tuple[tuple[str, str, int], ...]]:
    """Read every source with its detected (or forced) reader into one table."""
    import pandas as pd

    from llm_audit.usage.schema import empty

    frames: list[pd.DataFrame] = []
    seen: list[tuple[str, str, int]] = []
    sources: list[Source | None] = list(open_sources(specs, lazy=True))
    for i, source in enumerate(sources):
        if source is None:
            continue
        sources[i] = None  # out of the list: a large export's text is freed once it is read
        if source.is_blank():  # no copy of a large text
            raise InputError(
                "empty file: no header and no rows",
                path=source.name,
                line=1,
                hint="re-export it; an export always has at least a header line",
            )
        reader = pick_reader(source, readers, forced)
        frame = reader.read(source)
        if "row_role" not in frame.columns:
            frame["row_role"] = "usage"
        seen.append((source.name, reader.name, len(frame)))
        frames.append(frame)
        del source
    skipped = [str(s) for f in frames for s in f.attrs.get("skipped", ())]
    frames = [f for f in frames if len(f)]
    if not frames:
        table = empty().assign(row_role=pd.Series(dtype="string"))
    else:
        for f in frames:
            f.attrs.clear()  # concat cannot merge differing attrs; skipped rows kept below
        table = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    table.attrs["skipped"] = skipped
    return table, tuple(seen)


# -- per-kind costs --------------------------------------------------------------------------

# Each token kind: (quantity column, cost column) on a priced usage table (see _priced_usage).
KINDS = ("input", "cache_read", "cache_write_5m", "cache_write_1h", "output", "web_search")
_COST_OF = {
    "input": "cost_input",
    "cache_read": "cost_cache_read",
    "cache_write_5m": "cost_cache_write_5m",
    "cache_write_1h": "cost_cache_write_1h",
    "output": "cost_output",
    "web_search": "cost_extras",
}
_UNIT_OF = {k: "unit_" + ("web_search" if k == "web_search" else k) for k in KINDS}


def _priced_usage(usage: pd.DataFrame, book: PriceBook) -> pd.DataFrame:
    """Usage rows priced once, with a quantity column ``q_<kind>`` per token kind."""
    from llm_audit.pricing.engine import price

    out = price(usage, book, rates=True)
    out.attrs = {}  # see analyze: attrs are deep-copied by every pandas operation
    for col in ("_i", "day", "row_role", "token_kind", "line_item"):
        if col in usage.columns:
            out[col] = usage[col].array  # positional, dtype kept (no object round trip)
    out["q_input"] = (
        out["input_tokens"]
        - out["cache_read_tokens"]
        - out["cache_write_5m_tokens"]
        - out["cache_write_1h_tokens"]
    )
    for kind, col in (
        ("cache_read", "cache_read_tokens"),
        ("cache_write_5m", "cache_write_5m_tokens"),
        ("cache_write_1h", "cache_write_1h_tokens"),
        ("output", "output_tokens"),
        ("web_search", "web_search_requests"),
    ):
        out[f"q_{kind}"] = out[col]
    out["q_all"] = out["input_tokens"] + out["output_tokens"] + out["web_search_requests"]
    out["model_key"] = out["model"].fillna(out["model_raw"])
    return out


def by_kind(pu: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Quantity and computed cost per group of ``keys`` and token kind (long format).

    Groups are summed before they are split by kind, so a million usage rows make a few
    hundred lines, not six million."""
    import pandas as pd

    cols = [f"q_{k}" for k in KINDS] + [_COST_OF[k] for k in KINDS]
    if keys:
        g = pu.groupby(list(keys), dropna=False, sort=False)[cols].sum(min_count=1)
    else:
        g = pu[cols].sum(min_count=1).to_frame().T
    parts = []
    for kind in KINDS:
        part = g[[f"q_{kind}", _COST_OF[kind]]].rename(
            columns={f"q_{kind}": "quantity", _COST_OF[kind]: "computed_usd"}
        )
        part = part[part["quantity"] > 0]
        parts.append(part.assign(kind=kind))
    out = pd.concat(parts).reset_index() if keys else pd.concat(parts, ignore_index=True)
    out["quantity"] = out["quantity"].astype("float64")
    return out[[*keys, "kind", "quantity", "computed_usd"]]


def _days(ts: pd.Series, tz: str) -> tuple[pd.Series, Any]:
    """Local calendar day of every timestamp, as text and as numpy days (for filtering)."""
    import pandas as pd
    import pyarrow as pa

    try:
        local = ts.dt.tz_convert(tz)
    except Exception as e:  # pytz/zoneinfo raise their own types; translate once, here
        raise InputError(
            f"unknown --timezone {tz!r}", hint="an IANA name such as Europe/Paris or UTC"
        ) from e
    d64 = local.dt.tz_localize(None).to_numpy().astype("datetime64[D]")
    # Format each distinct day once (strftime on a million timestamps takes seconds) and
    # spread the labels by one Arrow take (hashing, not sorting, a million days).
    codes, uniq = pd.factorize(d64.view("int64"))
    labels = pa.array([str(u) for u in uniq.astype("datetime64[D]")], type=pa.large_string())
    taken = labels.take(pa.array(codes.astype("int64")))
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=ts.index, dtype="string"), d64


# -- the analysis ---------------------------------------------------------------------------


def analyze(
    table: pd.DataFrame,
    book: PriceBook,
    opts: BillOptions,
    inputs: tuple[tuple[str, str, int], ...] = (),
) -> BillResult:
    import numpy as np
    import pandas as pd

    from llm_audit.pricing.engine import resolve_models

    for key in opts.group_by:
        if key not in GROUP_KEYS:
            raise InputError(
                f"--group-by {key!r} is not a key", hint="one or more of " + ", ".join(GROUP_KEYS)
            )
    skipped = tuple(str(s) for s in table.attrs.get("skipped", ()))
    day, d64 = _days(table["timestamp"], opts.timezone)
    keep = np.ones(len(table), dtype=bool)
    if opts.since is not None:
        keep &= d64 >= np.datetime64(opts.since.isoformat(), "D")
    if opts.until is not None:
        keep &= d64 <= np.datetime64(opts.until.isoformat(), "D")
    df = table.assign(day=day)
    # pandas deep-copies attrs on every operation: with the skipped list and the price
    # provenance in them, that was half the run time on a large bill.
    df.attrs = {}
    if not keep.all():
        df = df[keep].reset_index(drop=True)
    df["_i"] = np.arange(len(df))
    role = (
        df["row_role"].fillna("usage")
        if "row_role" in df.columns
        else pd.Series("usage", index=df.index)
    )
    is_cost = (role == "cost").to_numpy(dtype=bool)
    usage = df[~is_cost].reset_index(drop=True) if is_cost.any() else df
    pu = _priced_usage(usage, book) if len(usage) else None
    pc: pd.DataFrame | None = None
    if is_cost.any():
        # A cost export only: the rows as they are (a filter copied every column).
        pc = df.copy(deep=False) if is_cost.all() else df[is_cost].reset_index(drop=True)
        # Cost rows carry an amount, not tokens: only their model needs resolving.
        pc["model"] = resolve_models(pc, book).array
        pc["token_kind"] = pc["token_kind"].fillna("other")
        pc["model_key"] = pc["model"].fillna(pc["model_raw"])

    days_all = sorted(set(df["day"].unique()))
    first, last = (days_all[0], days_all[-1]) if days_all else (None, None)
    ndays = (
        (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
        if first and last
        else 0
    )

    computed = float(pu["cost_total"].sum()) if pu is not None else 0.0
    billed = float(pc["billed_usd"].sum()) if pc is not None else None
    billed_by_prov = pc.groupby("provider")["billed_usd"].sum() if pc is not None else None
    computed_by_prov = pu.groupby("provider")["cost_total"].sum() if pu is not None else None
    spend = 0.0
    basis_parts = []
    for prov in sorted(set(df["provider"].dropna().unique())):
        if billed_by_prov is not None and prov in billed_by_prov.index:
            spend += float(billed_by_prov[prov])
            basis_parts.append(f"{prov}: billed")
        elif computed_by_prov is not None:
            spend += float(computed_by_prov.get(prov, 0.0))
            basis_parts.append(f"{prov}: list prices")
    billed_providers = set(billed_by_prov.index) if billed_by_prov is not None else set()
    requests = int(usage["requests"].sum()) if len(usage) else 0
    # Cost per request divides the spend by the requests it covers: where the spend is at list
    # prices, an unpriced model's requests are not in it.
    requests_in_spend = requests
    if pu is not None and len(pu):
        billed_prov = pu["provider"].isin(billed_providers).to_numpy(dtype=bool)
        covered = billed_prov | pu["priced"].astype(bool).to_numpy(dtype=bool)
        requests_in_spend = int(pu["requests"].to_numpy()[covered].sum())

    users: int | None = opts.users
    users_basis = "--users"
    if users is None and len(usage):
        for col, what in (("user", "distinct users"), ("api_key", "distinct API keys")):
            if col in usage.columns and usage[col].notna().any():
                users = int(usage[col].nunique())
                users_basis = f"{what} in the export"
                break
    if users is None:
        users_basis = "unknown (pass --users N)"

    run_rate = spend / ndays if ndays else 0.0
    forecast_month, forecast = None, None
    if last:
        last_d = dt.date.fromisoformat(last)
        month_start = last_d.replace(day=1)
        nxt = (month_start + dt.timedelta(days=32)).replace(day=1)
        month_days = (nxt - month_start).days
        in_month = month_start.isoformat()[:7]
        month_spend = _spend_in(df, pu, pc, billed_providers, in_month)
        elapsed = (last_d - max(month_start, dt.date.fromisoformat(first or last))).days + 1
        rate = month_spend / elapsed if elapsed else 0.0
        forecast_month = in_month
        forecast = month_spend + rate * (month_days - last_d.day)

    unpriced_rows: list[Row] = []
    share = 0.0
    if pu is not None and bool((~pu["priced"]).any()):
        tokens_all = float((pu["input_tokens"] + pu["output_tokens"]).sum())
        un = pu[~pu["priced"]]
        for (prov, raw, reason), g in un.groupby(
            ["provider", "model_raw", "unpriced_reason"], dropna=False
        ):
            tok = float((g["input_tokens"] + g["output_tokens"]).sum())
            unpriced_rows.append(
                {
                    "provider": prov,
                    "model": raw,
                    "reason": reason,
                    "requests": int(g["requests"].sum()),
                    "input_tokens": int(g["input_tokens"].sum()),
                    "output_tokens": int(g["output_tokens"].sum()),
                    "token_share": tok / tokens_all if tokens_all else 0.0,
                }
            )
        share = sum(float(str(r["token_share"])) for r in unpriced_rows)

    explain = _explain(pu, pc) if opts.explain else ()
    breakdowns = _breakdowns(pu, pc, opts.group_by)
    recon = _reconcile(usage, pu, pc, book) if pu is not None and pc is not None else ()
    cache = _cache(pu, opts.target_cache_hit) if pu is not None else {}
    anomalies = _anomalies(pu, opts.anomaly_factor) if pu is not None else ()
    savings, combined = (
        _savings(usage, pu, book, opts, ndays, cache) if pu is not None else ((), None)
    )
    notes: list[str] = []
    if len(usage) and requests == 0:
        notes.append(
            "the usage export has no request counts: cost per request and the "
            "unit-cost anomaly check need them"
        )
    return BillResult(
        inputs=inputs,
        first_day=first,
        last_day=last,
        days=ndays,
        timezone=opts.timezone,
        computed_usd=computed,
        usage_rows=len(usage),
        billed_usd=billed,
        spend_usd=spend,
        spend_basis="; ".join(basis_parts) or "no rows",
        requests=requests,
        requests_in_spend=requests_in_spend,
        users=users,
        users_basis=users_basis,
        run_rate_daily=run_rate,
        forecast_month=forecast_month,
        forecast_usd=forecast,
        unpriced=tuple(unpriced_rows),
        unpriced_share=share,
        explain=explain,
        breakdowns=breakdowns,
        reconciliation=recon,
        cache=cache,
        anomalies=anomalies,
        savings=savings,
        savings_combined=combined,
        skipped=skipped,
        notes=tuple(notes),
        pricing=book.provenance,
    )


def _spend_in(
    df: pd.DataFrame,
    pu: pd.DataFrame | None,
    pc: pd.DataFrame | None,
    billed_providers: set[str],
    month: str,
) -> float:
    total = 0.0
    if pc is not None:
        total += float(pc.loc[pc["day"].str.startswith(month), "billed_usd"].sum())
    if pu is not None:
        own = ~pu["provider"].isin(list(billed_providers)) & pu["day"].str.startswith(month)
        total += float(pu.loc[own.to_numpy(dtype=bool), "cost_total"].sum())
    return total


def _records(frame: pd.DataFrame) -> tuple[Row, ...]:
    import pandas as pd

    out = []
    for rec in frame.to_dict("records"):
        out.append(
            {
                str(k): (None if not isinstance(v, str | bool) and pd.isna(v) else v)
                for k, v in rec.items()
            }
        )
    return tuple(out)


_EXPLAIN_COLS = [
    "where",
    "day",
    "provider",
    "model_raw",
    "model",
    "kind",
    "service_tier",
    "context_tier",
    "quantity",
    "unit_price",
    "computed_usd",
    "billed_usd",
    "difference_usd",
    "matched",
]
# Dimensions a cost line can be matched with usage on, when both files carry them.
_MATCH_DIMS = (
    "workspace",
    "api_key",
    "project",
    "user",
    "service_tier",
    "context_tier",
    "region",
    "speed",
)


def _usage_lines(pu: pd.DataFrame) -> pd.DataFrame:
    """Every usage row split by token kind, with its unit price and computed cost."""
    import numpy as np
    import pandas as pd

    where = pu["source_file"].astype("string") + ":" + pu["source_line"].astype("string")
    # The tier the engine priced at (a bucket judged by its mean request), else as exported.
    long = pu["long_context"].fillna(False).to_numpy(dtype=bool)
    context = pd.Series(np.where(long, "long", "standard"), index=pu.index, dtype="string")
    context = context.where(pu["priced"].to_numpy(dtype=bool), pu["context_tier"])
    parts = []
    for kind in KINDS:
        mask = (pu[f"q_{kind}"] > 0).to_numpy(dtype=bool)
        if not mask.any():
            continue
        sub = pu.loc[mask]
        part = pd.DataFrame(
            {
                "_i": sub["_i"].to_numpy(),
                "where": where[mask].to_numpy(),
                "source_file": sub["source_file"].to_numpy(),
                "source_line": sub["source_line"].to_numpy(),
                "day": sub["day"].to_numpy(),
                "provider": sub["provider"].to_numpy(),
                "model_raw": sub["model_raw"].to_numpy(),
                "model": sub["model"].to_numpy(),
                "model_key": sub["model_key"].to_numpy(),
                "kind": kind,
                "service_tier": sub["service_tier"].to_numpy(),
                "context_tier": context[mask].to_numpy(),
                "quantity": sub[f"q_{kind}"].to_numpy(dtype="float64"),
                "unit_price": sub[_UNIT_OF[kind]].to_numpy(dtype="float64"),
                "computed_usd": sub[_COST_OF[kind]].to_numpy(dtype="float64"),
                **{d: sub[d].to_numpy() for d in _MATCH_DIMS if d in sub.columns},
            }
        )
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["_i", "kind", "quantity", "computed_usd"])
    return pd.concat(parts, ignore_index=True)


def _explain(pu: pd.DataFrame | None, pc: pd.DataFrame | None) -> tuple[Row, ...]:
    """The bill line by line. A cost line (the export's billed amount) shows the usage it
    covers: its own quantity where the line has one (cloud billing rows carry both, so they
    pair by file:line), else the usage lines of the same day, model, kind and whatever else
    both files name (workspace, API key, project, tier...). Usage lines no cost line covers
    follow, without a billed amount."""
    import numpy as np
    import pandas as pd

    lines = _usage_lines(pu) if pu is not None and len(pu) else None
    out = []
    used = np.zeros(0 if lines is None else len(lines), dtype=bool)
    if pc is not None and len(pc):
        c = pc.assign(
            where=pc["source_file"].astype("string") + ":" + pc["source_line"].astype("string"),
            kind=pc["token_kind"],
            _c=np.arange(len(pc)),
        )
        computed = np.full(len(c), np.nan)
        quantity = np.full(len(c), np.nan)
        matched = np.array(["no usage line"] * len(c), dtype=object)
        if lines is not None and len(lines):
            lines = lines.assign(_l=np.arange(len(lines)))
            # 1. Same file and line: a cloud billing row read as a usage and a cost row.
            pair = c.merge(lines, on=["source_file", "source_line", "kind"], suffixes=("", "_u"))
            if len(pair):
                ci = pair["_c"].to_numpy()
                computed[ci] = pair["computed_usd"].to_numpy(dtype="float64")
                quantity[ci] = pair["quantity_u" if "quantity_u" in pair else "quantity"]
                matched[ci] = "same line"
                used[pair["_l"].to_numpy()] = True
            # 2. The rest by day, provider, model, kind and the dimensions both sides name.
            rest_c = c[matched == "no usage line"]
            rest_l = lines[~used]
            if len(rest_c) and len(rest_l):
                dims = [
                    d
                    for d in _MATCH_DIMS
                    if d in rest_c.columns
                    and d in rest_l.columns
                    and rest_c[d].notna().all()
                    and rest_l[d].notna().all()
                ]
                keys = ["day", "provider", "model_key", "kind", *dims]
                lk = rest_l.assign(**{k: rest_l[k].astype("string") for k in keys})
                ck = rest_c.assign(**{k: rest_c[k].astype("string") for k in keys})
                grouped = lk.groupby(keys, dropna=False).agg(
                    computed_usd=("computed_usd", lambda s: s.sum(min_count=1)),
                    quantity=("quantity", "sum"),
                    n=("_l", "size"),
                )
                hit = ck[[*keys, "_c", "billed_usd"]].merge(
                    grouped.reset_index(), on=keys, how="inner"
                )
                if len(hit):
                    # Several cost lines on one key share its usage in proportion to billed.
                    per_key = hit.groupby(keys, dropna=False)["billed_usd"].transform("sum")
                    count = hit.groupby(keys, dropna=False)["_c"].transform("size")
                    share = np.where(
                        per_key != 0, hit["billed_usd"] / per_key.replace(0, np.nan), 1.0 / count
                    )
                    ci = hit["_c"].to_numpy()
                    computed[ci] = hit["computed_usd"].to_numpy(dtype="float64") * share
                    quantity[ci] = hit["quantity"].to_numpy(dtype="float64") * share
                    matched[ci] = [
                        f"{n} usage line(s)" + (f", shared by {k} cost lines" if k > 1 else "")
                        for n, k in zip(hit["n"], count, strict=True)
                    ]
                    hit_keys = hit[keys].drop_duplicates().assign(_hit=True)
                    back = lk[[*keys, "_l"]].merge(hit_keys, on=keys, how="inner")
                    used[back["_l"].to_numpy()] = True
        # A cost line no usage line covers: we computed nothing for it (the gap is all billed).
        computed = np.where(matched == "no usage line", 0.0, computed)
        own_q = c["quantity"].to_numpy(dtype="float64") if "quantity" in c else quantity
        quantity = np.where(np.isnan(quantity), own_q, quantity)
        c = c.assign(
            computed_usd=computed,
            quantity=quantity,
            matched=matched,
            # rounded to 1e-10 $ (as JSON money is) so float noise does not print as -$0.00
            difference_usd=np.round(c["billed_usd"].to_numpy(dtype="float64") - computed, 10) + 0.0,
        )
        c["unit_price"] = (
            np.where(c["kind"] == "web_search", 1.0, 1_000_000.0)
            * c["computed_usd"]
            / c["quantity"].where(c["quantity"] > 0)
        )
        out.append(c.reindex(columns=_EXPLAIN_COLS))
    if lines is not None and len(lines):
        u = lines[~used] if len(used) else lines
        u = u.assign(billed_usd=np.nan, difference_usd=np.nan, matched="no cost line")
        if pc is None:
            u = u.assign(matched="usage export: no billed amount")
        out.append(u.reindex(columns=_EXPLAIN_COLS))
    if not out:
        return ()
    return _records(pd.concat(out, ignore_index=True))


def _totals_by(pu: pd.DataFrame, col: str, name: str) -> pd.DataFrame:
    """``pu.groupby(col, dropna=False, sort=False).agg(quantity=("q_all", "sum"),
    computed_usd=("cost_total", lambda s: s.sum(min_count=1)))`` with the index named
    ``name``, without a Python call per group through pandas: each group's costs are summed
    as ``Series.sum`` sums them (NaN as 0, numpy's pairwise sum, over the group's rows in
    order; NaN when none is priced), so the figures are the same to the last bit."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(pu[col], use_na_sentinel=False)
    # numpy's stable sort of 16-bit integers is a radix sort: ~5x faster than of int64
    narrow = codes.astype(np.uint16) if len(uniques) < 2**16 else codes
    order = np.argsort(narrow, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    ends = np.r_[starts[1:], len(order)]
    quantity = np.add.reduceat(pu["q_all"].to_numpy(dtype=np.int64)[order], starts)
    cost = pu["cost_total"].to_numpy(dtype="float64")[order]
    missing = np.isnan(cost)
    filled = np.where(missing, 0.0, cost)
    priced = np.add.reduceat((~missing).astype(np.int64), starts)
    computed = np.array(
        [filled[a:b].sum() if k else np.nan for a, b, k in zip(starts, ends, priced, strict=True)],
        dtype="float64",
    )
    index = pd.Index(uniques.take(codes[order][starts]), name=name)
    return pd.DataFrame({"quantity": quantity, "computed_usd": computed}, index=index)


def _breakdowns(
    pu: pd.DataFrame | None, pc: pd.DataFrame | None, group_by: tuple[str, ...]
) -> tuple[tuple[str, tuple[Row, ...]], ...]:
    import pandas as pd

    keys: list[tuple[str, ...]] = (
        [tuple(group_by)] if group_by else [("model",), ("kind",), ("day",)]
    )
    if not group_by and pu is not None:
        for k in ("project", "workspace", "api_key", "user"):
            if k in pu.columns and pu[k].notna().any():
                keys.append((k,))
    out = []
    for key in keys:
        frames = []
        if pu is not None and len(pu):
            cols = ["model_key" if k == "model" else k for k in key if k != "kind"]
            if all(k in pu.columns for k in cols):
                if "kind" in key:
                    long = by_kind(pu, cols).rename(columns={"model_key": "model"})
                    g = long.set_index(list(key))[["quantity", "computed_usd"]]
                elif len(cols) == 1:
                    g = _totals_by(pu, cols[0], key[0])
                else:
                    g = pu.groupby(cols, dropna=False, sort=False).agg(
                        quantity=("q_all", "sum"),
                        computed_usd=("cost_total", lambda s: s.sum(min_count=1)),
                    )
                    g.index = g.index.set_names(list(key))
                frames.append(g)
        if pc is not None and len(pc):
            c = pc.assign(model=pc["model_key"], kind=pc["token_kind"])
            # A cost file that does not name this dimension (OpenAI costs have no user) has
            # nothing to say per user: no billed column rather than one "—" row of everything.
            if all(k in c.columns and c[k].notna().any() for k in key):
                frames.append(
                    c.groupby(list(key), dropna=False).agg(billed_usd=("billed_usd", "sum"))
                )
        if not frames:
            continue
        table = pd.concat(frames, axis=1).reset_index()
        if "billed_usd" in table.columns and "quantity" in table.columns:
            # Billed with no usage in the group: we computed $0 for it, not "unpriced".
            none = table["quantity"].isna()
            table.loc[none, "quantity"] = 0.0
            table.loc[none, "computed_usd"] = 0.0
            if "model" in table.columns:
                # Billed rows we could not read: no computed price, never $0.
                unread = (table["model"] == NOT_INTERPRETED).to_numpy(dtype=bool)
                table.loc[unread, "computed_usd"] = None
        sort = "billed_usd" if "billed_usd" in table.columns else "computed_usd"
        if key == ("day",):
            table = table.sort_values("day")
        else:
            table = table.sort_values(
                [sort, *key], ascending=[False] + [True] * len(key), na_position="first"
            )
        out.append((",".join(key), _records(table)))
    return tuple(out)


def _reconcile(
    usage: pd.DataFrame, pu: pd.DataFrame, pc: pd.DataFrame, book: PriceBook
) -> tuple[Row, ...]:
    """Computed vs billed per provider, model and token kind, on the days both cover."""
    import pandas as pd

    rows: list[Row] = []
    for prov in sorted(set(pu["provider"].dropna()) & set(pc["provider"].dropna())):
        u = pu[(pu["provider"] == prov).to_numpy(dtype=bool)]
        lc = pc[(pc["provider"] == prov).to_numpy(dtype=bool)]
        days = set(u["day"]) & set(lc["day"])
        if not days:
            continue
        u = u[u["day"].isin(days).to_numpy(dtype=bool)]
        lc = lc[lc["day"].isin(days).to_numpy(dtype=bool)]
        comp = by_kind(u, ["model_key"]).set_index(["model_key", "kind"])
        bill = lc.groupby(["model_key", "token_kind"])["billed_usd"].sum()
        bill.index = bill.index.set_names(["model_key", "kind"])
        both = pd.concat([comp, bill], axis=1).reset_index()
        both = both.sort_values(["model_key", "kind"], kind="stable")
        for rec in both.to_dict("records"):
            c = rec["computed_usd"]
            b = rec["billed_usd"]
            if pd.isna(rec["quantity"]):
                c = 0.0  # billed, but no usage line of this model and kind at all
            if rec["model_key"] == NOT_INTERPRETED:
                c = None  # billed rows we could not read: no computed price, never $0
            c_v = None if pd.isna(c) else float(c)
            b_v = 0.0 if pd.isna(b) else float(b)
            diff = None if c_v is None else round(b_v - c_v, 10) + 0.0
            base = max(abs(b_v), abs(c_v or 0.0))
            gap = diff is not None and base > 0 and abs(diff) > GAP_TOLERANCE * base
            why = ""
            if rec["model_key"] == NOT_INTERPRETED:
                why = "rows not interpreted: see skipped rows"
            elif c_v is None:
                why = "unpriced model: no list price to compare with"
            elif gap and b_v < 0:
                why = "credits or refunds: a negative billed amount"
            elif gap and rec["kind"] == "other":
                why = "billed for something that is not tokens (storage, tax, fees...)"
            elif gap and pd.isna(rec["quantity"]):
                why = "billed with no matching usage in the usage file"
            elif gap:
                kind = str(rec["kind"])
                mask = (u["model_key"] == rec["model_key"]) & (u[f"q_{kind}"] > 0)
                sub = usage[usage["_i"].isin(u.loc[mask.to_numpy(dtype=bool), "_i"])]
                why = _explain_gap(sub, kind, c_v, b_v, pd.isna(b), book)
            rows.append(
                {
                    "provider": prov,
                    "model": rec["model_key"],
                    "kind": rec["kind"],
                    "quantity": None if pd.isna(rec["quantity"]) else rec["quantity"],
                    "computed_usd": c_v,
                    "billed_usd": None if pd.isna(b) else b_v,
                    "difference_usd": diff,
                    "difference_pct": (diff / c_v) if diff is not None and c_v else None,
                    "status": "unpriced" if c_v is None else ("gap" if gap else "ok"),
                    "explanation": why,
                    "days": f"{min(days)}..{max(days)}",
                }
            )
    return tuple(rows)


def _explain_gap(
    sub: pd.DataFrame,
    kind: str,
    computed: float,
    billed: float,
    no_cost_line: bool,
    book: PriceBook,
) -> str:
    """Name the price difference that turns our figure into the billed one, by re-pricing."""
    if no_cost_line:
        return (
            "usage with no cost line: the cost file leaves it out (Anthropic Priority Tier "
            "and blocked requests never appear in its cost report) or covers other rows"
        )
    if computed == 0 and not len(sub):
        return "billed with no matching usage in the usage file"
    if billed < 0:
        return "credits or refunds: a negative billed amount"
    variants: list[tuple[str, dict[str, Any]]] = [
        (
            "billed at the batch rate (50% off), the usage says another tier",
            {"service_tier": "batch"},
        ),
        (
            "billed at the standard rate, the usage says batch/flex/priority",
            {"service_tier": "standard"},
        ),
        ("billed at the priority rate", {"service_tier": "priority"}),
        ("billed at the flex rate", {"service_tier": "flex"}),
        ("billed at the long-context (>200k) rate", {"context_tier": "long"}),
        ("billed at the short-context rate, the usage says long", {"context_tier": "standard"}),
        ("regional / data-residency uplift (us inference_geo, 1.1x)", {"region": "us"}),
        ("billed at the fast-mode rate (speed: fast)", {"speed": "fast"}),
    ]
    if kind == "cache_write_5m":
        variants.insert(0, ("5m cache writes billed at the 1h rate", {"_swap": "to1h"}))
    if kind == "cache_write_1h":
        variants.insert(0, ("1h cache writes billed at the 5m rate", {"_swap": "to5m"}))
    for label, change in variants:
        alt = sub.drop(columns=[c for c in ("_i",) if c in sub.columns]).copy()
        for col, val in change.items():
            if col == "_swap":
                a, b = (
                    ("cache_write_5m_tokens", "cache_write_1h_tokens")
                    if val == "to1h"
                    else ("cache_write_1h_tokens", "cache_write_5m_tokens")
                )
                alt[b] = alt[b] + alt[a]
                alt[a] = 0
            else:
                alt[col] = val
        value = _kind_total(alt, kind, book, swapped=change.get("_swap"))
        if value is not None and change.get("_swap"):
            # Only the moved tokens count: the other cache-write kind has its own line.
            before = _kind_total(sub.drop(columns=["_i"]), kind, book, swapped=change.get("_swap"))
            value = None if before is None else value - before
        if value is not None and abs(value - billed) <= GAP_TOLERANCE * max(abs(billed), 1e-12):
            return label
    ratio = billed / computed if computed else float("inf")
    return (
        f"unexplained: billed is {ratio:.3f}x our list-price figure (a negotiated price, "
        "credits, a price change not in the tables, or rows missing from one file)"
    )


def _kind_total(alt: pd.DataFrame, kind: str, book: PriceBook, swapped: object) -> float | None:
    from llm_audit.pricing.engine import price

    if not len(alt):
        return None
    target = kind
    if swapped == "to1h":
        target = "cache_write_1h"
    elif swapped == "to5m":
        target = "cache_write_5m"
    sel = price(alt, book)[_COST_OF[target]]
    return None if sel.isna().any() else float(sel.sum())


def _priced_only(pu: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The priced rows, only ``columns`` (filtering all ~50 columns of a large table costs)."""
    ok = pu["priced"].to_numpy(dtype=bool)
    narrow = pu[list(dict.fromkeys(columns))]
    return narrow if ok.all() else narrow[ok]


def _cache_gain(pu: pd.DataFrame) -> pd.Series:
    """USD saved per token read from the cache instead of sent uncached, per row."""
    return (pu["unit_input"] - pu["unit_cache_read"]) / 1_000_000


def _at_hit_rate(pu: pd.DataFrame, target: float) -> pd.Series:
    """Cache-read tokens per row at a target hit rate (never fewer than now; writes kept)."""
    writes = pu["cache_write_5m_tokens"] + pu["cache_write_1h_tokens"]
    room = pu["input_tokens"] - writes
    want = (pu["input_tokens"] * target).round().clip(upper=room)
    return want.where(want > pu["cache_read_tokens"], pu["cache_read_tokens"])


def _cache(pu: pd.DataFrame, target: float) -> Row:
    """Hit rate, what caching saved and the bill at ``target``: the rows' own unit rates,
    re-applied to moved tokens (the same arithmetic as pricing again, without doing it)."""
    total_in = float(pu["input_tokens"].sum())
    read = float(pu["cache_read_tokens"].sum())
    hit = read / total_in if total_in else 0.0
    if not bool(pu["priced"].any()):
        return {
            "hit_rate": hit,
            "saved_usd": 0.0,
            "actual_usd": 0.0,
            "target": target,
            "at_target_usd": None,
        }
    p = _priced_only(
        pu,
        [
            "cost_total",
            "input_tokens",
            "cache_read_tokens",
            "cache_write_5m_tokens",
            "cache_write_1h_tokens",
            "unit_input",
            "unit_cache_read",
        ],
    )
    actual = float(p["cost_total"].sum())
    gain = _cache_gain(p)
    without = actual + float((p["cache_read_tokens"] * gain).sum())
    at_target = actual - float(((_at_hit_rate(p, target) - p["cache_read_tokens"]) * gain).sum())
    return {
        "hit_rate": hit,
        "saved_usd": without - actual,
        "actual_usd": actual,
        "without_cache_usd": without,
        "target": target,
        "at_target_usd": at_target,
    }


def _anomalies(pu: pd.DataFrame, factor: float) -> tuple[Row, ...]:
    """A day whose cost per request (per model) is above factor x its trailing 7-day median."""
    cols = ["model", "day", "cost_total", "requests"]
    d = pu[cols][(pu["priced"] & (pu["requests"] > 0)).to_numpy(dtype=bool)]
    if not len(d):
        return ()
    daily = (
        d.groupby(["model", "day"])
        .agg(cost=("cost_total", "sum"), requests=("requests", "sum"))
        .reset_index()
    )
    daily["unit"] = daily["cost"] / daily["requests"]
    rows: list[Row] = []
    for model, g in daily.sort_values("day").groupby("model"):
        units = g["unit"].tolist()
        for i in range(3, len(units)):
            med = _median(units[max(0, i - 7) : i])
            if med > 0 and units[i] > factor * med:
                rows.append(
                    {
                        "model": model,
                        "day": g["day"].iloc[i],
                        "cost_per_request": units[i],
                        "trailing_median": med,
                        "factor": units[i] / med,
                        "requests": int(g["requests"].iloc[i]),
                        "cost_usd": float(g["cost"].iloc[i]),
                    }
                )
    return tuple(rows)


def _median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


_SUMS = (
    "requests",
    "input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "web_search_requests",
    "cost_total",
    "cost_output",
)
_BATCH_KEYS = ("api_key", "project", "workspace")
OUTPUT_CUT = 0.2  # output caps and shorter answers cut output tokens by this share


def _what_if_rows(pu: pd.DataFrame, short_output_tokens: int) -> tuple[pd.DataFrame, str | None]:
    """Priced usage summed over what pricing does not look at, for the savings what-ifs.

    Cost is linear in tokens for one model, tier, price period, region, speed and context tier
    (pinned to what the engine decided for the original rows), so re-pricing these sums gives
    the same dollars as re-pricing every row, on a few hundred rows instead of a million."""
    import numpy as np

    batch_key = next(
        (k for k in _BATCH_KEYS if k in pu.columns and pu[k].notna().any()),
        None,
    )
    need = [
        "timestamp",
        "provider",
        "model_raw",
        "model",
        "model_key",
        "service_tier",
        "region",
        "long_context",
        "price_effective",
        *_SUMS,
        *([batch_key] if batch_key else []),
        *(["speed"] if "speed" in pu.columns else []),
    ]
    p = _priced_only(pu, need)
    per_req_out = p["output_tokens"] / p["requests"].where(p["requests"] > 0)
    frame = p.assign(
        _short=(per_req_out <= short_output_tokens).fillna(False).to_numpy(dtype=bool),
        _key=p[batch_key] if batch_key else None,
    )
    keys = [
        "provider",
        "model_raw",
        "model",
        "model_key",
        "service_tier",
        "region",
        "speed",
        "context_tier",
        "price_effective",  # one price period of the model per group
        "_short",
        "_key",
    ]
    # Grouped by the engine's long_context flag, not its words, and without model_key (the
    # model, else the raw id): the same groups in the same order, fewer million-row keys.
    by = [k for k in keys if k != "model_key"]
    by[by.index("context_tier")] = "long_context"
    if "speed" not in p.columns:  # a key of one value (None) splits nothing; factorizing a
        by.remove("speed")  # million-element object column of it took ~0.07 s
    grouped = frame.groupby(by, dropna=False, sort=False)
    g = grouped[list(_SUMS)].sum()
    # A what-if prices the group at its latest date: another model's price from then on.
    g["timestamp"] = grouped["timestamp"].max()
    g = g.reset_index()
    if "speed" not in g.columns:
        g["speed"] = np.nan  # what the group-by gave the None key: a float NaN column
    g["model_key"] = g["model"].fillna(g["model_raw"])
    g["context_tier"] = np.where(g["long_context"].to_numpy(dtype=bool), "long", "standard")
    return g[[*keys, *_SUMS, "timestamp"]], batch_key


def _savings(
    usage: pd.DataFrame,
    pu: pd.DataFrame,
    book: PriceBook,
    opts: BillOptions,
    ndays: int,
    cache: Row,
) -> tuple[tuple[Saving, ...], float | None]:
    """The checklist, ranked, and what the levers save together (they overlap: traffic moved
    to a cheaper model and then batched saves less than both lines say on their own)."""
    import numpy as np
    import pandas as pd

    from llm_audit.pricing.engine import price

    if not ndays or not bool(pu["priced"].any()):
        return (), None
    month = DAYS_PER_MONTH / ndays
    out: list[Saving] = []
    agg, batch_key = _what_if_rows(pu, opts.short_output_tokens)
    # Every what-if of levers 1 and 2 priced in one call (a call costs ~0.1 s whatever its
    # size): each frontier model's short-output rows once per cheaper candidate, and the
    # standard-tier rows as batch.
    std = (agg["service_tier"] == "standard").to_numpy(dtype=bool)
    trials: list[pd.DataFrame] = []
    swaps: dict[str, list[str]] = {}
    for model_id in sorted(set(agg["model"].dropna())):
        mp = book.models.get(str(model_id))
        if mp is None or mp.model_class != "frontier":
            continue
        mask = ((agg["model"] == model_id) & agg["_short"]).to_numpy(dtype=bool)
        cands = sorted(
            c.id
            for c in book.models.values()
            if c.provider == mp.provider and c.model_class == "mid"
        )
        if mask.any() and cands:
            swaps[str(model_id)] = cands
            sub = agg[mask]
            trials += [sub.assign(model_raw=c, _v=f"{model_id}>{c}") for c in cands]
    if batch_key is not None and std.any():
        trials.append(agg[std].assign(service_tier="batch", _v="batch"))
    tried = (
        price(pd.concat(trials, ignore_index=True), book) if trials else pd.DataFrame({"_v": []})
    )
    tried.attrs = {}
    # 1. frontier models' short-output traffic, re-priced on a cheaper model of the provider.
    moves: dict[str, str] = {}
    for model_id in swaps:
        mask = ((agg["model"] == model_id) & agg["_short"]).to_numpy(dtype=bool)
        sub = agg[mask]
        cur = float(sub["cost_total"].sum())
        mine = tried[tried["_v"].str.startswith(model_id + ">").to_numpy(dtype=bool)]
        complete = mine.groupby("_v")["priced"].all()
        totals = mine.groupby("_v")["cost_total"].sum()[complete]
        best = None
        if len(totals):
            variant = str(totals.idxmin())
            best = (float(totals[variant]), variant.split(">", 1)[1])
        if best is not None and best[0] < cur:
            moves[model_id] = best[1]
            out.append(
                Saving(
                    f"{model_id}: move short-output traffic to {best[1]}",
                    (cur - best[0]) * month,
                    f"rows averaging <= {opts.short_output_tokens} output tokens per request "
                    f"({int(sub['requests'].sum()):,} requests) are answered as well by "
                    f"{best[1]}; re-priced on the actual tokens; check with an eval first",
                )
            )
    # 2. the batch API for keys / projects whose traffic is not interactive.
    batched: list[str] = []
    if batch_key is not None and std.any():
        sub = agg[std]
        as_batch = tried.loc[(tried["_v"] == "batch").to_numpy(dtype=bool), "cost_total"].to_numpy(
            dtype="float64"
        )
        has = ~np.isnan(as_batch)  # a model with no batch price cannot be moved to batch
        frame = sub.assign(cur=sub["cost_total"].where(has, 0.0), bat=np.nan_to_num(as_batch))
        per = frame.groupby("_key").agg(cur=("cur", "sum"), bat=("bat", "sum"))
        per["save"] = per["cur"] - per["bat"]
        per = per.sort_values("save", ascending=False, kind="stable")
        for key_value, r in per.head(3).iterrows():
            name = str(key_value)
            if r["save"] > 0:
                batched.append(name)
                out.append(
                    Saving(
                        f"{batch_key} {name}: use the batch API",
                        float(r["save"]) * month,
                        f"{batch_key} {name}'s traffic needs no answer within seconds (a bill "
                        "cannot tell; check the caller); batch results arrive within 24 h at "
                        "50% off",
                    )
                )
    # 3. a higher cache hit rate.
    at = cache.get("at_target_usd")
    actual = cache.get("actual_usd")
    if isinstance(at, float) and isinstance(actual, float) and at < actual:
        out.append(
            Saving(
                f"raise the prompt-cache hit rate to {opts.target_cache_hit:.0%}",
                (actual - at) * month,
                f"{opts.target_cache_hit:.0%} of input tokens are read from the cache (now "
                f"{float(str(cache.get('hit_rate', 0.0))):.1%}); extra cache writes not counted",
            )
        )
    # 4. output caps where output dominates a model's cost.
    per_model = agg.groupby("model_key")[["cost_total", "cost_output"]].sum()
    capped: list[str] = []
    for model_id, r in per_model.iterrows():
        total, out_cost = float(r["cost_total"]), float(r["cost_output"])
        if total > 0 and out_cost / total > 0.5:
            capped.append(str(model_id))
            out.append(
                Saving(
                    f"{model_id}: cap output (max_tokens) and ask for shorter answers",
                    OUTPUT_CUT * out_cost * month,
                    f"output is {out_cost / total:.0%} of this model's cost; caps and "
                    f"instructions cut output tokens by {OUTPUT_CUT:.0%}",
                )
            )
    out.sort(key=lambda s: (-s.usd_per_month, s.lever))
    combined = None
    if len(out) > 1:
        combined = _combined(agg, book, moves, batched, capped, opts.target_cache_hit) * month
    return tuple(out), combined


def _combined(
    agg: pd.DataFrame,
    book: PriceBook,
    moves: dict[str, str],
    batched: list[str],
    capped: list[str],
    target: float,
) -> float:
    """Every lever applied to the same traffic in turn: move, batch, cache, cap output."""
    import numpy as np
    import pandas as pd

    from llm_audit.pricing.engine import price

    actual = float(agg["cost_total"].sum())
    moved = agg["model_raw"].copy()
    for src, dst in moves.items():
        moved = moved.mask((agg["model"] == src) & agg["_short"], dst)
    tier = agg["service_tier"].mask(
        agg["_key"].isin(batched) & (agg["service_tier"] == "standard"), "batch"
    )
    n = len(agg)
    both = pd.concat(
        [
            agg.assign(model_raw=moved, service_tier=tier),
            # A row whose new tier has no price is not batched; one whose new model has
            # none stays as it is.
            agg.assign(model_raw=moved),
            agg,
        ],
        ignore_index=True,
    )
    priced = price(both, book, rates=True)
    frames = tuple(priced.iloc[i * n : (i + 1) * n].reset_index(drop=True) for i in range(3))

    def pick(values: Callable[[pd.DataFrame], pd.Series]) -> Any:
        chosen = values(frames[-1]).to_numpy(dtype="float64")
        for frame in reversed(frames[:-1]):
            ok = frame["priced"].to_numpy(dtype=bool)
            chosen = np.where(ok, values(frame).to_numpy(dtype="float64"), chosen)
        return chosen

    cost = pick(lambda f: f["cost_total"])
    gain = pick(_cache_gain)
    cost = cost - (_at_hit_rate(agg, target) - agg["cache_read_tokens"]).to_numpy() * gain
    cap = agg["model_key"].isin(capped).to_numpy(dtype=bool)
    cost = cost - np.where(cap, OUTPUT_CUT * pick(lambda f: f["cost_output"]), 0.0)
    return actual - float(cost.sum())
