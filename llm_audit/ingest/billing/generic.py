"""Any CSV or JSONL, read through `--map FIELD=COLUMN` onto the usage table's columns."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING

from llm_audit.errors import InputError
from llm_audit.ingest.base import Source
from llm_audit.ingest.billing._common import load_json, numbers, read_csv
from llm_audit.usage.schema import BY_NAME, TOKEN_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

# `model` is accepted for model_raw: what people type.
_ALIASES = {"model": "model_raw", "date": "timestamp", "time": "timestamp"}


class GenericReader:
    """`--map model=COL --map input_tokens=COL ...`; input_tokens includes cached reads."""

    name = "generic"
    description = "any CSV/JSONL with --map FIELD=COLUMN (model, input_tokens, ...)"

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping: Mapping[str, str] = dict(mapping or {})

    def detect(self, source: Source) -> bool:
        return False  # only by --map / --input-format generic

    def with_map(self, specs: list[str]) -> GenericReader:
        mapping: dict[str, str] = {}
        for spec in specs:
            key, sep, col = spec.partition("=")
            key = _ALIASES.get(key.strip(), key.strip())
            if not sep or not col.strip() or key not in BY_NAME:
                raise InputError(
                    f"--map {spec!r}: expected FIELD=COLUMN with FIELD one of "
                    + ", ".join(["model", *BY_NAME]),
                    hint="e.g. --map model=llm --map input_tokens=prompt_tok",
                )
            mapping[key] = col.strip()
        return GenericReader(mapping)

    def read(self, source: Source) -> pd.DataFrame:
        import pandas as pd

        from llm_audit.usage.schema import COLUMNS, empty, normalize

        if not self.mapping:
            raise InputError("the generic reader needs --map FIELD=COLUMN", path=source.name)
        if source.head.lstrip()[:1] in ("{", "["):
            doc = load_json(source)
            rows = doc if isinstance(doc, list) else [doc]
            df = pd.json_normalize(rows).astype(object)
            df = df.where(df.notna(), "").astype(str)
            df.columns = [str(c).lower() for c in df.columns]
            df["source_file"] = source.name
            df["source_line"] = range(1, len(df) + 1)
        else:
            df = (
                pd.read_csv(io.StringIO(""), dtype=str)
                if not source.text.strip()
                else read_csv(source)
            )
        if df.empty:
            return empty()
        missing = [c for c in self.mapping.values() if c.lower() not in df.columns]
        if missing:
            raise InputError(
                f"--map names column(s) not in the file: {', '.join(missing)}",
                path=source.name,
                line=1,
                hint="the file has: " + ", ".join(df.columns[:15]),
            )
        out = pd.DataFrame(index=df.index)
        kinds = {c.name: c.kind for c in COLUMNS}
        for fld, col in self.mapping.items():
            if kinds[fld] in ("int", "float", "Int"):
                out[fld] = numbers(df, col.lower(), source)
            else:
                out[fld] = df[col.lower()]
        if "timestamp" not in out.columns:
            raise InputError("--map timestamp=COLUMN is required", path=source.name)
        if "model_raw" not in out.columns:
            raise InputError("--map model=COLUMN is required", path=source.name)
        out["timestamp"] = pd.to_datetime(out["timestamp"], utc=True, format="mixed")
        out["provider"] = out.get("provider", pd.Series("", index=df.index))
        for c in ("requests",):
            if c not in out.columns:
                out[c] = 1
        for c in TOKEN_COLUMNS:
            if c not in out.columns:
                out[c] = 0
        out["service_tier"] = out.get("service_tier", pd.Series("", index=df.index))
        out["source_file"] = df["source_file"]
        out["source_line"] = df["source_line"]
        out["row_role"] = "usage"
        return normalize(out)
