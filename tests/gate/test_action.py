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
    """The step as a runner runs it: `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`
    (GitHub's documented template), so a command that fails stops the script there."""
    assert STEPS[step]["shell"] == "bash"
    script = Path(env.get("RUNNER_TEMP") or cwd) / f"step-{abs(hash(step))}.sh"
    script.write_text(STEPS[step]["run"])
    argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)


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
    patched = _run(
        "Create or update the pull-request comment", repo, {**env, "FAKE_IDS": "4242\n77\n"}
    )
    assert patched.returncode == 0, patched.stderr
    log = (tmp_path / "gh.log").read_text().splitlines()
    assert log[-1].startswith("api --method PATCH repos/acme/shop/issues/comments/4242")
    assert sum("POST" in line for line in log) == 1


def _comment_env(tmp_path: Path, gh: str, comment: str) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "gh").write_text(gh)
    (bin_dir / "gh").chmod(0o755)
    (tmp_path / "comment.md").write_text(comment)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}" + os.environ.get("PATH", ""),
        "GH_LOG": str(tmp_path / "gh.log"),
        "GH_BODY": str(tmp_path / "body.md"),
        "FAKE_IDS": "",
        "REPO": "acme/shop",
        "PR": "7",
        "COMMENT_FILE": str(tmp_path / "comment.md"),
    }


def test_a_long_comment_is_cut_to_what_github_accepts(tmp_path: Path) -> None:
    """GitHub refuses comments over 65,536 characters (a price change touching every call site
    lists them all): the comment is cut with a pointer to the job summary, which has it whole."""
    row = "| app/x.py:1 f | changed | gpt-4o → gpt-4.1 | $0.01 -> $0.02 | — |\n"
    report = "## LLM cost gate: passed\n\n" + row * 2000
    env = _comment_env(tmp_path, FAKE_GH, report)
    r = _run("Create or update the pull-request comment", tmp_path, env)
    assert r.returncode == 0, r.stderr
    body = (tmp_path / "body.md").read_text()
    assert len(body) <= 65_536
    assert body.startswith("<!-- llm-audit-gate -->\n\n## LLM cost gate: passed")
    assert "the comment is cut here" in body and "job summary" in body
    short = "## LLM cost gate: passed\n\nno call site changed\n"
    (tmp_path / "comment.md").write_text(short)
    assert _run("Create or update the pull-request comment", tmp_path, env).returncode == 0
    assert (tmp_path / "body.md").read_text() == "<!-- llm-audit-gate -->\n\n" + short.rstrip("\n")


def test_a_comment_that_cannot_be_posted_warns_and_the_gate_decides(tmp_path: Path) -> None:
    """A fork's pull request gets a read-only token: say so, and let the gate's exit code fail
    or pass the job (not a 403 from the comment step)."""
    failing = FAKE_GH.replace(
        'for a in "$@"',
        'echo "HTTP 403: Resource not accessible by integration" >&2; exit 1\nfor a in "$@"',
    )
    env = _comment_env(tmp_path, failing, "## LLM cost gate: passed\n")
    r = _run("Create or update the pull-request comment", tmp_path, env)
    assert r.returncode == 0, r.stderr
    assert "::warning::" in r.stdout and "pull-requests: write" in r.stdout
