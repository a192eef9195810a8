"""Anthropic Message Batches results JSONL (formats.md 2d).

``{"custom_id", "result": {"type": "succeeded", "message": <Message>}}``; errored, canceled
and expired results carry no usage and are counted, not priced. Every result is a batch
request (50% rates). Results carry no timestamp.
"""

from __future__ import annotations

from llm_audit.ingest.logs._common import JsonRecordReader, Obj, Row, as_dict, opt_str
from llm_audit.ingest.logs.anthropic_messages import anthropic_row


class AnthropicBatchResultsReader(JsonRecordReader):
    name = "anthropic-batch"
    description = "Anthropic Message Batches results JSONL (custom_id + result)"

    def accepts(self, record: Obj) -> bool:
        return "custom_id" in record and isinstance(record.get("result"), dict)

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        result = as_dict(record.get("result"))
        if result.get("type") != "succeeded":
            skipped.append(f"{where[0]}:{where[1]}: batch result {result.get('type')!r} "
                           "(no usage)")
            return []
        row = anthropic_row(as_dict(result.get("message")))
        row["service_tier"] = "batch"
        row["custom_id"] = opt_str(record.get("custom_id"))
        row["stream"] = False
        return [row]
