"""The estimate report: per-model costs side by side, the shape, the cascade, what to save."""

from __future__ import annotations

from llm_audit.analyses.estimate import DAYS_PER_MONTH, EstimateResult
from llm_audit.pricing.tables import Provenance
from llm_audit.report.model import Col, Report, SavingsItem, Section, fmt_usd, usd_value

_COLUMNS = (
    Col("model", "model"),
    Col("input_tokens", "input tok", "int"),
    Col("cached_tokens", "cached", "int"),
    Col("output_tokens", "output tok", "int"),
    Col("cost_per_call", "per call", "usd"),
    Col("cost_per_user_month", "per user-month", "usd"),
    Col("cost_per_month", "per month", "usd"),
    Col("output_share", "output share", "pct"),
    Col("shape", "shape"),
)


def estimate_report(result: EstimateResult, pricing: Provenance) -> Report:
    s = result.shape
    calls_month = s.calls_per_user_day * DAYS_PER_MONTH
    rows = []
    notes: list[str] = []
    for e in result.models:
        rows.append({
            "model": e.model, "input_tokens": e.input_tokens, "cached_tokens": e.cached_tokens,
            "output_tokens": e.output_tokens, "cost_per_call": e.cost_per_call,
            "cost_per_user_month": e.cost_per_user_month, "cost_per_month": e.cost_per_month,
            "output_share": e.output_share, "shape": e.shape_label,
        })
        if not e.token_count_exact:
            notes.append(f"{e.model}: input tokens are an estimate ({e.token_encoding}); "
                         f"{e.provider} does not publish its tokenizer")
        if e.long_context:
            notes.append(f"{e.model}: the prompt is over the long-context threshold; the whole "
                         "request is billed at the long-context rate")
    shape_notes = []
    for e in result.models:
        ratio = e.mirror_cost_per_call / e.cost_per_call if e.cost_per_call else 0.0
        shape_notes.append(
            f"{e.model}: {e.shape_label} ({e.output_share:.0%} of the cost is output). The same "
            f"tokens the other way round ({e.output_tokens:,} in, {e.input_tokens:,} out) cost "
            f"{fmt_usd(e.mirror_cost_per_call)} per call, {ratio:.2f}x this shape.")
    sections = [Section("Cost by model", _COLUMNS, tuple(rows), tuple(shape_notes))]

    savings: list[SavingsItem] = []
    for e in result.models:
        if e.batch_cost_per_call is not None and e.batch_cost_per_call < e.cost_per_call:
            savings.append(SavingsItem(
                f"{e.model}: use the batch API",
                (e.cost_per_call - e.batch_cost_per_call) * calls_month * s.users,
                "the calls need no answer within seconds (batch results arrive within 24 h)"))
        if e.half_cached_cost_per_call is not None and \
                e.half_cached_cost_per_call < e.cost_per_call:
            savings.append(SavingsItem(
                f"{e.model}: put the static half of the prompt first and cache it",
                (e.cost_per_call - e.half_cached_cost_per_call) * calls_month * s.users,
                f"half of the {e.input_tokens:,} input tokens are a static prefix read from "
                "the provider's prompt cache (cache writes not counted)"))
    for cm in result.cheaper:
        savings.append(SavingsItem(
            f"{cm.for_model}: route to {cm.model}", cm.saving_per_month,
            f"{cm.model} answers this task as well; check with an eval before you switch"))
    data: dict[str, object] = {
        "shape": {"input_tokens": s.input_tokens, "cached_tokens": s.cached_tokens,
                  "output_tokens": s.output_tokens, "service_tier": s.service_tier,
                  "calls_per_user_day": s.calls_per_user_day, "users": s.users,
                  "days_per_month": DAYS_PER_MONTH, "prompt_file": result.prompt_file},
        "models": [
            {"model": e.model, "provider": e.provider, "input_tokens": e.input_tokens,
             "input_tokens_exact": e.token_count_exact, "token_encoding": e.token_encoding,
             "cached_tokens": e.cached_tokens, "output_tokens": e.output_tokens,
             "cost_input": usd_value(e.cost_input),
             "cost_cache_read": usd_value(e.cost_cache_read),
             "cost_output": usd_value(e.cost_output),
             "cost_per_call": usd_value(e.cost_per_call),
             "cost_per_user_month": usd_value(e.cost_per_user_month),
             "cost_per_month": usd_value(e.cost_per_month),
             "output_share": round(e.output_share, 6), "shape": e.shape_label,
             "mirror_cost_per_call": usd_value(e.mirror_cost_per_call),
             "long_context": e.long_context, "price_source": e.source,
             "price_checked": e.checked}
            for e in result.models
        ],
    }
    if result.cascade is not None:
        c = result.cascade
        sections.append(Section(
            "Cascade: small first, escalate to large",
            (Col("strategy", "strategy"), Col("per_call", "per call", "usd"),
             Col("per_month", "per month", "usd")),
            ({"strategy": f"{c.small} then {c.large} for {c.escalation_rate:.0%}",
              "per_call": c.cascade_cost_per_call, "per_month": c.cascade_cost_per_month},
             {"strategy": f"always {c.large}", "per_call": c.large_cost_per_call,
              "per_month": c.large_cost_per_month}),
            (f"every call pays {c.small}; {c.escalation_rate:.0%} also pay {c.large}",),
        ))
        data["cascade"] = {
            "small": c.small, "large": c.large, "escalation_rate": c.escalation_rate,
            "cascade_cost_per_call": usd_value(c.cascade_cost_per_call),
            "large_cost_per_call": usd_value(c.large_cost_per_call),
            "cascade_cost_per_month": usd_value(c.cascade_cost_per_month),
            "large_cost_per_month": usd_value(c.large_cost_per_month),
        }
        if c.cascade_cost_per_month < c.large_cost_per_month:
            savings.append(SavingsItem(
                f"cascade {c.small} -> {c.large}",
                c.large_cost_per_month - c.cascade_cost_per_month,
                f"{c.small} settles {1 - c.escalation_rate:.0%} of calls on its own"))
    savings.sort(key=lambda item: -item.usd_per_month)
    first = result.models[0]
    headline = (
        ("per call", f"{fmt_usd(first.cost_per_call)} ({first.model})"),
        ("per active user / month", f"{fmt_usd(first.cost_per_user_month)} "
         f"({s.calls_per_user_day:g} calls/day x {DAYS_PER_MONTH} days)"),
        ("per month", f"{fmt_usd(first.cost_per_month)} ({s.users:,} monthly active users)"),
        ("service tier", s.service_tier),
    )
    return Report(
        command="estimate",
        title="llm-audit estimate",
        headline=headline,
        sections=tuple(sections),
        pricing=pricing,
        data=data,
        savings=tuple(savings),
        notes=tuple(notes),
    )
