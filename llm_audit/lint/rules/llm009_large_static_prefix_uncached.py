"""LLM009 large-static-prefix-uncached: a long fixed Anthropic prefix with no cache_control."""

from __future__ import annotations

from collections.abc import Iterator

from llm_audit.lint.callsite import CallSite
from llm_audit.lint.rules.base import Confidence, Hit, RuleOptions, Severity


def static_prefix(site: CallSite) -> str:
    """The fixed text from the start of the prompt up to the first variable piece."""
    out: list[str] = []
    for part in site.prompt:
        for piece in part.pieces:
            if piece.kind != "static":
                return "".join(out)
            out.append(piece.text)
    return "".join(out)


class LargeStaticPrefixUncached:
    """An Anthropic call whose static prefix is over 1,024 tokens with no ``cache_control``.

    Anthropic caches only up to an explicit ``cache_control`` breakpoint. A cache read costs a
    tenth of the input price, so a long fixed system prompt sent uncached on every call pays
    ten times what it needs to. Tokens are counted with a real tokenizer (o200k_base; Claude's
    own is not public, so the count is an estimate).

    Anti-pattern
    ------------
    ``client.messages.create(model="claude-sonnet-4-5", system=LONG_POLICY_TEXT, ...)``.

    Best practice
    -------------
    ``system=[{"type": "text", "text": LONG_POLICY_TEXT, "cache_control": {"type":
    "ephemeral"}}]``; keep variable content after the breakpoint.
    """

    code = "LLM009"
    name = "large-static-prefix-uncached"
    severity: Severity = "warning"
    confidence: Confidence = "high"
    summary = "Anthropic static prefix over 1,024 tokens without cache_control."

    def check(self, site: CallSite, options: RuleOptions) -> Iterator[Hit]:
        if site.sdk != "anthropic" and not (
            site.sdk in ("langchain", "litellm") and site.provider == "anthropic"
        ):
            return
        if site.cache_control or site.is_batch_api:
            return
        prefix = static_prefix(site)
        if len(prefix) < options.large_prefix_tokens:  # fewer chars than tokens: skip counting
            return
        from llm_audit.tokens import count

        n = count(prefix, site.model or "claude").tokens
        if n > options.large_prefix_tokens:
            yield Hit(
                f"a static prefix of ~{n:,} tokens is sent uncached on every call",
                'add "cache_control": {"type": "ephemeral"} to its last block',
            )
