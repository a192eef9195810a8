"""Vectors written from the documented shapes (formats.md 0, 1d, 1e, 2c, 2d, 3a, 4a, 5, 6),
not from the samples: each expected figure is the arithmetic from the list prices, so a
reader that double counts or drops cache / reasoning tokens fails here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.logs.vectors import Cli, by_model, logs, write


def test_one_wrapped_log_can_mix_providers_line_by_line(cli: Cli, tmp_path: Path) -> None:
    # The wrapper is one format for OpenAI, Anthropic and Gemini responses; a line of each in
    # one file is read by its own provider's rules (formats.md 0), whichever line comes first.
    openai = {"timestamp": "2026-11-16T09:41:20Z", "request": {"model": "gpt-5"},
              "response": {"id": "resp_1", "object": "response", "created_at": 1763286080,
                           "status": "completed", "model": "gpt-5",
                           "usage": {"input_tokens": 4000,
                                     "input_tokens_details": {"cached_tokens": 3000},
                                     "output_tokens": 1000,
                                     "output_tokens_details": {"reasoning_tokens": 700}}},
              "latency_ms": 2500}
    anthropic = {"timestamp": "2026-11-16T09:42:20Z",
                 "response": {"id": "msg_1", "type": "message", "model": "claude-sonnet-4-5",
                              "stop_reason": "end_turn",
                              "usage": {"input_tokens": 100, "cache_creation_input_tokens": 2000,
                                        "cache_read_input_tokens": 5000, "output_tokens": 300}},
                 "latency_ms": 3000}
    gemini = {"timestamp": "2026-11-16T09:43:20Z",
              "response": {"modelVersion": "gemini-2.5-flash", "responseId": "g1",
                           "usageMetadata": {"promptTokenCount": 1000,
                                             "cachedContentTokenCount": 400,
                                             "candidatesTokenCount": 200,
                                             "thoughtsTokenCount": 300}},
              "latency_ms": 900}
    error = {"timestamp": "2026-11-16T09:44:20Z", "response": {"type": "error"},
             "latency_ms": 10}
    for order in ((openai, anthropic, gemini, error), (anthropic, gemini, openai, error),
                  (gemini, openai, anthropic, error)):
        data = logs(cli, write(tmp_path / "mixed.jsonl", *order))
        models = by_model(data)
        # gpt-5: 1000 uncached x 1.25 + 3000 cached x 0.125 + 1000 out x 10
        assert models["gpt-5"]["cost"] == pytest.approx(
            (1000 * 1.25 + 3000 * 0.125 + 1000 * 10) / 1e6, abs=1e-12)
        # Sonnet 4.5: input EXCLUDES the cache: 100 x 3 + 5000 read x 0.30 + 2000 written x 3.75
        # + 300 out x 15
        assert models["claude-sonnet-4-5"]["input_tokens"] == 100 + 2000 + 5000
        assert models["claude-sonnet-4-5"]["cost"] == pytest.approx(
            (100 * 3 + 5000 * 0.30 + 2000 * 3.75 + 300 * 15) / 1e6, abs=1e-12)
        # Gemini 2.5 Flash: 600 uncached x 0.30 + 400 cached x 0.03 + (200 + 300 thoughts) x 2.5
        assert models["gemini-2.5-flash"]["output_tokens"] == 200 + 300
        assert models["gemini-2.5-flash"]["cost"] == pytest.approx(
            (600 * 0.30 + 400 * 0.03 + 500 * 2.5) / 1e6, abs=1e-12)
        assert data["requests"] == 3
        skipped = data["data_quality"]["skipped"]
        assert any(s.endswith(":4: not an OpenAI, Anthropic or Gemini response object with "
                              "usage") for s in skipped), skipped


def _chat(cid: str, model: str, tier: str, prompt: int, cached: int, written: int,
          completion: int, reasoning: int = 0) -> dict[str, Any]:
    return {"id": cid, "object": "chat.completion", "created": 1763286080, "model": model,
            "service_tier": tier,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "x"},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion,
                      "prompt_tokens_details": {"cached_tokens": cached,
                                                "cache_write_tokens": written},
                      "completion_tokens_details": {"reasoning_tokens": reasoning}}}


def test_openai_cache_writes_are_input_at_the_tier_rate(cli: Cli, tmp_path: Path) -> None:
    # formats.md 6: "cache write is not charged for these models": written tokens (a subset
    # of prompt_tokens, 1e) are input at the rate of the tier the line was billed at: a batch
    # line's batch rate (1d, although the body says "default"), a flex call's flex rate.
    batch = {"id": "batch_req_1", "custom_id": "t1", "error": None,
             "response": {"status_code": 200, "request_id": "req_1",
                          "body": _chat("c1", "gpt-5-mini", "default", 2000, 0, 1000, 100)}}
    data = logs(cli, write(tmp_path / "batch.jsonl", batch))
    # gpt-5-mini batch: 2000 input x 0.125 + 100 output x 1
    assert data["total_cost"] == pytest.approx((2000 * 0.125 + 100 * 1) / 1e6, abs=1e-12)
    flex = _chat("c2", "gpt-5", "flex", 3000, 1000, 500, 200, 150)
    data = logs(cli, write(tmp_path / "flex.jsonl", flex))
    # gpt-5 flex: (3000 - 1000 cached) x 0.625 + 1000 cached x 0.0625 + 200 out x 5
    assert data["total_cost"] == pytest.approx(
        (2000 * 0.625 + 1000 * 0.0625 + 200 * 5) / 1e6, abs=1e-12)


def test_langfuse_buckets_add_up_to_total_or_the_row_is_a_contradiction(
        cli: Cli, tmp_path: Path) -> None:
    # formats.md 0 / 5b: usageDetails are additive buckets; `total` is their sum when present.
    def gen(oid: str, model: str, details: dict[str, int]) -> dict[str, Any]:
        return {"id": oid, "traceId": "t1", "type": "GENERATION", "name": "chat",
                "startTime": "2026-11-16T09:41:20.000Z", "model": model,
                "usageDetails": details, "latency": 1.5, "timeToFirstToken": 0.25}

    path = write(
        tmp_path / "obs.jsonl",
        gen("o1", "gpt-4o", {"input": 976, "input_cached_tokens": 1024, "output": 100,
                             "total": 2100}),
        gen("o2", "o3", {"input": 2000, "output": 500, "output_reasoning_tokens": 1500}),
        # total = input + output only: the cached bucket would be counted twice
        gen("o3", "gpt-4o", {"input": 2000, "input_cached_tokens": 1024, "output": 100,
                             "total": 2100}),
    )
    data = logs(cli, path)
    models = by_model(data)
    # gpt-4o: 976 uncached x 2.5 + 1024 cached x 1.25 + 100 out x 10
    assert models["gpt-4o"]["input_tokens"] == 976 + 1024
    assert models["gpt-4o"]["cost"] == pytest.approx(
        (976 * 2.5 + 1024 * 1.25 + 100 * 10) / 1e6, abs=1e-12)
    # o3 (2026 price 2 / 8): output = 500 + 1500 reasoning beside it
    assert models["o3"]["output_tokens"] == 500 + 1500
    assert models["o3"]["cost"] == pytest.approx((2000 * 2 + 2000 * 8) / 1e6, abs=1e-12)
    dq = data["data_quality"]
    assert dq["contradiction_count"] == 1
    assert dq["contradictions"] == [
        f"{path}:3: usageDetails total (2100) is not the sum of its buckets (3124)"]
    # latency and time to first token are seconds in Langfuse
    (gpt4o,) = [r for r in data["latency"] if r["model"] == "gpt-4o"]
    assert (gpt4o["p50"], gpt4o["ttft_p50"]) == (1500.0, 250.0)


def test_openai_batch_failed_lines_are_listed_not_priced(cli: Cli, tmp_path: Path) -> None:
    ok = {"id": "batch_req_1", "custom_id": "t1", "error": None,
          "response": {"status_code": 200, "request_id": "req_1",
                       "body": _chat("c1", "gpt-4.1", "default", 1000, 500, 0, 100)}}
    expired = {"id": "batch_req_2", "custom_id": "t2", "response": None,
               "error": {"code": "batch_expired", "message": "not run in time"}}
    rejected = {"id": "batch_req_3", "custom_id": "t3", "error": None,
                "response": {"status_code": 400, "request_id": "req_3",
                             "body": {"error": {"message": "bad", "type":
                                                "invalid_request_error"}}}}
    path = write(tmp_path / "out.jsonl", ok, expired, rejected)
    data = logs(cli, path)
    # gpt-4.1 batch 1 / (cached: the standard 0.50, formats.md 6) / 4
    assert data["total_cost"] == pytest.approx((500 * 1 + 500 * 0.50 + 100 * 4) / 1e6,
                                               abs=1e-12)
    assert data["data_quality"]["skipped"] == [
        f"{path}:2: failed batch line (batch_expired)",
        f"{path}:3: failed batch line (HTTP 400: invalid_request_error)"]


def _attr(key: str, value: object) -> dict[str, Any]:
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}  # OTLP/JSON: int64 as a string
    if isinstance(value, float):
        return {"key": key, "value": {"doubleValue": value}}
    if isinstance(value, list):
        return {"key": key, "value": {"arrayValue": {"values": [{"stringValue": v}
                                                                for v in value]}}}
    return {"key": key, "value": {"stringValue": value}}


def test_otel_spans_old_and_new_cache_names_and_nanosecond_strings(
        cli: Cli, tmp_path: Path) -> None:
    start = 1763286080_000_000_123

    def span(i: int, attrs: dict[str, object], nanos: int, **extra: Any) -> dict[str, Any]:
        s = start + i * 60_000_000_000
        return {"traceId": f"{i:032x}", "spanId": f"{i:016x}", "name": "chat", "kind": 3,
                "startTimeUnixNano": str(s), "endTimeUnixNano": str(s + nanos),
                "attributes": [_attr(k, v) for k, v in attrs.items()], **extra}

    spans = [
        # 0.66b2 names: input INCLUDES the cache (formats.md 0, 5d)
        span(1, {"gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-4-5",
                 "gen_ai.usage.input_tokens": 7100, "gen_ai.usage.cache_read.input_tokens": 5000,
                 "gen_ai.usage.cache_creation.input_tokens": 2000,
                 "gen_ai.usage.output_tokens": 300,
                 "gen_ai.response.time_to_first_chunk": "0.25"}, 1_234_567_891),
        # the newer cache_write name
        span(2, {"gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-4-5",
                 "gen_ai.usage.input_tokens": 3000, "gen_ai.usage.cache_write.input_tokens": 1000,
                 "gen_ai.usage.output_tokens": 10}, 500_000_000,
             status={"code": "STATUS_CODE_ERROR"}),
        # legacy names and Sentry's cached name
        span(3, {"gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
                 "gen_ai.usage.prompt_tokens": 1000, "gen_ai.usage.input_tokens.cached": 500,
                 "gen_ai.usage.completion_tokens": 20}, 700_000_000),
        # reasoning is part of the output
        span(4, {"gen_ai.provider.name": "openai", "gen_ai.request.model": "o3",
                 "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 500,
                 "gen_ai.usage.reasoning.output_tokens": 300,
                 "gen_ai.response.time_to_first_chunk": 1.5}, 9_000_000_000),
        span(5, {"gen_ai.operation.name": "execute_tool"}, 100),  # no usage: not a request
    ]
    doc = {"resourceSpans": [{"resource": {}, "scopeSpans": [{"scope": {}, "spans": spans}]}]}
    data = logs(cli, write(tmp_path / "spans.json", doc))
    models = by_model(data)
    assert data["requests"] == 4
    # Sonnet 4.5: (7100 - 5000 - 2000) x 3 + 5000 x 0.30 + 2000 x 3.75 + 300 x 15, then
    # (3000 - 1000) x 3 + 1000 x 3.75 + 10 x 15
    assert models["claude-sonnet-4-5"]["cost"] == pytest.approx(
        (100 * 3 + 5000 * 0.30 + 2000 * 3.75 + 300 * 15 + 2000 * 3 + 1000 * 3.75 + 10 * 15)
        / 1e6, abs=1e-12)
    # gpt-4o: 500 uncached x 2.5 + 500 cached x 1.25 + 20 x 10
    assert models["gpt-4o"]["cost"] == pytest.approx((500 * 2.5 + 500 * 1.25 + 20 * 10) / 1e6,
                                                     abs=1e-12)
    # o3: 1000 x 2 + 500 x 8 (the 300 reasoning tokens are inside the 500)
    assert models["o3"]["cost"] == pytest.approx((1000 * 2 + 500 * 8) / 1e6, abs=1e-12)
    lat = {r["model"]: r for r in data["latency"]}
    # nanosecond strings, exactly: 1_234_567_891 ns; time_to_first_chunk is seconds
    assert lat["claude-sonnet-4-5"]["max"] == pytest.approx(1234.567891, abs=1e-9)
    assert lat["claude-sonnet-4-5"]["ttft_p50"] == pytest.approx(250.0)
    assert lat["o3"]["ttft_p50"] == pytest.approx(1500.0)


def test_anthropic_stream_events_message_start_then_message_delta(
        cli: Cli, tmp_path: Path) -> None:
    # formats.md 2c: message_start carries the input and cache counts; message_delta's
    # usage.output_tokens is the final cumulative output count.
    start = {"type": "message_start", "message": {
        "id": "msg_s1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
        "content": [], "stop_reason": None,
        "usage": {"input_tokens": 100, "cache_creation_input_tokens": 2000,
                  "cache_read_input_tokens": 5000,
                  "cache_creation": {"ephemeral_5m_input_tokens": 500,
                                     "ephemeral_1h_input_tokens": 1500},
                  "output_tokens": 1}}}
    events = [start, {"type": "content_block_start", "index": 0,
                      "content_block": {"type": "text", "text": ""}},
              {"type": "ping"},
              {"type": "content_block_delta", "index": 0,
               "delta": {"type": "text_delta", "text": "Hi"}},
              {"type": "content_block_stop", "index": 0},
              {"type": "message_delta", "delta": {"stop_reason": "max_tokens"},
               "usage": {"output_tokens": 300}},
              {"type": "message_stop"}]
    data = logs(cli, write(tmp_path / "events.jsonl", *events))
    assert data["requests"] == 1
    (row,) = data["cost_by"]["model"]
    assert (row["input_tokens"], row["output_tokens"]) == (100 + 2000 + 5000, 300)
    # 100 x 3 + 5000 read x 0.30 + 500 5m-written x 3.75 + 1500 1h-written x 6 + 300 out x 15
    assert data["total_cost"] == pytest.approx(
        (100 * 3 + 5000 * 0.30 + 500 * 3.75 + 1500 * 6 + 300 * 15) / 1e6, abs=1e-12)
    assert data["truncated"]["requests"] == 1  # stop_reason max_tokens, from the delta


def test_litellm_prompt_tokens_include_anthropic_cache(cli: Cli, tmp_path: Path) -> None:
    # formats.md 0 / 5a: LiteLLM ADDS Anthropic's cache_creation + cache_read into
    # prompt_tokens; the cache counts come from metadata (additional_usage_values, or the raw
    # usage_object). psql CSV timestamps are UTC without a zone.
    import csv

    head = ["request_id", "call_type", "spend", "total_tokens", "prompt_tokens",
            "completion_tokens", "startTime", "endTime", "request_duration_ms",
            "completionStartTime", "model", "custom_llm_provider", "user", "metadata",
            "cache_hit", "request_tags", "end_user", "status"]
    meta_a = {"additional_usage_values": {"cache_creation_input_tokens": 2000,
                                          "cache_read_input_tokens": 5000}}
    meta_b = {"usage_object": {"prompt_tokens": 7100, "completion_tokens": 300,
                               "cache_creation_input_tokens": 2000,
                               "cache_read_input_tokens": 5000}}
    meta_c = {"usage_object": {"prompt_tokens": 2000, "completion_tokens": 100,
                               "prompt_tokens_details": {"cached_tokens": 1024}}}
    rows = [
        ["l1", "acompletion", "0.0138", "7400", "7100", "300", "2026-11-16 09:41:20.000",
         "2026-11-16 09:41:23.000", "3000", "2026-11-16 09:41:20.600",
         "anthropic/claude-sonnet-4-5", "anthropic", "u1", json.dumps(meta_a), "False", "[]",
         "", "success"],
        ["l2", "acompletion", "0.0138", "7400", "7100", "300", "2026-11-16 09:42:20.000",
         "2026-11-16 09:42:22.000", "", "", "claude-sonnet-4-5", "anthropic", "u1",
         json.dumps(meta_b), "False", "[]", "", "success"],
        ["l3", "acompletion", "0.00472", "2100", "2000", "100", "2026-11-16 09:43:20.000",
         "2026-11-16 09:43:21.500", "1500", "", "gpt-4o", "openai", "u2", json.dumps(meta_c),
         "False", '["support"]', "", "success"],
        # a LiteLLM response-cache hit made no provider call
        ["l4", "acompletion", "0", "2100", "2000", "100", "2026-11-16 09:44:20.000",
         "2026-11-16 09:44:20.010", "10", "", "gpt-4o", "openai", "u2", "{}", "True", "[]", "",
         "success"],
    ]
    path = tmp_path / "spend.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(head)
        w.writerows(rows)
    data = logs(cli, str(path))
    models = by_model(data)
    sonnet = (100 * 3 + 5000 * 0.30 + 2000 * 3.75 + 300 * 15) / 1e6
    assert models["claude-sonnet-4-5"]["input_tokens"] == 2 * 7100  # not 7100 + 7000 again
    assert models["claude-sonnet-4-5"]["cost"] == pytest.approx(2 * sonnet, abs=1e-12)
    assert models["gpt-4o"]["cost"] == pytest.approx((976 * 2.5 + 1024 * 1.25 + 100 * 10)
                                                     / 1e6, abs=1e-12)
    assert data["billed_usd"] == pytest.approx(0.0138 * 2 + 0.00472)
    lat = {r["model"]: r for r in data["latency"]}
    # request_duration_ms, else endTime - startTime; TTFT = completionStartTime - startTime
    assert lat["claude-sonnet-4-5"]["max"] == 3000.0
    assert lat["claude-sonnet-4-5"]["p50"] == pytest.approx((3000 + 2000) / 2)
    assert lat["claude-sonnet-4-5"]["ttft_p50"] == pytest.approx(600.0)


def test_openai_responses_cache_write_ttl_split(cli: Cli, tmp_path: Path) -> None:
    # formats.md 1e: input_tokens_details.cache_write_tokens (+ ttl_30m / ttl_12h parts) are
    # inside input_tokens. gpt-5.6 (section 6): 4 in, 0.4 cached, 5 30m-write, 10 12h-write, 20.
    def resp(rid: str, details: dict[str, Any]) -> dict[str, Any]:
        return {"id": rid, "object": "response", "created_at": 1783286083,
                "status": "completed", "model": "gpt-5.6",
                "usage": {"input_tokens": 10000, "input_tokens_details": details,
                          "output_tokens": 500}}

    split = {"ttl_30m_tokens": 1000, "ttl_12h_tokens": 2000}
    data = logs(cli, write(tmp_path / "r.jsonl",
                           resp("r1", {"cached_tokens": 0, "cache_write_tokens": 3000,
                                       "cache_write_tokens_details": split}),
                           resp("r2", {"cached_tokens": 0, "cache_write_tokens_details": split})))
    one = (7000 * 4 + 1000 * 5 + 2000 * 10 + 500 * 20) / 1e6
    assert data["total_cost"] == pytest.approx(2 * one, abs=1e-12)
    assert data["data_quality"]["contradiction_count"] == 0


def test_helicone_cache_buckets_are_beside_prompt_tokens(cli: Cli, tmp_path: Path) -> None:
    # Helicone stores prompt_tokens without the cache reads/writes (its cost formula adds
    # prompt, cache-write and cache-read buckets for every provider); a record whose
    # total_tokens says prompt_tokens included the cache is read that way (tolerated).
    def rec(rid: str, provider: str, model: str, prompt: int, read: int, write: int,
            completion: int, total: int | None) -> dict[str, Any]:
        r: dict[str, Any] = {
            "request_id": rid, "request_created_at": "2026-11-16T09:00:00Z",
            "request_model": model, "provider": provider, "response_status": 200,
            "delay_ms": 950, "time_to_first_token": 300, "prompt_tokens": prompt,
            "completion_tokens": completion, "prompt_cache_read_tokens": read,
            "prompt_cache_write_tokens": write, "properties": {}}
        if total is not None:
            r["total_tokens"] = total
        return r

    path = write(tmp_path / "h.jsonl",
                 rec("h1", "OPENAI", "gpt-4o", 976, 1024, 0, 100, None),
                 rec("h2", "OPENAI", "gpt-4o", 976, 1024, 0, 100, 976 + 1024 + 100),
                 rec("h3", "OPENAI", "gpt-4o", 2000, 1024, 0, 100, 2000 + 100),
                 rec("h4", "ANTHROPIC", "claude-sonnet-4-5", 100, 5000, 2000, 300, 7400))
    data = logs(cli, path)
    models = by_model(data)
    assert models["gpt-4o"]["input_tokens"] == 3 * 2000
    # each gpt-4o call: 976 uncached x 2.5 + 1024 cached x 1.25 + 100 out x 10
    assert models["gpt-4o"]["cost"] == pytest.approx(
        3 * (976 * 2.5 + 1024 * 1.25 + 100 * 10) / 1e6, abs=1e-12)
    assert models["claude-sonnet-4-5"]["cost"] == pytest.approx(
        (100 * 3 + 5000 * 0.30 + 2000 * 3.75 + 300 * 15) / 1e6, abs=1e-12)
    assert data["data_quality"]["contradiction_count"] == 0
    lat = {r["model"]: r for r in data["latency"]}
    assert (lat["gpt-4o"]["p50"], lat["gpt-4o"]["ttft_p50"]) == (950.0, 300.0)  # both ms


def test_openai_chat_tiers_streaming_and_details_absent(cli: Cli, tmp_path: Path) -> None:
    chunk = {"id": "c3", "object": "chat.completion.chunk", "created": 1763286082,
             "model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"content": "h"},
                                                  "finish_reason": None}]}
    last = {**chunk, "choices": [], "usage": {"prompt_tokens": 300, "completion_tokens": 50,
                                              "total_tokens": 350}}
    bare = {"id": "c2", "object": "chat.completion", "created": 1763286081, "model": "gpt-4.1",
            "service_tier": "priority",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "x"},
                         "finish_reason": "length"}],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 100,
                      "prompt_tokens_details": None}}
    path = write(tmp_path / "chat.jsonl",
                 _chat("c1", "gpt-5-mini-2025-08-07", "flex", 2000, 1500, 0, 800, 600),
                 bare, chunk, last,
                 _chat("c4", "o3", "default", 10000, 8000, 0, 2000, 1500),
                 _chat("c5", "gpt-9-ultra", "default", 100, 0, 0, 10),
                 _chat("c6", "gpt-4o", "default", 100, 200, 0, 10),  # cached > prompt
                 _chat("c1", "gpt-5-mini-2025-08-07", "flex", 2000, 1500, 0, 800, 600))
    data = logs(cli, path)
    models = by_model(data)
    # gpt-5-mini flex: 500 x 0.125 + 1500 x 0.0125 + 800 x 1 (reasoning inside the 800)
    assert models["gpt-5-mini"]["cost"] == pytest.approx(
        (500 * 0.125 + 1500 * 0.0125 + 800 * 1) / 1e6, abs=1e-12)
    # gpt-4.1 priority 3.5 / 14, prompt_tokens_details null
    assert models["gpt-4.1"]["cost"] == pytest.approx((1000 * 3.5 + 100 * 14) / 1e6, abs=1e-12)
    # the stream counts once, from its usage chunk: 300 x 0.15 + 50 x 0.60
    assert models["gpt-4o-mini"]["requests"] == 1
    assert models["gpt-4o-mini"]["cost"] == pytest.approx((300 * 0.15 + 50 * 0.60) / 1e6,
                                                          abs=1e-12)
    # o3 (2 / 0.5 / 8 since 2025-06-10): 2000 x 2 + 8000 x 0.5 + 2000 x 8
    assert models["o3"]["cost"] == pytest.approx((2000 * 2 + 8000 * 0.5 + 2000 * 8) / 1e6,
                                                 abs=1e-12)
    assert models["gpt-9-ultra"]["cost"] is None  # unpriced, never $0
    assert [u["model"] for u in data["unpriced"]] == ["gpt-9-ultra"]
    dq = data["data_quality"]
    assert dq["contradictions"] == [f"{path}:7: cache read + write tokens (200) exceed input "
                                    "(100)"]
    assert dq["duplicate_examples"] == [f"{path}:8: request id c1 already seen"]
    assert data["requests"] == 5


def test_anthropic_messages_cache_split_geo_speed_and_batch(cli: Cli, tmp_path: Path) -> None:
    def msg(mid: str, model: str, **usage: Any) -> dict[str, Any]:
        return {"id": mid, "type": "message", "role": "assistant", "model": model,
                "content": [], "stop_reason": "end_turn", "usage": usage}

    path = write(
        tmp_path / "m.jsonl",
        msg("m1", "claude-sonnet-4-5-20250929", input_tokens=100,
            cache_creation_input_tokens=2000, cache_read_input_tokens=5000,
            cache_creation={"ephemeral_5m_input_tokens": 500, "ephemeral_1h_input_tokens": 1500},
            output_tokens=300),
        # only the total of the writes: 5-minute writes
        msg("m2", "claude-haiku-4-5", input_tokens=1000, cache_creation_input_tokens=1000,
            cache_read_input_tokens=None, cache_creation=None, output_tokens=100),
        msg("m3", "claude-opus-4-6", input_tokens=1000, output_tokens=1000, inference_geo="us"),
        msg("m4", "claude-opus-4-8", input_tokens=1000, output_tokens=1000, speed="fast",
            inference_geo="global"),
        msg("m5", "claude-sonnet-4-5", input_tokens=10, output_tokens=500,
            output_tokens_details={"thinking_tokens": 200}),
    )
    models = by_model(logs(cli, path))
    assert models["claude-sonnet-4-5"]["cost"] == pytest.approx(
        (100 * 3 + 5000 * 0.30 + 500 * 3.75 + 1500 * 6 + 300 * 15 + 10 * 3 + 500 * 15) / 1e6,
        abs=1e-12)
    assert models["claude-haiku-4-5"]["cost"] == pytest.approx(
        (1000 * 1 + 1000 * 1.25 + 100 * 5) / 1e6, abs=1e-12)
    # inference_geo "us" is 1.1x on Opus 4.6 and later; fast mode is 2x on Opus 4.8 (6)
    assert models["claude-opus-4-6"]["cost"] == pytest.approx(
        1.1 * (1000 * 5 + 1000 * 25) / 1e6, abs=1e-12)
    assert models["claude-opus-4-8"]["cost"] == pytest.approx(
        2 * (1000 * 5 + 1000 * 25) / 1e6, abs=1e-12)

    def result(cid: str, kind: str, message: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"type": kind}
        if message is not None:
            body["message"] = message
        return {"custom_id": cid, "result": body}

    path = write(
        tmp_path / "b.jsonl",
        result("r1", "succeeded", msg("b1", "claude-sonnet-4-5", input_tokens=1000,
                                      cache_creation_input_tokens=2000,
                                      cache_read_input_tokens=3000, output_tokens=500,
                                      service_tier="batch")),
        {"custom_id": "r2", "result": {"type": "errored", "error": {
            "type": "error", "error": {"type": "invalid_request_error", "message": "x"}}}},
        result("r3", "canceled"), result("r4", "expired"))
    data = logs(cli, path)
    # batch = 50% of every column (section 6)
    assert data["total_cost"] == pytest.approx(
        0.5 * (1000 * 3 + 2000 * 3.75 + 3000 * 0.30 + 500 * 15) / 1e6, abs=1e-12)
    assert len(data["data_quality"]["skipped"]) == 3


def test_gemini_thoughts_beside_candidates_cache_inside_prompt(cli: Cli, tmp_path: Path) -> None:
    path = write(
        tmp_path / "g.jsonl",
        {"modelVersion": "gemini-2.5-flash", "responseId": "g1",
         "candidates": [{"finishReason": "STOP"}],
         "usageMetadata": {"promptTokenCount": 1000, "cachedContentTokenCount": 400,
                           "candidatesTokenCount": 200, "thoughtsTokenCount": 300,
                           "totalTokenCount": 1500}},
        # the Python SDK's snake_case; a >200k prompt is the long-context tier on 2.5 Pro
        {"model_version": "gemini-2.5-pro", "response_id": "g2",
         "usage_metadata": {"prompt_token_count": 250000, "candidates_token_count": 1000,
                            "thoughts_token_count": 1000, "total_token_count": 252000}},
        {"modelVersion": "gemini-2.5-flash-lite", "responseId": "g3",
         "createTime": "2026-11-16T09:41:20.123456Z",
         "usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 100,
                           "trafficType": "ON_DEMAND_PRIORITY"}},
        {"modelVersion": "gemini-2.5-flash", "responseId": "g4",
         "usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 50,
                           "toolUsePromptTokenCount": 100}},
        # a batch output line: batch rates, the cache read not discounted
        {"key": "k1", "response": {"modelVersion": "gemini-2.5-flash", "responseId": "g5",
                                   "usageMetadata": {"promptTokenCount": 1000,
                                                     "cachedContentTokenCount": 500,
                                                     "candidatesTokenCount": 1000}}},
    )
    models = by_model(logs(cli, path))
    assert models["gemini-2.5-flash"]["cost"] == pytest.approx(
        (600 * 0.30 + 400 * 0.03 + (200 + 300) * 2.5       # g1
         + (1000 + 100) * 0.30 + 50 * 2.5                  # g4: tool-use prompt is input
         + 500 * 0.15 + 500 * 0.03 + 1000 * 1.25) / 1e6,   # g5 batch
        abs=1e-12)
    assert models["gemini-2.5-pro"]["cost"] == pytest.approx(
        (250000 * 2.5 + 2000 * 15) / 1e6, abs=1e-12)
    assert models["vertex_ai/gemini-2.5-flash-lite"]["cost"] == pytest.approx(
        (1000 * 0.18 + 100 * 0.72) / 1e6, abs=1e-12)


def test_bedrock_cache_beside_input_count_and_gzip(cli: Cli, tmp_path: Path) -> None:
    import gzip

    def log(rid: str, model: str, inp: dict[str, Any], out: dict[str, Any],
            operation: str = "InvokeModel") -> dict[str, Any]:
        return {"schemaType": "ModelInvocationLog", "schemaVersion": "1.0",
                "timestamp": "2026-11-16T09:41:20Z", "accountId": "1", "region": "us-east-1",
                "requestId": rid, "operation": operation, "modelId": model,
                "input": {"inputContentType": "application/json", **inp},
                "output": {"outputContentType": "application/json", **out}}

    records = [
        log("b1", "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            {"inputTokenCount": 100, "cacheReadInputTokenCount": 5000,
             "cacheWriteInputTokenCount": 2000},
            {"outputTokenCount": 300, "outputBodyJson": {"usage": {
                "cache_creation": {"ephemeral_5m_input_tokens": 500,
                                   "ephemeral_1h_input_tokens": 1500}}}}),
        log("b2", "anthropic.claude-haiku-4-5-20251001-v1:0", {"inputTokenCount": 1000},
            {"outputTokenCount": 100,
             "outputBodyJson": {"stopReason": "end_turn", "metrics": {"latencyMs": 1234}}},
            "Converse"),
        log("b3", "arn:aws:bedrock:us-east-1:1:inference-profile/"
            "global.anthropic.claude-haiku-4-5-20251001-v1:0",
            {"inputTokenCount": 2000, "cacheReadInputTokenCount": 0},
            {"outputTokenCount": 200, "outputBodyJson": [
                {"type": "message_stop", "amazon-bedrock-invocationMetrics": {
                    "inputTokenCount": 2000, "outputTokenCount": 200,
                    "invocationLatency": 2000, "firstByteLatency": 500}}]},
            "InvokeModelWithResponseStream"),
    ]
    path = tmp_path / "log.json.gz"
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))
    data = logs(cli, str(path))
    models = by_model(data)
    # us. geo profile +10%; input = 100 + 5000 read + 2000 written (500 5m, 1500 1h)
    assert models["bedrock/anthropic.claude-sonnet-4-5"]["input_tokens"] == 7100
    assert models["bedrock/anthropic.claude-sonnet-4-5"]["cost"] == pytest.approx(
        1.1 * (100 * 3 + 5000 * 0.30 + 500 * 3.75 + 1500 * 6 + 300 * 15) / 1e6, abs=1e-12)
    # b2 is an in-region call in us-east-1: priced as the us geography (+10%), as the CUR
    # reader prices USE1- usage; b3 is a global. profile: the base rate.
    assert models["bedrock/anthropic.claude-haiku-4-5"]["cost"] == pytest.approx(
        (1.1 * (1000 * 1 + 100 * 5) + (2000 * 1 + 200 * 5)) / 1e6, abs=1e-12)
    (lat,) = data["latency"]
    assert (lat["max"], lat["ttft_p50"]) == (2000.0, 500.0)  # milliseconds as logged
    assert lat["p50"] == pytest.approx((1234 + 2000) / 2)


def test_a_count_that_is_not_finite_is_bad_input_at_its_line(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "nan.jsonl"
    good = json.dumps(_chat("c1", "gpt-4o", "default", 100, 0, 0, 10))
    path.write_text(good + "\n" + good.replace('"prompt_tokens": 100', '"prompt_tokens": NaN')
                    .replace('"c1"', '"c2"') + "\n")
    res = cli(["logs", str(path), "--format", "json"])
    assert res.exit_code == 2, res.stderr
    assert f"{path}:2: count nan is not a finite number" in res.stderr
    assert "Traceback" not in res.stderr
    data = logs(cli, str(path), "--skip-bad-lines")
    assert data["requests"] == 1
    assert data["total_cost"] == pytest.approx((100 * 2.5 + 10 * 10) / 1e6, abs=1e-12)
    assert data["data_quality"]["bad_lines"] == [f"{path}:2: count nan is not a finite number"]


def test_langfuse_observations_with_usage_count_whatever_their_type(
        cli: Cli, tmp_path: Path) -> None:
    def obs(oid: str, kind: str, model: str | None, details: dict[str, int]) -> dict[str, Any]:
        return {"id": oid, "traceId": "t1", "type": kind, "name": "x",
                "startTime": "2026-11-16T09:41:20.000Z", "model": model,
                "usageDetails": details}

    data = logs(cli, write(tmp_path / "o.jsonl",
                           obs("o1", "GENERATION", "gpt-4o-mini", {"input": 100, "output": 10}),
                           obs("o2", "EMBEDDING", "text-embedding-3-small", {"input": 5000}),
                           obs("o3", "SPAN", None, {}),
                           obs("o4", "EVENT", None, {"input": 0})))
    assert data["requests"] == 2  # the embedding call is usage, not dropped
    assert data["total_cost"] == pytest.approx((100 * 0.15 + 10 * 0.60) / 1e6, abs=1e-12)
    assert [(u["model"], u["input_tokens"]) for u in data["unpriced"]] == [
        ("text-embedding-3-small", 5000)]


def test_wrapper_unix_timestamps_in_seconds_or_milliseconds(cli: Cli, tmp_path: Path) -> None:
    body = _chat("c1", "gpt-4o", "default", 100, 0, 0, 10)
    data = logs(cli, write(tmp_path / "w.jsonl",
                           {"ts": 1763286080.5, "response": body, "latency_ms": 100},
                           {"ts": 1763286140123, "response": {**body, "id": "c2"},
                            "latency_ms": 100}))
    assert data["window"]["first"] == "2025-11-16T09:41:20.500000+00:00"
    assert data["window"]["last"] == "2025-11-16T09:42:20.123000+00:00"  # Date.now() ms
    path = write(tmp_path / "bad.jsonl", {"ts": 1e300, "response": body})
    res = cli(["logs", path, "--format", "json"])
    assert res.exit_code == 2 and f"{path}:1: unreadable Unix timestamp" in res.stderr


def test_rows_without_a_timestamp_survive_the_what_ifs(cli: Cli, tmp_path: Path) -> None:
    # Bare Messages and batch results carry no time (formats.md 2c, 2d); a short frontier
    # call among them goes through the routing what-if, which re-prices the rows.
    def msg(mid: str) -> dict[str, Any]:
        return {"id": mid, "type": "message", "role": "assistant", "model": "claude-opus-4-5",
                "content": [], "stop_reason": "end_turn",
                "usage": {"input_tokens": 100, "cache_read_input_tokens": 800,
                          "output_tokens": 10}}

    data = logs(cli, write(tmp_path / "m.jsonl", *(msg(f"m{i}") for i in range(12))))
    one = (100 * 5 + 800 * 0.50 + 10 * 25) / 1e6
    assert data["total_cost"] == pytest.approx(12 * one, abs=1e-12)
    (route,) = data["routing"]
    # Haiku 4.5 (1 / 0.10 / 5) for the same tokens
    assert route["what_if"] == pytest.approx(12 * (100 * 1 + 800 * 0.10 + 10 * 5) / 1e6,
                                             abs=1e-12)
    assert data["data_quality"]["missing_timestamps"] == 12


def test_out_of_range_counts_and_unreadable_caps(cli: Cli, tmp_path: Path) -> None:
    big = _chat("c1", "gpt-4o", "default", 10**30, 0, 0, 10)
    path = write(tmp_path / "big.jsonl", big)
    res = cli(["logs", path, "--format", "json"])
    assert res.exit_code == 2 and f"{path}:1: count {10**30} is out of range" in res.stderr
    # a max_tokens nobody can read changes no price: the request is kept, the cap unknown
    wrapped = {"request": {"model": "gpt-4o", "max_tokens": "1e400"},
               "response": _chat("c2", "gpt-4o", "default", 100, 0, 0, 10)}
    data = logs(cli, write(tmp_path / "cap.jsonl", wrapped))
    assert data["total_cost"] == pytest.approx((100 * 2.5 + 10 * 10) / 1e6, abs=1e-12)
    assert data["no_max_tokens"] == {"requests": 1, "of": 1}


def test_vertex_batch_prediction_lines_are_batch(cli: Cli, tmp_path: Path) -> None:
    line = {"status": "", "processed_time": "2026-11-16T09:41:20.826+00:00",
            "request": {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]},
            "response": {"modelVersion": "gemini-2.5-flash",
                         "candidates": [{"finishReason": "STOP"}],
                         "usageMetadata": {"promptTokenCount": 1000,
                                           "candidatesTokenCount": 100,
                                           "thoughtsTokenCount": 100}}}
    data = logs(cli, write(tmp_path / "predictions.jsonl", line))
    # Gemini 2.5 Flash batch: 0.15 in, 1.25 out (thoughts are output)
    assert data["total_cost"] == pytest.approx((1000 * 0.15 + 200 * 1.25) / 1e6, abs=1e-12)
    assert data["window"]["first"] == "2026-11-16T09:41:20.826000+00:00"


def test_openai_responses_stream_events_count_once_from_the_final_event(
        cli: Cli, tmp_path: Path) -> None:
    resp = {"id": "resp_1", "object": "response", "created_at": 1763286080,
            "model": "gpt-5", "status": "in_progress", "usage": None}
    done = {**resp, "status": "completed",
            "usage": {"input_tokens": 4000, "input_tokens_details": {"cached_tokens": 3000},
                      "output_tokens": 1000,
                      "output_tokens_details": {"reasoning_tokens": 700}}}
    path = write(tmp_path / "events.jsonl",
                 {"type": "response.created", "sequence_number": 0, "response": resp},
                 {"type": "response.in_progress", "sequence_number": 1, "response": resp},
                 {"type": "response.output_text.delta", "sequence_number": 2,
                  "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": "Hi"},
                 {"type": "response.completed", "sequence_number": 3, "response": done})
    data = logs(cli, path)
    assert data["requests"] == 1
    assert data["total_cost"] == pytest.approx(
        (1000 * 1.25 + 3000 * 0.125 + 1000 * 10) / 1e6, abs=1e-12)
    assert data["data_quality"]["skipped"] == []
