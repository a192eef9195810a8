"""Benchmark: `llm-audit prompts` over this Python's standard library, beside ruff and semgrep.

    python -m tests.prompts.bench_stdlib [--semgrep PATH] [--ruff PATH]

Prints files per second for each tool on the same tree (wall time, best of three, start-up
included). The semgrep run uses rules comparable to ours (missing output cap, missing timeout,
call in a loop, per-request value in a prompt), written to a temporary file.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

SEMGREP_RULES = """
rules:
  - id: openai-missing-max-tokens
    languages: [python]
    severity: WARNING
    message: no output cap
    patterns:
      - pattern: $C.chat.completions.create(...)
      - pattern-not: $C.chat.completions.create(..., max_tokens=$X, ...)
      - pattern-not: $C.chat.completions.create(..., max_completion_tokens=$X, ...)
  - id: openai-client-without-timeout
    languages: [python]
    severity: WARNING
    message: no timeout
    patterns:
      - pattern-either:
          - pattern: OpenAI(...)
          - pattern: Anthropic(...)
      - pattern-not: $F(..., timeout=$T, ...)
  - id: llm-call-in-loop
    languages: [python]
    severity: WARNING
    message: one request per item
    pattern: |
      for $X in $Y:
        ...
        $C.chat.completions.create(...)
  - id: json-dumps-unsorted-in-prompt
    languages: [python]
    severity: WARNING
    message: unstable serialisation in the prompt
    patterns:
      - pattern-inside: $C.chat.completions.create(...)
      - pattern: json.dumps($X)
"""


def _time(cmd: list[str], runs: int = 3, cwd: Path | None = None) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=cwd
        )
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", default=sysconfig.get_paths()["stdlib"])
    ap.add_argument("--semgrep", default=shutil.which("semgrep"))
    ap.add_argument("--ruff", default=shutil.which("ruff"))
    args = ap.parse_args()
    source = Path(args.tree)
    # a copy of the .py files only, with an empty .semgrepignore: semgrep otherwise skips
    # test folders and files not tracked by git, and the three tools must see the same tree
    work = Path(tempfile.mkdtemp(prefix="llm-audit-bench-"))
    tree = work / "stdlib"
    n = 0
    for p in source.rglob("*.py"):
        if "site-packages" in p.parts or not p.is_file():
            continue
        dest = tree / p.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, dest)
        n += 1
    (tree / ".semgrepignore").write_text("")
    exe = str(Path(sys.executable).with_name("llm-audit"))
    rows = [("llm-audit prompts", _time([exe, "prompts", str(tree), "-f", "json", "--exit-zero"]))]
    if args.ruff:
        rows.append(
            (
                "ruff check --select ALL",
                _time(
                    [
                        args.ruff,
                        "check",
                        "--select",
                        "ALL",
                        "--no-cache",
                        "--exit-zero",
                        "-q",
                        "--extend-exclude",
                        "site-packages",
                        str(tree),
                    ]
                ),
            )
        )
    if args.semgrep:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(SEMGREP_RULES)
        rows.append(
            (
                "semgrep (4 comparable rules)",
                _time(
                    [
                        args.semgrep,
                        "scan",
                        "--config",
                        f.name,
                        "--metrics=off",
                        "--disable-version-check",
                        "--no-git-ignore",
                        "--json",
                        str(tree),
                    ],
                    runs=3,
                    cwd=tree,  # semgrep reads .semgrepignore from the working directory
                ),
            )
        )
    shutil.rmtree(work, ignore_errors=True)
    print(f"{n:,} Python files from {source}\n")
    print("| tool | seconds | files/s |\n|---|---|---|")
    for name, secs in rows:
        print(f"| {name} | {secs:.2f} | {n / secs:,.0f} |")


if __name__ == "__main__":
    main()
