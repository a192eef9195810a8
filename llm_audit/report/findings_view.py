"""The prompts report: findings grouped by file, priced, and the pre-ship checklist."""

from __future__ import annotations

import inspect
from collections import Counter

from llm_audit.analyses.prompts import DEFAULT_OUTPUT_TOKENS, PromptsResult, SiteCost
from llm_audit.lint.engine import Finding
from llm_audit.lint.rules import RULES
from llm_audit.report.model import Col, Report, SavingsItem, Section, fmt_usd, usd_value

TOKENS_PER_SECOND = 50  # a stated, typical decode speed for the latency answer
COST_RULES = {"LLM001", "LLM002", "LLM003", "LLM005", "LLM007", "LLM009"}
LATENCY_RULES = {"LLM003", "LLM004", "LLM006"}
_FILE_COLUMNS = (
    Col("line", "line", "int"),
    Col("code", "rule"),
    Col("severity", "severity"),
    Col("cost_per_call", "per call", "usd"),
    Col("usd_per_month", "at stake/month", "usd"),
    Col("message", "finding"),
)


def rule_docs() -> list[dict[str, object]]:
    return [
        {
            "code": r.code,
            "name": r.name,
            "severity": r.severity,
            "confidence": r.confidence,
            "summary": r.summary,
            "doc": inspect.cleandoc(type(r).__doc__ or ""),
        }
        for r in RULES
    ]


def _finding_dict(f: Finding, cost: SiteCost | None) -> dict[str, object]:
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity,
        "confidence": f.confidence,
        "path": f.path,
        "line": f.line,
        "column": f.col,
        "message": f.message,
        "fix": f.fix,
        "source": f.source_line,
        "function": f.site.function,
        "sdk": f.site.sdk,
        "api": f.site.api,
        "model": f.site.model,
        "priced_model": cost.priced_model if cost else None,
        "unpriced_reason": cost.unpriced_reason if cost else "",
        "static_prompt_tokens": cost.static_tokens if cost else None,
        "static_prompt_tokens_exact": cost.tokens_exact if cost else None,
        "output_tokens": cost.output_tokens if cost else None,
        "output_tokens_assumed": cost.output_assumed if cost else None,
        "cost_per_call": usd_value(cost.cost_per_call) if cost else None,
        "calls_per_month": cost.calls_per_month if cost else None,
        "calls_source": cost.calls_source if cost else None,
        "usd_per_month_at_stake": usd_value(cost.usd_per_month) if cost else None,
        "fingerprint": f.fingerprint,
    }


def _priced_by(f: Finding, cost: SiteCost | None) -> str:
    """The line under a finding that says what its dollar figures rest on."""
    model = f.site.model or "model not visible"
    if cost is None:
        return f"model: {model}"
    tokens = f"{cost.static_tokens:,} static prompt tokens"
    if cost.static_tokens and not cost.tokens_exact:
        tokens += " (estimate)"
    out = f"{cost.output_tokens:,} output" + (" (assumed)" if cost.output_assumed else "")
    calls = f"{cost.calls_per_month:,} calls/month ({cost.calls_source})"
    if cost.cost_per_call is None:
        return f"model: {model}, UNPRICED: {cost.unpriced_reason}"
    return f"model: {model}; {tokens}, {out}; {calls}"


def _checklist(result: PromptsResult) -> tuple[list[dict[str, str]], list[str]]:
    costs = [c for c in result.costs if c.cost_per_call is not None]
    unpriced = [c for c in result.costs if c.cost_per_call is None]
    codes = Counter(f.code for f in result.lint.findings)
    rows: list[dict[str, str]] = []
    if costs:
        lo = min(costs, key=lambda c: c.cost_per_call or 0.0)
        hi = max(costs, key=lambda c: c.cost_per_call or 0.0)
        answer = (
            f"{fmt_usd(lo.cost_per_call)} ({lo.path}:{lo.line}) to "
            f"{fmt_usd(hi.cost_per_call)} ({hi.path}:{hi.line}) across {len(costs)} "
            "priced call site(s); static prompt text only, output at the cap or "
            f"{DEFAULT_OUTPUT_TOKENS} tokens"
        )
    else:
        answer = "no call site could be priced from the code alone"
    if unpriced:
        answer += f"; {len(unpriced)} call site(s) UNPRICED (model not visible or unknown)"
    rows.append({"question": "What does one call cost?", "answer": answer})
    if costs:
        per_day = sum(c.cost_per_call or 0.0 for c in costs) * 30
        rows.append(
            {
                "question": "What does one user cost per month?",
                "answer": f"{fmt_usd(per_day)} if each active user triggers every priced "
                "call site once a day (30 days); code cannot tell calls per "
                "user: check your logs (`llm-audit logs`)",
            }
        )
    else:
        rows.append(
            {
                "question": "What does one user cost per month?",
                "answer": "unknown: no priced call site",
            }
        )
    caps = [c.output_tokens for c in result.costs if not c.output_assumed]
    no_timeout = codes.get("LLM004", 0)
    longest = max(caps, default=0)
    latency = (
        f"the largest output cap is {longest:,} tokens, about "
        f"{longest / TOKENS_PER_SECOND:.0f} s at {TOKENS_PER_SECOND} tokens/s"
        if caps
        else "no call site has a visible output cap"
    )
    latency += (
        f"; {no_timeout} call site(s) have no timeout (SDK default: 10 minutes)"
        if no_timeout
        else "; every call site with a visible client has a timeout"
    )
    rows.append({"question": "Does it fit the latency budget?", "answer": latency})
    cost_n = sum(n for c, n in codes.items() if c in COST_RULES)
    lat_n = sum(n for c, n in codes.items() if c in LATENCY_RULES)
    if not result.lint.findings:
        bites = "nothing this code shows; watch the monthly total as usage grows"
    elif cost_n >= lat_n:
        top = max(result.costs, key=lambda c: c.usd_per_month or 0.0, default=None)
        where = (
            f"; the costliest site is {top.path}:{top.line}" if top and top.usd_per_month else ""
        )
        bites = f"cost: {cost_n} cost finding(s) against {lat_n} latency finding(s){where}"
    else:
        bites = f"latency: {lat_n} latency finding(s) against {cost_n} cost finding(s)"
    rows.append({"question": "Which bites first?", "answer": bites})
    by_hand = [
        "calls per user and per month: set [tool.llm-audit.usage] from real traffic",
        "prompt length at run time: variable parts (user input, retrieved text) are not counted",
        "models chosen at run time (config, env): priced only where the code names them",
        "whether the provider cache actually hits: compare cached tokens in logs",
        "timeouts and retries set outside this code (gateway, proxy, env vars)",
    ]
    return rows, by_hand


_FLAT_COLUMNS = (
    Col("path", "file"),
    Col("line", "line", "int"),
    Col("code", "rule"),
    Col("name", "name"),
    Col("severity", "severity"),
    Col("confidence", "confidence"),
    Col("model", "model"),
    Col("static_prompt_tokens", "static tokens", "int"),
    Col("cost_per_call", "per call", "usd"),
    Col("usd_per_month_at_stake", "at stake/month", "usd"),
    Col("message", "finding"),
    Col("fix", "fix"),
)


def findings_report(result: PromptsResult, *, flat: bool = False) -> Report:
    """The report; ``flat`` puts every finding in one first table (for CSV: one row each)."""
    lint = result.lint
    rows_by_file: dict[str, list[dict[str, object]]] = {}
    findings = []
    for f in lint.findings:
        cost = result.cost_of(f.site)
        findings.append(_finding_dict(f, cost))
        rows_by_file.setdefault(f.path, []).append(
            {
                "line": f.line,
                "code": f"{f.code} {f.name}",
                "severity": f.severity,
                "cost_per_call": cost.cost_per_call if cost else None,
                "usd_per_month": cost.usd_per_month if cost else None,
                "message": f"{f.message}\n> {f.source_line}\nfix: {f.fix}\n{_priced_by(f, cost)}",
            }
        )
    sections = [Section(path, _FILE_COLUMNS, tuple(rows)) for path, rows in rows_by_file.items()]
    if flat:
        sections = [Section("Findings", _FLAT_COLUMNS, tuple(findings))]
    if lint.warnings:
        sections.append(
            Section(
                "Files not analysed",
                (Col("where", "file"), Col("message", "problem")),
                tuple({"where": f"{w.path}:{w.line}", "message": w.message} for w in lint.warnings),
            )
        )
    if lint.unused_suppressions:
        sections.append(
            Section(
                "Unused suppressions",
                (Col("where", "where"), Col("message", "problem")),
                tuple(
                    {"where": f"{u.path}:{u.line}", "message": u.message}
                    for u in lint.unused_suppressions
                ),
            )
        )
    checklist, by_hand = _checklist(result)
    sections.append(
        Section(
            "Pre-ship checklist",
            (Col("question", "question"), Col("answer", "answer for this code")),
            tuple(checklist),
            tuple(f"check by hand: {b}" for b in by_hand),
        )
    )
    sev = Counter(f.severity for f in lint.findings)
    flagged = {(f.site.path, f.site.line) for f in lint.findings}
    at_stake = sum(c.usd_per_month or 0.0 for c in result.costs if (c.path, c.line) in flagged)
    headline = (
        ("files", f"{lint.files_scanned:,} scanned, {lint.files_parsed:,} with LLM calls parsed"),
        ("call sites", f"{len(lint.sites):,}"),
        (
            "findings",
            ", ".join(f"{sev[s]} {s}" for s in ("error", "warning", "info") if sev[s]) or "none",
        ),
        ("at stake", f"{fmt_usd(at_stake)}/month across call sites with findings"),
    )
    notes = []
    if any(c.calls_source == "assumed default" for c in result.costs):
        notes.append(
            f"calls per month: {result.default_calls:,} per call site where "
            "[tool.llm-audit.usage] says nothing (an assumption, not a measurement)"
        )
    if any(not c.tokens_exact for c in result.costs if c.static_tokens):
        notes.append(
            "static prompt tokens of non-OpenAI models are estimates (o200k_base); "
            "those providers do not publish their tokenizers"
        )
    if lint.baselined:
        notes.append(f"{lint.baselined} finding(s) already in the baseline are not shown")
    notes.append(
        "dollars at stake = cost per call x calls per month of the call site a "
        "finding is on; cost per call counts static prompt text only"
    )
    data: dict[str, object] = {
        "summary": {
            "files_scanned": lint.files_scanned,
            "files_parsed": lint.files_parsed,
            "call_sites": len(lint.sites),
            "findings": len(lint.findings),
            "by_severity": dict(sev),
            "baselined": lint.baselined,
            "fail_on": result.fail_on,
            "usd_per_month_at_stake": usd_value(at_stake),
            "default_calls_per_month": result.default_calls,
            "default_output_tokens": DEFAULT_OUTPUT_TOKENS,
        },
        "findings": findings,
        "warnings": [{"path": w.path, "line": w.line, "message": w.message} for w in lint.warnings],
        "unused_suppressions": [
            {"path": u.path, "line": u.line, "message": u.message} for u in lint.unused_suppressions
        ],
        "checklist": checklist,
        "check_by_hand": by_hand,
        "rules": rule_docs(),
    }
    savings = _savings(result)
    data["savings"] = [item.to_dict() for item in savings]
    return Report(
        "prompts",
        "llm-audit prompts: LLM call sites",
        headline,
        tuple(sections),
        result.pricing,
        data,
        savings=savings,
        notes=tuple(notes),
        exit_code=result.exit_code,
    )


def _savings(result: PromptsResult) -> tuple[SavingsItem, ...]:
    """One lever per call site and finding kind, priced by the engine, largest first."""
    items: dict[tuple[str, int, str], SavingsItem] = {}
    for f in result.lint.findings:
        cost = result.cost_of(f.site)
        if cost is None:
            continue
        where = f"{f.path}:{f.line}"
        if f.code in ("LLM001", "LLM009") and cost.cached_prefix_tokens:
            usd = cost.saving(cost.cost_cached_per_call)
            if usd:
                items[(f.path, f.site.line, "cache")] = SavingsItem(
                    f"{where}: the static prompt first, and cached",
                    usd,
                    f"the {cost.cached_prefix_tokens:,} static prompt tokens, put first, are "
                    f"read from the provider cache on every call ({cost.calls_per_month:,} "
                    "calls/month; cache writes not counted)",
                )
        if f.code == "LLM003":
            usd = cost.saving(cost.cost_batch_per_call)
            if usd:
                items[(f.path, f.site.line, "batch")] = SavingsItem(
                    f"{where}: the Batch API for the per-item loop",
                    usd,
                    "the items need no answer within seconds (batch results arrive within "
                    f"24 h); {cost.calls_per_month:,} calls/month",
                )
        if f.code == "LLM005" and cost.small_model:
            usd = cost.saving(cost.cost_small_per_call)
            if usd:
                items[(f.path, f.site.line, "route")] = SavingsItem(
                    f"{where}: route to {cost.small_model}",
                    usd,
                    f"{cost.small_model} does this task as well (check with an eval first); "
                    f"{cost.calls_per_month:,} calls/month",
                )
    return tuple(sorted(items.values(), key=lambda i: -i.usd_per_month))
