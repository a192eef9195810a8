"""AWS Bedrock model-invocation logs (CloudWatch / S3 JSON lines) (formats.md 4a).

Token semantics: ``input.inputTokenCount`` EXCLUDES ``cacheReadInputTokenCount`` and
``cacheWriteInputTokenCount``; the schema's input is their sum. The 5m/1h write split is only
in an Anthropic body (``usage.cache_creation``); without it writes count as 5-minute writes.
Latency comes from ``outputBodyJson.metrics.latencyMs`` (Converse) or the stream's
``amazon-bedrock-invocationMetrics`` (observed format: parsed tolerantly).
"""

from __future__ import annotations

from llm_audit.ingest.logs._common import (
    JsonRecordReader,
    Obj,
    Row,
    as_dict,
    digest,
    num,
    opt_count,
    opt_float,
    opt_str,
    prompt_text,
)


def _invocation_metrics(output: Obj) -> Obj:
    body = output.get("outputBodyJson")
    chunks = body if isinstance(body, list) else [body]
    for chunk in chunks:
        metrics = as_dict(as_dict(chunk).get("amazon-bedrock-invocationMetrics"))
        if metrics:
            return metrics
    return {}


class BedrockInvocationLogReader(JsonRecordReader):
    name = "bedrock-invocation"
    description = "AWS Bedrock model invocation logs (schemaType ModelInvocationLog)"

    def accepts(self, record: Obj) -> bool:
        return record.get("schemaType") == "ModelInvocationLog" or (
            "modelId" in record and isinstance(record.get("input"), dict)
            and "inputTokenCount" in record["input"])

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        inp = as_dict(record.get("input"))
        out = as_dict(record.get("output"))
        body = as_dict(out.get("outputBodyJson"))
        usage = as_dict(body.get("usage"))
        stream_metrics = _invocation_metrics(out)
        read = num(inp.get("cacheReadInputTokenCount"))
        write = num(inp.get("cacheWriteInputTokenCount"))
        split = as_dict(usage.get("cache_creation"))
        w1h = num(split.get("ephemeral_1h_input_tokens")) if write else 0
        model = opt_str(record.get("modelId")) or ""
        if model.startswith("arn:"):
            model = model.rsplit("/", 1)[-1]
        prefix = model.split(".", 1)[0]
        region = prefix if prefix in ("us", "eu", "apac", "jp", "au") else None
        if region is None and prefix != "global":
            # An in-region call (no cross-region prefix) is priced like the geographic profile
            # of its region (AWS Bedrock user guide, cross-Region inference: global is ~10%
            # below geo and in-region use), as the CUR reader prices `USE1-` usage types
            # (ingest/billing/aws_cur.geo_region); the tables' base is the global rate.
            region = _geo_of(opt_str(record.get("region")) or "")
        latency = opt_float(as_dict(body.get("metrics")).get("latencyMs")) or opt_float(
            stream_metrics.get("invocationLatency"))
        request = as_dict(inp.get("inputBodyJson"))
        operation = opt_str(record.get("operation")) or ""
        row: Row = {
            "timestamp": opt_str(record.get("timestamp")),
            "provider": "bedrock",
            "model_raw": model,
            "request_id": opt_str(record.get("requestId")),
            "input_tokens": num(inp.get("inputTokenCount")) + read + write,
            "cache_read_tokens": read,
            "cache_write_5m_tokens": write - w1h,
            "cache_write_1h_tokens": w1h,
            "output_tokens": num(out.get("outputTokenCount")),
            "service_tier": "standard",
            "latency_ms": latency,
            "ttft_ms": opt_float(stream_metrics.get("firstByteLatency")),
            "stream": "Stream" in operation,
            "region": region,
            # The caller's IAM identity is an application role, not an end user.
            "api_key": opt_str(as_dict(record.get("identity")).get("arn")),
            "max_tokens": opt_count(request.get("max_tokens", as_dict(
                request.get("inferenceConfig")).get("maxTokens"))),
            "status": "success",
        }
        stop = opt_str(body.get("stop_reason", body.get("stopReason")))
        row["finish_reason"] = {"max_tokens": "length", "end_turn": "stop"}.get(stop or "", stop)
        if request:
            row["prompt_text"] = prompt_text(request)
            row["request_key"] = digest(request)
        return [row]


def _geo_of(aws_region: str) -> str | None:
    """`us-east-1` -> us, `eu-west-1` -> eu, `ap-northeast-1` -> apac: the same geographies as
    the CUR reader's usage-type prefixes (`USE1-`, `EUC1-`, `APN1-`)."""
    low = aws_region.lower()
    for start, key in (("us", "us"), ("eu", "eu"), ("ap", "apac")):
        if low.startswith(start):
            return key
    return None
