"""Benchmark: `llm-audit logs` on 1,000,000 OpenAI chat-completion objects against DuckDB.

Run: python benchmarks/bench_logs.py [--rows N] [--file PATH] [--wrapped] [--keep]

Generates (or takes) a JSONL file of bare ``chat.completion`` objects (about 830 bytes a line,
so ~830 MB for a million), then, in the same run so the machine's load hits both:

* ``llm-audit logs FILE --format json`` in a subprocess: the full analysis (read, price,
  every section of the report);
* DuckDB's bare ``read_json`` of the same file in a subprocess (every column materialised
  into a table), the yardstick.

Prints wall seconds, rows/s and peak RSS of each (``os.wait4`` of the child), the ratio, and
the load average. ``--wrapped`` writes the request/response wrapper with prompts instead (the
shared-prefix and duplicate analyses then run too). DuckDB is only a yardstick: it is in the
``bench`` extra (``pip install -e '.[bench]'``), not a runtime dependency.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

MODELS = ("gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06", "gpt-4.1-mini", "o4-mini", "gpt-5")
FEATURES = ("support-reply", "classify-ticket", "summarize-thread", "nightly-report", "search")
_TEXT = (
    "the order ships within two business days and the refund is processed after we receive "
    "the item back in its original packaging please keep the receipt"
)
WORDS = tuple(_TEXT.split())
SYSTEM = (
    "You are the support assistant of an online shop. Policy: refunds within 30 days need "
    "an order number; escalate billing disputes over $500 to a human; never share "
    "another customer's data; answer in the customer's language. "
) * 6


def _completion(rng: random.Random, i: int, created: int) -> dict[str, object]:
    model = MODELS[i % len(MODELS)]
    prompt = rng.randint(200, 6000)
    cached = rng.choice((0, 0, 1024, 2048)) if prompt > 2048 else 0
    out = rng.randint(5, 900)
    reasoning = rng.randint(0, out) if model in ("o4-mini", "gpt-5") else 0
    words = rng.randint(40, 70)
    return {
        "id": f"chatcmpl-{i:012d}{rng.getrandbits(64):016x}",
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": " ".join(rng.choice(WORDS) for _ in range(words)),
                    "refusal": None,
                    "annotations": [],
                },
                "logprobs": None,
                "finish_reason": "length" if out > 880 else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": out,
            "total_tokens": prompt + out,
            "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": reasoning,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        # Flex is sold for the o-series and GPT-5 only: a realistic log has it nowhere else.
        "service_tier": rng.choice(("default", "default", "default", "flex"))
        if model in ("o4-mini", "gpt-5")
        else "default",
        "system_fingerprint": "fp_" + f"{rng.getrandbits(40):010x}",
    }


def generate(path: Path, rows: int, *, wrapped: bool = False, seed: int = 7) -> None:
    """``rows`` lines of realistic chat.completion objects (bare, or wrapped with a prompt)."""
    rng = random.Random(seed)
    start = 1_793_577_600  # 2026-11-02 UTC
    with path.open("w") as f:
        for i in range(rows):
            created = start + i * 2  # about 23 days for a million rows
            obj = _completion(rng, i, created)
            if wrapped:
                feature = FEATURES[i % len(FEATURES)]
                question = f"Where is my order {rng.randint(1, 10**6)}? " * rng.randint(1, 4)
                messages = [
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": question},
                ]
                if i % 7 == 0:  # variable content before the static block
                    messages.reverse()
                line: dict[str, object] = {
                    "timestamp": created,
                    "request": {
                        "model": obj["model"],
                        "messages": messages,
                        "stream": i % 3 == 0,
                        "max_completion_tokens": 1024 if i % 4 else None,
                    },
                    "response": obj,
                    "latency_ms": rng.randint(300, 9000),
                    "ttft_ms": rng.randint(80, 290) if i % 3 == 0 else None,
                    "user": f"user_{rng.randint(1, 5000):05d}",
                    "feature": feature,
                    "trace_id": f"t{i // 8}",
                }
            else:
                line = obj
            f.write(json.dumps(line) + "\n")


def measure(argv: list[str]) -> tuple[float, float, int, str]:
    """Like ``run``, but the peak RSS is this child's alone (a wrapper process reports it)."""
    seconds, _, peak, code, err = measure_cpu(argv)
    return seconds, peak, code, err


def measure_cpu(argv: list[str]) -> tuple[float, float, float, int, str]:
    """(wall s, CPU s (user + system, all threads), peak RSS MiB, exit code, stderr tail) of
    one child process."""
    wrapper = (
        "import os,subprocess,sys,time\n"
        "t=time.perf_counter()\n"
        "p=subprocess.Popen(sys.argv[1:],stdout=subprocess.DEVNULL,"
        "stderr=subprocess.PIPE)\n"
        "err=p.stderr.read()\n"
        "_,st,ru=os.wait4(p.pid,0)\n"
        "dt=time.perf_counter()-t\n"
        "sys.stderr.buffer.write(err[-400:])\n"
        "print(dt,ru.ru_utime+ru.ru_stime,ru.ru_maxrss,os.waitstatus_to_exitcode(st))\n"
    )
    done = subprocess.run([sys.executable, "-c", wrapper, *argv], capture_output=True, check=False)
    seconds, cpu, peak_kib, code = done.stdout.decode().split()
    return float(seconds), float(cpu), int(peak_kib) / 1024, int(code), done.stderr.decode()


DUCKDB = (
    "import duckdb,sys\n"
    "con=duckdb.connect()\n"
    'con.execute("CREATE TABLE t AS SELECT * FROM read_json(?)", [sys.argv[1]])\n'
    "print(con.execute('SELECT count(*) FROM t').fetchone()[0])\n"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--file", type=Path, help="an existing JSONL file (else one is generated)")
    ap.add_argument("--wrapped", action="store_true", help="request/response wrapper + prompts")
    ap.add_argument("--keep", action="store_true", help="keep the generated file")
    ap.add_argument(
        "--rounds", type=int, default=3, help="runs of each, alternating; the best is kept"
    )
    args = ap.parse_args()
    path = args.file
    generated = False
    if path is None:
        kind = "wrapped" if args.wrapped else "bare"
        path = Path(f"/tmp/llm_audit_bench_{kind}_{args.rows}.jsonl")
        if not path.exists():
            t0 = time.perf_counter()
            generate(path, args.rows, wrapped=args.wrapped)
            print(f"generated {path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            generated = True
    size = path.stat().st_size
    rows = sum(1 for _ in path.open("rb"))
    cli = str(Path(sys.executable).with_name("llm-audit"))
    print(f"file: {path}  {size / 1e6:,.0f} MB  {rows:,} lines")
    print(
        f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
        f"{os.getloadavg()[2]:.2f}  (cpus: {os.cpu_count()})"
    )
    runs = (
        ("llm-audit logs (full analysis)", [cli, "logs", str(path), "--format", "json"]),
        ("duckdb read_json (bare read)", [sys.executable, "-c", DUCKDB, str(path)]),
    )
    results = {name: float("inf") for name, _ in runs}
    cpus = {name: float("inf") for name, _ in runs}
    peaks = {name: 0.0 for name, _ in runs}
    for k in range(args.rounds):  # alternate, so a burst of load from elsewhere hits both
        for name, argv in runs:
            seconds, cpu, peak, code, err = measure_cpu(argv)
            if code not in (0, 1):
                print(f"{name} failed (exit {code}): {err}", file=sys.stderr)
                raise SystemExit(2)
            load = " ".join(f"{x:.2f}" for x in os.getloadavg())
            print(f"  round {k + 1}: {name:32s} {seconds:6.2f} s  cpu {cpu:6.2f} s  "
                  f"peak {peak:,.0f} MiB  load {load}")
            results[name] = min(results[name], seconds)
            cpus[name] = min(cpus[name], cpu)
            peaks[name] = max(peaks[name], peak)
    for name, seconds in results.items():
        print(
            f"{name:32s} {seconds:7.2f} s  {rows / seconds:>11,.0f} rows/s  "
            f"cpu {cpus[name]:.2f} s  peak RSS {peaks[name]:,.0f} MiB  (best of {args.rounds})"
        )
    ours, duck = results.values()
    print(f"ratio llm-audit / duckdb: {ours / duck:.2f}x  (target <= 2x; peak target 1536 MiB)")
    print(
        f"load average after:  {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
        f"{os.getloadavg()[2]:.2f}"
    )
    if generated and not args.keep:
        path.unlink()


if __name__ == "__main__":
    main()
