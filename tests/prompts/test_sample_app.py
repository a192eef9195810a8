"""The sample app the README lints: its findings, dollars and suppression, end to end."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ROOT, Result

SAMPLE = ROOT / "samples" / "prompts_app"


def test_sample_app_findings(cli: Callable[..., Result]) -> None:
    r = cli(["prompts", str(SAMPLE), "-f", "json"])
    assert r.exit_code == 1, r.stderr
    doc = json.loads(r.stdout)
    found = {(f["path"], f["code"]) for f in doc["findings"]}
    assert found == {
        ("app/llm.py", "LLM001"),
        ("app/llm.py", "LLM004"),
        ("app/llm.py", "LLM007"),
        ("app/jobs.py", "LLM003"),
        ("app/main.py", "LLM006"),
        ("app/main.py", "LLM004"),  # the client it imports from app.llm has no timeout
    }
    answer = next(f for f in doc["findings"] if f["code"] == "LLM004")
    assert answer["calls_per_month"] == 300_000  # from the sample's usage profile
    assert answer["usd_per_month_at_stake"] == answer["cost_per_call"] * 300_000
    assert doc["unused_suppressions"] == []  # the LLM005 suppression on triage() is used


def test_sample_app_markdown(cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    r = cli(["prompts", str(SAMPLE), "-f", "markdown", "-o", str(out), "--exit-zero"])
    assert r.exit_code == 0 and r.stdout == ""
    text = out.read_text()
    assert "app/llm.py" in text and "Pre-ship checklist" in text


def test_table_shows_source_with_brackets(cli: Callable[..., Result]) -> None:
    r = cli(["prompts", str(SAMPLE), "--exit-zero"])
    assert "> return [summarize_ticket(t) for t in threads]" in r.stdout
    assert "45,000" in r.stdout and "calls/month" in r.stdout  # what the dollars rest on
