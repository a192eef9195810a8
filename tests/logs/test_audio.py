"""Audio tokens are not text: Gemini ``promptTokensDetails[{modality: AUDIO}]`` and OpenAI
``prompt_tokens_details.audio_tokens`` / ``completion_tokens_details.audio_tokens`` (formats.md
1e, 3a) have their own rates (formats.md 6: gemini-2.5-flash audio input 1.00/M against 0.30
text). The price tables carry no audio rate, so a request is priced for its text tokens and its
audio tokens are reported unpriced (counted, never at the text rate, never at $0)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from llm_audit.ingest.logs import openai_fast, stream
from llm_audit.ingest.logs.load import load_logs
from tests.logs.vectors import Cli, by_model, logs, write


def test_gemini_audio_input_is_unpriced_not_text_rate(cli: Cli, tmp_path: Path) -> None:
    path = write(
        tmp_path / "g.jsonl",
        {"modelVersion": "gemini-2.5-flash", "responseId": "a1",
         "createTime": "2026-11-16T09:41:20Z",
         "usageMetadata": {"promptTokenCount": 1_000_000, "candidatesTokenCount": 100_000,
                           "promptTokensDetails": [
                               {"modality": "TEXT", "tokenCount": 400_000},
                               {"modality": "AUDIO", "tokenCount": 600_000}]}},
        {"modelVersion": "gemini-2.5-flash", "responseId": "t1",
         "createTime": "2026-11-16T09:42:20Z",
         "usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 100,
                           "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 1000}]}},
    )
    data = logs(cli, path)
    flash = by_model(data)["gemini-2.5-flash"]
    # Text only: 400k x 0.30 + 100k x 2.50 (a1) + 1000 x 0.30 + 100 x 2.50 (t1). Before, the
    # 600k audio tokens were priced as text: 1M x 0.30 + 100k x 2.50 = $0.55 for a1 alone.
    assert flash["cost"] == pytest.approx(
        (400_000 * 0.30 + 100_000 * 2.5 + 1000 * 0.30 + 100 * 2.5) / 1e6, abs=1e-12)
    assert data["total_cost"] == pytest.approx(flash["cost"], abs=1e-12)
    assert data["requests"] == 2 and data["priced_requests"] == 2
    [audio] = data["unpriced"]
    assert audio["model"] == "gemini-2.5-flash"
    assert (audio["requests"], audio["input_tokens"], audio["output_tokens"]) == (1, 600_000, 0)
    assert audio["share"] == pytest.approx(0.5)
    assert "AUDIO" in audio["reason"] and "audio rate" in audio["reason"]
    assert any("gemini-2.5-flash" in n and "AUDIO" in n for n in data["notes"])
    text = cli(["logs", path])
    assert text.exit_code == 0, text.stderr
    assert "UNPRICED audio" in text.stdout and "600,000" in text.stdout


def test_gemini_cached_audio_and_snake_case(cli: Cli, tmp_path: Path) -> None:
    usage = {"prompt_token_count": 10_000, "cached_content_token_count": 5000,
             "candidates_token_count": 1000,
             "prompt_tokens_details": [{"modality": "TEXT", "token_count": 4000},
                                       {"modality": "AUDIO", "token_count": 6000}],
             "cache_tokens_details": [{"modality": "AUDIO", "token_count": 5000}],
             "candidates_tokens_details": [{"modality": "AUDIO", "token_count": 300},
                                           {"modality": "TEXT", "token_count": 700}]}
    path = write(tmp_path / "g.jsonl",
                 {"model_version": "gemini-2.5-flash-lite", "response_id": "s1",
                  "create_time": "2026-11-16T09:41:20Z", "usage_metadata": usage})
    data = logs(cli, path)
    # The cache holds audio only: text is 4000 uncached x 0.10, 0 cached, 700 output x 0.40.
    # Before: 5000 x 0.10 + 5000 x 0.01 + 1000 x 0.40 = $0.00095.
    assert by_model(data)["gemini-2.5-flash-lite"]["cost"] == pytest.approx(
        (4000 * 0.10 + 0 * 0.01 + 700 * 0.40) / 1e6, abs=1e-12)
    [audio] = data["unpriced"]
    assert (audio["input_tokens"], audio["output_tokens"]) == (6000, 300)


def test_openai_chat_audio_tokens_unpriced(cli: Cli, tmp_path: Path) -> None:
    def chat(i: int, prompt: int, completion: int, audio_in: int, audio_out: int
             ) -> dict[str, Any]:
        return {"id": f"c{i}", "object": "chat.completion", "created": 1794886080 + i,
                "model": "gpt-4o", "choices": [{"index": 0, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                          "prompt_tokens_details": {"cached_tokens": 0,
                                                    "audio_tokens": audio_in},
                          "completion_tokens_details": {"reasoning_tokens": 0,
                                                        "audio_tokens": audio_out}}}

    path = write(tmp_path / "o.jsonl", chat(1, 2000, 500, 1500, 400), chat(2, 1000, 100, 0, 0))
    data = logs(cli, path)
    # gpt-4o 2.50 in / 10 out: (2000 - 1500) x 2.5 + (500 - 400) x 10, plus the text-only call
    # 1000 x 2.5 + 100 x 10. Before: 2000 x 2.5 + 500 x 10 = $0.01 for the first call.
    assert by_model(data)["gpt-4o"]["cost"] == pytest.approx(
        (500 * 2.5 + 100 * 10 + 1000 * 2.5 + 100 * 10) / 1e6, abs=1e-12)
    [audio] = data["unpriced"]
    assert (audio["model"], audio["requests"], audio["input_tokens"],
            audio["output_tokens"]) == ("gpt-4o", 1, 1500, 400)
    assert audio["share"] == pytest.approx(0.5)


def test_audio_more_than_the_prompt_is_set_aside_with_its_line(cli: Cli, tmp_path: Path
                                                               ) -> None:
    path = write(tmp_path / "g.jsonl",
                 {"modelVersion": "gemini-2.5-flash", "responseId": "x",
                  "createTime": "2026-11-16T09:41:20Z",
                  "usageMetadata": {"promptTokenCount": 100, "candidatesTokenCount": 10,
                                    "promptTokensDetails": [
                                        {"modality": "AUDIO", "tokenCount": 500}]}})
    data = logs(cli, path)
    assert data["data_quality"]["contradictions"] == [
        f"{path}:1: audio input tokens (500, 0 cached) do not fit in input (100, 0 "
        "cached/written)"]
    assert data["requests"] == 0


def test_big_bare_file_with_audio_goes_to_the_line_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(stream, "BLOCK_BYTES", 700)  # a few lines a block
    rows = []
    for i in range(30):
        audio = 300 if i == 20 else 0
        rows.append({"id": f"c{i}", "object": "chat.completion", "created": 1794886080 + i,
                     "model": "gpt-4o", "choices": [{"index": 0, "finish_reason": "stop"}],
                     "usage": {"prompt_tokens": 1000, "completion_tokens": 50,
                               "prompt_tokens_details": {"cached_tokens": 0,
                                                         "audio_tokens": audio},
                               "completion_tokens_details": {"audio_tokens": audio // 10}}})
    f = tmp_path / "bare.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    calls: list[bool] = []
    real = openai_fast.read_block

    def spy(*args: object, **kwargs: object) -> object:
        got = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(got is not None)
        return got

    monkeypatch.setattr(openai_fast, "read_block", spy)
    blocked = load_logs([str(f)])
    assert True in calls and False in calls  # the audio block fell back; the others did not
    table = blocked.table
    assert len(table) == 30
    line21 = table[table["source_line"] == 21].iloc[0]
    assert (int(line21["audio_input_tokens"]), int(line21["audio_output_tokens"])) == (300, 30)
    assert int(table["audio_input_tokens"].sum()) == 300
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 1 << 40)
    whole = load_logs([str(f)])
    cols = ["source_line", "input_tokens", "output_tokens", "audio_input_tokens",
            "audio_output_tokens"]
    assert blocked.table[cols].equals(whole.table[cols])


def test_gateway_audio_buckets_are_unpriced(cli: Cli, tmp_path: Path) -> None:
    # Helicone (formats.md 5c) keeps prompt_audio_tokens / completion_audio_tokens beside
    # prompt_tokens; Langfuse's usageDetails have additive input_audio_tokens buckets.
    helicone = write(tmp_path / "h.jsonl", {
        "request_id": "h1", "request_created_at": "2026-11-16T09:00:00Z",
        "request_model": "gpt-4o", "provider": "OPENAI", "response_status": 200,
        "delay_ms": 950, "prompt_tokens": 1000, "completion_tokens": 100,
        "prompt_audio_tokens": 800, "completion_audio_tokens": 50, "properties": {}})
    data = logs(cli, helicone)
    # text: 1000 x 2.5 + 100 x 10 (before: 1800 x 2.5 + 150 x 10 = $0.006)
    assert by_model(data)["gpt-4o"]["cost"] == pytest.approx(
        (1000 * 2.5 + 100 * 10) / 1e6, abs=1e-12)
    [audio] = data["unpriced"]
    assert (audio["input_tokens"], audio["output_tokens"]) == (800, 50)
    langfuse = write(tmp_path / "l.jsonl", {
        "id": "o1", "traceId": "t1", "type": "GENERATION", "name": "chat",
        "startTime": "2026-11-16T09:41:20.000Z", "model": "gpt-4o",
        "usageDetails": {"input": 1000, "input_audio_tokens": 800, "output": 100,
                         "output_audio_tokens": 50, "total": 1950}})
    data = logs(cli, langfuse)
    assert by_model(data)["gpt-4o"]["cost"] == pytest.approx(
        (1000 * 2.5 + 100 * 10) / 1e6, abs=1e-12)
    [audio] = data["unpriced"]
    assert (audio["input_tokens"], audio["output_tokens"]) == (800, 50)
