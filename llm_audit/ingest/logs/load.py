"""Read request logs into one checked usage table, and say what could not be used and why.

Rows whose counts contradict each other (cache > input, reasoning > output, ttft > latency)
are set aside with their ``file:line``; a request id seen twice counts once (the first) and
the repeats are listed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from llm_audit.errors import InputError
from llm_audit.ingest.base import Reader, Source, open_sources, pick_reader
from llm_audit.ingest.logs import READERS
from llm_audit.ingest.logs._common import (
    Collected,
    JsonRecordReader,
    ReadOptions,
    build,
    compact,
    concat_compact,
)
from llm_audit.ingest.logs.claude_code import ClaudeCodeTranscriptReader
from llm_audit.ingest.logs.generic import GenericMappedReader, parse_map

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from llm_audit.ingest.logs.stream import IdLookup

_LISTED = 20


@dataclass(frozen=True)
class LogLoad:
    table: pd.DataFrame  # normalized usage rows, contradictions and duplicate ids removed
    formats: tuple[tuple[str, str], ...]  # (source, reader name)
    bad_lines: tuple[str, ...]
    skipped: tuple[str, ...]  # records that are not usage (failed batch lines, no usage, ...)
    contradictions: tuple[str, ...]
    contradiction_count: int
    duplicate_ids: int
    duplicate_examples: tuple[str, ...]
    transcript_duplicates: int  # Claude Code lines repeating one message's usage
    timing_contradictions: tuple[str, ...] = ()
    timing_contradiction_count: int = 0


def _pick(source: Source, forced: str | None) -> Reader:
    try:
        return pick_reader(source, READERS, forced)
    except InputError as e:
        if forced is not None:
            raise
        known = ", ".join(r.name for r in READERS if r.name != "generic")
        raise InputError(e.message, path=e.path, line=e.line,
                         hint=f"known request-log formats: {known}; pass --input-format NAME, "
                         "or --map FIELD=COLUMN for any other CSV/JSONL") from e


def _read_one(source: Source, forced: str | None, mapping: dict[str, str] | None,
              options: ReadOptions) -> tuple[str, pd.DataFrame]:
    if mapping is not None:
        return "generic", GenericMappedReader(mapping).read(source, options)
    reader = _pick(source, forced)
    if forced == "generic":
        raise InputError("--input-format generic needs --map FIELD=COLUMN",
                         hint="e.g. --map timestamp=ts --map model=model ...")
    return reader.name, reader.read(source, options)  # type: ignore[call-arg]  # readers take options


def load_logs(specs: Sequence[str], *, input_format: str | None = None,
              maps: Sequence[str] = (), skip_bad_lines: bool = False,
              progress: Callable[[str], None] | None = None,
              request_ids: bool = True) -> LogLoad:
    """Every log in ``specs`` as one checked table. Without ``request_ids`` the table has no
    ``request_id`` column (the duplicate check is its only use): a big log's ids are then
    kept as 64-bit fingerprints while it is read, and only the ones that repeat are read
    back from the file as strings (``stream.IdLookup``). pandas is imported after the
    readers start: the transcript reader's Arrow parse runs while it loads."""
    from llm_audit.ingest.logs import stream
    from llm_audit.usage import schema

    mapping = parse_map(list(maps)) if maps else None
    options = ReadOptions(skip_bad_lines=skip_bad_lines, progress=progress)
    frames: list[pd.DataFrame] = []
    big: list[pd.DataFrame] = []  # streamed files: already normalized and compact
    formats: list[tuple[str, str]] = []
    bad: list[str] = []
    skipped: list[str] = []
    transcript_dups = 0
    pending: dict[str, Collected] = {}
    transcripts: list[Source] = []
    streamed: list[str] = []
    lookups: dict[str, IdLookup] = {}
    if mapping is None:
        for spec in specs:  # big one-object-a-line files: block by block, never whole
            if spec == "-" or not stream.streamable(Path(spec)):
                continue
            read = stream.read_stream(Path(spec), lambda head: _pick(head, input_format), options,
                                      keep_ids=request_ids)
            if read is None:
                continue
            lookups[str(Path(spec))] = read[2]
            streamed.append(spec)
            formats.append((spec, read[0]))
            bad.extend(read[1].attrs.get("bad_lines", []))
            skipped.extend(read[1].attrs.get("skipped", []))
            if len(read[1]):
                big.append(read[1])
    specs = [s for s in specs if s not in streamed]
    parquet = [s for s in specs if s.lower().endswith(".parquet") and Path(s).is_file()]
    sources = open_sources([s for s in specs if s not in parquet]) if len(parquet) < len(
        specs) else []
    for path in parquet:  # binary: read by path, and only with a --map
        if mapping is None:
            raise InputError("a Parquet log needs --map FIELD=COLUMN", path=path,
                             hint="e.g. --map timestamp=ts --map model=model "
                             "--map input_tokens=in --map output_tokens=out")
        formats.append((path, "generic"))
        frames.append(GenericMappedReader(mapping).read_parquet(path))
    for i, source in enumerate(sources, 1):
        if not source.text.strip():
            formats.append((source.name, "empty"))
            continue
        if progress is not None:
            progress(f"reading {i}/{len(sources)}: {source.name}")
        reader = None if mapping is not None else _pick(source, input_format)
        if isinstance(reader, ClaudeCodeTranscriptReader):
            formats.append((source.name, reader.name))
            transcripts.append(source)  # read together: one Arrow parse for the directory
            continue
        if reader is not None and isinstance(reader, JsonRecordReader):
            # Rows of every source a record reader reads become one table at the end: a
            # directory of 1,000 small transcripts is one DataFrame build, not 1,000.
            formats.append((source.name, reader.name))
            pending.setdefault(reader.name, Collected()).add(reader.collect(source, options))
            continue
        name, df = _read_one(source, input_format, mapping, options)
        formats.append((source.name, name))
        bad.extend(df.attrs.get("bad_lines", []))
        skipped.extend(df.attrs.get("skipped", []))
        transcript_dups += int(df.attrs.get("transcript_duplicates", 0))
        if len(df):
            frames.append(df)
    if transcripts:
        df = ClaudeCodeTranscriptReader().read_all(transcripts, options)
        bad.extend(df.attrs.get("bad_lines", []))
        skipped.extend(df.attrs.get("skipped", []))
        transcript_dups += int(df.attrs.get("transcript_duplicates", 0))
        if len(df):
            frames.append(df)
    import pandas as pd  # here: the transcript reader imports it while Arrow parses

    for got in pending.values():
        df = build(got.rows, got.bad, got.skipped)
        bad.extend(got.bad)
        skipped.extend(got.skipped)
        transcript_dups += got.duplicates
        if len(df):
            frames.append(df)
    small = compact(schema.normalize(pd.concat(frames, ignore_index=True))) if frames else None
    if small is not None and not request_ids:
        import pyarrow as pa

        from llm_audit.ingest.logs._ids import fingerprints

        # (the ids stay until the duplicate check)
        small["_request_hash"] = fingerprints(pa.array(list(small["request_id"].array),
                                                       type=pa.large_string(), from_pandas=True))
    parts = [*big, *([small] if small is not None else [])]
    table = concat_compact(parts) if parts else compact(schema.empty())

    timing_notes: list[str] = []
    cached = (table["cache_read_tokens"] + table["cache_write_5m_tokens"]
              + table["cache_write_1h_tokens"])
    # Token contradictions leave a row unpriceable without guessing: it is set aside. A timing
    # contradiction only voids the row's timings (its tokens and cost still count).
    timing = (table["ttft_ms"] > table["latency_ms"]).fillna(False) | (
        table["latency_ms"] < 0).fillna(False)
    for idx in table.index[timing.to_numpy(dtype=bool)][:_LISTED]:
        r = table.loc[idx]
        timing_notes.append(f"{r['source_file']}:{r['source_line']}: time to first token "
                            f"({r['ttft_ms']} ms) exceeds latency ({r['latency_ms']} ms) or "
                            "latency is negative; timings ignored")
    timing_count = int(timing.sum())
    if timing_count:
        table.loc[timing, ["ttft_ms", "latency_ms"]] = float("nan")
    checks = (
        (cached > table["input_tokens"], "cache read + write tokens ({c}) exceed input ({i})"),
        (table["reasoning_tokens"] > table["output_tokens"],
         "reasoning tokens ({r}) exceed output ({o})"),
        (_negative(table, schema.TOKEN_COLUMNS), "negative token count"),
        ((table["audio_input_tokens"] > 0)  # else the cache check above says it
         & ((table["audio_input_tokens"] - table["audio_cache_read_tokens"]
             > table["input_tokens"] - cached)
            | (table["audio_cache_read_tokens"] > table["audio_input_tokens"])
            | (table["audio_cache_read_tokens"] > table["cache_read_tokens"])),
         "audio input tokens ({a}, {ac} cached) do not fit in input ({i}, {c} cached/written)"),
        ((table["audio_output_tokens"] > 0)
         & (table["audio_output_tokens"] > table["output_tokens"]),
         "audio output tokens ({ao}) exceed output ({o})"),
    )
    bad_mask = pd.Series(False, index=table.index)
    found: list[str] = []
    for mask, what in checks:
        mask = mask.fillna(False).astype(bool)
        for idx in table.index[mask.to_numpy()][:_LISTED]:
            if len(found) < _LISTED:
                r = table.loc[idx]
                found.append(f"{r['source_file']}:{r['source_line']}: " + what.format(
                    c=int(cached[idx]), i=int(r["input_tokens"]), r=int(r["reasoning_tokens"]),
                    o=int(r["output_tokens"]), a=int(r["audio_input_tokens"]),
                    ac=int(r["audio_cache_read_tokens"]), ao=int(r["audio_output_tokens"])))
        bad_mask |= mask
    if "contradiction" in table.columns:  # a reader's own check of counts it alone can judge
        stated = table["contradiction"].notna().to_numpy(dtype=bool)
        for idx in table.index[stated & ~bad_mask.to_numpy(dtype=bool)][:_LISTED]:
            if len(found) < _LISTED:
                r = table.loc[idx]
                found.append(f"{r['source_file']}:{r['source_line']}: {r['contradiction']}")
        bad_mask |= stated
    contradiction_count = int(bad_mask.sum())
    if contradiction_count:  # else no copy of the table
        table = table[~bad_mask.to_numpy()]

    if "_request_hash" in table.columns:
        dup, seen = _repeated(table, lookups)
        where = table.loc[dup, ["source_file", "source_line"]].head(_LISTED)
        examples = tuple(f"{f}:{ln}: request id {seen[i]} already seen"
                         for i, (f, ln) in zip(where.index, where.itertuples(index=False,
                                                                             name=None),
                                               strict=True))
        del table["_request_hash"]
        if "request_id" in table.columns:  # the small files' (and line-read blocks') ids
            del table["request_id"]
    else:
        ids = table["request_id"]
        dup = (ids.notna() & ids.duplicated(keep="first")).to_numpy()
        examples = tuple(
            f"{f}:{ln}: request id {rid} already seen"
            for f, ln, rid in table.loc[dup, ["source_file", "source_line", "request_id"]]
            .head(_LISTED).itertuples(index=False, name=None))
    if dup.any():
        table = table[~dup]
    table = table.reset_index(drop=True)
    table.attrs = {}  # pandas deep-copies attrs on every operation
    return LogLoad(table, tuple(formats), tuple(bad), tuple(skipped), tuple(found),
                   contradiction_count, int(dup.sum()), examples, transcript_dups,
                   tuple(timing_notes), timing_count)


def _negative(table: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Rows with a negative count in any of ``columns``, one column at a time (selecting them
    together copied six columns of every row: 0.5 GB on 10M rows)."""
    import numpy as np
    import pandas as pd

    neg = np.zeros(len(table), dtype=bool)
    for name in columns:
        neg |= (table[name] < 0).to_numpy(dtype=bool, na_value=False)
    return pd.Series(neg, index=table.index)


def _repeated(table: pd.DataFrame, lookups: dict[str, IdLookup]
              ) -> tuple[np.ndarray, dict[int, str]]:
    """(rows whose request id an earlier row has, {row: its id}) from ``_request_hash``.

    Only rows whose fingerprint repeats can repeat an id; their ids are compared as strings
    (read back from the file where the table has none), so a fingerprint collision never
    makes a row a duplicate."""
    import numpy as np
    import pandas as pd

    hashes = table["_request_hash"].to_numpy()
    # The fingerprints seen twice, by a sort (a hash table of 10M was 2.7 s and 0.35 GB; a
    # sorted copy is 0.8 s and 80 MB).
    ordered = np.sort(hashes)
    again = ordered[1:][ordered[1:] == ordered[:-1]]
    del ordered
    again = again[again != 0]
    maybe = np.flatnonzero(np.isin(hashes, again)) if len(again) else np.zeros(0, np.int64)
    dup = np.zeros(len(table), dtype=bool)
    if not len(maybe):
        return dup, {}
    ids: list[str | None] = [None] * len(maybe)
    known = (table["request_id"].iloc[maybe] if "request_id" in table.columns
             else pd.Series(pd.NA, index=maybe, dtype="string"))
    files = table["source_file"].iloc[maybe].astype("string").to_numpy(dtype=object)
    lines = table["source_line"].iloc[maybe].to_numpy(dtype="int64", na_value=-1)
    wanted: dict[str, list[int]] = {}
    for k, (value, f, ln) in enumerate(zip(known.to_numpy(dtype=object), files, lines,
                                           strict=True)):
        if isinstance(value, str):
            ids[k] = value
        else:
            wanted.setdefault(str(f), []).append(int(ln))
    found = {f: lookups[f].ids(lns) for f, lns in wanted.items() if f in lookups}
    for k, (f, ln) in enumerate(zip(files, lines, strict=True)):
        if ids[k] is None and str(f) in found:
            ids[k] = found[str(f)].get(int(ln))
    repeats = pd.Series(ids, dtype="string")
    repeated = (repeats.notna() & repeats.duplicated(keep="first")).to_numpy()
    dup[maybe[repeated]] = True
    positions = table.index[maybe].tolist()
    return dup, {int(positions[k]): str(ids[k]) for k in np.flatnonzero(repeated).tolist()}
