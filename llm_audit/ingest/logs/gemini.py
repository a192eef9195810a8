"""Gemini generateContent responses as JSONL, bare or wrapped (see _wrapper) (formats.md 3a).

Token semantics: ``promptTokenCount`` includes ``cachedContentTokenCount``;
``thoughtsTokenCount`` is NOT inside ``candidatesTokenCount``, so output = candidates +
thoughts (see ``_common.gemini_usage``). Both camelCase (REST) and snake_case (SDK dumps) are
read. ``trafficType`` gives the tier. A response has no timestamp unless Vertex's
``createTime`` or the wrapper gives one.
"""

from __future__ import annotations

from llm_audit.ingest.logs._common import JsonRecordReader, Obj, Row, as_dict, gemini_usage, opt_str
from llm_audit.ingest.logs._wrapper import not_a_response, reader_for, unwrap, wrapper_fields

_TRAFFIC = {"ON_DEMAND": "standard", "ON_DEMAND_PRIORITY": "priority",
            "ON_DEMAND_FLEX": "flex", "ON_DEMAND_OFFPEAK": "flex",
            "PROVISIONED_THROUGHPUT": "standard"}
_FINISH = {"STOP": "stop", "MAX_TOKENS": "length"}


def _usage(obj: Obj) -> Obj:
    return as_dict(obj.get("usageMetadata", obj.get("usage_metadata")))


def is_gemini_response(obj: Obj) -> bool:
    return bool(_usage(obj))


class GeminiGenerateContentReader(JsonRecordReader):
    name = "gemini"
    description = "Gemini / Vertex generateContent responses as JSONL (usageMetadata)"

    def accepts(self, record: Obj) -> bool:
        return is_gemini_response(unwrap(record)[1])

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        request, response, wrapper = unwrap(record)
        if not is_gemini_response(response):  # a mixed log: this line is another provider's
            other = reader_for(response)
            return other.rows(record, where, skipped) if other else not_a_response(
                where, skipped)
        usage = _usage(response)
        row = gemini_usage(usage)
        traffic = opt_str(usage.get("trafficType", usage.get("traffic_type")))
        cands = response.get("candidates") or [{}]
        finish = opt_str(as_dict(cands[0]).get("finishReason",
                                                as_dict(cands[0]).get("finish_reason")))
        row.update({
            "timestamp": opt_str(response.get("createTime", response.get("create_time"))),
            "provider": "vertex_ai" if traffic else "google",
            "model_raw": opt_str(response.get("modelVersion", response.get("model_version"))),
            "request_id": opt_str(response.get("responseId", response.get("response_id"))),
            "service_tier": _TRAFFIC.get(traffic or "", "standard"),
            "finish_reason": _FINISH.get(finish or "", finish.lower() if finish else None),
            "status": "success",
        })
        if "key" in record and "response" in record and "request" not in record:
            # A Gemini API batch output line ({"key", "response"}) is billed at batch rates.
            # Unverified (formats.md 3a): whether every batch file echoes `key`.
            row["service_tier"] = "batch"
        if "processed_time" in record and "response" in record and "request" in record:
            # A Vertex AI batch prediction output line ({"status", "processed_time",
            # "request", "response"}) is a batch request too. Unverified (not in formats.md):
            # Vertex's documented output shape; the line's time is when it was processed.
            row["service_tier"] = "batch"
            row["timestamp"] = row["timestamp"] or opt_str(record.get("processed_time"))
        extra = wrapper_fields(request, wrapper)
        if extra.get("timestamp") is None:
            extra.pop("timestamp", None)
        row.update(extra)
        if not row["model_raw"]:
            row["model_raw"] = opt_str(request.get("model"))
        return [row]
