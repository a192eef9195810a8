"""An audit of the `bill` readers against formats.md: inputs written from the documented shapes
(not from samples/), expected figures worked by hand from the semantics of section 0 and the
list prices of section 6. Each test is a discrepancy that was found and fixed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def bill(cli: Callable[..., Any], tmp_path: Path, name: str, text: str) -> dict[str, Any]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    r = cli(["bill", str(path), "--format", "json"])
    assert r.exit_code == 0, r.stderr
    data: dict[str, Any] = json.loads(r.stdout)
    return data


def kinds(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k["kind"]: k for k in data["breakdowns"]["kind"]}


def recon(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["model"], r["kind"]): r for r in data["reconciliation"]}


# -- OpenAI Usage API (formats.md 1b) --------------------------------------------------------

USAGE_PAGE = {
    "object": "page",
    "data": [
        {
            "object": "bucket",
            "start_time": 1759622400,
            "end_time": 1759708800,
            "results": [
                {  # every cache-write field present: total = 30m + 12h
                    "object": "organization.usage.completions.result",
                    "input_tokens": 100000,
                    "output_tokens": 2000,
                    "num_model_requests": 5,
                    "input_cached_tokens": 30000,
                    "input_cache_write_tokens": 20000,
                    "input_cache_write_30m_tokens": 15000,
                    "input_cache_write_12h_tokens": 5000,
                    "model": "gpt-5.6",
                    "batch": False,
                    "service_tier": "default",
                    "project_id": None,
                },
                {  # only the two parts (all three are optional): the total is their sum
                    "object": "organization.usage.completions.result",
                    "input_tokens": 50000,
                    "output_tokens": 1000,
                    "num_model_requests": 2,
                    "input_cached_tokens": 10000,
                    "input_cache_write_30m_tokens": 8000,
                    "input_cache_write_12h_tokens": 2000,
                    "model": "gpt-5.6",
                    "batch": None,
                    "service_tier": None,
                },
                {
                    "object": "organization.usage.completions.result",
                    "input_tokens": 10000,
                    "output_tokens": 500,
                    "num_model_requests": 1,
                    "input_cached_tokens": None,
                    "model": "gpt-4.1",
                    "batch": True,
                    "service_tier": None,
                },
            ],
        },
        {"object": "bucket", "start_time": 1759708800, "end_time": 1759795200, "results": []},
    ],
    "has_more": False,
    "next_page": None,
}


def test_openai_usage_api_cache_writes_given_only_as_30m_and_12h(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    d = bill(cli, tmp_path, "usage.json", json.dumps(USAGE_PAGE))
    # gpt-5.6 (section 6): 4 in / 0.4 cached / 20 out, 30m write 5, 12h write 10.
    # Usage API input_tokens includes cached and cache-write tokens (section 0).
    row1 = ((100000 - 30000 - 20000) * 4 + 30000 * 0.4 + 15000 * 5 + 5000 * 10 + 2000 * 20) / 1e6
    row2 = (
        (50000 - 10000 - 8000 - 2000) * 4 + 10000 * 0.4 + 8000 * 5 + 2000 * 10 + 1000 * 20
    ) / 1e6
    # gpt-4.1 batch (batch=true): 1 in / 4 out.
    row3 = (10000 * 1 + 500 * 4) / 1e6
    assert d["computed_usd"] == pytest.approx(row1 + row2 + row3)
    k = kinds(d)
    assert k["cache_write_5m"]["quantity"] == 15000 + 8000
    assert k["cache_write_5m"]["computed_usd"] == pytest.approx((15000 + 8000) * 5 / 1e6)
    assert k["cache_write_1h"]["quantity"] == 5000 + 2000
    assert k["input"]["quantity"] == (100000 - 30000 - 20000) + (50000 - 20000) + 10000
    assert d["requests"] == 5 + 2 + 1


# -- Anthropic Console usage CSV (formats.md 2a) ---------------------------------------------

OLD_USAGE_HEADER = (
    "usage_date_utc,model_version,api_key,workspace,usage_type,usage_input_tokens_no_cache,"
    "usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,"
    "usage_input_tokens_cache_read,usage_output_tokens,web_search_count\n"
)


def test_anthropic_old_usage_csv_day_is_not_judged_long_context(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    # The mid-2025 export has no context_window column and no request count: a day's
    # 300,000 input tokens are many requests, not one >200k request.
    text = (
        OLD_USAGE_HEADER
        + "2025-07-01,claude-sonnet-4-20250514,k,Default,standard,250000,0,0,50000,10000,0\n"
    )
    d = bill(cli, tmp_path, "claude_api_tokens_2025-07.csv", text)
    # Sonnet 4 (section 6): 3 in / 0.30 cache read / 15 out (the >200k 6/0.6/22.5 tier only
    # when the export says the window was long).
    expected = (250000 * 3 + 50000 * 0.3 + 10000 * 15) / 1e6
    assert d["computed_usd"] == pytest.approx(expected)


# -- GCP Cloud Billing export (formats.md 3b) ------------------------------------------------


def _gcp(service: str, sku: str, amount: float, cost: float, **extra: Any) -> str:
    row = {
        "billing_account_id": "01-AB",
        "service": {"id": "C7E2-9256-1C43", "description": service},
        "sku": {"id": "s", "description": sku},
        "usage_start_time": "2026-05-01T00:00:00Z",
        "usage_end_time": "2026-05-01T01:00:00Z",
        "project": {"id": "proj-x"},
        "cost": cost,
        "currency": "USD",
        "usage": {"amount": amount, "unit": "count"},
        "credits": [],
        **extra,
    }
    return json.dumps(row) + "\n"


def test_gcp_gemini_api_output_sku_with_short_input_band_is_output(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    # "short input" is the context band (<=200k prompt), not the token kind.
    text = _gcp(
        "Gemini API",
        "Generate content output token count gemini 2.5 flash short input text",
        100000,
        0.25,
    ) + _gcp(
        "Gemini API",
        "Generate content input token count gemini 2.5 pro long input text",
        300000,
        0.75,
    )
    d = bill(cli, tmp_path, "billing.ndjson", text)
    rows = recon(d)
    # gemini-2.5-flash output 2.50/M; gemini-2.5-pro >200k input 2.50/M (section 6).
    assert rows[("gemini-2.5-flash", "output")]["computed_usd"] == pytest.approx(100000 * 2.5 / 1e6)
    assert rows[("gemini-2.5-flash", "output")]["status"] == "ok"
    assert rows[("gemini-2.5-pro", "input")]["computed_usd"] == pytest.approx(300000 * 2.5 / 1e6)
    assert ("gemini-2.5-flash", "input") not in rows
    assert d["computed_usd"] == pytest.approx((100000 * 2.5 + 300000 * 2.5) / 1e6)


def test_gcp_audio_input_is_not_priced_at_the_text_rate(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    text = _gcp(
        "Vertex AI",
        "Gemini 2.5 Flash Audio Input - Predictions",
        1000000,
        1.0,
        credits=[{"name": "FreeTrial", "amount": -0.25, "type": "FREE_TRIAL"}],
    ) + _gcp("Vertex AI", "Gemini 2.5 Flash GA Text Input - Predictions", 1000000, 0.3)
    d = bill(cli, tmp_path, "billing.ndjson", text)
    # Only the text input is priced: 1M x 0.30 (audio is 1.00/M, not in the tables).
    assert d["computed_usd"] == pytest.approx(1000000 * 0.3 / 1e6)
    # Net billed = cost + credits (section 3b): 1.0 + 0.3 - 0.25.
    assert d["billed_usd"] == pytest.approx(1.0 + 0.3 - 0.25)
    assert len(d["skipped_rows"]) == 1 and "audio" in d["skipped_rows"][0]


def test_gcp_truncated_csv_row_is_a_file_line_error(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    path = tmp_path / "billing.csv"
    path.write_text(
        "billing_account_id,service.description,sku.description,usage_start_time,cost,"
        "currency,usage.amount,usage.unit\n"
        "01-AB,Vertex AI,Gemini 2.5 Pro Text Output - Predictions,2026-05-01 00:00:00 UTC,2.0,"
        "USD,200000,count\n"
        "01-AB,Vertex AI,Gemini 2.5 Pro Text Output - Predictions,2026-05-01\n",
        encoding="utf-8",
    )
    r = cli(["bill", str(path), "--format", "json"])
    assert r.exit_code == 2
    assert f"{path}:3:" in r.stderr and "Traceback" not in r.stderr


# -- AWS CUR for Bedrock (formats.md 4b) -----------------------------------------------------

CUR2_HEADER = (
    "line_item_usage_start_date,line_item_product_code,line_item_usage_type,"
    "line_item_usage_amount,pricing_unit,line_item_unblended_cost,line_item_line_item_type,"
    "product_product_name\n"
)


def test_aws_cur_eu_usage_is_uplifted_like_us_and_global_is_the_base(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    text = CUR2_HEADER + (
        "2026-05-01T00:00:00Z,AmazonBedrock,USE1-Claude4.5Sonnet-input-tokens,1000,1K tokens,"
        "3.3,Usage,Amazon Bedrock\n"
        "2026-05-01T00:00:00Z,AmazonBedrock,EUC1-Claude4.5Sonnet-output-tokens-cross-region-geo,"
        "10,1K tokens,0.165,Usage,Amazon Bedrock\n"
        "2026-05-01T00:00:00Z,AmazonBedrock,"
        "USE1-Claude4.6Opus-cache-read-input-token-count-cross-region-global,2.0,1M tokens,"
        "1.0,Usage,Amazon Bedrock\n"
    )
    d = bill(cli, tmp_path, "cur.csv", text)
    rows = recon(d)
    # Sonnet 4.5 in US regions, not global: the geographic rate, +10% over the global 3/M
    # (section 6; AWS prices geographic cross-region like in-region use).
    assert rows[("bedrock/anthropic.claude-sonnet-4-5", "input")]["computed_usd"] == pytest.approx(
        1000 * 1000 * 3 * 1.1 / 1e6
    )
    # An EU geographic profile: +10% on 15/M output too (it was priced at the global rate).
    assert rows[("bedrock/anthropic.claude-sonnet-4-5", "output")]["computed_usd"] == pytest.approx(
        10 * 1000 * 15 * 1.1 / 1e6
    )
    # Global cross-region: the base rate, Opus 4.6 cache read 0.50/M.
    assert rows[("bedrock/anthropic.claude-opus-4-6", "cache_read")][
        "computed_usd"
    ] == pytest.approx(2 * 1e6 * 0.5 / 1e6)
    assert all(r["status"] == "ok" for r in rows.values())


def test_aws_cur2_marketplace_model_named_in_the_product_map_column(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    # CUR 2.0 writes product['product_name'] inside the `product` map column; a Marketplace
    # model's product code is a random id, so the name is all that says Bedrock.
    text = (
        "line_item_usage_start_date,line_item_product_code,line_item_usage_type,"
        "line_item_usage_amount,pricing_unit,line_item_unblended_cost,"
        "line_item_line_item_type,product\n"
        "2026-05-01T00:00:00Z,prodxyz123,USW2-MP:USW2_InputTokenCount-Units,1000000,Units,0.25,"
        'Usage,"{""product_name"":""Claude 3 Haiku (Amazon Bedrock Edition)"",'
        '""region"":""us-west-2""}"\n'
        "2026-05-01T00:00:00Z,prodxyz123,USW2-MP:USW2_output_tokens_standard-Units,100000,Units,"
        '0.125,Usage,"{product_name=Claude 3 Haiku (Amazon Bedrock Edition), region=us-west-2}"\n'
    )
    d = bill(cli, tmp_path, "cur.csv", text)
    # Claude 3 Haiku on Bedrock: 0.25 in / 1.25 out per 1M.
    assert d["computed_usd"] == pytest.approx((1000000 * 0.25 + 100000 * 1.25) / 1e6)
    assert d["billed_usd"] == pytest.approx(0.25 + 0.125)


# -- Azure Cost Management export (formats.md 4c) --------------------------------------------


def test_azure_cache_write_meter_is_priced_as_a_write(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    text = (
        "Date,MeterCategory,MeterName,Quantity,UnitOfMeasure,CostInBillingCurrency,"
        "BillingCurrency,ResourceGroup,ProductName\n"
        "2026-05-01,Foundry Models,5.6 ShortCo Cd Wr Std Gl 1M Tokens,1,1M,5.0,USD,rg,"
        "Azure OpenAI GPT5\n"
        "2026-05-01,Foundry Models,5.4 pp opt Gl 1M Tokens,0.1,1M,3.0,USD,rg,Azure OpenAI GPT5\n"
    )
    d = bill(cli, tmp_path, "azure.csv", text)
    rows = recon(d)
    # azure/gpt-5.6: the 30-minute cache write 5/M; 1 unit of 1M tokens.
    assert rows[("azure/gpt-5.6", "cache_write_5m")]["computed_usd"] == pytest.approx(1e6 * 5 / 1e6)
    # gpt-5.4 priority output 30/M; 0.1 x 1M tokens.
    assert rows[("azure/gpt-5.4", "output")]["computed_usd"] == pytest.approx(0.1e6 * 30 / 1e6)
    assert d["skipped_rows"] == []
    assert d["computed_usd"] == pytest.approx(5.0 + 3.0)


def test_azure_cost_in_a_billing_currency_other_than_usd(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    header = (
        "date,meterCategory,meterName,quantity,unitOfMeasure,costInBillingCurrency,"
        "billingCurrencyCode,resourceGroupName,productName"
    )
    row = "05/01/2026,Foundry Models,gpt-4o-0806-Inp-glbl Tokens,1000,1K,2.30,EUR,rg,Azure OpenAI"
    path = tmp_path / "azure.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    r = cli(["bill", str(path), "--format", "json"])
    assert r.exit_code == 2 and f"{path}:2:" in r.stderr and "EUR" in r.stderr
    # With the USD column, that one is billed: 1000 x 1K tokens of gpt-4o input at 2.50/M.
    d = bill(cli, tmp_path, "azure_usd.csv", f"{header},costInUsd\n{row},2.5\n")
    assert d["billed_usd"] == pytest.approx(2.5)
    assert d["computed_usd"] == pytest.approx(1000 * 1000 * 2.5 / 1e6)


def test_openai_usage_api_other_endpoint_results_are_listed_not_dropped(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    bucket = {
        "object": "bucket",
        "start_time": 1759622400,
        "end_time": 1759708800,
        "results": [
            {
                "object": "organization.usage.embeddings.result",
                "input_tokens": 5000,
                "num_model_requests": 3,
                "model": "text-embedding-3-small",
            },
            {
                "object": "organization.usage.completions.result",
                "input_tokens": 1000,
                "output_tokens": 100,
                "num_model_requests": 1,
                "model": "gpt-4o-mini",
            },
        ],
    }
    pages = [{"object": "page", "data": [bucket], "has_more": False, "next_page": None}]
    d = bill(cli, tmp_path, "usage.json", json.dumps(pages))  # a JSON array of pages
    # gpt-4o-mini 0.15 in / 0.60 out per 1M.
    assert d["computed_usd"] == pytest.approx((1000 * 0.15 + 100 * 0.6) / 1e6)
    assert len(d["skipped_rows"]) == 1
    assert "organization.usage.embeddings.result" in d["skipped_rows"][0]


def test_openai_cache_writes_in_a_tier_cost_that_tiers_input(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    # gpt-5 prices no cache write ("cache write is not charged", section 6): write tokens are
    # input tokens at the rate of the tier they ran in, not at the standard input rate.
    result = {
        "object": "organization.usage.completions.result",
        "input_tokens": 100000,
        "output_tokens": 1000,
        "num_model_requests": 4,
        "input_cached_tokens": 20000,
        "input_cache_write_tokens": 10000,
        "model": "gpt-5",
    }
    page = {
        "object": "page",
        "data": [
            {
                "object": "bucket",
                "start_time": 1759622400,
                "end_time": 1759708800,
                "results": [
                    {**result, "batch": True, "service_tier": None},
                    {**result, "batch": False, "service_tier": "priority"},
                ],
            }
        ],
        "has_more": False,
        "next_page": None,
    }
    d = bill(cli, tmp_path, "usage.json", json.dumps(page))
    # gpt-5 batch 0.625 / 0.0625 / 5; priority 2.5 / 0.25 / 20 (section 6).
    batch = ((100000 - 20000 - 10000) * 0.625 + 20000 * 0.0625 + 10000 * 0.625 + 1000 * 5) / 1e6
    priority = ((100000 - 20000 - 10000) * 2.5 + 20000 * 0.25 + 10000 * 2.5 + 1000 * 20) / 1e6
    assert d["computed_usd"] == pytest.approx(batch + priority)
    assert kinds(d)["cache_write_5m"]["computed_usd"] == pytest.approx(10000 * (0.625 + 2.5) / 1e6)


def test_gcp_preview_skus_and_the_model_label(cli: Callable[..., Any], tmp_path: Path) -> None:
    text = _gcp(
        "Vertex AI", "Gemini 3.1 Pro Preview Text Output - Predictions", 100000, 1.2
    ) + _gcp(
        "Generative Language API",
        "Generate content input token count short input text",  # no model in the SKU
        1000000,
        1.5,
        labels=[{"key": "goog-generativelanguage-model", "value": "gemini35flash"}],
    )
    d = bill(cli, tmp_path, "billing.ndjson", text)
    assert d["unpriced"] == []
    rows = recon(d)
    # gemini-3.1-pro-preview output 12/M; gemini-3.5-flash input 1.5/M (section 6).
    assert rows[("vertex_ai/gemini-3.1-pro-preview", "output")]["computed_usd"] == pytest.approx(
        100000 * 12 / 1e6
    )
    assert rows[("gemini-3.5-flash", "input")]["computed_usd"] == pytest.approx(1e6 * 1.5 / 1e6)


def test_azure_unit_of_measure_written_with_a_space(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    text = (
        "Date,MeterCategory,MeterName,Quantity,UnitOfMeasure,CostInBillingCurrency,ProductName\n"
        "2026-05-01,Cognitive Services,gpt-4o-0806-Inp-glbl Tokens,1000,1 K,2.5,Azure OpenAI\n"
        "2026-05-01,Cognitive Services,gpt-4o-0806-Outp-glbl Tokens,100,1K Tokens,1.0,"
        "Azure OpenAI\n"
    )
    d = bill(cli, tmp_path, "azure.csv", text)
    # 1000 x 1K input at 2.50/M and 100 x 1K output at 10/M (azure/gpt-4o, section 6 gpt-4o).
    assert d["computed_usd"] == pytest.approx((1000 * 1000 * 2.5 + 100 * 1000 * 10) / 1e6)
    assert all(r["status"] == "ok" for r in d["reconciliation"])


def test_aws_cur_pricing_unit_with_thousands_separators(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    text = CUR2_HEADER + (
        "2026-05-01T00:00:00Z,AmazonBedrock,USW2-Claude4.6Opus-output-tokens-global,4,"
        '"1,000 tokens",0.1,Usage,Amazon Bedrock\n'
    )
    d = bill(cli, tmp_path, "cur.csv", text)
    # 4 x 1,000 Opus 4.6 output tokens at the global 25/M.
    assert d["computed_usd"] == pytest.approx(4 * 1000 * 25 / 1e6)
    assert d["billed_usd"] == pytest.approx(0.1)


def test_aws_cur_marketplace_camelcase_cache_read(cli: Callable[..., Any], tmp_path: Path) -> None:
    text = CUR2_HEADER + (
        "2026-05-01T00:00:00Z,prodq1,USW2-MP:USW2_CacheReadInputTokenCount-Units,1000000,Units,"
        "0.08,Usage,Claude 3.5 Haiku (Amazon Bedrock Edition)\n"
    )
    d = bill(cli, tmp_path, "cur.csv", text)
    rows = recon(d)
    # Claude 3.5 Haiku on Bedrock: cache read 0.08/M, not the 0.80/M input rate.
    row = rows[("bedrock/anthropic.claude-3-5-haiku", "cache_read")]
    assert row["computed_usd"] == pytest.approx(1000000 * 0.08 / 1e6)
    assert row["status"] == "ok"


def test_anthropic_unknown_usage_type_naming_batch_is_batch(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    # The full usage_type value set is unverified (formats.md 7): a value naming the batch
    # tier is priced as batch, not as standard.
    text = OLD_USAGE_HEADER + (
        "2026-05-02,claude-haiku-4-5-20251001,k,Default,message_batch,100000,0,0,0,10000,0\n"
    )
    d = bill(cli, tmp_path, "claude_api_tokens.csv", text)
    # Haiku 4.5 batch = 50% of 1 in / 5 out.
    assert d["computed_usd"] == pytest.approx((100000 * 0.5 + 10000 * 2.5) / 1e6)


def test_anthropic_usage_report_requests_when_the_report_has_them(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    result = {
        "uncached_input_tokens": 100000,
        "cache_creation": {"ephemeral_1h_input_tokens": 20000, "ephemeral_5m_input_tokens": 10000},
        "cache_read_input_tokens": 50000,
        "output_tokens": 3000,
        "server_tool_use": {"web_search_requests": 2},
        "model": "claude-sonnet-4-5-20250929",
        "service_tier": "standard",
        "context_window": "0-200k",
        "requests": 8,
    }
    page = {
        "data": [
            {
                "starting_at": "2026-05-10T00:00:00Z",
                "ending_at": "2026-05-11T00:00:00Z",
                "results": [result],
            }
        ],
        "has_more": False,
        "next_page": None,
    }
    d = bill(cli, tmp_path, "usage_report.json", json.dumps(page))
    # Sonnet 4.5: 3 in, 3.75 5m write, 6 1h write, 0.30 read, 15 out, $10/1k searches.
    total = (100000 * 3 + 10000 * 3.75 + 20000 * 6 + 50000 * 0.3 + 3000 * 15) / 1e6 + 2 * 0.01
    assert d["computed_usd"] == pytest.approx(total)
    assert d["requests"] == 8
    assert d["cost_per_request"] == pytest.approx(total / 8)


def test_gcp_columns_flattened_with_underscores(cli: Callable[..., Any], tmp_path: Path) -> None:
    # A query that flattens the export cannot keep dots in column names: sku_description.
    text = (
        "service_description,sku_description,usage_start_time,project_id,cost,currency,"
        "usage_amount,usage_unit\n"
        "Vertex AI,Gemini 2.5 Pro Text Output - Predictions,2026-05-01 00:00:00 UTC,proj-x,2.0,"
        "USD,200000,count\n"
        ",Something,2026-05-01 00:00:00 UTC,proj-x,1.0,USD,1,count\n"
    )
    d = bill(cli, tmp_path, "billing.csv", text)
    # gemini-2.5-pro output 10/M.
    assert d["computed_usd"] == pytest.approx(200000 * 10 / 1e6)
    assert d["breakdowns"]["project"][0]["project"] == "proj-x"
    # A row without a service is listed, not dropped as another service's.
    assert len(d["skipped_rows"]) == 1 and "billing.csv:3" in d["skipped_rows"][0]


def test_azure_token_meter_under_an_unknown_meter_category(
    cli: Callable[..., Any], tmp_path: Path
) -> None:
    text = (
        "Date,MeterCategory,MeterName,Quantity,UnitOfMeasure,CostInBillingCurrency\n"
        "2026-05-01,Azure AI Services,gpt-4o-0806-Inp-glbl Tokens,1000,1K,2.5\n"
        "2026-05-01,Virtual Machines,D2 v3,24,1 Hour,2.4\n"
    )
    d = bill(cli, tmp_path, "azure.csv", text)
    # 1000 x 1K gpt-4o input at 2.50/M; the VM row is out of scope.
    assert d["computed_usd"] == pytest.approx(1000 * 1000 * 2.5 / 1e6)
    assert d["billed_usd"] == pytest.approx(2.5)
