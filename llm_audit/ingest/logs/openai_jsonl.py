"""OpenAI Chat Completions and Responses objects, one a line, bare or wrapped (see _wrapper).

Token semantics (formats.md 1e): ``prompt_tokens`` / ``input_tokens`` include cached and
cache-write tokens; ``reasoning_tokens`` are inside the output count. The schema's convention,
so counts pass through. ``service_tier`` is the tier actually used (``default`` -> standard).
"""

from __future__ import annotations

from llm_audit.ingest.logs._common import (
    JsonRecordReader,
    Obj,
    Row,
    as_dict,
    openai_chat_usage,
    openai_responses_usage,
    opt_str,
    unix_time,
)
from llm_audit.ingest.logs._wrapper import not_a_response, reader_for, unwrap, wrapper_fields


def is_openai_response(obj: Obj) -> bool:
    kind = obj.get("object")
    if kind in ("chat.completion", "response", "chat.completion.chunk"):
        return True
    usage = as_dict(obj.get("usage"))
    return "choices" in obj and "prompt_tokens" in usage


def openai_row(response: Obj, where: tuple[str, int], skipped: list[str]) -> Row | None:
    """Columns of one Chat Completions or Responses object; None (listed) without usage."""
    usage = as_dict(response.get("usage"))
    if not usage and response.get("object") == "chat.completion.chunk":
        return None  # a stream's chunks: only the last (include_usage) carries the counts
    if not usage:
        skipped.append(f"{where[0]}:{where[1]}: response without usage (streamed without "
                       "stream_options.include_usage?)")
        return None
    if response.get("object") == "response" or "input_tokens" in usage:
        row = openai_responses_usage(usage)
        status = opt_str(response.get("status"))
        details = as_dict(response.get("incomplete_details"))
        finish = "length" if details.get("reason") == "max_output_tokens" else (
            "stop" if status == "completed" else status)
        created = response.get("created_at")
    else:
        row = openai_chat_usage(usage)
        if response.get("object") == "chat.completion.chunk":
            row["stream"] = True
        choices = response.get("choices") or [{}]
        finish = opt_str(as_dict(choices[0]).get("finish_reason"))
        created = response.get("created")
        status = "success"
    row.update({
        "timestamp": unix_time(created),
        "provider": "openai",
        "model_raw": opt_str(response.get("model")),
        "request_id": opt_str(response.get("id")),
        "service_tier": opt_str(response.get("service_tier")) or "standard",
        "finish_reason": finish,
        "status": "success" if status in (None, "completed", "success") else status,
    })
    return row


class OpenAIResponsesJsonlReader(JsonRecordReader):
    name = "openai-jsonl"
    description = ("OpenAI Chat Completions / Responses objects as JSONL, bare or wrapped "
                   '{"request", "response", "latency_ms", "ttft_ms", "user", "feature"}')

    def accepts(self, record: Obj) -> bool:
        return is_openai_response(unwrap(record)[1])

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        kind = record.get("type")
        if isinstance(kind, str) and kind.startswith("response.") and not as_dict(
                as_dict(record.get("response")).get("usage")):
            # A Responses stream logged event by event: only the final event (completed,
            # incomplete, failed) carries the response with its usage; the others are not
            # usage, as a chat stream's chunks without usage are not.
            return []
        request, response, wrapper = unwrap(record)
        if not is_openai_response(response):  # a mixed log: this line is another provider's
            other = reader_for(response)
            return other.rows(record, where, skipped) if other else not_a_response(
                where, skipped)
        row = openai_row(response, where, skipped)
        if row is None:
            return []
        extra = wrapper_fields(request, wrapper)
        if extra.get("timestamp") is not None:
            row["timestamp"] = extra.pop("timestamp")
        extra.pop("timestamp", None)
        row.update({k: v for k, v in extra.items() if v is not None or k not in row})
        if not row["model_raw"]:
            row["model_raw"] = opt_str(request.get("model"))
        return [row]
