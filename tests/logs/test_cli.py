"""`llm-audit logs` end to end: exit codes, messages, and figures checked independently."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Result

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "logs"
SAMPLE = ROOT / "samples" / "logs" / "requests.jsonl"
Cli = Callable[..., Result]


def run_json(cli: Cli, *args: str) -> dict:  # type: ignore[type-arg]
    res = cli(["logs", *args, "--format", "json"])
    assert res.exit_code == 0, res.stderr
    assert res.stderr == ""  # no progress off a TTY
    return json.loads(res.stdout)  # type: ignore[no-any-return]


def test_anthropic_vector_priced_by_hand(cli: Cli) -> None:
    data = run_json(cli, str(ASSETS / "anthropic_messages.jsonl"))
    # Sonnet 4.5 list prices per 1M: input 3, cache read 0.30, 5m write 3.75, 1h write 6,
    # output 15. 50 uncached, 3000 read, 1500 + 500 written, 400 out:
    expected = (50 * 3 + 3000 * 0.30 + 1500 * 3.75 + 500 * 6 + 400 * 15) / 1e6
    assert data["total_cost"] == pytest.approx(expected, abs=1e-12)
    assert data["cost_per_call"]["max"] == pytest.approx(expected, abs=1e-12)


def test_sample_totals_match_the_file(cli: Cli) -> None:
    data = run_json(cli, str(SAMPLE))
    lines = [json.loads(x) for x in SAMPLE.read_text().splitlines()]
    assert data["requests"] == len(lines)
    by_feature = {r["feature"]: r for r in data["cost_by"]["feature"]}
    counts: dict[str, int] = {}
    out_tokens: dict[str, int] = {}
    for x in lines:
        counts[x["feature"]] = counts.get(x["feature"], 0) + 1
        out_tokens[x["feature"]] = (out_tokens.get(x["feature"], 0)
                                    + x["response"]["usage"]["completion_tokens"])
    assert {k: v["requests"] for k, v in by_feature.items()} == counts
    assert {k: v["output_tokens"] for k, v in by_feature.items()} == out_tokens
    assert sum(v["cost"] for v in by_feature.values()) == pytest.approx(data["total_cost"])
    users = {x["user"] for x in lines if x["user"]}
    assert data["cost_per_user_month"]["users"] == len(users)
    c = data["cost_per_call"]
    assert c["p50"] <= c["p95"] <= c["p99"] <= c["max"]
    # the sample's patterns are found
    assert any(r["feature"] == "support-chat" and r["variable_first_share"] > 0.9
               for r in data["prefixes"])
    assert [r["model"] for r in data["routing"]] == ["gpt-5"]
    assert [r["feature"] for r in data["batching"]] == ["nightly-digest"]
    savings = [s["usd_per_month"] for s in data["savings"]]
    assert savings == sorted(savings, reverse=True) and savings[0] > 0
    no_cap = sum(1 for x in lines if not any(k in x["request"] for k in
                                               ("max_tokens", "max_completion_tokens")))
    assert data["no_max_tokens"] == {"requests": no_cap, "of": len(lines)}


def test_latency_percentiles_per_model_and_feature(cli: Cli) -> None:
    import numpy as np

    data = run_json(cli, str(SAMPLE))
    lines = [json.loads(x) for x in SAMPLE.read_text().splitlines()]
    support = [x["latency_ms"] for x in lines if x["feature"] == "support-chat"]
    row = next(r for r in data["latency"] if r["feature"] == "support-chat")
    assert row["p95"] == pytest.approx(float(np.percentile(support, 95)), rel=1e-9)
    assert row["stream_share"] == 1.0
    ttft = [x["ttft_ms"] for x in lines if x["feature"] == "support-chat"]
    assert row["ttft_p50"] == pytest.approx(float(np.median(ttft)))


def test_routing_what_if_is_priced_by_the_engine(cli: Cli) -> None:
    from llm_audit.ingest.logs.load import load_logs
    from llm_audit.pricing.book import PriceBook
    from llm_audit.pricing.engine import price

    data = run_json(cli, str(SAMPLE), "--route-to", "gpt-4.1-nano")
    (row,) = data["routing"]
    t = load_logs([str(SAMPLE)]).table
    short = t[(t["model_raw"] == "gpt-5") & (t["input_tokens"] <= 1000)
              & (t["output_tokens"] <= 50)].copy()
    short["model_raw"] = "gpt-4.1-nano"
    assert row["requests"] == len(short)
    assert row["what_if"] == pytest.approx(float(price(short, PriceBook.load())["cost_total"]
                                                 .sum()), abs=1e-9)


def test_budgets_decide_which_number_bites_first(cli: Cli) -> None:
    lat = run_json(cli, str(SAMPLE), "--latency-budget-ms", "1000",
                   "--budget-per-user-month", "100")
    assert lat["bites_first"]["which"] == "latency"
    cost = run_json(cli, str(SAMPLE), "--latency-budget-ms", "600000",
                    "--budget-per-user-month", "0.001")
    assert cost["bites_first"]["which"] == "cost"


def test_users_option_divides_the_monthly_cost(cli: Cli) -> None:
    data = run_json(cli, str(ASSETS / "openai_responses.jsonl"), "--users", "10")
    per = data["cost_per_user_month"]
    assert per["source"] == "--users"
    assert per["mean"] == pytest.approx(data["monthly_cost"] / 10)


def test_since_until_filter(cli: Cli) -> None:
    full = run_json(cli, str(SAMPLE))
    part = run_json(cli, str(SAMPLE), "--since", "2026-11-05", "--until", "2026-11-06")
    lines = [json.loads(x) for x in SAMPLE.read_text().splitlines()]
    inside = [x for x in lines if "2026-11-05" <= x["timestamp"][:10] <= "2026-11-06"]
    assert part["requests"] == len(inside) < full["requests"]


def test_group_by(cli: Cli) -> None:
    data = run_json(cli, str(SAMPLE), "--group-by", "feature,model")
    rows = data["cost_by"]["feature+model"]
    assert {(r["feature"], r["model"]) for r in rows} >= {("support-chat", "gpt-4o")}
    res = cli(["logs", str(SAMPLE), "--group-by", "colour"])
    assert res.exit_code == 2 and "unknown key 'colour'" in res.stderr


def test_unpriced_model_is_loud_never_zero(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "x.jsonl"
    f.write_text(json.dumps({"id": "c1", "object": "chat.completion", "created": 1794886080,
                             "model": "acme-llm-9", "choices": [{"finish_reason": "stop"}],
                             "usage": {"prompt_tokens": 10, "completion_tokens": 5}}) + "\n")
    res = cli(["logs", str(f)])
    assert res.exit_code == 0
    assert "UNPRICED" in res.stdout and "acme-llm-9" in res.stdout
    data = run_json(cli, str(f))
    assert data["priced_requests"] == 0 and data["unpriced"][0]["model"] == "acme-llm-9"


def test_broken_line(cli: Cli) -> None:
    res = cli(["logs", str(ASSETS / "broken.jsonl")])
    assert res.exit_code == 2
    assert "broken.jsonl:2: broken JSON line" in res.stderr and "hint:" in res.stderr
    assert "Traceback" not in res.stderr
    ok = cli(["logs", str(ASSETS / "broken.jsonl"), "--skip-bad-lines"])
    assert ok.exit_code == 0 and "1 broken line(s) skipped" in ok.stdout


def test_unknown_shape_lists_formats(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "odd.jsonl"
    f.write_text('{"hello": "world"}\n')
    res = cli(["logs", str(f)])
    assert res.exit_code == 2
    assert "odd.jsonl:1: cannot tell what format" in res.stderr
    assert "openai-jsonl" in res.stderr and "claude-code" in res.stderr


def test_empty_file_gives_an_empty_report(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "empty.jsonl"
    f.write_text("")
    data = run_json(cli, str(f))
    assert data["requests"] == 0 and data["total_cost"] == 0


def test_stdin_and_gz(cli: Cli, tmp_path: Path) -> None:
    import gzip

    text = (ASSETS / "openai_responses.jsonl").read_text()
    from_stdin = cli(["logs", "-", "--format", "json"], stdin=text)
    assert from_stdin.exit_code == 0
    gz = tmp_path / "r.jsonl.gz"
    gz.write_bytes(gzip.compress(text.encode()))
    assert json.loads(from_stdin.stdout)["total_cost"] == run_json(cli, str(gz))["total_cost"]


def test_contradictions_and_duplicates_reach_the_report(cli: Cli) -> None:
    data = run_json(cli, str(ASSETS / "contradictions.jsonl"))
    q = data["data_quality"]
    assert q["contradiction_count"] == 1 and q["duplicate_request_ids"] == 1
    assert q["timing_contradiction_count"] == 1
    assert data["requests"] == 2


def test_loop_per_item_burst_is_batchable(cli: Cli, tmp_path: Path) -> None:
    base = json.loads((ASSETS / "openai_chat_wrapped.jsonl").read_text().splitlines()[0])
    lines = []
    for i in range(7):  # one user, one feature, 2 s apart, not streamed, no trace id
        d = json.loads(json.dumps(base))
        d["timestamp"] = f"2026-11-16T09:00:{2 * i:02d}Z"
        d["request"]["stream"] = False
        d["feature"] = "enrich-row"
        d["response"]["id"] = f"c{i}"
        d["response"]["usage"]["prompt_tokens_details"]["cached_tokens"] = 0
        d["request"]["messages"][1]["content"] = f"row {i}"
        lines.append(json.dumps(d))
    late = json.loads(lines[-1])
    late["timestamp"], late["response"]["id"] = "2026-11-16T12:00:00Z", "c-late"
    lines.append(json.dumps(late))
    f = tmp_path / "loop.jsonl"
    f.write_text("\n".join(lines) + "\n")
    data = run_json(cli, str(f))
    (row,) = data["batching"]
    assert row["requests"] == 7 and row["reason"].startswith("burst: one user")
    assert row["what_if"] == pytest.approx(row["cost"] / 2)  # uncached gpt-4o-mini: batch is half


def test_csv_is_the_primary_cost_table_and_adds_up(cli: Cli) -> None:
    import csv
    import io

    res = cli(["logs", str(SAMPLE), "--format", "csv", "--group-by", "feature,model"])
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert set(rows[0]) >= {"feature", "model", "requests", "cost"}
    total = run_json(cli, str(SAMPLE))["total_cost"]
    assert sum(float(r["cost"]) for r in rows) == pytest.approx(total, abs=1e-9)
    assert sum(int(r["requests"]) for r in rows) == 200
    md = cli(["logs", str(SAMPLE), "--format", "markdown"])
    assert md.exit_code == 0 and "| finding |" in md.stdout


def test_timezone_moves_days_and_bad_zone_is_exit_2(cli: Cli, tmp_path: Path) -> None:
    line = json.loads((ASSETS / "openai_responses.jsonl").read_text().splitlines()[0])
    line["created_at"] = 1795044600  # 2026-11-18T23:30:00Z: the 18th in UTC, the 19th in Tokyo
    f = tmp_path / "r.jsonl"
    f.write_text(json.dumps(line) + "\n")
    utc = run_json(cli, str(f))
    tokyo = run_json(cli, str(f), "--timezone", "Asia/Tokyo")
    assert [r["day"] for r in utc["cost_by"]["day"]] == ["2026-11-18"]
    assert [r["day"] for r in tokyo["cost_by"]["day"]] == ["2026-11-19"]
    bad = cli(["logs", str(f), "--timezone", "Mars/Olympus"])
    assert bad.exit_code == 2 and "unknown time zone 'Mars/Olympus'" in bad.stderr


def test_fast_mode_is_named_not_silently_priced(cli: Cli) -> None:
    res = cli(["logs", str(ASSETS / "claude_projects")])
    assert res.exit_code == 0
    assert '1 request(s) ran with speed "fast"' in res.stdout


def _anthropic_line(request_id: str, model: str, speed: str) -> str:
    usage = {"input_tokens": 1000, "output_tokens": 100, "speed": speed}
    response = {"id": request_id, "type": "message", "role": "assistant", "model": model,
                "content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn",
                "usage": usage}
    return json.dumps({"timestamp": "2026-11-16T10:00:00Z", "response": response})


def test_fast_mode_is_priced_at_its_multiplier_or_unpriced(cli: Cli, tmp_path: Path) -> None:
    f = tmp_path / "fast.jsonl"
    f.write_text("\n".join([
        _anthropic_line("msg_std", "claude-opus-4-8", "standard"),
        _anthropic_line("msg_fast", "claude-opus-4-8", "fast"),
        _anthropic_line("msg_nofast", "claude-haiku-4-5", "fast"),  # no fast-mode price
    ]) + "\n")
    res = cli(["logs", str(f), "--format", "json"])
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    by_model = {r["model"]: r for r in data["cost_by"]["model"]}
    # Opus 4.8: 1000 in x $5/M + 100 out x $25/M = $0.0075 standard, $0.015 fast (2x)
    assert by_model["claude-opus-4-8"]["cost"] == pytest.approx(0.0075 + 0.015)
    assert by_model["claude-haiku-4-5"]["cost"] is None  # unpriced, never $0
    assert by_model["claude-haiku-4-5"]["unpriced_requests"] == 1
    table = cli(["logs", str(f)])
    assert '2 request(s) ran with speed "fast": 1 priced' in " ".join(table.stdout.split())
    assert "1 unpriced" in " ".join(table.stdout.split())


def test_console_run_exits_without_teardown_after_the_whole_report(tmp_path: Path) -> None:
    # As its own process `logs` ends with os._exit once the report is written: stdout must
    # be flushed whole before, and a bad input still exits 2 with its file:line.
    import subprocess
    import sys

    argv = [sys.executable, "-m", "llm_audit", "logs", str(ASSETS / "claude_projects"),
            "--format", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["requests"] == 4
    broken = tmp_path / "p" / "s.jsonl"
    broken.parent.mkdir()
    good = (ASSETS / "claude_projects" / "-home-me-proj" / "0a1b2c3d-session.jsonl").read_text()
    broken.write_text(good + '{"type":"assistant","sessionId":"s","message":{"usage":{"in\n')
    done = subprocess.run([*argv[:4], str(tmp_path), "--format", "json"], capture_output=True,
                          text=True, check=False, cwd=ROOT)
    assert done.returncode == 2 and "s.jsonl:6: broken JSON line" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
