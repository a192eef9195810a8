"""Langfuse observations (ObservationV2, camelCase JSON / JSONL, or the API's {"data": [...]}).

Token semantics (formats.md 0, inferred from the Langfuse docs): ``usageDetails`` are additive
buckets. ``input`` is the uncached input; ``input_cached_tokens`` / ``cache_read_input_tokens``
and ``cache_creation_input_tokens`` (and ``input_audio_tokens`` ...) are BESIDE it, so input
is the sum of the input family; ``output_reasoning_tokens`` is beside ``output`` likewise.
When only a ``total`` is given the split is unknown and the row is listed, not guessed; a
``total`` that is not the sum of the buckets is a contradiction (reported with its line).
GENERATION observations are usage, and any other type (EMBEDDING, ...) that carries usageDetails
(formats.md 5b lists more types than GENERATION|SPAN|EVENT); spans without usage are not.
``latency`` and ``timeToFirstToken`` are in seconds. Unverified: the UI export's CSV header.
"""

from __future__ import annotations

from llm_audit.ingest.logs._common import (
    JsonRecordReader,
    Obj,
    Row,
    as_dict,
    ms_between,
    num,
    opt_count,
    opt_float,
    opt_str,
)


class LangfuseObservationsReader(JsonRecordReader):
    name = "langfuse"
    description = "Langfuse observations (JSON/JSONL, usageDetails)"

    def accepts(self, record: Obj) -> bool:
        return "traceId" in record and ("usageDetails" in record or "type" in record)

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        d = {k: num(v) for k, v in as_dict(record.get("usageDetails")).items()}
        if record.get("type") not in ("GENERATION", None) and not any(d.values()):
            return []  # spans and events carry no usage
        if not d:
            skipped.append(f"{where[0]}:{where[1]}: generation without usageDetails")
            return []
        read = d.get("input_cached_tokens", 0) + d.get("cache_read_input_tokens", 0) + d.get(
            "input_cache_read", 0)
        write = d.get("cache_creation_input_tokens", 0) + d.get("input_cache_creation", 0)
        reasoning = d.get("output_reasoning_tokens", 0) + d.get("output_reasoning", 0)
        # Additive buckets: every input_* / output_* key (audio, image, cached...) is beside
        # the plain `input` / `output` count, so the totals are the sums of their families.
        inputs = sum(v for k, v in d.items() if k.startswith("input")) + d.get(
            "cache_read_input_tokens", 0) + d.get("cache_creation_input_tokens", 0)
        outputs = sum(v for k, v in d.items() if k.startswith("output"))
        if "input" not in d and "output" not in d and d.get("total"):
            skipped.append(f"{where[0]}:{where[1]}: only a total of {d['total']} tokens, no "
                           "input/output split")
            return []
        latency = opt_float(record.get("latency"))
        ttft = opt_float(record.get("timeToFirstToken"))
        # formats.md 0: "the total key is the sum when it is present". A total that is not the
        # sum of the buckets contradicts the additive reading (e.g. cached tokens left inside
        # `input`): the row is reported with its line (load), not guessed either way.
        parts = sum(v for k, v in d.items() if k != "total")
        stated = (f"usageDetails total ({d['total']}) is not the sum of its buckets ({parts})"
                  if d.get("total") and d["total"] != parts else None)
        return [{
            "contradiction": stated,
            "timestamp": opt_str(record.get("startTime")),
            "provider": _provider(opt_str(record.get("model")) or ""),
            "model_raw": opt_str(record.get("model")),
            "request_id": opt_str(record.get("id")),
            "input_tokens": inputs,
            "cache_read_tokens": read,
            "cache_write_5m_tokens": write,
            "cache_write_1h_tokens": 0,
            "output_tokens": outputs,
            "reasoning_tokens": reasoning,
            # the audio buckets (input_audio_tokens, ...): own rate, reported unpriced. Cached
            # audio is not in the cache reads above, so it counts as uncached audio here too.
            "audio_input_tokens": sum(v for k, v in d.items()
                                      if k.startswith("input") and "audio" in k),
            "audio_output_tokens": sum(v for k, v in d.items()
                                       if k.startswith("output") and "audio" in k),
            "service_tier": "standard",
            "latency_ms": latency * 1000.0 if latency is not None else ms_between(
                record.get("startTime"), record.get("endTime")),
            "ttft_ms": ttft * 1000.0 if ttft is not None else ms_between(
                record.get("startTime"), record.get("completionStartTime")),
            "user": opt_str(record.get("userId")),
            "feature": opt_str(record.get("name")) or opt_str(record.get("traceName")),
            "trace_id": opt_str(record.get("traceId")),
            "session_id": opt_str(record.get("sessionId")),
            "billed_usd": opt_float(record.get("totalCost")),
            "max_tokens": opt_count(as_dict(record.get("modelParameters")).get("max_tokens")),
            "status": "error" if record.get("level") == "ERROR" else "success",
        }]


def _provider(model: str) -> str:
    m = model.lower()
    if m.startswith("claude"):
        return "anthropic"
    if m.startswith("gemini"):
        return "google"
    return "openai"
