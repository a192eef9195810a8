"""`prompts`: lint findings priced: cost per call at each call site and dollars per month at stake.

The static prompt text of each call site is counted with the model's real tokenizer (an o200k
estimate where the provider publishes none) and priced by the same vectorised engine as bills
and logs. Output tokens are the call's cap when it has one, else a stated default. Calls per
month come from ``[tool.llm-audit.usage]`` or a stated default.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llm_audit.lint.callsite import CallSite
from llm_audit.lint.config import LintConfig
from llm_audit.lint.engine import Finding, LintResult, apply_baseline, lint
from llm_audit.lint.rules.base import SEVERITY_RANK, Confidence

if TYPE_CHECKING:  # the price tables (yaml) load only when there is a call site to price
    from llm_audit.pricing.book import PriceBook
    from llm_audit.pricing.tables import Provenance

MIN_CACHEABLE = 1024  # OpenAI's automatic caching and Anthropic's breakpoints start here
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
    # the savings levers, priced by the same engine (None: not applicable or unpriced)
    cached_prefix_tokens: int = 0
    cost_cached_per_call: float | None = None
    cost_batch_per_call: float | None = None
    small_model: str | None = None
    cost_small_per_call: float | None = None
    # where output_tokens came from: "max_tokens" (the call's cap), "usage 'KEY'" (the usage
    # profile's output-tokens) or "default" (DEFAULT_OUTPUT_TOKENS, stated in reports)
    output_source: str = "max_tokens"

    def saving(self, alternative: float | None) -> float | None:
        """Dollars per month saved by an alternative cost per call (None when it saves none)."""
        if self.cost_per_call is None or alternative is None:
            return None
        delta = (self.cost_per_call - alternative) * self.calls_per_month
        return delta if delta > 0 else None

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
        return self._by_site.get((site.path, site.line))

    @functools.cached_property
    def _by_site(self) -> dict[tuple[str, int], SiteCost]:
        out: dict[tuple[str, int], SiteCost] = {}
        for c in self.costs:
            out.setdefault((c.path, c.line), c)
        return out

    @property
    def failing(self) -> tuple[Finding, ...]:
        floor = SEVERITY_RANK[self.fail_on]
        return tuple(f for f in self.lint.findings if SEVERITY_RANK[f.severity] >= floor)

    @property
    def exit_code(self) -> int:
        return 0 if self.exit_zero or not self.failing else 1


def calls_for(site: CallSite, cfg: LintConfig, path: str | None = None) -> tuple[int, str]:
    """Calls per month for a call site: the most specific usage key that matches, else default.

    ``path``: the site's path relative to ``cfg``'s root when that is not the shown path (a
    file of a nested project, linted with that project's config).
    """
    fn = site.function
    leaf = fn.rsplit(".", 1)[-1]
    where = path or site.path
    for key, n in cfg.usage:
        if key in (f"{where}::{fn}", f"{where}::{leaf}"):
            return n, f"usage {key!r}"
    for key, n in cfg.usage:
        if "::" not in key and fnmatch.fnmatch(where, key):
            return n, f"usage {key!r}"
    src = "usage default" if cfg.default_calls_stated else "assumed default"
    return cfg.default_calls, src


def output_for(site: CallSite, cfg: LintConfig, path: str | None = None) -> tuple[int, str]:
    """Output tokens per call for a site without a cap in the code: the usage profile's
    ``output-tokens`` (most specific key first), else the stated default."""
    fn = site.function
    leaf = fn.rsplit(".", 1)[-1]
    where = path or site.path
    for key, n in cfg.output_usage:
        if key in (f"{where}::{fn}", f"{where}::{leaf}"):
            return n, f"usage output-tokens {key!r}"
    for key, n in cfg.output_usage:
        if "::" not in key and fnmatch.fnmatch(where, key):
            return n, f"usage output-tokens {key!r}"
    if cfg.default_output is not None:
        return cfg.default_output, "usage output-tokens default"
    return DEFAULT_OUTPUT_TOKENS, "default"


def _output_cap(site: CallSite) -> int | None:
    for k in ("max_completion_tokens", "max_output_tokens", "max_tokens"):
        v = site.const(k)
        if isinstance(v, int) and not isinstance(v, bool) and v > 0:
            return v
    return None


def _small_for(model: str | None, small: Sequence[str]) -> str | None:
    """A small model of the same family (gpt / claude / gemini), for the routing lever."""
    if not model:
        return None
    family = model.lower().rsplit("/", 1)[-1].split("-")[0]
    return next((m for m in small if m.split("-")[0] == family), None)


def _money(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)  # type: ignore[arg-type]  # engine cost cells are numbers


def price_sites(
    sites: Sequence[CallSite],
    book: PriceBook,
    cfg: LintConfig,
    nested: Mapping[str, tuple[LintConfig, str]] | None = None,
) -> tuple[SiteCost, ...]:
    """Each call site priced with the engine, in one vectorised pass of four rows per site.

    The rows: as written; with the static prefix read from the prompt cache; at the batch
    tier; on a small model of the same family. The last three price the savings levers.
    """
    if not sites:
        return ()
    from llm_audit.lint.rules.llm009_large_static_prefix_uncached import static_prefix
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
        prefix = static_prefix(s)
        prefix_tokens = count(prefix, model or "unknown").tokens if prefix else 0
        cap = _output_cap(s)
        own, local = (nested or {}).get(s.path, (cfg, None))
        out_tokens, out_source = (cap, "max_tokens") if cap else output_for(s, own, local)
        small = _small_for(s.model, cfg.options.small_models)
        base = {
            "timestamp": now,
            "provider": s.provider or "",
            "model_raw": model,
            "requests": 1,
            "input_tokens": tc.tokens if tc else 0,
            "cache_read_tokens": 0,
            "cache_write_5m_tokens": 0,
            "cache_write_1h_tokens": 0,
            "output_tokens": out_tokens,
            "reasoning_tokens": 0,
            "service_tier": "batch" if s.is_batch_api else "standard",
        }
        # the lever: every static token, put first, read from the cache; providers cache
        # only prompts of at least MIN_CACHEABLE tokens, so shorter ones save nothing
        static_tokens = tc.tokens if tc else 0
        cached_in = static_tokens if max(static_tokens, prefix_tokens) >= MIN_CACHEABLE else 0
        records += [
            base,
            {**base, "cache_read_tokens": cached_in},
            {**base, "service_tier": "batch"},
            {**base, "model_raw": small or "", "provider": s.provider or ""},
        ]
        meta.append((s, tc, cap, small, cached_in, out_tokens, out_source))
    priced = price(from_records(records), book)
    totals = list(priced["cost_total"])
    flags = list(priced["priced"])
    models = list(priced["model"])
    reasons = list(priced["unpriced_reason"])
    out = []
    for i, (s, tc, cap, small, cached_in, out_tokens, out_source) in enumerate(meta):
        row = 4 * i
        total = _money(totals[row]) if bool(flags[row]) else None
        reason = (
            ""
            if total is not None
            else (
                "the model is not visible in the code (a variable or config)"
                if not s.model
                else str(reasons[row] or "no price for this model")
            )
        )
        own, local = (nested or {}).get(s.path, (cfg, None))
        calls, source = calls_for(s, own, local)
        out.append(
            SiteCost(
                s.path,
                s.line,
                s.function,
                s.model,
                str(models[row]) if total is not None else None,
                reason,
                tc.tokens if tc else 0,
                tc.exact if tc else True,
                tc.encoding if tc else "",
                out_tokens,
                cap is None,
                total,
                calls,
                source,
                cached_in,
                _money(totals[row + 1]) if total is not None and cached_in else None,
                _money(totals[row + 2]) if total is not None and not s.is_batch_api else None,
                small if small and small != s.model else None,
                _money(totals[row + 3]) if total is not None and small else None,
                out_source,
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
        price_sites(result.sites, prices, cfg, result.nested),
        fail_on,
        exit_zero,
        cfg.default_calls,
        cfg.default_calls_stated,
        prices.provenance,
    )
