"""Invariants of the percentile summary."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
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


lines_of_sample = (Path(__file__).resolve().parents[2] / "samples" / "logs"
                   / "requests.jsonl").read_text().splitlines()


@settings(max_examples=4, deadline=None)
@given(st.integers(min_value=1, max_value=len(lines_of_sample) - 1))
def test_cost_is_additive_over_any_split_of_the_log(cut: int) -> None:
    import tempfile

    from llm_audit.ingest.logs.load import load_logs
    from llm_audit.pricing.book import PriceBook
    from llm_audit.pricing.engine import price

    book = PriceBook.load()

    def total(paths: list[str]) -> float:
        return float(price(load_logs(paths).table, book)["cost_total"].sum())

    with tempfile.TemporaryDirectory() as d:
        a, b = Path(d) / "a.jsonl", Path(d) / "b.jsonl"
        a.write_text("\n".join(lines_of_sample[:cut]) + "\n")
        b.write_text("\n".join(lines_of_sample[cut:]) + "\n")
        both = total([str(a), str(b)])
        parts = [total([str(p)]) for p in (a, b)]
    assert both == pytest.approx(sum(parts), abs=1e-9)
    assert both > max(parts)
