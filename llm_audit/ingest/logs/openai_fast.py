"""The fast path for big files of bare OpenAI Chat Completions objects (Arrow's JSON reader).

A million ``chat.completion`` lines take about a minute through ``json.loads`` and a dict per
row; Arrow's multi-threaded C++ reader parses them in seconds, reading the file by path (no
decoded copy of the text in memory). The result is the same usage table the openai-jsonl
reader builds (token semantics in ``_common.openai_chat_usage``: counts pass through).

Only plain files above ``FAST_MIN_BYTES`` whose first line is a bare ``chat.completion`` take
this path. Anything Arrow cannot read in one schema (a broken line, mixed objects, blank
lines that would shift line numbers) falls back to the line-by-line reader, which reports
the exact ``file:line``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

FAST_MIN_BYTES = 32 * 1024 * 1024
_LISTED = 20


def _first_line(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(256 * 1024).split(b"\n", 1)[0]


def _count_lines(path: Path) -> int:
    lines, last = 0, b"\n"
    with path.open("rb") as f:
        while chunk := f.read(16 * 1024 * 1024):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (0 if last == b"\n" else 1)


def eligible(path: Path) -> bool:
    try:
        if not path.is_file() or path.stat().st_size < FAST_MIN_BYTES:
            return False
        head = _first_line(path)
    except OSError:
        return False
    if head[:2] == b"\x1f\x8b" or head[:4] == b"PK\x03\x04" or head[:3] == b"\xef\xbb\xbf":
        return False
    try:
        first = json.loads(head)
    except ValueError:
        return False
    return isinstance(first, dict) and first.get("object") == "chat.completion" and (
        "response" not in first)


def _field(col: Any, *names: str) -> Any:
    """A nested struct field, or None when the schema has no such field."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in names:
        if col is None or not pa.types.is_struct(col.type) or col.type.get_field_index(
                name) < 0:
            return None
        col = pc.struct_field(col, name)
    return col


def read_fast(path: Path) -> pd.DataFrame | None:
    """The usage table of ``path``, or None when the line-by-line reader must do it."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj

    from llm_audit.usage import schema

    i, s = pa.int64(), pa.string()
    # Only the fields the usage table needs: Arrow skips the rest (message content, logprobs)
    # while parsing, which keeps a million rows in tens of MB.
    wanted = pa.schema([
        ("id", s), ("object", s), ("created", i), ("model", s), ("service_tier", s),
        ("choices", pa.list_(pa.struct([("finish_reason", s)]))),
        ("usage", pa.struct([
            ("prompt_tokens", i), ("completion_tokens", i),
            ("prompt_tokens_details", pa.struct([("cached_tokens", i),
                                                 ("cache_write_tokens", i)])),
            ("completion_tokens_details", pa.struct([("reasoning_tokens", i)]))])),
    ])
    options = pj.ParseOptions(explicit_schema=wanted, unexpected_field_behavior="ignore")
    try:
        table: pa.Table = pj.read_json(path, parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError):
        return None
    n = table.num_rows
    if n != _count_lines(path) or "usage" not in table.column_names:
        return None
    objects = pc.unique(table.column("object").combine_chunks()).to_pylist()
    if objects != ["chat.completion"]:
        return None
    usage = table.column("usage").combine_chunks()

    def ints(*names: str) -> np.ndarray:
        col = _field(usage, *names)
        if col is None:
            return np.zeros(n, dtype="int64")
        return np.asarray(pc.fill_null(col.cast(pa.int64()), 0).to_numpy(zero_copy_only=False))

    def strings(name: str) -> pd.Series:
        if name not in table.column_names:
            return pd.Series(pd.NA, index=range(n), dtype="string")
        return pd.Series(table.column(name).combine_chunks().to_pandas(), dtype="string")

    finish = pd.Series(pd.NA, index=range(n), dtype="string")
    if "choices" in table.column_names:
        # The first choice's finish reason; a line may have no choices at all.
        firsts = pc.list_slice(table.column("choices").combine_chunks(), 0, 1)
        reason = _field(pc.list_flatten(firsts), "finish_reason")
        if reason is not None:
            values = np.full(n, None, dtype=object)
            values[np.asarray(pc.list_parent_indices(firsts))] = reason.to_numpy(
                zero_copy_only=False)
            finish = pd.Series(values, dtype="string")
    tier = strings("service_tier").fillna("standard")
    frame = pd.DataFrame({
        "timestamp": pd.to_datetime(table.column("created").combine_chunks().to_numpy(
            zero_copy_only=False), unit="s", utc=True),
        "provider": "openai",
        "model_raw": strings("model"),
        "requests": 1,
        "input_tokens": ints("prompt_tokens"),
        "cache_read_tokens": ints("prompt_tokens_details", "cached_tokens"),
        "cache_write_5m_tokens": ints("prompt_tokens_details", "cache_write_tokens"),
        "cache_write_1h_tokens": 0,
        "output_tokens": ints("completion_tokens"),
        "reasoning_tokens": ints("completion_tokens_details", "reasoning_tokens"),
        "service_tier": tier,
        "request_id": strings("id"),
        "finish_reason": finish,
        "status": "success",
        "source_file": str(path),
        "source_line": np.arange(1, n + 1),
    })
    no_usage = np.asarray(usage.is_null().to_numpy(zero_copy_only=False))
    skipped = [f"{path}:{i + 1}: response without usage"
               for i in np.flatnonzero(no_usage)[:_LISTED]]
    if no_usage.any():
        frame = frame[~no_usage]
    df = schema.normalize(frame.reset_index(drop=True))
    df.attrs["bad_lines"] = []
    df.attrs["skipped"] = skipped
    return df
