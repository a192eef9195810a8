"""Any CSV or JSONL request log, with ``--map FIELD=COLUMN`` naming which column is which.

FIELD is a usage-table column (``timestamp``, ``model`` (= ``model_raw``), ``input_tokens``,
``output_tokens``, ``cache_read_tokens``, ``user``, ``feature``, ``latency_ms``, ...); COLUMN
is the file's column, or a dotted path into a JSON record (``usage.prompt_tokens``). Mapped
counts must follow the schema's convention: input INCLUDES cache reads/writes, output
INCLUDES reasoning. ``provider`` may be mapped, or ``provider=:anthropic`` sets a constant;
else it is guessed from the model id's family (gpt/o -> openai, claude -> anthropic, gemini ->
google) and left for the price book to resolve.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest.base import Source
from llm_audit.ingest.logs._common import (
    ReadOptions,
    Row,
    build,
    csv_header,
    csv_records,
    json_records,
)
from llm_audit.usage.schema import BY_NAME

if TYPE_CHECKING:
    import pandas as pd

_ALIASES = {"model": "model_raw"}
_REQUIRED = ("timestamp", "model_raw", "input_tokens", "output_tokens")


def parse_map(specs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for spec in specs:
        field, sep, column = spec.partition("=")
        field = _ALIASES.get(field.strip(), field.strip())
        if not sep or not column.strip():
            raise InputError(f"--map takes FIELD=COLUMN, got {spec!r}",
                             hint="e.g. --map model=llm_model --map input_tokens=usage.in")
        if field not in BY_NAME:
            raise InputError(f"--map: unknown field {field!r}",
                             hint="fields: " + ", ".join(BY_NAME))
        mapping[field] = column.strip()
    missing = [f for f in _REQUIRED if f not in mapping]
    if missing:
        raise InputError(f"--map does not say which column is {', '.join(missing)}",
                         hint="map at least timestamp, model, input_tokens and output_tokens")
    return mapping


def _get(record: Mapping[str, Any], path: str) -> Any:
    if path in record:
        return record[path]
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def guess_provider(model: str) -> str:
    m = model.lower().rsplit("/", 1)[-1]
    if m.startswith("claude"):
        return "anthropic"
    if m.startswith("gemini"):
        return "google"
    return "openai"


class GenericMappedReader:
    name = "generic"
    description = "any CSV/JSONL with --map FIELD=COLUMN"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = dict(mapping or {})

    def detect(self, source: Source) -> bool:
        return False  # only by --map / --input-format generic

    def read(self, source: Source, options: ReadOptions | None = None) -> pd.DataFrame:
        options = options or ReadOptions()
        bad: list[str] = []
        records = (csv_records(source) if csv_header(source)
                   else json_records(source, options, bad))
        return self._rows(source.name, records, bad)

    def read_parquet(self, path: str) -> pd.DataFrame:
        """A Parquet file (binary, so not a text Source): row numbers stand in for lines."""
        import pandas as pd

        try:
            frame = pd.read_parquet(path)
        except (OSError, ValueError) as e:
            raise InputError(f"cannot read Parquet: {e}", path=path,
                             hint="check that the file is a complete Parquet file") from e
        records = ((i, rec) for i, rec in enumerate(frame.to_dict(orient="records"), 1))
        return self._rows(path, records, [])

    def _rows(self, name: str, records: Iterable[tuple[int, Any]], bad: list[str]
              ) -> pd.DataFrame:
        rows: list[Row] = []
        for line, record in records:
            if not isinstance(record, Mapping):
                continue
            row: Row = {}
            for field, column in self.mapping.items():
                if column.startswith(":"):
                    row[field] = column[1:]
                    continue
                value = _get(record, column)
                row[field] = None if value == "" else value
            if "provider" not in row:
                row["provider"] = guess_provider(str(row.get("model_raw") or ""))
            row.setdefault("requests", 1)
            row.setdefault("service_tier", "standard")
            for col in ("cache_read_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens",
                        "reasoning_tokens"):
                row.setdefault(col, 0)
            row["source_file"] = name
            row["source_line"] = line
            rows.append(row)
        return build(rows, bad, [])
