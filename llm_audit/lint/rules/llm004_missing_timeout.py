"""LLM004 missing-timeout: no timeout on the call or on the client it goes through."""

from __future__ import annotations

from collections.abc import Iterator

from llm_audit.lint.callsite import CallSite
from llm_audit.lint.rules.base import Confidence, Hit, RuleOptions, Severity

TIMEOUT_OPTIONS = ("timeout", "request_timeout", "http_options")


class MissingTimeout:
    """No timeout on the client or the call.

    The openai and anthropic SDKs wait ten minutes by default (and retry twice), ``requests``
    waits forever; a stalled request holds a user's session, a worker or a queue slot that
    long. The rule stays quiet when the client comes from somewhere it cannot see (a
    parameter, another module); the ``sdk-default-timeout-ok`` option accepts the SDK default.

    Anti-pattern
    ------------
    ``client = OpenAI()`` then ``client.chat.completions.create(...)`` with no ``timeout``;
    ``requests.post("https://api.openai.com/v1/chat/completions", json=payload)``.

    Best practice
    -------------
    Set it once on the client: ``OpenAI(timeout=30)`` / ``Anthropic(timeout=httpx.Timeout(30,
    connect=5))``, or per call with ``client.with_options(timeout=...)`` / ``timeout=``; for
    LangChain ``ChatOpenAI(timeout=30)``; for google-genai ``http_options={"timeout": 30000}``.
    """

    code = "LLM004"
    name = "missing-timeout"
    severity: Severity = "warning"
    confidence: Confidence = "high"
    summary = "No timeout: the SDK default is ten minutes (requests: forever)."

    def check(self, site: CallSite, options: RuleOptions) -> Iterator[Hit]:
        if site.is_batch_api or site.has(*TIMEOUT_OPTIONS) or site.kwargs_open:
            return  # **kwargs we cannot see may well carry the timeout
        if site.api == "http":
            if site.method in ("requests", "fetch", "axios"):
                yield Hit(
                    f"{site.method} without a timeout waits as long as the server does",
                    "pass timeout=(5, 60) (requests), AbortSignal.timeout(ms) (fetch) "
                    "or timeout: ms (axios)",
                )
            return  # httpx (5 s) and aiohttp (5 min) have defaults
        if not site.client.known or site.client.timeout:
            return
        if options.sdk_default_timeout_ok:
            return
        if site.sdk == "vercel-ai":
            yield Hit(
                "no abortSignal: the AI SDK has no default timeout",
                "pass abortSignal: AbortSignal.timeout(30_000)",
            )
            return
        if site.sdk == "openai-v0" and site.language != "python":
            yield Hit(
                "no timeout: the openai v3 package (axios) waits as long as the server does",
                "pass { timeout: ms } as the second argument, or move to openai v4+",
            )
            return
        where = f" (client built at line {site.client.line})" if site.client.line else ""
        yield Hit(
            f"no timeout on the call or its client{where}: the SDK default is ten minutes",
            "set timeout= on the client, or with_options(timeout=...)",
        )
