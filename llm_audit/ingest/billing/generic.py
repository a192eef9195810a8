"""Any CSV or JSONL, read through `--map FIELD=COLUMN` onto the usage table's columns.

The map is parsed and applied by ``ingest.mapped`` (shared with the `logs` generic reader):
dotted paths into JSON records, ``:value`` constants, the provider guessed from the model id.
Counts go through ``numbers`` so `10.0` is read and junk is a `file:line` error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest import mapped
from llm_audit.ingest.base import Source
from llm_audit.ingest.billing._common import load_json, numbers, read_csv
from llm_audit.usage.schema import COLUMNS, TOKEN_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

_REQUIRED = ("timestamp", "model_raw")
_NUMERIC = frozenset(c.name for c in COLUMNS if c.kind in ("int", "float", "Int"))


class GenericReader:
    """`--map model=COL --map input_tokens=COL ...`; input_tokens includes cached reads."""

    name = "generic"
    description = "any CSV/JSONL with --map FIELD=COLUMN (model, input_tokens, ...)"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping: Mapping[str, str] = dict(mapping or {})

    def detect(self, source: Source) -> bool:
        return False  # only by --map / --input-format generic

    def with_map(self, specs: list[str]) -> GenericReader:
        return GenericReader(mapped.parse_map(specs, _REQUIRED))

    def read(self, source: Source) -> pd.DataFrame:
        import pandas as pd

        from llm_audit.usage.schema import empty, normalize

        if not self.mapping:
            raise InputError("the generic reader needs --map FIELD=COLUMN", path=source.name)
        records: list[tuple[int, Any]]
        if source.head.lstrip()[:1] in ("{", "["):
            doc = load_json(source)
            records = list(enumerate(doc if isinstance(doc, list) else [doc], 1))
        elif not source.text or source.text.isspace():
            records = []
        else:
            frame = read_csv(source)
            self._check_columns(frame, source)
            lines = frame["source_line"].tolist()
            records = list(zip(lines, frame.to_dict("records"), strict=True))
        rows = []
        for line, record in records:
            if not isinstance(record, Mapping):
                continue
            record = {str(k).lower(): v for k, v in record.items()}
            row = mapped.mapped_row(record, {f: c.lower() for f, c in self.mapping.items()})
            for col in TOKEN_COLUMNS:
                row.setdefault(col, 0)
            row["source_file"] = source.name
            row["source_line"] = line
            rows.append(row)
        if not rows:
            return empty()
        df = pd.DataFrame(rows)
        for fld in self.mapping:
            if fld in _NUMERIC:
                df[fld] = numbers(
                    df.assign(**{fld: df[fld].where(df[fld].notna(), "")}), fld, source
                )
        df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True, format="mixed")
        df["row_role"] = "usage"
        return normalize(df)

    def _check_columns(self, frame: pd.DataFrame, source: Source) -> None:
        missing = [
            c
            for c in self.mapping.values()
            if not c.startswith(":") and c.lower().split(".")[0] not in frame.columns
        ]
        if missing:
            raise InputError(
                f"--map names column(s) not in the file: {', '.join(missing)}",
                path=source.name,
                line=1,
                hint="the file has: " + ", ".join(frame.columns[:15]),
            )
