"""Anthropic Admin API `usage_report/messages` JSON (one page, an array of pages or JSONL)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest.base import Source
from llm_audit.ingest.billing import _anthropic as vocab
from llm_audit.ingest.billing._common import fnum, json_head_has, load_json, pages

if TYPE_CHECKING:
    import pandas as pd


class AnthropicUsageReportReader:
    name = "anthropic-usage-report"
    description = "Anthropic Admin API usage_report/messages JSON"

    def detect(self, source: Source) -> bool:
        return json_head_has(source, '"starting_at"') and (
            "uncached_input_tokens" in source.head or "cache_read_input_tokens" in source.head
        )

    def read(self, source: Source) -> pd.DataFrame:
        from llm_audit.usage.schema import from_records

        records: list[dict[str, Any]] = []
        for page_no, page in enumerate(pages(load_json(source)), 1):
            buckets = page.get("data")
            if not isinstance(buckets, list):
                raise InputError(f"page {page_no} has no 'data' list", path=source.name)
            for bucket in buckets:
                start = bucket.get("starting_at")
                for r in bucket.get("results") or []:
                    # Flattened `cache_creation_5m_input_tokens` (a third-party schema) is
                    # accepted too; the official shape nests it (formats.md 2b).
                    cc = r.get("cache_creation") or {}
                    w5 = fnum(
                        cc.get(
                            "ephemeral_5m_input_tokens", r.get("cache_creation_5m_input_tokens")
                        ),
                        source,
                        "5m",
                    )
                    w1 = fnum(
                        cc.get(
                            "ephemeral_1h_input_tokens", r.get("cache_creation_1h_input_tokens")
                        ),
                        source,
                        "1h",
                    )
                    read = fnum(r.get("cache_read_input_tokens"), source, "cache read")
                    unc = fnum(r.get("uncached_input_tokens"), source, "uncached input")
                    stu = r.get("server_tool_use") or {}
                    records.append(
                        {
                            "timestamp": start,
                            "provider": "anthropic",
                            "model_raw": r.get("model") or "(model not grouped)",
                            # usage_report/messages has no request count; the analytics
                            # family adds `requests` (formats.md 2b), read when present.
                            "requests": fnum(r.get("requests"), source, "requests"),
                            "input_tokens": unc + w5 + w1 + read,
                            "cache_read_tokens": read,
                            "cache_write_5m_tokens": w5,
                            "cache_write_1h_tokens": w1,
                            "output_tokens": fnum(r.get("output_tokens"), source, "output"),
                            "reasoning_tokens": 0,
                            "service_tier": vocab.tier(r.get("service_tier")),
                            "api_key": r.get("api_key_id"),
                            # The default workspace is workspace_id null (formats.md 2b).
                            "workspace": r.get("workspace_id") or "(default)",
                            # Without group_by context_window the bucket's total cannot tell
                            # the tier (no request count): standard unless the report says long.
                            "context_tier": vocab.context_tier(r.get("context_window"))
                            or "standard",
                            "region": vocab.region(r.get("inference_geo")),
                            # group_by speed: "fast" is priced by the table's speeds (2x).
                            "speed": r.get("speed") or None,
                            "web_search_requests": fnum(
                                stu.get("web_search_requests"), source, "web search"
                            ),
                            "source_file": source.name,
                            "source_line": len(records) + 1,
                            "row_role": "usage",
                        }
                    )
        rows: list[Mapping[str, Any]] = list(records)
        return from_records(rows)
