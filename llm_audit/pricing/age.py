"""How old the price data behind a report is, and when that deserves a warning.

A provider's prices are as fresh as the newest table for it: a user table (as `pricing update`
writes one per provider it compared with the source) re-dates the bundled one. The data is as
old as the stalest provider. Older than ``max-price-age`` days (30 unless the config or
``--max-price-age`` says otherwise) gets a warning line in every report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from llm_audit.errors import ConfigError
from llm_audit.pricing.tables import Provenance

DEFAULT_MAX_AGE_DAYS = 30
# Set by the global --max-price-age option for the current command; None: config or default.
override: int | None = None
# Set by a command's --as-of DATE (reports dated as of that day, reproducible); None: today.
as_of: dt.date | None = None


def today() -> dt.date:
    """Today in UTC, or the --as-of date (a function, so tests can fix the clock)."""
    return as_of or dt.datetime.now(dt.UTC).date()


def max_age_days(raw_config: dict[str, Any], config_path: str | None = None) -> int:
    """--max-price-age, else `max-price-age` from [tool.llm-audit], else 30."""
    if override is not None:
        return override
    value = raw_config.get("max-price-age", DEFAULT_MAX_AGE_DAYS)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(
            f"'max-price-age' must be a whole number of days >= 0, got {value!r}",
            path=config_path,
            hint="e.g. max-price-age = 30",
        )
    return value


def checked_by_provider(prov: Provenance) -> dict[str, dt.date]:
    """The newest `checked` date of each provider's tables."""
    out: dict[str, dt.date] = {}
    for table in prov.tables:
        when = dt.date.fromisoformat(table.checked)
        out[table.provider] = max(out.get(table.provider, when), when)
    return out


def stamp(prov: Provenance, max_age: int, on: dt.date | None = None) -> Provenance:
    """``prov`` with its age in days and the providers older than ``max_age``."""
    dates = checked_by_provider(prov)
    if not dates:
        return prov
    now = on or today()
    oldest = min(dates.values())
    stale = tuple(sorted(p for p, d in dates.items() if (now - d).days > max_age))
    return replace(
        prov,
        age_days=(now - oldest).days,
        max_age_days=max_age,
        data_checked=oldest.isoformat(),
        stale_providers=stale,
    )
