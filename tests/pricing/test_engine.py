"""Vectorised pricing: list-price arithmetic, history, tiers, long context, regions, unpriced."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.engine import price
from llm_audit.usage.schema import from_records

BOOK = PriceBook.load()


def row(model: str, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "timestamp": "2026-11-01T12:00:00Z",
        "provider": kw.pop("provider", "openai"),
        "model_raw": model,
        "requests": 1,
        "input_tokens": 0,
        "cache_read_tokens": 0,
        "cache_write_5m_tokens": 0,
        "cache_write_1h_tokens": 0,
        "output_tokens": 0,
        "reasoning_tokens": 0,
        "service_tier": "standard",
    }
    base.update(kw)
    return base


def priced(*rows: dict[str, Any]) -> pd.DataFrame:
    return price(from_records(list(rows)), BOOK)


def rates(model: str, when: str = "2026-11-01", tier: str = "standard") -> Any:
    m = BOOK.require(model)
    return m.period_at(pd.Timestamp(when).date()).tiers[tier]  # type: ignore[index]


def test_gpt_4o_mini_call_costs_list_price() -> None:
    df = priced(row("gpt-4o-mini", input_tokens=1000, output_tokens=100))
    r = rates("gpt-4o-mini").rates
    assert df.at[0, "cost_total"] == pytest.approx((1000 * r.input + 100 * r.output) / 1e6)
    assert df.at[0, "cost_total"] == pytest.approx(0.00021)


def test_cache_reads_and_writes_are_parts_of_input() -> None:
    df = priced(
        row(
            "claude-sonnet-4-5",
            provider="anthropic",
            input_tokens=10_000,
            cache_read_tokens=6000,
            cache_write_5m_tokens=2000,
            cache_write_1h_tokens=1000,
            output_tokens=500,
        )
    )
    r = rates("claude-sonnet-4-5").rates
    assert df.at[0, "cost_input"] == pytest.approx(1000 * r.input / 1e6)
    assert df.at[0, "cost_cache_read"] == pytest.approx(6000 * r.cache_read / 1e6)
    assert df.at[0, "cost_cache_write"] == pytest.approx(
        (2000 * r.cache_write_5m + 1000 * r.cache_write_1h) / 1e6
    )
    assert r.cache_write_1h > r.cache_write_5m > r.input > r.cache_read


def test_price_history_prices_a_march_bill_with_march_prices() -> None:
    model = BOOK.require("o3")
    assert len(model.periods) >= 2, "o3 changed price on 2025-06-10"
    old, new = priced(
        row("o3", timestamp="2025-03-15T00:00:00Z", input_tokens=1_000_000),
        row("o3", timestamp="2025-07-01T00:00:00Z", input_tokens=1_000_000),
    )["cost_total"]
    assert old == pytest.approx(
        model.period_at(pd.Timestamp("2025-03-15").date()).standard.rates.input
    )
    assert new == pytest.approx(model.periods[-1].standard.rates.input)
    assert old > new


def test_batch_tier_and_missing_tier() -> None:
    df = priced(
        row("gpt-4o", input_tokens=1000, output_tokens=1000, service_tier="batch"),
        row("gpt-4o", input_tokens=1000, output_tokens=1000),
        row("gpt-4o-mini", input_tokens=1000, output_tokens=1000, service_tier="flex"),
    )
    assert df.at[0, "cost_total"] == pytest.approx(df.at[1, "cost_total"] / 2)
    assert not df.at[2, "priced"] and pd.isna(df.at[2, "cost_total"])
    assert "no flex price" in df.at[2, "unpriced_reason"]


def test_long_context_prices_the_whole_request() -> None:
    lc = rates("gemini-2.5-pro").long_context
    assert lc is not None
    over = lc.threshold + 1
    df = priced(
        row("gemini-2.5-pro", provider="google", input_tokens=over, output_tokens=10),
        row("gemini-2.5-pro", provider="google", input_tokens=lc.threshold, output_tokens=10),
    )
    assert bool(df.at[0, "long_context"]) and not bool(df.at[1, "long_context"])
    assert df.at[0, "cost_total"] == pytest.approx(
        (over * lc.rates.input + 10 * lc.rates.output) / 1e6
    )


def test_declared_context_tier_wins_for_buckets() -> None:
    lc = rates("gemini-2.5-pro").long_context
    assert lc is not None
    df = priced(
        row(
            "gemini-2.5-pro",
            provider="google",
            requests=100,
            input_tokens=1_000_000,
            context_tier="long",
        )
    )
    assert df.at[0, "cost_total"] == pytest.approx(lc.rates.input)


def test_bedrock_geo_profile_adds_regional_uplift() -> None:
    base, geo = priced(
        row(
            "anthropic.claude-sonnet-4-5-20250929-v1:0", provider="bedrock", input_tokens=1_000_000
        ),
        row(
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            provider="bedrock",
            input_tokens=1_000_000,
        ),
    )["cost_total"]
    assert geo == pytest.approx(base * 1.1)


def test_web_search_requests_are_priced_extras() -> None:
    period = BOOK.require("claude-sonnet-4-5").period_at(None)
    df = priced(row("claude-sonnet-4-5", provider="anthropic", web_search_requests=10))
    assert df.at[0, "cost_extras"] == pytest.approx(10 * period.extras["web_search_request"])


def test_unknown_model_is_unpriced_never_zero() -> None:
    df = priced(
        row("gpt-7-ultra", input_tokens=100, output_tokens=100), row("gpt-4o", input_tokens=100)
    )
    assert not df.at[0, "priced"]
    assert pd.isna(df.at[0, "cost_total"])
    assert df.at[0, "unpriced_reason"].startswith("unknown model")
    assert df.at[1, "priced"]
    assert df.attrs["pricing"].version == BOOK.version


# -- invariants (house-style.md) ---------------------------------------------------------------

MODELS = [
    "gpt-4o",
    "gpt-4o-mini",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "gemini-2.5-flash",
    "o3",
    "deepseek-chat",
]
PROVIDER = {
    "claude-sonnet-4-5": "anthropic",
    "claude-haiku-4-5": "anthropic",
    "gemini-2.5-flash": "google",
    "deepseek-chat": "deepseek",
}


@st.composite
def usage_rows(draw: st.DrawFn) -> dict[str, Any]:
    model = draw(st.sampled_from(MODELS))
    cache_read = draw(st.integers(0, 50_000))
    write_5m = draw(st.integers(0, 20_000))
    write_1h = draw(st.integers(0, 20_000))
    uncached = draw(st.integers(0, 100_000))
    return row(
        model,
        provider=PROVIDER.get(model, "openai"),
        input_tokens=uncached + cache_read + write_5m + write_1h,
        cache_read_tokens=cache_read,
        cache_write_5m_tokens=write_5m,
        cache_write_1h_tokens=write_1h,
        output_tokens=draw(st.integers(0, 50_000)),
        context_tier="standard",
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(usage_rows(), min_size=1, max_size=8), st.data())
def test_cost_is_additive_over_any_split(rows: list[dict[str, Any]], data: st.DataObject) -> None:
    whole = priced(*rows)["cost_total"].sum()
    halves = []
    for r in rows:  # split every count of each row into two rows
        a = {k: data.draw(st.integers(0, v)) if k.endswith("_tokens") else v for k, v in r.items()}
        a["input_tokens"] = max(
            a["input_tokens"],
            a["cache_read_tokens"] + a["cache_write_5m_tokens"] + a["cache_write_1h_tokens"],
        )
        b = {k: (v - a[k] if k.endswith("_tokens") else v) for k, v in r.items()}
        if (
            b["input_tokens"]
            < b["cache_read_tokens"] + b["cache_write_5m_tokens"] + b["cache_write_1h_tokens"]
        ):
            a, b = r, {**r, **{k: 0 for k in r if k.endswith("_tokens")}}
        halves += [a, b]
    assert priced(*halves)["cost_total"].sum() == pytest.approx(whole, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(usage_rows(), st.integers(1, 10_000), st.sampled_from(["input_tokens", "output_tokens"]))
def test_cost_never_falls_when_a_token_count_rises(
    r: dict[str, Any], extra: int, column: str
) -> None:
    more = {**r, column: r[column] + extra}
    before, after = priced(r, more)["cost_total"]
    assert after >= before


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(MODELS))
def test_zero_tokens_cost_zero(model: str) -> None:
    assert priced(row(model, provider=PROVIDER.get(model, "openai")))["cost_total"][0] == 0.0


def test_an_empty_table_prices_to_an_empty_table() -> None:
    from llm_audit.usage.schema import empty

    df = price(empty(), BOOK)
    assert len(df) == 0 and "cost_total" in df.columns
    assert df.attrs["pricing"].version == BOOK.version


# -- speed (fast mode), committed tiers, the cost split and the unit rates ---------------------


def test_fast_mode_is_twice_every_rate_where_the_table_says_so() -> None:
    r = rates("claude-opus-4-8").rates
    df = priced(
        row(
            "claude-opus-4-8",
            provider="anthropic",
            input_tokens=1_000_000,
            output_tokens=100_000,
            speed="fast",
        ),
        row(
            "claude-opus-4-8",
            provider="anthropic",
            input_tokens=1_000_000,
            output_tokens=100_000,
            speed="standard",
        ),
        row("claude-opus-4-6", provider="anthropic", input_tokens=1_000_000, speed="fast"),
    )
    # formats.md section 6: Opus 4.8 fast mode is 10 in / 50 out (2x 5 / 25).
    assert df.at[0, "cost_total"] == pytest.approx((1_000_000 * 10 + 100_000 * 50) / 1e6)
    assert df.at[1, "cost_total"] == pytest.approx((1_000_000 * r.input + 100_000 * r.output) / 1e6)
    # Opus 4.6: no documented fast-mode price, so unpriced and said so, never the standard rate.
    assert not df.at[2, "priced"] and pd.isna(df.at[2, "cost_total"])
    assert "fast" in df.at[2, "unpriced_reason"]


def test_openai_scale_tier_is_unpriced_loudly() -> None:
    df = priced(row("gpt-4o", input_tokens=1000, service_tier="scale"))
    assert not df.at[0, "priced"] and pd.isna(df.at[0, "cost_total"])
    assert "no scale price for gpt-4o" in df.at[0, "unpriced_reason"]
    assert "commitment" in df.at[0, "unpriced_reason"]


def test_cache_write_split_and_unit_rates() -> None:
    r = rates("claude-opus-4-8").rates
    df = price(
        from_records(
            [
                row(
                    "claude-opus-4-8",
                    provider="anthropic",
                    input_tokens=5000,
                    cache_write_5m_tokens=2000,
                    cache_write_1h_tokens=1000,
                    output_tokens=10,
                    region="us",
                )
            ]
        ),
        BOOK,
        rates=True,
    )
    # inference_geo "us" is 1.1x on Opus 4.8 (formats.md section 6).
    assert df.at[0, "cost_cache_write_5m"] == pytest.approx(2000 * r.cache_write_5m * 1.1 / 1e6)
    assert df.at[0, "cost_cache_write_1h"] == pytest.approx(1000 * r.cache_write_1h * 1.1 / 1e6)
    assert df.at[0, "cost_cache_write"] == pytest.approx(
        df.at[0, "cost_cache_write_5m"] + df.at[0, "cost_cache_write_1h"]
    )
    assert df.at[0, "unit_output"] == pytest.approx(r.output * 1.1)
    assert df.at[0, "unit_input"] == pytest.approx(r.input * 1.1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(-5, 30)), min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 4), st.integers(-10, 40)), min_size=1, max_size=60),
)
def test_rates_match_rows_as_merge_asof_does(
    entries: list[tuple[int, int]], rows: list[tuple[int, int]]
) -> None:
    """The engine's positional match of rate periods (latest at or before the row, the last of
    equal dates, per key) is what pandas.merge_asof(by=key, direction="backward") matches."""
    import numpy as np

    from llm_audit.pricing.engine import _asof_positions

    right = pd.DataFrame({"_k": [k for k, _ in entries], "t": [t for _, t in entries]})
    right = right.sort_values("t", kind="stable").reset_index(drop=True).assign(
        pos=lambda f: np.arange(len(f))
    )
    left = pd.DataFrame({"_k": [k for k, _ in rows], "t": [t for _, t in rows]})
    left = left.assign(_row=np.arange(len(left)))
    want = pd.merge_asof(
        left.sort_values("t", kind="stable"), right, on="t", by="_k", direction="backward"
    ).sort_values("_row")["pos"].fillna(-1).astype(int).to_numpy()
    got = _asof_positions(
        left["_k"].to_numpy(), left["t"].to_numpy(), right["_k"].to_numpy(), right["t"].to_numpy()
    )
    assert got.tolist() == want.tolist()
