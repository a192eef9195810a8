"""Benchmark: `llm-audit logs` on a log larger than memory should be: 10,000,000 rows, peak RSS.

Run: python benchmarks/bench_logs_chunked.py [--rows 10000000] [--file PATH] [--keep]

Builds (or takes) a JSONL file of bare ``chat.completion`` objects: one million generated
lines (``bench_logs.generate``) written ``rows / 1M`` times over, each copy with its own
request ids (so none is a duplicate) and its own day range. Then runs
``llm-audit logs FILE --format json`` in a subprocess and prints wall seconds, rows/s and
the child's peak RSS (``os.wait4``), against the 2 GiB target, and the load average. The
file is read in 64 MB blocks (``ingest/logs/stream.py``): its size does not bound memory,
the rows kept per request do.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_logs import generate, measure_cpu  # a script beside this one

TARGET_MIB = 2048
SEED_ROWS = 1_000_000


def build(path: Path, rows: int) -> None:
    """``rows`` lines: the seed million repeated, ids and timestamps shifted per copy."""
    seed = Path(f"/tmp/llm_audit_bench_bare_{SEED_ROWS}.jsonl")
    if not seed.exists():
        generate(seed, SEED_ROWS)
    data = seed.read_bytes()
    copies, rest = divmod(rows, SEED_ROWS)
    with path.open("wb") as out:
        for k in range(copies + (1 if rest else 0)):
            # "chatcmpl-" -> "chatcmpl-kK": unique ids per copy; "created": 1793... ->
            # a later month per copy (same width, so line lengths barely change).
            chunk = data.replace(b'"id": "chatcmpl-', f'"id": "chatcmpl-k{k}'.encode())
            chunk = chunk.replace(b'"created": 179', f'"created": {179 + k}'.encode())
            if k == copies:  # the partial last copy
                chunk = b"".join(chunk.splitlines(keepends=True)[:rest])
            out.write(chunk)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--file", type=Path, help="an existing JSONL file (else one is built)")
    ap.add_argument("--keep", action="store_true", help="keep the built file")
    args = ap.parse_args()
    path = args.file or Path(f"/tmp/llm_audit_bench_bare_{args.rows}.jsonl")
    built = False
    if not path.exists():
        t0 = time.perf_counter()
        build(path, args.rows)
        built = True
        print(f"built {path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    size = path.stat().st_size
    print(f"file: {path}  {size / 1e9:,.2f} GB  {args.rows:,} rows (stated, not counted)")
    print(
        f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"(cpus: {os.cpu_count()})"
    )
    cli = str(Path(sys.executable).with_name("llm-audit"))
    seconds, cpu, peak, code, err = measure_cpu([cli, "logs", str(path), "--format", "json"])
    if code not in (0, 1):
        raise SystemExit(f"llm-audit failed (exit {code}): {err}")
    print(
        f"llm-audit logs (full analysis): {seconds:7.1f} s  cpu {cpu:.1f} s  "
        f"{args.rows / seconds:,.0f} rows/s  "
        f"peak RSS {peak:,.0f} MiB  (target < {TARGET_MIB} MiB: "
        f"{'met' if peak < TARGET_MIB else 'NOT met'})"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if built and not args.keep:
        path.unlink()


if __name__ == "__main__":
    main()
