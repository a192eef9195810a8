"""AWS Cost and Usage Report rows for Bedrock, Marketplace-billed models included.

The exact CUR column set for Bedrock and the Marketplace units are unverified (formats.md 4b,
7): CUR 2.0 (`line_item_usage_type`) and legacy (`lineItem/UsageType`) names are both accepted,
usage types are matched with tolerant patterns, and Bedrock-looking rows we cannot read are
listed as skipped. Credits, refunds and tax become billed lines of kind `other`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from llm_audit.ingest.base import Source
from llm_audit.ingest.billing._cloud import not_interpreted, paired_rows
from llm_audit.ingest.billing._common import header_fields, read_csv

if TYPE_CHECKING:
    import pandas as pd

_COLS = {
    "start": ("line_item_usage_start_date", "lineitem/usagestartdate"),
    "product": ("line_item_product_code", "lineitem/productcode"),
    "usage_type": ("line_item_usage_type", "lineitem/usagetype"),
    "amount": ("line_item_usage_amount", "lineitem/usageamount"),
    "unit": ("pricing_unit", "pricing/unit"),
    "cost": ("line_item_unblended_cost", "lineitem/unblendedcost"),
    "type": ("line_item_line_item_type", "lineitem/lineitemtype"),
    "name": ("product_product_name", "product/productname", "product_name"),
    "account": ("line_item_usage_account_id", "lineitem/usageaccountid"),
}
_REGION = re.compile(r"^[A-Z]{2,4}\d?-")
_CLAUDE = re.compile(r"claude[ -]?(\d+(?:[.-]\d+)?)[ -]?(opus|sonnet|haiku)", re.IGNORECASE)
_CLAUDE_NEW = re.compile(r"claude[ -]?(opus|sonnet|haiku)[ -]?(\d+(?:[.-]\d+)?)", re.IGNORECASE)


def _pick(rec: Mapping[Any, Any], key: str) -> str:
    for name in _COLS[key]:
        if name in rec:
            return str(rec[name] or "")
    return ""


_MAP_NAME = re.compile(r"""["']?product_name["']?\s*[:=]\s*["']?([^"',}]+)""")


def _product_map_name(rec: Mapping[Any, Any]) -> str:
    """CUR 2.0 keeps the product name in the `product` map column (formats.md 4b,
    `product['product_name']`), written to CSV as JSON (`{"product_name": "..."}`) or as
    `{product_name=...}`; Marketplace-billed models are found by that name only."""
    raw = str(rec.get("product") or "")
    if "product_name" not in raw:
        return ""
    try:
        value = json.loads(raw)
        if isinstance(value, Mapping):
            return str(value.get("product_name") or "")
    except ValueError:
        pass
    m = _MAP_NAME.search(raw)
    return m.group(1).strip() if m else ""


def model_id(text: str) -> str | None:
    """`Claude4.6Opus`, `Claude3Sonnet`, `Claude 3 Haiku (Amazon Bedrock Edition)`,
    `anthropic.claude-opus-4-8-mantle`, `NovaLite`, `Llama4-Maverick-17B` -> a Bedrock id."""
    t = text.strip()
    if "anthropic.claude" in t.lower():
        m = re.search(
            r"anthropic\.claude-[a-z0-9-]+?(?=-mantle|-cache|-input|-output|$)", t.lower()
        )
        return m.group(0) if m else None
    for pattern, order in ((_CLAUDE, "vf"), (_CLAUDE_NEW, "fv")):
        m = pattern.search(t)
        if m:
            ver, fam = (m.group(1), m.group(2)) if order == "vf" else (m.group(2), m.group(1))
            ver = ver.replace(".", "-")
            fam = fam.lower()
            major = int(ver.split("-")[0])
            # Model ids put the family after the version until Claude 4 (claude-3-5-haiku).
            return (
                f"anthropic.claude-{fam}-{ver}" if major >= 4 else f"anthropic.claude-{ver}-{fam}"
            )
    m = re.search(r"nova[ -]?(2[ -]?)?(micro|lite|pro|premier)", t, re.IGNORECASE)
    if m:
        return "amazon.nova-" + ("2-" if m.group(1) else "") + m.group(2).lower()
    m = re.search(r"llama[ -]?(\d)[ -]?(maverick|scout)[ -]?(\d+b)", t, re.IGNORECASE)
    if m:
        return f"meta.llama{m.group(1)}-{m.group(2).lower()}-{m.group(3).lower()}-instruct"
    return None


def usage_kind(usage_type: str) -> tuple[str, str] | None:
    """`...-input-tokens-batch` -> ("input", "batch"); `...cache-write...-1-hour` -> 1h write."""
    low = usage_type.lower().replace("_", "-")
    # Marketplace usage types are CamelCase (`MP:USW2_InputTokenCount-Units`, formats.md 4b);
    # a `CacheReadInputTokenCount` one was read as uncached input. Matched without separators.
    compact = re.sub(r"[^a-z0-9]", "", low)
    if "cacheread" in compact:
        kind = "cache_read"
    elif "cachewrite" in compact:
        kind = "cache_write_1h" if "1hour" in compact or "1h" in compact else "cache_write_5m"
    elif "input" in low:
        kind = "input"
    elif "output" in low:
        kind = "output"
    else:
        return None
    tier = (
        "batch"
        if "batch" in low
        else ("priority" if "priority" in low else ("flex" if "flex" in low else "standard"))
    )
    return kind, tier


# The region prefix of a usage type (`USE1-`, `EUC1-`, `APN1-`) -> the price tables' geo key.
_GEO = (("us", "us"), ("eu", "eu"), ("ap", "apac"))


def geo_region(usage_type: str) -> str | None:
    """The price tables' base is the global cross-region rate; a geographic profile is +10%
    over it (formats.md section 6). AWS prices geographic cross-region inference like in-region
    use ("standard pricing"; global is ~10% less, AWS Bedrock user guide, cross-Region
    inference), so every usage type that is not `global` carries the uplift of the geography its
    region prefix names (`USE1-` us, `EUC1-` eu, `APN1-` apac); the exact spelling of geo usage
    types is unverified (formats.md 4b), so the prefix is what is read."""
    low = usage_type.lower()
    if "global" in low:
        return None
    for prefix, key in _GEO:
        if low.startswith(prefix):
            return key
    return None


def unit_factor(unit: str) -> float | None:
    # Units vary (1K tokens vs 1M units, formats.md 4b; unverified): `1,000 tokens` was read
    # as single tokens, so separators and spaces go first.
    low = unit.strip().lower().replace(",", "").replace(" ", "")
    if "1m" in low or "million" in low or "1000000" in low:
        return 1_000_000.0
    if "1k" in low or "thousand" in low or "1000" in low:
        return 1_000.0
    if "token" in low or low in ("units", "count", ""):
        return 1.0
    return None


class AwsCurReader:
    name = "aws-cur"
    description = "AWS Cost and Usage Report rows for Bedrock (CUR 2.0 or legacy, tolerant)"

    def detect(self, source: Source) -> bool:
        cols = header_fields(source)
        return "line_item_usage_type" in cols or "lineitem/usagetype" in cols

    def read(self, source: Source) -> pd.DataFrame:
        df = read_csv(source)
        lines: list[dict[str, Any]] = []
        skipped: list[str] = []
        for rec in df.to_dict("records"):
            where = f"{source.name}:{rec['source_line']}"
            product, name = _pick(rec, "product"), _pick(rec, "name") or _product_map_name(rec)
            utype = _pick(rec, "usage_type")
            bedrock = product == "AmazonBedrock" or "bedrock" in name.lower()
            if not bedrock:
                continue  # other AWS services are out of scope for `bill`
            try:
                cost = float(_pick(rec, "cost") or 0)
                amount = float(_pick(rec, "amount") or 0)
            except ValueError:
                skipped.append(f"{where}: usage amount or cost is not a number")
                continue
            ltype = _pick(rec, "type") or "Usage"
            base = {
                "timestamp": _pick(rec, "start"),
                "provider": "bedrock",
                "project": _pick(rec, "account") or None,
                "line_item": utype,
                "source_file": source.name,
                "source_line": rec["source_line"],
            }
            if ltype != "Usage":
                lines.append(
                    {
                        **base,
                        "model_raw": f"({ltype.lower()})",
                        "kind": "other",
                        "tokens": 0,
                        "billed_usd": cost,
                        "service_tier": "standard",
                    }
                )
                continue
            # Marketplace models name the model in the product, not the usage type.
            model = model_id(_REGION.sub("", utype)) or model_id(name)
            parsed = usage_kind(utype)
            factor = unit_factor(_pick(rec, "unit"))
            if model is None or parsed is None or factor is None:
                skipped.append(
                    f"{where}: usage type {utype!r} / product {name!r} / unit "
                    f"{_pick(rec, 'unit')!r} not understood"
                    + ("; billed amount kept" if cost else "")
                )
                if cost:
                    lines.append(not_interpreted(base, cost))
                continue
            kind, tier = parsed
            region = geo_region(utype)
            lines.append(
                {
                    **base,
                    "model_raw": model,
                    "kind": kind,
                    "tokens": round(amount * factor),
                    "billed_usd": cost,
                    "service_tier": tier,
                    "region": region,
                }
            )
        return paired_rows(lines, skipped)
