"""Every report says how old its price data is; stale data gets a warning line."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from llm_audit.pricing import age
from llm_audit.pricing.book import PriceBook
from tests.conftest import Result

CLI = Callable[..., Result]
EST = ["estimate", "--model", "gpt-4o", "--input-tokens", "1000"]


def fix_clock(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    monkeypatch.setattr(age, "today", lambda: dt.date.fromisoformat(day))


def user_table(folder: Path, provider: str, checked: str, model: str = "acme-1") -> Path:
    path = folder / f"{provider}.yaml"
    path.write_text(
        f"schema: 1\nprovider: {provider}\nname: test\nsource: test\nchecked: {checked}\n"
        f"models:\n  - id: {model}\n    class: small\n    prices:\n"
        "      - {effective: 2026-01-01, input: 1, output: 2}\n"
    )
    return path


def bundled_checked() -> dt.date:
    return max(age.checked_by_provider(PriceBook.load().provenance).values())


def test_fresh_bundled_prices_say_their_age_without_warning(
    cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    newest = bundled_checked()
    oldest = min(age.checked_by_provider(PriceBook.load().provenance).values())
    fix_clock(monkeypatch, (newest + dt.timedelta(days=3)).isoformat())
    r = cli(EST)
    assert r.exit_code == 0
    assert f"price data {(newest - oldest).days + 3} day(s) old" in r.stdout
    assert "warning" not in r.stdout + r.stderr
    doc = json.loads(cli([*EST, "--format", "json"]).stdout)
    assert doc["pricing"]["age_days"] == (newest - oldest).days + 3
    assert doc["pricing"]["max_age_days"] == 30 and doc["pricing"]["stale"] is False


def test_an_old_user_table_gets_a_warning_in_every_format(
    cli: CLI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fix_clock(monkeypatch, bundled_checked().isoformat())
    table = user_table(tmp_path, "acme", "2026-09-01")
    days = (bundled_checked() - dt.date(2026, 9, 1)).days
    args = [*EST, "--pricing", str(table)]
    r = cli(args)
    assert r.exit_code == 0
    assert f"warning: price data is {days} days old, more than 30 (acme)" in r.stdout
    assert "llm-audit pricing update" in r.stdout
    md = cli([*args, "--format", "markdown"])
    assert f"> **warning: price data is {days} days old" in md.stdout
    js = cli([*args, "--format", "json"])
    doc = json.loads(js.stdout)  # stdout stays pure JSON; the line goes to stderr
    assert doc["pricing"]["stale"] is True and doc["pricing"]["stale_providers"] == ["acme"]
    assert doc["pricing"]["age_days"] == days
    assert "warning: price data is" in js.stderr
    csv = cli([*args, "--format", "csv"])
    assert "warning: price data is" in csv.stderr and "warning" not in csv.stdout
    # --max-price-age raises the limit
    r = cli(["--max-price-age", str(days), *args])
    assert r.exit_code == 0 and "warning" not in r.stdout
    r = cli(["--max-price-age", str(days - 1), *args])
    assert f"more than {days - 1} (acme)" in r.stdout


def test_config_sets_the_limit_and_is_checked(
    cli: CLI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    fix_clock(monkeypatch, (bundled_checked() + dt.timedelta(days=12)).isoformat())
    assert "warning" not in cli(EST).stdout
    (tmp_path / "llm-audit.toml").write_text("max-price-age = 10\n")
    r = cli(EST)
    assert r.exit_code == 0 and "more than 10 (" in r.stdout
    (tmp_path / "llm-audit.toml").write_text('max-price-age = "soon"\n')
    r = cli(EST)
    assert r.exit_code == 2
    assert "'max-price-age' must be a whole number of days >= 0, got 'soon'" in r.stderr


def test_a_newer_user_table_re_dates_its_provider(tmp_path: Path) -> None:
    later = bundled_checked() + dt.timedelta(days=60)
    user_table(tmp_path, "openai", later.isoformat(), model="acme-openai-1")
    book = PriceBook.load([tmp_path])  # a folder: its *.yaml files
    prov = age.stamp(book.provenance, 30, on=later)
    assert "openai" not in prov.stale_providers
    assert "anthropic" in prov.stale_providers
    assert prov.age_days == (later - min(age.checked_by_provider(prov).values())).days
    assert "acme-openai-1" in book.models
