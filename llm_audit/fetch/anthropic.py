"""Anthropic's Admin API: usage_report/messages and cost_report (formats.md 2b)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from llm_audit.fetch.base import BucketWidth, Endpoint

USAGE_LIMITS = {"1d": 31, "1h": 168, "1m": 1440}
COST_LIMIT = 31
USAGE_GROUP_KEYS = frozenset(
    {
        "api_key_id",
        "workspace_id",
        "model",
        "service_tier",
        "context_window",
        "inference_geo",
        "speed",
        "account_id",
        "service_account_id",
    }
)
# api_key_id is not available in the cost report (anthropics/claude-quickstarts#431).
COST_GROUP_KEYS = frozenset({"workspace_id", "description"})
API_VERSION = "2023-06-01"


def _rfc3339(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AnthropicAdmin:
    name = "anthropic"
    label = "Anthropic"
    key_env = "ANTHROPIC_ADMIN_KEY"
    key_kind = "sk-ant-admin..., from console.anthropic.com/settings/admin-keys"
    base_url = "https://api.anthropic.com/v1"
    group_keys = USAGE_GROUP_KEYS
    default_group_by: tuple[str, ...] = (
        "model",
        "service_tier",
        "context_window",
        "inference_geo",
        "workspace_id",
        "api_key_id",
    )

    def endpoints(self, bucket: BucketWidth, group_by: Sequence[str]) -> tuple[Endpoint, ...]:
        # Grouped by description always: without it model, token_type and service_tier are
        # null in the cost report, and `bill` could not tell what a line paid for.
        cost_keys = (
            "description",
            *(k for k in group_by if k in COST_GROUP_KEYS - {"description"}),
        )
        return (
            Endpoint(
                "usage",
                "/organizations/usage_report/messages",
                "anthropic-usage-report",
                bucket,
                USAGE_LIMITS[bucket],
                tuple(group_by),
            ),
            Endpoint(
                "costs",
                "/organizations/cost_report",
                "anthropic-cost-report",
                "1d",
                COST_LIMIT,
                cost_keys,
            ),
        )

    def headers(self, key: str) -> Mapping[str, str]:
        return {"x-api-key": key, "anthropic-version": API_VERSION}

    def params(
        self, endpoint: Endpoint, start: dt.datetime, end: dt.datetime, page: str | None
    ) -> list[tuple[str, str]]:
        out = [
            ("starting_at", _rfc3339(start)),
            ("ending_at", _rfc3339(end)),
            ("bucket_width", endpoint.bucket),
            ("limit", str(endpoint.limit)),
        ]
        out += [("group_by[]", k) for k in endpoint.group_by]
        if page:
            out.append(("page", page))
        return out
