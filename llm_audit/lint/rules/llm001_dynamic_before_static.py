"""LLM001 dynamic-before-static: variable text ahead of the fixed prompt defeats caching."""

from __future__ import annotations

from collections.abc import Iterator

from llm_audit.lint.callsite import PER_REQUEST, UNSTABLE, CallSite
from llm_audit.lint.rules.base import Confidence, Hit, RuleOptions, Severity

MAX_LABEL = 16  # "Date: ", "User id: ": a label before the variable is no cacheable prefix
MIN_STATIC_AFTER = 40  # characters of fixed text worth caching after the variable part


class DynamicBeforeStatic:
    """Variable content precedes the static part of the prompt.

    Provider prompt caches match an exact prefix: OpenAI caches automatically from 1,024
    tokens, Anthropic up to a ``cache_control`` breakpoint. Anything that changes per request
    and sits early in the prompt makes everything after it a cache miss.

    Anti-pattern
    ------------
    ``f"{user_question}\\n\\nYou are a support agent. Follow these rules: ..."``; a
    ``datetime.now()`` or ``uuid4()`` in the system prompt; a user message before the system
    message; ``json.dumps(obj)`` without ``sort_keys=True`` or a ``set`` iterated into the prompt
    (the order changes between runs, so the bytes change).

    Best practice
    -------------
    Put the fixed instructions first (system message, tools, examples), variable content last;
    pass per-request values (date, request id) in the last user message; serialise with
    ``json.dumps(obj, sort_keys=True)`` and iterate sorted collections.
    """

    code = "LLM001"
    name = "dynamic-before-static"
    severity: Severity = "warning"
    confidence: Confidence = "high"
    summary = "Variable content precedes the static prompt; defeats prompt caching."

    def check(self, site: CallSite, options: RuleOptions) -> Iterator[Hit]:
        parts = [p for p in site.prompt if p.role != "history"]
        if not parts:
            return
        roles = [p.role for p in parts]
        if "system" in roles and any(r == "user" for r in roles[: roles.index("system")]):
            yield Hit(
                "a user message comes before the system message, so the static "
                "instructions are never a cacheable prefix",
                "put the system message first",
                line=parts[0].line,
            )
            return
        first = parts[0]
        lead = parts[:2] if first.role == "system" else parts[:1]
        for part in lead:
            for piece in part.pieces:
                if piece.kind == "dynamic" and piece.detail in PER_REQUEST:
                    yield Hit(
                        f"a per-request {piece.detail} ({piece.text}) is in the "
                        f"{part.role} prompt; every request gets a new prefix",
                        "move per-request values to the end of the last user message",
                        line=part.line,
                    )
                    return
        for part in site.prompt:
            for piece in part.pieces:
                if piece.kind == "dynamic" and piece.detail in UNSTABLE:
                    what = (
                        "json.dumps without sort_keys"
                        if piece.detail == "json-unsorted"
                        else "a set iterated"
                    )
                    yield Hit(
                        f"{what} ({piece.text}) in the prompt: its order can change "
                        "between requests, so the prompt bytes do",
                        "json.dumps(..., sort_keys=True) / sorted(...)",
                        line=part.line,
                    )
                    return
        pieces = first.pieces
        # the first variable piece, after at most a short label ("Date: {today}\n" + RULES)
        i = next((n for n, p in enumerate(pieces) if p.kind == "dynamic"), None)
        if i is None or pieces[i].detail == "history":
            return
        label = "".join(p.text for p in pieces[:i])
        if len(label.strip()) > MAX_LABEL:
            return
        after = "".join(p.text for p in pieces[i + 1 :] if p.kind == "static")
        if len(after.strip()) >= MIN_STATIC_AFTER:
            yield Hit(
                f"the {first.role} prompt starts with {(label + pieces[i].text).strip()!r}, "
                f"then {len(after.strip())} characters of fixed text that can never be cached",
                "put the fixed text first and the variable part last",
                line=first.line,
            )
