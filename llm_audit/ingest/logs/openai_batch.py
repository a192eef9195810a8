"""OpenAI Batch API output JSONL: one ``BatchRequestOutput`` a line (formats.md 1d).

``{"id", "custom_id", "response": {"status_code", "request_id", "body": <chat.completion or
response>}, "error"}``. Bodies are read as in openai_jsonl; every line is billed at batch
rates although the body says ``service_tier: "default"``. Failed lines (``response: null``)
are counted as errors with no tokens. The output file has no timestamps: the body's
``created`` is used.
"""

from __future__ import annotations

from llm_audit.ingest.logs._common import JsonRecordReader, Obj, Row, as_dict, opt_str
from llm_audit.ingest.logs.openai_jsonl import openai_row


class OpenAIBatchOutputReader(JsonRecordReader):
    name = "openai-batch"
    description = "OpenAI Batch API output JSONL (custom_id + response.body)"

    def accepts(self, record: Obj) -> bool:
        return "custom_id" in record and ("response" in record or "error" in record) and (
            "result" not in record)

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        response = as_dict(record.get("response"))
        body = as_dict(response.get("body"))
        if not body:
            code = opt_str(as_dict(record.get("error")).get("code")) or "no response"
            skipped.append(f"{where[0]}:{where[1]}: failed batch line ({code})")
            return []
        status_code = response.get("status_code")
        if isinstance(status_code, int) and status_code >= 400 and not body.get("usage"):
            # A failed request's body is an error object, not a response (formats.md 1d).
            kind = opt_str(as_dict(body.get("error")).get("type")) or "error"
            skipped.append(f"{where[0]}:{where[1]}: failed batch line (HTTP {status_code}: "
                           f"{kind})")
            return []
        row = openai_row(body, where, skipped)
        if row is None:
            return []
        row["service_tier"] = "batch"
        row["request_id"] = opt_str(response.get("request_id")) or row["request_id"]
        row["custom_id"] = opt_str(record.get("custom_id"))
        row["stream"] = False
        if isinstance(status_code, int) and status_code >= 400:
            row["status"] = "error"
        return [row]
