"""The fast path for blocks of bare OpenAI Chat Completions objects (Arrow's JSON reader).

A million ``chat.completion`` lines take about a minute through ``json.loads`` and a dict per
row; Arrow's C++ reader parses a block of them in one call, keeping only the fields the usage
table needs (message content and logprobs are skipped while parsing). The result is the same
usage table the openai-jsonl reader builds (token semantics in ``_common.openai_chat_usage``:
counts pass through).

``stream`` hands this module one block of a big file at a time (``read_block(...,
columns=True)``: the rows as plain arrays, ``Columns``, from a worker thread; the DataFrame
form is the same rows for other callers). A block Arrow cannot read in
one schema (a broken line, mixed objects, blank lines that would shift line numbers) returns
None and goes through the line-by-line reader, which reports the exact ``file:line``. So does
a block with audio tokens (``audio_tokens`` in the details): the line reader counts them apart
from the text, which is priced at the text rate; audio is reported unpriced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, overload

from llm_audit.ingest.logs._common import Obj

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

# The token columns a bare chat completion has (usage field path), in table order.
TOKENS = (
    ("input_tokens", ("prompt_tokens",)),
    ("cache_read_tokens", ("prompt_tokens_details", "cached_tokens")),
    ("cache_write_5m_tokens", ("prompt_tokens_details", "cache_write_tokens")),
    ("output_tokens", ("completion_tokens",)),
    ("reasoning_tokens", ("completion_tokens_details", "reasoning_tokens")),
)


@dataclass
class Strings:
    """A string column of few distinct values: codes (-1 missing) into sorted ``values``,
    as ``astype("category")`` would order them."""

    codes: np.ndarray
    values: list[str]


@dataclass
class Columns:
    """One block's usage rows as plain arrays (no pandas): what ``stream`` concatenates once.

    ``ids`` holds the request ids when they are kept, ``hashes`` their fingerprints
    (``_ids.fingerprints``) when they are not."""

    stamps: np.ndarray  # datetime64[us] (NaT where missing), UTC
    model_raw: Strings
    service_tier: Strings  # in our vocabulary (normalize's aliases applied)
    finish_reason: Strings
    tokens: dict[str, np.ndarray]  # int64, TOKENS order
    lines: np.ndarray  # int64 file lines
    ids: pa.Array | None
    hashes: np.ndarray | None
    skipped: list[str]

    def __len__(self) -> int:
        return len(self.lines)


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
                            pa.struct([("cached_tokens", i), ("cache_write_tokens", i),
                                       ("audio_tokens", i)]),
                        ),
                        (
                            "completion_tokens_details",
                            pa.struct([("reasoning_tokens", i), ("audio_tokens", i)]),
                        ),
                    ]
                ),
            ),
        ]
    )


def _has_audio(usage: Any) -> bool:
    """Whether any line of a block counts audio tokens: the line reader splits those out of
    the text counts (audio has its own rate), so such a block is left to it."""
    import pyarrow.compute as pc

    for details in ("prompt_tokens_details", "completion_tokens_details"):
        col = _field(usage, details, "audio_tokens")
        if col is not None and bool(pc.any(pc.fill_null(pc.greater(col, 0), False)).as_py()):
            return True
    return False


def _parse(data: bytes | memoryview, lines: int | None, threads: bool) -> pa.Table | None:
    """Arrow's table of a block (the fields of ``_schema``), or None when Arrow cannot read
    it as one bare chat completion a line."""
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
            read_options=pj.ReadOptions(use_threads=threads, block_size=4 << 20),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    n = table.num_rows
    if n != lines or n == 0:
        return None
    objects = table.column("object")
    if objects.null_count or pc.any(pc.not_equal(objects, "chat.completion")).as_py():
        return None
    return table


def _stamps(created: pa.ChunkedArray) -> np.ndarray:
    """``created`` (Unix seconds) as datetime64[us], the conversion the table always had."""
    import numpy as np
    import pandas as pd

    values = created.combine_chunks().to_numpy(zero_copy_only=False)
    stamps = pd.Series(pd.to_datetime(values, unit="s", utc=True))
    return np.asarray(stamps.astype("datetime64[us, UTC]").dt.tz_localize(None).to_numpy())


def _strings(values: pa.Array, rename: Callable[[str], str] | None = None) -> Strings:
    """``values`` as codes into their sorted distinct values (each renamed first)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    names = [str(v) for v in encoded.dictionary.to_pylist()]
    if rename is not None:
        names = [rename(v) for v in names]
    ordered = sorted(set(names))
    where = {v: i for i, v in enumerate(ordered)}
    remap = np.array([where[v] for v in names] + [-1], dtype=np.int64)
    indices = np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False))
    return Strings(remap[indices], ordered)


def _tier(value: str) -> str:
    """A tier in our vocabulary: ``schema.normalize``'s rule, for one distinct value."""
    from llm_audit.usage.schema import _TIER_ALIASES

    text = value.strip().lower()
    return _TIER_ALIASES.get(text, text)


def read_columns(
    data: bytes | memoryview, name: str, first_line: int, lines: int | None, *,
    keep_ids: bool = True, threads: bool = True,
) -> Columns | None:
    """``read_block`` as plain arrays: the same rows and values, no DataFrame per block.

    Everything here is Arrow and numpy work on whole columns (the GIL is released for most of
    it), so blocks can be read by two threads at once (``stream``)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from llm_audit.ingest.logs._ids import fingerprints

    table = _parse(data, lines, threads)
    if table is None:
        return None
    n = table.num_rows
    usage = table.column("usage").combine_chunks()
    if _has_audio(usage):
        return None
    no_usage = np.asarray(usage.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    keep = None if not no_usage.any() else ~no_usage

    def kept(values: np.ndarray) -> np.ndarray:
        return values if keep is None else values[keep]

    def ints(*names: str) -> np.ndarray:
        col = _field(usage, *names)
        if col is None:
            return np.zeros(n if keep is None else int(keep.sum()), dtype="int64")
        return kept(np.asarray(pc.fill_null(col.cast(pa.int64()), 0)
                               .to_numpy(zero_copy_only=False)))

    firsts = pc.list_slice(table.column("choices").combine_chunks(), 0, 1)
    reason = _field(pc.list_flatten(firsts), "finish_reason")
    finish = pa.nulls(n, pa.string())
    if reason is not None and len(reason):
        where = np.asarray(pc.list_parent_indices(firsts))
        if len(where) == n and bool(np.all(where == np.arange(n))):
            finish = reason
        else:
            take = np.full(n, -1, dtype=np.int64)
            take[where] = np.arange(len(where))
            finish = reason.take(pa.array(take, mask=take < 0))
    model = table.column("model").combine_chunks()
    tier = pc.fill_null(table.column("service_tier").combine_chunks(), "standard")
    ids = table.column("id").combine_chunks()
    if keep is not None:
        mask = pa.array(keep)
        model, tier, finish, ids = (c.filter(mask) for c in (model, tier, finish, ids))
    skipped = [
        f"{name}:{i + first_line}: response without usage (streamed without "
        "stream_options.include_usage?)"
        for i in np.flatnonzero(no_usage)
    ]
    return Columns(
        stamps=kept(_stamps(table.column("created"))),
        model_raw=_strings(model),
        service_tier=_strings(tier, _tier),
        finish_reason=_strings(finish),
        tokens={col: ints(*path) for col, path in TOKENS},
        lines=kept(np.arange(first_line, first_line + n, dtype=np.int64)),
        ids=ids if keep_ids else None,
        hashes=None if keep_ids else fingerprints(ids),
        skipped=skipped,
    )


@overload
def read_block(
    data: bytes | memoryview, name: str, first_line: int = 1, lines: int | None = None
) -> pd.DataFrame | None: ...


@overload
def read_block(
    data: bytes | memoryview, name: str, first_line: int, lines: int | None, *,
    columns: Literal[True], keep_ids: bool = True,
) -> Columns | None: ...


def read_block(
    data: bytes | memoryview, name: str, first_line: int = 1, lines: int | None = None, *,
    columns: bool = False, keep_ids: bool = True,
) -> pd.DataFrame | Columns | None:
    """The usage table of one block of whole lines, or None when the line reader must do it.

    ``first_line`` is the file line of the block's first line, so ``source_line`` and the
    skipped-line notes name the line in the file, not in the block; ``lines`` is how many
    lines the block has, when the caller has counted them already. With ``columns`` the rows
    come as plain arrays (``read_columns``, what ``stream`` uses), parsed on one thread.
    """
    if columns:
        return read_columns(data, name, first_line, lines, keep_ids=keep_ids, threads=False)
    return _read_frame(data, name, first_line, lines)


def _read_frame(
    data: bytes | memoryview, name: str, first_line: int, lines: int | None
) -> pd.DataFrame | None:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    table = _parse(data, lines, True)
    if table is None:
        return None
    n = table.num_rows
    usage = table.column("usage").combine_chunks()
    if _has_audio(usage):
        return None

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
