"""The Arrow fast path gives the same usage table as the line-by-line reader, or steps aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_audit.ingest.logs import openai_fast
from llm_audit.ingest.logs.load import load_logs

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "logs"
COLUMNS = ["timestamp", "model_raw", "input_tokens", "cache_read_tokens", "output_tokens",
           "reasoning_tokens", "service_tier", "request_id", "finish_reason", "source_line"]


def _bare(tmp_path: Path) -> Path:
    rows = []
    for i, (model, tier) in enumerate([("gpt-4o", "default"), ("o3", "flex"),
                                        ("gpt-4o-mini", None)]):
        d = {"id": f"c{i}", "object": "chat.completion", "created": 1794886080 + i,
             "model": model, "choices": [{"index": 0, "message": {"role": "assistant",
                                                                   "content": "x" * i},
                                          "finish_reason": "length" if i else "stop"}],
             "usage": {"prompt_tokens": 1000 + i, "completion_tokens": 50 + i,
                       "prompt_tokens_details": {"cached_tokens": 100 * i},
                       "completion_tokens_details": {"reasoning_tokens": 10 * i}}}
        if tier:
            d["service_tier"] = tier
        rows.append(json.dumps(d))
    rows.append(json.dumps({"id": "c9", "object": "chat.completion", "created": 1794886099,
                            "model": "gpt-4o", "choices": []}))  # no usage: listed
    f = tmp_path / "bare.jsonl"
    f.write_text("\n".join(rows) + "\n")
    return f


def test_fast_path_matches_the_line_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    f = _bare(tmp_path)
    slow = load_logs([str(f)])
    monkeypatch.setattr(openai_fast, "FAST_MIN_BYTES", 0)
    assert openai_fast.eligible(f)
    fast = load_logs([str(f)])
    assert fast.table[COLUMNS].equals(slow.table[COLUMNS])
    assert fast.skipped == (f"{f}:4: response without usage",)
    assert len(slow.skipped) == 1 and ":4:" in slow.skipped[0]


def test_fast_path_steps_aside_for_a_broken_line(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from llm_audit.errors import InputError

    f = _bare(tmp_path)
    f.write_text(f.read_text() + '{"id": broken\n')
    monkeypatch.setattr(openai_fast, "FAST_MIN_BYTES", 0)
    assert openai_fast.read_fast(f) is None
    with pytest.raises(InputError) as e:
        load_logs([str(f)])
    assert e.value.where == f"{f}:5"


def test_small_files_and_wrapped_lines_take_the_line_reader() -> None:
    assert not openai_fast.eligible(ASSETS / "contradictions.jsonl")  # under the size floor
    assert not openai_fast.eligible(ASSETS / "openai_chat_wrapped.jsonl")
