"""`llm-audit prompts`, `rules`, `rule`: exit codes, formats, config, suppression, baseline."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result

CLI = Callable[..., Result]
APP = """from openai import OpenAI

client = OpenAI()


def ask(q):
    return client.chat.completions.create(model="gpt-4o-mini",
                                          messages=[{"role": "user", "content": q}])
"""


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def test_findings_exit_1_and_text_grouped_by_file(cli: CLI, app_dir: Path) -> None:
    r = cli(["prompts", str(app_dir)])
    assert r.exit_code == 1, r.stderr
    assert "app.py" in r.stdout
    assert "LLM002 missing-output-cap" in r.stdout and "LLM004 missing-timeout" in r.stdout
    assert "Pre-ship checklist" in r.stdout
    assert "client.chat.completions.create" in r.stdout  # the source line is shown


def test_exit_zero_and_fail_on(cli: CLI, app_dir: Path) -> None:
    assert cli(["prompts", str(app_dir), "--exit-zero"]).exit_code == 0
    assert cli(["prompts", str(app_dir), "--fail-on", "error"]).exit_code == 0
    assert cli(["prompts", str(app_dir), "--fail-on", "info"]).exit_code == 1


def test_clean_code_exits_0(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(
        APP.replace("OpenAI()", "OpenAI(timeout=20)").replace(
            'model="gpt-4o-mini",', 'model="gpt-4o-mini", max_tokens=100,'
        )
    )
    r = cli(["prompts", str(tmp_path)])
    assert r.exit_code == 0, r.stdout
    assert "none" in r.stdout


def test_json_prices_each_finding(cli: CLI, app_dir: Path) -> None:
    r = cli(["prompts", str(app_dir), "--format", "json", "--exit-zero"])
    doc = json.loads(r.stdout)
    f = next(x for x in doc["findings"] if x["code"] == "LLM002")
    assert f["model"] == "gpt-4o-mini" and f["line"] == 7
    assert f["static_prompt_tokens"] == 0 and f["output_tokens"] == 500
    assert f["output_tokens_assumed"] is True
    assert f["cost_per_call"] > 0
    assert f["usd_per_month_at_stake"] == pytest.approx(f["cost_per_call"] * 10_000)
    assert f["calls_source"] == "assumed default"


def test_usage_profile_sets_calls_per_month(cli: CLI, app_dir: Path) -> None:
    (app_dir / "pyproject.toml").write_text(
        '[tool.llm-audit.usage]\ndefault = 5\n"app.py::ask" = 250000\n'
    )
    doc = json.loads(cli(["prompts", str(app_dir), "-f", "json", "--exit-zero"]).stdout)
    f = doc["findings"][0]
    assert f["calls_per_month"] == 250_000 and f["calls_source"] == "usage 'app.py::ask'"
    assert f["usd_per_month_at_stake"] == pytest.approx(f["cost_per_call"] * 250_000)


def test_unpriced_model_is_never_zero(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text(APP.replace("gpt-4o-mini", "my-private-model-7"))
    doc = json.loads(cli(["prompts", str(tmp_path), "-f", "json", "--exit-zero"]).stdout)
    f = doc["findings"][0]
    assert f["cost_per_call"] is None and f["usd_per_month_at_stake"] is None
    assert f["unpriced_reason"]
    r = cli(["prompts", str(tmp_path), "--exit-zero"])
    assert "unpriced" in r.stdout.lower()


def test_suppressions_and_unused_ones(cli: CLI, tmp_path: Path) -> None:
    text = APP.replace('"content": q}])', '"content": q}])  # noqa: LLM002')
    text = text.replace("client = OpenAI()", "client = OpenAI()  # llm-audit: ignore[LLM003]")
    text += (
        "\n\ndef other(q):\n    return client.chat.completions.create(model='gpt-4o-mini',"
        " max_tokens=9, messages=[])  # llm-audit: ignore[LLM004]\n"
    )
    (tmp_path / "s.py").write_text(text)
    doc = json.loads(cli(["prompts", str(tmp_path), "-f", "json", "--exit-zero"]).stdout)
    found = {(f["code"], f["line"]) for f in doc["findings"]}
    assert ("LLM002", 7) not in found and ("LLM004", 7) in found
    assert ("LLM004", 11) not in found
    unused = [(u["line"], u["message"]) for u in doc["unused_suppressions"]]
    assert unused == [(3, "unused suppression of LLM003")]


def test_select_ignore_and_per_file_ignores(cli: CLI, app_dir: Path) -> None:
    doc = json.loads(
        cli(["prompts", str(app_dir), "-f", "json", "--exit-zero", "--select", "LLM004"]).stdout
    )
    assert {f["code"] for f in doc["findings"]} == {"LLM004"}
    (app_dir / "pyproject.toml").write_text(
        '[tool.llm-audit]\nignore = ["missing-timeout"]\n'
        '[tool.llm-audit.per-file-ignores]\n"app.py" = ["LLM002"]\n'
    )
    doc = json.loads(cli(["prompts", str(app_dir), "-f", "json", "--exit-zero"]).stdout)
    assert {f["code"] for f in doc["findings"]} == set()


def test_unknown_rule_code_is_exit_2(cli: CLI, app_dir: Path) -> None:
    r = cli(["prompts", str(app_dir), "--select", "LLM999"])
    assert r.exit_code == 2 and "unknown rule code 'LLM999'" in r.stderr
    (app_dir / "pyproject.toml").write_text('[tool.llm-audit]\nselect = ["LLM001", "XYZ1"]\n')
    r = cli(["prompts", str(app_dir)])
    assert r.exit_code == 2
    assert f"{app_dir / 'pyproject.toml'}:2: unknown rule code 'XYZ1'" in r.stderr
    assert "hint:" in r.stderr


def test_unknown_config_key_and_rule_option(cli: CLI, app_dir: Path) -> None:
    (app_dir / "pyproject.toml").write_text('[tool.llm-audit]\nselekt = ["LLM001"]\n')
    r = cli(["prompts", str(app_dir)])
    assert r.exit_code == 2 and "unknown key(s) in [tool.llm-audit]: selekt" in r.stderr
    (app_dir / "pyproject.toml").write_text('[tool.llm-audit.rules]\nfrontier = ["x"]\n')
    r = cli(["prompts", str(app_dir)])
    assert r.exit_code == 2 and "unknown rule option(s): frontier" in r.stderr


def test_rule_option_accepts_sdk_default_timeout(cli: CLI, app_dir: Path) -> None:
    (app_dir / "pyproject.toml").write_text(
        "[tool.llm-audit.rules]\nsdk-default-timeout-ok = true\n"
    )
    doc = json.loads(cli(["prompts", str(app_dir), "-f", "json", "--exit-zero"]).stdout)
    assert "LLM004" not in {f["code"] for f in doc["findings"]}


def test_file_that_does_not_parse_is_a_warning(cli: CLI, app_dir: Path) -> None:
    (app_dir / "broken.py").write_text("import openai\ndef f(:\n")
    r = cli(["prompts", str(app_dir), "-f", "json"])
    assert r.exit_code == 1  # the other file's findings, not a crash
    assert "broken.py:2: does not parse" in r.stderr
    assert json.loads(r.stdout)["warnings"][0]["path"] == "broken.py"


def test_gitignore_and_exclude(cli: CLI, app_dir: Path) -> None:
    (app_dir / "gen").mkdir()
    (app_dir / "gen" / "g.py").write_text(APP)
    (app_dir / "vendor").mkdir()
    (app_dir / "vendor" / "v.py").write_text(APP)
    (app_dir / ".gitignore").write_text("gen/\n")
    (app_dir / "pyproject.toml").write_text('[tool.llm-audit]\nexclude = ["vendor/**"]\n')
    doc = json.loads(cli(["prompts", str(app_dir), "-f", "json", "--exit-zero"]).stdout)
    assert {f["path"] for f in doc["findings"]} == {"app.py"}


def test_sarif_gitlab_github(cli: CLI, app_dir: Path) -> None:
    sarif = json.loads(cli(["prompts", str(app_dir), "-f", "sarif"]).stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]][:2] == ["LLM001", "LLM002"]
    assert "Anti-pattern" in run["tool"]["driver"]["rules"][1]["help"]["text"]
    res = run["results"][0]
    assert res["partialFingerprints"]["llmAudit/v1"]
    assert res["properties"]["usd_per_call"] > 0
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
    gl = json.loads(cli(["prompts", str(app_dir), "-f", "gitlab"]).stdout)
    assert {i["severity"] for i in gl} == {"minor"}
    assert len({i["fingerprint"] for i in gl}) == len(gl)
    gh = cli(["prompts", str(app_dir), "-f", "github"])
    assert gh.exit_code == 1
    assert gh.stdout.startswith("::warning file=app.py,line=7,")


def test_baseline_survives_line_moves(cli: CLI, app_dir: Path, tmp_path: Path) -> None:
    base = tmp_path / "baseline.json"
    r = cli(["prompts", str(app_dir), "--write-baseline", str(base)])
    assert r.exit_code == 0 and base.is_file()
    (app_dir / "app.py").write_text("# a new comment\n\n" + APP)
    r = cli(["prompts", str(app_dir), "--baseline", str(base), "-f", "json"])
    assert r.exit_code == 0, r.stdout
    assert json.loads(r.stdout)["summary"]["baselined"] == 2
    (app_dir / "new.py").write_text(APP)
    r = cli(["prompts", str(app_dir), "--baseline", str(base), "-f", "json"])
    assert r.exit_code == 1
    assert {f["path"] for f in json.loads(r.stdout)["findings"]} == {"new.py"}


def test_missing_path_is_exit_2(cli: CLI, tmp_path: Path) -> None:
    r = cli(["prompts", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "no such file or directory" in r.stderr


def test_rules_and_rule(cli: CLI) -> None:
    r = cli(["rules"])
    assert r.exit_code == 0
    assert "LLM001  dynamic-before-static" in r.stdout and "LLM009" in r.stdout
    r = cli(["rule", "LLM002"])
    assert r.exit_code == 0 and "Anti-pattern" in r.stdout and "Best practice" in r.stdout
    assert cli(["rule", "missing-timeout"]).stdout.startswith("LLM004 missing-timeout")
    r = cli(["rule", "LLM123"])
    assert r.exit_code == 2 and "unknown rule 'LLM123'" in r.stderr


def test_csv_has_one_row_per_finding_with_its_file(cli: CLI, app_dir: Path) -> None:
    import csv
    import io

    r = cli(["prompts", str(app_dir), "-f", "csv", "--exit-zero"])
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {(x["path"], x["line"], x["code"]) for x in rows} == {
        ("app.py", "7", "LLM002"),
        ("app.py", "7", "LLM004"),
    }
    assert all(float(x["cost_per_call"]) > 0 for x in rows)


@pytest.mark.parametrize(("ctor", "fires"), [("OpenAI(timeout=20)", False), ("OpenAI()", True)])
def test_client_imported_from_another_module(
    cli: CLI, tmp_path: Path, ctor: str, fires: bool
) -> None:
    pkg = tmp_path / "svc"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "clients.py").write_text(f"from openai import OpenAI\n\nclient = {ctor}\n")
    (pkg / "ask.py").write_text(
        "from .clients import client\n\n\ndef ask(q):\n"
        "    return client.chat.completions.create(model='gpt-4o-mini', max_tokens=9,"
        " messages=[{'role': 'user', 'content': q}])\n"
    )
    doc = json.loads(cli(["prompts", str(tmp_path), "-f", "json", "--exit-zero"]).stdout)
    found = {(f["path"], f["code"]) for f in doc["findings"]}
    assert (("svc/ask.py", "LLM004") in found) is fires


def test_loop_over_a_helper_imported_from_another_module(cli: CLI, tmp_path: Path) -> None:
    pkg = tmp_path / "svc"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "llm.py").write_text(
        "from openai import AsyncOpenAI, OpenAI\n\nclient = OpenAI(timeout=9)\n"
        "aclient = AsyncOpenAI(timeout=9)\n\n\n"
        "def summarize(t):\n    return client.chat.completions.create(model='gpt-4o-mini',"
        " max_tokens=9, messages=[{'role': 'user', 'content': t}])\n\n\n"
        "async def asummarize(t):\n    return await aclient.chat.completions.create("
        "model='gpt-4o-mini', max_tokens=9, messages=[{'role': 'user', 'content': t}])\n"
    )
    (pkg / "jobs.py").write_text(
        "import asyncio\n\nfrom svc.llm import asummarize, summarize\n\n\n"
        "def nightly(threads):\n    return [summarize(t) for t in threads]\n\n\n"
        "async def fast(threads):\n    return await asyncio.gather(*[asummarize(t) for t in"
        " threads])\n"
    )
    doc = json.loads(cli(["prompts", str(tmp_path), "-f", "json", "--exit-zero"]).stdout)
    found = [(f["path"], f["line"], f["code"]) for f in doc["findings"]]
    assert found == [("svc/jobs.py", 7, "LLM003")]
    assert doc["findings"][0]["model"] == "gpt-4o-mini"
    assert "through summarize()" in doc["findings"][0]["message"]


def test_savings_levers_are_priced_by_the_engine(cli: CLI) -> None:
    from tests.conftest import ASSETS

    doc = json.loads(
        cli(
            [
                "prompts",
                str(ASSETS / "prompts" / "llm009.py"),
                "-f",
                "json",
                "--exit-zero",
                "--select",
                "LLM009",
            ]
        ).stdout
    )
    f = doc["findings"][0]
    lever = doc["savings"][0]
    assert lever["lever"].endswith(": the static prompt first, and cached")
    # reading the prefix from the cache costs less than sending it: a real, positive saving
    assert 0 < lever["usd_per_month"] < f["usd_per_month_at_stake"]
    assert "static prompt tokens, put first" in lever["assumption"]
    # a prompt under 1,024 tokens is not cacheable: no caching lever for it
    small = json.loads(
        cli(["prompts", str(ASSETS / "prompts" / "llm001.py"), "-f", "json", "--exit-zero"]).stdout
    )
    assert not any("cached" in s["lever"] for s in small["savings"])


def test_nearest_config_per_file(cli: CLI, app_dir: Path) -> None:
    """Like ruff: a nested project's [tool.llm-audit] applies to its own files only."""
    (app_dir / "pyproject.toml").write_text(
        '[tool.llm-audit]\nignore = ["LLM004"]\n[tool.llm-audit.usage]\ndefault = 100\n'
    )
    sub = app_dir / "services" / "billing"
    sub.mkdir(parents=True)
    (sub / "pyproject.toml").write_text(
        '[tool.llm-audit]\nignore = ["LLM002"]\n'
        '[tool.llm-audit.per-file-ignores]\n"legacy/*.py" = ["LLM004"]\n'
        '[tool.llm-audit.usage]\n"jobs.py::ask" = 7000\n'
    )
    (sub / "jobs.py").write_text(APP)
    (sub / "legacy").mkdir()
    (sub / "legacy" / "old.py").write_text(APP)
    doc = json.loads(cli(["prompts", str(app_dir), "-f", "json", "--exit-zero"]).stdout)
    found = {(f["path"], f["code"]) for f in doc["findings"]}
    assert found == {("app.py", "LLM002"), ("services/billing/jobs.py", "LLM004")}
    calls = {f["path"]: f["calls_per_month"] for f in doc["findings"]}
    assert calls == {"app.py": 100, "services/billing/jobs.py": 7000}
    # the command line still overrides every project's selection
    doc = json.loads(
        cli(["prompts", str(app_dir), "-f", "json", "--exit-zero", "--select", "LLM002"]).stdout
    )
    assert {f["path"] for f in doc["findings"]} == {
        "app.py",
        "services/billing/jobs.py",
        "services/billing/legacy/old.py",
    }
    # a broken nested config is an error with its own path, not silently the parent's
    (sub / "pyproject.toml").write_text('[tool.llm-audit]\nselekt = ["LLM001"]\n')
    r = cli(["prompts", str(app_dir)])
    assert r.exit_code == 2 and f"{sub / 'pyproject.toml'}" in r.stderr


def test_explicit_files_as_pre_commit_passes_them(cli: CLI, app_dir: Path) -> None:
    (app_dir / "b.py").write_text(APP)
    (app_dir / "c.ts").write_text(
        'import OpenAI from "openai";\nconst c = new OpenAI();\n'
        "export const f = (q: string) => c.chat.completions.create("
        '{ model: "gpt-4o-mini", messages: [{ role: "user", content: q }] }); // noqa: LLM004\n'
    )
    r = cli(
        [
            "prompts",
            str(app_dir / "app.py"),
            str(app_dir / "b.py"),
            str(app_dir / "c.ts"),
            "-f",
            "json",
        ]
    )
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["summary"]["files_scanned"] == 3
    assert {(f["path"], f["code"]) for f in doc["findings"]} == {
        ("app.py", "LLM002"),
        ("app.py", "LLM004"),
        ("b.py", "LLM002"),
        ("b.py", "LLM004"),
        ("c.ts", "LLM002"),
    }
    hooks = (Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text()
    assert "id: llm-audit-prompts" in hooks and "entry: llm-audit prompts" in hooks


def test_bad_baseline_is_exit_2(cli: CLI, app_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text("[1, 2]")
    r = cli(["prompts", str(app_dir), "--baseline", str(bad)])
    assert r.exit_code == 2 and "not a llm-audit baseline" in r.stderr and "hint:" in r.stderr
    r = cli(["prompts", str(app_dir), "--baseline", str(tmp_path / "none.json")])
    assert r.exit_code == 2 and "baseline file not found" in r.stderr


def test_checklist_answers_the_four_questions(cli: CLI, app_dir: Path) -> None:
    doc = json.loads(cli(["prompts", str(app_dir), "-f", "json", "--exit-zero"]).stdout)
    questions = [row["question"] for row in doc["checklist"]]
    assert questions == [
        "What does one call cost?",
        "What does one user cost per month?",
        "Does it fit the latency budget?",
        "Which bites first?",
    ]
    answers = {row["question"]: row["answer"] for row in doc["checklist"]}
    assert "app.py:7" in answers["What does one call cost?"]
    assert "no timeout" in answers["Does it fit the latency budget?"]
    assert len(doc["check_by_hand"]) >= 3


def test_ci_formats_are_stable_across_line_moves(cli: CLI, app_dir: Path) -> None:
    """GitLab fingerprints and SARIF partialFingerprints survive edits above the call."""
    gl = json.loads(cli(["prompts", str(app_dir), "-f", "gitlab"]).stdout)
    first = gl[0]
    assert first["location"]["path"] == "app.py" and first["location"]["lines"]["begin"] == 7
    assert first["check_name"].startswith("LLM00") and first["description"]
    sarif = json.loads(cli(["prompts", str(app_dir), "-f", "sarif"]).stdout)
    fps = {r["partialFingerprints"]["llmAudit/v1"] for r in sarif["runs"][0]["results"]}
    (app_dir / "app.py").write_text("# moved\n\n\n" + APP)
    gl2 = json.loads(cli(["prompts", str(app_dir), "-f", "gitlab"]).stdout)
    assert gl2[0]["location"]["lines"]["begin"] == 10
    assert {i["fingerprint"] for i in gl2} == {i["fingerprint"] for i in gl}
    sarif2 = json.loads(cli(["prompts", str(app_dir), "-f", "sarif"]).stdout)
    assert {r["partialFingerprints"]["llmAudit/v1"] for r in sarif2["runs"][0]["results"]} == fps
    level = {r["ruleId"]: r["level"] for r in sarif2["runs"][0]["results"]}
    assert level == {"LLM002": "warning", "LLM004": "warning"}


def test_min_confidence_drops_low_confidence_findings(cli: CLI, tmp_path: Path) -> None:
    (tmp_path / "loop.py").write_text(
        "from openai import OpenAI\n\nclient = OpenAI(timeout=10)\n\n\n"
        "def label(items):\n    return [client.chat.completions.create(model='gpt-4o-mini',"
        " max_tokens=5, messages=[{'role': 'user', 'content': i}]) for i in items]\n"
    )
    low = json.loads(cli(["prompts", str(tmp_path), "-f", "json", "--exit-zero"]).stdout)
    assert "LLM003" in {f["code"] for f in low["findings"]}
    conf = {f["code"]: f["confidence"] for f in low["findings"]}
    high = json.loads(
        cli(
            ["prompts", str(tmp_path), "-f", "json", "--exit-zero", "--min-confidence", "high"]
        ).stdout
    )
    assert {f["code"] for f in high["findings"]} == {c for c, v in conf.items() if v == "high"}
    assert conf["LLM003"] != "high" and "LLM003" not in {f["code"] for f in high["findings"]}
