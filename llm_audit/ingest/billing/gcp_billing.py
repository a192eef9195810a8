"""Google Cloud Billing export rows (CSV or NDJSON) for Vertex AI and Gemini API SKUs.

There is no authoritative list of SKU descriptions (formats.md 3b, 7): they are matched with
tolerant patterns, and rows of an LLM service whose SKU we cannot read are listed as skipped.
Credits (`credits[].amount`, negative) become their own billed line, so net cost adds up.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest.base import Source
from llm_audit.ingest.billing._cloud import not_interpreted, paired_rows
from llm_audit.ingest.billing._common import load_json, read_csv
from llm_audit.ingest.mapped import get_path as _get_path

if TYPE_CHECKING:
    import pandas as pd

# The Gemini API's service name is unverified ("Gemini API" or "Generative Language API").
_LLM_SERVICES = ("vertex ai", "gemini api", "generative language api")
_GEMINI = re.compile(
    r"gemini[ -]?(\d+(?:\.\d+)?)[ -]?(pro|flash[ -]lite|flash|ultra)?([ -]preview)?",
    re.IGNORECASE,
)
# The `goog-generativelanguage-model` label squeezes the name: `gemini35flash` (3b).
_LABEL = re.compile(r"^gemini-?(\d)\.?(\d)?-?(pro|flash-?lite|flash)(-?preview)?$")


def get_path(rec: Mapping[str, Any], path: str) -> Any:
    """`sku.description` nested (NDJSON), flattened with a dot, or with an underscore: a
    BigQuery query that flattens the export names it `sku_description` (formats.md 3b)."""
    value = _get_path(rec, path)
    if value is None and "." in path:
        value = rec.get(path.replace(".", "_"))
    return value


def _model(sku: str) -> str | None:
    m = _GEMINI.search(sku)
    if not m:
        return None
    family = (m.group(2) or "").lower().replace(" ", "-")
    # Preview models are their own price entries (`gemini-3.1-pro-preview`).
    preview = "-preview" if m.group(3) else ""
    return f"gemini-{m.group(1)}" + (f"-{family}" if family else "") + preview


def _label_model(label: str) -> str:
    m = _LABEL.match(label.strip().lower())
    if not m:
        return label
    version = m.group(1) + (f".{m.group(2)}" if m.group(2) else "")
    family = m.group(3).replace("flashlite", "flash-lite")
    return f"gemini-{version}-{family}" + ("-preview" if m.group(4) else "")


def parse_sku(sku: str) -> tuple[str, str, str | None] | None:
    """SKU description -> (kind, tier, context tier), or None when it is not about tokens."""
    low = sku.lower()
    if "storage" in low:
        return "other", "standard", None  # explicit-cache storage, billed per token-hour
    # Gemini API SKUs name the context band as "short input" / "long input" (formats.md 3b):
    # `Generate content output token count gemini 2.5 flash short input text` is output, so
    # the output word is looked for before the input word.
    if "cached" in low or "caching" in low or "cache" in low:
        kind = "cache_read"
    elif "output" in low:
        kind = "output"
    elif "input" in low:
        kind = "input"
    else:
        return None
    tier = "standard"
    if "batch" in low:
        tier = "batch"
    elif "flex" in low:
        tier = "flex"
    elif "priority" in low:
        tier = "priority"
    ctx = (
        "long"
        if "long input" in low or "long context" in low
        else ("standard" if "short input" in low else None)
    )
    return kind, tier, ctx


class GcpBillingReader:
    name = "gcp-billing"
    description = "Google Cloud Billing export rows (CSV or NDJSON), Vertex AI / Gemini API"

    def detect(self, source: Source) -> bool:
        head = source.head.lower()
        return "sku" in head and "usage_start_time" in head and "cost" in head

    def read(self, source: Source) -> pd.DataFrame:

        is_json = source.head.lstrip()[:1] in ("{", "[")
        if is_json:
            doc = load_json(source)
            records = doc if isinstance(doc, list) else [doc]
        else:
            # The shared reader: a truncated (short) row is a `file:line` error, not NaN cost.
            frame = read_csv(source).drop(columns=["source_file", "source_line"])
            records = frame.to_dict("records")
        lines: list[dict[str, Any]] = []
        skipped: list[str] = []
        for number, rec in enumerate(records, 1 if is_json else 2):
            where = f"{source.name}:{number}"
            service = str(get_path(rec, "service.description") or "").lower()
            if not service:  # a column naming we do not know: listed, not taken as non-LLM
                skipped.append(f"{where}: no service.description; row not read")
                continue
            if not any(s in service for s in _LLM_SERVICES):
                continue  # not an LLM service: out of scope for `bill`
            sku = str(get_path(rec, "sku.description") or "")
            try:
                cost = float(get_path(rec, "cost") or 0)
                amount = float(get_path(rec, "usage.amount") or 0)
            except (TypeError, ValueError):
                skipped.append(f"{where}: cost or usage.amount is not a number")
                continue
            cur = str(get_path(rec, "currency") or "USD").upper()
            if cur != "USD":
                raise InputError(
                    f"currency {cur!r} is not USD",
                    path=source.name,
                    line=number,
                    hint="llm-audit reports USD only",
                )
            parsed = parse_sku(sku)
            model = _model(sku) or _label_model(str(self._label(rec) or ""))
            unit = str(get_path(rec, "usage.unit") or "count").lower()
            if parsed is None or not model or (parsed[0] != "other" and unit != "count"):
                skipped.append(
                    f"{where}: SKU {sku!r} (unit {unit!r}) not understood"
                    + ("; billed amount kept" if cost else "")
                )
                if cost:
                    lines.append(
                        not_interpreted(
                            {
                                "timestamp": get_path(rec, "usage_start_time"),
                                "provider": "vertex_ai" if "vertex" in service else "google",
                                "project": get_path(rec, "project.id"),
                                "line_item": sku,
                                "source_file": source.name,
                                "source_line": number,
                            },
                            cost,
                        )
                    )
                continue
            kind, tier, ctx = parsed
            if kind in ("input", "cache_read") and "audio" in sku.lower():
                # Audio input has its own rate (gemini-2.5-flash 1.00 vs 0.30 for text,
                # formats.md 6) that the price tables do not carry: never priced at the text
                # rate; the billed amount is kept and the row listed.
                skipped.append(
                    f"{where}: SKU {sku!r}: audio input has its own rate, not in the price "
                    "tables; billed amount kept, tokens not priced"
                )
                kind = "other"
            provider = "vertex_ai" if "vertex" in service else "google"
            base = {
                "timestamp": get_path(rec, "usage_start_time"),
                "provider": provider,
                "model_raw": model,
                "service_tier": tier,
                "project": get_path(rec, "project.id"),
                "line_item": sku,
                "source_file": source.name,
                "source_line": number,
            }
            lines.append(
                {
                    **base,
                    "kind": kind,
                    "tokens": round(amount) if kind != "other" else 0,
                    "billed_usd": cost,
                    "context_tier": ctx,
                }
            )
            credits = get_path(rec, "credits")
            if isinstance(credits, str) and credits.strip().startswith("["):
                credits = json.loads(credits)
            total = sum(
                float(c.get("amount") or 0) for c in credits or [] if isinstance(c, Mapping)
            )
            if total:
                lines.append(
                    {
                        **base,
                        "kind": "other",
                        "tokens": 0,
                        "billed_usd": total,
                        "line_item": "credits",
                    }
                )
        return paired_rows(lines, skipped)

    @staticmethod
    def _label(rec: Mapping[str, Any]) -> str | None:
        """`goog-generativelanguage-model` label, e.g. `gemini25flash` (observed)."""
        labels = get_path(rec, "labels")
        if isinstance(labels, str) and labels.strip().startswith("["):
            labels = json.loads(labels)
        for item in labels or []:
            if isinstance(item, Mapping) and item.get("key") == "goog-generativelanguage-model":
                return str(item.get("value"))
        return None
