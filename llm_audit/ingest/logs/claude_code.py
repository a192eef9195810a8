"""Claude Code local transcripts (``~/.claude/projects/**.jsonl``), read as ccusage does (5e).

One API message is written as several lines (one per content block) repeating the same usage:
rows are de-duplicated on (message.id, requestId) and the LAST line's usage is kept (the final
cumulative output count). Lines without ``message.usage`` are not usage. Sidechain lines
(``isSidechain``: a subagent's conversation) are real API calls and count, as in ccusage
20.0.24; a sidechain line that replays a main-chain message has its ids and counts once. Agent
progress lines nest the message under ``data.message``. Token semantics are Anthropic's
(cache beside input; see ``_common.anthropic_usage``). Each session file is a session
(``sessionId``); the project directory is the feature.

A directory of transcripts is read at once (``read_all``): the lines that mention ``"usage"``
are cut out of every file's bytes and parsed by Arrow in one call, the de-duplication and the
token arithmetic are column operations. Anything Arrow cannot read in one schema (a broken
line, a count written as a string) sends the whole read through the line-by-line ``collect``,
which reports the exact ``file:line``; the two give the same table (tests/logs).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from llm_audit.errors import InputError
from llm_audit.ingest.base import Source
from llm_audit.ingest.logs._common import (
    Collected,
    JsonRecordReader,
    Obj,
    ReadOptions,
    Row,
    anthropic_usage,
    as_dict,
    build_frame,
    opt_float,
    opt_str,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.json as pj


def _message(record: Obj) -> Obj:
    msg = as_dict(record.get("message"))
    if not msg:
        msg = as_dict(as_dict(record.get("data")).get("message"))
        msg = as_dict(msg.get("message")) or msg
    return msg


def _usage_records(source: Source, options: ReadOptions, bad: list[str], first_line: int = 1
                   ) -> Iterator[tuple[int, object]]:
    """(line, record) of the lines that can carry usage. Most transcript lines are prompts and
    tool output without a ``"usage"`` key; they are not parsed at all, which is most of the
    speed. A broken line that mentions usage is reported like any other."""
    for number, line in source.lines():
        if '"usage"' not in line:
            continue
        number += first_line - 1
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as e:
            if options.skip_bad_lines:
                bad.append(f"{source.name}:{number}: broken JSON ({e.msg})")
                continue
            raise InputError(f"broken JSON line: {e.msg} (column {e.colno})",
                             path=source.name, line=number,
                             hint="fix or delete the line (an interrupted session can leave "
                             "a partial last line), or pass --skip-bad-lines") from e


def _first_lines(text: str, n: int) -> Iterator[str]:
    """``text.splitlines()[:n]``, lazily: detection mostly reads two lines of a 64 KB head
    (per file), so they are cut from a growing prefix, not from the whole head."""
    given, size = 0, 2048
    while given < n:
        whole = size >= len(text)
        lines = text.splitlines() if whole else text[:size].splitlines()[:-1]  # last: cut
        yield from lines[given:n]
        given = max(given, min(len(lines), n))
        if whole:
            return
        size *= 4


class ClaudeCodeTranscriptReader(JsonRecordReader):
    name = "claude-code"
    description = "Claude Code transcripts (~/.claude/projects/*/*.jsonl), deduplicated"

    def accepts(self, record: Obj) -> bool:
        return "sessionId" in record and ("type" in record or "message" in record)

    def detect(self, source: Source) -> bool:
        # A transcript may open with `{"type":"summary","leafUuid":...}` lines that carry no
        # sessionId; judge by the first lines that parse, not only the first.
        for line in _first_lines(source.head, 20):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if not isinstance(record, dict):
                return False
            if record.get("type") == "summary" and "leafUuid" in record:
                continue
            return self.accepts(record)
        return False

    def collect(self, source: Source, options: ReadOptions, first_line: int = 1) -> Collected:
        """Every usage line as a row, not yet de-duplicated (``read_all`` does that, across
        files, because a subagent's file can replay the main session's messages)."""
        bad: list[str] = []
        rows: list[Row] = []
        parts = source.name.replace("\\", "/").split("/")
        project = parts[-2] if len(parts) >= 2 else None
        for line, record in _usage_records(source, options, bad, first_line):
            if not isinstance(record, dict):
                continue
            msg = _message(record)
            usage = as_dict(msg.get("usage"))
            if not usage or msg.get("model") == "<synthetic>":
                continue
            row = anthropic_usage(usage)
            row.update({
                "timestamp": opt_str(record.get("timestamp")),
                "provider": "anthropic",
                "model_raw": opt_str(msg.get("model")),
                "request_id": opt_str(record.get("requestId")),
                "message_id": opt_str(msg.get("id")),
                "session_id": opt_str(record.get("sessionId")),
                "feature": project,
                "billed_usd": opt_float(record.get("costUSD")),
                "status": "error" if record.get("isApiErrorMessage") else "success",
                "sidechain": record.get("isSidechain") is True,
                "requests": 1,
                "source_file": source.name,
                "source_line": line,
            })
            rows.append(row)
        return Collected(rows, bad, [], 0)

    def read(self, source: Source, options: ReadOptions | None = None) -> pd.DataFrame:
        return self.read_all([source], options or ReadOptions())

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        raise NotImplementedError  # read() handles the whole file (it de-duplicates)

    def read_all(self, sources: Sequence[Source], options: ReadOptions) -> pd.DataFrame:
        """The usage table of many transcripts: Arrow when it can, else line by line."""
        rows = _read_arrow(sources)  # first: it imports pandas while Arrow parses

        import pandas as pd

        bad: list[str] = []
        if rows is None:
            got = Collected()
            for source in sources:
                got.add(self.collect(source, options))
            rows = pd.DataFrame.from_records(got.rows) if got.rows else None
            bad = got.bad
        duplicates = 0
        if rows is not None:
            rows, duplicates = _dedupe(rows)
        df = build_frame(rows, bad, [])
        df.attrs["transcript_duplicates"] = duplicates
        return df


def _dedupe(rows: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """One row per API message, as ccusage 20.0.24 keeps them (formats.md 5e).

    Lines with the same message id and request id (a missing request id is a value too) are
    one message. A sidechain line (a subagent replaying a parent message, possibly under a new
    request id) joins the first main-chain line of its message id. Of each message the row
    kept is: a main-chain line over a sidechain one, then the largest token total (the usage
    grows while a message streams, so this is the final usage), then one that states
    ``speed``; the first such line wins a tie, and its timestamp gives the day. Lines without
    a message id are not de-duplicated. Returns the rows (in order of each message's first
    line) and how many lines were folded into another.
    """
    import numpy as np
    import pandas as pd

    rows = rows.reset_index(drop=True)
    mid = rows["message_id"].astype("string")
    has_id = mid.notna().to_numpy()
    if not has_id.any():
        return rows, 0
    side = rows["sidechain"].fillna(False).astype(bool).to_numpy()
    # Integer codes stand for the strings: message ids, then (message id, request id) pairs
    # (a missing request id is code 0, a value of its own).
    mids = pd.factorize(mid[has_id].to_numpy(dtype=object))[0]
    rids = pd.factorize(rows["request_id"].astype("string")[has_id].to_numpy(dtype=object),
                        use_na_sentinel=True)[0] + 1
    keys = pd.factorize(mids.astype("int64") * (int(rids.max()) + 1) + rids)[0]
    on_side = side[has_id]

    def first_key(of: np.ndarray) -> np.ndarray:
        """Per message id code: the key of its first line among ``of`` (-1: none)."""
        out = np.full(int(mids.max()) + 1, -1, dtype="int64")
        codes, at = np.unique(mids[of], return_index=True)
        out[codes] = keys[of][at]
        return out

    first_any = first_key(np.ones(len(mids), dtype=bool))
    first_main = first_key(~on_side)
    target = np.where(first_main >= 0, first_main, first_any)
    joined = np.where(on_side, target[mids], keys)
    group = np.full(len(rows), -1, dtype="int64")
    group[has_id] = pd.factorize(joined)[0]
    loose = ~has_id
    group[loose] = group.max() + 1 + np.arange(int(loose.sum()))
    total = (rows["input_tokens"].fillna(0) + rows["output_tokens"].fillna(0)).to_numpy()
    speed = rows["speed"].notna().to_numpy() if "speed" in rows else np.zeros(len(rows), bool)
    order = np.arange(len(rows))
    # lexsort: the last key is the primary one
    ranked = np.lexsort((order, ~speed, -total, side, group))
    winners = ranked[np.r_[True, group[ranked][1:] != group[ranked][:-1]]]
    first_line = np.unique(group, return_index=True)[1][group]  # groups are 0..n-1
    winners = winners[np.argsort(first_line[winners], kind="stable")]
    kept = rows.iloc[winners].drop(columns=["sidechain"]).reset_index(drop=True)
    return kept, len(rows) - len(winners)


def _schema() -> pa.Schema:
    import pyarrow as pa

    i, s = pa.int64(), pa.string()
    usage = pa.struct([
        ("input_tokens", i), ("cache_creation_input_tokens", i), ("cache_read_input_tokens", i),
        ("cache_creation", pa.struct([("ephemeral_5m_input_tokens", i),
                                      ("ephemeral_1h_input_tokens", i)])),
        ("output_tokens", i), ("output_tokens_details", pa.struct([("thinking_tokens", i)])),
        ("server_tool_use", pa.struct([("web_search_requests", i)])),
        ("service_tier", s), ("speed", s)])
    message = pa.struct([("id", s), ("model", s), ("usage", usage)])
    nested = pa.struct([("id", s), ("model", s), ("usage", usage), ("message", message)])
    return pa.schema([
        ("timestamp", s), ("requestId", s), ("sessionId", s), ("costUSD", pa.float64()),
        ("isApiErrorMessage", pa.bool_()), ("isSidechain", pa.bool_()), ("message", message),
        ("data", pa.struct([("message", nested)])),
    ])


def _usage_lines(sources: Sequence[Source]) -> tuple[bytearray, list[int], list[int], int]:
    """The lines that mention "usage", joined, with each one's source index and line, and
    the longest one's length (Arrow's block must hold a whole line).

    The lines are found with ``find`` and copied once, into one growing buffer: splitting
    every file into lines and joining and encoding the usage lines had written each byte of
    them three times, and on a virtual machine the page faults of that fresh memory took
    longer than the copying (a third of the read's time on 200 MB)."""
    out = bytearray()
    owner: list[int] = []
    lines: list[int] = []
    longest = 0
    needle = b'"usage"'
    for k, source in enumerate(sources):
        raw = source.text.encode()  # one file at a time: the heap reuses the memory
        view = memoryview(raw)
        find, rfind, count = raw.find, raw.rfind, raw.count
        at = find(needle)
        number, counted = 1, 0
        while at != -1:
            start = rfind(b"\n", 0, at) + 1
            end = find(b"\n", at)
            if end == -1:
                end = len(raw)
            number += count(b"\n", counted, start)  # from the last usage line's end
            counted = end
            out += view[start:end]
            out += b"\n"
            owner.append(k)
            lines.append(number)
            longest = max(longest, end - start)
            at = find(needle, end)
        view.release()
    return out, owner, lines, longest


_GROUP_CHARS = 24 << 20  # text per Arrow call: ~8 calls for 200 MB, a few blocks each


def _parse(data: bytearray, longest: int, options: pj.ParseOptions) -> pa.Table | None:
    """One Arrow call over usage lines; None when they do not fit the schema."""
    import pyarrow as pa
    import pyarrow.json as pj

    # Blocks are parsed in parallel: a few per core, each big enough for the longest line
    # (a line across two blocks fails the read).
    block = max(1 << 20, min(16 << 20, len(data) // (4 * (os.cpu_count() or 1))), longest + 2)
    try:
        return pj.read_json(pa.py_buffer(data), read_options=pj.ReadOptions(block_size=block),
                            parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # the line reader says which line, or reads what Arrow would not


def _read_arrow(sources: Sequence[Source]) -> pd.DataFrame | None:
    """Every usage line of ``sources`` as a row (``collect``'s columns), or None when Arrow
    cannot read them in one schema.

    The files are cut into usage lines a group at a time, and each group is parsed by Arrow
    in a worker thread while the next is cut (Arrow does not hold the GIL), and while pandas
    is imported after the last: on two cores the cutting and the import overlap the parse.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.json as pj  # here, not first in the worker while pandas is imported

    options = pj.ParseOptions(explicit_schema=_schema(), unexpected_field_behavior="ignore")
    owner: list[int] = []
    lines: list[int] = []
    parts: list[tuple[Future[pa.Table | None], int]] = []
    with ThreadPoolExecutor(1) as pool:
        first = 0
        while first < len(sources):
            end, chars = first, 0
            while end < len(sources) and (chars < _GROUP_CHARS or end == first):
                chars += len(sources[end].text)
                end += 1
            data, own, at, longest = _usage_lines(sources[first:end])
            if own:
                parts.append((pool.submit(_parse, data, longest, options), len(own)))
                owner += [first + k for k in own]
                lines += at
            first = end
        import pandas as pd

        tables = [(part.result(), n) for part, n in parts]
    if not owner:
        return None
    got = [t for t, n in tables if t is not None and t.num_rows == n]
    if len(got) < len(tables):
        return None
    table = pa.concat_tables(got)

    def col(struct: pa.Array, *path: str) -> pa.Array:
        for name in path:
            struct = pc.struct_field(struct, name)
        return struct

    whole = table.combine_chunks()
    where = np.asarray(owner)
    numbers = np.asarray(lines, dtype="int64")

    def top(name: str) -> pa.Array:
        return whole.column(name).combine_chunks()

    def chooser() -> Callable[..., pa.Array]:
        direct = top("message")
        outer = col(top("data"), "message")
        inner = col(outer, "message")
        if outer.null_count == len(outer):  # no agent progress line: the line's own message
            return lambda *path: col(direct, *path)
        # As _message(): the line's own message, else data.message, or the message inside.
        use_inner = pc.and_kleene(pc.is_null(direct), pc.is_valid(inner))
        use_outer = pc.and_kleene(pc.is_null(direct), pc.is_null(inner))

        def pick(*path: str) -> pa.Array:
            a, b, c = col(direct, *path), col(inner, *path), col(outer, *path)
            return pc.if_else(use_inner, b, pc.if_else(use_outer, c, a))

        return pick

    pick = chooser()
    # Usage lines that are not API calls go first, so nothing below converts them.
    keep = pc.and_(pick("usage").is_valid(),
                   pc.fill_null(pc.not_equal(pick("model"), "<synthetic>"), True))
    if keep.false_count:
        whole = whole.filter(keep)
        mask = keep.to_numpy(zero_copy_only=False)
        where, numbers = where[mask], numbers[mask]
        pick = chooser()

    def ints(*path: str) -> np.ndarray:
        return np.asarray(pc.fill_null(pick("usage", *path), 0).to_numpy(zero_copy_only=False))

    def strs(values: pa.Array) -> pd.Series:
        blank = pc.equal(values, "")  # opt_str: "" is no value
        return pd.Series(pd.array(pc.if_else(blank, pa.scalar(None, pa.string()), values),
                                  dtype="string"))

    model = strs(pick("model"))
    base, read = ints("input_tokens"), ints("cache_read_input_tokens")
    written = ints("cache_creation_input_tokens")
    has_split = pick("usage", "cache_creation").is_valid().to_numpy(zero_copy_only=False)
    w1h = ints("cache_creation", "ephemeral_1h_input_tokens")
    w5m = np.where(has_split, ints("cache_creation", "ephemeral_5m_input_tokens"), written)
    # The split is newer than the total; trust the total (as anthropic_usage does).
    w5m = np.where(has_split & (w5m + w1h != written) & (written != 0), written - w1h, w5m)
    written = np.maximum(written, w5m + w1h)
    names = [s.name for s in sources]
    project = [n.replace("\\", "/").split("/") for n in names]
    tier = strs(pick("usage", "service_tier")).fillna("standard")
    error = pc.fill_null(top("isApiErrorMessage"), False).to_numpy(zero_copy_only=False)
    frame = pd.DataFrame({
        "input_tokens": base + read + written,
        "cache_read_tokens": read,
        "cache_write_5m_tokens": w5m,
        "cache_write_1h_tokens": w1h,
        "output_tokens": ints("output_tokens"),
        "reasoning_tokens": ints("output_tokens_details", "thinking_tokens"),
        "web_search_requests": ints("server_tool_use", "web_search_requests"),
        "service_tier": tier,
        "speed": strs(pick("usage", "speed")),
        "timestamp": strs(top("timestamp")),
        "provider": "anthropic",
        "model_raw": model,
        "request_id": strs(top("requestId")),
        "message_id": strs(pick("id")),
        "session_id": strs(top("sessionId")),
        "feature": pd.Series([p[-2] if len(p) >= 2 else None for p in project],
                             dtype="string").take(where).to_numpy(),
        "billed_usd": top("costUSD").to_numpy(zero_copy_only=False),
        "status": np.where(np.asarray(error, dtype=bool), "error", "success"),
        "sidechain": pc.fill_null(top("isSidechain"), False).to_numpy(zero_copy_only=False),
        "requests": 1,
        "source_file": pd.Series(names, dtype="string").take(where).to_numpy(),
        "source_line": numbers,
    })
    return frame
