"""The one HTTP client of llm-audit: explicit timeouts, retries with backoff, scrubbed errors.

Only `fetch` and `pricing update` touch the network. Every httpx error is translated here, once,
into a ``FetchError`` whose text went through ``redact.scrub`` (httpx messages embed the request
URL; a 401 body may echo part of the key).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from llm_audit import __version__
from llm_audit.errors import AuthError, FetchError
from llm_audit.redact import scrub

RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 522, 524, 529})


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 5  # attempts after the first
    backoff_base: float = 1.0  # seconds; doubles with each attempt
    max_wait: float = 60.0  # cap on one wait, a server's Retry-After included


@dataclass(frozen=True)
class AuthAdvice:
    """What a 401/403 should tell the user: the variable, and the kind of key it needs."""

    variable: str
    key_kind: str


@dataclass(frozen=True)
class Response:
    body: bytes
    doc: Any  # the parsed JSON


def retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent.

    RFC 9110 allows both forms. A date in the past means "now" (0); garbage is ignored (None),
    so the caller falls back to its own backoff.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _excerpt(body: bytes, limit: int = 300) -> str:
    """The server's error message (scrubbed), from a JSON error body or the raw text."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = None
    if isinstance(doc, Mapping):
        err = doc.get("error")
        if isinstance(err, Mapping) and isinstance(err.get("message"), str):
            text = str(err["message"])
        elif isinstance(err, str):
            text = err
    text = " ".join(text.split())
    return scrub(text[:limit] + ("..." if len(text) > limit else ""))


class Http:
    """GET JSON with retries; ``on_wait(seconds, why)`` is told about every wait."""

    def __init__(
        self,
        settings: HttpSettings,
        headers: Mapping[str, str],
        *,
        auth: AuthAdvice | None = None,
        on_wait: Callable[[float, str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.auth = auth
        self.on_wait = on_wait
        self.sleep = sleep
        timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.connect_timeout,
        )
        self._client = httpx.Client(
            timeout=timeout,
            headers={"user-agent": f"llm-audit/{__version__}", **headers},
            follow_redirects=False,  # a redirect to another host would carry the key along
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait(self, attempt: int, header: str | None, why: str) -> None:
        backoff = self.settings.backoff_base * (2**attempt)
        told = retry_after(header)
        seconds = min(told if told is not None else backoff, self.settings.max_wait)
        if self.on_wait is not None:
            self.on_wait(seconds, why + (" (Retry-After)" if told is not None else ""))
        self.sleep(seconds)

    def get(self, url: str, params: Sequence[tuple[str, str]] = (), *, what: str) -> Response:
        """One JSON document from ``url``; raises FetchError (or AuthError) when it cannot."""
        last = ""
        for attempt in range(self.settings.retries + 1):
            final = attempt == self.settings.retries
            try:
                resp = self._client.get(url, params=list(params))
            except httpx.TimeoutException as e:
                kind = {
                    "ConnectTimeout": f"no connection within {self.settings.connect_timeout:g} s",
                    "ReadTimeout": f"no answer within {self.settings.read_timeout:g} s",
                }.get(type(e).__name__, f"timed out ({type(e).__name__})")
                last = kind
                if final:
                    break
                self._wait(attempt, None, f"{what}: {kind}")
                continue
            except httpx.HTTPError as e:
                # Connection refused, DNS, TLS... str(e) may embed the URL: scrubbed.
                last = f"{type(e).__name__}: {scrub(str(e))}"
                if final:
                    break
                self._wait(attempt, None, f"{what}: {last}")
                continue
            status = resp.status_code
            if status in (401, 403):
                raise self._auth_error(status, resp.content, what)
            if status in RETRY_STATUS:
                last = f"HTTP {status}: {_excerpt(resp.content)}"
                if final:
                    break
                self._wait(attempt, resp.headers.get("retry-after"), f"{what}: HTTP {status}")
                continue
            if 300 <= status < 400:  # not followed: the key would go along to another host
                where = scrub(resp.headers.get("location", "")) or "an address not given"
                raise FetchError(
                    f"{what}: HTTP {status}: redirected to {where}; redirects are not followed "
                    "(the admin key would be sent along)",
                    hint="pass the API root it points to (up to /v1) as --base-url",
                )
            if status >= 400:
                raise FetchError(
                    f"{what}: HTTP {status}: {_excerpt(resp.content)}",
                    hint="check the options (dates, --bucket, --group-by) and --base-url",
                )
            try:
                doc = json.loads(resp.content)
            except (json.JSONDecodeError, UnicodeDecodeError) as e:
                raise FetchError(
                    f"{what}: the answer is not valid JSON ({e}); "
                    f"it starts with: {_excerpt(resp.content, 80)}",
                    hint="nothing was written for this page; rerun with --resume to retry it",
                ) from None
            return Response(resp.content, doc)
        raise FetchError(
            f"{what}: gave up after {self.settings.retries + 1} attempts; last: {last}",
            hint="the pages saved so far are kept: rerun with --resume to continue",
        )

    def _auth_error(self, status: int, body: bytes, what: str) -> AuthError:
        server = _excerpt(body)
        if self.auth is None:
            return AuthError(f"{what}: HTTP {status}: {server}")
        return AuthError(
            f"{what}: HTTP {status}: the key in {self.auth.variable} was refused ({server})",
            hint=f"set {self.auth.variable} to an ADMIN key ({self.auth.key_kind}); "
            "an ordinary API or project key cannot read usage and costs",
        )
