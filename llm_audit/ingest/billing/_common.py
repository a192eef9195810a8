"""Shared parsing for the billing readers: CSV and JSON with `file:line` errors, tolerant numbers.

Bill rows come in two roles. A *usage* row carries token counts (priced by our engine); a
*cost* row carries an amount the provider billed (``billed_usd``) for one model and token kind,
with zero tokens. The extra columns ``row_role``, ``token_kind`` and ``quantity`` say which.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest.base import Source

if TYPE_CHECKING:
    import pandas as pd

# The token kinds a bill line can be about, in report order.
TOKEN_KINDS = (
    "input",
    "cache_read",
    "cache_write_5m",
    "cache_write_1h",
    "output",
    "web_search",
    "other",
)
TRUE_WORDS = frozenset({"true", "1", "yes", "t", "y"})


def first_line(source: Source) -> str:
    for line in source.head.splitlines():
        if line.strip():
            return line.strip()
    return ""


def header_fields(source: Source) -> list[str]:
    return [f.strip().strip('"').lower() for f in first_line(source).split(",")]


def read_csv(
    source: Source,
    required: Sequence[str] = (),
    numeric: Sequence[str] = (),
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every cell as a string ('' when empty), except the ``numeric`` columns, which may come
    back as float64 (empty cells NaN) when every cell of them is a plain number; short
    (truncated) rows are an error.

    Large exports are read by pyarrow's multi-threaded parser; anything it refuses (a short
    row, `1,234`, `$5`, a quoted newline) is read again by the pandas parser below, which gives
    the `file:line` errors and takes the tolerant path of ``numbers``. ``columns``: read only
    these (the reader's), when given; the others of a wide export are never converted."""
    fast = _read_csv_arrow(source, numeric, columns)
    if fast is not None:
        _require(header_fields(source), required, source)
        return _finish(fast, source)
    return _read_csv_pandas(source, required)


def _require(header: Sequence[str], required: Sequence[str], source: Source) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}",
            path=source.name,
            line=1,
            hint="is this the right --input-format? the header has: " + ", ".join(header[:12]),
        )


def _read_csv_arrow(
    source: Source, numeric: Sequence[str], columns: Sequence[str] | None
) -> pd.DataFrame | None:
    import csv

    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        names = next(csv.reader([first_line(source)]))
    except (csv.Error, StopIteration):
        return None
    if not names or len(set(names)) != len(names):
        return None
    wanted = {n.lower() for n in numeric}
    # large_string: what a pandas string column holds (a string column is cast, a copy)
    types = {n: (pa.float64() if n.strip().lower() in wanted else pa.large_string()) for n in names}
    keep = {c.lower() for c in columns} if columns is not None else None
    include = [n for n in names if keep is None or n.strip().lower() in keep]
    try:
        table = pacsv.read_csv(
            _plain_file(source) or pa.py_buffer(source.text.encode("utf-8")),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                include_columns=include,
                null_values=[""],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # the pandas parser reads it again and names the line
    df: pd.DataFrame = table.to_pandas()
    for name in include:
        if name.strip().lower() not in wanted:
            continue
        # "" is null for a float column; the pandas path reads it as "" and numbers() as 0.
        if df[name].dtype != "float64":
            return None
    return df


def _plain_file(source: Source) -> Any:
    """The source's file, memory-mapped, when it is a plain file on disk (not stdin, gzip or a
    zip member): encoding the decoded text back to bytes cost a copy of the whole export.
    A file not decoded yet (``Source.path``) is checked to be UTF-8 here, as decoding it
    would (Arrow checks only the string columns it converts); when it is not, its ``text``
    raises the error that names the line. Arrow skips a BOM as the decoder does."""
    import os

    import numpy as np
    import pyarrow as pa

    try:
        if source.path is not None:
            mapped = pa.memory_map(str(source.path))
            data = mapped.read_buffer()
            offsets = pa.py_buffer(np.array([0, data.size], dtype=np.int64))
            try:  # one Arrow cast checks the bytes (a Python decode took 0.1 s per 200 MB)
                pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, data]).cast(
                    pa.large_string()
                )
            except pa.ArrowInvalid:
                _ = source.text  # raises the InputError with the line
                raise
            mapped.seek(0)
            return mapped
        if not os.path.isfile(source.name):
            return None
        with open(source.name, "rb") as f:
            magic = f.read(4)
        if magic[:2] == b"\x1f\x8b" or magic == b"PK\x03\x04":
            return None
        return pa.memory_map(source.name)
    except OSError:
        return None


def constant_strings(value: str | None, n: int) -> Any:
    """``n`` times ``value`` (or nulls) as Arrow large_string (what pandas' string columns
    hold: a plain string array is cast, a copy), chunked: one chunk of up to 65,536 rows
    repeated (chunks are immutable and may share buffers). A million copies of a file's path
    were 53 MB to fill and fault in; a Python-string broadcast took ~0.25 s."""
    import numpy as np
    import pyarrow as pa

    size = min(n, 1 << 16)
    if value is None:
        chunk = pa.nulls(size, pa.large_string())
    else:
        data = value.encode("utf-8")
        offsets = np.arange(size + 1, dtype=np.int64) * len(data)
        chunk = pa.LargeStringArray.from_buffers(
            size, pa.py_buffer(offsets), pa.py_buffer(data * size)
        )
    whole, rest = divmod(n, size) if size else (0, 0)
    chunks = [chunk] * whole + ([chunk.slice(0, rest)] if rest else [])
    return pa.chunked_array(chunks, type=pa.large_string())


def _finish(df: pd.DataFrame, source: Source) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    df.columns = [str(c).strip().lower() for c in df.columns]
    df["source_file"] = pd.Series(
        pd.arrays.ArrowStringArray(constant_strings(source.name, len(df))),
        index=df.index,
        dtype="str",
    )
    df["source_line"] = np.arange(2, len(df) + 2)
    return df


def _read_csv_pandas(source: Source, required: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    try:
        df = pd.read_csv(
            io.StringIO(source.text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
            engine="c",
        )
    except pd.errors.EmptyDataError as e:
        raise InputError(
            "empty file: no header and no rows",
            path=source.name,
            line=1,
            hint="re-export the file; an export always has a header line",
        ) from e
    except pd.errors.ParserError as e:
        line = _parser_line(str(e))
        raise InputError(
            f"malformed CSV: {e}",
            path=source.name,
            line=line,
            hint="a row has more fields than the header; re-export the file",
        ) from e
    df.columns = [str(c).strip().lower() for c in df.columns]
    _require(list(df.columns), required, source)
    short = _short_last_line(source, len(df.columns))
    if short is not None:
        raise InputError(
            f"row has fewer fields than the header ({len(df.columns)})",
            path=source.name,
            line=short,
            hint="the file looks truncated; re-export or re-download it",
        )
    if len(df) and df.isna().to_numpy().any():
        bad = int(df.isna().any(axis=1).to_numpy().argmax())
        raise InputError(
            f"row has fewer fields than the header ({len(df.columns)})",
            path=source.name,
            line=bad + 2,
            hint="the file looks truncated; re-export or re-download it",
        )
    return _finish(df, source)


def _short_last_line(source: Source, width: int) -> int | None:
    """A download cut short ends in a row with too few fields; pandas pads it silently."""
    import csv

    text = source.text.rstrip("\r\n")
    count = text.count("\n") + 1  # counting beats splitting a large file into lines
    last = text[text.rfind("\n") + 1 :]
    if count < 2 or not last.strip():
        return None
    try:
        fields = next(csv.reader([last]))
    except (csv.Error, StopIteration):
        return count
    return count if len(fields) < width else None


def _parser_line(message: str) -> int | None:
    import re

    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


def numbers(df: pd.DataFrame, col: str, source: Source, *, default: float = 0.0) -> pd.Series:
    """A numeric column; '' is ``default``; '10.0' and '1,234' are fine; junk is an error."""
    import pandas as pd

    if col not in df.columns:
        return pd.Series(default, index=df.index, dtype="float64")
    if df[col].dtype == "float64":  # read as numbers already (read_csv's fast path)
        return df[col].fillna(default)
    raw = df[col].astype(str).str.strip().str.replace(",", "", regex=False)
    raw = raw.str.replace("$", "", regex=False)
    values = pd.to_numeric(raw.replace("", None), errors="coerce")
    bad = values.isna() & (raw != "") & (raw.str.lower() != "nan")
    if bool(bad.any()):
        i = int(bad.to_numpy().argmax())
        line = int(df["source_line"].iloc[i]) if "source_line" in df.columns else None
        raise InputError(
            f"column {col!r}: {df[col].iloc[i]!r} is not a number",
            path=source.name,
            line=line,
            hint="fix or remove that row",
        )
    return values.fillna(default).astype("float64")


def bools(series: pd.Series) -> pd.Series:
    return by_value(series, lambda v: str(v).strip().lower() in TRUE_WORDS).astype(bool)


def by_value(series: pd.Series, func: Callable[[Any], Any]) -> pd.Series:
    """``series.map(func)``, calling ``func`` once per distinct value (a million-row export
    has a handful of tiers, geos and windows)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    values = np.empty(len(uniques), dtype=object)
    values[:] = [func(u) for u in uniques]
    return pd.Series(values[codes], index=series.index)


def strings_by_value(series: pd.Series, func: Callable[[Any], str | None]) -> pd.Series:
    """``by_value`` for a function giving text (or None): a "string" column made by one Arrow
    take, where a million-element object column cost more to convert than to map."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    words = pa.array([func(u) for u in uniques], type=pa.large_string())
    taken = words.take(pa.array(np.asarray(codes, dtype=np.int64)))
    return pd.Series(pd.arrays.ArrowStringArray(taken), index=series.index, dtype="string")


def times_by_value(
    series: pd.Series, df: pd.DataFrame, source: Source, **options: Any
) -> pd.Series:
    """``pd.to_datetime(series, **options)``, each distinct text parsed once (a daily export
    of a million rows has a few dozen dates). Only for element-wise formats (``mixed``). A
    text that is no date is an error at the first line holding it."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    texts = pd.Series(uniques, dtype=series.dtype)
    try:
        parsed = pd.to_datetime(texts, **options)
    except (ValueError, TypeError, OverflowError) as e:
        bad = 0
        for i, text in enumerate(texts.tolist()):
            try:
                pd.to_datetime(pd.Series([text], dtype=series.dtype), **options)
            except (ValueError, TypeError, OverflowError):
                bad = i
                break
        row = int(np.flatnonzero(np.asarray(codes) == bad)[0])
        raise InputError(
            f"column {series.name!r}: {texts.iloc[bad]!r} is not a date",
            path=source.name,
            line=int(df["source_line"].iloc[row]),
            hint="fix or remove that row",
        ) from e
    return pd.Series(parsed.array.take(codes), index=series.index)


def whole(values: pd.Series, col: str, df: pd.DataFrame, source: Source) -> pd.Series:
    """Token counts written as floats (`59200.0`) must still be whole numbers."""
    frac = values != values.round()
    if bool(frac.any()):
        i = int(frac.to_numpy().argmax())
        raise InputError(
            f"column {col!r}: {values.iloc[i]} is not a whole number of tokens",
            path=source.name,
            line=int(df["source_line"].iloc[i]),
        )
    return values.astype("int64")


def load_json(source: Source) -> Any:
    """A JSON document, or JSONL (one document per line) as a list."""
    text = source.text.strip()
    if not text:
        raise InputError("empty file", path=source.name, line=1, hint="re-export the file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        docs: list[Any] = []
        for number, line in source.lines():
            if not line.strip():
                continue
            try:
                docs.append(json.loads(line))
            except json.JSONDecodeError as e:
                if len(docs) == 0 and number == 1 and first.lineno > 1:
                    raise InputError(
                        f"invalid JSON: {first.msg}",
                        path=source.name,
                        line=first.lineno,
                        hint="the file looks truncated; re-download it",
                    ) from e
                raise InputError(
                    f"invalid JSON: {e.msg}",
                    path=source.name,
                    line=number,
                    hint="the file looks truncated; re-download it",
                ) from e
        return docs


def pages(doc: Any) -> Iterator[Mapping[str, Any]]:
    """API pages from one page, an array of pages or JSONL pages."""
    if isinstance(doc, Mapping):
        yield doc
    elif isinstance(doc, list):
        for item in doc:
            if isinstance(item, Mapping):
                yield item


def json_head_has(source: Source, *needles: str) -> bool:
    head = source.head.lstrip()
    return head[:1] in ("{", "[") and all(n in head for n in needles)


def cost_rows(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Cost rows: zero tokens, the billed amount, the kind; normalized."""
    from llm_audit.usage.schema import TOKEN_COLUMNS, from_records

    for r in records:
        r.setdefault("requests", 0)
        for c in TOKEN_COLUMNS:
            r.setdefault(c, 0)
        r.setdefault("service_tier", "standard")
        r["row_role"] = "cost"
    rows: list[Mapping[str, Any]] = list(records)
    return from_records(rows)


def require_fields(
    obj: Mapping[str, Any], fields: Sequence[str], source: Source, where: str
) -> None:
    missing = [f for f in fields if f not in obj]
    if missing:
        raise InputError(
            f"{where} lacks {', '.join(missing)}",
            path=source.name,
            hint="is this the right --input-format?",
        )


def fnum(value: Any, source: Source, what: str) -> float:
    if value is None or value == "":
        return 0.0
    try:
        return float(value)
    except (TypeError, ValueError) as e:
        raise InputError(f"{what}: {value!r} is not a number", path=source.name) from e


_DTYPE_OF = {
    "time": "datetime64[us, UTC]",
    "str": "string",
    "int": "int64",
    "float": "float64",
    "Int": "Int64",
    "bool": "boolean",
}


def usage_table(columns: Mapping[str, Any], n: int) -> pd.DataFrame:
    """``normalize(pd.DataFrame(columns))`` for a large export, without its copies.

    ``columns``: Series of ``n`` rows sharing one index, or scalars. A column already in its
    contract dtype is kept as it is; others are coerced as ``normalize`` coerces them; absent
    and constant string columns are built from Arrow buffers (a million-element object array
    per constant cost more than the rest); tier words are mapped once per distinct value.
    Extra columns follow the contract's, as ``normalize`` keeps them."""
    import numpy as np
    import pandas as pd

    from llm_audit.usage.schema import _TIER_ALIASES, BY_NAME, COLUMNS, _coerce

    # Absent columns of one kind share one immutable array (copy-on-write protects them):
    # each all-null string column or all-NaN float column of its own was ~8 MB to fault in.
    shared: dict[str, Any] = {}

    def const_str(value: str | None) -> pd.Series:
        arr = (
            shared.setdefault("nulls", constant_strings(None, n))
            if value is None
            else constant_strings(value, n)
        )
        return pd.Series(pd.arrays.ArrowStringArray(arr), dtype="string")

    def series(value: Any) -> pd.Series:
        if isinstance(value, pd.Series):
            return value.reset_index(drop=True)
        if value is None or isinstance(value, str):
            return const_str(value)
        if type(value) is int and value == 0:  # zeros from calloc: pages faulted when read
            return pd.Series(np.zeros(n, dtype=np.int64), index=pd.RangeIndex(n))
        return pd.Series(value, index=pd.RangeIndex(n))

    def absent(kind: str) -> pd.Series | None:
        # normalize's defaults, built without making the other kinds' defaults each time
        index = pd.RangeIndex(n)
        if kind == "str":
            return const_str(None)
        if kind == "int":
            return pd.Series(np.zeros(n, dtype=np.int64), index=index)
        if kind == "float":
            if "nan" not in shared:
                shared["nan"] = np.full(n, np.nan)
            return pd.Series(shared["nan"], index=index, copy=False)
        if kind == "Int":
            missing = np.ones(n, dtype=bool)
            return pd.Series(pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), missing), index)
        if kind == "bool":
            missing = np.ones(n, dtype=bool)
            return pd.Series(pd.arrays.BooleanArray(np.zeros(n, dtype=bool), missing), index)
        return None

    out: dict[str, pd.Series] = {}
    for col in COLUMNS:
        default = absent(col.kind) if col.name not in columns else None
        if default is not None:
            out[col.name] = default
            continue
        values = series(columns[col.name]) if col.name in columns else None
        if values is not None and str(values.dtype) == _DTYPE_OF[col.kind]:
            out[col.name] = values
        else:
            out[col.name] = _coerce(col, values, n)

    def tier_word(value: object) -> str:
        missing = value is None or value is pd.NA or (isinstance(value, float) and value != value)
        word = "" if missing else str(value).strip().lower()
        return _TIER_ALIASES.get(word, word)

    out["service_tier"] = strings_by_value(out["service_tier"], tier_word)
    for name, value in columns.items():
        if name not in BY_NAME:  # as pandas makes them: a scalar is broadcast to its dtype
            out[name] = (
                value.reset_index(drop=True)
                if isinstance(value, pd.Series)
                else pd.Series(value, index=pd.RangeIndex(n))
            )
    return pd.DataFrame(out, copy=False)
