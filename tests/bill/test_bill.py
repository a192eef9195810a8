"""`llm-audit bill`: readers, headline, reconciliation per provider, bad input (exit 2)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ASSETS, ROOT

A = ASSETS / "bill"
S = ROOT / "samples" / "bill"
Cli = Callable[..., object]


def run_json(cli: Callable[..., object], *args: str) -> dict[str, object]:
    r = cli(["bill", *args, "--format", "json"])
    assert r.exit_code == 0, r.stderr  # type: ignore[attr-defined]
    return json.loads(r.stdout)  # type: ignore[attr-defined, no-any-return]


def recon(data: dict[str, object]) -> dict[tuple[str, str], dict[str, object]]:
    rows = data["reconciliation"]
    assert isinstance(rows, list)
    return {(r["model"], r["kind"]): r for r in rows}


# Figures below are worked by hand from the list prices in formats.md section 6.


def test_anthropic_console_usage_and_cost_reconcile_exactly(cli: Callable[..., object]) -> None:
    d = run_json(cli, str(S / "anthropic"))
    rows = recon(d)
    # Haiku 4.5: 5 days x 5,000,000 uncached input at $1/M; 5 x 800,000 output at $5/M.
    assert rows[("claude-haiku-4-5", "input")]["computed_usd"] == pytest.approx(25.0)
    assert rows[("claude-haiku-4-5", "output")]["billed_usd"] == pytest.approx(20.0)
    # Sonnet 4.5 5m writes: 5 x 150,000 at $3.75/M; 1h writes 5 x 20,000 at $6/M.
    assert rows[("claude-sonnet-4-5", "cache_write_5m")]["computed_usd"] == pytest.approx(2.8125)
    assert rows[("claude-sonnet-4-5", "cache_write_1h")]["computed_usd"] == pytest.approx(0.6)
    priced = [r for r in rows.values() if r["status"] != "unpriced"]
    assert priced and all(r["status"] == "ok" for r in priced)
    # claude-2.1 has no list price: its own line, never $0.
    assert d["unpriced"][0]["model"] == "claude-2.1"  # type: ignore[index]
    assert d["unpriced"][0]["input_tokens"] == 5 * 40_000  # type: ignore[index]
    assert d["spend_usd"] == pytest.approx(d["billed_usd"])  # type: ignore[arg-type]


def test_anthropic_gaps_are_explained(cli: Callable[..., object]) -> None:
    d = run_json(
        cli,
        str(S / "anthropic" / "claude_api_tokens_2026-03.csv"),
        str(A / "anthropic_cost_gaps.csv"),
    )
    rows = recon(d)
    w = rows[("claude-sonnet-4-5", "cache_write_5m")]
    assert w["status"] == "gap" and w["billed_usd"] == pytest.approx(750_000 * 6 / 1e6)
    assert w["explanation"] == "5m cache writes billed at the 1h rate"
    o = rows[("claude-haiku-4-5", "output")]
    assert o["difference_usd"] == pytest.approx(-10.0)
    assert str(o["explanation"]).startswith("billed at the batch rate")
    assert rows[("claude-sonnet-4-5", "input")]["status"] == "ok"


def test_anthropic_admin_api_cents_strings(cli: Callable[..., object]) -> None:
    d = run_json(cli, str(A / "anthropic_usage_report.json"), str(A / "anthropic_cost_report.json"))
    rows = recon(d)
    assert rows[("claude-sonnet-4-5", "input")]["billed_usd"] == pytest.approx(3.0)  # "300.00"
    assert rows[("claude-sonnet-4-5", "cache_write_5m")]["billed_usd"] == pytest.approx(0.375)
    assert all(r["status"] == "ok" for r in rows.values())
    assert d["computed_usd"] == pytest.approx(3 + 0.375 + 0.3 + 0.6 + 3 + 0.03)


def test_openai_usage_and_cost_csv_reconcile(cli: Callable[..., object]) -> None:
    d = run_json(cli, str(S / "openai"))
    rows = recon(d)
    assert rows and all(r["status"] == "ok" for r in rows.values())
    # gpt-4o-mini: 7 days x 900 requests x 700 input at $0.15/M.
    assert rows[("gpt-4o-mini", "input")]["computed_usd"] == pytest.approx(7 * 900 * 700 * 0.15e-6)
    assert d["requests"] == sum(400 + 10 * i + 900 + 60 for i in range(7))
    assert d["cost_per_request"] == pytest.approx(d["spend_usd"] / d["requests"])  # type: ignore[operator]


def test_openai_usage_api_pages_and_costs_api(cli: Callable[..., object]) -> None:
    one = run_json(cli, str(A / "openai_usage_api_page.json"), str(A / "openai_costs_api.json"))
    many = run_json(cli, str(A / "openai_usage_api_pages.jsonl"), str(A / "openai_costs_api.json"))
    assert one["computed_usd"] == many["computed_usd"]
    rows = recon(one)
    # batch=true: 2,000,000 gpt-4o input at the batch rate $1.25/M.
    assert rows[("gpt-4o", "input")]["computed_usd"] == pytest.approx(2.5)
    # 600,000 uncached gpt-4o-mini input at $0.15/M; 400,000 cached at $0.075/M.
    assert rows[("gpt-4o-mini", "input")]["computed_usd"] == pytest.approx(0.09)
    assert rows[("gpt-4o-mini", "cache_read")]["computed_usd"] == pytest.approx(0.03)
    assert all(r["status"] == "ok" for r in rows.values())


def test_headline_forecast_and_users(cli: Callable[..., object]) -> None:
    d = run_json(
        cli, str(S / "openai" / "completions_usage_2026-03-02_2026-03-08.csv"), "--users", "10"
    )
    spend = float(d["spend_usd"])  # type: ignore[arg-type]
    assert d["run_rate_daily"] == pytest.approx(spend / 7)
    # March has 31 days; the data ends on the 8th: 23 more days at the month's daily rate.
    assert d["forecast"]["usd"] == pytest.approx(spend + spend / 7 * 23)  # type: ignore[index]
    assert d["cost_per_user_month"] == pytest.approx(spend / 7 * 30 / 10)


def test_since_until_and_timezone(cli: Callable[..., object]) -> None:
    full = run_json(cli, str(S / "openai" / "completions_usage_2026-03-02_2026-03-08.csv"))
    part = run_json(
        cli,
        str(S / "openai" / "completions_usage_2026-03-02_2026-03-08.csv"),
        "--since",
        "2026-03-03",
        "--until",
        "2026-03-04",
    )
    days = {r["day"]: r["computed_usd"] for r in full["breakdowns"]["day"]}  # type: ignore[index]
    assert part["computed_usd"] == pytest.approx(days["2026-03-03"] + days["2026-03-04"])
    la = run_json(
        cli,
        str(S / "openai" / "completions_usage_2026-03-02_2026-03-08.csv"),
        "--timezone",
        "America/Los_Angeles",
    )
    assert la["period"]["first_day"] == "2026-03-01"  # type: ignore[index]


def test_explain_and_group_by(cli: Callable[..., object]) -> None:
    d = run_json(
        cli, str(A / "anthropic_usage_report.json"), "--explain", "--group-by", "workspace,kind"
    )
    lines = d["explain"]
    assert isinstance(lines, list)
    out = next(x for x in lines if x["kind"] == "output")
    assert out["quantity"] == 200_000 and out["unit_price"] == pytest.approx(15.0)
    assert "workspace,kind" in d["breakdowns"]  # type: ignore[operator]


def test_generic_map(cli: Callable[..., object]) -> None:
    d = run_json(
        cli,
        str(A / "generic.csv"),
        "--map",
        "timestamp=when",
        "--map",
        "model=llm",
        "--map",
        "input_tokens=prompt",
        "--map",
        "output_tokens=completion",
    )
    # 2 x (1M input at $0.15/M + 100k output at $0.60/M)
    assert d["computed_usd"] == pytest.approx(2 * (0.15 + 0.06))


def test_table_output_and_savings(cli: Callable[..., object]) -> None:
    r = cli(["bill", str(S / "anthropic")])
    assert r.exit_code == 0  # type: ignore[attr-defined]
    assert "UNPRICED" in r.stdout and "Reconciliation" in r.stdout  # type: ignore[attr-defined]


def test_header_only_openai_export_is_a_clean_empty_report(cli: Callable[..., object]) -> None:
    d = run_json(cli, str(A / "openai_header_only.csv"))
    assert d["spend_usd"] == 0 and d["requests"] == 0


@pytest.mark.parametrize(
    ("name", "message", "where"),
    [
        ("empty.csv", "empty file", "empty.csv:1"),
        ("trunc.csv", "fewer fields than the header", "trunc.csv:5"),
        ("utf16.csv", "not UTF-8", "utf16.csv:1"),
        ("unknown.csv", "cannot tell what format", "unknown.csv:1"),
        ("truncated.json", "invalid JSON", "truncated.json"),
        ("badnumber.csv", "'abc' is not a number", "badnumber.csv:2"),
        ("anthropic_cost_baddate.csv", "'2026-13-45' is not a date", "baddate.csv:3"),
    ],
)
def test_bad_input_exits_2(cli: Callable[..., object], name: str, message: str, where: str) -> None:
    r = cli(["bill", str(A / name)])
    assert r.exit_code == 2, r.stderr  # type: ignore[attr-defined]
    assert message in r.stderr and where in r.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in r.stderr and "hint:" in r.stderr  # type: ignore[attr-defined]


def test_unknown_input_format_lists_known(cli: Callable[..., object]) -> None:
    r = cli(["bill", str(A / "generic.csv"), "--input-format", "nope"])
    assert r.exit_code == 2 and "anthropic-cost-csv" in r.stderr  # type: ignore[attr-defined]


def test_bom_and_float_counts(cli: Callable[..., object], tmp_path: Path) -> None:
    d = run_json(cli, str(A / "bom.csv"))
    assert d["computed_usd"] > 0  # type: ignore[operator]


def test_aws_cur_bedrock_and_marketplace(cli: Callable[..., object]) -> None:
    d = run_json(cli, str(A / "aws_cur.csv"))
    rows = recon(d)
    # 2,000,000 Sonnet 4.5 input tokens at $3/M; Marketplace Haiku 3: 1,000 x 1K at $0.25/M.
    assert rows[("bedrock/anthropic.claude-sonnet-4-5", "input")]["computed_usd"] == 6.0
    assert rows[("bedrock/anthropic.claude-3-haiku", "input")]["status"] == "ok"
    assert rows[("(credit)", "other")]["explanation"].startswith("credits")  # type: ignore[union-attr]
    skipped = d["skipped_rows"]
    assert isinstance(skipped, list) and len(skipped) == 1 and "aws_cur.csv:5" in skipped[0]
    assert "billed amount kept" in skipped[0]
    # Line 5 (USE1-Mystery-thing, $0.10) is not interpreted but billed: it counts in spend.
    assert d["spend_usd"] == pytest.approx(6.0 + 1.5 + 0.25 + 0.1 - 1.0)
    _assert_not_interpreted(rows[("(not interpreted)", "other")], 0.1)


def _assert_not_interpreted(row: dict[str, object], billed: float) -> None:
    """A billed row we could not read: its own line, billed, no computed price (never $0)."""
    assert row["billed_usd"] == pytest.approx(billed)
    assert row["computed_usd"] is None and row["difference_usd"] is None
    assert row["status"] == "unpriced"
    assert row["explanation"] == "rows not interpreted: see skipped rows"


def test_gcp_billing_ndjson(cli: Callable[..., object]) -> None:
    d = run_json(cli, str(A / "gcp_billing.jsonl"))
    rows = recon(d)
    # Vertex Gemini 2.5 Flash: 2M input at $0.30/M, 200k output at $2.50/M; API 2.5 Pro 1M.
    assert rows[("vertex_ai/gemini-2.5-flash", "input")]["computed_usd"] == pytest.approx(0.6)
    assert rows[("vertex_ai/gemini-2.5-flash", "output")]["status"] == "ok"
    assert rows[("gemini-2.5-pro", "input")]["computed_usd"] == pytest.approx(1.25)
    # Line 4 (SKU "Online prediction node hours", $2.00) is not interpreted but billed.
    assert d["billed_usd"] == pytest.approx(0.6 + 0.5 - 0.1 + 1.25 + 2.0)
    assert "gcp_billing.jsonl:4" in d["skipped_rows"][0]  # type: ignore[index]
    _assert_not_interpreted(rows[("(not interpreted)", "other")], 2.0)


def test_azure_cost_export(cli: Callable[..., object]) -> None:
    r = cli(["bill", str(A / "azure_cost.csv")])
    assert r.exit_code == 0  # type: ignore[attr-defined]
    assert "1 row(s) could not be interpreted" in r.stdout  # type: ignore[attr-defined]
    d = run_json(cli, str(A / "azure_cost.csv"))
    rows = recon(d)
    # 2,000 x 1K gpt-4o input at $2.50/M; 100 x 1K output at $10/M.
    assert rows[("azure/gpt-4o", "input")]["computed_usd"] == pytest.approx(5.0)
    assert rows[("azure/gpt-4o", "output")]["computed_usd"] == pytest.approx(1.0)
    # Line 4 ("weird meter", $0.50) is not interpreted but billed: 5.0 + 1.0 + 0.5.
    assert d["spend_usd"] == pytest.approx(6.5)
    assert "azure_cost.csv:4" in d["skipped_rows"][0]  # type: ignore[index]
    _assert_not_interpreted(rows[("(not interpreted)", "other")], 0.5)
    by_model = {r["model"]: r for r in d["breakdowns"]["model"]}  # type: ignore[index]
    assert by_model["(not interpreted)"]["computed_usd"] is None
    assert by_model["(not interpreted)"]["billed_usd"] == pytest.approx(0.5)


def test_skipped_rows_without_money_stay_out_of_spend(
    cli: Callable[..., object], tmp_path: Path
) -> None:
    # An unread meter with no cost adds no billed line; it is still listed as skipped.
    src = (A / "azure_cost.csv").read_text().replace("1 Hour,0.5,", "1 Hour,0,")
    p = tmp_path / "azure_cost.csv"
    p.write_text(src)
    d = run_json(cli, str(p))
    assert d["spend_usd"] == pytest.approx(6.0)
    assert ("(not interpreted)", "other") not in recon(d)
    skipped = d["skipped_rows"]
    assert isinstance(skipped, list) and len(skipped) == 1
    assert "billed amount kept" not in skipped[0]


def test_anomaly_flags_a_unit_cost_jump(cli: Callable[..., object], tmp_path: Path) -> None:
    src = (S / "openai" / "completions_usage_2026-03-02_2026-03-08.csv").read_text()
    d = run_json(cli, str(S / "openai" / "completions_usage_2026-03-02_2026-03-08.csv"))
    assert d["anomalies"] == []
    lines = src.splitlines()
    # Day 7: the reports project's gpt-4o output grows 10x at the same request count.
    last = [i for i, ln in enumerate(lines) if "proj_reports" in ln][-1]
    f = lines[last].split(",")
    f[12] = str(float(f[12]) * 10)
    f[16] = f[12]
    lines[last] = ",".join(f)
    p = tmp_path / "usage.csv"
    p.write_text("\n".join(lines) + "\n")
    d2 = run_json(cli, str(p))
    anomalies = d2["anomalies"]
    assert isinstance(anomalies, list) and [a["day"] for a in anomalies] == ["2026-03-08"]
    assert anomalies[0]["model"] == "gpt-4o"


def test_savings_are_ranked_and_carry_assumptions(cli: Callable[..., object]) -> None:
    d = run_json(cli, str(S / "openai"))
    savings = d["savings"]
    assert isinstance(savings, list) and savings
    amounts = [s["usd_per_month"] for s in savings]
    assert amounts == sorted(amounts, reverse=True)
    assert all(s["assumption"] for s in savings)
