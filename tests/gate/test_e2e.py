"""The CI gate end to end, in a real git repository: a costlier change fails, a cheaper one passes.

The repository commits its baseline (`llm-cost.json`) as a project would; the pull request's base
is also snapshotted from a `git worktree`, the way `action.yml` does it, and both give the same
call-site ids.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result
from tests.gate.helpers import write_project

GATE = """
[tool.llm-audit.gate]
max-increase = "10%"
max-call-increase = "25%"
max-unpriced-share = 0
"""
LONG_SYSTEM = (
    "You answer questions about orders. Be warm and precise. Quote the order number, the "
    "shipping carrier, the delivery estimate and the refund policy in full. If the customer is "
    "upset, apologise first. Never promise a refund you cannot see in the order history."
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_SYSTEM": os.devnull,
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def test_gate_in_a_git_repository(tmp_path: Path, cli: Callable[..., Result]) -> None:
    repo = write_project(tmp_path / "repo", gate=GATE)
    git(repo, "init", "-q", "-b", "main")
    r = cli(["snapshot", str(repo), "-o", str(repo / "llm-cost.json")])
    assert r.exit_code == 0, r.stderr
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "baseline")
    base_sha = git(repo, "rev-parse", "HEAD").strip()

    # the pull request: a bigger model, a longer prompt, no max_tokens
    git(repo, "checkout", "-q", "-b", "feature")
    write_project(repo, model="gpt-4o", cap=None, system=LONG_SYSTEM, gate=GATE)
    git(repo, "commit", "-q", "-am", "answer with gpt-4o")

    # the base of the pull request, checked out beside it (as action.yml does)
    base_tree = tmp_path / "base"
    git(repo, "worktree", "add", "-q", "--detach", str(base_tree), base_sha)
    base_json = tmp_path / "base.json"
    assert cli(["snapshot", str(base_tree), "-o", str(base_json)]).exit_code == 0
    committed = json.loads(git(repo, "show", f"{base_sha}:llm-cost.json"))
    fresh = json.loads(base_json.read_text())
    assert [s["id"] for s in fresh["sites"]] == [s["id"] for s in committed["sites"]]

    comment = tmp_path / "comment.md"
    r = cli(
        [
            "gate",
            "--baseline",
            str(base_json),
            str(repo),
            "--format",
            "markdown",
            "-o",
            str(comment),
        ]
    )
    assert r.exit_code == 1, r.stderr
    text = comment.read_text()
    assert text.startswith("## LLM cost gate: FAILED")
    assert "- **total**: $" in text
    assert "max-increase" in text and "max-call-increase" in text and "| FAIL |" in text
    assert "gpt-4o-mini -> gpt-4o" in text
    assert "output 100 (max_tokens) -> 500 (default: no output cap in the code)" in text
    assert "static prompt" in text

    doc = json.loads(
        cli(
            ["gate", "--baseline", str(repo / "llm-cost.json"), str(repo), "--format", "json"]
        ).stdout
    )
    (change,) = doc["changes"]
    assert [e["cause"] for e in change["effects"]] == ["model", "prompt tokens", "output tokens"]
    assert all(e["per_month"] > 0 for e in change["effects"])
    assert change["head"]["input_tokens"] > change["base"]["input_tokens"]
    failed = {c["threshold"] for c in doc["checks"] if not c["passed"]}
    assert failed == {"max-increase", "max-call-increase"}
    assert doc["totals"]["code_delta_monthly"] == pytest.approx(
        sum(e["per_month"] for e in change["effects"])
    )

    # a change that lowers the cost passes
    write_project(repo, model="gpt-4o-mini", cap=50, gate=GATE)
    git(repo, "commit", "-q", "-am", "back to gpt-4o-mini, shorter answers")
    r = cli(["gate", "--baseline", str(base_json), str(repo), "--format", "markdown"])
    assert r.exit_code == 0, r.stdout
    assert r.stdout.startswith("## LLM cost gate: passed")
    assert "output 100 (max_tokens) -> 50 (max_tokens)" in r.stdout
    assert "| FAIL |" not in r.stdout
