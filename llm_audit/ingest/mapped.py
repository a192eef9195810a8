"""`--map FIELD=COLUMN`: parse the mapping and apply it to a record; shared by the generic
readers of `bill` (ingest/billing/generic.py) and `logs` (ingest/logs/generic.py).

FIELD is a usage-table column (``model`` and, for bills, ``date``/``time`` are accepted as
aliases); COLUMN is the file's column, a dotted path into a JSON record
(``usage.prompt_tokens``), or ``:value`` for a constant (``provider=:anthropic``). Without a
mapped provider, the model id's family names one (gpt/o -> openai, claude -> anthropic,
gemini -> google) and the price book resolves the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llm_audit.errors import InputError
from llm_audit.usage.schema import BY_NAME

ALIASES = {"model": "model_raw", "date": "timestamp", "time": "timestamp"}
# Counts a mapped record does not have: the schema's defaults for a request log or bucket.
DEFAULTS: Mapping[str, Any] = {
    "requests": 1,
    "service_tier": "standard",
    "cache_read_tokens": 0,
    "cache_write_5m_tokens": 0,
    "cache_write_1h_tokens": 0,
    "reasoning_tokens": 0,
}


def parse_map(specs: Sequence[str], required: Sequence[str] = ()) -> dict[str, str]:
    """``["model=llm", "input_tokens=usage.in"]`` -> {field: column}; bad specs exit 2."""
    mapping: dict[str, str] = {}
    for spec in specs:
        field, sep, column = spec.partition("=")
        field = ALIASES.get(field.strip(), field.strip())
        if not sep or not column.strip():
            raise InputError(
                f"--map takes FIELD=COLUMN, got {spec!r}",
                hint="e.g. --map model=llm_model --map input_tokens=usage.in",
            )
        if field not in BY_NAME:
            raise InputError(
                f"--map: unknown field {field!r}",
                hint="fields: " + ", ".join(["model", *BY_NAME]),
            )
        mapping[field] = column.strip()
    missing = [f for f in required if f not in mapping]
    if missing:
        raise InputError(
            f"--map does not say which column is {', '.join(missing)}",
            hint="map at least " + ", ".join("model" if f == "model_raw" else f for f in required),
        )
    return mapping


def get_path(record: Mapping[str, Any], path: str) -> Any:
    """``record[path]``, else the dotted path into nested mappings (None when absent)."""
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


def mapped_row(record: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    """One usage row from one record: mapped fields ('' is missing), constants, defaults."""
    row: dict[str, Any] = {}
    for field, column in mapping.items():
        if column.startswith(":"):
            row[field] = column[1:]
            continue
        value = get_path(record, column)
        row[field] = None if value == "" else value
    if "provider" not in row:
        row["provider"] = guess_provider(str(row.get("model_raw") or ""))
    for field, value in DEFAULTS.items():
        row.setdefault(field, value)
    return row
