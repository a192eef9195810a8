"""Anthropic Messages objects as JSONL, bare or wrapped (see _wrapper) (formats.md 2c).

Token semantics: ``usage.input_tokens`` EXCLUDES cache reads and writes; the schema's input is
``input_tokens + cache_creation_input_tokens + cache_read_input_tokens`` (see
``_common.anthropic_usage``). A Message has no timestamp: the wrapper's ``timestamp`` is used,
else the row has none (the report says so).
"""

from __future__ import annotations

from llm_audit.ingest.logs._common import (
    JsonRecordReader,
    Obj,
    Row,
    anthropic_usage,
    as_dict,
    opt_str,
)
from llm_audit.ingest.logs._wrapper import not_a_response, reader_for, unwrap, wrapper_fields

_FINISH = {"end_turn": "stop", "max_tokens": "length", "stop_sequence": "stop",
           "tool_use": "tool_calls"}


def is_anthropic_message(obj: Obj) -> bool:
    return obj.get("type") == "message" and "usage" in obj


def anthropic_row(message: Obj) -> Row:
    row = anthropic_usage(as_dict(message.get("usage")))
    stop = opt_str(message.get("stop_reason"))
    row.update({
        "provider": "anthropic",
        "model_raw": opt_str(message.get("model")),
        "request_id": opt_str(message.get("id")),
        "finish_reason": _FINISH.get(stop or "", stop),
        "status": "success",
    })
    geo = opt_str(as_dict(message.get("usage")).get("inference_geo"))
    if geo and geo != "global":
        row["region"] = geo
    return row


class AnthropicMessagesReader(JsonRecordReader):
    name = "anthropic-messages"
    description = "Anthropic Messages API objects as JSONL, bare or wrapped like openai-jsonl"

    def accepts(self, record: Obj) -> bool:
        return is_anthropic_message(unwrap(record)[1])

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        request, response, wrapper = unwrap(record)
        if not is_anthropic_message(response):  # a mixed log: this line is another provider's
            other = reader_for(response)
            return other.rows(record, where, skipped) if other else not_a_response(
                where, skipped)
        row = anthropic_row(response)
        row.update(wrapper_fields(request, wrapper))
        if not row["model_raw"]:
            row["model_raw"] = opt_str(request.get("model"))
        return [row]
