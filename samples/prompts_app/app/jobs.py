"""Nightly jobs: summarise yesterday's closed tickets for the morning shift."""

from __future__ import annotations

from anthropic import Anthropic

claude = Anthropic(timeout=60)


def summarize_ticket(thread: str) -> str:
    r = claude.messages.create(
        model="claude-haiku-4-5",
        max_tokens=300,
        system="Summarize the ticket thread in three bullet points for the next agent.",
        messages=[{"role": "user", "content": thread}],
    )
    return r.content[0].text


def nightly(threads: list[str]) -> list[str]:
    # one request per ticket, one after another, for a job nobody waits on
    return [summarize_ticket(t) for t in threads]
