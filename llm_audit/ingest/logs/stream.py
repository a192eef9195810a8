"""Big JSONL request logs read in byte blocks: bounded memory, exact ``file:line`` throughout.

A file at or above ``STREAM_MIN_BYTES`` is not decoded whole (``open_sources`` would hold the
text, and then every row as a dict). It is read ``BLOCK_BYTES`` at a time, cut after the last
newline; each block is reduced to its usage rows at once (bare ``chat.completion`` blocks by
Arrow, see ``openai_fast``; any other one-object-a-line format by its reader, line by line)
and only the compact rows are kept. Line numbers carry over from block to block, so a broken
line in the tenth block is still reported as ``file:line``. Duplicate request ids and
contradictions are judged on the whole table afterwards (``load``), across blocks.

Formats that are not one JSON object a line (a JSON array, a pretty-printed document, CSV)
are read whole, as before, and so are Claude Code transcripts (a message is de-duplicated
across all the files of a directory, see ``claude_code``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
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


def blocks(path: Path, block_bytes: int) -> Iterator[tuple[int, int, memoryview]]:
    """(file line of the block's first line, lines in it, block) for blocks of whole lines.

    The file is read into one reused buffer: each read is cut after its last newline, and the
    cut-off tail moves to the buffer's front before the next read. A fresh 64 MB bytes a read
    was a new mapping to fault in (``bounded_allocators`` maps every large allocation): 1.4 s
    of the 951 MB benchmark file's read against 0.6 s into one buffer. A block is valid only
    until the next one is asked for; the callers turn it into columns (copies) before that.
    """
    import numpy as np

    line = 1
    buf = bytearray(block_bytes)
    have = 0  # bytes of buf holding file data (the previous read's tail first)
    first = True
    with path.open("rb", buffering=0) as f:
        while True:
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
                buf = bigger
                continue
            if cut == 0 and got:
                continue  # a short read: read on
            if cut == 0:
                cut = have  # the last line, without a newline
            skip = len(_BOM) if first and buf.startswith(_BOM) else 0
            first = False
            block = memoryview(buf)[skip:cut]
            count = int(np.count_nonzero(np.frombuffer(block, dtype=np.uint8) == 10))
            lines = count + (0 if buf[cut - 1] == 10 else 1)
            yield line, lines, block
            del block
            line += lines
            tail = have - cut
            buf[:tail] = buf[cut:have]  # same length: allowed while a view is held
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


def read_stream(
    path: Path, pick: Callable[[Source], Reader], options: ReadOptions
) -> tuple[str, pd.DataFrame] | None:
    """(reader name, usage table) of a big one-object-a-line file, read block by block; None
    when the file is not that shape (the caller reads it whole)."""
    from llm_audit.ingest.logs._common import first_record
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
    frames: list[pd.DataFrame] = []
    bad: list[str] = []
    skipped: list[str] = []
    done = 0
    for line, lines, block in blocks(path, BLOCK_BYTES):
        done += len(block)
        if options.progress is not None:
            options.progress(f"reading {name}: {done / 1e6:,.0f} of {total / 1e6:,.0f} MB")
        df = openai_fast.read_block(block, name, line, lines) if bare else None
        if df is None:
            got = reader.collect(Source(name, _decode(block, name, line)), options, line)
            df = build(got.rows, got.bad, got.skipped)
        bad.extend(df.attrs.get("bad_lines", []))
        skipped.extend(df.attrs.get("skipped", []))
        if len(df):
            # Each block is normalized and compacted on its own, so the rows kept between
            # blocks are the compact ones, and the whole table is never built in strings.
            frames.append(compact(schema.normalize(with_contract_columns(df))))
    table = concat_compact(frames) if frames else compact(schema.empty())
    table.attrs = {"bad_lines": bad, "skipped": skipped}
    return reader.name, table
