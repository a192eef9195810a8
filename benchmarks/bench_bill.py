"""Benchmark: `llm-audit bill` on 1,000,000-row exports against a bare pandas read + group-by.

Run: python benchmarks/bench_bill.py [ROWS [ROUNDS]]. Writes (once, under /tmp, never committed) an
OpenAI dashboard usage export CSV and an Anthropic Console cost export CSV with the columns of
formats.md 1a and 2a, then runs, each in its own child process and in the same run:

* ``llm-audit bill FILE --format json`` (the whole report), and
* a bare script: ``pandas.read_csv(FILE)`` + a group-by model of the token / cost columns.

The two alternate ROUNDS times (default 3; the machine's load moves timings): it prints each
round with the load average, then for both the best wall time, rows/s and peak memory (max
RSS of the child, from ``wait4``) and CPU seconds (user + system: what the run costs when the
machine's other work takes cores from it), and the ratio of the best wall times. The target
(issue #3) is a ratio of at most 1.5.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path("/tmp/llm-audit-bench")
CLI = [sys.executable, "-m", "llm_audit"]
BARE = """
import sys
import pandas as pd
df = pd.read_csv(sys.argv[1])
print(df.groupby(sys.argv[2])[sys.argv[3].split(",")].sum().sum().sum())
"""
OPENAI_MODELS = [
    "gpt-4o-2024-08-06",
    "gpt-4o-mini-2024-07-18",
    "gpt-4.1-2025-04-14",
    "gpt-4.1-mini-2025-04-14",
    "o3-2025-04-16",
    "o4-mini-2025-04-16",
    "gpt-5-2025-08-07",
    "gpt-5-mini-2025-08-07",
]
ANTHROPIC_MODELS = [
    "Claude Sonnet 4.5",
    "Claude Haiku 4.5",
    "Claude Opus 4.1",
    "Claude Sonnet 4",
    "Claude Opus 4.5",
]
ANTHROPIC_KINDS = [
    "input_no_cache",
    "input_cache_read",
    "input_cache_write_5m",
    "input_cache_write_1h",
    "output",
]


def openai_usage_csv(n: int, path: Path) -> None:
    """formats.md 1a: 1-minute buckets grouped by project, user, key, model, batch, tier."""
    rng = np.random.default_rng(1)
    start = 1_772_409_600 + 60 * np.sort(rng.integers(0, 30 * 24 * 60, n))
    iso = pd.to_datetime(start, unit="s", utc=True).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    end_iso = pd.to_datetime(start + 60, unit="s", utc=True).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    requests = rng.integers(1, 40, n).astype("float64")
    inp = requests * rng.integers(200, 6000, n)
    cached = np.floor(inp * rng.choice([0.0, 0.0, 0.3, 0.6], n))
    out = requests * rng.integers(20, 900, n)
    batch = rng.random(n) < 0.1
    model = np.array(OPENAI_MODELS)[rng.integers(0, len(OPENAI_MODELS), n)]
    # Flex processing exists for o3, o4-mini and the gpt-5 family only (formats.md 6).
    flexible = np.isin(model, [m for m in OPENAI_MODELS if m.startswith(("o3", "o4", "gpt-5"))])
    flex = flexible & ~batch & (rng.random(n) < 0.3)
    df = pd.DataFrame(
        {
            "start_time": start,
            "end_time": start + 60,
            "start_time_iso": iso,
            "end_time_iso": end_iso,
            "project_id": np.array([f"proj_{i:02d}" for i in range(20)])[rng.integers(0, 20, n)],
            "num_model_requests": requests,
            "user_id": np.array([f"user-{i:04d}" for i in range(500)])[rng.integers(0, 500, n)],
            "api_key_id": np.array([f"key_{i:02d}" for i in range(30)])[rng.integers(0, 30, n)],
            "model": model,
            "batch": np.where(batch, "TRUE", "FALSE"),
            "service_tier": np.where(flex, "flex", "default"),
            "input_tokens": inp,
            "output_tokens": out,
            "input_cached_tokens": cached,
            "input_uncached_tokens": inp - cached,
            "input_text_tokens": inp,
            "output_text_tokens": out,
            "input_cached_text_tokens": cached,
            "input_audio_tokens": 0.0,
            "input_cached_audio_tokens": 0.0,
            "output_audio_tokens": 0.0,
            "input_image_tokens": 0.0,
            "input_cached_image_tokens": 0.0,
            "output_image_tokens": 0.0,
        }
    )
    df.to_csv(path, index=False)


def anthropic_cost_csv(n: int, path: Path) -> None:
    """formats.md 2a, current column set: display names, dollars, many 0.00 rows."""
    rng = np.random.default_rng(2)
    day = pd.Timestamp("2026-03-01") + pd.to_timedelta(np.sort(rng.integers(0, 30, n)), "D")
    cost = np.round(rng.exponential(2.0, n) * (rng.random(n) > 0.3), 6)
    keys = rng.integers(0, 40, n)
    df = pd.DataFrame(
        {
            "usage_date_utc": day.strftime("%Y-%m-%d"),
            "model": np.array(ANTHROPIC_MODELS)[rng.integers(0, len(ANTHROPIC_MODELS), n)],
            "workspace": np.array(["Default", "Claude Code", "Batch jobs", "Eval"])[keys % 4],
            "api_key": np.array([f"key-{i:02d}" for i in range(40)])[keys],
            "usage_type": "message",
            "context_window": "≤ 200k",
            "token_type": np.array(ANTHROPIC_KINDS)[rng.integers(0, len(ANTHROPIC_KINDS), n)],
            "cost_usd": cost,
            "list_price_usd": cost,
            "cost_type": "token",
            "inference_geo": "not_available",
            "speed": "",
            "api_key_id": np.array([f"apikey_01{i:02d}" for i in range(40)])[keys],
            "api_key_status": "active",
        }
    )
    df.to_csv(path, index=False, float_format="%.6f")


def run(argv: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, int, float]:
    """Wall seconds, peak RSS in MB and CPU seconds (user + system) of one child process,
    whose exit code must be one of ``ok`` (a crashed baseline would look very fast)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        sys.exit(f"{' '.join(argv)} failed ({code}):\n{err}")
    return wall, int(usage.ru_maxrss // 1024), usage.ru_utime + usage.ru_stime


def bench(label: str, path: Path, rows: int, group: str, cols: str, rounds: int) -> float:
    """Both runs alternate ``rounds`` times; each round's figures and the best of each."""
    print(f"{label}: {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB")
    results: dict[str, list[tuple[float, int, float]]] = {"llm-audit bill": [], "bare pandas": []}
    for i in range(rounds):
        load = Path("/proc/loadavg").read_text().split()[0]
        results["llm-audit bill"].append(
            run([*CLI, "bill", str(path), "--format", "json"], ok=(0, 1))
        )
        results["bare pandas"].append(run([sys.executable, "-c", BARE, str(path), group, cols]))
        ours, bare = results["llm-audit bill"][-1], results["bare pandas"][-1]
        print(
            f"  round {i + 1} (load {load}): ours {ours[0]:.2f} s (cpu {ours[2]:.2f}), "
            f"bare {bare[0]:.2f} s (cpu {bare[2]:.2f}), ratio {ours[0] / bare[0]:.2f}"
        )
    for name, runs in results.items():
        wall = min(r[0] for r in runs)
        rss = max(r[1] for r in runs)
        cpu = min(r[2] for r in runs)
        print(
            f"  {name:15} best {wall:6.2f} s  {rows / wall:>10,.0f} rows/s  peak {rss:,} MB"
            f"  cpu {cpu:.2f} s"
        )
    ratio = min(r[0] for r in results["llm-audit bill"]) / min(r[0] for r in results["bare pandas"])
    print(f"  ratio best ours / best bare: {ratio:.2f} (target <= 1.5)")
    return ratio


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    OUT.mkdir(exist_ok=True)
    usage = OUT / f"completions_usage_{n}.csv"
    cost = OUT / f"claude_api_cost_{n}.csv"
    if not usage.exists():
        openai_usage_csv(n, usage)
    if not cost.exists():
        anthropic_cost_csv(n, cost)
    print(f"loadavg: {Path('/proc/loadavg').read_text().split()[:3]}")
    ratios = [
        bench("OpenAI usage CSV", usage, n, "model", "input_tokens,output_tokens", rounds),
        bench("Anthropic cost CSV", cost, n, "model", "cost_usd", rounds),
    ]
    print(f"loadavg: {Path('/proc/loadavg').read_text().split()[:3]}")
    print(f"worst ratio: {max(ratios):.2f}")


if __name__ == "__main__":
    main()
