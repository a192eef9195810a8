"""Live usage and cost reports from the providers' admin APIs, written as files `bill` reads."""

from __future__ import annotations

from llm_audit.fetch.anthropic import AnthropicAdmin
from llm_audit.fetch.base import Provider
from llm_audit.fetch.openai import OpenAIAdmin

PROVIDERS: tuple[Provider, ...] = (OpenAIAdmin(), AnthropicAdmin())


def provider(name: str) -> Provider:
    for p in PROVIDERS:
        if p.name == name:
            return p
    raise KeyError(name)
