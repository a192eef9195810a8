"""The request/response wrapper that the OpenAI, Anthropic and Gemini log readers accept.

A bare provider response carries usage but no timing and no user. Applications that log
requests usually wrap it; this is the wrapper ``llm-audit logs`` reads (one JSON object a line)::

    {"timestamp": "2026-11-16T09:41:20Z",   # or "ts"; ISO, or Unix s/ms/us/ns; else `created`
     "request":  {...},                      # the body sent: model, messages, max_tokens, stream
     "response": {...},                      # the provider's response object, unchanged
     "latency_ms": 1830.5,                   # total wall time of the call
     "ttft_ms": 412.0,                       # time to first token (streamed calls)
     "user": "u_123",                        # end user (else request.user / metadata.user_id)
     "feature": "support-reply",             # feature or tag (else request.metadata.feature)
     "trace_id": "...", "session_id": "..."} # optional: groups calls of one job / session

Every key but ``response`` is optional; an unwrapped line is a bare response object. One file
may mix OpenAI, Anthropic and Gemini lines: each is read by its own provider's rules.
"""

from __future__ import annotations

from typing import Any

from llm_audit.ingest.logs._common import (
    Obj,
    Row,
    as_dict,
    digest_text,
    opt_count,
    opt_float,
    opt_str,
    prompt_text,
    unix_time,
)

_NOT_PART_OF_THE_QUESTION = ("user", "metadata", "stream", "stream_options", "store")
_PROMPT_KEYS = ("system", "instructions", "messages", "input", "contents", "prompt")


def unwrap(record: Obj) -> tuple[Obj, Obj, Obj]:
    """(request, response, wrapper) of a wrapped line, or ({}, record, {}) of a bare one."""
    if isinstance(record.get("response"), dict) and "custom_id" not in record and (
        "request" in record or "latency_ms" in record or "ttft_ms" in record
        or "body" not in record["response"]
    ):
        return as_dict(record.get("request")), as_dict(record["response"]), record
    return {}, record, {}


def wrapper_fields(request: Obj, wrapper: Obj) -> Row:
    """The columns the wrapper and the request body give, whatever the provider."""
    meta = as_dict(request.get("metadata"))
    row: Row = {}
    when = wrapper.get("timestamp", wrapper.get("ts"))
    if isinstance(when, (int, float)) and not isinstance(when, bool):
        row["timestamp"] = unix_time(when)  # seconds, or ms / us / ns by magnitude
    elif when:
        row["timestamp"] = str(when)
    row["latency_ms"] = opt_float(wrapper.get("latency_ms"))
    row["ttft_ms"] = opt_float(wrapper.get("ttft_ms"))
    row["user"] = opt_str(wrapper.get("user")) or opt_str(request.get("user")) or opt_str(
        meta.get("user_id"))
    row["feature"] = opt_str(wrapper.get("feature")) or opt_str(meta.get("feature"))
    row["trace_id"] = opt_str(wrapper.get("trace_id"))
    row["session_id"] = opt_str(wrapper.get("session_id"))
    stream = wrapper.get("stream", request.get("stream"))
    row["stream"] = bool(stream) if stream is not None else (None if not request else False)
    cap: Any = None
    for key in ("max_completion_tokens", "max_tokens", "max_output_tokens"):
        if request.get(key) is not None:
            cap = request[key]
            break
    gen = as_dict(request.get("generationConfig"))
    if cap is None and gen.get("maxOutputTokens") is not None:
        cap = gen["maxOutputTokens"]
    row["max_tokens"] = opt_count(cap)
    row["has_request"] = bool(request)
    if request:
        prompt = prompt_text(request)
        row["prompt_text"] = prompt
        # The question is the prompt plus every parameter that changes the answer; hashing the
        # flattened prompt and the small parameters is ~3x cheaper than re-serialising the body.
        params = {k: v for k, v in request.items()
                  if k not in _NOT_PART_OF_THE_QUESTION and k not in _PROMPT_KEYS}
        row["request_key"] = digest_text(f"{prompt}\x00{params!r}")
    return row


def reader_for(response: Obj) -> Any:
    """The reader (openai-jsonl, anthropic-messages or gemini) whose object ``response`` is,
    or None. The wrapper is one format for the three providers, so an application's log can
    mix them line by line: each line is read by its own provider's rules (a Messages object
    read as an OpenAI one would lose its cache tokens, formats.md 0)."""
    from llm_audit.ingest.logs.anthropic_messages import (
        AnthropicMessagesReader,
        is_anthropic_message,
    )
    from llm_audit.ingest.logs.gemini import GeminiGenerateContentReader, is_gemini_response
    from llm_audit.ingest.logs.openai_jsonl import OpenAIResponsesJsonlReader, is_openai_response

    if is_openai_response(response):
        return OpenAIResponsesJsonlReader()
    if is_anthropic_message(response):
        return AnthropicMessagesReader()
    if is_gemini_response(response):
        return GeminiGenerateContentReader()
    return None


def not_a_response(where: tuple[str, int], skipped: list[str]) -> list[Row]:
    skipped.append(f"{where[0]}:{where[1]}: not an OpenAI, Anthropic or Gemini response "
                   "object with usage")
    return []
