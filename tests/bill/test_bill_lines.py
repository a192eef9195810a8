"""`bill`: every billed line explained, overlapping savings, fast mode, regional meters,
the documented column-set variants and the bad-input list of issue #3."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from llm_audit.report.table import TableRenderer
from tests.conftest import ASSETS, ROOT

A = ASSETS / "bill"
S = ROOT / "samples" / "bill"
Cli = Callable[..., object]


def run_json(cli: Cli, *args: str) -> dict[str, object]:
    r = cli(["bill", *args, "--format", "json"])
    assert r.exit_code == 0, r.stderr  # type: ignore[attr-defined]
    return json.loads(r.stdout)  # type: ignore[attr-defined, no-any-return]


def explain(cli: Cli, *files: str) -> list[dict[str, object]]:
    lines = run_json(cli, *files, "--explain")["explain"]
    assert isinstance(lines, list) and lines
    return lines


def cost_lines(lines: list[dict[str, object]], name: str) -> list[dict[str, object]]:
    return [x for x in lines if name in str(x["where"]) and x["matched"] != "no cost line"]


# -- --explain: billed and the difference on every line that has a billed amount ---------------


@pytest.mark.parametrize(
    ("files", "cost_file"),
    [
        ([str(S / "anthropic")], "claude_api_cost"),
        ([str(S / "openai")], "cost_2026"),
        ([str(A / "anthropic_usage_report.json"), str(A / "anthropic_cost_report.json")], "cost"),
        ([str(A / "openai_usage_api_page.json"), str(A / "openai_costs_api.json")], "costs"),
        ([str(A / "aws_cur.csv")], "aws_cur"),
        ([str(A / "gcp_billing.jsonl")], "gcp_billing"),
        ([str(A / "azure_cost.csv")], "azure_cost"),
    ],
)
def test_every_cost_line_shows_billed_and_difference(
    cli: Cli, files: list[str], cost_file: str
) -> None:
    lines = cost_lines(explain(cli, *files), cost_file)
    assert lines
    for x in lines:
        assert x["billed_usd"] is not None and x["computed_usd"] is not None, x
        assert x["difference_usd"] == pytest.approx(
            float(str(x["billed_usd"])) - float(str(x["computed_usd"])), abs=1e-9
        )


def test_matched_lines_agree_with_the_sample_bill(cli: Cli) -> None:
    # The Anthropic samples bill list prices: every matched line has no difference, and the
    # cost line for day 1's Sonnet 4.5 input is 1,200,000 tokens at $3/M (formats.md 6).
    lines = cost_lines(explain(cli, str(S / "anthropic")), "claude_api_cost")
    first = next(x for x in lines if str(x["where"]).endswith(":2"))
    assert first["quantity"] == 1_200_000 and first["unit_price"] == pytest.approx(3.0)
    assert first["billed_usd"] == pytest.approx(3.6) and first["matched"] == "1 usage line(s)"
    assert all(abs(float(str(x["difference_usd"]))) < 1e-9 for x in lines)


def test_cloud_rows_pair_by_line_and_a_gap_shows(cli: Cli, tmp_path: Path) -> None:
    # An Azure line billed 10% above list (a Data Zone rate billed on a global meter) shows it.
    src = (A / "azure_cost.csv").read_text().replace(",2000,1K,5.0,", ",2000,1K,5.5,")
    f = tmp_path / "azure.csv"
    f.write_text(src)
    lines = cost_lines(explain(cli, str(f)), "azure.csv")
    inp = next(x for x in lines if x["kind"] == "input")
    assert inp["matched"] == "same line"
    assert inp["computed_usd"] == pytest.approx(5.0) and inp["difference_usd"] == pytest.approx(0.5)


def test_cost_lines_without_usage_are_all_gap(cli: Cli) -> None:
    lines = explain(cli, str(S / "anthropic" / "claude_api_cost_2026-03.csv"))
    assert all(x["matched"] == "no usage line" and x["computed_usd"] == 0 for x in lines)
    assert all(x["difference_usd"] == x["billed_usd"] for x in lines)


def test_usage_only_lines_have_no_billed_amount(cli: Cli) -> None:
    lines = explain(cli, str(S / "openai" / "completions_usage_2026-03-02_2026-03-08.csv"))
    assert all(x["billed_usd"] is None and x["difference_usd"] is None for x in lines)
    assert all(x["computed_usd"] is not None for x in lines)


# -- savings levers overlap -------------------------------------------------------------------


def test_overlapping_levers_get_one_combined_figure(cli: Cli) -> None:
    d = run_json(cli, str(S / "openai"))
    savings = d["savings"]
    assert isinstance(savings, list) and len(savings) > 1
    amounts = [float(s["usd_per_month"]) for s in savings]
    combined = float(str(d["savings_combined_usd_per_month"]))
    # The same gpt-4o traffic is moved to a cheaper model, batched and cached: together
    # less than the lines' sum, more than the best single lever, less than the bill itself.
    assert max(amounts) < combined < sum(amounts)
    assert combined < float(str(d["spend_usd"])) / 7 * 30
    r = cli(["bill", str(S / "openai")])
    assert "the savings levers overlap" in r.stdout  # type: ignore[attr-defined]


# -- prices: fast mode, regional meters -------------------------------------------------------

USAGE_HEADER = (
    "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,"
    "usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,"
    "usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,"
    "web_search_count,inference_geo,speed\n"
)


def test_fast_mode_rows_are_priced_at_twice_or_unpriced(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "claude_api_tokens.csv"
    f.write_text(
        USAGE_HEADER
        + "2026-11-02,claude-opus-4-8,k,Default,standard,≤ 200k,1000000,0,0,0,100000,0,"
        "not_available,fast\n"
        + "2026-11-02,claude-opus-4-6,k,Default,standard,≤ 200k,1000000,0,0,0,0,0,"
        "not_available,fast\n"
    )
    d = run_json(cli, str(f))
    # formats.md 6: Opus 4.8 fast mode is 10 in / 50 out per 1M.
    assert d["computed_usd"] == pytest.approx(10 + 0.1 * 50)
    unpriced = d["unpriced"]
    assert isinstance(unpriced, list) and unpriced[0]["model"] == "claude-opus-4-6"
    assert "fast" in unpriced[0]["reason"]


def test_azure_regional_meter_is_the_regional_uplift(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "azure.csv"
    f.write_text(
        "Date,MeterCategory,MeterSubCategory,MeterName,Quantity,UnitOfMeasure,"
        "CostInBillingCurrency,BillingCurrency,ResourceGroup,ProductName\n"
        "03/02/2026,Cognitive Services,Azure OpenAI,gpt-4o-mini-0718-Outp-regnl Tokens,"
        "1000,1K,0.66,USD,rg,Azure OpenAI\n"
    )
    d = run_json(cli, str(f), "--explain")
    # 1,000 x 1K gpt-4o-mini output at $0.60/M, +10% for a regional meter (formats.md 6).
    assert d["computed_usd"] == pytest.approx(0.66)
    rows = d["reconciliation"]
    assert isinstance(rows, list) and rows[0]["status"] == "ok"


# -- the documented column-set variants -------------------------------------------------------


def test_anthropic_old_column_sets(cli: Cli, tmp_path: Path) -> None:
    usage = tmp_path / "claude_api_tokens_old.csv"
    usage.write_text(
        "usage_date_utc,model_version,api_key,workspace,usage_type,"
        "usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,"
        "usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,"
        "web_search_count\n"
        "2025-07-01,claude-sonnet-4-20250514,test-key,Default,standard,100000,0,0,0,5000,0\n"
    )
    cost = tmp_path / "claude_api_cost_old.csv"
    cost.write_text(
        "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,"
        "cost_usd,cost_type\n"
        "2025-07-01,Claude Sonnet 4,Default,test-key,message,≤ 200k,input_no_cache,0.30,token\n"
        "2025-07-01,Claude Sonnet 4,Default,test-key,message,≤ 200k,output,0.075,token\n"
    )
    d = run_json(cli, str(usage), str(cost))
    # Sonnet 4: 100,000 input at $3/M and 5,000 output at $15/M.
    assert d["computed_usd"] == pytest.approx(0.3 + 0.075)
    rows = d["reconciliation"]
    assert isinstance(rows, list) and {r["status"] for r in rows} == {"ok"}


# -- bad input (issue #3): a clear message and exit 2, or a clean empty report -----------------


def test_float_counts_are_read_and_fractions_refused(cli: Cli, tmp_path: Path) -> None:
    src = (S / "openai" / "completions_usage_2026-03-02_2026-03-08.csv").read_text()
    assert ",400.0," in src  # the sample writes counts as 10.0, as real exports do
    lines = src.splitlines()
    f = lines[1].split(",")
    f[11] = "720000.5"
    bad = tmp_path / "usage.csv"
    bad.write_text("\n".join([lines[0], ",".join(f)]) + "\n")
    r = cli(["bill", str(bad)])
    assert r.exit_code == 2  # type: ignore[attr-defined]
    err = r.stderr  # type: ignore[attr-defined]
    assert "usage.csv:2" in err and "not a whole number" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "header",
    [
        "start_time,end_time,start_time_iso,end_time_iso\n",
        "usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,"
        "list_price_usd,cost_type,inference_geo,speed,api_key_id,api_key_status\n",
    ],
)
def test_header_only_exports_are_clean_empty_reports(cli: Cli, tmp_path: Path, header: str) -> None:
    f = tmp_path / "export.csv"
    f.write_text(header)
    d = run_json(cli, str(f))
    assert d["spend_usd"] == 0 and d["reconciliation"] == [] and d["period"]["days"] == 0  # type: ignore[index]


def test_unknown_format_lists_the_known_ones(cli: Cli) -> None:
    r = cli(["bill", str(A / "unknown.csv")])
    assert r.exit_code == 2  # type: ignore[attr-defined]
    err = r.stderr  # type: ignore[attr-defined]
    assert "unknown.csv:1" in err and "cannot tell what format" in err
    assert "openai-usage-csv" in err and "anthropic-cost-csv" in err and "aws-cur" in err


def test_utf16_from_a_spreadsheet_is_refused_clearly(cli: Cli) -> None:
    r = cli(["bill", str(A / "utf16.csv")])
    assert r.exit_code == 2  # type: ignore[attr-defined]
    assert "not UTF-8" in r.stderr and "hint:" in r.stderr  # type: ignore[attr-defined]


# -- the reconciliation table fits a 100-column terminal -------------------------------------


def test_reconciliation_fits_100_columns(cli: Cli) -> None:
    from llm_audit.analyses.bill import BillOptions, analyze, load
    from llm_audit.ingest.billing import READERS
    from llm_audit.pricing.book import PriceBook
    from llm_audit.report.bill_view import bill_report

    table, inputs = load(
        [
            str(S / "anthropic" / "claude_api_tokens_2026-03.csv"),
            str(A / "anthropic_cost_gaps.csv"),
        ],
        list(READERS),
    )
    report = bill_report(analyze(table, PriceBook.load(), BillOptions(), inputs))
    text = TableRenderer().render(report, width=100)
    start = text.index("Reconciliation")
    block = text[start : text.index("Cache economics")]
    assert "5m cache writes billed at the 1h rate" in block  # explanations are kept, as notes
    assert max(len(line.rstrip()) for line in block.splitlines()) <= 100


def test_admin_usage_report_grouped_by_speed_prices_fast_mode(cli: Cli, tmp_path: Path) -> None:
    doc = json.loads((A / "anthropic_usage_report.json").read_text())
    result = doc["data"][0]["results"][0]
    result.update(model="claude-opus-4-8", speed="fast", cache_read_input_tokens=0)
    result["cache_creation"] = {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}
    result["server_tool_use"] = {"web_search_requests": 0}
    f = tmp_path / "usage_report.json"
    f.write_text(json.dumps(doc))
    d = run_json(cli, str(f))
    # 1,000,000 uncached input and 200,000 output at Opus 4.8 fast mode, 10 / 50 per 1M.
    assert d["computed_usd"] == pytest.approx(10 + 0.2 * 50)


def test_a_byte_that_is_not_utf8_past_the_head_is_still_refused(
    cli: Cli, tmp_path: Path
) -> None:
    # The export is memory-mapped for Arrow and never decoded whole; a bad byte in a column
    # the reader does not parse must still be the `file:line` error a decode gives.
    header = (
        "start_time,end_time,start_time_iso,end_time_iso,project_id,num_model_requests,"
        "user_id,api_key_id,model,batch,service_tier,input_tokens,output_tokens,"
        "input_cached_tokens"
    )
    good = (
        "1759622400,1759708800,2025-10-05T00:00:00+00:00,2025-10-06T00:00:00+00:00,"
        "p,1,u,k,gpt-4o-2024-08-06,FALSE,default,100,10,0"
    )
    bad = good.replace("2025-10-06T00:00:00+00:00", "2025-10-06T00:00:00+00:00\xe9")
    path = tmp_path / "completions_usage_2025-10-05_2025-10-05.csv"
    body = "\n".join([header, *[good] * 5000, bad, good]) + "\n"
    path.write_bytes(body.encode("latin-1"))
    r = cli(["bill", str(path)])
    assert r.exit_code == 2  # type: ignore[attr-defined]
    err = r.stderr  # type: ignore[attr-defined]
    assert f"{path}:5002" in err and "not UTF-8" in err and "hint:" in err
