"""Benchmark: `llm-audit prompts` over this Python's standard library, beside ruff and semgrep.

    python benchmarks/bench_prompts.py [--semgrep PATH] [--ruff PATH] [--runs 3]

Prints files per second for each tool on the same tree (wall time, start-up included, the best
of N rounds after a warm-up round; the tools take turns within each round so that load from
other processes hits them alike), the ratio to semgrep (target: at least 5x) and the load
average. The semgrep run
uses rules comparable to ours (missing output cap, missing timeout, call in a loop, unsorted
json in a prompt), written to a temporary file.
"""

from __future__ import annotations

import argparse
import os
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


def _once(cmd: list[str], cwd: Path | None, env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, cwd=cwd, env=env
    )
    return time.perf_counter() - t


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", default=sysconfig.get_paths()["stdlib"])
    ap.add_argument("--semgrep", default=shutil.which("semgrep"))
    ap.add_argument("--ruff", default=shutil.which("ruff"))
    ap.add_argument("--runs", type=int, default=3)
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
    tools: list[tuple[str, list[str], Path | None]] = [
        ("llm-audit prompts", [exe, "prompts", str(tree), "-f", "json", "--exit-zero"], None)
    ]
    if args.ruff:
        ruff = [args.ruff, "check", "--select", "ALL", "--no-cache", "--exit-zero", "-q"]
        tools.append(("ruff check --select ALL", [*ruff, str(tree)], None))
    rules = work / "semgrep-rules.yaml"
    rules.write_text(SEMGREP_RULES)
    if args.semgrep:
        semgrep = [args.semgrep, "scan", "--config", str(rules), "--metrics=off"]
        semgrep += ["--disable-version-check", "--no-git-ignore", "--json", str(tree)]
        # semgrep reads .semgrepignore from the working directory
        tools.append(("semgrep (4 comparable rules)", semgrep, tree))
    # as installed: pip writes bytecode at install time, so Python tools start from .pyc; an
    # environment with PYTHONDONTWRITEBYTECODE would recompile every module on every run
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    for _name, cmd, cwd in tools:  # warm-up: writes the bytecode, fills the disk cache
        _once(cmd, cwd, env)
    load_before = _loadavg()
    best = {name: float("inf") for name, _, _ in tools}
    for _ in range(args.runs):
        for name, cmd, cwd in tools:
            best[name] = min(best[name], _once(cmd, cwd, env))
    load_after = _loadavg()
    shutil.rmtree(work, ignore_errors=True)
    ours = best["llm-audit prompts"]
    print(f"{n:,} Python files from {source}; {os.cpu_count()} CPUs; best of {args.runs}")
    print(f"load average before: {load_before}; after: {load_after}\n")
    print("| tool | seconds | files/s | llm-audit is |\n|---|---|---|---|")
    for name, secs in best.items():
        ratio = "-" if name == "llm-audit prompts" else f"{secs / ours:.1f}x faster"
        print(f"| {name} | {secs:.2f} | {n / secs:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()
