"""Invariants of the percentile summary."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from llm_audit.analyses.logs_stats import spread

values = st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1,
                  max_size=300)


@given(values)
def test_percentiles_are_ordered(xs: list[float]) -> None:
    s = spread(xs)
    assert min(xs) <= s.p50 <= s.p95 <= s.p99 <= s.max == max(xs)
    assert s.n == len(xs)


def test_empty_sample_is_nan_not_zero() -> None:
    s = spread([])
    assert s.n == 0 and s.p50 != s.p50
