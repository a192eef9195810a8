"""OpenAI Usage API `/v1/organization/usage/completions` JSON: one page, an array or JSONL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest.base import Source
from llm_audit.ingest.billing._common import json_head_has, load_json, pages
from llm_audit.ingest.billing.openai_usage_csv import read_openai_usage_frame

if TYPE_CHECKING:
    import pandas as pd

_FIELDS = (
    "project_id",
    "user_id",
    "api_key_id",
    "model",
    "batch",
    "service_tier",
    "num_model_requests",
    "input_tokens",
    "output_tokens",
    "input_cached_tokens",
    "input_cache_write_tokens",
    "input_cache_write_30m_tokens",
    "input_cache_write_12h_tokens",
)


class OpenAIUsageApiReader:
    name = "openai-usage-api"
    description = "OpenAI Usage API /organization/usage/completions JSON (pages or JSONL)"

    def detect(self, source: Source) -> bool:
        head = source.head
        return json_head_has(source, '"results"') and (
            "organization.usage.completions.result" in head
            or ("num_model_requests" in head and '"bucket"' in head)
        )

    def read(self, source: Source) -> pd.DataFrame:
        import pandas as pd

        records: list[dict[str, Any]] = []
        skipped: list[str] = []
        for page_no, page in enumerate(pages(load_json(source)), 1):
            buckets = page.get("data")
            if not isinstance(buckets, list):
                raise InputError(
                    f"page {page_no} has no 'data' list",
                    path=source.name,
                    hint="pass the API response body as it came",
                )
            for bucket in buckets:
                for n, result in enumerate(bucket.get("results") or [], 1):
                    obj = str(result.get("object", ""))
                    if obj and obj != "organization.usage.completions.result":
                        # Other usage endpoints (embeddings, images...; formats.md 1b) are not
                        # completion tokens we price: counted and listed, never dropped silently.
                        skipped.append(
                            f"{source.name}: page {page_no}, bucket {bucket.get('start_time')}, "
                            f"result {n}: {obj!r} is not a completions result"
                        )
                        continue
                    row = {f: result.get(f) for f in _FIELDS}
                    row["start_time"] = bucket.get("start_time")
                    row["start_time_iso"] = ""
                    records.append(row)
        df = pd.DataFrame.from_records(records, columns=[*_FIELDS, "start_time", "start_time_iso"])
        df = df.astype(object).where(df.notna(), "").astype(str)
        df["batch"] = df["batch"].replace({"True": "true", "False": "false"})
        df["source_file"] = source.name
        # JSON has no useful line per result; the result's position stands in for it.
        df["source_line"] = range(1, len(df) + 1)
        out = read_openai_usage_frame(df, source)
        out.attrs["skipped"] = skipped
        return out
