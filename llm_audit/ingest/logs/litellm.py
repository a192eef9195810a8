"""LiteLLM proxy spend logs: the ``LiteLLM_SpendLogs`` CSV dump or ``/spend/logs`` JSON (5a).

Token semantics: ``prompt_tokens`` includes cached tokens (for Anthropic LiteLLM adds
cache_creation + cache_read into it), so it passes through as input. Cache reads come from
``metadata.usage_object.prompt_tokens_details.cached_tokens`` or
``metadata.additional_usage_values.cache_read_input_tokens``; cache writes from
``additional_usage_values.cache_creation_input_tokens``. ``spend`` is kept as ``billed_usd``.
A LiteLLM response-cache hit (``cache_hit`` True) made no provider call: its tokens are zeroed.
"""

from __future__ import annotations

from llm_audit.ingest.logs._common import (
    Obj,
    RecordReader,
    Row,
    as_dict,
    iso_or_none,
    json_field,
    ms_between,
    num,
    opt_float,
    opt_str,
)

_PROVIDERS = {"gemini": "google", "vertex_ai": "vertex_ai", "azure": "azure",
              "bedrock": "bedrock", "anthropic": "anthropic", "openai": "openai"}


class LiteLLMSpendLogsReader(RecordReader):
    name = "litellm"
    description = "LiteLLM proxy spend logs (LiteLLM_SpendLogs CSV dump, /spend/logs JSON)"
    csv_marker = frozenset({"request_id", "spend", "prompt_tokens", "startTime"})

    def accepts(self, record: Obj) -> bool:
        return {"request_id", "spend", "prompt_tokens", "startTime"} <= set(record)

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        meta = as_dict(json_field(record.get("metadata")))
        usage = as_dict(meta.get("usage_object"))
        extra = as_dict(meta.get("additional_usage_values"))
        details = as_dict(usage.get("prompt_tokens_details"))
        read = num(details.get("cached_tokens")) or num(
            extra.get("cache_read_input_tokens")) or num(usage.get("cache_read_input_tokens"))
        # formats.md 5a names additional_usage_values for the writes; the raw usage_object
        # carries them too (Anthropic's key, or LiteLLM's prompt_tokens_details name):
        # unverified which versions write which, so any of them, never added together.
        write = num(extra.get("cache_creation_input_tokens")) or num(
            usage.get("cache_creation_input_tokens")) or num(details.get("cache_creation_tokens"))
        hit = str(record.get("cache_hit", "")).lower() == "true"
        tags = json_field(record.get("request_tags"))
        feature = tags[0] if isinstance(tags, list) and tags else None
        start = iso_or_none(record.get("startTime"))
        latency = opt_float(record.get("request_duration_ms")) or ms_between(
            start, record.get("endTime"))
        provider = opt_str(record.get("custom_llm_provider")) or "openai"
        status = opt_str(record.get("status")) or "success"
        model = opt_str(record.get("model")) or ""
        row: Row = {
            "timestamp": start,
            "provider": _PROVIDERS.get(provider, provider),
            "model_raw": model.split("/", 1)[1] if "/" in model and model.split("/")[0]
            in _PROVIDERS else model,
            "request_id": opt_str(record.get("request_id")),
            "input_tokens": 0 if hit else num(record.get("prompt_tokens")),
            "cache_read_tokens": 0 if hit else read,
            "cache_write_5m_tokens": 0 if hit else write,
            "cache_write_1h_tokens": 0,
            "output_tokens": 0 if hit else num(record.get("completion_tokens")),
            "reasoning_tokens": 0 if hit else num(as_dict(
                usage.get("completion_tokens_details")).get("reasoning_tokens")),
            "service_tier": "standard",
            "latency_ms": latency,
            "ttft_ms": ms_between(start, record.get("completionStartTime")),
            "user": opt_str(record.get("end_user")) or opt_str(record.get("user")),
            "api_key": opt_str(meta.get("user_api_key_alias")),
            "feature": opt_str(feature),
            "session_id": opt_str(record.get("session_id")),
            "billed_usd": opt_float(record.get("spend")),
            "status": "success" if status == "success" else "error",
            "gateway_cache_hit": hit,
        }
        return [row]
