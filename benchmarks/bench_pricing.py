"""Benchmark: vectorised pricing of a usage table against the per-row loop it replaces.

Run: python benchmarks/bench_pricing.py [ROWS]. Prints rows/s for both and the ratio; both
price the same synthetic table with the same price book, and the totals are checked equal.
"""

from __future__ import annotations

import random
import sys
import time

import pandas as pd

from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.engine import price
from llm_audit.usage.schema import from_records

MODELS = [("gpt-4o", "openai"), ("gpt-4o-mini", "openai"), ("claude-sonnet-4-5", "anthropic"),
          ("claude-haiku-4-5", "anthropic"), ("gemini-2.5-flash", "google"),
          ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock"), ("o3", "openai")]


def synthetic(n: int) -> pd.DataFrame:
    rng = random.Random(42)
    rows = []
    for i in range(n):
        model, provider = MODELS[i % len(MODELS)]
        cached = rng.randint(0, 2000)
        rows.append({"timestamp": pd.Timestamp("2025-01-01", tz="UTC")
                     + pd.Timedelta(minutes=rng.randint(0, 600_000)),
                     "provider": provider, "model_raw": model, "requests": 1,
                     "input_tokens": cached + rng.randint(10, 8000), "cache_read_tokens": cached,
                     "cache_write_5m_tokens": 0, "cache_write_1h_tokens": 0,
                     "output_tokens": rng.randint(1, 1500), "reasoning_tokens": 0,
                     "service_tier": "default"})
    return from_records(rows)


def per_row_baseline(df: pd.DataFrame, book: PriceBook) -> float:
    """The naive way: resolve and price each row in Python."""
    total = 0.0
    for r in df.itertuples(index=False):
        res = book.resolve(r.model_raw, r.provider)
        assert res.model is not None
        period = res.model.period_at(r.timestamp.date())
        tier = period.tiers[r.service_tier]
        rates = tier.rates
        if tier.long_context and r.input_tokens > tier.long_context.threshold:
            rates = tier.long_context.rates
        mult = period.regions.get(res.region or "", 1.0)
        total += mult * ((r.input_tokens - r.cache_read_tokens) * rates.input
                         + r.cache_read_tokens * rates.cache_read
                         + r.output_tokens * rates.output) / 1e6
    return total


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    book = PriceBook.load()
    df = synthetic(n)
    t0 = time.perf_counter()
    ours = price(df, book)["cost_total"].sum()
    t_vec = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = per_row_baseline(df, book)
    t_loop = time.perf_counter() - t0
    assert abs(ours - base) < 1e-6 * max(1.0, base), (ours, base)
    print(f"rows: {n:,}  total: ${ours:,.2f} (both agree)")
    print(f"vectorised engine: {t_vec:.3f} s  ({n / t_vec:,.0f} rows/s)")
    print(f"per-row baseline:  {t_loop:.3f} s  ({n / t_loop:,.0f} rows/s)")
    print(f"speed-up: {t_loop / t_vec:.1f}x")


if __name__ == "__main__":
    main()
