"""Model resolution: exact, alias or an explicit rule; nothing fuzzy; unknown is unpriced."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm_audit.errors import UnpricedModelError
from llm_audit.pricing.book import PriceBook


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return PriceBook.load()


@pytest.mark.parametrize(
    ("raw", "provider", "model", "rule", "region"),
    [
        ("gpt-4o", None, "gpt-4o", "exact", None),
        ("GPT-4o", None, "gpt-4o", "exact", None),
        ("gpt-4o-2024-08-06", None, "gpt-4o", "alias", None),
        ("openai/gpt-4o", None, "gpt-4o", "alias", None),
        ("gpt-4o-2099-01-01", None, "gpt-4o", "snapshot", None),
        ("claude-sonnet-4-5-20250929", None, "claude-sonnet-4-5", "alias", None),
        ("Claude Sonnet 4.5", None, "claude-sonnet-4-5", "display-name", None),
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", None,
         "bedrock/anthropic.claude-sonnet-4-5", "profile", "us"),
        ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
         "eu.anthropic.claude-sonnet-4-5-20250929-v1:0", None,
         "bedrock/anthropic.claude-sonnet-4-5", "profile", "eu"),
        ("models/gemini-2.5-flash", None, "gemini-2.5-flash", "alias", None),
        ("gpt-4o", "azure", "azure/gpt-4o", "provider-prefix", None),
        ("gpt-oss-120b", "groq", "groq/openai/gpt-oss-120b", "provider-prefix", None),
    ],
)
def test_resolution_rules(book: PriceBook, raw: str, provider: str | None, model: str,
                          rule: str, region: str | None) -> None:
    res = book.resolve(raw, provider)
    assert res.model is not None, res
    assert (res.model.id, res.rule, res.region) == (model, rule, region)


def test_a_snapshot_priced_apart_wins_over_the_rule(book: PriceBook) -> None:
    old = book.resolve("gpt-4o-2024-05-13").model
    assert old is not None and old.id == "gpt-4o-2024-05-13"
    assert old.period_at(None).standard.rates.input > book.require("gpt-4o").period_at(
        None).standard.rates.input


def test_unknown_model_is_unpriced_with_close_hints(book: PriceBook) -> None:
    res = book.resolve("gpt-4o-mni")
    assert res.model is None
    assert "gpt-4o-mini" in res.close
    with pytest.raises(UnpricedModelError) as info:
        book.require("gpt-4o-mni")
    assert "gpt-4o-mini" in (info.value.hint or "")


def test_a_prefix_of_a_known_id_is_not_a_match(book: PriceBook) -> None:
    # nothing fuzzy: 'gpt-4' must not become gpt-4o, nor 'claude-sonnet' any sonnet
    assert book.resolve("claude-sonnet").model is None
    assert book.resolve("gpt-4o-mini-turbo").model is None


def test_shared_bare_id_without_a_provider_is_not_guessed(book: PriceBook) -> None:
    assert book.resolve("gpt-oss-120b").model is None


def test_user_table_overrides_and_adds(tmp_path: Path, book: PriceBook) -> None:
    user = tmp_path / "negotiated.yaml"
    user.write_text(
        "schema: 1\nprovider: openai\nname: our contract\nsource: contract 2026\n"
        "checked: 2026-11-01\nmodels:\n"
        "  - id: gpt-4o\n    class: frontier\n    aliases: [gpt-4o-2024-08-06]\n"
        "    prices:\n      - effective: 2024-01-01\n        input: 2.0\n        output: 8.0\n"
        "  - id: our-private-model\n    class: mid\n    prices:\n"
        "      - effective: 2026-01-01\n        input: 0.5\n        output: 1.0\n",
        encoding="utf-8",
    )
    merged = PriceBook.load([user])
    assert merged.require("gpt-4o-2024-08-06").period_at(None).standard.rates.input == 2.0
    assert merged.require("our-private-model").provider == "openai"
    assert merged.version != book.version
    assert any(not t.bundled and t.path == str(user) for t in merged.provenance.tables)


def test_azure_data_zone_id_is_a_region(book: PriceBook) -> None:
    res = book.resolve("azure/eu/gpt-4o")
    assert res.model is not None and res.model.id == "azure/gpt-4o" and res.region == "eu"
