"""LLM008 missing-retry-fallback: retries switched off, or none where the client has none."""

from __future__ import annotations

from collections.abc import Iterator

from llm_audit.lint.callsite import CallSite
from llm_audit.lint.rules.base import Confidence, Hit, RuleOptions, Severity

# Clients that do not retry on their own (the openai/anthropic v1 SDKs retry twice).
NO_BUILTIN_RETRY = {"openai-v0", "litellm", "google-generativeai"}


class MissingRetryFallback:
    """``max_retries=0``, or no retry / fallback around a client that has none built in.

    Rate limits (429) and overloaded errors (529/503) are routine; without a retry with backoff
    a transient error becomes a user-facing failure.

    Anti-pattern
    ------------
    ``OpenAI(max_retries=0)``; ``litellm.completion(...)`` with no ``num_retries`` or
    ``fallbacks``; ``requests.post`` to a provider endpoint with no retry.

    Best practice
    -------------
    Keep the SDK's retries (2 by default, with backoff) or raise them; wrap raw HTTP calls in
    tenacity/backoff; give LiteLLM ``num_retries`` and ``fallbacks`` or a ``Router``.
    """

    code = "LLM008"
    name = "missing-retry-fallback"
    severity: Severity = "warning"
    confidence: Confidence = "medium"
    summary = "Retries off (max_retries=0) or none where the client has none."

    def check(self, site: CallSite, options: RuleOptions) -> Iterator[Hit]:
        if site.is_batch_api:
            return
        if site.const("max_retries") == 0 or (
            site.client.max_retries == 0 and not site.has("max_retries")
        ):
            if not site.retry_wrapped:
                yield Hit(
                    "max_retries=0: a 429 or 529 becomes a failure",
                    "keep the SDK default (2) or wrap the call in a retry",
                    confidence="high",
                )
            return
        if site.retry_wrapped or site.kwargs_open:
            return
        if site.sdk in NO_BUILTIN_RETRY or site.api == "http":
            who = "raw HTTP" if site.api == "http" else site.sdk
            yield Hit(
                f"{who} has no built-in retry and none is visible here",
                "add num_retries/fallbacks (LiteLLM) or a tenacity/backoff retry",
            )
