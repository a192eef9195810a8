"""`llm-audit pricing list|show`."""

from __future__ import annotations

import json
from collections.abc import Callable

from llm_audit.pricing.book import PriceBook
from tests.conftest import Result

CLI = Callable[..., Result]


def test_list_shows_every_model_with_checked_dates(cli: CLI) -> None:
    r = cli(["pricing", "list", "--format", "json"])
    assert r.exit_code == 0
    models = json.loads(r.stdout)["models"]
    assert len(models) == len(PriceBook.load().models)
    assert all(m["checked"] for m in models)


def test_list_filters_by_provider(cli: CLI) -> None:
    r = cli(["pricing", "list", "--provider", "anthropic", "--format", "csv"])
    rows = r.stdout.splitlines()[1:]
    assert rows and all(row.startswith("anthropic,") for row in rows)


def test_show_gives_history_and_resolution(cli: CLI) -> None:
    r = cli(["pricing", "show", "o3-2025-04-16", "--format", "json"])
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["model"] == "o3"
    effective = {h["effective"] for h in doc["history"]}
    assert len(effective) >= 2
    assert doc["source"] and doc["checked"]


def test_show_unknown_model(cli: CLI) -> None:
    r = cli(["pricing", "show", "claude-sonet-4-5"])
    assert r.exit_code == 2 and "claude-sonnet-4-5" in r.stderr
