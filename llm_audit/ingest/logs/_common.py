"""Shared parsing for the request-log readers: JSON records with their lines, and usage blocks.

Every provider counts tokens its own way (formats.md section 0). The ``*_usage`` functions here
translate one provider's ``usage`` block into the columns of ``usage.schema`` explicitly, so each
reader says which convention it uses by calling one of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest.base import Source

if TYPE_CHECKING:
    import pandas as pd

Row = dict[str, Any]
PROGRESS_EVERY = 50_000
Obj = Mapping[str, Any]


@dataclass(frozen=True)
class ReadOptions:
    """How strict a read is: with ``skip_bad_lines`` broken lines are counted, not fatal."""

    skip_bad_lines: bool = False
    progress: Callable[[str], None] | None = None  # set only when stderr is a TTY


def as_dict(value: object) -> Obj:
    return value if isinstance(value, Mapping) else {}


def num(value: object) -> int:
    """A token count from JSON: absent, null or "" is 0; numeric strings are accepted. A count
    that is not a finite number (JSON NaN / Infinity) is bad input: an InputError that
    ``collect`` places at its file:line."""
    if value is None or value == "" or isinstance(value, bool):
        return 0
    if isinstance(value, str):
        try:  # exactly first: OTLP nanosecond stamps ("1763286080112000123") exceed a float
            value = int(value)
        except ValueError:
            try:
                value = float(value)
            except ValueError:
                return 0
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"count {value!r} is not a finite number",
                             hint="fix or delete the line, or pass --skip-bad-lines")
        value = int(value)
    if isinstance(value, int):
        if abs(value) > _INT64_MAX:  # the table's counts are int64
            raise InputError(f"count {value} is out of range",
                             hint="fix or delete the line, or pass --skip-bad-lines")
        return value
    return 0


_INT64_MAX = 2**63 - 1


def opt_count(value: object) -> int | None:
    """An optional count that only describes a request (``max_tokens``): None when absent or
    unreadable, never an error (a cap written as "inf" or a string changes no price)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        n = num(value)
    except InputError:
        return None
    return n if n or value in (0, "0") else None


def opt_float(value: object) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(value)  # type: ignore[arg-type]  # str/int/float from JSON
    except (TypeError, ValueError):
        return None


def opt_str(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def unix_time(seconds: object) -> dt.datetime | None:
    """A Unix time in seconds (OpenAI's ``created``) or, told apart by magnitude, in
    milliseconds, microseconds or nanoseconds (a wrapper's ``ts`` logged as ``Date.now()``):
    1e11 s is the year 5138, so the units cannot be confused for a real date."""
    s = opt_float(seconds)
    if s is None:
        return None
    for scale in (1.0, 1e3, 1e6, 1e9):
        if abs(s) / scale < 1e11:
            try:
                return dt.datetime.fromtimestamp(s / scale, dt.UTC)
            except (OverflowError, OSError, ValueError):
                break
    raise InputError(f"unreadable Unix timestamp {seconds!r}",
                     hint="fix or delete the line, or pass --skip-bad-lines")


def digest(value: object) -> str:
    """A stable fingerprint of a request body, for exact-duplicate detection."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def digest_text(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def prompt_text(request: Obj) -> str | None:
    """The prompt as one string, system first, in the order the model reads it."""
    parts: list[str] = []
    for key in ("system", "instructions"):
        if key in request:
            parts.append(_text_of(request[key]))
    for key in ("messages", "input", "contents", "prompt"):
        if key in request:
            value = request[key]
            items = value if isinstance(value, list) else [value]
            for item in items:
                if isinstance(item, Mapping):
                    body = item.get("content", item.get("parts", item.get("text")))
                    parts.append(f"{item.get('role', '')}: {_text_of(body)}")
                else:
                    parts.append(_text_of(item))
    text = "\n".join(p for p in parts if p)
    return text or None


def _text_of(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(_text_of(v) for v in value)
    if isinstance(value, Mapping):
        for key in ("text", "content", "input_text"):
            if isinstance(value.get(key), str):
                return str(value[key])
        return ""
    return "" if value is None else str(value)


# -- token conventions (formats.md section 0) ------------------------------------------------


def openai_chat_usage(u: Obj) -> Row:
    """Chat Completions: cached and cache-write tokens are inside prompt_tokens; reasoning
    inside completion_tokens. The schema's convention already, so counts pass through."""
    pd_ = as_dict(u.get("prompt_tokens_details"))
    cd = as_dict(u.get("completion_tokens_details"))
    prompt, cached = num(u.get("prompt_tokens")), num(pd_.get("cached_tokens"))
    writes = num(pd_.get("cache_write_tokens"))
    audio = num(pd_.get("audio_tokens"))
    # The details do not split the cached tokens by modality: audio is taken as uncached,
    # and only what cannot be (more audio than uncached input) as cached. Either way none of
    # it is priced at a text rate.
    audio_cached = min(max(audio - max(prompt - cached - writes, 0), 0), cached)
    return {
        "input_tokens": prompt,
        "cache_read_tokens": cached,
        # OpenAI writes are 30m/12h; the schema has a short and a long write column.
        "cache_write_5m_tokens": writes,
        "cache_write_1h_tokens": 0,
        "output_tokens": num(u.get("completion_tokens")),
        "reasoning_tokens": num(cd.get("reasoning_tokens")),
        "audio_input_tokens": audio,
        "audio_cache_read_tokens": audio_cached,
        "audio_output_tokens": num(cd.get("audio_tokens")),
    }


def openai_responses_usage(u: Obj) -> Row:
    """Responses API: the same inclusive convention as Chat, different key names."""
    idt = as_dict(u.get("input_tokens_details"))
    odt = as_dict(u.get("output_tokens_details"))
    ttl = as_dict(idt.get("cache_write_tokens_details"))
    long_writes = num(ttl.get("ttl_12h_tokens"))
    # The TTL split is the total's parts (formats.md 1e); a total left out is their sum.
    writes = max(num(idt.get("cache_write_tokens")),
                 num(ttl.get("ttl_30m_tokens")) + long_writes)
    return {
        "input_tokens": num(u.get("input_tokens")),
        "cache_read_tokens": num(idt.get("cached_tokens")),
        "cache_write_5m_tokens": writes - long_writes,  # the 30m part (or the undivided total)
        "cache_write_1h_tokens": long_writes,
        "output_tokens": num(u.get("output_tokens")),
        "reasoning_tokens": num(odt.get("reasoning_tokens")),
    }


def anthropic_usage(u: Obj) -> Row:
    """Anthropic Messages: ``input_tokens`` EXCLUDES cache reads and writes, so the schema's
    input is the sum of the three. Thinking is inside ``output_tokens``."""
    base = num(u.get("input_tokens"))
    read = num(u.get("cache_read_input_tokens"))
    written = num(u.get("cache_creation_input_tokens"))
    split = as_dict(u.get("cache_creation"))
    w1h = num(split.get("ephemeral_1h_input_tokens"))
    w5m = num(split.get("ephemeral_5m_input_tokens")) if split else written
    if split and w5m + w1h != written and written:
        w5m = written - w1h  # the split is newer than the total; trust the total
    written = max(written, w5m + w1h)
    tools = as_dict(u.get("server_tool_use"))
    return {
        "input_tokens": base + read + written,
        "cache_read_tokens": read,
        "cache_write_5m_tokens": w5m,
        "cache_write_1h_tokens": w1h,
        "output_tokens": num(u.get("output_tokens")),
        "reasoning_tokens": num(as_dict(u.get("output_tokens_details")).get("thinking_tokens")),
        "web_search_requests": num(tools.get("web_search_requests")),
        "service_tier": opt_str(u.get("service_tier")) or "standard",
        "speed": opt_str(u.get("speed")),  # "fast" costs more; the tables do not model it
    }


def gemini_usage(u: Obj) -> Row:
    """Gemini usageMetadata (camelCase REST or snake_case SDK): cached tokens are inside the
    prompt count; thoughts are NOT inside candidates, so output = candidates + thoughts.
    Tool-use prompt tokens are billed as input and counted into it."""
    def g(camel: str, snake: str) -> int:
        return num(u.get(camel, u.get(snake)))

    def audio(camel: str, snake: str) -> int:
        """The AUDIO entries of a ``[{modality, tokenCount}]`` breakdown (formats.md 3a)."""
        items = u.get(camel, u.get(snake))
        return sum(num(d.get("tokenCount", d.get("token_count")))
                   for d in (items if isinstance(items, list) else [])
                   if isinstance(d, dict) and str(d.get("modality", "")).upper() == "AUDIO")

    thoughts = g("thoughtsTokenCount", "thoughts_token_count")
    return {
        "input_tokens": g("promptTokenCount", "prompt_token_count")
        + g("toolUsePromptTokenCount", "tool_use_prompt_token_count"),
        "cache_read_tokens": g("cachedContentTokenCount", "cached_content_token_count"),
        "cache_write_5m_tokens": 0,
        "cache_write_1h_tokens": 0,
        "output_tokens": g("candidatesTokenCount", "candidates_token_count") + thoughts,
        "reasoning_tokens": thoughts,
        # Audio has its own rate (formats.md 6): counted apart, so never priced as text.
        "audio_input_tokens": audio("promptTokensDetails", "prompt_tokens_details")
        + audio("toolUsePromptTokensDetails", "tool_use_prompt_tokens_details"),
        "audio_cache_read_tokens": audio("cacheTokensDetails", "cache_tokens_details"),
        "audio_output_tokens": audio("candidatesTokensDetails", "candidates_tokens_details"),
    }


# -- JSON records with their line numbers ----------------------------------------------------


def _array_items(data: object) -> list[Any] | None:
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for key in ("data", "results", "items", "observations", "logs"):
            if isinstance(data.get(key), list):
                return list(data[key])
    return None


_LAST_FIRST: list[tuple[Source, Obj | None]] = []


def first_record(source: Source) -> Obj | None:
    """The first JSON object of a JSONL file or JSON array, from the head only.

    Every reader's ``detect`` asks it of the same source in turn: the last answer is kept
    for that source object (an ``lru_cache`` hashed the whole text of each file)."""
    if _LAST_FIRST and _LAST_FIRST[0][0] is source:
        return _LAST_FIRST[0][1]
    record = _first_record(source)
    _LAST_FIRST[:] = [(source, record)]
    return record


def _first_record(source: Source) -> Obj | None:
    head = source.head.lstrip()
    if not head:
        return None
    if head.startswith("["):
        try:
            obj, _ = json.JSONDecoder().raw_decode(head, 1 + len(head[1:]) - len(head[1:].lstrip()))
        except ValueError:
            return None
        return obj if isinstance(obj, Mapping) else None
    line = head.split("\n", 1)[0].strip()
    try:
        obj = json.loads(line)
    except ValueError:
        try:  # one pretty-printed JSON document
            obj = json.loads(source.text)
        except ValueError:
            return None
        items = _array_items(obj)
        if items is not None and not (isinstance(obj, Mapping) and "resourceSpans" in obj):
            return items[0] if items and isinstance(items[0], Mapping) else None
    return obj if isinstance(obj, Mapping) else None


def json_records(source: Source, options: ReadOptions, bad: list[str], first_line: int = 1
                 ) -> Iterator[tuple[int, Any]]:
    """(line, object) for each record: JSONL lines, or the items of one JSON array / document.

    A broken line is an InputError naming ``file:line``; with ``skip_bad_lines`` it is listed
    in ``bad`` and the read goes on. ``first_line`` is the file line of the text's first line
    when ``source`` is one block of a file read in blocks (``stream``).
    """
    stripped = source.text.lstrip()
    if first_line == 1 and stripped.startswith("["):
        try:
            data = json.loads(source.text)
        except json.JSONDecodeError as e:
            raise InputError(f"broken JSON: {e.msg}", path=source.name, line=e.lineno,
                             hint="fix the file, or export it again") from e
        items: list[Any] = _array_items(data) or []
        # A JSON array has no useful line per item; the item's position stands in for it.
        yield from enumerate(items, 1)
        return
    offset = first_line - 1
    for number, line in source.lines():
        number += offset
        if options.progress is not None and number % PROGRESS_EVERY == 0:
            options.progress(f"{source.name}: {number:,} lines")
        text = line.strip()
        if not text:
            continue
        try:
            yield number, json.loads(text)
        except json.JSONDecodeError as e:
            if number == 1 and stripped.startswith("{"):
                # Maybe one pretty-printed document ({"data": [...]}).
                try:
                    doc = json.loads(source.text)
                except json.JSONDecodeError:
                    pass
                else:
                    found = _array_items(doc)
                    yield from enumerate(found if found is not None else [doc], 1)
                    return
            if options.skip_bad_lines:
                bad.append(f"{source.name}:{number}: broken JSON ({e.msg})")
                continue
            raise InputError(f"broken JSON line: {e.msg} (column {e.colno})", path=source.name,
                             line=number, hint="fix or delete the line, or pass "
                             "--skip-bad-lines to count and skip broken lines") from e


def build(rows: list[Row], bad: list[str], skipped: list[str]) -> pd.DataFrame:
    """The usage table for a reader's rows, with what it could not read in ``attrs``."""
    import pandas as pd

    return build_frame(pd.DataFrame.from_records(rows) if rows else None, bad, skipped)


def build_frame(frame: pd.DataFrame | None, bad: list[str], skipped: list[str]
                ) -> pd.DataFrame:
    """``build`` for rows that are already columns (a reader that parses with Arrow)."""
    import pandas as pd

    from llm_audit.usage import schema

    if frame is not None and "timestamp" not in frame.columns:
        frame["timestamp"] = None  # batch results and bare Messages carry no time
    if frame is not None and "timestamp" in frame.columns:
        raw = frame["timestamp"]
        try:  # ISO 8601 throughout (the usual case) parses in C, "mixed" element by element
            when = pd.to_datetime(raw, utc=True, format="ISO8601")
        except (ValueError, TypeError):
            when = pd.to_datetime(raw, utc=True, format="mixed", errors="coerce")
        broken = when.isna() & raw.notna()
        for i in frame.index[broken.to_numpy(dtype=bool)][:20]:
            where = f"{frame.at[i, 'source_file']!s}:{frame.at[i, 'source_line']!s}"
            bad.append(f"{where}: unreadable timestamp {str(raw[i])!r}")
        frame["timestamp"] = when
    if frame is not None:
        for name in schema.TOKEN_COLUMNS:  # a reader leaves out what its source never has
            frame[name] = frame[name].fillna(0) if name in frame.columns else 0
        frame["service_tier"] = frame.get("service_tier", "standard")
    df = schema.normalize(frame) if frame is not None else schema.empty()
    df.attrs["bad_lines"] = list(bad)
    df.attrs["skipped"] = list(skipped)
    return df


class JsonRecordReader:
    """A reader of JSON records: ``accepts`` judges the first record, ``rows`` maps one."""

    name = ""
    description = ""

    def accepts(self, record: Obj) -> bool:
        raise NotImplementedError

    def rows(self, record: Obj, where: tuple[str, int], skipped: list[str]) -> list[Row]:
        raise NotImplementedError

    def detect(self, source: Source) -> bool:
        record = first_record(source)
        return record is not None and self.accepts(record)

    def read(self, source: Source, options: ReadOptions | None = None) -> pd.DataFrame:
        got = self.collect(source, options or ReadOptions())
        df = build(got.rows, got.bad, got.skipped)
        df.attrs["transcript_duplicates"] = got.duplicates
        return df

    def collect(self, source: Source, options: ReadOptions, first_line: int = 1) -> Collected:
        """The rows of one source, not yet a table: many small files become one table.
        ``first_line``: the file line of the source's first line (a block of a big file)."""
        got = Collected()
        for line, record in json_records(source, options, got.bad, first_line):
            if not isinstance(record, Mapping):
                got.skipped.append(f"{source.name}:{line}: not a JSON object")
                continue
            for row in _rows_at(self, record, (source.name, line), got, options):
                row.setdefault("requests", 1)
                row["source_file"] = source.name
                row["source_line"] = line
                got.rows.append(row)
        return got


def _rows_at(reader: JsonRecordReader, record: Obj, where: tuple[str, int], got: Collected,
             options: ReadOptions) -> list[Row]:
    """``reader.rows``, with a bad value placed at its file:line (or, with
    ``skip_bad_lines``, the line counted as bad and skipped)."""
    try:
        return reader.rows(record, where, got.skipped)
    except InputError as e:
        if e.path is not None:
            raise
        if options.skip_bad_lines:
            got.bad.append(f"{where[0]}:{where[1]}: {e.message}")
            return []
        raise InputError(e.message, path=where[0], line=where[1], hint=e.hint) from e


@dataclass
class Collected:
    """Rows read from sources (mutable: it is filled while reading), and what was not used."""

    rows: list[Row] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    duplicates: int = 0

    def add(self, other: Collected) -> None:
        self.rows.extend(other.rows)
        self.bad.extend(other.bad)
        self.skipped.extend(other.skipped)
        self.duplicates += other.duplicates


def csv_records(source: Source) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) of a CSV with a header; the line is where the row starts in the file."""
    import csv
    import io

    reader = csv.DictReader(io.StringIO(source.text))
    start = 2
    try:
        for row in reader:
            yield start, {k.strip(): (v or "") for k, v in row.items() if k is not None}
            start = reader.line_num + 1
    except csv.Error as e:
        raise InputError(f"broken CSV: {e}", path=source.name, line=reader.line_num,
                         hint="check the quoting of that row") from e


def csv_header(source: Source) -> set[str]:
    first = source.head.split("\n", 1)[0]
    if first.lstrip().startswith(("{", "[")):
        return set()
    import csv

    try:
        return {h.strip() for h in next(csv.reader([first]))}
    except (csv.Error, StopIteration):
        return set()


def json_field(value: object) -> Any:
    """A JSON column of a CSV dump (or an already-parsed JSON value)."""
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("{", "["):
            try:
                return json.loads(text)
            except ValueError:
                return None
        return None
    return value


class RecordReader(JsonRecordReader):
    """A reader of records that come as JSON/JSONL or as a CSV with the same field names."""

    csv_marker: frozenset[str] = frozenset()

    def detect(self, source: Source) -> bool:
        header = csv_header(source)
        if header and self.csv_marker and self.csv_marker <= header:
            return True
        return super().detect(source)

    def collect(self, source: Source, options: ReadOptions, first_line: int = 1) -> Collected:
        if not (self.csv_marker and self.csv_marker <= csv_header(source)):
            return super().collect(source, options, first_line)
        got = Collected()
        for line, record in csv_records(source):
            for row in _rows_at(self, record, (source.name, line), got, options):
                row.setdefault("requests", 1)
                row["source_file"] = source.name
                row["source_line"] = line
                got.rows.append(row)
        return got


def iso_or_none(value: object) -> str | None:
    text = opt_str(value)
    if text is None or text.lower() in ("none", "null", "nan"):
        return None
    return text


def ms_between(start: object, end: object) -> float | None:
    import pandas as pd

    a, b = iso_or_none(start), iso_or_none(end)
    if a is None or b is None:
        return None
    try:
        delta = pd.Timestamp(b) - pd.Timestamp(a)
    except (ValueError, TypeError):
        return None
    return float(delta.total_seconds() * 1000.0)


# Strings with few distinct values become categoricals (a byte or two a row instead of a
# string each: a model id, a tier, the file name repeated on a million rows); the columns a
# reader adds beside the contract get compact dtypes too.
CATEGORICAL = ("provider", "model", "model_raw", "service_tier", "user", "project",
               "workspace", "api_key", "feature", "finish_reason", "status", "region",
               "context_tier", "source_file", "speed")
_STRINGS = ("request_key", "trace_id", "session_id", "message_id", "prompt_text")


def blank_column(kind: str, n: int, index: pd.Index | None = None) -> pd.Series:
    """``n`` missing values in the usage contract's dtype for ``kind`` (``schema.Kind``).

    What ``schema.normalize`` adds for a missing column, but built from one buffer (a null
    Arrow array, a mask): ``normalize`` builds a default of every kind for each missing
    column, which on blocks of tens of thousands of rows was most of its time."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    where = pd.RangeIndex(n) if index is None else index
    none = np.ones(n, dtype=bool)
    if kind == "str":
        return pd.Series(pd.array(pa.nulls(n, pa.large_string()), dtype="string"), index=where)
    if kind == "float":
        return pd.Series(np.full(n, np.nan), index=where)
    if kind == "int":
        return pd.Series(np.zeros(n, dtype="int64"), index=where)
    if kind == "Int":
        return pd.Series(pd.arrays.IntegerArray(np.zeros(n, dtype="int64"), none), index=where)
    if kind == "bool":
        return pd.Series(pd.arrays.BooleanArray(np.zeros(n, dtype=bool), none), index=where)
    return pd.Series(pd.NaT, index=where, dtype="datetime64[us, UTC]")


def with_contract_columns(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` (a reader's rows) with every missing optional contract column added as
    ``blank_column``: ``schema.normalize`` then only checks and orders them (same table)."""
    from llm_audit.usage import schema

    missing = [c for c in schema.COLUMNS if c.name not in df.columns and not c.required]
    if not missing or not len(df):
        return df
    out = df.copy(deep=False)
    for col in missing:
        out[col.name] = blank_column(col.kind, len(df), df.index)
    out.attrs = df.attrs
    return out


def compact(table: pd.DataFrame) -> pd.DataFrame:
    """A normalized usage table with categoricals for its repetitive strings (same values)."""
    import pandas as pd

    for name in CATEGORICAL:
        if name in table.columns and not isinstance(table[name].dtype, pd.CategoricalDtype):
            table[name] = table[name].astype("string").astype("category")
    for name in _STRINGS:
        if name in table.columns:
            table[name] = table[name].astype("string")
    if "has_request" in table.columns:
        table["has_request"] = table["has_request"].astype("boolean")
    table.attrs = {}  # pandas deep-copies attrs on every operation
    return table


def concat_compact(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """``compact`` tables one after the other; categoricals stay categoricals (pandas turns
    categoricals with different categories into object columns: a string object a row).
    Consumes ``parts``: each column is dropped from them once copied, to bound the peak."""
    import pandas as pd
    from pandas.api.types import union_categoricals

    if len(parts) == 1:
        return parts[0]
    names = list(dict.fromkeys(c for p in parts for c in p.columns))
    columns: dict[str, object] = {}
    for name in names:
        proto = next(p[name].dtype for p in parts if name in p.columns)
        blank = "string" if isinstance(proto, pd.CategoricalDtype) else proto
        pieces = [p[name] if name in p.columns else pd.Series(None, index=p.index, dtype=blank)
                  for p in parts]
        if name in CATEGORICAL:
            columns[name] = pd.Series(union_categoricals(
                [x.astype("string").astype("category") if not isinstance(
                    x.dtype, pd.CategoricalDtype) else x for x in pieces], ignore_order=True))
        else:
            columns[name] = pd.concat(pieces, ignore_index=True)
        for x in parts:  # free each block's column as soon as it is copied
            if name in x.columns:
                del x[name]
    return compact(pd.DataFrame(columns))

