"""The usage table contract: every problem reported at once; normalizing is idempotent."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_audit.errors import UsageTableError
from llm_audit.usage.schema import COLUMNS, from_records, normalize, validate


def good(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "timestamp": "2026-11-01T00:00:00Z", "provider": "openai", "model_raw": "gpt-4o",
        "requests": 1, "input_tokens": 100, "cache_read_tokens": 20,
        "cache_write_5m_tokens": 0, "cache_write_1h_tokens": 0, "output_tokens": 10,
        "reasoning_tokens": 0, "service_tier": "default",
    }
    base.update(kw)
    return base


def test_missing_columns_are_all_named() -> None:
    with pytest.raises(UsageTableError) as info:
        normalize(pd.DataFrame({"timestamp": ["2026-01-01"], "model_raw": ["x"]}))
    missing = [p for p in info.value.problems if p.startswith("missing column")]
    assert len(missing) == sum(1 for c in COLUMNS if c.required) - 2


def test_validator_reports_every_problem_at_once_with_where() -> None:
    table = from_records([
        good(source_file="log.jsonl", source_line=1),
        good(input_tokens=10, cache_read_tokens=50, source_file="log.jsonl", source_line=2),
        good(output_tokens=-5, source_file="log.jsonl", source_line=3),
        good(reasoning_tokens=50, source_file="log.jsonl", source_line=4),
    ])
    with pytest.raises(UsageTableError) as info:
        validate(table, path="log.jsonl")
    text = "\n".join(info.value.problems)
    assert "cache read + cache write exceed input_tokens (1 rows: log.jsonl:2)" in text
    assert "negative output_tokens (1 rows: log.jsonl:3)" in text
    assert "reasoning_tokens exceed output_tokens" in text and "log.jsonl:3" in text
    assert len(info.value.problems) == 3


def test_tiers_are_normalized() -> None:
    table = from_records([good(service_tier=t) for t in ("default", "auto", "Batch", "flex",
                                                         "fast", None)])
    assert list(table["service_tier"]) == ["standard", "standard", "batch", "flex",
                                           "priority", "standard"]


def test_timestamps_are_utc() -> None:
    table = from_records([good(timestamp="2026-11-01T09:00:00+09:00")])
    assert table.at[0, "timestamp"] == pd.Timestamp("2026-11-01T00:00:00Z")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.builds(lambda i, c, o, t: good(input_tokens=i + c, cache_read_tokens=c,
                                                  output_tokens=o, service_tier=t),
                          st.integers(0, 10**9), st.integers(0, 10**6), st.integers(0, 10**7),
                          st.sampled_from(["default", "batch", "priority", "auto", ""])),
                min_size=1, max_size=10))
def test_normalizing_twice_changes_nothing(rows: list[dict[str, Any]]) -> None:
    once = normalize(pd.DataFrame(rows))
    twice = normalize(once)
    pd.testing.assert_frame_equal(once, twice)
    assert validate(once) is not None
