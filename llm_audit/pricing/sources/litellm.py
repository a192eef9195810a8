"""LiteLLM's `model_prices_and_context_window.json`: a mapping of model key -> price entry.

Prices are USD per token; tier variants are suffixed fields (`*_batches`, `*_flex`,
`*_priority`), long-context rates are `*_above_<N>k_tokens` (a whole-request threshold), and
`litellm_provider` names the provider in LiteLLM's words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from llm_audit.pricing.sources.base import SourceData, SourcePrice, our_id, per_million
from llm_audit.pricing.tables import Tier

URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
# LiteLLM provider -> ours. Vertex AI is split by publisher in LiteLLM (vertex_ai-*).
PROVIDERS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "gemini": "google",
    "vertex_ai": "vertex_ai",
    "bedrock": "bedrock",
    "bedrock_converse": "bedrock",
    "azure": "azure",
    "groq": "groq",
    "together_ai": "together_ai",
    "fireworks_ai": "fireworks_ai",
    "deepseek": "deepseek",
}
MODES = frozenset({"chat", "responses", "completion"})
FIELDS = {
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "cache_read": "cache_read_input_token_cost",
    "cache_write_5m": "cache_creation_input_token_cost",
    "cache_write_1h": "cache_creation_input_token_cost_above_1hr",
}
TIER_SUFFIX: dict[Tier, str] = {"batch": "_batches", "flex": "_flex", "priority": "_priority"}
_ABOVE = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")


def provider_of(entry: Mapping[str, Any]) -> str | None:
    raw = str(entry.get("litellm_provider", ""))
    if raw.startswith("vertex_ai"):
        return "vertex_ai"
    return PROVIDERS.get(raw)


def _rates(entry: Mapping[str, Any], suffix: str = "", above: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for ours, theirs in FIELDS.items():
        value = per_million(entry.get(theirs + above + suffix))
        if value is not None:
            out[ours] = value
    return out


class LiteLLMSource:
    name = "litellm"
    url = URL

    def detect(self, doc: Any) -> bool:
        return isinstance(doc, Mapping) and any(
            isinstance(v, Mapping) and "litellm_provider" in v for v in list(doc.values())[:50]
        )

    def parse(self, doc: Any, url: str) -> SourceData:
        prices: list[SourcePrice] = []
        skipped = 0
        for key, entry in doc.items():
            provider = provider_of(entry) if isinstance(entry, Mapping) else None
            if (
                provider is None
                or str(key).startswith("ft:")  # fine-tune base prices: per-organisation models
                or key == "sample_spec"
                or entry.get("mode") not in MODES
                or per_million(entry.get("input_cost_per_token")) is None
                or per_million(entry.get("output_cost_per_token")) is None
            ):
                skipped += 1  # other providers, embeddings/images/audio, per-second prices
                continue
            tiers: dict[Tier, dict[str, float]] = {}
            for tier, suffix in TIER_SUFFIX.items():
                rates = _rates(entry, suffix)
                if "input" in rates or "output" in rates:
                    tiers[tier] = rates
            thresholds = sorted(int(m.group(1)) for f in entry if (m := _ABOVE.match(f)))
            long_context = None
            notes: list[str] = []
            if thresholds:
                lc = _rates(entry, above=f"_above_{thresholds[0]}k_tokens")
                long_context = (thresholds[0] * 1000, lc)
                if len(thresholds) > 1:
                    notes.append(f"more long-context tiers than one; kept >{thresholds[0]}k")
            extras: dict[str, float] = {}
            search = entry.get("search_context_cost_per_query")
            if isinstance(search, Mapping):
                medium = per_million(search.get("search_context_size_medium"), scale=1)
                if medium:
                    extras["web_search_request"] = medium
            window = entry.get("max_input_tokens")
            prices.append(
                SourcePrice(
                    provider=provider,
                    source_id=str(key),
                    lookup=str(key),
                    new_id=our_id(provider, str(key)),
                    rates=_rates(entry),
                    tiers=tiers,
                    long_context=long_context,
                    extras=extras,
                    context_window=window if isinstance(window, int) and window > 0 else None,
                    notes=tuple(notes),
                )
            )
        return SourceData(self.name, url, tuple(prices), skipped)
