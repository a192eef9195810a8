"""`bill`: what the providers billed, line by line, reconciled with list prices, and what to save.

Input rows come from ``ingest.billing`` readers: *usage* rows (tokens, priced by our engine)
and *cost* rows (amounts the provider billed per model and token kind). Every cost figure is
computed by ``pricing.engine.price``; nothing here prices a row by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest.base import Reader, open_sources, pick_reader
from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.tables import Provenance

if TYPE_CHECKING:
    import pandas as pd

DAYS_PER_MONTH = 30  # monthly figures scale the period's daily average by 30 days
GAP_TOLERANCE = 0.01  # reconciliation explains every gap above 1%
KIND_QTY = {
    "input": "_uncached",
    "cache_read": "cache_read_tokens",
    "cache_write_5m": "cache_write_5m_tokens",
    "cache_write_1h": "cache_write_1h_tokens",
    "output": "output_tokens",
    "web_search": "web_search_requests",
}
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
    skipped: tuple[str, ...]
    notes: tuple[str, ...]
    pricing: Provenance

    @property
    def cost_per_request(self) -> float | None:
        return self.spend_usd / self.requests if self.requests else None

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
    for source in open_sources(specs):
        if not source.text.strip():
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
    skipped = [str(s) for f in frames for s in f.attrs.get("skipped", ())]
    frames = [f for f in frames if len(f)]
    if not frames:
        table = empty().assign(row_role=pd.Series(dtype="string"))
    else:
        for f in frames:
            f.attrs.clear()  # concat cannot merge differing attrs; skipped rows kept below
        table = pd.concat(frames, ignore_index=True)
    table.attrs["skipped"] = skipped
    return table, tuple(seen)


# -- per-kind costs -------------------------------------------------------------------------


def kind_lines(priced: pd.DataFrame, book: PriceBook) -> pd.DataFrame:
    """One line per usage row and token kind: quantity, computed cost, unit price per 1M."""
    import numpy as np
    import pandas as pd

    from llm_audit.pricing.engine import price

    p = priced
    uncached = (
        p["input_tokens"]
        - p["cache_read_tokens"]
        - p["cache_write_5m_tokens"]
        - p["cache_write_1h_tokens"]
    )
    w1h_cost = pd.Series(0.0, index=p.index)
    if bool((p["cache_write_1h_tokens"] > 0).any()):
        # The engine sums 5m and 1h writes; price again without the 1h writes to split them,
        # with the context tier pinned so the long-context judgement cannot move.
        alt = p.drop(columns=["model"]).copy()
        alt["input_tokens"] = alt["input_tokens"] - alt["cache_write_1h_tokens"]
        alt["cache_write_1h_tokens"] = 0
        alt["context_tier"] = np.where(p["long_context"], "long", "standard")
        again = price(alt, book)
        w1h_cost = p["cost_cache_write"] - again["cost_cache_write"].to_numpy()
    costs = {
        "input": p["cost_input"],
        "cache_read": p["cost_cache_read"],
        "cache_write_5m": p["cost_cache_write"] - w1h_cost,
        "cache_write_1h": w1h_cost,
        "output": p["cost_output"],
        "web_search": p["cost_extras"],
    }
    qty = {
        "input": uncached,
        "cache_read": p["cache_read_tokens"],
        "cache_write_5m": p["cache_write_5m_tokens"],
        "cache_write_1h": p["cache_write_1h_tokens"],
        "output": p["output_tokens"],
        "web_search": p["web_search_requests"],
    }
    parts = []
    for kind, q in qty.items():
        mask = q > 0
        if not bool(mask.any()):
            continue
        part = p.loc[mask, ["_i"]].copy()
        part["kind"] = kind
        part["quantity"] = q[mask].astype("float64")
        part["computed_usd"] = costs[kind][mask].astype("float64")
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["_i", "kind", "quantity", "computed_usd", "unit_price"])
    lines = pd.concat(parts, ignore_index=True)
    per = np.where(lines["kind"] == "web_search", 1.0, 1_000_000.0)
    lines["unit_price"] = lines["computed_usd"] / lines["quantity"] * per
    return lines


def _priced_usage(usage: pd.DataFrame, book: PriceBook) -> pd.DataFrame:
    from llm_audit.pricing.engine import price

    out = price(usage, book)
    out["_i"] = usage["_i"].to_numpy()
    for col in ("day", "row_role", "token_kind", "line_item"):
        if col in usage.columns:
            out[col] = usage[col].to_numpy()
    return out


# -- the analysis ---------------------------------------------------------------------------


def analyze(
    table: pd.DataFrame,
    book: PriceBook,
    opts: BillOptions,
    inputs: tuple[tuple[str, str, int], ...] = (),
) -> BillResult:
    import pandas as pd

    from llm_audit.pricing.engine import price

    for key in opts.group_by:
        if key not in GROUP_KEYS:
            raise InputError(
                f"--group-by {key!r} is not a key", hint="one or more of " + ", ".join(GROUP_KEYS)
            )
    try:
        tz = table["timestamp"].dt.tz_convert(opts.timezone)
    except Exception as e:  # pytz/zoneinfo raise their own types; translate once, here
        raise InputError(
            f"unknown --timezone {opts.timezone!r}", hint="an IANA name such as Europe/Paris or UTC"
        ) from e
    df = table.copy()
    df["day"] = tz.dt.strftime("%Y-%m-%d")
    if opts.since is not None:
        df = df[df["day"] >= opts.since.isoformat()]
    if opts.until is not None:
        df = df[df["day"] <= opts.until.isoformat()]
    df = df.reset_index(drop=True)
    df["_i"] = range(len(df))
    role = (
        df["row_role"].fillna("usage")
        if "row_role" in df.columns
        else pd.Series("usage", index=df.index)
    )
    usage = df[role == "usage"].reset_index(drop=True)
    costs = df[role == "cost"].reset_index(drop=True)
    pu = _priced_usage(usage, book) if len(usage) else None
    pc = price(costs, book) if len(costs) else None
    if pc is not None:
        pc["day"] = costs["day"].to_numpy()
        pc["token_kind"] = costs["token_kind"].fillna("other").to_numpy()
        pc["model_key"] = pc["model"].fillna(pc["model_raw"])
    lines = kind_lines(pu, book) if pu is not None else None
    if pu is not None and lines is not None:
        keep = [
            c
            for c in (
                "_i",
                "provider",
                "model",
                "model_raw",
                "day",
                "service_tier",
                "context_tier",
                "long_context",
                "region",
                "project",
                "workspace",
                "api_key",
                "user",
                "priced",
                "source_file",
                "source_line",
            )
            if c in pu.columns
        ]
        lines = lines.merge(pu[keep], on="_i", how="left")
        lines["model_key"] = lines["model"].fillna(lines["model_raw"])

    days_all = sorted(set(df["day"]))
    first, last = (days_all[0], days_all[-1]) if days_all else (None, None)
    ndays = (
        (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
        if first and last
        else 0
    )

    computed = float(pu["cost_total"].sum()) if pu is not None else 0.0
    billed = float(pc["billed_usd"].sum()) if pc is not None else None
    billed_providers = set(pc["provider"]) if pc is not None else set()
    spend = 0.0
    basis_parts = []
    providers = sorted(set(df["provider"].dropna()))
    for prov in providers:
        if prov in billed_providers and pc is not None:
            spend += float(pc.loc[pc["provider"] == prov, "billed_usd"].sum())
            basis_parts.append(f"{prov}: billed")
        elif pu is not None:
            spend += float(pu.loc[pu["provider"] == prov, "cost_total"].sum())
            basis_parts.append(f"{prov}: list prices")
    requests = int(usage["requests"].sum()) if len(usage) else 0

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

    explain = _explain(lines, pc) if opts.explain else ()
    breakdowns = _breakdowns(lines, pc, opts.group_by)
    recon = _reconcile(usage, lines, pc, book) if lines is not None and pc is not None else ()
    cache = _cache(usage, pu, book, opts.target_cache_hit) if pu is not None else {}
    anomalies = _anomalies(pu, opts.anomaly_factor) if pu is not None else ()
    savings = _savings(usage, pu, lines, book, opts, ndays, cache) if pu is not None else ()
    skipped = tuple(str(s) for s in df.attrs.get("skipped", ()))
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
        total += float(pu.loc[own, "cost_total"].sum())
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


def _explain(lines: pd.DataFrame | None, pc: pd.DataFrame | None) -> tuple[Row, ...]:
    """Every usage row per token kind, then every cost row, as the reader saw it."""
    import pandas as pd

    parts = []
    if lines is not None and len(lines):
        u = lines.assign(
            where=lines["source_file"].astype(str) + ":" + lines["source_line"].astype(str),
            billed_usd=float("nan"),
        )
        parts.append(u)
    if pc is not None and len(pc):
        c = pc.assign(
            where=pc["source_file"].astype(str) + ":" + pc["source_line"].astype(str),
            kind=pc["token_kind"],
            quantity=pc.get("quantity", float("nan")),
            computed_usd=float("nan"),
            unit_price=float("nan"),
        )
        parts.append(c)
    if not parts:
        return ()
    cols = [
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
    ]
    allx = pd.concat([p.reindex(columns=cols) for p in parts], ignore_index=True)
    allx["difference"] = float("nan")
    return _records(allx)


def _breakdowns(
    lines: pd.DataFrame | None, pc: pd.DataFrame | None, group_by: tuple[str, ...]
) -> tuple[tuple[str, tuple[Row, ...]], ...]:
    import pandas as pd

    keys: list[tuple[str, ...]] = (
        [tuple(group_by)] if group_by else [("model",), ("kind",), ("day",)]
    )
    if not group_by and lines is not None:
        for k in ("project", "workspace", "api_key", "user"):
            if k in lines.columns and lines[k].notna().any():
                keys.append((k,))
    out = []
    for key in keys:
        frames = []
        if lines is not None and len(lines):
            u = lines.assign(model=lines["model_key"])
            if all(k in u.columns for k in key):
                frames.append(
                    u.groupby(list(key), dropna=False).agg(
                        quantity=("quantity", "sum"),
                        computed_usd=("computed_usd", lambda s: s.sum(min_count=1)),
                    )
                )
        if pc is not None and len(pc):
            c = pc.assign(model=pc["model_key"], kind=pc["token_kind"])
            if all(k in c.columns for k in key):
                frames.append(
                    c.groupby(list(key), dropna=False).agg(billed_usd=("billed_usd", "sum"))
                )
        if not frames:
            continue
        table = pd.concat(frames, axis=1).reset_index()
        sort = "billed_usd" if "billed_usd" in table.columns else "computed_usd"
        if key == ("day",):
            table = table.sort_values("day")
        else:
            table = table.sort_values(sort, ascending=False, na_position="first")
        out.append((",".join(key), _records(table)))
    return tuple(out)


def _reconcile(
    usage: pd.DataFrame, lines: pd.DataFrame, pc: pd.DataFrame, book: PriceBook
) -> tuple[Row, ...]:
    """Computed vs billed per provider, model and token kind, on the days both cover."""
    import pandas as pd

    rows: list[Row] = []
    for prov in sorted(set(lines["provider"]) & set(pc["provider"])):
        lu = lines[lines["provider"] == prov]
        lc = pc[pc["provider"] == prov]
        days = set(lu["day"]) & set(lc["day"])
        if not days:
            continue
        lu = lu[lu["day"].isin(days)]
        lc = lc[lc["day"].isin(days)]
        comp = lu.groupby(["model_key", "kind"]).agg(
            computed_usd=("computed_usd", lambda s: s.sum(min_count=1)),
            quantity=("quantity", "sum"),
        )
        bill = lc.groupby(["model_key", "token_kind"])["billed_usd"].sum()
        bill.index = bill.index.set_names(["model_key", "kind"])
        both = pd.concat([comp, bill], axis=1).reset_index()
        for rec in both.to_dict("records"):
            c = rec["computed_usd"]
            b = rec["billed_usd"]
            if pd.isna(rec["quantity"]):
                c = 0.0  # billed, but no usage line of this model and kind at all
            c_v = None if pd.isna(c) else float(c)
            b_v = 0.0 if pd.isna(b) else float(b)
            diff = None if c_v is None else b_v - c_v
            base = max(abs(b_v), abs(c_v or 0.0))
            gap = diff is not None and base > 0 and abs(diff) > GAP_TOLERANCE * base
            why = ""
            if c_v is None:
                why = "unpriced model: no list price to compare with"
            elif gap and b_v < 0:
                why = "credits or refunds: a negative billed amount"
            elif gap and rec["kind"] == "other":
                why = "billed for something that is not tokens (storage, tax, fees...)"
            elif gap and pd.isna(rec["quantity"]):
                why = "billed with no matching usage in the usage file"
            elif gap:
                sub = usage[
                    usage["_i"].isin(
                        lu.loc[
                            (lu["model_key"] == rec["model_key"]) & (lu["kind"] == rec["kind"]),
                            "_i",
                        ]
                    )
                ]
                why = _explain_gap(sub, str(rec["kind"]), c_v, b_v, pd.isna(b), book)
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
    alt = alt.assign(_i=range(len(alt)))
    p = price(alt, book)
    p["_i"] = alt["_i"].to_numpy()
    lines = kind_lines(p, book)
    target = kind
    if swapped == "to1h":
        target = "cache_write_1h"
    elif swapped == "to5m":
        target = "cache_write_5m"
    sel = lines.loc[lines["kind"] == target, "computed_usd"]
    return None if sel.isna().any() else float(sel.sum())


def _cache(usage: pd.DataFrame, pu: pd.DataFrame, book: PriceBook, target: float) -> Row:
    import numpy as np

    from llm_audit.pricing.engine import price

    ok = pu["priced"].to_numpy(dtype=bool)
    base = usage[ok].drop(columns=["_i"])
    priced = pu[ok]
    total_in = float(pu["input_tokens"].sum())
    read = float(pu["cache_read_tokens"].sum())
    hit = read / total_in if total_in else 0.0
    actual = float(priced["cost_total"].sum())
    if not len(base):
        return {
            "hit_rate": hit,
            "saved_usd": 0.0,
            "actual_usd": 0.0,
            "target": target,
            "at_target_usd": None,
        }
    pinned = np.where(priced["long_context"], "long", "standard")
    no_cache = base.assign(cache_read_tokens=0, context_tier=pinned)
    without = float(price(no_cache, book)["cost_total"].sum())
    writes = base["cache_write_5m_tokens"] + base["cache_write_1h_tokens"]
    room = base["input_tokens"] - writes
    want = (base["input_tokens"] * target).round().clip(upper=room)
    at = base.assign(
        cache_read_tokens=np.maximum(base["cache_read_tokens"], want).astype("int64"),
        context_tier=pinned,
    )
    at_target = float(price(at, book)["cost_total"].sum())
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
    d = pu[pu["priced"] & (pu["requests"] > 0)]
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


def _savings(
    usage: pd.DataFrame,
    pu: pd.DataFrame,
    lines: pd.DataFrame | None,
    book: PriceBook,
    opts: BillOptions,
    ndays: int,
    cache: Row,
) -> tuple[Saving, ...]:
    from llm_audit.pricing.engine import price

    if not ndays:
        return ()
    month = DAYS_PER_MONTH / ndays
    out: list[Saving] = []
    ok = pu["priced"].to_numpy(dtype=bool)
    # 1. frontier models' short-output traffic, re-priced on a cheaper model of the provider.
    has_req = pu["requests"] > 0
    per_req_out = pu["output_tokens"] / pu["requests"].where(has_req)
    for model_id in sorted(set(pu.loc[ok, "model"].dropna())):
        mp = book.models.get(str(model_id))
        if mp is None or mp.model_class != "frontier":
            continue
        mask = (
            ok
            & (pu["model"] == model_id).to_numpy()
            & (per_req_out <= opts.short_output_tokens).fillna(False).to_numpy()
        )
        if not mask.any():
            continue
        cur = float(pu.loc[mask, "cost_total"].sum())
        best: tuple[float, str] | None = None
        for cand in book.models.values():
            if cand.provider != mp.provider or cand.model_class != "mid":
                continue
            alt = usage[mask].drop(columns=["_i"]).assign(model_raw=cand.id)
            cost = price(alt, book)["cost_total"]
            if cost.isna().any():
                continue
            total = float(cost.sum())
            if best is None or total < best[0]:
                best = (total, cand.id)
        if best is not None and best[0] < cur:
            out.append(
                Saving(
                    f"{model_id}: move short-output traffic to {best[1]}",
                    (cur - best[0]) * month,
                    f"rows averaging <= {opts.short_output_tokens} output tokens per request "
                    f"({int(pu.loc[mask, 'requests'].sum()):,} requests) are answered as well by "
                    f"{best[1]}; re-priced on the actual tokens; check with an eval first",
                )
            )
    # 2. the batch API for keys / projects whose traffic is not interactive.
    std = ok & (pu["service_tier"] == "standard").to_numpy()
    for key in ("api_key", "project", "workspace"):
        if key not in pu.columns or not pu.loc[std, key].notna().any():
            continue
        alt = usage[std].drop(columns=["_i"]).assign(service_tier="batch")
        batch_cost = price(alt, book)["cost_total"].to_numpy()
        frame = pu.loc[std, [key, "cost_total"]].assign(batch=batch_cost)
        per = frame.groupby(key).agg(cur=("cost_total", "sum"), bat=("batch", "sum"))
        per["save"] = per["cur"] - per["bat"]
        for name, r in per.sort_values("save", ascending=False).head(3).iterrows():
            if r["save"] > 0:
                out.append(
                    Saving(
                        f"{key} {name}: use the batch API",
                        float(r["save"]) * month,
                        f"{key} {name}'s traffic needs no answer within seconds (a bill cannot "
                        "tell; check the caller); batch results arrive within 24 h at 50% off",
                    )
                )
        break
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
    if lines is not None and len(lines):
        priced_lines = lines[lines["priced"].fillna(False).astype(bool)]
        totals = priced_lines.groupby("model_key")["computed_usd"].sum()
        outs = (
            priced_lines[priced_lines["kind"] == "output"]
            .groupby("model_key")["computed_usd"]
            .sum()
        )
        for model_id, total in totals.items():
            out_cost = float(outs.get(model_id, 0.0))
            if total > 0 and out_cost / total > 0.5:
                out.append(
                    Saving(
                        f"{model_id}: cap output (max_tokens) and ask for shorter answers",
                        0.2 * out_cost * month,
                        f"output is {out_cost / total:.0%} of this model's cost; caps and "
                        "instructions cut output tokens by 20%",
                    )
                )
    out.sort(key=lambda s: -s.usd_per_month)
    return tuple(out)
