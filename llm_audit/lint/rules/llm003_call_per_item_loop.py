"""LLM003 call-per-item-loop: one sequential request per independent item."""

from __future__ import annotations

from collections.abc import Iterator

from llm_audit.lint.callsite import CallSite
from llm_audit.lint.rules.base import Confidence, Hit, RuleOptions, Severity


class CallPerItemLoop:
    """One sequential LLM request per item inside a ``for`` loop or comprehension.

    N independent items sent one after another take N round trips of latency and pay full
    price; the same work in a Batch API costs half, and concurrent requests finish in the time
    of the slowest one.

    Anti-pattern
    ------------
    ``for review in reviews: label = client.chat.completions.create(...)``;
    ``[summarise(doc) for doc in docs]`` where ``summarise`` makes the call.

    Best practice
    -------------
    Offline work: the Batch API (OpenAI / Anthropic Message Batches / Gemini batches, 50% off).
    Interactive work: ``asyncio.gather`` with a semaphore, LangChain ``.batch``, LiteLLM
    ``batch_completion``. Agent loops where each step needs the previous answer, retry loops and
    loops over conversation turns are not flagged.
    """

    code = "LLM003"
    name = "call-per-item-loop"
    severity: Severity = "warning"
    confidence: Confidence = "medium"
    summary = "One sequential request per independent item in a loop."

    def check(self, site: CallSite, options: RuleOptions) -> Iterator[Hit]:
        if site.is_batch_api:
            return
        for loop in site.loops:
            if loop.dependent or loop.concurrent:
                return
        for loop in site.loops:
            where = f" (through {loop.via_helper}())" if loop.via_helper else ""
            yield Hit(
                f"one request per item in a {loop.kind} loop at line {loop.line}{where}: "
                "N round trips, full price",
                "Batch API for offline work (50% off), or asyncio.gather with a "
                "semaphore / .batch()",
                line=loop.line if loop.via_helper else None,
            )
            return
