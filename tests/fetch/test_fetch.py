"""`llm-audit fetch` against a real localhost server replaying the documented API answers."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llm_audit.fetch.base import windows
from llm_audit.fetch.http import retry_after
from tests.conftest import Result
from tests.fetch.conftest import ANTHROPIC_KEY, CUSTOM_KEY, OPENAI_KEY, ApiServer, Reply, Seen

Run = Callable[[list[str]], Result]
USAGE = "/v1/organization/usage/completions"
COSTS = "/v1/organization/costs"
A_USAGE = "/v1/organizations/usage_report/messages"
A_COST = "/v1/organizations/cost_report"
DAY = 86400
T0 = int(dt.datetime(2026, 10, 1, tzinfo=dt.UTC).timestamp())
FAST = ["--backoff-base", "0.01", "--max-wait", "2"]


def usage_result(model: str, inp: int, out: int, requests: int) -> dict[str, Any]:
    return {
        "object": "organization.usage.completions.result",
        "input_tokens": inp,
        "output_tokens": out,
        "num_model_requests": requests,
        "input_cached_tokens": 0,
        "project_id": "proj_a",
        "user_id": None,
        "api_key_id": "key_1",
        "model": model,
        "batch": False,
        "service_tier": "default",
    }


def bucket(day: int, results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "object": "bucket",
        "start_time": T0 + day * DAY,
        "end_time": T0 + (day + 1) * DAY,
        "results": results,
    }


def page(buckets: list[dict[str, Any]], nxt: str | None) -> dict[str, Any]:
    return {"object": "page", "data": buckets, "has_more": nxt is not None, "next_page": nxt}


# Three usage pages (one bucket each, the second empty of results) chained by cursors.
USAGE_PAGES = {
    None: page(
        [bucket(0, [usage_result("gpt-4o-mini-2024-07-18", 1_000_000, 100_000, 50)])], "cur_2"
    ),
    "cur_2": page([bucket(1, [])], "cur_3"),
    "cur_3": page([bucket(2, [usage_result("gpt-4o-2024-08-06", 2_000_000, 10_000, 10)])], None),
}
COSTS_PAGE = page(
    [
        bucket(
            0,
            [
                {
                    "object": "organization.costs.result",
                    "amount": {"value": 0.15, "currency": "usd"},
                    "line_item": "gpt-4o-mini-2024-07-18, input",
                    "project_id": "proj_a",
                },
                {
                    "object": "organization.costs.result",
                    "amount": {"value": 0.06, "currency": "usd"},
                    "line_item": "gpt-4o-mini-2024-07-18, output",
                    "project_id": "proj_a",
                },
            ],
        )
    ],
    None,
)


def openai_app(req: Seen, n: int) -> Reply:
    if req.path == USAGE:
        return Reply(200, USAGE_PAGES[req.param("page")])
    if req.path == COSTS:
        return Reply(200, COSTS_PAGE)
    return Reply(404, {"error": {"message": "unknown path"}})


def fetch_openai(api: ApiServer, out: Path, *extra: str) -> list[str]:
    return [
        "fetch",
        "openai",
        "--since",
        "2026-10-01",
        "--until",
        "2026-10-03",
        "--base-url",
        api.url,
        "-o",
        str(out),
        *FAST,
        *extra,
    ]


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_openai_pages_are_written_and_bill_reads_them(
    api: ApiServer, run: Run, tmp_path: Path
) -> None:
    api.app = openai_app
    out = tmp_path / "usage"
    r = run(fetch_openai(api, out))
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""  # stdout is for reports; fetch writes files
    assert (
        "fetched 4 page(s) (1 without results, not written), 4 result(s) in 3 file(s)" in r.stderr
    )
    assert visible(out) == [
        "openai-costs-20261001-p001.json",
        "openai-usage-completions-20261001-p001.json",
        "openai-usage-completions-20261001-p003.json",
    ]
    assert hidden(out) == [".llm-audit-fetch.json"]  # no temporary file left behind
    # the body as it came
    saved = json.loads((out / "openai-usage-completions-20261001-p003.json").read_text())
    assert saved == USAGE_PAGES["cur_3"]
    # what was asked: auth, window, width, limit, groups, cursors
    usage = api.on(USAGE)
    assert [s.param("page") for s in usage] == [None, "cur_2", "cur_3"]
    first = usage[0]
    assert first.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert first.param("start_time") == str(T0)
    assert first.param("end_time") == str(T0 + 3 * DAY)
    assert first.param("bucket_width") == "1d" and first.param("limit") == "31"
    assert first.params("group_by[]") == [
        "model",
        "project_id",
        "api_key_id",
        "batch",
        "service_tier",
    ]
    cost = api.on(COSTS)[0]
    assert cost.param("limit") == "180" and cost.params("group_by[]") == [
        "line_item",
        "project_id",
        "api_key_id",
    ]
    state = json.loads((out / ".llm-audit-fetch.json").read_text())
    assert state["complete"] is True
    assert state["windows"]["usage/0"] == {
        "pages": 3,
        "next_page": None,
        "done": True,
        "empty_pages": 1,
    }
    # end to end: bill reads the folder as it is
    b = run(["bill", str(out), "--format", "json"])
    assert b.exit_code == 0, b.stderr
    doc = json.loads(b.stdout)
    assert sorted(i["format"] for i in doc["inputs"]) == [
        "openai-costs-api",
        "openai-usage-api",
        "openai-usage-api",
    ]
    assert doc["requests"] == 60
    assert doc["billed_usd"] == pytest.approx(0.21)


ANTHROPIC_USAGE = {
    None: {
        "data": [
            {
                "starting_at": "2026-10-01T00:00:00Z",
                "ending_at": "2026-10-02T00:00:00Z",
                "results": [
                    {
                        "uncached_input_tokens": 1000,
                        "cache_creation": {
                            "ephemeral_5m_input_tokens": 100,
                            "ephemeral_1h_input_tokens": 0,
                        },
                        "cache_read_input_tokens": 2000,
                        "output_tokens": 300,
                        "server_tool_use": {"web_search_requests": 0},
                        "api_key_id": "k1",
                        "workspace_id": None,
                        "model": "claude-sonnet-4-5-20250929",
                        "service_tier": "standard",
                        "context_window": "0-200k",
                        "inference_geo": "global",
                    }
                ],
            }
        ],
        "has_more": True,
        "next_page": "page_2",
    },
    "page_2": {
        "data": [
            {
                "starting_at": "2026-10-02T00:00:00Z",
                "ending_at": "2026-10-03T00:00:00Z",
                "results": [
                    {
                        "uncached_input_tokens": 500,
                        "cache_creation": {
                            "ephemeral_5m_input_tokens": 0,
                            "ephemeral_1h_input_tokens": 0,
                        },
                        "cache_read_input_tokens": 0,
                        "output_tokens": 50,
                        "server_tool_use": {"web_search_requests": 1},
                        "api_key_id": "k1",
                        "workspace_id": None,
                        "model": "claude-sonnet-4-5-20250929",
                        "service_tier": "batch",
                        "context_window": "0-200k",
                        "inference_geo": "global",
                    }
                ],
            }
        ],
        "has_more": False,
        "next_page": None,
    },
}
ANTHROPIC_COST = {
    "data": [
        {
            "starting_at": "2026-10-01T00:00:00Z",
            "ending_at": "2026-10-02T00:00:00Z",
            "results": [
                {
                    "amount": "0.3",
                    "currency": "USD",
                    "cost_type": "tokens",
                    "description": "Claude Sonnet 4.5 Usage - Input Tokens",
                    "model": "claude-sonnet-4-5-20250929",
                    "service_tier": "standard",
                    "token_type": "uncached_input_tokens",
                    "context_window": "0-200k",
                    "inference_geo": "global",
                    "workspace_id": None,
                }
            ],
        }
    ],
    "has_more": False,
    "next_page": None,
}


def test_anthropic_pages_headers_and_bill(api: ApiServer, run: Run, tmp_path: Path) -> None:
    def app(req: Seen, n: int) -> Reply:
        if req.path == A_USAGE:
            return Reply(200, ANTHROPIC_USAGE[req.param("page")])
        return Reply(200, ANTHROPIC_COST) if req.path == A_COST else Reply(404)

    api.app = app
    out = tmp_path / "a"
    r = run(
        [
            "fetch",
            "anthropic",
            "--since",
            "2026-10-01",
            "--until",
            "2026-10-02",
            "--base-url",
            api.url,
            "-o",
            str(out),
            *FAST,
        ]
    )
    assert r.exit_code == 0, r.stderr
    assert visible(out) == [
        "anthropic-cost-report-20261001-p001.json",
        "anthropic-usage-report-20261001-p001.json",
        "anthropic-usage-report-20261001-p002.json",
    ]
    first = api.on(A_USAGE)[0]
    assert first.headers["x-api-key"] == ANTHROPIC_KEY
    assert first.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in first.headers
    assert first.param("starting_at") == "2026-10-01T00:00:00Z"
    assert first.param("ending_at") == "2026-10-03T00:00:00Z"
    assert first.param("limit") == "31"
    assert api.on(A_USAGE)[1].param("page") == "page_2"
    cost = api.on(A_COST)[0]
    assert cost.params("group_by[]") == ["description", "workspace_id"]
    b = run(["bill", str(out), "--format", "json"])
    assert b.exit_code == 0, b.stderr
    doc = json.loads(b.stdout)
    assert sorted(i["format"] for i in doc["inputs"]) == [
        "anthropic-cost-report",
        "anthropic-usage-report",
        "anthropic-usage-report",
    ]
    assert doc["billed_usd"] == pytest.approx(0.003)  # "0.3" cents


def test_429_honours_retry_after(api: ApiServer, run: Run, tmp_path: Path) -> None:
    def app(req: Seen, n: int) -> Reply:
        if req.path == USAGE and n == 0:
            return Reply(429, {"error": {"message": "Rate limit reached"}}, {"retry-after": "1"})
        return openai_app(req, n)

    api.app = app
    out = tmp_path / "o"
    r = run(fetch_openai(api, out))
    assert r.exit_code == 0, r.stderr
    usage = api.on(USAGE)
    assert [s.param("page") for s in usage] == [None, None, "cur_2", "cur_3"]
    assert usage[1].at - usage[0].at >= 0.95  # the server said 1 s; our backoff is 0.01 s
    assert "retrying in 1 s: OpenAI /organization/usage/completions" in r.stderr
    assert "HTTP 429 (Retry-After)" in r.stderr
    assert len(visible(out)) == 3


def test_retry_after_is_capped(api: ApiServer, run: Run, tmp_path: Path) -> None:
    def app(req: Seen, n: int) -> Reply:
        if req.path == USAGE and n == 0:
            return Reply(503, b"overloaded", {"retry-after": "3600"})
        return openai_app(req, n)

    api.app = app
    r = run(fetch_openai(api, tmp_path / "o", "--max-wait", "0.05"))
    assert r.exit_code == 0, r.stderr
    assert "retrying in 0.05 s" in r.stderr and "HTTP 503 (Retry-After)" in r.stderr


def test_500_then_success(api: ApiServer, run: Run, tmp_path: Path) -> None:
    def app(req: Seen, n: int) -> Reply:
        if req.path == COSTS and n < 2:
            return Reply(500, {"error": {"message": "internal"}})
        return openai_app(req, n)

    api.app = app
    out = tmp_path / "o"
    r = run(fetch_openai(api, out))
    assert r.exit_code == 0, r.stderr
    assert len(api.on(COSTS)) == 3
    assert r.stderr.count("HTTP 500") == 2
    assert "retrying in 0.01 s" in r.stderr and "retrying in 0.02 s" in r.stderr  # doubling
    assert "openai-costs-20261001-p001.json" in visible(out)


def test_500_until_retries_run_out(api: ApiServer, run: Run, tmp_path: Path) -> None:
    api.app = lambda req, n: Reply(502, b"<html>bad gateway</html>")
    out = tmp_path / "o"
    r = run(fetch_openai(api, out, "--retries", "2"))
    assert r.exit_code == 2
    assert "gave up after 3 attempts; last: HTTP 502: <html>bad gateway</html>" in r.stderr
    assert "hint: the pages saved so far are kept: rerun with --resume" in r.stderr
    assert visible(out) == []


def test_read_timeout_then_resume(api: ApiServer, run: Run, tmp_path: Path) -> None:
    slow = {"on": True}

    def app(req: Seen, n: int) -> Reply:
        if req.path == USAGE and req.param("page") == "cur_3" and slow["on"]:
            return Reply(200, USAGE_PAGES["cur_3"], delay=0.6)
        return openai_app(req, n)

    api.app = app
    out = tmp_path / "o"
    r = run(fetch_openai(api, out, "--read-timeout", "0.2", "--retries", "1"))
    assert r.exit_code == 2
    assert "page 3: gave up after 2 attempts; last: no answer within 0.2 s" in r.stderr
    assert "retrying in 0.01 s" in r.stderr
    assert "--resume" in r.stderr
    # pages 1 and 2 are saved (2 had no results), page 3 is not, nothing half-written
    assert visible(out) == ["openai-usage-completions-20261001-p001.json"]
    assert hidden(out) == [".llm-audit-fetch.json"]
    state = json.loads((out / ".llm-audit-fetch.json").read_text())
    assert state["windows"]["usage/0"]["next_page"] == "cur_3"
    assert state["complete"] is False
    # a plain rerun refuses to mix two fetches in one folder
    again = run(fetch_openai(api, out))
    assert again.exit_code == 2 and "already holds a fetch" in again.stderr
    assert "hint: pass --resume" in again.stderr
    # --resume asks only for what is missing
    slow["on"] = False
    before = len(api.seen)
    r = run(fetch_openai(api, out, "--resume"))
    assert r.exit_code == 0, r.stderr
    asked = [(s.path, s.param("page")) for s in api.seen[before:]]
    assert asked == [(USAGE, "cur_3"), (COSTS, None)]
    assert len(visible(out)) == 3
    assert json.loads((out / ".llm-audit-fetch.json").read_text())["complete"] is True
    # other parameters cannot resume this fetch
    other = run([*fetch_openai(api, out, "--resume"), "--bucket", "1h"])
    assert other.exit_code == 2
    assert "--resume with other parameters than the saved fetch: bucket" in other.stderr


def test_malformed_json_writes_nothing_for_that_page(
    api: ApiServer, run: Run, tmp_path: Path
) -> None:
    def app(req: Seen, n: int) -> Reply:
        if req.path == USAGE and req.param("page") == "cur_2":
            return Reply(200, b'{"object": "page", "data": [{"object": "bucket", "resu')
        return openai_app(req, n)

    api.app = app
    out = tmp_path / "o"
    r = run(fetch_openai(api, out))
    assert r.exit_code == 2
    assert "page 2: the answer is not valid JSON" in r.stderr
    assert 'it starts with: {"object": "page"' in r.stderr
    assert "rerun with --resume" in r.stderr
    assert visible(out) == ["openai-usage-completions-20261001-p001.json"]
    assert hidden(out) == [".llm-audit-fetch.json"]
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("debug", [False, True])
def test_401_names_the_variable_and_the_key_type(
    api: ApiServer, run: Run, tmp_path: Path, debug: bool
) -> None:
    # OpenAI echoes (part of) the key it refused; that must not reach the user's terminal.
    api.app = lambda req, n: Reply(
        401,
        {
            "error": {
                "message": f"Incorrect API key provided: {req.headers['authorization'][7:]}.",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
        },
    )
    out = tmp_path / "o"
    r = run([*(["--debug"] if debug else []), *fetch_openai(api, out)])
    assert r.exit_code == 2
    assert "HTTP 401: the key in OPENAI_ADMIN_KEY was refused" in r.stderr
    assert "Incorrect API key provided: [redacted]" in r.stderr
    assert "hint: set OPENAI_ADMIN_KEY to an ADMIN key (sk-admin-..." in r.stderr
    assert len(api.seen) == 1  # not retried
    assert visible(out) == []
    assert ("Traceback" in r.stderr) is debug


def test_403_anthropic_with_a_named_variable(api: ApiServer, run: Run, tmp_path: Path) -> None:
    api.app = lambda req, n: Reply(
        403,
        {
            "type": "error",
            "error": {
                "type": "permission_error",
                "message": f"key {req.headers['x-api-key']} is not admin",
            },
        },
    )
    r = run(
        [
            "--debug",
            "fetch",
            "anthropic",
            "--since",
            "2026-10-01",
            "--until",
            "2026-10-01",
            "--base-url",
            api.url,
            "-o",
            str(tmp_path / "a"),
            "--key-env",
            "MY_ORG_KEY",
        ]
    )
    assert r.exit_code == 2
    assert api.seen[0].headers["x-api-key"] == CUSTOM_KEY  # the named variable was used
    assert "HTTP 403: the key in MY_ORG_KEY was refused (key [redacted] is not admin)" in r.stderr
    assert "set MY_ORG_KEY to an ADMIN key (sk-ant-admin..." in r.stderr


def test_missing_key_is_a_usage_error_before_any_request(
    api: ApiServer, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_ADMIN_KEY")
    r = run(fetch_openai(api, tmp_path / "o"))
    assert r.exit_code == 2
    assert "OPENAI_ADMIN_KEY is not set" in r.stderr
    assert "export OPENAI_ADMIN_KEY=<your ADMIN key (sk-admin-" in r.stderr
    assert api.seen == []
    # a key passed where the variable's name belongs is refused without being echoed
    r = run([*fetch_openai(api, tmp_path / "o"), "--key-env", "orgadmin-PLAINSECRET-77aa88bb99cc"])
    assert r.exit_code == 2 and "--key-env takes the NAME of an environment variable" in r.stderr
    # and there is no option that takes a key value
    r = run([*fetch_openai(api, tmp_path / "o"), "--key", "sk-admin-x"])
    assert r.exit_code == 2 and "No such option: --key" in r.stderr


def test_internal_error_with_debug_prints_no_key(
    api: ApiServer, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from llm_audit.fetch import http

    def boom(self: object, url: str, *a: object, **k: object) -> None:
        raise RuntimeError(f"unexpected, headers were {os.environ['OPENAI_ADMIN_KEY']}")

    monkeypatch.setattr(http.Http, "get", boom)
    r = run(["--debug", *fetch_openai(api, tmp_path / "o")])
    assert r.exit_code == 3
    assert "Traceback" in r.stderr
    assert "internal error: RuntimeError: unexpected, headers were [redacted]" in r.stderr


def test_long_ranges_are_cut_into_allowed_windows(api: ApiServer, run: Run, tmp_path: Path) -> None:
    api.app = lambda req, n: Reply(200, page([], None))
    r = run(
        [
            "fetch",
            "openai",
            "--since",
            "2026-01-01",
            "--until",
            "2026-01-10",
            "--bucket",
            "1h",
            "--base-url",
            api.url,
            "-o",
            str(tmp_path / "o"),
            *FAST,
        ]
    )
    assert r.exit_code == 0, r.stderr
    usage = api.on(USAGE)
    # 240 hourly buckets: windows of at most 168 (the documented limit for 1h)
    spans = [
        (int(s.param("end_time") or 0) - int(s.param("start_time") or 0)) // 3600 for s in usage
    ]
    assert spans == [168, 72]
    assert all(s.param("limit") == "168" and s.param("bucket_width") == "1h" for s in usage)
    assert [s.param("bucket_width") for s in api.on(COSTS)] == ["1d"]  # costs are daily
    assert visible(tmp_path / "o") == []  # no results: nothing `bill` would read
    assert "fetched 3 page(s) (3 without results, not written)" in r.stderr


def test_bad_options(api: ApiServer, run: Run, tmp_path: Path) -> None:
    r = run([*fetch_openai(api, tmp_path / "o"), "--group-by", "model,workspace_id"])
    assert r.exit_code == 2
    assert "--group-by: workspace_id not known to the OpenAI usage report" in r.stderr
    afile = tmp_path / "file.json"
    afile.write_text("{}")
    r = run([*fetch_openai(api, afile)])
    assert r.exit_code == 2 and "-o must be a folder" in r.stderr
    r = run(["fetch", "openai", "--since", "2026-13-01", "-o", str(tmp_path / "o")])
    assert r.exit_code == 2 and "--since '2026-13-01' is not a date" in r.stderr
    r = run(
        [
            "fetch",
            "openai",
            "--since",
            "2026-10-05",
            "--until",
            "2026-10-01",
            "-o",
            str(tmp_path / "o"),
        ]
    )
    assert r.exit_code == 2 and "--since must be before --until" in r.stderr
    assert api.seen == []


def test_windows_and_retry_after_units() -> None:
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    wins = windows(start, start + dt.timedelta(days=90), "1d", 31)
    assert [(b - a).days for a, b in wins] == [31, 31, 28]
    assert wins[0][0] == start and wins[-1][1] == start + dt.timedelta(days=90)
    now = dt.datetime(2026, 11, 22, 12, 0, 0, tzinfo=dt.UTC)
    assert retry_after("7") == 7.0
    assert retry_after("Sun, 22 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after("Sun, 22 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_resume_without_until_continues_the_saved_range(
    api: ApiServer, run: Run, tmp_path: Path
) -> None:
    calls = {"n": 0}

    def app(req: Seen, n: int) -> Reply:
        if req.path == COSTS and calls["n"] == 0:
            return Reply(500, b"down")
        return Reply(200, page([], None))

    api.app = app
    out = tmp_path / "o"
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).strftime("%Y-%m-%d")
    args = ["fetch", "openai", "--since", since, "--base-url", api.url, "-o", str(out), *FAST]
    r = run([*args, "--retries", "0"])
    assert r.exit_code == 2 and "gave up after 1 attempts" in r.stderr
    calls["n"] = 1
    r = run([*args, "--resume"])  # "now" has moved on; the saved end is used
    assert r.exit_code == 0, r.stderr
    ends = {s.param("end_time") for s in api.on(USAGE)} | {
        s.param("end_time") for s in api.on(COSTS)
    }
    assert len(ends) == 1


def test_progress_bar_only_on_a_tty(
    api: ApiServer, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.app = openai_app
    plain = run(fetch_openai(api, tmp_path / "plain"))
    assert plain.exit_code == 0 and "\x1b[" not in plain.stderr and "━" not in plain.stderr

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("NO_COLOR", raising=False)
    code = _invoke_with_stderr(fetch_openai(api, tmp_path / "tty"), tty)
    assert code == 0
    assert "\x1b[" in tty.getvalue()  # the bar was drawn (and erased) on the terminal
    assert OPENAI_KEY not in tty.getvalue()


def _invoke_with_stderr(argv: list[str], err: io.StringIO) -> int:
    """Run the CLI with ``err`` as stderr (the conftest helper swaps in its own StringIO)."""
    from llm_audit.cli.main import run as main_run

    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = io.StringIO(), err
    try:
        main_run(argv)
        return 0
    except SystemExit as e:
        return int(e.code or 0)
    finally:
        assert sys.stdout.getvalue() == ""  # type: ignore[attr-defined]
        sys.stdout, sys.stderr = old


def test_connection_refused_is_translated(run: Run, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = run(
        [
            "fetch",
            "openai",
            "--since",
            "2026-10-01",
            "--until",
            "2026-10-01",
            "--base-url",
            f"http://127.0.0.1:{port}/v1",
            "-o",
            str(tmp_path / "o"),
            *FAST,
            "--retries",
            "1",
        ]
    )
    assert r.exit_code == 2
    assert "gave up after 2 attempts; last: ConnectError:" in r.stderr
    assert "retrying in 0.01 s" in r.stderr and "Traceback" not in r.stderr


def test_a_redirect_is_named_not_followed(api: ApiServer, run: Run, tmp_path: Path) -> None:
    """A 3xx (an http->https proxy, a moved path) says where it points; the key stays here."""
    api.app = lambda req, n: Reply(301, b"", {"location": "https://proxy.example/v1/organization"})
    out = tmp_path / "o"
    r = run(fetch_openai(api, out))
    assert r.exit_code == 2
    assert "HTTP 301: redirected to https://proxy.example/v1/organization" in r.stderr
    assert "not valid JSON" not in r.stderr
    assert "hint: pass the API root it points to (up to /v1) as --base-url" in r.stderr
    assert len(api.seen) == 1  # neither followed nor retried
    assert visible(out) == []


@pytest.mark.parametrize("bad", ["orgadmin-PLAIN\nHALF-77aa88", "orgadmin-PLAIN\u00e9HALF-77aa88"])
def test_a_key_with_a_line_break_or_non_ascii_is_refused_unseen(
    api: ApiServer, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    """httpx would put a line break in its error as '\\n' (no longer the registered secret), and
    a non-ASCII key was an internal error: both are refused before any request, unechoed."""
    monkeypatch.setenv("ODD_KEY", bad)
    out = tmp_path / "o"
    r = run(["--debug", *fetch_openai(api, out, "--key-env", "ODD_KEY", "--retries", "0")])
    assert r.exit_code == 2, r.stderr
    assert "ODD_KEY holds a character no API key has" in r.stderr and "hint:" in r.stderr
    assert "PLAIN" not in r.stdout + r.stderr and "HALF" not in r.stdout + r.stderr
    assert api.seen == []


def test_since_in_the_future_and_a_period_without_usage_say_so(
    api: ApiServer, run: Run, tmp_path: Path
) -> None:
    future = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)).isoformat()
    r = run(
        ["fetch", "openai", "--since", future, "-o", str(tmp_path / "f"), "--base-url", api.url]
    )
    assert r.exit_code == 2 and f"--since {future} is in the future" in r.stderr
    assert api.seen == []
    api.app = lambda req, n: Reply(200, page([bucket(0, [])], None))
    out = tmp_path / "o"
    r = run(fetch_openai(api, out))
    assert r.exit_code == 0, r.stderr
    assert "no usage or cost in this period: nothing for `llm-audit bill`" in r.stderr
    assert "next: llm-audit bill" not in r.stderr
    assert visible(out) == []
