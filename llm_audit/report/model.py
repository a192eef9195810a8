"""The one report shape every command produces and every renderer draws.

A command's analysis returns a frozen result; a view turns it into a ``Report``: a headline,
sections (tables), notes, the savings checklist and the price provenance, plus ``data``, the
stable JSON payload.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from llm_audit.pricing.tables import Provenance

SCHEMA_VERSION = 1
# "usd": a cost, None is unpriced; "money": an amount that may be absent (None is "—", e.g. a
# billed amount the export does not have).
Kind = Literal["text", "int", "usd", "money", "pct", "float"]


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Section:
    title: str
    columns: tuple[Col, ...]
    rows: tuple[Mapping[str, object], ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SavingsItem:
    """One lever of the savings checklist: dollars per month and the assumption behind them."""

    lever: str
    usd_per_month: float
    assumption: str

    def to_dict(self) -> dict[str, object]:
        return {"lever": self.lever, "usd_per_month": usd_value(self.usd_per_month),
                "assumption": self.assumption}


@dataclass(frozen=True)
class Report:
    command: str
    title: str
    headline: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    pricing: Provenance | None  # None only for reports that price nothing (`formats`)
    data: Mapping[str, object]
    savings: tuple[SavingsItem, ...] = ()
    notes: tuple[str, ...] = ()
    exit_code: int = 0
    extra: Mapping[str, object] = field(default_factory=dict)


def usd_value(x: float | None) -> float | None:
    """Money for JSON: exact to a tenth of a micro-dollar, float noise removed."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return round(float(x), 10) + 0.0


def fmt_usd(x: object) -> str:
    """Money for people: cents above a dollar, enough digits below one that parts add up."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "unpriced"
    v = float(x)  # type: ignore[arg-type]  # callers pass numbers
    if abs(v) >= 1000:
        return f"${v:,.2f}"
    if abs(v) >= 1:
        text = f"{abs(v):,.4f}"
        while text.endswith("0") and len(text.split(".")[1]) > 2:
            text = text[:-1]
        return ("-$" if v < 0 else "$") + text
    if v == 0:
        return "$0.00"
    text = f"{v:.8f}".rstrip("0")
    if len(text.split(".")[1]) < 2:
        text = f"{v:.2f}"
    return "$" + text if v > 0 else "-$" + text.lstrip("-")


def fmt_cell(value: object, kind: Kind) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "unpriced" if kind == "usd" else "—"
    if kind in ("usd", "money"):
        return fmt_usd(value)
    if kind == "int":
        return f"{int(value):,}"  # type: ignore[call-overload]  # callers pass numbers
    if kind == "pct":
        return f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]
    if kind == "float":
        return f"{float(value):,.2f}"  # type: ignore[arg-type]
    return str(value)


def json_cell(value: object, kind: Kind) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if kind in ("usd", "money"):
        return usd_value(float(value))  # type: ignore[arg-type]
    if kind == "int":
        return int(value)  # type: ignore[call-overload]
    if kind in ("pct", "float"):
        return round(float(value), 6)  # type: ignore[arg-type]
    return value
