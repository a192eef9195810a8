"""Benchmark: `llm-audit logs` on a Claude Code transcript directory against `ccusage daily`.

Run: python benchmarks/bench_claude_code.py [--mb 200] [--dir PATH] [--ccusage BIN]

Generates (or takes) a ``projects/`` directory of Claude Code transcripts (formats.md 5e:
one JSONL file per session, one API message written as several lines, one per content
block, repeating its message id and request id; user prompts and tool results without
usage; summary lines; sidechain replays; a few ``<synthetic>`` and API-error lines), then in
the same run, so the machine's load hits both:

* ``ccusage daily --json --offline --timezone UTC`` with ``CLAUDE_CONFIG_DIR`` pointing at it;
* ``llm-audit logs DIR/projects --timezone UTC --format json``.

Prints both wall times, CPU seconds and peak RSS, the ratio, the load average, and whether
the per-day input, output, cache-creation and cache-read token totals are identical
(ccusage's ``inputTokens`` is Anthropic's uncached input, so ours is ``input_tokens -
cache_read - cache_write``).
ccusage comes from npm: ``npm install --prefix /tmp/ccusage ccusage@20.0.24``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODELS = ("claude-sonnet-4-5-20250929", "claude-opus-4-1-20250805", "claude-haiku-4-5-20251001")
FILLER = "def handler(event):\n    return {'status': 200, 'body': json.dumps(event)}\n"


def _line(session: str, project: str, kind: str, when: dt.datetime, **more: object) -> str:
    record: dict[str, object] = {
        "parentUuid": None,
        "isSidechain": False,
        "userType": "external",
        "cwd": f"/home/dev/{project}",
        "sessionId": session,
        "version": "2.0.14",
        "gitBranch": "main",
        "type": kind,
        "uuid": f"{random.getrandbits(128):032x}",
        "timestamp": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    record.update(more)
    return json.dumps(record, separators=(",", ":"))  # as Claude Code (JSON.stringify)


# Claude Code's own error replies (model "<synthetic>") carry all-zero usage: not API calls.
_ZERO_USAGE = {
    "input_tokens": 0,
    "output_tokens": 0,
    "cache_creation_input_tokens": 0,
    "cache_read_input_tokens": 0,
}


def _usage(rng: random.Random, output: int) -> dict[str, object]:
    write_5m = rng.choice((0, 0, rng.randint(100, 4000)))
    write_1h = rng.choice((0, 0, 0, rng.randint(100, 2000)))
    return {
        "input_tokens": rng.randint(1, 40),
        "cache_creation_input_tokens": write_5m + write_1h,
        "cache_read_input_tokens": rng.randint(0, 90_000),
        "cache_creation": {
            "ephemeral_5m_input_tokens": write_5m,
            "ephemeral_1h_input_tokens": write_1h,
        },
        "output_tokens": output,
        "service_tier": "standard",
    }


def _session(rng: random.Random, project: str, start: dt.datetime, turns: int) -> list[str]:
    session = f"{rng.getrandbits(128):032x}"
    summary = {"type": "summary", "summary": "Refactor", "leafUuid": session}
    lines = [json.dumps(summary, separators=(",", ":"))]
    when = start
    for _ in range(turns):
        when += dt.timedelta(seconds=rng.randint(5, 900))
        prompt = "Please fix the failing test in handlers.py. " * rng.randint(1, 20)
        lines.append(
            _line(session, project, "user", when, message={"role": "user", "content": prompt})
        )
        for _ in range(rng.randint(1, 4)):  # tool round trips
            mid = f"msg_01{rng.getrandbits(96):024x}"
            rid = f"req_011{rng.getrandbits(96):024x}"
            model = rng.choice(MODELS)
            final = rng.randint(20, 3000)
            usage = _usage(rng, final)
            blocks = [
                {
                    "type": "thinking",
                    "thinking": "Let me look. " * rng.randint(5, 60),
                    "signature": f"{rng.getrandbits(256):064x}",
                },
                {"type": "text", "text": "I'll read the file. " * rng.randint(1, 10)},
                {
                    "type": "tool_use",
                    "id": f"toolu_{rng.getrandbits(64):016x}",
                    "name": "Read",
                    "input": {"file_path": "/home/dev/x.py"},
                },
            ]
            blocks = blocks[rng.randint(0, 1) :]
            sidechain = rng.random() < 0.03
            for block in blocks:  # one line per content block, the same message and request
                when += dt.timedelta(milliseconds=rng.randint(50, 4000))
                lines.append(
                    _line(
                        session,
                        project,
                        "assistant",
                        when,
                        requestId=rid,
                        isSidechain=sidechain,
                        message={
                            "id": mid,
                            "type": "message",
                            "role": "assistant",
                            "model": model,
                            "content": [block],
                            "stop_reason": None,
                            "stop_sequence": None,
                            "usage": usage,
                        },
                    )
                )
            when += dt.timedelta(milliseconds=rng.randint(50, 2000))
            lines.append(
                _line(
                    session,
                    project,
                    "user",
                    when,
                    message={
                        "role": "user",
                        "content": [
                            {
                                "type": "tool_result",
                                "tool_use_id": "toolu_x",
                                "content": FILLER * rng.randint(1, 40),
                            }
                        ],
                    },
                )
            )
        if rng.random() < 0.02:  # an API error message: Claude Code writes a synthetic reply
            lines.append(
                _line(
                    session,
                    project,
                    "assistant",
                    when,
                    isApiErrorMessage=True,
                    message={
                        "id": f"msg_{rng.getrandbits(64):016x}",
                        "model": "<synthetic>",
                        "role": "assistant",
                        "content": [{"type": "text", "text": "API Error"}],
                        "usage": _ZERO_USAGE,
                    },
                )
            )
    return lines


def generate(root: Path, megabytes: int, seed: int = 11) -> None:
    """About ``megabytes`` MB of transcripts under ``root/projects``."""
    rng = random.Random(seed)
    random.seed(seed)
    target = megabytes * 1_000_000
    written = 0
    day0 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    i = 0
    while written < target:
        project = f"-home-dev-project-{i % 23:02d}"
        folder = root / "projects" / project
        folder.mkdir(parents=True, exist_ok=True)
        start = day0 + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 45))
        text = "\n".join(_session(rng, project, start, rng.randint(5, 60))) + "\n"
        (folder / f"session-{i:05d}.jsonl").write_text(text)
        written += len(text)
        i += 1


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, float, bytes]:
    """Wall seconds, CPU seconds (user + system, all threads) and peak RSS in MiB of the
    child (``os.wait4``, so its own figures), and its stdout."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, env=env)
        assert child.stdout is not None
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - t0
        child.returncode = code = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        child.stdout.close()
        if code not in (0, 1):
            err.seek(0)
            sys.stderr.write(err.read().decode()[-2000:])
            raise SystemExit(f"{argv[0]} failed with exit {code}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--dir", type=Path, help="a directory holding projects/ (else generated)")
    ap.add_argument("--ccusage", default="/tmp/ccusage/node_modules/.bin/ccusage")
    ap.add_argument("--rounds", type=int, default=3, help="best of N for each tool")
    args = ap.parse_args()
    root = args.dir or Path(f"/tmp/llm_audit_bench_claude_{args.mb}mb")
    if not (root / "projects").exists():
        t0 = time.perf_counter()
        generate(root, args.mb)
        print(f"generated {root} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    files = list((root / "projects").rglob("*.jsonl"))
    size = sum(f.stat().st_size for f in files)
    print(f"directory: {root}/projects  {size / 1e6:,.0f} MB in {len(files):,} files")
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"(cpus: {os.cpu_count()})"
    )
    env = {**os.environ, "TZ": "UTC", "CLAUDE_CONFIG_DIR": str(root), "NO_COLOR": "1"}
    cli = str(Path(sys.executable).with_name("llm-audit"))
    theirs_argv = [args.ccusage, "daily", "--json", "--offline", "--timezone", "UTC"]
    ours_argv = [cli, "logs", str(root / "projects"), "--timezone", "UTC", "--format", "json"]
    # tool -> (wall, cpu, peak MiB) of its fastest run
    best = {"ccusage": (float("inf"), 0.0, 0.0), "llm-audit": (float("inf"), 0.0, 0.0)}
    theirs_out = ours_out = b""
    for _ in range(args.rounds):  # alternate, so a burst of load hits both
        *run, theirs_out = _timed(theirs_argv, env)
        best["ccusage"] = min(best["ccusage"], tuple(run))  # type: ignore[assignment]
        *run, ours_out = _timed(ours_argv, env)
        best["llm-audit"] = min(best["llm-audit"], tuple(run))  # type: ignore[assignment]
    for name, label in (("ccusage", "ccusage daily --json --offline"),
                        ("llm-audit", "llm-audit logs (full analysis)")):
        wall, cpu, peak = best[name]
        print(f"{label}: {wall:6.2f} s wall, {cpu:5.2f} s CPU, {peak:,.0f} MiB peak "
              f"(fastest of {args.rounds})")
    print(f"speed-up: {best['ccusage'][0] / best['llm-audit'][0]:.2f}x  (target >= 2x)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    theirs = {
        d["period"]: (
            d["inputTokens"],
            d["outputTokens"],
            d["cacheCreationTokens"],
            d["cacheReadTokens"],
        )
        for d in json.loads(theirs_out)["daily"]
    }
    ours = {}
    for d in json.loads(ours_out)["cost_by"]["day"]:
        cached = d["cache_read_tokens"] + d["cache_write_tokens"]
        ours[d["day"]] = (
            d["input_tokens"] - cached,
            d["output_tokens"],
            d["cache_write_tokens"],
            d["cache_read_tokens"],
        )
    differ = sorted(k for k in theirs.keys() | ours.keys() if theirs.get(k) != ours.get(k))
    print(
        f"days: ccusage {len(theirs)}, llm-audit {len(ours)}; daily input/output/cache-create/"
        f"cache-read totals identical: {'yes' if not differ else 'NO'}"
    )
    for day in differ[:10]:
        print(f"  {day}: ccusage {theirs.get(day)}  llm-audit {ours.get(day)}")
    if differ:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
