"""OpenTelemetry GenAI spans as OTLP/JSON (``resourceSpans[].scopeSpans[].spans[]``) (5d).

Token semantics: ``gen_ai.usage.input_tokens`` SHOULD include cached tokens, and
``gen_ai.usage.cache_read.input_tokens`` and ``cache_creation`` / ``cache_write`` are parts of
it; ``gen_ai.usage.reasoning.output_tokens`` is part of the output. Old names
(``gen_ai.usage.prompt_tokens``/``completion_tokens``, ``gen_ai.system``) and Sentry's
(``gen_ai.usage.input_tokens.cached``, ``...cache_write``) are accepted. Spans without token
usage (tools, agents) are not usage rows. A file is one OTLP document or one per line.
"""

from __future__ import annotations

from typing import Any

from llm_audit.ingest.logs._common import (
    JsonRecordReader,
    Obj,
    Row,
    as_dict,
    num,
    opt_count,
    opt_float,
    opt_str,
    unix_time,
)

_PROVIDERS = {"aws.bedrock": "bedrock", "gcp.gemini": "google", "gcp.vertex_ai": "vertex_ai",
              "gemini": "google", "vertex_ai": "vertex_ai", "azure.ai.openai": "azure",
              "az.ai.openai": "azure", "openai": "openai", "anthropic": "anthropic"}


def _value(v: Obj) -> Any:
    for key in ("stringValue", "boolValue", "doubleValue"):
        if key in v:
            return v[key]
    if "intValue" in v:
        return num(v["intValue"])
    if "arrayValue" in v:
        return [_value(as_dict(x)) for x in as_dict(v["arrayValue"]).get("values", [])]
    return None


def attributes(span: Obj) -> dict[str, Any]:
    return {str(a.get("key")): _value(as_dict(a.get("value")))
            for a in span.get("attributes", []) if isinstance(a, dict)}


def _first(attrs: dict[str, Any], *names: str) -> Any:
    for name in names:
        if attrs.get(name) is not None:
            return attrs[name]
    return None


class OtelGenAiReader(JsonRecordReader):
    name = "otel-genai"
    description = "OpenTelemetry GenAI spans as OTLP/JSON (old and new gen_ai.* attributes)"

    def accepts(self, record: Obj) -> bool:
        return "resourceSpans" in record

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        rows: list[Row] = []
        for rs in record.get("resourceSpans", []):
            for ss in as_dict(rs).get("scopeSpans", []):
                for span in as_dict(ss).get("spans", []):
                    row = self._span(as_dict(span))
                    if row is not None:
                        rows.append(row)
        return rows

    def _span(self, span: Obj) -> Row | None:
        a = attributes(span)
        inp = _first(a, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens")
        out = _first(a, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")
        if inp is None and out is None:
            return None
        start, end = num(span.get("startTimeUnixNano")), num(span.get("endTimeUnixNano"))
        ttft = _first(a, "gen_ai.response.time_to_first_chunk")
        finish = _first(a, "gen_ai.response.finish_reasons")
        system = str(_first(a, "gen_ai.provider.name", "gen_ai.system") or "openai")
        return {
            "timestamp": unix_time(start) if start else None,  # ns (an impossible one: bad)
            "provider": _PROVIDERS.get(system, system),
            "model_raw": opt_str(_first(a, "gen_ai.response.model", "gen_ai.request.model")),
            "request_id": opt_str(_first(a, "gen_ai.response.id")),
            "input_tokens": num(inp),
            "cache_read_tokens": num(_first(a, "gen_ai.usage.cache_read.input_tokens",
                                            "gen_ai.usage.cache_read_input_tokens",
                                            "gen_ai.usage.input_tokens.cached")),
            "cache_write_5m_tokens": num(_first(a, "gen_ai.usage.cache_creation.input_tokens",
                                                "gen_ai.usage.cache_write.input_tokens",
                                                "gen_ai.usage.input_tokens.cache_write")),
            "cache_write_1h_tokens": 0,
            "output_tokens": num(out),
            "reasoning_tokens": num(_first(a, "gen_ai.usage.reasoning.output_tokens")),
            "service_tier": opt_str(_first(a, "gen_ai.openai.response.service_tier"))
            or "standard",
            "latency_ms": (end - start) / 1e6 if start and end else None,
            # time_to_first_chunk is in seconds (formats.md 5d), whatever value type carries it
            "ttft_ms": seconds * 1000.0 if (seconds := opt_float(ttft)) is not None else None,
            "max_tokens": opt_count(_first(a, "gen_ai.request.max_tokens")),
            "finish_reason": finish[0] if isinstance(finish, list) and finish else None,
            "trace_id": opt_str(span.get("traceId")),
            "session_id": opt_str(_first(a, "gen_ai.conversation.id")),
            "feature": opt_str(span.get("name")),
            # OTLP/JSON writes the enum as 2 or by name ("STATUS_CODE_ERROR")
            "status": "error" if as_dict(span.get("status")).get("code") in (
                2, "2", "STATUS_CODE_ERROR") else "success",
        }
