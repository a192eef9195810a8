"""The schema test: every bundled price table validates, and the schema rejects bad tables."""

from __future__ import annotations

import datetime as dt
import importlib.resources

import pytest
import yaml

from llm_audit.errors import PricingError
from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.tables import BUNDLED_PROVIDERS, bundled_tables, parse_table

MINIMAL = """\
schema: 1
provider: acme
name: test
source: https://example.com/pricing
checked: 2026-11-01
models:
  - id: acme-large
    class: frontier
    prices:
      - effective: 2026-01-01
        input: 2
        output: 8
"""


def test_every_bundled_provider_has_a_table() -> None:
    providers = {t.provider for t in bundled_tables()}
    assert providers == set(BUNDLED_PROVIDERS)


def test_bundled_tables_ship_in_the_package() -> None:
    names = {p.name for p in importlib.resources.files("llm_audit.pricing_data").iterdir()}
    assert {f"{p}.yaml" for p in BUNDLED_PROVIDERS} <= names


def test_every_model_has_source_checked_date_and_sane_rates() -> None:
    book = PriceBook.load()
    assert len(book.models) > 100
    for model in book.models.values():
        assert model.source.strip(), model.id
        assert dt.date(2024, 1, 1) <= model.checked <= dt.date.today(), model.id
        for period in model.periods:
            std = period.standard.rates
            assert std.input >= 0 and std.output >= 0, model.id
            assert std.cache_read <= std.input, f"{model.id}: cache read dearer than input"


def test_ids_and_aliases_are_globally_unique() -> None:
    seen: dict[str, str] = {}
    for table in bundled_tables():
        for model in table.models:
            for key in (model.id, *model.aliases):
                assert key not in seen, f"{key} is in {seen.get(key)} and {table.path}"
                seen[key] = table.path


def test_bundled_files_use_only_known_keys_raw() -> None:
    # parse_table is strict; this also checks the raw YAML is plain (no anchors surprises)
    for entry in importlib.resources.files("llm_audit.pricing_data").iterdir():
        if entry.name.endswith(".yaml"):
            doc = yaml.safe_load(entry.read_text(encoding="utf-8"))
            assert doc["schema"] == 1
            assert doc["provider"] == entry.name.removesuffix(".yaml")


def test_minimal_table_parses_with_fallbacks() -> None:
    table = parse_table(MINIMAL, "acme.yaml", bundled=False)
    rates = table.models[0].periods[0].standard.rates
    # omitted cache rates are billed at the input rate, never at $0
    assert (rates.cache_read, rates.cache_write_5m, rates.cache_write_1h) == (2.0, 2.0, 2.0)


@pytest.mark.parametrize(
    ("mutation", "message", "line"),
    [
        (("    class: frontier\n", "    class: frontier\n    colour: red\n"),
         "unknown key(s) in a model: colour", 9),
        (("        output: 8\n", "        output: -8\n"), "'output' must be a number >= 0", 12),
        (("  - id: acme-large\n", "  - id: Acme-Large\n"), "must be a lowercase string", 7),
        (("        input: 2\n", "        input: 2\n        tiers: {turbo: {input: 1}}\n"),
         "unknown tier 'turbo'", 12),
        (("schema: 1\n", "schema: 2\n"), "unsupported schema 2", 1),
    ],
)
def test_schema_errors_name_file_and_line(mutation: tuple[str, str], message: str,
                                          line: int) -> None:
    text = MINIMAL.replace(*mutation)
    with pytest.raises(PricingError) as info:
        parse_table(text, "acme.yaml", bundled=False)
    assert message in info.value.message
    assert info.value.render().startswith(f"acme.yaml:{line}: ")


def test_periods_must_ascend() -> None:
    text = MINIMAL + "      - effective: 2025-01-01\n        input: 1\n        output: 4\n"
    with pytest.raises(PricingError, match="ascending"):
        parse_table(text, "acme.yaml", bundled=False)


def test_invalid_yaml_reports_line() -> None:
    with pytest.raises(PricingError) as info:
        parse_table("schema: 1\nmodels: [\n", "bad.yaml", bundled=False)
    assert info.value.where is not None and info.value.where.startswith("bad.yaml:")
