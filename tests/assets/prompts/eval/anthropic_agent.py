"""Eval: Anthropic shapes: long policy prompts, cache_control, agent loops, streaming."""
# ruff: noqa: E501
from __future__ import annotations

import datetime
import uuid

import anthropic

client = anthropic.Anthropic(timeout=30.0)
fragile = anthropic.Anthropic(timeout=30.0, max_retries=0)
async_client = anthropic.AsyncAnthropic()
REFUND_POLICY = 'Section 1. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 2. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 3. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 4. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 5. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 6. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 7. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 8. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 9. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 10. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 11. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 12. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 13. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 14. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. Section 15. Customers may return unused items within thirty days of delivery for a full refund to the original payment method. Items must be in their original packaging with all accessories. Refunds are processed within five business days after the returned item passes inspection. Opened software, gift cards and personalised items are not returnable. Shipping costs are refunded only when the return is due to our error. '
SHORT_SYSTEM = "You are a terse assistant."
TOOLS = [{"name": "lookup_order", "description": "Find an order", "input_schema": {"type": "object", "properties": {"id": {"type": "string"}}}}]


def refund_answer(question: str) -> str:
    r = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, system=REFUND_POLICY, messages=[{"role": "user", "content": question}])  # labels: LLM009
    return r.content[0].text


def refund_answer_cached(question: str) -> str:
    r = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, system=[{"type": "text", "text": REFUND_POLICY, "cache_control": {"type": "ephemeral"}}], messages=[{"role": "user", "content": question}])  # labels: -
    return r.content[0].text


def refund_answer_stamped(question: str) -> str:
    system = f"Session {uuid.uuid4()}\n{REFUND_POLICY}"
    r = client.messages.create(model="claude-sonnet-4-5", max_tokens=500, system=system, messages=[{"role": "user", "content": question}])  # labels: LLM001
    return r.content[0].text


def quick(question: str) -> str:
    r = fragile.messages.create(model="claude-haiku-4-5", max_tokens=200, system=SHORT_SYSTEM, messages=[{"role": "user", "content": question}])  # labels: LLM008
    return r.content[0].text


def agent(task: str) -> str:
    messages = [{"role": "user", "content": task}]
    for _step in range(10):
        r = client.messages.create(model="claude-sonnet-4-5", max_tokens=1024, tools=TOOLS, system=SHORT_SYSTEM, messages=messages)  # labels: -
        if r.stop_reason != "tool_use":
            return r.content[0].text
        messages.append({"role": "assistant", "content": r.content})
        messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": r.content[-1].id, "content": "ok"}]})
    return ""


def stream_to_terminal(prompt: str) -> None:
    with client.messages.stream(model="claude-sonnet-4-5", max_tokens=1024, messages=[{"role": "user", "content": prompt}]) as stream:  # labels: -
        for text in stream.text_stream:
            print(text, end="", flush=True)


def stream_to_db(prompt: str, db: object) -> None:
    with client.messages.stream(model="claude-sonnet-4-5", max_tokens=1024, messages=[{"role": "user", "content": prompt}]) as stream:  # labels: LLM006
        parts = []
        for text in stream.text_stream:
            parts.append(text)
    db.save("".join(parts))  # type: ignore[attr-defined]


async def daily_digest(items: list[str]) -> str:
    today = datetime.date.today().isoformat()
    r = await async_client.messages.create(model="claude-haiku-4-5", max_tokens=600, system=f"Write the digest for {today}. Group items by theme and keep each summary to one line.", messages=[{"role": "user", "content": "\n".join(items)}])  # labels: LLM001 LLM004 LLM007
    return r.content[0].text


def submit_batch(prompts: list[str]) -> object:
    return client.messages.batches.create(requests=[{"custom_id": str(i), "params": {"model": "claude-haiku-4-5", "max_tokens": 200, "messages": [{"role": "user", "content": p}]}} for i, p in enumerate(prompts)])  # labels: -
