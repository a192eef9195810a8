"""What a price source (LiteLLM, genai-prices) says about one model, in our units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from llm_audit.pricing.tables import Tier

# Our id conventions per provider: bare ids for the first-party APIs, LiteLLM-style
# namespaces for the resellers (see pricing/*.yaml and book._PROVIDER_NAMESPACE).
NAMESPACE = {
    "openai": "",
    "anthropic": "",
    "google": "",
    "deepseek": "",
    "vertex_ai": "vertex_ai/",
    "bedrock": "bedrock/",
    "azure": "azure/",
    "groq": "groq/",
    "together_ai": "together_ai/",
    "fireworks_ai": "fireworks_ai/accounts/fireworks/models/",
}
STRIP = {
    "google": ("gemini/",),
    "deepseek": ("deepseek/",),
    "openai": ("openai/",),
    "anthropic": ("anthropic/",),
}


@dataclass(frozen=True)
class SourcePrice:
    """One model as a source prices it now. Rates are USD per 1M tokens; a field the source
    does not give is absent (never filled in here)."""

    provider: str  # ours, e.g. "bedrock"
    source_id: str  # the source's own key, for messages
    lookup: str  # what to resolve against our tables (with the provider as hint)
    new_id: str  # the id we would give it if it is new to our tables
    rates: Mapping[str, float]  # input, output, cache_read, cache_write_5m, cache_write_1h
    tiers: Mapping[Tier, Mapping[str, float]] = field(default_factory=dict)
    long_context: tuple[int, Mapping[str, float]] | None = None
    extras: Mapping[str, float] = field(default_factory=dict)
    context_window: int | None = None
    effective: dt.date | None = None  # when the source dates the current price
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceData:
    name: str  # "litellm", "genai-prices"
    url: str
    prices: tuple[SourcePrice, ...]
    skipped: int  # entries that are not token-priced models of our providers
    # Models left out on purpose: (our provider, the key to resolve, why); not "removed".
    left_out: tuple[tuple[str, str, str], ...] = ()


class PriceSource(Protocol):
    name: str
    url: str  # the published raw data

    def detect(self, doc: Any) -> bool: ...

    def parse(self, doc: Any, url: str) -> SourceData: ...


def per_million(value: Any, scale: int = 1_000_000) -> float | None:
    """A price in USD per token (scale 1e6) or per 1M (scale 1) as USD per 1M, without float
    noise (2.5e-06 -> 2.5); None for anything that is not a number >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value)) * scale
    except InvalidOperation:
        return None
    if number < 0 or not number.is_finite():
        return None
    return float(round(number, 9).normalize())


def our_id(provider: str, key: str) -> str:
    key = key.strip().lower()
    for prefix in STRIP.get(provider, ()):
        if key.startswith(prefix):
            key = key[len(prefix) :]
    namespace = NAMESPACE[provider]
    if namespace and not key.startswith(namespace):
        short = namespace.split("/")[0] + "/"
        key = key[len(short) :] if key.startswith(short) else key
        key = namespace + key
    return key
