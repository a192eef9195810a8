"""`pricing list` and `pricing show`: the tables as users see them."""

from __future__ import annotations

from llm_audit.errors import UnpricedModelError
from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.tables import RATE_FIELDS, TIERS
from llm_audit.report.model import Col, Report, Section, usd_value

_RATE_COLS = (
    Col("input", "input", "usd"),
    Col("cache_read", "cache read", "usd"),
    Col("cache_write_5m", "write 5m", "usd"),
    Col("cache_write_1h", "write 1h", "usd"),
    Col("output", "output", "usd"),
)


def list_report(book: PriceBook, provider: str | None) -> Report:
    rows = []
    for m in sorted(book.models.values(), key=lambda m: (m.provider, m.id)):
        if provider and m.provider != provider:
            continue
        period = m.period_at(None)
        std = period.standard
        rows.append({
            "provider": m.provider, "model": m.id, "class": m.model_class,
            **{f: getattr(std.rates, f) for f in RATE_FIELDS},
            "tiers": ",".join(t for t in TIERS if t in period.tiers and t != "standard") or "—",
            "long_context": f">{std.long_context.threshold:,}" if std.long_context else "—",
            "since": period.effective.isoformat(), "checked": m.checked.isoformat(),
        })
    cols = (Col("provider", "provider"), Col("model", "model"), Col("class", "class"),
            *_RATE_COLS, Col("tiers", "tiers"), Col("long_context", "long ctx"),
            Col("since", "since"), Col("checked", "checked"))
    return Report(
        command="pricing list",
        title="llm-audit pricing list: USD per 1M tokens (standard tier, current prices)",
        headline=(("models", f"{len(rows):,}"), ("tables", str(len(book.tables)))),
        sections=(Section("Models", cols, tuple(rows)),),
        pricing=book.provenance,
        data={"models": [{k: (usd_value(v) if k in RATE_FIELDS else v) for k, v in r.items()}
                         for r in rows]},
    )


def show_report(book: PriceBook, raw: str, provider: str | None) -> Report:
    res = book.resolve(raw, provider)
    m = res.model
    if m is None:
        raise UnpricedModelError(raw, res.ambiguous or res.close)
    rows = []
    for period in m.periods:
        for tier in TIERS:
            price = period.tiers.get(tier)
            if price is None:
                continue
            row: dict[str, object] = {"effective": period.effective.isoformat(), "tier": tier,
                                      "band": "all", **{f: getattr(price.rates, f)
                                                        for f in RATE_FIELDS}}
            rows.append(row)
            if price.long_context is not None:
                lc = price.long_context
                rows.append({"effective": period.effective.isoformat(), "tier": tier,
                             "band": f">{lc.threshold:,} in",
                             **{f: getattr(lc.rates, f) for f in RATE_FIELDS}})
    cols = (Col("effective", "since"), Col("tier", "tier"), Col("band", "context"), *_RATE_COLS)
    current = m.period_at(None)
    extra_notes = []
    if current.regions:
        extra_notes.append("regional multipliers: " + ", ".join(
            f"{k} x{v:g}" for k, v in sorted(current.regions.items())))
    if current.extras:
        extra_notes.append("extras: " + ", ".join(
            f"{k} ${v:g} each" for k, v in sorted(current.extras.items())))
    headline = (
        ("model", f"{m.id} ({m.provider}, {m.model_class})"),
        ("resolved", f"{raw!r} by rule {res.rule}"
         + (f", region {res.region}" if res.region else "")),
        ("aliases", ", ".join(m.aliases) or "—"),
        ("display names", ", ".join(m.display_names) or "—"),
        ("tokenizer", m.encoding or "not public (counts are estimates)"),
        ("source", m.source),
        ("checked", m.checked.isoformat()),
    ) + ((("notes", m.notes),) if m.notes else ())
    return Report(
        command="pricing show",
        title=f"llm-audit pricing show {m.id}: USD per 1M tokens",
        headline=headline,
        sections=(Section("Price history", cols, tuple(rows), tuple(extra_notes)),),
        pricing=book.provenance,
        data={
            "model": m.id, "provider": m.provider, "class": m.model_class,
            "resolved_from": raw, "rule": res.rule, "region": res.region,
            "aliases": list(m.aliases), "display_names": list(m.display_names),
            "encoding": m.encoding, "context_window": m.context_window, "source": m.source,
            "checked": m.checked.isoformat(), "notes": m.notes,
            "regions": dict(current.regions), "extras": dict(current.extras),
            "history": [{k: (usd_value(v) if k in RATE_FIELDS else v)  # type: ignore[arg-type]
                         for k, v in r.items()} for r in rows],
        },
    )
