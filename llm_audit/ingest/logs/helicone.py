"""Helicone request exports (JSON / JSONL / CSV of ``HeliconeRequest`` records) (formats.md 5c).

Token semantics (formats.md 0 has no Helicone row; observed, not spec): Helicone stores the
buckets BESIDE each other for every provider. Its cost formula is ``prompt_tokens x input +
prompt_cache_write_tokens x write + prompt_cache_read_tokens x read + prompt_audio_tokens x
audio + completion_tokens x output + completion_audio_tokens x audio out``, and its OpenAI
body processor stores ``prompt_tokens`` minus the cached and audio tokens. So input is the sum
of the prompt buckets and output the sum of the completion ones. Tolerated: a record whose
``total_tokens`` equals ``prompt_tokens + completion_tokens`` while it has cache tokens was
written with the provider's inclusive count (OpenAI's, older records); it is read that way.
``delay_ms`` is the latency, ``time_to_first_token`` in ms, ``costUSD`` the gateway's price.
Unverified: the export tool's CSV header (we assume it flattens the record's keys).
"""

from __future__ import annotations

from llm_audit.ingest.logs._common import (
    Obj,
    RecordReader,
    Row,
    as_dict,
    json_field,
    num,
    opt_float,
    opt_str,
)


class HeliconeReader(RecordReader):
    name = "helicone"
    description = "Helicone request exports (JSON/JSONL/CSV: request_id, delay_ms, costUSD)"
    csv_marker = frozenset({"request_id", "request_created_at", "delay_ms"})

    def accepts(self, record: Obj) -> bool:
        return "request_created_at" in record and ("delay_ms" in record
                                                    or "prompt_tokens" in record)

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        provider = (opt_str(record.get("provider")) or "openai").lower()
        read = num(record.get("prompt_cache_read_tokens"))
        write = num(record.get("prompt_cache_write_tokens"))
        prompt = num(record.get("prompt_tokens"))
        completion = num(record.get("completion_tokens"))
        total = num(record.get("total_tokens"))
        beside = prompt + read + write + num(record.get("prompt_audio_tokens"))
        output = completion + num(record.get("completion_audio_tokens"))
        if (read or write) and total and total == prompt + completion and provider != (
                "anthropic") and total != beside + output:
            beside, output = prompt, completion  # the inclusive count (see the docstring)
        props = as_dict(json_field(record.get("properties")) or record.get("properties"))
        status = num(record.get("response_status"))
        return [{
            "timestamp": opt_str(record.get("request_created_at")),
            "provider": provider,
            "model_raw": opt_str(record.get("model_override")) or opt_str(
                record.get("response_model")) or opt_str(record.get("request_model")),
            "request_id": opt_str(record.get("request_id")),
            "input_tokens": beside,
            "cache_read_tokens": read,
            "cache_write_5m_tokens": write,
            "cache_write_1h_tokens": 0,
            "output_tokens": output,
            # audio has its own rate: counted apart, reported unpriced (never as text)
            "audio_input_tokens": num(record.get("prompt_audio_tokens")),
            "audio_output_tokens": num(record.get("completion_audio_tokens")),
            "service_tier": "standard",
            "latency_ms": opt_float(record.get("delay_ms")),
            "ttft_ms": opt_float(record.get("time_to_first_token")),
            "user": opt_str(record.get("request_user_id")) or opt_str(
                record.get("helicone_user")),
            "feature": opt_str(props.get("Helicone-Property-Feature", props.get("feature"))),
            "session_id": opt_str(props.get("Helicone-Session-Id")),
            "billed_usd": opt_float(record.get("costUSD")),
            "status": "error" if status >= 400 else "success",
        }]
