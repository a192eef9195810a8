"""`llm-audit pricing update` against a localhost server serving trimmed real source data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from llm_audit.pricing import age
from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.sources.genai_prices import URL as GENAI_URL
from llm_audit.pricing.sources.litellm import URL as LITELLM_URL
from tests.conftest import ASSETS, ROOT, Result
from tests.fetch.conftest import ApiServer, Reply, Seen

CLI = Callable[..., Result]
TODAY = dt.date(2026, 11, 22)
LITELLM = json.loads((ASSETS / "pricing_update" / "litellm_prices.json").read_text())
GENAI = json.loads((ASSETS / "pricing_update" / "genai_prices_v2.json").read_text())


@pytest.fixture
def server() -> Iterator[ApiServer]:
    s = ApiServer()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(age, "today", lambda: TODAY)


def serve(server: ApiServer, doc: Any) -> str:
    server.app = lambda req, n: Reply(200, doc) if req.path == "/prices.json" else Reply(404)
    return server.url.removesuffix("/v1") + "/prices.json"


def litellm_with_changes() -> dict[str, Any]:
    doc = json.loads(json.dumps(LITELLM))
    doc["gpt-4o"]["input_cost_per_token"] = 3e-06  # was 2.5 per 1M
    doc["gpt-4o"]["output_cost_per_token"] = 1.2e-05  # was 10 per 1M
    return doc


def changes(doc: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {c["model"]: c for c in doc["changes"] if c["change"] == kind}


def bundled_digest() -> str:
    return hashlib.sha256(
        b"".join(p.read_bytes() for p in sorted((ROOT / "pricing").glob("*.yaml")))
    ).hexdigest()


def test_the_published_urls_are_the_raw_data_files() -> None:
    assert LITELLM_URL == (
        "https://raw.githubusercontent.com/BerriAI/litellm/main/"
        "model_prices_and_context_window.json"
    )
    assert GENAI_URL.endswith("/pydantic/genai-prices/refs/heads/main/prices/new_data/v2/data.json")


def test_litellm_dry_run_lists_new_changed_and_removed(
    cli: CLI, server: ApiServer, tmp_path: Path
) -> None:
    url = serve(server, litellm_with_changes())
    out = tmp_path / "prices"
    r = cli(
        [
            "pricing",
            "update",
            "--source",
            url,
            "-o",
            str(out),
            "--dry-run",
            "--provider",
            "openai,anthropic",
            "--format",
            "json",
        ]
    )
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["dry_run"] is True
    assert doc["files"] == [str(out / f"{p}.yaml") for p in ("anthropic", "openai")]
    assert not out.exists()  # nothing written
    changed = changes(doc, "changed")
    # gpt-4o's own entry wins over its dated alias gpt-4o-2024-08-06 (unchanged prices)
    assert changed["gpt-4o"]["details"] == "input 2.5 -> 3; output 10 -> 12"
    assert changed["gpt-4o"]["effective"] == "2026-11-22"
    assert set(changed) == {"gpt-4o"}
    new = changes(doc, "new")
    assert set(new) == {"claude-fable-5", "gpt-5.4-pro"}  # the dated gpt-5.4-pro folds in
    assert new["gpt-5.4-pro"]["details"] == "input 30, output 180"
    removed = changes(doc, "removed")
    assert {"o3", "claude-opus-4-1", "gpt-4.1"} <= set(removed)
    assert all(m["provider"] in ("openai", "anthropic") for m in removed.values())
    assert "gemini-2.5-pro" not in removed  # google was not asked for
    assert doc["counts"] == {"new": 2, "changed": 1, "removed": len(removed)}


def test_litellm_update_writes_user_tables_and_keeps_history(
    cli: CLI, server: ApiServer, tmp_path: Path
) -> None:
    before = bundled_digest()
    url = serve(server, litellm_with_changes())
    out = tmp_path / "prices"
    r = cli(["pricing", "update", "--source", url, "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert f"writing {out / 'anthropic.yaml'}" in r.stdout
    assert (
        r.stderr == f"wrote {out / 'anthropic.yaml'}, {out / 'google.yaml'}, "
        f"{out / 'openai.yaml'}\n"
    )
    assert "gpt-4o" in r.stdout and "input 2.5 -> 3; output 10 -> 12" in r.stdout
    assert sorted(p.name for p in out.iterdir()) == ["anthropic.yaml", "google.yaml", "openai.yaml"]
    assert bundled_digest() == before  # the bundled tables are never touched
    mask = os.umask(0)
    os.umask(mask)
    assert (out / "openai.yaml").stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0600
    openai = yaml.safe_load((out / "openai.yaml").read_text())
    assert openai["checked"] == TODAY and openai["source"] == url
    gpt4o = next(m for m in openai["models"] if m["id"] == "gpt-4o")
    assert [p["effective"] for p in gpt4o["prices"]][-1] == TODAY
    assert len(gpt4o["prices"]) >= 2  # the old price stays in the history
    # the folder loads with --pricing and prices old usage at the old rate
    book = PriceBook.load([out])
    model = book.models["gpt-4o"]
    assert model.period_at(dt.date(2026, 6, 1)).standard.rates.output == 10
    assert model.period_at(TODAY).standard.rates.output == 12
    assert model.period_at(TODAY).standard.rates.input == 3
    assert model.period_at(TODAY).tiers["batch"].rates.input == 1.25  # from the source
    pro = book.resolve("gpt-5.4-pro-2026-03-05", "openai")
    assert pro.model is not None and pro.model.id == "gpt-5.4-pro" and pro.rule == "alias"
    show = cli(["pricing", "show", "gpt-4o", "--pricing", str(out)])
    assert show.exit_code == 0 and "2026-11-22" in show.stdout
    # the user tables re-date their providers: no stale warning even with a short limit
    est = cli(
        [
            "--max-price-age",
            "0",
            "estimate",
            "--model",
            "gpt-4o",
            "--input-tokens",
            "10",
            "--pricing",
            str(out),
            "--format",
            "json",
        ]
    )
    assert est.exit_code == 0
    stale = json.loads(est.stdout)["pricing"]["stale_providers"]
    assert "openai" not in stale and "anthropic" not in stale and "google" not in stale
    # a second run finds nothing new and keeps what the folder holds
    again = cli(["pricing", "update", "--source", url, "-o", str(out), "--format", "json"])
    assert again.exit_code == 0, again.stderr
    doc = json.loads(again.stdout)
    assert doc["counts"]["new"] == 0 and doc["counts"]["changed"] == 0
    assert "gpt-4o" in PriceBook.load([out]).models
    assert PriceBook.load([out]).models["gpt-4o"].period_at(TODAY).standard.rates.output == 12


def test_genai_prices_dated_change_and_skips(cli: CLI, server: ApiServer, tmp_path: Path) -> None:
    doc = json.loads(json.dumps(GENAI))
    openai = next(p for p in doc if p["id"] == "openai")
    gpt4o = next(m for m in openai["models"] if m["id"] == "gpt-4o")
    old = gpt4o["prices"]
    gpt4o["prices"] = [
        {"prices": old},
        {"constraint": {"start_date": "2026-11-01"}, "prices": {**old, "input_mtok": 2.0}},
    ]
    url = serve(server, doc)
    out = tmp_path / "p"
    r = cli(["pricing", "update", "--source", url, "-o", str(out), "--format", "json"])
    assert r.exit_code == 0, r.stderr
    result = json.loads(r.stdout)
    changed = changes(result, "changed")
    # genai-prices also prices gpt-4o's web search, which our table lacks: a real difference
    assert changed["gpt-4o"]["details"] == "input 2.5 -> 2; web_search_request none -> 0.01"
    assert changed["gpt-4o"]["effective"] == "2026-11-01"  # the source's own date
    assert sorted(result["files"]) == [
        str(out / f"{p}.yaml") for p in ("anthropic", "google", "openai")
    ]
    book = PriceBook.load([out])
    assert book.models["gpt-4o"].period_at(dt.date(2026, 10, 31)).standard.rates.input == 2.5
    assert book.models["gpt-4o"].period_at(dt.date(2026, 11, 1)).standard.rates.input == 2
    assert all(c["provider"] != "mistral" for c in result["changes"])  # not our provider
    # DeepSeek's peak/off-peak prices have no place in our schema: left out, said, not "removed"
    assert (
        "deepseek/deepseek-chat: time-of-day prices are not modelled; left out" in result["notes"]
    )
    assert all(c["provider"] != "deepseek" for c in result["changes"])
    assert "claude-sonnet-5" not in changes(result, "new")  # known to the bundled tables


def test_source_errors(cli: CLI, server: ApiServer, tmp_path: Path) -> None:
    r = cli(["pricing", "update", "--source", "pricelist", "-o", str(tmp_path / "p")])
    assert r.exit_code == 2
    assert "--source 'pricelist' is neither litellm, genai-prices nor a URL" in r.stderr
    base = server.url.removesuffix("/v1")

    def app(req: Seen, n: int) -> Reply:
        return {
            "/odd.json": Reply(200, {"data": [1, 2, 3]}),
            "/broken.json": Reply(200, b'{"gpt-4o": {"input_cost_per'),
        }.get(req.path, Reply(404, b"Not Found"))

    server.app = app
    r = cli(["pricing", "update", "--source", base + "/nope.json", "-o", str(tmp_path / "p")])
    assert r.exit_code == 2 and "HTTP 404: Not Found" in r.stderr
    r = cli(["pricing", "update", "--source", base + "/odd.json", "-o", str(tmp_path / "p")])
    assert r.exit_code == 2 and "not LiteLLM or genai-prices price data" in r.stderr
    r = cli(["pricing", "update", "--source", base + "/broken.json", "-o", str(tmp_path / "p")])
    assert r.exit_code == 2 and "the answer is not valid JSON" in r.stderr
    assert not (tmp_path / "p").exists()
    afile = tmp_path / "f.yaml"
    afile.write_text("x")
    r = cli(["pricing", "update", "--source", base + "/odd.json", "-o", str(afile)])
    assert r.exit_code == 2 and "--output must be a folder" in r.stderr
    r = cli(["pricing", "update", "--provider", "mistral", "-o", str(tmp_path / "p")])
    assert r.exit_code == 2 and "--provider: unknown mistral" in r.stderr


def test_every_bundled_model_round_trips_through_the_writer(tmp_path: Path) -> None:
    """What `pricing update` writes back for a model (its whole history) parses to the same
    prices: no field of the schema is lost (a new schema field must be written too)."""
    from dataclasses import replace

    from llm_audit.pricing.tables import bundled_tables, parse_table
    from llm_audit.pricing.update import model_doc

    for table in bundled_tables():
        doc = {
            "schema": 1,
            "provider": table.provider,
            "name": "rt",
            "source": "s",
            "checked": TODAY,
            "models": [model_doc(m) for m in table.models],
        }
        back = parse_table(yaml.safe_dump(doc, sort_keys=False), "rt.yaml", bundled=False)
        assert len(back.models) == len(table.models)
        for old, new in zip(table.models, back.models, strict=True):
            assert replace(new, table=old.table) == old, old.id


def test_output_may_not_be_the_bundled_tables_folder(
    cli: CLI, server: ApiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`-o` naming the bundled tables' own folder (a source checkout, site-packages) is refused."""
    import shutil

    from llm_audit.pricing import tables

    bundled = tmp_path / "install" / "pricing"
    shutil.copytree(ROOT / "pricing", bundled)
    monkeypatch.setattr(tables, "_bundled_root", lambda: bundled)
    before = (bundled / "openai.yaml").read_bytes()
    url = serve(server, litellm_with_changes())
    for out in (bundled, bundled / ".." / "pricing"):
        r = cli(["pricing", "update", "--source", url, "-o", str(out), "--provider", "openai"])
        assert r.exit_code == 2, r.stderr
        assert "the bundled price tables" in r.stderr and "hint:" in r.stderr
        assert r.stdout == ""
    assert (bundled / "openai.yaml").read_bytes() == before
    assert sorted(p.name for p in bundled.iterdir()) == sorted(
        p.name for p in (ROOT / "pricing").iterdir() if p.name != "__pycache__"
    )
