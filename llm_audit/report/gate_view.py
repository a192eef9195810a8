"""The snapshot, diff and gate reports: what LLM calls cost, what changed and why, the verdict."""

from __future__ import annotations

from collections.abc import Mapping

from llm_audit.analyses.gate import DiffResult, GateResult, SiteChange
from llm_audit.analyses.snapshot import LogUnit, SiteSnapshot, Snapshot
from llm_audit.report.model import Col, Report, Section, fmt_usd, usd_value

_SITE_COLUMNS = (
    Col("site", "call site"),
    Col("model", "model"),
    Col("input_tokens", "prompt tok", "int"),
    Col("output", "output tok"),
    Col("cost_per_call", "per call", "usd"),
    Col("calls", "calls/month"),
    Col("monthly_cost", "per month", "usd"),
)
_UNIT_COLUMNS = (
    Col("feature", "feature"),
    Col("model", "model"),
    Col("requests", "requests", "int"),
    Col("cost_per_call", "per call", "usd"),
    Col("cost_per_user_month", "per user-month"),
    Col("p95_latency_ms", "p95 ms", "float"),
    Col("cache_hit_rate", "cache hit", "pct"),
)


def _signed(x: float | None) -> str:
    if x is None:
        return "unpriced"
    return ("+" if x > 0 else "") + fmt_usd(x)


def _site_name(path: str, function: str, line: int) -> str:
    return f"{path}:{line} {function or '<module>'}"


def snapshot_report(snap: Snapshot) -> Report:
    rows = []
    for s in snap.sites:
        rows.append(
            {
                "site": _site_name(s.path, s.function, s.line),
                "model": s.model or f"{s.model_raw or '?'} (unpriced)",
                "input_tokens": s.input_tokens,
                "output": f"{s.output_tokens:,} ("
                + ("default" if s.output_source.startswith("default") else s.output_source)
                + ")",
                "cost_per_call": s.cost_per_call,
                "calls": f"{s.calls_per_month:,} ({s.calls_source})",
                "monthly_cost": s.monthly_cost,
            }
        )
    sections = [Section("Call sites", _SITE_COLUMNS, tuple(rows))]
    unpriced_rows = tuple(
        {
            "site": _site_name(s.path, s.function, s.line),
            "model": s.model_raw or "?",
            "calls": s.calls_per_month,
            "reason": s.unpriced_reason,
        }
        for s in snap.sites
        if not s.priced
    )
    if unpriced_rows:
        sections.append(
            Section(
                "Unpriced call sites (not counted as $0)",
                (
                    Col("site", "call site"),
                    Col("model", "model"),
                    Col("calls", "calls/month", "int"),
                    Col("reason", "why"),
                ),
                unpriced_rows,
            )
        )
    if snap.logs is not None:
        units = []
        for u in snap.logs.units:
            row = u.to_json()
            # no user column is not an unpriced cost: say which it is
            row["cost_per_user_month"] = (
                fmt_usd(u.cost_per_user_month)
                if u.cost_per_user_month is not None
                else ("— (no users in the log)" if not u.users else "unpriced")
            )
            units.append(row)
        sections.append(
            Section(
                "Measured from logs (per feature and model)",
                _UNIT_COLUMNS,
                tuple(units),
                (
                    f"{snap.logs.requests:,} requests over {snap.logs.window_days:.1f} day(s); "
                    "per user-month scales the window to 30 days",
                ),
            )
        )
    unpriced = [s for s in snap.sites if not s.priced]
    headline = [
        ("call sites", f"{len(snap.sites)} ({len(unpriced)} unpriced)"),
        ("per month", f"{fmt_usd(snap.monthly_cost)} over the priced call sites"),
    ]
    if unpriced:
        headline.append(
            (
                "unpriced",
                f"{snap.unpriced_calls:,} calls/month "
                f"({snap.unpriced_share:.1%} of calls), not counted as $0",
            )
        )
    headline.append(("prices", f"tables v{snap.pricing.version}, priced on {snap.priced_on}"))
    notes = []
    if any(s.output_source.startswith("default") for s in snap.sites):
        notes.append(
            f"output tokens without a cap in the code: the stated default of "
            f"{snap.default_output_tokens}"
        )
    if not snap.default_calls_stated:
        notes.append(
            f"calls/month without a usage entry: the assumed default of "
            f"{snap.default_calls_per_month:,} (set [tool.llm-audit.usage] default)"
        )
    if any(not s.tokens_exact for s in snap.sites):
        notes.append("prompt tokens of non-OpenAI models are estimates (o200k_base)")
    return Report(
        command="snapshot",
        title="LLM cost snapshot",
        headline=tuple(headline),
        sections=tuple(sections),
        pricing=snap.pricing,
        data=snap.to_json(),
        notes=(*notes, *snap.warnings),
    )


def _causes_text(c: SiteChange) -> str:
    parts = []
    for e in c.effects:
        money = "" if e.per_month is None else f" {_signed(e.per_month)}/mo"
        parts.append(f"{e.cause}{money}: {e.detail}")
    return "; ".join(parts) or "no change"


_CHANGE_COLUMNS = (
    Col("site", "call site"),
    Col("status", "status"),
    Col("model", "model"),
    Col("per_call", "per call"),
    Col("per_month", "per month"),
    Col("delta", "change/month"),
    Col("causes", "causes"),
)


def _change_row(c: SiteChange) -> dict[str, object]:
    b, h = c.base, c.head
    s = c.site

    def arrow(x: str | None, y: str | None) -> str:
        if b is None:
            return y or "—"
        if h is None:
            return x or "—"
        return x or "—" if x == y else f"{x or '—'} -> {y or '—'}"

    def model(x: SiteSnapshot | None) -> str | None:
        return None if x is None else (x.model or f"{x.model_raw or '?'} (unpriced)")

    return {
        "site": _site_name(s.path, s.function, s.line),
        "status": c.status,
        "model": arrow(model(b), model(h)),
        "per_call": arrow(
            None if b is None else fmt_usd(b.cost_per_call),
            None if h is None else fmt_usd(h.cost_per_call),
        ),
        "per_month": arrow(
            None if b is None else fmt_usd(b.monthly_cost),
            None if h is None else fmt_usd(h.monthly_cost),
        ),
        "delta": "unknown (unpriced)" if c.monthly_delta is None else _signed(c.monthly_delta),
        "causes": _causes_text(c),
    }


def _change_json(c: SiteChange) -> dict[str, object]:
    return {
        "id": c.id,
        "status": c.status,
        "base": None if c.base is None else c.base.to_json(),
        "head": None if c.head is None else c.head.to_json(),
        "base_cost_per_call_at_head_prices": usd_value(c.base_at_head_prices),
        "monthly_delta": usd_value(c.monthly_delta),
        "code_monthly_delta": usd_value(c.code_monthly_delta),
        "call_increase": None if c.call_increase is None else round(c.call_increase, 6),
        "effects": [
            {
                "cause": e.cause,
                "per_call": usd_value(e.per_call),
                "per_month": usd_value(e.per_month),
                "detail": e.detail,
            }
            for e in c.effects
        ],
    }


def _diff_parts(d: DiffResult) -> tuple[list[tuple[str, str]], list[Section], dict[str, object]]:
    delta = d.head_monthly - d.base_monthly
    inc = d.code_increase
    pct = "" if inc is None else (" (from $0)" if inc == float("inf") else f" ({inc:+.1%})")
    by_cause = d.by_cause()
    headline = [
        (
            "total",
            f"{fmt_usd(d.base_monthly)} -> {fmt_usd(d.head_monthly)}/month ({_signed(delta)})",
        ),
        ("the code's change", f"{_signed(d.code_delta)}/month{pct}, price-table changes excluded"),
    ]
    if by_cause:
        headline.append(("by cause", ", ".join(f"{k} {_signed(v)}" for k, v in by_cause.items())))
    if "price" in by_cause:
        headline.append(
            (
                "price tables",
                f"v{d.base.pricing.version} -> "
                f"v{d.head.pricing.version}: {_signed(by_cause['price'])}/month, "
                "not blamed on the code",
            )
        )
    unpriced = d.not_comparable
    if unpriced:
        headline.append(
            (
                "unpriced",
                f"{len(unpriced)} call site(s) unpriced in the head: "
                "their change is unknown and not counted (see --max-unpriced-share)",
            )
        )
    changed = tuple(_change_row(c) for c in d.changes if c.status != "unchanged")
    sections = [
        Section(
            "Changed call sites",
            _CHANGE_COLUMNS,
            changed,
            () if changed else ("no call site changed",),
        )
    ]
    if by_cause:
        sections.append(
            Section(
                "By cause",
                (Col("cause", "cause"), Col("usd_per_month", "per month", "usd")),
                tuple({"cause": k, "usd_per_month": v} for k, v in by_cause.items()),
            )
        )
    if d.units:
        rows = []
        for u in d.units:

            def val(unit: LogUnit | None, key: str, money: bool) -> str:
                x = None if unit is None else getattr(unit, key)
                if x is None:
                    return "—"
                return fmt_usd(x) if money else f"{x:,.0f}"

            rows.append(
                {
                    "feature": u.feature,
                    "model": u.model,
                    "per_call": f"{val(u.base, 'cost_per_call', True)} -> "
                    f"{val(u.head, 'cost_per_call', True)}",
                    "p95": f"{val(u.base, 'p95_latency_ms', False)} -> "
                    f"{val(u.head, 'p95_latency_ms', False)} ms",
                    "p95_change": "—" if u.p95_increase is None else f"{u.p95_increase:+.1%}",
                }
            )
        sections.append(
            Section(
                "Measured from logs",
                (
                    Col("feature", "feature"),
                    Col("model", "model"),
                    Col("per_call", "per call"),
                    Col("p95", "p95 latency"),
                    Col("p95_change", "p95 change"),
                ),
                tuple(rows),
            )
        )
    data: dict[str, object] = {
        "base": {
            "tool_version": d.base.tool_version,
            "pricing_version": d.base.pricing.version,
            "priced_on": d.base.priced_on,
        },
        "head": {
            "tool_version": d.head.tool_version,
            "pricing_version": d.head.pricing.version,
            "priced_on": d.head.priced_on,
        },
        "totals": {
            "base_monthly": usd_value(d.base_monthly),
            "head_monthly": usd_value(d.head_monthly),
            "base_monthly_at_head_prices": usd_value(d.base_at_head_prices),
            "code_delta_monthly": usd_value(d.code_delta),
            "code_increase": None if inc is None or inc == float("inf") else round(inc, 6),
            "by_cause": {k: usd_value(v) for k, v in by_cause.items()},
            "unpriced_sites": [c.id for c in unpriced],
            "new_unpriced_share": round(d.new_unpriced_share, 6),
        },
        "changes": [_change_json(c) for c in d.changes],
        "logs": [
            {
                "feature": u.feature,
                "model": u.model,
                "base": None if u.base is None else u.base.to_json(),
                "head": None if u.head is None else u.head.to_json(),
                "p95_delta_ms": u.p95_delta_ms,
            }
            for u in d.units
        ],
    }
    return headline, sections, data


def diff_report(d: DiffResult) -> Report:
    headline, sections, data = _diff_parts(d)
    return Report(
        command="diff",
        title="LLM cost diff",
        headline=tuple(headline),
        sections=tuple(sections),
        pricing=d.head.pricing,
        data=data,
        notes=d.notes,
    )


def gate_report(g: GateResult) -> Report:
    headline, sections, data = _diff_parts(g.diff)
    failed = g.failed
    if g.baseline_updated:
        verdict = "baseline updated" + (
            f" ({len(failed)} threshold(s) were crossed)" if failed else ""
        )
    elif failed:
        verdict = "FAILED: " + "; ".join(
            f"{c.limit.key} {c.actual} > {c.limit.text}" for c in failed
        )
    else:
        verdict = "passed" + ("" if g.checks else " (no thresholds set)")
    rows: list[Mapping[str, object]] = [
        {
            "threshold": c.limit.key,
            "limit": c.limit.text,
            "actual": c.actual,
            "result": "FAIL" if not c.passed else ("pass" if c.evaluated else "skipped"),
            "offenders": ", ".join(c.offenders) or "—",
            "set_by": c.limit.source,
        }
        for c in g.checks
    ]
    checks = Section(
        "Thresholds",
        (
            Col("threshold", "threshold"),
            Col("limit", "limit"),
            Col("actual", "actual"),
            Col("result", "result"),
            Col("offenders", "over the limit"),
            Col("set_by", "set by"),
        ),
        tuple(rows),
    )
    data = {
        **data,
        "verdict": "updated" if g.baseline_updated else ("failed" if failed else "passed"),
        "checks": [
            {
                "threshold": c.limit.key,
                "limit": c.limit.value,
                "unit": c.limit.unit,
                "actual": c.actual,
                "passed": c.passed,
                "evaluated": c.evaluated,
                "offenders": list(c.offenders),
                "set_by": c.limit.source,
            }
            for c in g.checks
        ],
    }
    title = "LLM cost gate: " + ("FAILED" if failed and not g.baseline_updated else "passed")
    return Report(
        command="gate",
        title=title,
        headline=(("verdict", verdict), *headline),
        sections=(checks, *sections),
        pricing=g.diff.head.pricing,
        data=data,
        notes=(*g.notes, *g.diff.notes),
        exit_code=g.exit_code,
    )
