"""`--max-price-age DAYS` works before the command (global) and after it, on every report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Result

S = ROOT / "samples"
BASE = str(S / "gate" / "llm-cost.json")
COMMANDS: dict[str, list[str]] = {
    "estimate": [
        "estimate",
        "--model",
        "gpt-4o-mini",
        "--input-tokens",
        "10",
        "--output-tokens",
        "5",
    ],
    "bill": ["bill", str(S / "bill" / "openai")],
    "logs": ["logs", str(S / "logs" / "requests.jsonl")],
    "prompts": ["prompts", str(S / "prompts_app")],
    "diff": ["diff", BASE, BASE],
    "gate": ["gate", "--baseline", BASE, str(S / "prompts_app")],
    "pricing list": ["pricing", "list"],
    "pricing show": ["pricing", "show", "gpt-4o"],
}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_after_the_command(name: str, cli: Callable[..., Result]) -> None:
    argv = [*COMMANDS[name], "--format", "json"]
    after = cli([*argv, "--max-price-age", "7"])
    assert after.exit_code in (0, 1), after.stderr
    assert json.loads(after.stdout)["pricing"]["max_age_days"] == 7
    before = cli(["--max-price-age", "9", *argv])
    assert json.loads(before.stdout)["pricing"]["max_age_days"] == 9
    both = cli(["--max-price-age", "9", *argv, "--max-price-age", "3"])  # the nearer one wins
    assert json.loads(both.stdout)["pricing"]["max_age_days"] == 3
    bad = cli([*argv, "--max-price-age", "-1"])
    assert bad.exit_code == 2 and "--max-price-age" in bad.stderr


def test_a_later_run_does_not_inherit_it(cli: Callable[..., Result], tmp_path: Path) -> None:
    argv = [*COMMANDS["pricing show"], "--format", "json"]
    assert cli([*argv, "--max-price-age", "2"]).exit_code == 0
    assert json.loads(cli(argv).stdout)["pricing"]["max_age_days"] == 30


def test_snapshot_table_warns_past_the_limit_given_after_the_command(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot file is no report; its table is, and says how old the prices are."""
    import datetime as dt

    from llm_audit.pricing import age

    monkeypatch.setattr(age, "today", lambda: dt.date.today() + dt.timedelta(days=400))
    argv = ["snapshot", str(S / "prompts_app"), "--format", "markdown"]
    stale = cli(argv)
    assert stale.exit_code == 0 and "warning: price data is" in stale.stdout
    allowed = cli([*argv, "--max-price-age", "100000"])
    assert allowed.exit_code == 0, allowed.stderr
    assert "warning: price data is" not in allowed.stdout
    assert "day(s) old" in allowed.stdout


@pytest.mark.parametrize("fmt", ["sarif", "gitlab", "github"])
def test_findings_formats_say_how_old_the_prices_are(
    fmt: str, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """prompts -f sarif|gitlab|github: a stale-price warning on stderr; SARIF carries the age."""
    import datetime as dt

    from llm_audit.pricing import age

    monkeypatch.setattr(age, "today", lambda: dt.date.today() + dt.timedelta(days=400))
    argv = ["prompts", str(S / "prompts_app"), "--format", fmt, "--exit-zero"]
    stale = cli(argv)
    assert stale.exit_code == 0, stale.stderr
    assert "warning: price data is" in stale.stderr and "warning: price data" not in stale.stdout
    fresh = cli([*argv, "--max-price-age", "100000"])
    assert "warning: price data is" not in fresh.stderr
    if fmt == "sarif":
        pricing = json.loads(stale.stdout)["runs"][0]["properties"]["pricing"]
        assert pricing["stale"] is True and pricing["age_days"] >= 400
        assert pricing["max_age_days"] == 30 and pricing["version"]
        assert json.loads(fresh.stdout)["runs"][0]["properties"]["pricing"]["stale"] is False


def test_the_snapshot_file_warns_on_stderr_when_prices_are_stale(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`snapshot -o FILE` (a baseline made in CI) is a report too: stale prices are said."""
    import datetime as dt

    from llm_audit.pricing import age

    monkeypatch.setattr(age, "today", lambda: dt.date.today() + dt.timedelta(days=400))
    r = cli(["snapshot", str(S / "prompts_app"), "-o", str(tmp_path / "s.json")])
    assert r.exit_code == 0 and "warning: price data is" in r.stderr
    r = cli(["snapshot", str(S / "prompts_app")])
    assert json.loads(r.stdout)["kind"] == "llm-audit-snapshot"
    assert "warning: price data is" in r.stderr
    r = cli(["snapshot", str(S / "prompts_app"), "--max-price-age", "100000"])
    assert "warning: price data" not in r.stderr
