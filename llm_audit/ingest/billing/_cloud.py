"""Cloud billing rows (GCP, AWS CUR, Azure) to paired usage + cost rows, tolerantly.

Each interpreted line becomes a usage row (its quantity as tokens of one kind, priced by our
engine) and a cost row (what the cloud billed), so `bill` can reconcile them. Lines that look
like LLM usage but cannot be read (unknown SKU grammar, unknown unit) are counted and listed in
``attrs["skipped"]``, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

_TOKENS = {
    "input": ("input_tokens",),
    "cache_read": ("input_tokens", "cache_read_tokens"),
    "cache_write_5m": ("input_tokens", "cache_write_5m_tokens"),
    "cache_write_1h": ("input_tokens", "cache_write_1h_tokens"),
    "output": ("output_tokens",),
}


NOT_INTERPRETED = "(not interpreted)"


def not_interpreted(base: Mapping[str, Any], cost: float) -> dict[str, Any]:
    """A row we could not read that still bills money: kept in billed spend as its own line
    (model "(not interpreted)", kind ``other``, no tokens, no computed price), never dropped."""
    return {**base, "model_raw": NOT_INTERPRETED, "kind": "other", "tokens": 0,
            "billed_usd": cost, "service_tier": "standard"}


def paired_rows(lines: list[dict[str, Any]], skipped: list[str]) -> pd.DataFrame:
    """``lines``: timestamp, provider, model_raw, kind, tokens, billed_usd, service_tier,
    region, project, source_file, source_line."""
    from llm_audit.usage.schema import empty, from_records

    rows: list[Mapping[str, Any]] = []
    for ln in lines:
        base = {
            k: ln.get(k)
            for k in (
                "timestamp",
                "provider",
                "model_raw",
                "service_tier",
                "region",
                "project",
                "context_tier",
                "source_file",
                "source_line",
            )
        }
        zero = dict.fromkeys(
            (
                "input_tokens",
                "cache_read_tokens",
                "cache_write_5m_tokens",
                "cache_write_1h_tokens",
                "output_tokens",
                "reasoning_tokens",
                "requests",
            ),
            0,
        )
        # A billing line sums many requests: its total cannot tell the context tier, so it is
        # standard unless the SKU / usage type says long (cloud long-context SKUs, unverified).
        base["context_tier"] = base["context_tier"] or "standard"
        use: dict[str, Any] = {**base, **zero, "row_role": "usage"}
        for col in _TOKENS.get(ln["kind"], ()):
            use[col] = ln["tokens"]
        if ln["kind"] in _TOKENS:
            rows.append(use)
        rows.append(
            {
                **base,
                **zero,
                "billed_usd": ln["billed_usd"],
                "row_role": "cost",
                "token_kind": ln["kind"],
                "line_item": ln.get("line_item"),
                "quantity": ln["tokens"],
            }
        )
    out = from_records(rows) if rows else empty()
    out.attrs["skipped"] = list(skipped)
    return out
