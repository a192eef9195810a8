"""Big JSONL request logs read in byte blocks: bounded memory, exact ``file:line`` throughout.

A file at or above ``STREAM_MIN_BYTES`` is not decoded whole (``open_sources`` would hold the
text, and then every row as a dict). It is read ``BLOCK_BYTES`` at a time, cut after the last
newline; each block is reduced to its usage rows at once (bare ``chat.completion`` blocks by
Arrow, two at a time on a thread pool, into plain arrays joined into one table at the end,
see ``openai_fast.Columns``; any other one-object-a-line format by its reader, line by line)
and only the compact rows are kept. Line numbers carry over from block to block, so a broken
line in the tenth block is still reported as ``file:line``. Duplicate request ids and
contradictions are judged on the whole table afterwards (``load``), across blocks.

Formats that are not one JSON object a line (a JSON array, a pretty-printed document, CSV)
are read whole, as before, and so are Claude Code transcripts (a message is de-duplicated
across all the files of a directory, see ``claude_code``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from llm_audit.errors import InputError
from llm_audit.ingest.base import SNIFF_BYTES, Reader, Source
from llm_audit.ingest.logs import openai_fast
from llm_audit.ingest.logs._common import (
    JsonRecordReader,
    ReadOptions,
    build,
    compact,
    concat_compact,
    with_contract_columns,
)
from llm_audit.ingest.logs.claude_code import ClaudeCodeTranscriptReader

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

STREAM_MIN_BYTES = 32 * 1024 * 1024
BLOCK_BYTES = 64 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"


def streamable(path: Path) -> bool:
    """A plain (not compressed, not archived) file big enough to be worth reading in blocks."""
    try:
        if not path.is_file() or path.stat().st_size < STREAM_MIN_BYTES:
            return False
        with path.open("rb") as f:
            magic = f.read(4)
    except OSError:
        return False
    return not (magic[:2] == b"\x1f\x8b" or magic == b"PK\x03\x04")


def blocks(
    path: Path, block_bytes: int, buffers: int = 1
) -> Iterator[tuple[int, int, memoryview]]:
    """(file line of the block's first line, lines in it, block) for blocks of whole lines.

    The file is read into reused buffers: each read is cut after its last newline, and the
    cut-off tail moves to the front of the next buffer before the next read. A fresh 64 MB
    bytes a read was a new mapping to fault in (``bounded_allocators`` maps every large
    allocation): 1.4 s of the 951 MB benchmark file's read against 0.6 s into one buffer.
    With one buffer a block is valid only until the next one is asked for; with ``buffers``
    of them, until ``buffers - 1`` more have been (the caller parses that many at once).
    """
    import numpy as np

    line = 1
    ring = [bytearray(block_bytes)]
    newline = np.empty(block_bytes, dtype=bool)  # reused: a fresh one a block is page faults
    k = 0
    have = 0  # bytes of the current buffer holding file data (the previous read's tail first)
    first = True
    with path.open("rb", buffering=0) as f:
        while True:
            buf = ring[k]
            got = f.readinto(memoryview(buf)[have:])
            have += got
            if not have:
                break
            cut = buf.rfind(b"\n", 0, have) + 1
            if cut == 0 and got and have == len(buf):
                # one line longer than the buffer: a bigger one (a block still being held
                # by the caller pins the old one, so it is not resized in place)
                bigger = bytearray(2 * len(buf))
                bigger[:have] = buf[:have]
                ring[k] = bigger
                continue
            if cut == 0 and got:
                continue  # a short read: read on
            if cut == 0:
                cut = have  # the last line, without a newline
            skip = len(_BOM) if first and buf.startswith(_BOM) else 0
            first = False
            block = memoryview(buf)[skip:cut]
            if len(newline) < cut - skip:
                newline = np.empty(cut - skip, dtype=bool)
            is_newline = np.equal(np.frombuffer(block, dtype=np.uint8), 10,
                                  out=newline[: cut - skip])
            lines = int(np.count_nonzero(is_newline)) + (0 if buf[cut - 1] == 10 else 1)
            del is_newline
            yield line, lines, block
            del block
            line += lines
            tail = have - cut
            if buffers == 1:
                buf[:tail] = buf[cut:have]  # same length: allowed while a view is held
            else:
                k = (k + 1) % buffers
                if k == len(ring):
                    ring.append(bytearray(len(buf)))
                elif len(ring[k]) < tail:
                    ring[k] = bytearray(len(buf))
                ring[k][:tail] = buf[cut:have]
            have = tail


def _head(path: Path) -> Source:
    with path.open("rb") as f:
        raw = f.read(SNIFF_BYTES)
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    cut = raw.rfind(b"\n") + 1
    # Whole lines only; a multi-byte character cut at the end of the sniff must not fail it.
    return Source(str(path), raw[: cut or len(raw)].decode("utf-8", errors="replace"))


def _decode(block: memoryview, name: str, first_line: int) -> str:
    try:
        return str(block, "utf-8")
    except UnicodeDecodeError as e:
        line = first_line + bytes(block[: e.start]).count(b"\n")
        raise InputError(
            f"not UTF-8 text (byte {e.start} of the line's block)",
            path=name,
            line=line,
            hint="export the file as UTF-8 (or pass it through iconv)",
        ) from e


_M_MMAP_THRESHOLD = -3


def _libc_call(name: str, *args: int) -> None:
    """Call a glibc memory tuning function; nothing on another C library."""
    import ctypes
    import ctypes.util

    lib = ctypes.util.find_library("c")
    if lib is None:
        return
    try:
        getattr(ctypes.CDLL(lib), name)(*args)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return


def bounded_allocators() -> None:
    """Make freed memory go back to the system while big logs are read.

    Measured on 3M rows: Arrow's default pool (mimalloc) keeps what each block's parse used,
    and glibc's malloc, once it has freed a few large arrays, raises its mmap threshold and
    serves the following ones from a heap it does not return: together ~0.9 GB resident on
    a 0.5 GB table. Arrow's system pool and a fixed 64 KB mmap threshold keep resident
    memory near the live data (a block's arrays are mappings given back when freed). Tried:
    16 MB while the blocks are read (their arrays reuse the heap: fewer page faults, about a
    second less system time on 1M rows), but on 10M rows the heap, holding every block's
    rows beside freed temporaries, raised the peak by ~0.85 GB. Process-wide, set once, only
    when a big file is streamed.
    """
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    _libc_call("mallopt", _M_MMAP_THRESHOLD, 1 << 16)


ANALYSIS_MMAP_THRESHOLD = 4 << 20
HEAP_ROWS = 3_000_000  # up to this many rows, the analysis may use the heap (see below)


def analysis_allocators() -> None:
    """After the read: arrays under 4 MB (the 250k-row pricing chunks' temporaries) from the
    heap again, reused instead of mapped and faulted in each time (1M rows: the analysis'
    system time 0.87 -> 0.17 s, 348k -> 82k page faults, peak unchanged). Only for tables
    up to ``HEAP_ROWS``: on 10M rows the heap kept freed pieces resident under the later
    columns (peak 1,980 MiB with 4 MB, 2,059 with 32 MB, against 1,879 without), too close
    to the 2 GiB target. ``release_free_memory`` returns the heap's free pages after
    pricing."""
    _libc_call("mallopt", _M_MMAP_THRESHOLD, ANALYSIS_MMAP_THRESHOLD)


def release_free_memory() -> None:
    """Give the heap's free pages back (glibc ``malloc_trim``): the freed pricing chunks
    would otherwise stay resident under the arrays the later sections allocate."""
    _libc_call("malloc_trim", 0)


WORKERS = 2  # blocks parsed at once: Arrow releases the GIL, the machine has two cores


@dataclass
class IdLookup:
    """Where the request ids of a streamed file's Arrow-read blocks are, when they were not
    kept (``keep_ids=False``): the few that share a fingerprint are read back from the file."""

    path: Path
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # first line, offset, size

    def ids(self, lines: Sequence[int]) -> dict[int, str | None]:
        """The request id on each of ``lines`` (file lines of Arrow-read blocks)."""
        import bisect

        wanted: dict[int, list[int]] = {}
        firsts = [first for first, _, _ in self.spans]
        for ln in sorted(set(lines)):
            wanted.setdefault(bisect.bisect_right(firsts, ln) - 1, []).append(ln)
        out: dict[int, str | None] = {}
        with self.path.open("rb") as f:
            for i, lns in wanted.items():
                first, offset, size = self.spans[i]
                f.seek(offset)
                rows = f.read(size).split(b"\n")
                for ln in lns:
                    try:  # Arrow read the line: this only fails on what it let through
                        record = json.loads(rows[ln - first])
                    except ValueError:
                        record = {}
                    value = record.get("id") if isinstance(record, dict) else None
                    out[ln] = value if isinstance(value, str) else None
        return out


def read_stream(
    path: Path, pick: Callable[[Source], Reader], options: ReadOptions, *, keep_ids: bool = True
) -> tuple[str, pd.DataFrame, IdLookup] | None:
    """(reader name, usage table, id lookup) of a big one-object-a-line file, read block by
    block; None when the file is not that shape (the caller reads it whole).

    Bare chat-completion blocks are parsed ``WORKERS`` at a time and kept as plain arrays,
    made into one table at the end (``_table``). Without ``keep_ids`` the table has a
    ``_request_hash`` column (``_ids.fingerprints``) instead of ``request_id``; the lookup
    finds the ids the duplicate check needs."""
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    from llm_audit.ingest.logs._common import first_record
    from llm_audit.ingest.logs._ids import fingerprints
    from llm_audit.usage import schema

    head = _head(path)
    first_line = head.text.lstrip().split("\n", 1)[0]
    if not first_line.startswith("{"):
        return None
    try:
        if not isinstance(json.loads(first_line), dict):
            return None
    except ValueError:
        return None  # maybe one pretty-printed document: the whole-file reader decides
    reader = pick(head)
    if not isinstance(reader, JsonRecordReader) or isinstance(reader, ClaudeCodeTranscriptReader):
        return None
    bare = reader.name == "openai-jsonl" and openai_fast.is_bare_chat(first_record(head))
    bounded_allocators()
    name = str(path)
    total = path.stat().st_size
    lookup = IdLookup(path)
    # The table's pieces in file order: runs of Arrow-read blocks, and line-read blocks.
    pieces: list[list[openai_fast.Columns] | pd.DataFrame] = []
    bad: list[str] = []
    skipped: list[str] = []
    done = 0
    with path.open("rb") as f:
        offset = len(_BOM) if f.read(len(_BOM)) == _BOM else 0
    pending: deque[tuple[int, int, memoryview, int, Future[openai_fast.Columns | None] | None]]
    pending = deque()

    def settle() -> None:
        line, _, block, at, future = pending.popleft()
        got = future.result() if future is not None else None
        if got is not None:
            lookup.spans.append((line, at, len(block)))
            skipped.extend(got.skipped)
            if len(got):
                if not pieces or not isinstance(pieces[-1], list):
                    pieces.append([])
                run = pieces[-1]
                assert isinstance(run, list)
                run.append(got)
            return
        collected = reader.collect(Source(name, _decode(block, name, line)), options, line)
        df = build(collected.rows, collected.bad, collected.skipped)
        bad.extend(df.attrs.get("bad_lines", []))
        skipped.extend(df.attrs.get("skipped", []))
        if len(df):
            # Each block is normalized and compacted on its own, so the rows kept between
            # blocks are the compact ones, and the whole table is never built in strings.
            df = compact(schema.normalize(with_contract_columns(df)))
            if not keep_ids:
                df["_request_hash"] = fingerprints(_arrow(df["request_id"]))  # ids kept too
            pieces.append(df)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for line, lines, block in blocks(path, BLOCK_BYTES, WORKERS + 1 if bare else 1):
            done += len(block)
            if options.progress is not None:
                options.progress(f"reading {name}: {done / 1e6:,.0f} of {total / 1e6:,.0f} MB")
            future = pool.submit(openai_fast.read_block, block, name, line, lines,
                                 columns=True, keep_ids=keep_ids) if bare else None
            pending.append((line, lines, block, offset, future))
            offset += len(block)
            del block
            # a block's buffer is read into again WORKERS blocks later: settled by then
            while len(pending) >= (WORKERS if bare else 1):
                settle()
        while pending:
            settle()
    parts = [_table(p, name, keep_ids) if isinstance(p, list) else p for p in pieces]
    pieces.clear()
    table = concat_compact(parts) if parts else compact(schema.empty())
    table.attrs = {"bad_lines": bad, "skipped": skipped}
    if len(table) <= HEAP_ROWS:
        analysis_allocators()
    return reader.name, table, lookup


def _arrow(values: pd.Series) -> pa.Array:
    import pyarrow as pa

    return pa.array(list(values.astype("string").array), type=pa.large_string(),
                    from_pandas=True)


def _table(run: list[openai_fast.Columns], name: str, keep_ids: bool) -> pd.DataFrame:
    """The compact usage table of a run of Arrow-read blocks: what ``compact(normalize(...))``
    of each block's DataFrame, concatenated, was (same dtypes, categories in the order
    ``union_categoricals`` gave them), built one column at a time from the blocks' arrays
    (each freed once used: the blocks and the table are not held twice)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from llm_audit.ingest.logs._common import blank_column
    from llm_audit.usage import schema

    n = sum(len(c) for c in run)
    index = pd.RangeIndex(n)
    blank = compact(pd.DataFrame({"user": blank_column("str", 1)}))["user"].dtype
    assert isinstance(blank, pd.CategoricalDtype)

    none = np.zeros(0, dtype=np.int64)

    def categorical(column: str) -> pd.Series:
        values: dict[str, int] = {}
        codes = []
        for c in run:
            got: openai_fast.Strings = getattr(c, column)
            remap = np.array([values.setdefault(v, len(values)) for v in got.values] + [-1])
            codes.append(remap[got.codes].astype(np.int32))
            setattr(c, column, openai_fast.Strings(none, []))  # freed as it is copied
        dtype = pd.CategoricalDtype(pd.Index(list(values), dtype="string"), ordered=False)
        return pd.Series(pd.Categorical.from_codes(np.concatenate(codes), dtype=dtype),
                         index=index, copy=False)

    def constant(value: str) -> pd.Series:
        dtype = pd.CategoricalDtype(pd.Index([value], dtype="string"), ordered=False)
        return pd.Series(pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), dtype=dtype),
                         index=index, copy=False)

    def joined(column: str) -> np.ndarray:
        arrays = []
        for c in run:
            arrays.append(getattr(c, column))
            setattr(c, column, none)  # freed as it is copied
        return np.concatenate(arrays)

    columns: dict[str, pd.Series] = {
        "timestamp": pd.Series(joined("stamps"), index=index, copy=False).dt.tz_localize("UTC"),
        "model_raw": categorical("model_raw"),
        "service_tier": categorical("service_tier"),
        "finish_reason": categorical("finish_reason"),
    }
    for col, _ in openai_fast.TOKENS:
        arrays = [c.tokens.pop(col) for c in run]
        columns[col] = pd.Series(np.concatenate(arrays), index=index, copy=False)
        del arrays
    lines = joined("lines")
    columns["source_line"] = pd.Series(pd.arrays.IntegerArray(lines, np.zeros(n, dtype=bool)),
                                       index=index, copy=False)
    if keep_ids:
        ids = pa.chunked_array([c.ids for c in run if c.ids is not None], type=pa.string())
        columns["request_id"] = pd.Series(pd.array(ids.cast(pa.large_string())
                                                   .combine_chunks(), dtype="string"),
                                          index=index, copy=False)
    else:
        columns["_request_hash"] = pd.Series(joined("hashes"), index=index, copy=False)
    run.clear()
    columns["provider"] = constant("openai")
    columns["status"] = constant("success")
    columns["source_file"] = constant(name)
    columns["requests"] = pd.Series(np.ones(n, dtype=np.int64), index=index, copy=False)
    ordered: dict[str, pd.Series] = {}
    for contract in schema.COLUMNS:
        if contract.name in columns:
            ordered[contract.name] = columns.pop(contract.name)
        elif contract.kind == "str":
            ordered[contract.name] = pd.Series(pd.Categorical.from_codes(
                np.full(n, -1, dtype=np.int8), dtype=blank), index=index, copy=False)
        else:
            ordered[contract.name] = blank_column(contract.kind, n, index)
    ordered.update(columns)  # _request_hash
    table = pd.DataFrame(ordered, copy=False)
    table.attrs = {}
    return table
