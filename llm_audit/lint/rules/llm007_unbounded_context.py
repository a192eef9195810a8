"""LLM007 unbounded-context: whole collections, files or histories joined into a prompt."""

from __future__ import annotations

from collections.abc import Iterator

from llm_audit.lint.callsite import CallSite
from llm_audit.lint.rules.base import Confidence, Hit, RuleOptions, Severity

WHAT = {
    "join-all": "every item of a collection",
    "file": "a whole file",
    "history": "a conversation history that only grows",
}


class UnboundedContext:
    """All documents, a whole file or an ever-growing history in the prompt, unbudgeted.

    Input cost and latency grow with the data, and the call fails outright once the context
    window is full. It works in the demo and breaks on the largest customer.

    Anti-pattern
    ------------
    ``context = "\\n".join(doc.text for doc in docs)``; ``open(path).read()`` straight into the
    prompt; ``self.history.append(...)`` on every turn with no trimming.

    Best practice
    -------------
    Retrieve top-k, slice (``docs[:k]``), count tokens against a budget (tiktoken) and
    truncate, keep the last N turns or summarise older ones.
    """

    code = "LLM007"
    name = "unbounded-context"
    severity: Severity = "warning"
    confidence: Confidence = "medium"
    summary = "A whole collection, file or growing history joined into the prompt."

    def check(self, site: CallSite, options: RuleOptions) -> Iterator[Hit]:
        if site.bounded_context:
            return
        for part in site.prompt:
            for piece in part.pieces:
                if piece.kind == "dynamic" and piece.detail in WHAT:
                    yield Hit(
                        f"{WHAT[piece.detail]} ({piece.text}) goes into the prompt with "
                        "no token budget, top-k or truncation",
                        "bound it: top-k, a slice, a token budget, or trim the history",
                        line=part.line,
                    )
                    return
