"""The bill report: headline, unpriced usage, breakdowns, reconciliation, cache, anomalies."""

from __future__ import annotations

from llm_audit.analyses.bill import BillResult
from llm_audit.report.model import (
    Col,
    Kind,
    Report,
    SavingsItem,
    Section,
    fmt_usd,
    json_cell,
)

_KIND_COLS: dict[str, Kind] = {"quantity": "int", "computed_usd": "usd", "billed_usd": "usd"}
_BREAKDOWN_KINDS: dict[str, Kind] = {
    "quantity": "int",
    "computed_usd": "usd",
    "billed_usd": "money",
}


def _section(
    title: str,
    rows: tuple[dict[str, object], ...] | tuple[object, ...],
    cols: tuple[Col, ...],
    notes: tuple[str, ...] = (),
) -> Section:
    return Section(title, cols, tuple(r for r in rows if isinstance(r, dict)), notes)


def _json_rows(rows: object, cols: tuple[Col, ...]) -> list[dict[str, object]]:
    out = []
    for r in rows if isinstance(rows, tuple) else ():
        out.append({c.key: json_cell(r.get(c.key), c.kind) for c in cols})
    return out


_EXPLAIN = (
    Col("where", "file:line"),
    Col("day", "day"),
    Col("provider", "provider"),
    Col("model_raw", "model (bill)"),
    Col("model", "model"),
    Col("kind", "kind"),
    Col("service_tier", "tier"),
    Col("context_tier", "context"),
    Col("quantity", "quantity", "int"),
    Col("unit_price", "unit $/1M", "float"),
    Col("computed_usd", "computed", "usd"),
    Col("billed_usd", "billed", "money"),
    Col("difference_usd", "billed - computed", "money"),
    Col("matched", "matched with"),
)
_SHORT = {"unit_price": "$/1M", "difference_usd": "diff"}


def _narrow(cols: tuple[Col, ...], drop: tuple[str, ...]) -> tuple[Col, ...]:
    """A 100-column view of ``cols``: without ``drop``, with the short headers."""
    return tuple(Col(c.key, _SHORT.get(c.key, c.header), c.kind) for c in cols if c.key not in drop)


# A terminal is ~100 columns: the sections show the file name (not its folder) and leave out
# the provider, the bill's own model spelling, the context tier and the match; the JSON has
# every column.
_EXPLAIN_TABLE = _narrow(_EXPLAIN, ("provider", "model_raw", "context_tier", "matched"))
_RECON = (
    Col("provider", "provider"),
    Col("model", "model"),
    Col("kind", "kind"),
    Col("quantity", "quantity", "int"),
    Col("computed_usd", "computed", "usd"),
    Col("billed_usd", "billed", "money"),
    Col("difference_usd", "billed - computed", "usd"),
    Col("difference_pct", "gap", "pct"),
    Col("status", "status"),
    Col("explanation", "explanation"),
)
# The table view: explanations become numbered notes under the table, the provider heads the
# section, so the rows fit a 100-column terminal.
_RECON_TABLE = _narrow(_RECON, ("provider", "explanation"))
_UNPRICED = (
    Col("provider", "provider"),
    Col("model", "model"),
    Col("reason", "reason"),
    Col("requests", "requests", "int"),
    Col("input_tokens", "input tok", "int"),
    Col("output_tokens", "output tok", "int"),
    Col("token_share", "token share", "pct"),
)
_ANOM = (
    Col("model", "model"),
    Col("day", "day"),
    Col("cost_per_request", "per request", "usd"),
    Col("trailing_median", "trailing median", "usd"),
    Col("factor", "x", "float"),
    Col("requests", "requests", "int"),
    Col("cost_usd", "cost", "usd"),
)


def bill_report(r: BillResult) -> Report:
    period = (
        f"{r.first_day} .. {r.last_day} ({r.days} days, {r.timezone})" if r.first_day else "no rows"
    )
    cpr = (
        fmt_usd(r.cost_per_request)
        if r.cost_per_request is not None
        else "n/a (no request counts in the input)"
    )
    if r.cost_per_request is not None and r.requests_in_spend < r.requests:
        cpr += f" (over the {r.requests_in_spend:,} requests the spend covers; the rest unpriced)"
    cpu = (
        f"{fmt_usd(r.cost_per_user_month)} ({r.users:,} users: {r.users_basis})"
        if r.cost_per_user_month is not None
        else f"n/a: {r.users_basis}"
    )
    headline = [
        ("period", period),
        ("spend", f"{fmt_usd(r.spend_usd)} ({r.spend_basis})"),
        (
            "computed at list prices",
            fmt_usd(r.computed_usd)
            if r.usage_rows
            else "n/a (no usage rows: only cost files were given)",
        ),
    ]
    if r.billed_usd is not None:
        headline.append(("billed (cost files)", fmt_usd(r.billed_usd)))
    headline += [
        (
            "requests",
            f"{r.requests:,}" if r.requests or not r.usage_rows else "not in the export",
        ),
        ("cost per request", cpr),
        ("cost per active user / month", cpu),
        ("daily run-rate", fmt_usd(r.run_rate_daily)),
    ]
    if r.forecast_month is not None:
        headline.append((f"forecast {r.forecast_month}", fmt_usd(r.forecast_usd)))
    if r.unpriced:
        headline.append(
            (
                "UNPRICED usage",
                f"{len(r.unpriced)} model(s), {r.unpriced_share:.1%} of tokens: not in any total",
            )
        )
    sections: list[Section] = []
    if r.unpriced:
        sections.append(
            _section("UNPRICED usage (no list price; not counted as $0)", r.unpriced, _UNPRICED)
        )
    for key, rows in r.breakdowns:
        cols = tuple(Col(k, k) for k in key.split(",")) + tuple(
            Col(k, k.replace("_usd", ""), _BREAKDOWN_KINDS[k])
            for k in ("quantity", "computed_usd", "billed_usd")
            if any(k in row for row in rows)
        )
        sections.append(_section(f"By {key}", rows, cols))
    if r.reconciliation:
        for provider in sorted({str(x.get("provider")) for x in r.reconciliation}):
            rows = tuple(x for x in r.reconciliation if str(x.get("provider")) == provider)
            table_rows: list[dict[str, object]] = []
            notes: list[str] = []
            for x in rows:
                row = dict(x)
                if x.get("explanation"):
                    notes.append(
                        f"[{len(notes) + 1}] {x.get('model')} {x.get('kind')}: "
                        f"{x.get('explanation')}"
                    )
                    row["status"] = f"{x.get('status')} [{len(notes)}]"
                table_rows.append(row)
            gaps = sum(1 for x in rows if x.get("status") == "gap")
            days = str(rows[0].get("days", "")) if rows else ""
            sections.append(
                _section(
                    f"Reconciliation, {provider}, {days}: list prices vs billed",
                    tuple(table_rows),
                    _RECON_TABLE,
                    (f"{gaps} gap(s) above 1%, each explained", *notes),
                )
            )
    c = r.cache
    if c:
        rows_c = (
            {
                "what": "cache hit rate (cache read / all input)",
                "value": f"{float(str(c['hit_rate'])):.1%}",
            },
            {"what": "what caching saved", "value": fmt_usd(c.get("saved_usd"))},
            {
                "what": f"bill at a {float(str(c['target'])):.0%} hit rate",
                "value": fmt_usd(c.get("at_target_usd")),
            },
        )
        sections.append(
            Section(
                "Cache economics",
                (Col("what", "what"), Col("value", "value")),
                rows_c,
                ("priced usage only; at-target keeps cache writes",),
            )
        )
    if r.anomalies:
        sections.append(
            _section(
                "Unit-cost anomalies (cost per request above its trailing median)",
                r.anomalies,
                _ANOM,
            )
        )
    if r.explain:
        short = tuple(
            {
                **x,
                "where": str(x.get("where", "")).replace("\\", "/").rsplit("/", 1)[-1],
                "model": x.get("model") or x.get("model_raw"),
            }
            for x in r.explain
        )
        sections.append(
            _section(
                "The bill line by line",
                short,
                _EXPLAIN_TABLE,
                ("billed and diff are empty where the export has no billed amount (usage files)",),
            )
        )
    notes = list(r.notes)
    if r.savings_combined is not None:
        total = sum(x.usd_per_month for x in r.savings)
        notes.append(
            f"the savings levers overlap (the same traffic can be moved, batched, cached and "
            f"capped): together they save {fmt_usd(r.savings_combined)}/month, not the "
            f"{fmt_usd(total)} their lines add up to"
        )
    if r.skipped:
        notes.append(
            f"{len(r.skipped)} row(s) could not be interpreted: " + "; ".join(r.skipped[:20])
        )
    data: dict[str, object] = {
        "inputs": [{"source": s, "format": f, "rows": n} for s, f, n in r.inputs],
        "period": {
            "first_day": r.first_day,
            "last_day": r.last_day,
            "days": r.days,
            "timezone": r.timezone,
        },
        "spend_usd": json_cell(r.spend_usd, "usd"),
        "spend_basis": r.spend_basis,
        "computed_usd": json_cell(r.computed_usd, "usd"),
        "billed_usd": json_cell(r.billed_usd, "usd"),
        "requests": r.requests,
        "requests_in_spend": r.requests_in_spend,
        "cost_per_request": json_cell(r.cost_per_request, "usd"),
        "users": r.users,
        "users_basis": r.users_basis,
        "cost_per_user_month": json_cell(r.cost_per_user_month, "usd"),
        "run_rate_daily": json_cell(r.run_rate_daily, "usd"),
        "forecast": {"month": r.forecast_month, "usd": json_cell(r.forecast_usd, "usd")},
        "unpriced": _json_rows(r.unpriced, _UNPRICED),
        "breakdowns": {
            k: _json_rows(
                rows,
                tuple(
                    Col(c, c, _KIND_COLS.get(c, "text")) for c in (rows[0].keys() if rows else ())
                ),
            )
            for k, rows in r.breakdowns
        },
        "reconciliation": _json_rows(r.reconciliation, _RECON),
        "cache": {k: json_cell(v, "float") for k, v in r.cache.items()},
        "anomalies": _json_rows(r.anomalies, _ANOM),
        "skipped_rows": list(r.skipped),
        "savings_combined_usd_per_month": json_cell(r.savings_combined, "money"),
    }
    if r.explain:
        data["explain"] = _json_rows(r.explain, _EXPLAIN)
    return Report(
        command="bill",
        title="llm-audit bill",
        headline=tuple(headline),
        sections=tuple(sections),
        pricing=r.pricing,
        data=data,
        savings=tuple(SavingsItem(s.lever, s.usd_per_month, s.assumption) for s in r.savings),
        notes=tuple(notes),
    )
