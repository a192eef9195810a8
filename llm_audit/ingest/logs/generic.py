"""Any CSV or JSONL request log, with ``--map FIELD=COLUMN`` naming which column is which.

FIELD is a usage-table column (``timestamp``, ``model`` (= ``model_raw``), ``input_tokens``,
``output_tokens``, ``cache_read_tokens``, ``user``, ``feature``, ``latency_ms``, ...); COLUMN
is the file's column, or a dotted path into a JSON record (``usage.prompt_tokens``); the map
itself is parsed and applied by ``ingest.mapped``, shared with the `bill` generic reader. Mapped
counts must follow the schema's convention: input INCLUDES cache reads/writes, output
INCLUDES reasoning. ``provider`` may be mapped, or ``provider=:anthropic`` sets a constant;
else it is guessed from the model id's family (gpt/o -> openai, claude -> anthropic, gemini ->
google) and left for the price book to resolve.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest import mapped
from llm_audit.ingest.base import Source
from llm_audit.ingest.logs._common import (
    ReadOptions,
    Row,
    build,
    csv_header,
    csv_records,
    json_records,
)

if TYPE_CHECKING:
    import pandas as pd

_REQUIRED = ("timestamp", "model_raw", "input_tokens", "output_tokens")


def parse_map(specs: list[str]) -> dict[str, str]:
    """The --map of `logs`: timestamp, model and both token counts are required."""
    return mapped.parse_map(specs, _REQUIRED)


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
            row: Row = mapped.mapped_row(record, self.mapping)
            row["source_file"] = name
            row["source_line"] = line
            rows.append(row)
        return build(rows, bad, [])
