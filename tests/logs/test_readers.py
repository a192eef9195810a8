"""Each reader against a vector in its documented shape: token semantics normalized explicitly."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from llm_audit.errors import InputError
from llm_audit.ingest.base import open_sources, pick_reader
from llm_audit.ingest.logs import READERS
from llm_audit.ingest.logs.load import load_logs
from llm_audit.usage.schema import TOKEN_COLUMNS

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "logs"


def read(name: str, **kw: object):  # type: ignore[no-untyped-def]
    return load_logs([str(ASSETS / name)], **kw)  # type: ignore[arg-type]


def tokens(row) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    return (int(row.input_tokens), int(row.cache_read_tokens), int(row.cache_write_5m_tokens),
            int(row.cache_write_1h_tokens), int(row.output_tokens), int(row.reasoning_tokens))


@pytest.mark.parametrize(("name", "reader"), [
    ("openai_chat_wrapped.jsonl", "openai-jsonl"),
    ("openai_responses.jsonl", "openai-jsonl"),
    ("openai_batch_output.jsonl", "openai-batch"),
    ("anthropic_messages.jsonl", "anthropic-messages"),
    ("anthropic_batch_results.jsonl", "anthropic-batch"),
    ("gemini.jsonl", "gemini"),
    ("bedrock_invocation.jsonl", "bedrock-invocation"),
    ("litellm_spend_logs.csv", "litellm"),
    ("litellm_spend_logs.json", "litellm"),
    ("langfuse_observations.json", "langfuse"),
    ("helicone.jsonl", "helicone"),
    ("otel_new.json", "otel-genai"),
    ("otel_old.jsonl", "otel-genai"),
    ("claude_projects/-home-me-proj/0a1b2c3d-session.jsonl", "claude-code"),
])
def test_detection(name: str, reader: str) -> None:
    (source,) = open_sources([str(ASSETS / name)])
    assert pick_reader(source, READERS, None).name == reader


def test_openai_chat_wrapped_counts_pass_through_and_wrapper_fields() -> None:
    t = read("openai_chat_wrapped.jsonl").table
    first, second, third = t.itertuples()
    assert tokens(first) == (1200, 1024, 0, 0, 300, 0)
    assert (first.user, first.feature, first.latency_ms, first.ttft_ms) == ("u1", "spam", 850, 200)
    assert bool(first.stream) and first.max_tokens == 10
    assert str(first.timestamp) == "2026-11-16 09:41:20+00:00"  # the wrapper's, not `created`
    assert "Is this spam?" in first.prompt_text
    assert second.finish_reason == "length" and not second.stream
    assert tokens(third) == (500, 0, 0, 0, 900, 800)  # reasoning is inside completion_tokens
    assert third.service_tier == "flex"
    assert first.service_tier == "standard"  # "default" is standard


def test_openai_responses_usage_and_truncation() -> None:
    a, b = read("openai_responses.jsonl").table.itertuples()
    assert tokens(a) == (2000, 1500, 0, 0, 700, 500)
    assert b.finish_reason == "length"  # incomplete: max_output_tokens


def test_openai_batch_is_billed_at_batch_and_failed_lines_are_listed() -> None:
    load = read("openai_batch_output.jsonl")
    (row,) = load.table.itertuples()
    assert row.service_tier == "batch" and row.request_id == "req_a"
    assert tokens(row) == (1000, 0, 0, 0, 200, 0)
    assert any(":2: failed batch line (batch_expired)" in s for s in load.skipped)


def test_anthropic_input_is_the_sum_of_uncached_and_cache() -> None:
    (row,) = read("anthropic_messages.jsonl").table.itertuples()
    # 50 uncached + 2000 written + 3000 read; 5m/1h split from cache_creation
    assert tokens(row) == (5050, 3000, 1500, 500, 400, 100)
    assert row.model_raw == "claude-sonnet-4-5-20250929" and row.user == "alice"


def test_anthropic_batch_results() -> None:
    load = read("anthropic_batch_results.jsonl")
    (row,) = load.table.itertuples()
    assert tokens(row) == (1000, 200, 0, 0, 100, 0)
    assert row.service_tier == "batch" and row.finish_reason == "length"
    assert len(load.skipped) == 2


def test_gemini_thoughts_are_added_to_output() -> None:
    (row,) = read("gemini.jsonl").table.itertuples()
    assert tokens(row) == (1000, 600, 0, 0, 500, 300)
    assert row.max_tokens == 2048 and row.provider == "google"


def test_bedrock_cache_is_beside_input() -> None:
    (row,) = read("bedrock_invocation.jsonl").table.itertuples()
    assert tokens(row) == (1600, 1000, 500, 0, 250, 0)
    assert row.latency_ms == 1234 and row.region == "us" and row.max_tokens == 512


def test_litellm_csv_dump() -> None:
    a, b = read("litellm_spend_logs.csv").table.itertuples()
    assert tokens(a) == (1500, 1000, 300, 0, 200, 0)
    assert a.latency_ms == 1800 and a.ttft_ms == pytest.approx(400)
    assert (a.user, a.feature, a.billed_usd) == ("enduser-7", "support", 0.00123)
    assert tokens(b) == (0, 0, 0, 0, 0, 0) and b.gateway_cache_hit  # response-cache hit


def test_litellm_json() -> None:
    (row,) = read("litellm_spend_logs.json").table.itertuples()
    assert tokens(row) == (1000, 400, 0, 0, 200, 0)
    assert row.ttft_ms == pytest.approx(200)


def test_langfuse_buckets_are_additive() -> None:
    (row,) = read("langfuse_observations.json").table.itertuples()
    assert tokens(row) == (1000, 400, 0, 0, 150, 0)
    assert row.latency_ms == 2500 and row.ttft_ms == pytest.approx(700)
    assert row.user == "carol" and row.max_tokens == 256


def test_helicone_provider_conventions() -> None:
    a, b = read("helicone.jsonl").table.itertuples()
    assert tokens(a) == (1000, 500, 0, 0, 100, 0)  # OpenAI: cache inside prompt_tokens
    assert tokens(b) == (1000, 900, 0, 0, 50, 0)  # Anthropic: cache beside it
    assert a.feature == "faq" and a.latency_ms == 950


def test_otel_new_and_old_names() -> None:
    (row,) = read("otel_new.json").table.itertuples()  # the tool span is not usage
    assert tokens(row) == (1000, 300, 100, 0, 180, 20)
    assert row.latency_ms == 1500 and row.ttft_ms == 250 and row.finish_reason == "length"
    (old,) = read("otel_old.jsonl").table.itertuples()
    assert tokens(old) == (700, 0, 200, 0, 90, 0) and old.provider == "anthropic"


def test_claude_code_dedupes_on_message_and_request_id_keeping_final_usage() -> None:
    load = load_logs([str(ASSETS / "claude_projects")])
    t = load.table.sort_values("timestamp")
    # Two lines of msg_cc1 are one request; a subagent's (sidechain) call counts, a sidechain
    # line replaying msg_cc21 with its ids does not.
    assert len(t) == 4
    assert t["request_id"].tolist() == ["req_011", "req_012", "req_013", "req_021"]
    assert t["feature"].tolist() == ["-home-me-proj"] * 3 + ["-home-me-other"]
    assert tokens(t.iloc[1]) == (1, 0, 0, 0, 1, 0)  # the sidechain call
    assert tokens(t.iloc[3]) == (5010, 5000, 0, 0, 200, 0)  # opens with a summary line
    first = next(t.itertuples())
    assert tokens(first) == (21004, 20000, 1000, 0, 350, 0)
    assert load.transcript_duplicates == 2


def test_contradictions_and_duplicate_ids_are_reported_with_lines() -> None:
    load = read("contradictions.jsonl")
    assert len(load.table) == 2  # the timing contradiction keeps its tokens, loses its timings
    assert load.contradiction_count == 1
    assert load.timing_contradiction_count == 1
    assert "contradictions.jsonl:4: time to first token (400.0 ms)" in load.timing_contradictions[0]
    assert load.table["latency_ms"].isna().all()
    assert load.contradictions[0].endswith(
        "contradictions.jsonl:1: cache read + write tokens (500) exceed input (100)")
    assert load.duplicate_ids == 1
    assert "contradictions.jsonl:3: request id chatcmpl-c2" in load.duplicate_examples[0]


def test_broken_line_names_file_and_line_and_can_be_skipped() -> None:
    with pytest.raises(InputError) as e:
        read("broken.jsonl")
    assert e.value.where is not None and e.value.where.endswith("broken.jsonl:2")
    load = read("broken.jsonl", skip_bad_lines=True)
    assert len(load.table) == 1 and len(load.bad_lines) == 1


def test_generic_map() -> None:
    load = read("generic.csv", maps=["timestamp=when", "model=llm", "input_tokens=in_tok",
                                     "output_tokens=out_tok", "user=who", "latency_ms=ms"])
    a, b = load.table.itertuples()
    assert (a.model_raw, a.provider, int(a.input_tokens), a.user) == ("gpt-4o-mini", "openai",
                                                                       1000, "u1")
    assert b.provider == "anthropic" and b.latency_ms == 700
    with pytest.raises(InputError, match="does not say which column is"):
        read("generic.csv", maps=["model=llm"])


def test_langfuse_anthropic_keys_and_total_only_rows() -> None:
    load = read("langfuse_observations.jsonl")
    (row,) = load.table.itertuples()
    assert tokens(row) == (1050, 900, 50, 0, 70, 0)
    assert row.provider == "anthropic"
    assert any(":2: only a total of 500 tokens" in s for s in load.skipped)


def test_generic_map_reads_parquet(tmp_path: Path) -> None:
    import pandas as pd

    f = tmp_path / "log.parquet"
    pd.read_csv(ASSETS / "generic.csv").to_parquet(f)
    maps = ["timestamp=when", "model=llm", "input_tokens=in_tok", "output_tokens=out_tok"]
    load = load_logs([str(f)], maps=maps)
    assert list(load.table["input_tokens"]) == [1000, 2000]
    assert list(load.table["source_line"]) == [1, 2]
    with pytest.raises(InputError, match="needs --map"):
        load_logs([str(f)])


def test_gemini_batch_lines_and_snake_case() -> None:
    a, b = read("gemini_batch_output.jsonl").table.itertuples()
    assert tokens(a) == (130, 0, 0, 0, 30, 0)  # tool-use prompt tokens are input
    assert a.finish_reason == "length" and a.model_raw == "gemini-2.5-flash-lite"
    assert a.service_tier == "batch"
    assert tokens(b) == (50, 20, 0, 0, 12, 7)


def test_progress_is_reported_through_the_callback_only(tmp_path: Path) -> None:
    line = ('{"id":"c%d","object":"chat.completion","created":1794886080,"model":"gpt-4o",'
            '"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}\n')
    f = tmp_path / "many.jsonl"
    f.write_text("".join(line % i for i in range(50_000)))
    seen: list[str] = []
    load = load_logs([str(f)], progress=seen.append)
    assert len(load.table) == 50_000
    assert any("50,000 lines" in m for m in seen)


def test_claude_code_broken_usage_line_is_reported(tmp_path: Path) -> None:
    src = ASSETS / "claude_projects" / "-home-me-proj" / "0a1b2c3d-session.jsonl"
    d = tmp_path / "projects" / "p"
    d.mkdir(parents=True)
    (d / "s.jsonl").write_text(src.read_text() + '{"type":"assistant","message":{"usage":{"in\n')
    with pytest.raises(InputError) as e:
        load_logs([str(tmp_path / "projects")])
    assert e.value.where is not None and e.value.where.endswith("s.jsonl:6")
    assert len(load_logs([str(tmp_path / "projects")], skip_bad_lines=True).table) == 3


def test_stream_chunks_count_once_from_the_usage_chunk() -> None:
    load = read("openai_stream_chunks.jsonl")
    (row,) = load.table.itertuples()
    assert tokens(row) == (20, 0, 0, 0, 2, 0) and bool(row.stream)
    assert load.skipped == ()


def test_bedrock_identity_is_the_caller_not_an_end_user() -> None:
    (row,) = read("bedrock_invocation.jsonl").table.itertuples()
    assert row.api_key.endswith("assumed-role/app/worker") and row.user is pd.NA


def _cc_line(mid: str, rid: str | None, when: str, out: int, read: int = 0,
             side: bool = False) -> str:
    record: dict[str, object] = {
        "type": "assistant", "sessionId": "s", "timestamp": when, "isSidechain": side,
        "message": {"id": mid, "model": "claude-sonnet-4-5-20250929",
                    "usage": {"input_tokens": 10, "cache_read_input_tokens": read,
                              "cache_creation_input_tokens": 0, "output_tokens": out}}}
    if rid is not None:
        record["requestId"] = rid
    return json.dumps(record, separators=(",", ":"))


def _transcripts(tmp_path: Path, files: dict[str, list[str]]) -> Path:
    root = tmp_path / "projects" / "p"
    root.mkdir(parents=True)
    for name, lines in files.items():
        (root / name).write_text("\n".join(lines) + "\n")
    return tmp_path / "projects"


def test_claude_code_keeps_the_largest_usage_and_the_first_line_on_a_tie(tmp_path: Path
                                                                         ) -> None:
    # Checked against ccusage 20.0.24: a message streamed across midnight is counted on the
    # day of the line with the final (largest) usage; identical repeats keep the first line.
    d = _transcripts(tmp_path, {"s.jsonl": [
        _cc_line("m1", "r1", "2026-11-02T23:59:59Z", 5),
        _cc_line("m1", "r1", "2026-11-03T00:00:01Z", 77),  # final usage: counted on the 3rd
        _cc_line("m1", "r1", "2026-11-03T00:00:02Z", 3),  # smaller: not the final usage
        _cc_line("m2", "r2", "2026-11-03T23:59:59Z", 9),
        _cc_line("m2", "r2", "2026-11-04T00:00:01Z", 9),  # same usage: the first line counts
        _cc_line("m3", None, "2026-11-04T10:00:00Z", 4),  # no request id: the key is m3 alone
        _cc_line("m3", None, "2026-11-04T10:00:01Z", 4),
    ]})
    load = load_logs([str(d)])
    t = load.table
    assert t["message_id"].tolist() == ["m1", "m2", "m3"]
    assert t["output_tokens"].tolist() == [77, 9, 4]
    assert [str(x.date()) for x in t["timestamp"]] == ["2026-11-03", "2026-11-03", "2026-11-04"]
    assert t["source_line"].tolist() == [2, 4, 6]
    assert load.transcript_duplicates == 4


def test_claude_code_sidechain_replay_in_another_file_counts_once(tmp_path: Path) -> None:
    d = _transcripts(tmp_path, {
        "a-agent.jsonl": [_cc_line("m1", "r9", "2026-11-02T10:00:00Z", 50, side=True),
                          _cc_line("m7", "r7", "2026-11-02T10:00:05Z", 8, side=True)],
        "b-main.jsonl": [_cc_line("m1", "r1", "2026-11-02T10:00:01Z", 40)],
    })
    load = load_logs([str(d)])
    t = load.table.sort_values("message_id")
    # m1: the main-chain line wins over the subagent's replay under a new request id, even
    # with fewer tokens; m7 is the subagent's own call and counts.
    assert t["request_id"].tolist() == ["r1", "r7"]
    assert t["output_tokens"].tolist() == [40, 8]
    assert load.transcript_duplicates == 1


def test_claude_code_arrow_and_line_reader_agree(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from llm_audit.ingest.logs import claude_code

    fast = load_logs([str(ASSETS / "claude_projects")])
    monkeypatch.setattr(claude_code, "_read_arrow", lambda sources: None)
    slow = load_logs([str(ASSETS / "claude_projects")])
    cols = ["timestamp", "model_raw", *TOKEN_COLUMNS, "request_id", "source_file",
            "source_line", "feature", "status", "service_tier", "web_search_requests"]
    assert fast.table[cols].equals(slow.table[cols])
    assert fast.transcript_duplicates == slow.transcript_duplicates == 2


def test_claude_code_files_parsed_in_groups_agree_with_the_line_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each file its own Arrow call (groups of ~24 MB on a real directory): the rows, their
    # file and line, and the de-duplication across files are those of the line reader.
    from llm_audit.ingest.logs import claude_code

    d = _transcripts(tmp_path, {
        "a.jsonl": ['{"type":"user","sessionId":"s","message":{"content":"hi"}}',
                    _cc_line("m1", "r1", "2026-11-02T10:00:00Z", 5),
                    _cc_line("m1", "r1", "2026-11-02T10:00:01Z", 50)],
        "b.jsonl": ['{"type":"summary","summary":"x","leafUuid":"u"}',
                    _cc_line("m2", "r2", "2026-11-02T11:00:00Z", 7)],
        "c.jsonl": ['{"type":"user","sessionId":"s","message":{"content":"no usage here"}}'],
        "d-agent.jsonl": [_cc_line("m1", "r9", "2026-11-02T10:00:02Z", 90, side=True),
                          _cc_line("m3", "r3", "2026-11-03T09:00:00Z", 3, side=True)],
    })
    whole = load_logs([str(d)])
    monkeypatch.setattr(claude_code, "_GROUP_CHARS", 1)
    grouped = load_logs([str(d)])
    monkeypatch.setattr(claude_code, "_read_arrow", lambda sources: None)
    slow = load_logs([str(d)])
    cols = ["timestamp", "model_raw", *TOKEN_COLUMNS, "request_id", "message_id",
            "source_file", "source_line", "feature", "status"]
    assert grouped.table[cols].equals(slow.table[cols])
    assert grouped.table.equals(whole.table)
    assert grouped.table["source_line"].tolist() == [3, 2, 2]
    assert grouped.table["output_tokens"].tolist() == [50, 7, 3]
    assert grouped.transcript_duplicates == slow.transcript_duplicates == 2


def test_claude_code_broken_line_in_a_later_group_names_its_file_and_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from llm_audit.ingest.logs import claude_code

    monkeypatch.setattr(claude_code, "_GROUP_CHARS", 1)
    d = _transcripts(tmp_path, {
        "a.jsonl": [_cc_line("m1", "r1", "2026-11-02T10:00:00Z", 5)],
        "b.jsonl": [_cc_line("m2", "r2", "2026-11-02T11:00:00Z", 7),
                    '{"type":"assistant","message":{"usage":{"in'],
    })
    with pytest.raises(InputError) as e:
        load_logs([str(d)])
    assert e.value.where is not None and e.value.where.endswith("b.jsonl:2")
    assert len(load_logs([str(d)], skip_bad_lines=True).table) == 2
