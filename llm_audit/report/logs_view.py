"""The logs report: the four questions first, then latency, cost, caching, routing, savings."""

from __future__ import annotations

from collections.abc import Mapping

from llm_audit.analyses.logs import SHORT_INPUT, SHORT_OUTPUT, LogsResult
from llm_audit.pricing.tables import Provenance
from llm_audit.report.model import (
    Col,
    Kind,
    Report,
    SavingsItem,
    Section,
    fmt_usd,
    json_cell,
    usd_value,
)

_COST_COLS = (Col("requests", "requests", "int"), Col("input_tokens", "input tok", "int"),
              Col("output_tokens", "output tok", "int"), Col("cost", "cost", "usd"),
              Col("share", "share", "pct"), Col("output_share", "output share", "pct"),
              Col("unpriced_requests", "unpriced", "int"))
_LATENCY = (Col("model", "model"), Col("feature", "feature"), Col("requests", "n", "int"),
            Col("p50", "p50 ms", "float"), Col("p95", "p95 ms", "float"),
            Col("p99", "p99 ms", "float"), Col("max", "max ms", "float"),
            Col("ttft_p50", "ttft p50", "float"), Col("ttft_p95", "ttft p95", "float"),
            Col("ttft_p99", "ttft p99", "float"), Col("tokens_per_s", "out tok/s", "float"),
            Col("stream_share", "streamed", "pct"))
_BUDGET = (Col("model", "model"), Col("feature", "feature"), Col("requests", "n", "int"),
           Col("latency_p50", "total p50 ms", "float"), Col("ttft_p50", "ttft p50 ms", "float"),
           Col("generation_p50", "generation p50 ms", "float"),
           Col("ttft_share", "ttft share", "pct"))


def _pct(x: float | None) -> str:
    return "—" if x is None or x != x else f"{x:.1%}"


def _ms(x: float) -> str:
    return "—" if x != x else f"{x:,.0f} ms"


def _rows_json(rows: tuple[Mapping[str, object], ...], cols: tuple[Col, ...]
               ) -> list[dict[str, object]]:
    kinds: dict[str, Kind] = {c.key: c.kind for c in cols}
    return [{k: json_cell(v, kinds.get(k, "text")) for k, v in r.items()} for r in rows]


def _section(title: str, cols: tuple[Col, ...], rows: tuple[Mapping[str, object], ...],
             notes: tuple[str, ...] = (), empty: str = "none found") -> Section:
    """A section; an empty one keeps its title and says what was looked for."""
    if rows:
        return Section(title, cols, rows, notes)
    return _notes(title, (empty, *notes))


def _notes(title: str, lines: tuple[str, ...]) -> Section:
    """Text-only findings as a one-column table, so every renderer draws them."""
    return Section(title, (Col("note", "finding"),), tuple({"note": n} for n in lines))


def logs_report(r: LogsResult, pricing: Provenance) -> Report:
    c = r.cost_per_call
    u = r.cost_per_user_month
    headline: list[tuple[str, str]] = [
        ("requests", f"{r.requests:,} ({r.priced_requests:,} priced)"),
        ("window", f"{r.first_seen or '?'} .. {r.last_seen or '?'} ({r.window_days:.1f} days; "
                   f"monthly = x{r.month_factor:.2f})"),
        ("total cost", f"{fmt_usd(r.total_cost)} (about {fmt_usd(r.total_cost * r.month_factor)}"
                       "/month)" + (f"; billed by the gateway: {fmt_usd(r.billed_usd)}"
                                    if r.billed_usd is not None else "")),
        ("cost per call", f"mean {fmt_usd(c.mean)}, p50 {fmt_usd(c.p50)}, p95 {fmt_usd(c.p95)}, "
                          f"max {fmt_usd(c.max)}" if c.n else "no priced calls"),
    ]
    if r.user_source == "user column":
        headline.append(("cost per active user-month",
                         f"{r.users_active:,} users: mean {fmt_usd(u.mean)}, p50 "
                         f"{fmt_usd(u.p50)}, p95 {fmt_usd(u.p95)}; top: "
                         + ", ".join(f"{t['user']} {fmt_usd(t['cost_per_month'])}"
                                     for t in r.top_users[:3])))
    elif r.user_source == "--users":
        headline.append(("cost per active user-month",
                         f"{fmt_usd(u.mean)} ({r.users_active:,} users from --users)"))
    else:
        headline.append(("cost per active user-month", "no user column; pass --users N"))
    lb = r.latency_budget
    if lb:
        # The busiest streamed path says most about waiting users; else the slowest path.
        timed = [x for x in lb if x.get("ttft_share") is not None]
        slowest = max(timed, key=lambda x: int(x["requests"])) if timed else max(  # type: ignore[call-overload]
            lb, key=lambda x: float(x.get("latency_p50") or 0.0))  # type: ignore[arg-type]
        share = slowest.get("ttft_share")
        headline.append(("latency budget", f"{slowest['model']} / {slowest['feature']}"
                         f" p50 {_ms(float(slowest['latency_p50']))}"  # type: ignore[arg-type]
                         + (f", {_pct(share)} waiting for the first token"  # type: ignore[arg-type]
                            if share is not None else ", no time-to-first-token in the log")))
    v = r.verdict
    headline.append(("bites first", v.text + ("" if v.latency_budget_stated else
                     f" (default latency budget {v.latency_budget_ms:,.0f} ms)") +
                     ("" if v.cost_budget_stated else
                      f" (default budget ${v.cost_budget:,.2f}/user-month)")))
    if r.contradiction_count:
        headline.append(("set aside", f"{r.contradiction_count:,} row(s) whose token counts "
                         "contradict each other are not in any figure (see data quality)"))
    if r.unpriced:
        n = sum(int(x["requests"]) for x in r.unpriced)  # type: ignore[call-overload]
        n -= r.audio_unpriced_requests  # priced for their text; only their audio is not
        if n:
            headline.append(("UNPRICED", f"{n:,} requests have no price; their cost is NOT in "
                             "the totals (see the unpriced section)"))
        if r.audio_unpriced_requests:
            headline.append(("UNPRICED audio", f"{r.audio_unpriced_requests:,} requests carry "
                             "audio tokens, which have no price: only their text is in the "
                             "totals (see the unpriced section)"))

    # The primary table (what --format csv writes): cost by the --group-by keys, else model.
    primary = list(r.cost_by)[-1] if len(r.cost_by) > 4 else "model"
    key_cols = tuple(Col(k, k) for k in primary.split("+"))
    sections: list[Section] = [Section(f"Cost by {primary.replace('+', ', ')}",
                                       (*key_cols, *_COST_COLS), r.cost_by[primary])]
    if r.unpriced:
        sections.append(Section("UNPRICED usage (not in any total)", (
            Col("model", "model as logged"), Col("requests", "requests", "int"),
            Col("input_tokens", "input tok", "int"), Col("output_tokens", "output tok", "int"),
            Col("share", "share of requests", "pct"), Col("reason", "why")), r.unpriced,
            ("add a price with --pricing FILE",)))
    sections.append(Section("Latency budget: time to first token against generation", _BUDGET,
                            r.latency_budget))
    lat_notes = [f"streamed: {_pct(r.streaming_share)} of requests whose stream flag is known"]
    for s in r.slow_ttft:
        lat_notes.append(f"{s['model']} / {s['feature']}: p95 time to first token "
                         f"{_ms(float(s['ttft_p95']))} is over 1 s")  # type: ignore[arg-type]
    for s in r.long_unstreamed:
        lat_notes.append(f"{s['feature']}: {s['requests']} non-streamed generations over 5 s "
                         f"(p50 {_ms(float(s['latency_p50']))}); streaming would show the first "  # type: ignore[arg-type]
                         "words within the time to first token")
    sections.append(Section("Latency per model and feature", _LATENCY, r.latency,
                            tuple(lat_notes)))
    for key, rows in r.cost_by.items():
        if key != primary:
            sections.append(Section(f"Cost by {key}", (Col(key, key), *_COST_COLS), rows))
    cost_notes = [f"output is {_pct(r.output_cost_share)} of the priced cost"]
    if r.requests_with_body:
        cost_notes.append(f"no max_tokens: {r.no_max_tokens} of {r.requests_with_body} logged "
                          f"requests ({_pct(r.no_max_tokens / r.requests_with_body)})")
    if r.with_finish_reason:
        cost_notes.append(f"truncated (finish reason length): {r.truncated} of "
                          f"{r.with_finish_reason} ({_pct(r.truncated / r.with_finish_reason)})")
    sections.append(Section("Costliest calls", (
        Col("where", "file:line"), Col("model", "model"), Col("feature", "feature"),
        Col("input_tokens", "input tok", "int"), Col("output_tokens", "output tok", "int"),
        Col("cost", "cost", "usd")), r.costliest, tuple(cost_notes)))
    sections.append(Section("Provider prompt cache", (
        Col("model", "model"), Col("input_tokens", "input tok", "int"),
        Col("cache_read_tokens", "cache read", "int"),
        Col("cache_write_tokens", "cache write", "int"), Col("hit_rate", "hit rate", "pct"),
        Col("cost_cache_read", "cache read cost", "usd")), r.cache_by_model))
    sections.append(_section("Shared prompt prefixes (token level)", (
        Col("feature", "feature"), Col("prompts", "prompts", "int"),
        Col("median_prompt_tokens", "median tokens", "float"),
        Col("median_shared_prefix", "median shared prefix", "float"),
        Col("cacheable_share", "prefix >= 1024", "pct"),
        Col("variable_first_share", "variable before static", "pct"),
        Col("reorder_saving", "reorder saves", "usd"), Col("encoding", "tokenizer")),
        r.prefixes, r.prefix_notes, "nothing to analyse"))
    dup_note = (f"a response cache keyed on the exact request would answer "
                f"{_pct(r.response_cache_hit_rate)} of logged requests",) \
        if r.response_cache_hit_rate is not None else ("no request bodies in the log",)
    sections.append(_section("Exact duplicate requests", (
        Col("feature", "feature"), Col("duplicates", "duplicates", "int"),
        Col("requests", "requests", "int"), Col("cost", "cost of duplicates", "usd")),
        r.duplicate_requests, dup_note, "no exact duplicate requests"))
    sections.append(_section("Routing: short frontier calls on a cheaper model", (
        Col("model", "model"), Col("to", "what if"), Col("requests", "requests", "int"),
        Col("share", "share", "pct"), Col("cost", "cost", "usd"),
        Col("what_if", "what-if cost", "usd"),
        Col("saving_per_month", "saves/month", "usd")), r.routing, (),
        f"no frontier-model call with <= {SHORT_INPUT:,} input and <= {SHORT_OUTPUT} output "
        "tokens"))
    sections.append(_section("Batching: non-interactive traffic at batch rates", (
        Col("feature", "feature"), Col("model", "model"), Col("reason", "why"),
        Col("requests", "requests", "int"), Col("cost", "cost", "usd"),
        Col("what_if", "batch cost", "usd"), Col("saving_per_month", "saves/month", "usd")),
        r.batching, (), "no non-streamed call tagged batch/cron and no same-feature bursts in "
        "one trace or session"))
    quality = [f"{s}: {f}" for s, f in ((x["source"], x["format"]) for x in r.inputs)]
    if r.bad_lines:
        quality.append(f"{len(r.bad_lines)} broken line(s) skipped: " + "; ".join(r.bad_lines[:5]))
    if r.skipped:
        quality.append(f"{len(r.skipped)} record(s) without usage: " + "; ".join(r.skipped[:5]))
    if r.contradiction_count:
        quality.append(f"{r.contradiction_count} row(s) with contradictory counts left out: "
                       + "; ".join(r.contradictions[:5]))
    if r.timing_contradiction_count:
        quality.append(f"{r.timing_contradiction_count} row(s) with contradictory timings "
                       "(priced, left out of latency): " + "; ".join(r.timing_contradictions[:5]))
    if r.duplicate_ids:
        quality.append(f"{r.duplicate_ids} repeated request id(s) counted once: "
                       + "; ".join(r.duplicate_examples[:5]))
    if r.transcript_duplicates:
        quality.append(f"{r.transcript_duplicates} transcript line(s) repeating a message's "
                       "usage de-duplicated (message id + request id)")
    if r.filtered_out:
        quality.append(f"{r.filtered_out} request(s) outside --since/--until")

    savings = tuple(SavingsItem(lv.lever, lv.usd_per_month, lv.assumption) for lv in r.levers)
    data: dict[str, object] = {
        "requests": r.requests, "priced_requests": r.priced_requests,
        "total_cost": usd_value(r.total_cost),
        "monthly_cost": usd_value(r.total_cost * r.month_factor),
        "billed_usd": usd_value(r.billed_usd),
        "window": {"first": r.first_seen, "last": r.last_seen, "days": r.window_days,
                   "month_factor": r.month_factor},
        "cost_per_call": r.cost_per_call.to_dict(),
        "cost_per_user_month": {"source": r.user_source, "users": r.users_active,
                                **r.cost_per_user_month.to_dict()},
        "top_users": _rows_json(r.top_users, (Col("cost_per_month", "", "usd"),)),
        "bites_first": {"which": v.first, "text": v.text, "latency_p95_ms":
                        None if v.latency_p95_ms != v.latency_p95_ms else v.latency_p95_ms,
                        "latency_budget_ms": v.latency_budget_ms,
                        "cost_per_user_month": usd_value(v.cost_user_month),
                        "budget_per_user_month": v.cost_budget},
        "latency_budget": _rows_json(r.latency_budget, _BUDGET),
        "latency": _rows_json(r.latency, _LATENCY),
        "streaming_share": r.streaming_share,
        "cost_by": {k: _rows_json(rows, _COST_COLS) for k, rows in r.cost_by.items()},
        "output_cost_share": r.output_cost_share,
        "no_max_tokens": {"requests": r.no_max_tokens, "of": r.requests_with_body},
        "truncated": {"requests": r.truncated, "of": r.with_finish_reason},
        "costliest": _rows_json(r.costliest, (Col("cost", "", "usd"),)),
        "cache": _rows_json(r.cache_by_model, (Col("cost_cache_read", "", "usd"),)),
        "prefixes": _rows_json(r.prefixes, (Col("reorder_saving", "", "usd"),)),
        "duplicate_requests": _rows_json(r.duplicate_requests, (Col("cost", "", "usd"),)),
        "response_cache_hit_rate": r.response_cache_hit_rate,
        "routing": _rows_json(r.routing, (Col("cost", "", "usd"), Col("what_if", "", "usd"),
                                          Col("saving_per_month", "", "usd"))),
        "batching": _rows_json(r.batching, (Col("cost", "", "usd"), Col("what_if", "", "usd"),
                                            Col("saving_per_month", "", "usd"))),
        "unpriced": list(r.unpriced),
        "data_quality": {"inputs": list(r.inputs), "bad_lines": list(r.bad_lines),
                         "skipped": list(r.skipped), "contradictions": list(r.contradictions),
                         "contradiction_count": r.contradiction_count,
                         "timing_contradictions": list(r.timing_contradictions),
                         "timing_contradiction_count": r.timing_contradiction_count,
                         "duplicate_request_ids": r.duplicate_ids,
                         "duplicate_examples": list(r.duplicate_examples),
                         "transcript_duplicates": r.transcript_duplicates,
                         "missing_timestamps": r.missing_timestamps,
                         "filtered_out": r.filtered_out},
        "savings": [s.to_dict() for s in savings],
    }
    sections.append(_notes("Inputs and data quality", tuple(quality)))
    return Report("logs", "llm-audit logs: cost and latency per request", tuple(headline),
                  tuple(sections), pricing, data, savings, tuple(r.notes))
