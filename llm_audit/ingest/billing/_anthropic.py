"""Anthropic vocabulary shared by the Console CSV and Admin API readers."""

from __future__ import annotations

import re

TIERS = frozenset({"standard", "batch", "flex", "priority"})
# Console cost CSV token_type and Admin cost_report token_type -> our token kinds.
KINDS = {
    "input_no_cache": "input",
    "uncached_input_tokens": "input",
    "input_cache_read": "cache_read",
    "cache_read_input_tokens": "cache_read",
    "input_cache_write_5m": "cache_write_5m",
    "cache_creation.ephemeral_5m_input_tokens": "cache_write_5m",
    "input_cache_write_1h": "cache_write_1h",
    "cache_creation.ephemeral_1h_input_tokens": "cache_write_1h",
    "output": "output",
    "output_tokens": "output",
}


def tier(value: object) -> str:
    """`usage_type` / `service_tier` to our tier. The Console writes `message` in the cost
    file and the tier in the usage file; the full value set is unverified (formats.md 7), so an
    unknown word is standard and the raw value is kept in the row."""
    v = str(value or "").strip().lower()
    if v in ("priority_on_demand",):
        return "priority"
    if v in ("flex_discount",):
        return "flex"
    if v in TIERS:
        return v
    # e.g. a `message_batch` usage_type: the tier word inside an unknown value (tolerant).
    return next((t for t in ("batch", "priority", "flex") if t in v), "standard")


def context_tier(value: object) -> str | None:
    """`≤ 200k` (Console) or `0-200k` (Admin API) is standard; `> 200k`/`200k-1M` is long."""
    v = str(value or "").strip().lower()
    if not v or v in ("nan", "none", "not_available"):
        return None
    if v.startswith(("≤", "<=", "0-", "<")):
        return "standard"
    if v.startswith((">", "200k-")) or "1m" in v:
        return "long"
    return None


def region(value: object) -> str | None:
    """Only `us` changes the price (1.1x on newer models); `global`/`not_available` do not."""
    v = str(value or "").strip().lower()
    return v if v in ("us", "eu") else None


_DESC = re.compile(r"^(?P<model>.+?)\s+Usage\s*-\s*(?P<rest>.*)$", re.IGNORECASE)


def description_kind(description: str) -> tuple[str, str]:
    """`"Claude Sonnet 4.5 Usage - Input Tokens, Cache Hit"` -> (display model, kind).
    Whether 1h writes get their own description is unverified; prefer token_type."""
    m = _DESC.match(description.strip())
    if not m:
        low = description.lower()
        return "", "web_search" if "web search" in low else "other"
    rest = m.group("rest").lower()
    if "cache hit" in rest or "cache read" in rest:
        kind = "cache_read"
    elif "cache write" in rest:
        kind = "cache_write_1h" if "1h" in rest or "1 hour" in rest else "cache_write_5m"
    elif "input" in rest:
        kind = "input"
    elif "output" in rest:
        kind = "output"
    else:
        kind = "other"
    return m.group("model").strip(), kind
