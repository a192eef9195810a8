"""`llm-audit snapshot`: the versioned cost file, its identities, and how a bad one is refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from llm_audit import __version__
from llm_audit.analyses import snapshot as snap_mod
from llm_audit.analyses.prompts import price_sites
from llm_audit.lint.config import load as load_config
from llm_audit.lint.engine import lint
from llm_audit.pricing.book import PriceBook
from tests.conftest import ROOT, Result
from tests.gate.helpers import load_json, write_project

SAMPLE = ROOT / "samples" / "prompts_app"
LOGS = ROOT / "samples" / "logs" / "requests.jsonl"
BASELINE = ROOT / "samples" / "gate" / "llm-cost.json"


def test_sample_snapshot_is_versioned_and_complete(cli: Callable[..., Result]) -> None:
    r = cli(["snapshot", str(SAMPLE)])
    assert r.exit_code == 0, r.stderr
    doc = load_json(r.stdout)
    assert doc["kind"] == "llm-audit-snapshot"
    assert doc["schema_version"] == snap_mod.SCHEMA_VERSION
    assert doc["tool_version"] == __version__
    book = PriceBook.load()
    pricing = doc["pricing"]
    assert isinstance(pricing, dict) and pricing["version"] == book.version
    sites = doc["sites"]
    assert isinstance(sites, list) and len(sites) == 4
    by_fn = {s["function"]: s for s in sites}
    triage = by_fn["triage"]
    assert triage["model"] == "gpt-4o" and triage["output_tokens"] == 3
    assert triage["output_source"] == "max_tokens"
    assert triage["calls_per_month"] == 300_000
    assert "app/llm.py::triage" in triage["calls_source"]
    assert by_fn["draft"]["calls_source"] == "usage default"
    for s in sites:
        assert s["monthly_cost"] == pytest.approx(s["cost_per_call"] * s["calls_per_month"])
        assert s["id"].startswith(f"{s['path']}::{s['function']}::")
        assert str(s["line"]) not in s["id"].split("#")[0]
    totals = doc["totals"]
    assert isinstance(totals, dict)
    assert totals["monthly_cost"] == pytest.approx(sum(s["monthly_cost"] for s in sites))


def test_stored_rates_reproduce_the_engine() -> None:
    """The rates a snapshot keeps re-price its sites to the engine's figures (to float noise)."""
    cfg = load_config(SAMPLE)
    book = PriceBook.load()
    sites = lint([SAMPLE], cfg).sites
    snap = snap_mod.build(sites, cfg, book)
    engine = {(c.path, c.line): c.cost_per_call for c in price_sites(sites, book, cfg)}
    assert snap.sites
    for s in snap.sites:
        rates = snap.rate(s.model, s.service_tier)
        assert rates is not None
        expected = engine[(s.path, s.line)]
        assert rates.cost(s.input_tokens, s.output_tokens) == pytest.approx(expected, rel=1e-12)
        assert s.cost_per_call == engine[(s.path, s.line)]
    # and the file reads back to the same value
    assert snap_mod.loads(snap.dumps(), "x.json") == snap


def test_ids_survive_line_moves(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    cfg = load_config(root)
    before = snap_mod.snapshot_paths([root], cfg, PriceBook.load)
    text = (root / "app" / "chat.py").read_text()
    (root / "app" / "chat.py").write_text('"""Chat."""\n\nimport os\n\n\n' + text)
    after = snap_mod.snapshot_paths([root], cfg, PriceBook.load)
    assert [s.line for s in before.sites] != [s.line for s in after.sites]
    assert [s.id for s in before.sites] == [s.id for s in after.sites]


def test_unpriced_site_is_marked_not_zero(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = write_project(tmp_path, model="acme-private-llm-7")
    r = cli(["snapshot", str(root)])
    doc = load_json(r.stdout)
    (site,) = doc["sites"]  # type: ignore[misc]
    assert site["priced"] is False and site["cost_per_call"] is None
    assert site["monthly_cost"] is None and "unknown model" in site["unpriced_reason"]
    assert doc["totals"] == {
        **doc["totals"],
        "unpriced_sites": 1,  # type: ignore[dict-item]
        "unpriced_calls_per_month": 100_000,
        "unpriced_share": 1.0,
    }
    table = cli(["snapshot", str(root), "--format", "table"])
    assert "unpriced" in table.stdout and "$0.00 " not in table.stdout.split("Call sites")[1]


def test_logs_record_measured_units(cli: Callable[..., Result]) -> None:
    r = cli(["snapshot", "--logs", str(LOGS)])
    assert r.exit_code == 0, r.stderr
    doc = load_json(r.stdout)
    assert doc["sites"] == []
    logs = doc["logs"]
    assert isinstance(logs, dict) and logs["requests"] == 200
    units = {(u["feature"], u["model"]): u for u in logs["units"]}
    # the p95 of one feature, from the raw file
    lat = [
        rec["latency_ms"]
        for rec in map(json.loads, LOGS.read_text().splitlines())
        if rec.get("feature") == "classify-ticket" and rec.get("latency_ms") is not None
    ]
    unit = units[("classify-ticket", "gpt-5")]
    assert unit["p95_latency_ms"] == pytest.approx(float(np.percentile(lat, 95)))
    assert unit["requests"] == len(lat)
    assert unit["cost_per_call"] > 0 and unit["users"] > 0
    assert unit["cost_per_user_month"] > 0
    assert 0.0 <= unit["cache_hit_rate"] <= 1.0


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_malformed_baseline_is_exit_2_with_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    bad = _write(tmp_path / "base.json", '{\n  "kind": "llm-audit-snapshot",\n  "sites": [\n')
    r = cli(["diff", str(bad), str(bad)])
    assert r.exit_code == 2
    assert f"{bad}:4: not valid JSON" in r.stderr and "hint:" in r.stderr


def test_foreign_json_is_refused(tmp_path: Path, cli: Callable[..., Result]) -> None:
    foreign = _write(tmp_path / "package.json", '{\n  "name": "left-pad"\n}\n')
    r = cli(["gate", "--baseline", str(foreign), str(tmp_path)])
    assert r.exit_code == 2
    assert "not an llm-audit cost snapshot" in r.stderr
    assert "hint: the baseline must be a file written by `llm-audit snapshot`" in r.stderr


def test_wrong_version_and_missing_field(tmp_path: Path, cli: Callable[..., Result]) -> None:
    good = cli(["snapshot", str(SAMPLE)]).stdout
    doc = json.loads(good)
    old = _write(tmp_path / "old.json", json.dumps({**doc, "schema_version": 99}, indent=2))
    r = cli(["diff", str(old), str(old)])
    assert r.exit_code == 2
    assert f"{old}:3: snapshot schema_version 99" in r.stderr and "--update-baseline" in r.stderr
    del doc["sites"][2]["output_tokens"]
    broken = _write(tmp_path / "broken.json", json.dumps(doc, indent=2))
    r = cli(["diff", str(broken), str(broken)])
    assert r.exit_code == 2
    text = broken.read_text().splitlines()
    line = [i for i, t in enumerate(text, 1) if '"id"' in t][2]
    assert f"{broken}:{line}: site 3: missing 'output_tokens'" in r.stderr


def test_missing_baseline_names_the_fix(tmp_path: Path, cli: Callable[..., Result]) -> None:
    r = cli(["gate", "--baseline", str(tmp_path / "nope.json"), str(tmp_path)])
    assert r.exit_code == 2
    assert "no such snapshot file" in r.stderr and "llm-audit snapshot" in r.stderr


def test_output_tokens_from_the_usage_profile(tmp_path: Path, cli: Callable[..., Result]) -> None:
    profile = '\n[tool.llm-audit.usage.output-tokens]\ndefault = 700\n"app/chat.py::answer" = 250\n'
    root = write_project(tmp_path, cap=None)
    with (root / "pyproject.toml").open("a") as f:
        f.write(profile)
    doc = load_json(cli(["snapshot", str(root)]).stdout)
    (site,) = doc["sites"]  # type: ignore[misc]
    assert site["output_tokens"] == 250
    assert site["output_source"] == "usage output-tokens 'app/chat.py::answer'"
    rates = doc["rates"][site["model"]]["standard"]  # type: ignore[index]
    expected = (site["input_tokens"] * rates["input"] + 250 * rates["output"]) / 1e6
    assert site["cost_per_call"] == pytest.approx(expected, rel=1e-12)
    # the prompts command reads the same profile
    assert cli(["prompts", str(root), "--format", "json"]).exit_code in (0, 1)
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml").read_text().replace("= 250", '= "lots"')
    )
    bad = cli(["snapshot", str(root)])
    assert bad.exit_code == 2
    assert "usage.output-tokens 'app/chat.py::answer' must be a positive number" in bad.stderr


def test_a_priced_site_needs_its_rates(tmp_path: Path, cli: Callable[..., Result]) -> None:
    doc = json.loads(cli(["snapshot", str(SAMPLE)]).stdout)
    model = doc["sites"][0]["model"]
    del doc["rates"][model]["standard"]
    broken = _write(tmp_path / "norates.json", json.dumps(doc, indent=2))
    r = cli(["diff", str(broken), str(broken)])
    assert r.exit_code == 2
    assert f"priced, but no standard rates recorded for its model '{model}'" in r.stderr


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (("pricing", "tables", 0, "checked"), 5, "'checked'"),
        (("pricing", "tables", 0, "checked"), "last week", "'checked'"),
        (("pricing", "tables", 0, "models"), "many", "'models'"),
        (("sites", 0, "cost_per_call"), float("nan"), "NaN"),
        (("rates", "gpt-4o-mini", "standard", "input"), float("inf"), "Infinity"),
    ],
)
def test_bad_values_inside_a_baseline_are_exit_2(
    tmp_path: Path,
    cli: Callable[..., Result],
    where: tuple[str | int, ...],
    value: object,
    message: str,
) -> None:
    """A hand-edited baseline with a wrong value is refused with file:line, never exit 3."""
    doc = json.loads(BASELINE.read_text())
    obj = doc
    for k in where[:-1]:
        obj = obj[k]
    obj[where[-1]] = value
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, indent=2))  # NaN/Infinity: Python's json writes them
    for argv in (["diff", str(bad), str(BASELINE)], ["diff", str(BASELINE), str(bad)]):
        r = cli([*argv, "--format", "markdown"])
        assert r.exit_code == 2, r.stderr
        assert f"{bad}:" in r.stderr and message in r.stderr and "hint:" in r.stderr


def test_the_hints_for_a_bad_baseline_work_when_followed(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """Another schema version: `gate --update-baseline` (the hint) replaces it. A file that is
    no snapshot is never overwritten, and its hint does not suggest --update-baseline."""
    root = write_project(tmp_path / "repo")
    doc = json.loads(cli(["snapshot", str(root)]).stdout)
    old = _write(tmp_path / "old.json", json.dumps({**doc, "schema_version": 99}, indent=2))
    r = cli(["diff", str(old), str(old)])
    assert r.exit_code == 2 and "`llm-audit gate --baseline FILE --update-baseline" in r.stderr
    r = cli(["gate", "--baseline", str(old), str(root), "--update-baseline"])
    assert r.exit_code == 0, r.stderr
    assert "schema_version 99" in r.stderr and "replaced" in r.stderr
    assert json.loads(old.read_text())["schema_version"] == snap_mod.SCHEMA_VERSION
    for text in ("{", json.dumps({"kind": "something else"}), "[]"):
        bad = _write(tmp_path / "bad.json", text)
        r = cli(["gate", "--baseline", str(bad), str(root), "--update-baseline"])
        assert r.exit_code == 2
        assert "--update-baseline" not in r.stderr.split("hint:", 1)[1]
        assert bad.read_text() == text
