"""The fast path for blocks of bare OpenAI Chat Completions objects (Arrow's JSON reader).

A million ``chat.completion`` lines take about a minute through ``json.loads`` and a dict per
row; Arrow's C++ reader parses a block of them in one call, keeping only the fields the usage
table needs (message content and logprobs are skipped while parsing). The result is the same
usage table the openai-jsonl reader builds (token semantics in ``_common.openai_chat_usage``:
counts pass through).

``stream`` hands this module one block of a big file at a time. A block Arrow cannot read in
one schema (a broken line, mixed objects, blank lines that would shift line numbers) returns
None and goes through the line-by-line reader, which reports the exact ``file:line``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llm_audit.ingest.logs._common import Obj

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


def is_bare_chat(first: Obj | None) -> bool:
    """Whether a file's first record is a bare (unwrapped) ``chat.completion`` object."""
    return (
        first is not None and first.get("object") == "chat.completion" and ("response" not in first)
    )


def _field(col: Any, *names: str) -> Any:
    """A nested struct field, or None when the schema has no such field."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in names:
        if col is None or not pa.types.is_struct(col.type) or col.type.get_field_index(name) < 0:
            return None
        col = pc.struct_field(col, name)
    return col


def _schema() -> pa.Schema:
    import pyarrow as pa

    i, s = pa.int64(), pa.string()
    # Only the fields the usage table needs: Arrow skips the rest (message content, logprobs)
    # while parsing, which keeps a million rows in tens of MB.
    return pa.schema(
        [
            ("id", s),
            ("object", s),
            ("created", i),
            ("model", s),
            ("service_tier", s),
            ("choices", pa.list_(pa.struct([("finish_reason", s)]))),
            (
                "usage",
                pa.struct(
                    [
                        ("prompt_tokens", i),
                        ("completion_tokens", i),
                        (
                            "prompt_tokens_details",
                            pa.struct([("cached_tokens", i), ("cache_write_tokens", i)]),
                        ),
                        ("completion_tokens_details", pa.struct([("reasoning_tokens", i)])),
                    ]
                ),
            ),
        ]
    )


def read_block(
    data: bytes | memoryview, name: str, first_line: int = 1, lines: int | None = None
) -> pd.DataFrame | None:
    """The usage table of one block of whole lines, or None when the line reader must do it.

    ``first_line`` is the file line of the block's first line, so ``source_line`` and the
    skipped-line notes name the line in the file, not in the block; ``lines`` is how many
    lines the block has, when the caller has counted them already.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj

    if lines is None:
        raw = bytes(data)
        lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    options = pj.ParseOptions(explicit_schema=_schema(), unexpected_field_behavior="ignore")
    try:
        table: pa.Table = pj.read_json(
            pa.py_buffer(data),
            parse_options=options,
            read_options=pj.ReadOptions(block_size=4 << 20),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    n = table.num_rows
    if n != lines or n == 0:
        return None
    objects = table.column("object")
    if objects.null_count or pc.any(pc.not_equal(objects, "chat.completion")).as_py():
        return None
    usage = table.column("usage").combine_chunks()

    def ints(*names: str) -> np.ndarray:
        col = _field(usage, *names)
        if col is None:
            return np.zeros(n, dtype="int64")
        return np.asarray(pc.fill_null(col.cast(pa.int64()), 0).to_numpy(zero_copy_only=False))

    def strings(column: str) -> pd.Series:
        return pd.Series(table.column(column).combine_chunks().to_pandas(), dtype="string")

    finish = pd.Series(pd.NA, index=range(n), dtype="string")
    # The first choice's finish reason; a line may have no choices at all.
    firsts = pc.list_slice(table.column("choices").combine_chunks(), 0, 1)
    reason = _field(pc.list_flatten(firsts), "finish_reason")
    if reason is not None and len(reason):
        values = np.full(n, None, dtype=object)
        values[np.asarray(pc.list_parent_indices(firsts))] = reason.to_numpy(zero_copy_only=False)
        finish = pd.Series(values, dtype="string")
    created = table.column("created").combine_chunks()
    stamps = pd.Series(pd.to_datetime(created.to_numpy(zero_copy_only=False), unit="s", utc=True))
    frame = pd.DataFrame(
        {
            "timestamp": stamps.astype("datetime64[us, UTC]"),
            "provider": pd.Series("openai", index=range(n), dtype="string"),
            "model_raw": strings("model"),
            "requests": 1,
            "input_tokens": ints("prompt_tokens"),
            "cache_read_tokens": ints("prompt_tokens_details", "cached_tokens"),
            "cache_write_5m_tokens": ints("prompt_tokens_details", "cache_write_tokens"),
            "cache_write_1h_tokens": 0,
            "output_tokens": ints("completion_tokens"),
            "reasoning_tokens": ints("completion_tokens_details", "reasoning_tokens"),
            "service_tier": strings("service_tier").fillna("standard"),
            "request_id": strings("id"),
            "finish_reason": finish,
            "status": pd.Series("success", index=range(n), dtype="string"),
            "source_file": pd.Series(name, index=range(n), dtype="string"),
            "source_line": pd.array(np.arange(first_line, first_line + n), dtype="Int64"),
        }
    )
    no_usage = np.asarray(usage.is_null().to_numpy(zero_copy_only=False))
    skipped = [
        f"{name}:{i + first_line}: response without usage (streamed without "
        "stream_options.include_usage?)"
        for i in np.flatnonzero(no_usage)
    ]
    if no_usage.any():
        frame = frame[~no_usage]
    # Not normalized here: ``load`` normalizes the whole table once (adding the columns this
    # format never has); per block it was a quarter of the read.
    df = frame.reset_index(drop=True)
    df.attrs["bad_lines"] = []
    df.attrs["skipped"] = skipped
    return df
