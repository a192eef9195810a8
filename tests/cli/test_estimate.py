"""`llm-audit estimate` through the real entry point: figures, formats, errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from llm_audit import tokens
from tests.conftest import ROOT, Result

PROMPT = ROOT / "samples" / "prompts" / "support_system_prompt.txt"
CLI = Callable[..., Result]


def test_gpt_4o_mini_done_when_figure(cli: CLI) -> None:
    r = cli(["estimate", "--model", "gpt-4o-mini", "--input-tokens", "1000",
             "--output-tokens", "100", "--format", "json"])
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schema_version"] == 1
    assert doc["models"][0]["cost_per_call"] == 0.00021
    assert doc["pricing"]["version"] and doc["pricing"]["tables"]
    assert r.stderr == ""


def test_prompt_is_counted_with_o200k(cli: CLI) -> None:
    r = cli(["estimate", "--model", "gpt-4o", "--prompt", str(PROMPT), "--output-tokens",
             "200", "--format", "json"])
    assert r.exit_code == 0, r.stderr
    expected = len(tokens.encoding("o200k_base").encode_ordinary(PROMPT.read_text()))
    model = json.loads(r.stdout)["models"][0]
    assert model["input_tokens"] == expected
    assert model["input_tokens_exact"] is True and model["token_encoding"] == "o200k_base"


def test_claude_counts_are_flagged_as_estimates(cli: CLI) -> None:
    r = cli(["estimate", "--model", "claude-sonnet-4-5", "--prompt", str(PROMPT)])
    assert r.exit_code == 0, r.stderr
    assert "input tokens are an estimate" in r.stdout


def test_unknown_model_exits_2_with_close_hint(cli: CLI) -> None:
    r = cli(["estimate", "--model", "gpt-4o-mni", "--input-tokens", "10"])
    assert r.exit_code == 2
    assert "unknown model 'gpt-4o-mni'" in r.stderr
    assert "hint: close known ids: gpt-4o-mini" in r.stderr
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_shape_output_heavy_vs_input_heavy(cli: CLI) -> None:
    def per_call(i: int, o: int) -> float:
        r = cli(["estimate", "--model", "gpt-4o", "--input-tokens", str(i), "--output-tokens",
                 str(o), "--format", "json"])
        return float(json.loads(r.stdout)["models"][0]["cost_per_call"])

    assert per_call(100, 1000) > 2.5 * per_call(1000, 100)


def test_month_figures_follow_users_and_calls(cli: CLI) -> None:
    r = cli(["estimate", "--model", "gpt-4o", "--input-tokens", "2000", "--output-tokens", "300",
             "--calls-per-user-day", "4", "--users", "2500", "--format", "json"])
    m = json.loads(r.stdout)["models"][0]
    assert abs(m["cost_per_user_month"] - m["cost_per_call"] * 4 * 30) < 1e-9
    assert abs(m["cost_per_month"] - m["cost_per_user_month"] * 2500) < 1e-6


def test_cascade_prices_small_first_then_large(cli: CLI) -> None:
    r = cli(["estimate", "--model", "gpt-4o", "--input-tokens", "1000", "--output-tokens", "100",
             "--cascade", "gpt-4o-mini,gpt-4o", "--escalation-rate", "0.25", "--format", "json"])
    doc = json.loads(r.stdout)
    per = {m["model"]: m["cost_per_call"] for m in doc["models"]}
    c = doc["cascade"]
    assert abs(c["cascade_cost_per_call"] - (per["gpt-4o-mini"] + 0.25 * per["gpt-4o"])) < 1e-12
    assert any(s["lever"].startswith("cascade") for s in doc["savings"])


def test_savings_are_ranked_by_dollars(cli: CLI) -> None:
    r = cli(["estimate", "--model", "gpt-4o", "--input-tokens", "3000", "--output-tokens",
             "200", "--format", "json"])
    savings = [s["usd_per_month"] for s in json.loads(r.stdout)["savings"]]
    assert savings and savings == sorted(savings, reverse=True)


def test_service_tier_without_a_price_is_an_error(cli: CLI) -> None:
    r = cli(["estimate", "--model", "gpt-4o-mini", "--input-tokens", "10",
             "--service-tier", "flex"])
    assert r.exit_code == 2
    assert "no flex price for gpt-4o-mini" in r.stderr and "hint:" in r.stderr


def test_bad_numbers_and_missing_input(cli: CLI) -> None:
    assert cli(["estimate", "--model", "gpt-4o"]).exit_code == 2
    r = cli(["estimate", "--model", "gpt-4o", "--input-tokens", "10", "--cached-tokens", "20"])
    assert r.exit_code == 2 and "exceeds" in r.stderr
    r = cli(["estimate", "--model", "gpt-4o", "--prompt", "/nonexistent/prompt.txt"])
    assert r.exit_code == 2 and r.stderr.startswith("error: /nonexistent/prompt.txt: ")


def test_output_file_is_written_and_inputs_are_never_overwritten(cli: CLI,
                                                                 tmp_path: Path) -> None:
    prompt = tmp_path / "p.txt"
    prompt.write_text("Summarise the ticket.")
    r = cli(["estimate", "--model", "gpt-4o", "--prompt", str(prompt), "-o", str(prompt)])
    assert r.exit_code == 2 and prompt.read_text() == "Summarise the ticket."
    out = tmp_path / "report.md"
    r = cli(["estimate", "--model", "gpt-4o", "--prompt", str(prompt), "--format", "markdown",
             "-o", str(out)])
    assert r.exit_code == 0 and r.stdout == ""
    assert out.read_text().startswith("## llm-audit estimate")


def test_csv_and_table_formats(cli: CLI) -> None:
    r = cli(["estimate", "--model", "gpt-4o", "--model", "gpt-4o-mini", "--input-tokens", "1000",
             "--output-tokens", "100", "--format", "csv"])
    lines = r.stdout.splitlines()
    assert lines[0].startswith("model,input_tokens") and len(lines) == 3
    r = cli(["estimate", "--model", "gpt-4o", "--input-tokens", "1000"])
    assert "Savings checklist" in r.stdout and "prices: bundled tables" in r.stdout


def test_help_does_not_import_heavy_libraries() -> None:
    code = ("import sys; from llm_audit.cli.main import app; "
            "print(','.join(m for m in ('pandas', 'tiktoken', 'pyarrow', 'numpy', 'httpx') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
