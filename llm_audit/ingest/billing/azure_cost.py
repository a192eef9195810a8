"""Azure Cost Management export rows for Azure OpenAI meters (PascalCase or camelCase)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from llm_audit.errors import InputError
from llm_audit.ingest.base import Source
from llm_audit.ingest.billing._cloud import not_interpreted, paired_rows
from llm_audit.ingest.billing._common import header_fields, read_csv

if TYPE_CHECKING:
    import pandas as pd

# MeterName grammar is inconsistent (formats.md 4c, observed): `gpt-4o-0806-Inp-glbl Tokens`,
# `gpt 4.1 cached Inp glbl Tokens`, `5.4 pp opt Gl 1M Tokens`. Parsed word by word; anything
# without an input/output word is listed as skipped.
_UNIT = {"1k": 1_000, "10k": 10_000, "1000": 1_000, "1m": 1_000_000, "1": 1}


def _meter(name: str) -> tuple[str, str, str, str | None] | None:
    low = name.lower().replace("-", " ")
    words = low.split()
    if "tokens" not in words:
        return None
    cached = "cached" in words or "cd" in words
    write = "wr" in words or "write" in words
    # `5.6 sol ShortCo Cd Wr Std Gl 1M Tokens` is a cache write with no input word (4c): the
    # write is the 30-minute one, which the tables keep as cache_write_5m (as OpenAI's).
    if write:
        kind = "cache_write_5m"
    elif any(w in ("inp", "input") for w in words):
        kind = "cache_read" if cached else "input"
    elif any(w in ("outp", "output", "opt") for w in words):
        kind = "output"
    else:
        return None
    tier = "batch" if "batch" in words else ("priority" if "pp" in words else "standard")
    # Regional and Data Zone meters are +10% over global ones (formats.md 6, "Azure Data
    # Zone/regional meters"); the price tables carry both keys. The meter grammar is unverified.
    region = "regional" if "regnl" in words else ("datazone" if "dz" in words else None)
    stop = {
        "inp",
        "input",
        "outp",
        "output",
        "opt",
        "cached",
        "cd",
        "wr",
        "write",
        "batch",
        "pp",
        "glbl",
        "gl",
        "regnl",
        "dz",
        "tokens",
        "1m",
        "1k",
        "std",
        "shortco",
    }
    model_words = []
    for w in words:
        if w in stop:
            break
        model_words.append(w)
    model = "-".join(model_words)
    model = re.sub(r"-(\d{4})$", "", model)  # `gpt-4o-0806` -> `gpt-4o`: snapshot digits
    if re.match(r"^\d", model):
        model = "gpt-" + model
    return model, kind, tier, region


class AzureCostReader:
    name = "azure-cost"
    description = "Azure Cost Management export rows for Azure OpenAI meters (tolerant)"

    def detect(self, source: Source) -> bool:
        cols = header_fields(source)
        return "metername" in cols and ("costinbillingcurrency" in cols or "cost" in cols)

    def read(self, source: Source) -> pd.DataFrame:
        df = read_csv(source, required=("metername",))
        cost_col = "costinbillingcurrency" if "costinbillingcurrency" in df.columns else "cost"
        currency_col = next(
            (c for c in ("billingcurrency", "billingcurrencycode", "currency") if c in df.columns),
            None,
        )
        date_col = "date" if "date" in df.columns else "usagedatetime"
        lines: list[dict[str, Any]] = []
        skipped: list[str] = []
        for rec in df.to_dict("records"):
            where = f"{source.name}:{rec['source_line']}"
            product = f"{rec.get('productname', '')} {rec.get('metercategory', '')}".lower()
            llm = "openai" in product or "foundry" in product or "cognitive" in product
            # The MeterCategory of Azure OpenAI is unverified (formats.md 4c, 7): a meter
            # counted in tokens is read whatever the category says (unpriced if unknown).
            if not llm and "tokens" not in str(rec["metername"]).lower().split():
                continue  # not an LLM meter: other Azure services are out of scope
            parsed = _meter(str(rec["metername"]))
            # `1K`, `1M`, `1K Tokens`, `1 K`: Quantity is counted in that unit (formats.md 4c);
            # only the first word was read, so `1 K` counted thousands as single tokens.
            unit = re.sub(r"\s+", "", str(rec.get("unitofmeasure", "")).lower())
            factor = _UNIT.get(unit.removesuffix("tokens"))
            # CostInBillingCurrency is in the billing currency: USD only, or the USD column.
            money = cost_col
            currency = str(rec.get(currency_col) or "USD") if currency_col else "USD"
            currency = currency.strip().upper()
            if currency != "USD":
                if "costinusd" not in rec:
                    raise InputError(
                        f"billing currency {currency!r} is not USD",
                        path=source.name,
                        line=int(rec["source_line"]),
                        hint="llm-audit reports USD only: export with the CostInUsd column",
                    )
                money = "costinusd"
            try:
                qty = float(str(rec.get("quantity", "")).replace(",", ""))
                cost = float(str(rec.get(money, "")).replace(",", ""))
            except ValueError:
                skipped.append(f"{where}: quantity or cost is not a number")
                continue
            base = {
                "timestamp": rec.get(date_col),
                "provider": "azure",
                "project": rec.get("resourcegroup") or rec.get("resourcegroupname"),
                "line_item": rec["metername"],
                "source_file": source.name,
                "source_line": rec["source_line"],
            }
            if parsed is None or factor is None:
                skipped.append(
                    f"{where}: meter {rec['metername']!r} / unit "
                    f"{rec.get('unitofmeasure')!r} not understood"
                    + ("; billed amount kept" if cost else "")
                )
                if cost:
                    lines.append(not_interpreted(base, cost))
                continue
            model, kind, tier, region = parsed
            lines.append(
                {
                    **base,
                    "model_raw": model,
                    "kind": kind,
                    "tokens": round(qty * factor),
                    "billed_usd": cost,
                    "service_tier": tier,
                    "region": region,
                }
            )
        return paired_rows(lines, skipped)
