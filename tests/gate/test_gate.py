"""`llm-audit gate`: thresholds from flags or [tool.llm-audit.gate], exit codes, the baseline."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, Result
from tests.gate.helpers import load_json, write_project

LOGS = ROOT / "samples" / "logs" / "requests.jsonl"


def _baseline(cli: Callable[..., Result], root: Path, out: Path) -> Path:
    r = cli(["snapshot", str(root), "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    return out


def test_thresholds_from_pyproject(tmp_path: Path, cli: Callable[..., Result]) -> None:
    gate = '\n[tool.llm-audit.gate]\nmax-increase = "10%"\nmax-monthly-increase = 5\n'
    root = write_project(tmp_path / "repo", gate=gate)
    base = _baseline(cli, root, tmp_path / "base.json")
    same = cli(["gate", "--baseline", str(base), str(root)])
    assert same.exit_code == 0, same.stdout + same.stderr
    assert "[tool.llm-audit.gate]" in same.stdout  # where each threshold was set
    write_project(root, cap=1000, gate=gate)  # 10x the output cap
    r = cli(["gate", "--baseline", str(base), str(root), "--format", "json"])
    assert r.exit_code == 1
    doc = load_json(r.stdout)
    assert doc["verdict"] == "failed"
    assert doc["schema_version"] == 1 and doc["command"] == "gate"
    assert isinstance(doc["pricing"], dict) and doc["pricing"]["version"]
    checks = {c["threshold"]: c for c in doc["checks"]}  # type: ignore[union-attr]
    assert not checks["max-increase"]["passed"] and not checks["max-monthly-increase"]["passed"]
    # the command line wins over the config
    loose = cli(
        [
            "gate",
            "--baseline",
            str(base),
            str(root),
            "--max-increase",
            "10000%",
            "--max-monthly-increase",
            "1000000",
        ]
    )
    assert loose.exit_code == 0, loose.stdout


def test_unknown_gate_key_and_bad_value_are_exit_2(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = write_project(tmp_path / "repo", gate='\n[tool.llm-audit.gate]\nmax-increse = "10%"\n')
    base = tmp_path / "base.json"
    r = cli(["gate", "--baseline", str(base), "--update-baseline", str(root)])
    assert r.exit_code == 2
    lines = (root / "pyproject.toml").read_text().splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.startswith("max-increse"))
    assert (
        f"pyproject.toml:{line}: unknown key(s) in [tool.llm-audit.gate]: max-increse" in r.stderr
    )
    assert "hint: known keys: max-increase" in r.stderr
    write_project(root, gate="\n[tool.llm-audit.gate]\nmax-increase = 10\n")
    r = cli(["gate", "--baseline", str(base), "--update-baseline", str(root)])
    assert r.exit_code == 2 and 'max-increase takes a percentage like "10%"' in r.stderr
    r = cli(["gate", "--baseline", str(base), str(root), "--max-unpriced-share", "lots"])
    assert r.exit_code == 2 and "--max-unpriced-share" in r.stderr
    assert not base.exists()


def test_new_code_on_an_unknown_model_fails_unpriced_share(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = write_project(tmp_path / "repo")
    base = _baseline(cli, root, tmp_path / "base.json")
    write_project(root, model="acme-private-llm-7")
    r = cli(
        [
            "gate",
            "--baseline",
            str(base),
            str(root),
            "--max-unpriced-share",
            "0",
            "--max-increase",
            "10%",
            "--format",
            "markdown",
        ]
    )
    assert r.exit_code == 1
    assert "max-unpriced-share" in r.stdout and "| FAIL |" in r.stdout
    assert "app/chat.py::answer::" in r.stdout
    # the change to an unknown model is not counted as a saving
    assert "+0.0%" in r.stdout or "$0.00/month" in r.stdout
    assert "unknown (unpriced)" in r.stdout


def _slower_logs(tmp_path: Path, feature: str, factor: float) -> Path:
    out = tmp_path / "head.jsonl"
    lines = []
    for line in LOGS.read_text().splitlines():
        rec: dict[str, Any] = json.loads(line)
        if rec.get("feature") == feature and rec.get("latency_ms") is not None:
            rec["latency_ms"] *= factor
        lines.append(json.dumps(rec))
    out.write_text("\n".join(lines) + "\n")
    return out


def test_p95_increase_from_logs(tmp_path: Path, cli: Callable[..., Result]) -> None:
    base = tmp_path / "base.json"
    assert cli(["snapshot", "--logs", str(LOGS), "-o", str(base)]).exit_code == 0
    head = _slower_logs(tmp_path, "support-chat", 1.5)
    r = cli(["gate", "--baseline", str(base), "--logs", str(head), "--max-p95-increase", "20%"])
    assert r.exit_code == 1, r.stdout + r.stderr
    assert "support-chat on gpt-4o" in r.stdout and "+50.0%" in r.stdout
    ok = cli(["gate", "--baseline", str(base), "--logs", str(head), "--max-p95-increase", "60%"])
    assert ok.exit_code == 0
    same = cli(["gate", "--baseline", str(base), "--logs", str(LOGS), "--max-p95-increase", "0ms"])
    assert same.exit_code == 0, same.stdout


def test_p95_without_baseline_logs_is_skipped_and_said(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = write_project(tmp_path / "repo")
    base = _baseline(cli, root, tmp_path / "base.json")
    r = cli(["gate", "--baseline", str(base), str(root), "--max-p95-increase", "10%"])
    assert r.exit_code == 0
    assert "not measured: no logs in the baseline" in r.stdout and "skipped" in r.stdout


def test_update_baseline_rewrites_it(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = write_project(tmp_path / "repo")
    base = _baseline(cli, root, tmp_path / "base.json")
    write_project(root, model="gpt-4o")
    r = cli(
        ["gate", "--baseline", str(base), str(root), "--max-increase", "1%", "--update-baseline"]
    )
    assert r.exit_code == 0, r.stderr
    assert "baseline updated" in r.stdout
    assert json.loads(base.read_text())["sites"][0]["model"] == "gpt-4o"
    again = cli(["gate", "--baseline", str(base), str(root), "--max-increase", "1%"])
    assert again.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.json", "repo"]


def test_interrupted_update_leaves_the_old_baseline(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path / "repo")
    base = _baseline(cli, root, tmp_path / "base.json")
    before = base.read_bytes()
    write_project(root, model="gpt-4o")
    real_fdopen = os.fdopen

    class HalfWriter:
        """Writes half of what it is given, then the process 'dies'."""

        def __init__(self, f: Any) -> None:
            self.f = f

        def __enter__(self) -> HalfWriter:
            return self

        def __exit__(self, *exc: object) -> None:
            self.f.close()

        def write(self, text: str) -> int:
            self.f.write(text[: len(text) // 2])
            self.f.flush()
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))
    r = cli(["gate", "--baseline", str(base), str(root), "--update-baseline"])
    monkeypatch.undo()
    assert r.exit_code == 130
    assert base.read_bytes() == before  # the old baseline, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.json", "repo"]  # no temp left
    assert cli(["diff", str(base), str(base)]).exit_code == 0


def test_output_may_not_overwrite_the_baseline(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = write_project(tmp_path / "repo")
    base = _baseline(cli, root, tmp_path / "base.json")
    r = cli(["gate", "--baseline", str(base), str(root), "-o", str(base)])
    assert r.exit_code == 2 and "--output names an input file" in r.stderr


def test_update_baseline_refused_output_writes_nothing(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """-o naming the baseline (or a folder that does not exist) is refused before any write."""
    root = write_project(tmp_path / "repo")
    base = _baseline(cli, root, tmp_path / "base.json")
    before = base.read_bytes()
    write_project(root, model="gpt-4o")
    r = cli(["gate", "--baseline", str(base), str(root), "--update-baseline", "-o", str(base)])
    assert r.exit_code == 2 and "--output names an input file" in r.stderr
    assert "updated the baseline" not in r.stderr
    assert base.read_bytes() == before
    missing = tmp_path / "no-such-dir" / "gate.md"
    r = cli(["gate", "--baseline", str(base), str(root), "--update-baseline", "-o", str(missing)])
    assert r.exit_code == 2, r.stderr
    assert "no-such-dir" in r.stderr and "hint:" in r.stderr
    assert base.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.json", "repo"]


@pytest.mark.parametrize("command", ["snapshot", "diff", "gate"])
def test_output_in_a_missing_folder_or_a_folder_is_exit_2(
    tmp_path: Path, cli: Callable[..., Result], command: str
) -> None:
    root = write_project(tmp_path / "repo")
    base = _baseline(cli, root, tmp_path / "base.json")
    args = {
        "snapshot": ["snapshot", str(root)],
        "diff": ["diff", str(base), str(base)],
        "gate": ["gate", "--baseline", str(base), str(root)],
    }[command]
    for out in (tmp_path / "missing" / "out.txt", tmp_path):
        r = cli([*args, "-o", str(out)])
        assert r.exit_code == 2, r.stderr
        assert "internal error" not in r.stderr and "hint:" in r.stderr


@pytest.mark.parametrize(
    "flag", ["--max-increase", "--max-call-increase", "--max-p95-increase", "--max-unpriced-share"]
)
def test_a_negative_percentage_is_refused_like_a_negative_usd(
    tmp_path: Path, cli: Callable[..., Result], flag: str
) -> None:
    """-5% would fail every unchanged pull request (as -5 USD is refused): exit 2, not a gate."""
    root = write_project(tmp_path / "repo")
    base = _baseline(cli, root, tmp_path / "base.json")
    r = cli(["gate", "--baseline", str(base), str(root), flag, "-5%"])
    assert r.exit_code == 2, r.stdout
    assert f"{flag}:" in r.stderr and "-5%" in r.stderr and "hint:" in r.stderr
    assert cli(["gate", "--baseline", str(base), str(root), flag, "0%"]).exit_code == 0


@pytest.mark.parametrize("fmt", ["json", "markdown"])
def test_output_may_not_overwrite_a_log_or_source_input(
    tmp_path: Path, cli: Callable[..., Result], fmt: str
) -> None:
    root = write_project(tmp_path / "repo")
    base = _baseline(cli, root, tmp_path / "base.json")
    logs = tmp_path / "requests.jsonl"
    logs.write_bytes(LOGS.read_bytes())
    source = root / "app" / "chat.py"
    before = source.read_bytes()
    for argv in (
        ["snapshot", str(root), "--logs", str(logs), "-o", str(logs)],
        ["snapshot", str(source), "-o", str(source)],
        ["gate", "--baseline", str(base), str(root), "--logs", str(logs), "-o", str(logs)],
        ["gate", "--baseline", str(base), str(source), "-o", str(source)],
    ):
        r = cli([*argv, "--format", fmt])
        assert r.exit_code == 2, (argv, r.stderr)
        assert "--output names an input file" in r.stderr
    assert logs.read_bytes() == LOGS.read_bytes() and source.read_bytes() == before


def test_written_files_get_ordinary_permissions(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """Reports and baselines are not secrets: a new file gets 0666 & ~umask (not mkstemp's
    0600), and --update-baseline keeps the baseline's own mode."""
    root = write_project(tmp_path / "repo")
    base = _baseline(cli, root, tmp_path / "base.json")
    mask = os.umask(0)
    os.umask(mask)
    assert base.stat().st_mode & 0o777 == 0o666 & ~mask
    report = tmp_path / "gate.md"
    assert cli(["gate", "--baseline", str(base), str(root), "-o", str(report)]).exit_code == 0
    assert report.stat().st_mode & 0o777 == 0o666 & ~mask
    base.chmod(0o640)
    write_project(root, model="gpt-4o")
    r = cli(["gate", "--baseline", str(base), str(root), "--update-baseline"])
    assert r.exit_code == 0, r.stderr
    assert base.stat().st_mode & 0o777 == 0o640
