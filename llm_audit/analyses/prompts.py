"""`prompts`: lint findings priced: cost per call at each call site and dollars per month at stake.

The static prompt text of each call site is counted with the model's real tokenizer (an o200k
estimate where the provider publishes none) and priced by the same vectorised engine as bills
and logs. Output tokens are the call's cap when it has one, else a stated default. Calls per
month come from ``[tool.llm-audit.usage]`` or a stated default.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llm_audit.lint.callsite import CallSite
from llm_audit.lint.config import LintConfig
from llm_audit.lint.engine import Finding, LintResult, apply_baseline, lint
from llm_audit.lint.rules.base import SEVERITY_RANK, Confidence
from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.tables import Provenance

DEFAULT_OUTPUT_TOKENS = 500  # when the call has no visible output cap; stated in the report


@dataclass(frozen=True)
class SiteCost:
    path: str
    line: int
    function: str
    model: str | None
    priced_model: str | None
    unpriced_reason: str
    static_tokens: int
    tokens_exact: bool
    token_encoding: str
    output_tokens: int
    output_assumed: bool
    cost_per_call: float | None  # None: unpriced (never $0)
    calls_per_month: int
    calls_source: str

    @property
    def usd_per_month(self) -> float | None:
        return None if self.cost_per_call is None else self.cost_per_call * self.calls_per_month


@dataclass(frozen=True)
class PromptsResult:
    lint: LintResult
    costs: tuple[SiteCost, ...]
    fail_on: str
    exit_zero: bool
    default_calls: int
    default_calls_stated: bool
    pricing: Provenance | None = None  # None when there was nothing to price

    def cost_of(self, site: CallSite) -> SiteCost | None:
        for c in self.costs:
            if c.path == site.path and c.line == site.line:
                return c
        return None

    @property
    def failing(self) -> tuple[Finding, ...]:
        floor = SEVERITY_RANK[self.fail_on]
        return tuple(f for f in self.lint.findings if SEVERITY_RANK[f.severity] >= floor)

    @property
    def exit_code(self) -> int:
        return 0 if self.exit_zero or not self.failing else 1


def calls_for(site: CallSite, cfg: LintConfig) -> tuple[int, str]:
    """Calls per month for a call site: the most specific usage key that matches, else default."""
    fn = site.function
    leaf = fn.rsplit(".", 1)[-1]
    for key, n in cfg.usage:
        if key in (f"{site.path}::{fn}", f"{site.path}::{leaf}"):
            return n, f"usage {key!r}"
    for key, n in cfg.usage:
        if "::" not in key and fnmatch.fnmatch(site.path, key):
            return n, f"usage {key!r}"
    src = "usage default" if cfg.default_calls_stated else "assumed default"
    return cfg.default_calls, src


def _output_cap(site: CallSite) -> int | None:
    for k in ("max_completion_tokens", "max_output_tokens", "max_tokens"):
        v = site.const(k)
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            return v
    return None


def price_sites(
    sites: Sequence[CallSite], book: PriceBook, cfg: LintConfig
) -> tuple[SiteCost, ...]:
    """Each call site's static prompt priced with the engine (one vectorised pass)."""
    if not sites:
        return ()
    from llm_audit.pricing.engine import price
    from llm_audit.tokens import count
    from llm_audit.usage.schema import from_records

    records: list[Mapping[str, Any]] = []
    meta = []
    now = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for s in sites:
        text = "".join(p.static_text for p in s.prompt)
        model = s.model or ""
        tc = count(text, model or "unknown") if text else None
        cap = _output_cap(s)
        records.append(
            {
                "timestamp": now,
                "provider": s.provider or "",
                "model_raw": model,
                "requests": 1,
                "input_tokens": tc.tokens if tc else 0,
                "cache_read_tokens": 0,
                "cache_write_5m_tokens": 0,
                "cache_write_1h_tokens": 0,
                "output_tokens": cap or DEFAULT_OUTPUT_TOKENS,
                "reasoning_tokens": 0,
                "service_tier": "batch" if s.is_batch_api else "standard",
            }
        )
        meta.append((s, tc, cap))
    priced = price(from_records(records), book)
    out = []
    for (s, tc, cap), (_, row) in zip(meta, priced.iterrows(), strict=True):
        total = row["cost_total"]
        ok = (
            bool(row["priced"])
            and total is not None
            and not (isinstance(total, float) and math.isnan(total))
        )
        reason = (
            ""
            if ok
            else (
                "the model is not visible in the code (a variable or config)"
                if not s.model
                else str(row.get("unpriced_reason") or "no price for this model")
            )
        )
        calls, source = calls_for(s, cfg)
        out.append(
            SiteCost(
                s.path,
                s.line,
                s.function,
                s.model,
                str(row["model"]) if ok else None,
                reason,
                tc.tokens if tc else 0,
                tc.exact if tc else True,
                tc.encoding if tc else "",
                cap or DEFAULT_OUTPUT_TOKENS,
                cap is None,
                float(total) if ok else None,
                calls,
                source,
            )
        )
    return tuple(out)


def run(
    paths: Sequence[Path],
    cfg: LintConfig,
    book: Callable[[], PriceBook],
    *,
    fail_on: str = "warning",
    exit_zero: bool = False,
    min_confidence: Confidence = "low",
    baseline: Path | None = None,
) -> PromptsResult:
    """Lint, then price the call sites; the price tables load only when there is a call site."""
    result = lint(paths, cfg, min_confidence)
    if baseline is not None:
        result = apply_baseline(result, baseline)
    if not result.sites:
        return PromptsResult(
            result, (), fail_on, exit_zero, cfg.default_calls, cfg.default_calls_stated
        )
    prices = book()
    return PromptsResult(
        result,
        price_sites(result.sites, prices, cfg),
        fail_on,
        exit_zero,
        cfg.default_calls,
        cfg.default_calls_stated,
        prices.provenance,
    )
