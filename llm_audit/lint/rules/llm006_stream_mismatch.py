"""LLM006 stream-mismatch: streaming nobody watches, or a long wait nobody sees progress of."""

from __future__ import annotations

from collections.abc import Iterator

from llm_audit.lint.callsite import CallSite
from llm_audit.lint.rules.base import Confidence, Hit, RuleOptions, Severity


class StreamMismatch:
    """``stream=True`` whose chunks are only joined, or a long non-streamed call in a handler.

    Streaming pays off only when a person watches the tokens arrive: it cuts time to first
    token, not total time, and it costs simpler error handling, usage accounting and retries.
    The opposite mismatch is a long generation inside a web request handler that leaves the
    user staring at a spinner for the whole answer.

    Anti-pattern
    ------------
    ``for chunk in client.chat.completions.create(..., stream=True): text += chunk...`` followed
    by a sink: ``queue.put(text)``, ``fh.write``, ``session.add`` / ``execute``, ``redis.lpush``,
    ``sqs.send_message``, a Celery ``.delay``, an ORM ``save`` / ``create`` / ``update``. A
    stream joined and returned, or shown as it arrives, is not flagged. Also: a FastAPI / Flask
    route that awaits a 2,000-token completion without streaming.

    Best practice
    -------------
    Non-interactive consumers (queues, files, databases, batch jobs): plain requests, or the
    Batch API. Interactive handlers: stream to the client (``StreamingResponse``, SSE,
    websockets) with an output cap.
    """

    code = "LLM006"
    name = "stream-mismatch"
    severity: Severity = "info"
    confidence: Confidence = "medium"
    summary = "Stream only joined and stored, or a long non-streamed call in a web handler."

    def check(self, site: CallSite, options: RuleOptions) -> Iterator[Hit]:
        if site.stream and site.stream_only_accumulated:
            where = f" and sent to {site.stream_sink}()" if site.stream_sink else ""
            yield Hit(
                f"the stream is only joined{where}; nothing reads the chunks as they arrive",
                "drop stream=True (simpler retries and usage accounting), or the Batch API for "
                "offline jobs",
            )
            return
        if site.web_handler and not site.stream:
            cap = next(
                (
                    site.const(k)
                    for k in ("max_tokens", "max_completion_tokens", "max_output_tokens")
                    if isinstance(site.const(k), int)
                ),
                None,
            )
            if isinstance(cap, int) and cap >= options.long_generation_tokens:
                yield Hit(
                    f"a non-streamed generation of up to {cap} tokens inside a web "
                    "request handler: the user waits for the whole answer",
                    "stream the response (StreamingResponse / SSE)",
                )
