"""Price sources `pricing update` can read: LiteLLM and genai-prices, by name or by URL."""

from __future__ import annotations

from typing import Any

from llm_audit.pricing.sources.base import PriceSource, SourceData, SourcePrice
from llm_audit.pricing.sources.genai_prices import GenaiPricesSource
from llm_audit.pricing.sources.litellm import LiteLLMSource

SOURCES: tuple[PriceSource, ...] = (LiteLLMSource(), GenaiPricesSource())

__all__ = ["SOURCES", "PriceSource", "SourceData", "SourcePrice", "by_name", "detect"]


def by_name(name: str) -> PriceSource | None:
    return next((s for s in SOURCES if s.name == name), None)


def detect(doc: Any) -> PriceSource | None:
    """The source whose data shape ``doc`` has (for --source URL)."""
    return next((s for s in SOURCES if s.detect(doc)), None)
