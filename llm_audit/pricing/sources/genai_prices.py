"""pydantic/genai-prices `data.json` (v2): a list of providers, each with its models.

A model's ``prices`` is one price mapping (``input_mtok``, ``output_mtok``, ``cache_read_mtok``,
``cache_write_mtok``, ``cache_write_1h_mtok``, ``web_searches_kcount``; USD per 1M tokens or per
1k requests) or a list of conditional prices, the last active one winning (a
``{"start_date": ...}`` constraint dates it). A rate may be tiered, ``{"base": x, "tiers":
[{"start": n, "price": y}]}``: above ``start`` input tokens the whole request pays ``y``.
``price_variants`` override prices ``when`` a request matches (``processing: batch``,
``service_tier: flex|priority``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from llm_audit.pricing.sources.base import SourceData, SourcePrice, our_id, per_million
from llm_audit.pricing.tables import Tier

URL = (
    "https://raw.githubusercontent.com/pydantic/genai-prices/refs/heads/main/"
    "prices/new_data/v2/data.json"
)
PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "aws": "bedrock",
    "azure": "azure",
    "groq": "groq",
    "together": "together_ai",
    "fireworks": "fireworks_ai",
    "deepseek": "deepseek",
}
FIELDS = {
    "input": "input_mtok",
    "output": "output_mtok",
    "cache_read": "cache_read_mtok",
    "cache_write_5m": "cache_write_mtok",
    "cache_write_1h": "cache_write_1h_mtok",
}
VARIANTS: dict[tuple[str, str], Tier] = {
    ("processing", "batch"): "batch",
    ("service_tier", "flex"): "flex",
    ("service_tier", "priority"): "priority",
}


def _split(
    prices: Mapping[str, Any],
) -> tuple[dict[str, float], tuple[int, dict[str, float]] | None, list[str]]:
    """Flat rates, the long-context rates (one threshold), and notes."""
    flat: dict[str, float] = {}
    above: dict[str, float] = {}
    starts: set[int] = set()
    for ours, theirs in FIELDS.items():
        value = prices.get(theirs)
        if isinstance(value, Mapping):
            base = per_million(value.get("base"), scale=1)
            tiers = [t for t in value.get("tiers") or [] if isinstance(t, Mapping)]
            if base is not None:
                flat[ours] = base
            if tiers:
                first = min(tiers, key=lambda t: int(t.get("start", 0)))
                starts.update(int(t.get("start", 0)) for t in tiers)
                price = per_million(first.get("price"), scale=1)
                if price is not None:
                    above[ours] = price
        elif (number := per_million(value, scale=1)) is not None:
            flat[ours] = number
    notes: list[str] = []
    long_context = None
    if above and starts:
        long_context = (min(starts), above)
        if len(starts) > 1:
            notes.append(f"several token tiers; kept the first (>{min(starts)})")
    return flat, long_context, notes


def _current(prices: Any) -> tuple[Mapping[str, Any] | None, dt.date | None, list[str]]:
    """The price mapping in force now and the date it started (when the source gives one)."""
    if isinstance(prices, Mapping):
        return prices, None, []
    if not isinstance(prices, list) or not prices:
        return None, None, []
    today = dt.datetime.now(dt.UTC).date()
    if any(
        isinstance(i, Mapping)
        and isinstance(i.get("constraint"), Mapping)
        and "start_time" in i["constraint"]
        for i in prices
    ):
        # Time-of-day prices (DeepSeek peak/off-peak): our schema has no such rule, and
        # picking one of them would be a guess, so the model is left out (and said so).
        return None, None, ["time-of-day prices are not modelled; left out"]
    # The last active conditional price wins.
    for item in reversed(prices):
        if not isinstance(item, Mapping):
            continue
        constraint = item.get("constraint")
        if constraint is None:
            return item.get("prices"), None, []
        if isinstance(constraint, Mapping) and "start_date" in constraint:
            try:
                start = dt.date.fromisoformat(str(constraint["start_date"]))
            except ValueError:
                continue
            if start <= today:
                return item.get("prices"), start, []
    return None, None, []


class GenaiPricesSource:
    name = "genai-prices"
    url = URL

    def detect(self, doc: Any) -> bool:
        return isinstance(doc, list) and any(
            isinstance(p, Mapping) and "models" in p and "api_pattern" in p for p in doc[:5]
        )

    def parse(self, doc: Any, url: str) -> SourceData:
        out: list[SourcePrice] = []
        skipped = 0
        left_out: list[tuple[str, str, str]] = []
        for provider_doc in doc:
            if not isinstance(provider_doc, Mapping):
                continue
            provider = PROVIDERS.get(str(provider_doc.get("id")))
            for model in provider_doc.get("models") or []:
                if provider is None or not isinstance(model, Mapping):
                    skipped += 1
                    continue
                current, since, notes = _current(model.get("prices"))
                if not isinstance(current, Mapping):
                    skipped += 1
                    key = str(model.get("id"))
                    left_out += [
                        (provider, key, f"{provider_doc.get('id')}/{key}: {n}") for n in notes
                    ]
                    continue
                flat, long_context, more = _split(current)
                if "input" not in flat or "output" not in flat:
                    skipped += 1  # priced per image, per second... not per token
                    continue
                tiers: dict[Tier, dict[str, float]] = {}
                for variant in model.get("price_variants") or []:
                    when = variant.get("when") if isinstance(variant, Mapping) else None
                    tier = next(
                        (VARIANTS[(k, v)] for k, v in (when or {}).items() if (k, v) in VARIANTS),
                        None,
                    )
                    if tier is not None and isinstance(variant.get("prices"), Mapping):
                        rates, _, _ = _split(variant["prices"])
                        if rates:
                            tiers[tier] = rates
                searches = per_million(current.get("web_searches_kcount"), scale=1)
                window = model.get("context_window")
                key = str(model.get("id"))
                out.append(
                    SourcePrice(
                        provider=provider,
                        source_id=f"{provider_doc.get('id')}/{key}",
                        lookup=key,
                        new_id=our_id(provider, key),
                        rates=flat,
                        tiers=tiers,
                        long_context=long_context,
                        extras={"web_search_request": searches / 1000} if searches else {},
                        context_window=window if isinstance(window, int) and window > 0 else None,
                        effective=since,
                        notes=tuple(notes + more),
                    )
                )
        return SourceData(self.name, url, tuple(out), skipped, tuple(left_out))
