"""OpenAI's organization Usage API (completions) and Costs API (formats.md 1b, 1c)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from llm_audit.fetch.base import BucketWidth, Endpoint

# Buckets per request by width (Usage API); the Costs API is daily only, up to 180 buckets.
USAGE_LIMITS = {"1d": 31, "1h": 168, "1m": 1440}
COSTS_LIMIT = 180
USAGE_GROUP_KEYS = frozenset(
    {"project_id", "user_id", "api_key_id", "model", "batch", "service_tier", "api_source"}
)
COSTS_GROUP_KEYS = frozenset({"project_id", "user_id", "line_item", "api_key_id", "api_source"})


class OpenAIAdmin:
    name = "openai"
    label = "OpenAI"
    key_env = "OPENAI_ADMIN_KEY"
    key_kind = "sk-admin-..., from platform.openai.com/settings/organization/admin-keys"
    base_url = "https://api.openai.com/v1"
    group_keys = USAGE_GROUP_KEYS
    default_group_by: tuple[str, ...] = (
        "model",
        "project_id",
        "api_key_id",
        "batch",
        "service_tier",
    )

    def endpoints(self, bucket: BucketWidth, group_by: Sequence[str]) -> tuple[Endpoint, ...]:
        # The costs are grouped by line_item always: it carries the model and the token kind
        # that `bill` needs; the other keys are passed on where the Costs API knows them.
        costs_keys = ("line_item", *(k for k in group_by if k in COSTS_GROUP_KEYS - {"line_item"}))
        return (
            Endpoint(
                "usage",
                "/organization/usage/completions",
                "openai-usage-completions",
                bucket,
                USAGE_LIMITS[bucket],
                tuple(group_by),
            ),
            Endpoint("costs", "/organization/costs", "openai-costs", "1d", COSTS_LIMIT, costs_keys),
        )

    def headers(self, key: str) -> Mapping[str, str]:
        return {"authorization": f"Bearer {key}"}

    def params(
        self, endpoint: Endpoint, start: dt.datetime, end: dt.datetime, page: str | None
    ) -> list[tuple[str, str]]:
        out = [
            ("start_time", str(int(start.timestamp()))),
            ("end_time", str(int(end.timestamp()))),
            ("bucket_width", endpoint.bucket),
            ("limit", str(endpoint.limit)),
        ]
        # Arrays go as group_by[]=a&group_by[]=b, as the official SDKs send them
        # (their Querystring uses array_format="brackets").
        out += [("group_by[]", k) for k in endpoint.group_by]
        if page:
            out.append(("page", page))
        return out
