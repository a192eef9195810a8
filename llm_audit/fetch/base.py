"""What a provider's admin API looks like to `fetch`: endpoints, limits, parameters, auth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

BucketWidth = Literal["1d", "1h", "1m"]
WIDTH = {"1d": dt.timedelta(days=1), "1h": dt.timedelta(hours=1), "1m": dt.timedelta(minutes=1)}


@dataclass(frozen=True)
class Endpoint:
    """One report endpoint, with the bucket width and page size it is fetched with."""

    key: str  # "usage" or "costs"; names the windows in the resume state
    path: str  # appended to the base URL
    file_stem: str  # written files are <stem>-<window start>-p<page>.json
    bucket: BucketWidth
    limit: int  # buckets per request: the documented maximum for this width
    group_by: tuple[str, ...]


class Provider(Protocol):
    """A provider's admin API (usage and cost reports)."""

    name: str
    label: str  # for messages: "OpenAI"
    key_env: str  # the default variable holding the admin key
    key_kind: str  # what a 401 should ask for
    base_url: str  # up to and including /v1
    group_keys: frozenset[str]  # what --group-by accepts
    default_group_by: tuple[str, ...]

    def endpoints(self, bucket: BucketWidth, group_by: Sequence[str]) -> tuple[Endpoint, ...]: ...

    def headers(self, key: str) -> Mapping[str, str]: ...

    def params(
        self, endpoint: Endpoint, start: dt.datetime, end: dt.datetime, page: str | None
    ) -> list[tuple[str, str]]: ...


class Progress:
    """What the caller (the CLI) is told while a fetch runs; the default says nothing."""

    def start(self, total_windows: int) -> None:
        """Called once, before the first request."""

    def page(self, endpoint: Endpoint, window: int, page: int, results: int) -> None:
        """A page arrived (``window`` counts from 0 over all endpoints)."""

    def window_done(self) -> None:
        """A window has no more pages."""

    def wait(self, seconds: float, why: str) -> None:
        """The client waits before a retry."""


def windows(
    start: dt.datetime, end: dt.datetime, bucket: BucketWidth, limit: int
) -> list[tuple[dt.datetime, dt.datetime]]:
    """[start, end) cut into windows of at most ``limit`` buckets: no request asks for more
    buckets than the API allows for its width (formats.md 1b, 1c, 2b)."""
    span = WIDTH[bucket] * limit
    out: list[tuple[dt.datetime, dt.datetime]] = []
    cursor = start
    while cursor < end:
        out.append((cursor, min(cursor + span, end)))
        cursor += span
    return out


def has_results(page: Mapping[str, object]) -> bool:
    """Whether any bucket of a page holds a result (an empty page is not a file `bill` reads)."""
    data = page.get("data")
    if not isinstance(data, list):
        return False
    return any(isinstance(b, Mapping) and b.get("results") for b in data)
