"""Anthropic Messages objects as JSONL, bare or wrapped (see _wrapper) (formats.md 2c).

Token semantics: ``usage.input_tokens`` EXCLUDES cache reads and writes; the schema's input is
``input_tokens + cache_creation_input_tokens + cache_read_input_tokens`` (see
``_common.anthropic_usage``). A Message has no timestamp: the wrapper's ``timestamp`` is used,
else the row has none (the report says so). A stream logged event by event (one event's JSON
a line, ``message_start`` ... ``message_delta``) is one row per message (see ``_stream_event``).
"""

from __future__ import annotations

from llm_audit.ingest.base import Source
from llm_audit.ingest.logs._common import (
    Collected,
    JsonRecordReader,
    Obj,
    ReadOptions,
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


# The other events of a stream (formats.md 2c): no usage in them.
_STREAM_EVENTS = ("content_block_start", "content_block_delta", "content_block_stop", "ping",
                  "message_stop")


def is_stream_start(obj: Obj) -> bool:
    return obj.get("type") == "message_start" and isinstance(obj.get("message"), dict)


class AnthropicMessagesReader(JsonRecordReader):
    name = "anthropic-messages"
    description = ("Anthropic Messages API objects as JSONL, bare or wrapped like openai-jsonl, "
                   "or a stream's events (message_start ... message_delta)")

    def __init__(self) -> None:
        # The stream being read: (file, its row, its message_start usage).
        self._open: tuple[str, Row, Obj] | None = None

    def accepts(self, record: Obj) -> bool:
        return is_anthropic_message(unwrap(record)[1]) or is_stream_start(record)

    def collect(self, source: Source, options: ReadOptions, first_line: int = 1) -> Collected:
        self._open = None
        return super().collect(source, options, first_line)

    def _stream_event(self, record: Obj, where: tuple[str, int], skipped: list[str]
                      ) -> list[Row]:
        """A stream logged event by event (formats.md 2c): ``message_start`` carries the input
        and cache counts, ``message_delta.usage.output_tokens`` is the final cumulative output
        count (newer deltas restate the input and cache counts, cumulative too: the delta's
        win). One row per message_start, completed by the message_delta after it. A block
        boundary of a big file read in blocks (``stream``) between the two leaves the row
        with message_start's output count; the delta is then listed as skipped."""
        kind = record.get("type")
        if kind == "message_start":
            message = as_dict(record.get("message"))
            row = anthropic_row(message)
            row["stream"] = True
            self._open = (where[0], row, as_dict(message.get("usage")))
            return [row]
        if self._open is None or self._open[0] != where[0]:
            skipped.append(f"{where[0]}:{where[1]}: message_delta without its message_start")
            return []
        _, row, start = self._open
        delta = {k: v for k, v in as_dict(record.get("usage")).items() if v is not None}
        row.update(anthropic_usage({**start, **delta}))
        stop = opt_str(as_dict(record.get("delta")).get("stop_reason"))
        if stop:
            row["finish_reason"] = _FINISH.get(stop, stop)
        return []

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        if is_stream_start(record) or record.get("type") == "message_delta":
            return self._stream_event(record, where, skipped)
        if record.get("type") in _STREAM_EVENTS:
            return []
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
