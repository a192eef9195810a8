"""action.yml: its steps run as written (base snapshot, gate, one comment found by its marker).

The step scripts take everything from environment variables, so they run here under bash with a
stand-in `gh` that records what it was asked to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tests.gate.helpers import write_project
from tests.gate.test_e2e import git

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = {s.get("name", ""): s for s in ACTION["runs"]["steps"]}
FAKE_GH = """#!/bin/bash
echo "$1 $2 $3 $4" >> "$GH_LOG"
if [ "$2" = --paginate ]; then printf '%s' "$FAKE_IDS"; exit 0; fi
for a in "$@"; do case "$a" in body=*) printf '%s' "${a#body=}" > "$GH_BODY";; esac; done
"""

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or shutil.which("bash") is None, reason="needs git and bash"
)


def _run(step: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = STEPS[step]["run"]
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True)


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_the_action_is_composite_and_names_its_inputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["inputs"]) >= {"paths", "baseline", "args", "logs", "github-token"}
    for step in ACTION["runs"]["steps"]:
        # inputs reach scripts through env only (no expression is pasted into shell code)
        assert "${{" not in step.get("run", "")


def test_base_gate_and_one_comment(tmp_path: Path) -> None:
    repo = write_project(tmp_path / "repo")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    base_sha = git(repo, "rev-parse", "HEAD").strip()
    write_project(repo, model="gpt-4o", cap=None)
    git(repo, "commit", "-q", "-am", "bigger model")

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    temp = tmp_path / "runner"
    temp.mkdir()
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}"
        + os.environ.get("PATH", ""),
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(tmp_path / "out.txt"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GH_LOG": str(tmp_path / "gh.log"),
        "GH_BODY": str(tmp_path / "body.md"),
        "REPO": "acme/shop",
        "PR": "7",
        "COMMENT_FILE": str(temp / "llm-audit-comment.md"),
    }
    base = _run(
        "Snapshot the base of the pull request",
        repo,
        {**env, "BASELINE": "", "PATHS": ".", "BASE_SHA": base_sha},
    )
    assert base.returncode == 0, base.stderr
    base_file = _outputs(tmp_path / "out.txt")["file"]
    assert Path(base_file).is_file() and not (temp / "llm-audit-base").exists()

    gate = _run(
        "Gate the head",
        repo,
        {**env, "BASELINE_FILE": base_file, "PATHS": ".", "ARGS": "--max-increase 10%", "LOGS": ""},
    )
    assert gate.returncode == 0, gate.stderr  # the failing step comes after the comment
    assert _outputs(tmp_path / "out.txt")["exit-code"] == "1"
    assert "LLM cost gate: FAILED" in (tmp_path / "summary.md").read_text()

    # no comment yet: one is created
    posted = _run("Create or update the pull-request comment", repo, {**env, "FAKE_IDS": ""})
    assert posted.returncode == 0, posted.stderr
    log = (tmp_path / "gh.log").read_text().splitlines()
    assert log[-1].startswith("api --method POST repos/acme/shop/issues/7/comments")
    body = (tmp_path / "body.md").read_text()
    assert body.startswith("<!-- llm-audit-gate -->\n\n## LLM cost gate: FAILED")
    assert "gpt-4o-mini -> gpt-4o" in body
    # the marked comment exists: it is updated, not duplicated
    patched = _run("Create or update the pull-request comment", repo, {**env, "FAKE_IDS": "4242\n"})
    assert patched.returncode == 0, patched.stderr
    log = (tmp_path / "gh.log").read_text().splitlines()
    assert log[-1].startswith("api --method PATCH repos/acme/shop/issues/comments/4242")
    assert sum("POST" in line for line in log) == 1
