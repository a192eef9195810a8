"""One fetch: plan the windows, page through each, write every page atomically, keep a cursor.

The output folder holds one JSON file per page that has results (the response body as it came,
which `llm-audit bill DIR` reads as it is) and a hidden state file, ``.llm-audit-fetch.json``,
with the parameters and, per window, the pages saved and the next cursor. A page file is
written under a temporary name and renamed; the state is updated (the same way) after the
rename, so an interruption at any point loses at most the page in flight, and ``--resume``
asks for it again under the same file name.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from llm_audit.errors import FetchError, InputError
from llm_audit.fetch.base import (
    BucketWidth,
    Endpoint,
    Progress,
    Provider,
    has_results,
    windows,
)
from llm_audit.fetch.http import AuthAdvice, Http, HttpSettings
from llm_audit.redact import register, scrub

STATE_FILE = ".llm-audit-fetch.json"
STATE_VERSION = 1


@dataclass(frozen=True)
class FetchRequest:
    provider: Provider
    start: dt.datetime
    end: dt.datetime
    bucket: BucketWidth
    group_by: tuple[str, ...]
    out_dir: Path
    key_env: str
    base_url: str
    resume: bool = False
    http: HttpSettings = field(default_factory=HttpSettings)


@dataclass(frozen=True)
class FetchResult:
    out_dir: Path
    files: tuple[Path, ...]  # written in this run
    pages: int  # fetched in this run
    empty_pages: int  # pages without results: recorded in the state, not written
    results: int  # result rows in the pages written
    skipped_windows: int  # windows already complete in the resumed state
    windows: int


def read_key(variable: str, provider: Provider) -> str:
    """The admin key from the environment; registered for scrubbing before any request."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", variable):
        # Someone passed the key itself: say so without echoing it.
        raise InputError(
            "--key-env takes the NAME of an environment variable, not a key",
            hint=f"export MY_KEY=<key>, then --key-env MY_KEY (or set {provider.key_env})",
        )
    value = os.environ.get(variable, "").strip()
    if not value:
        raise InputError(
            f"{variable} is not set: `fetch {provider.name}` needs an admin key in the environment",
            hint=f"export {variable}=<your ADMIN key ({provider.key_kind})>; keys are never "
            "taken on the command line",
        )
    register(value)
    if not re.fullmatch(r"[\x21-\x7e]+", value):
        # httpx would refuse it with the header in its message, escaped (so no longer the
        # registered secret), or fail encoding it: refused here, never echoed.
        raise InputError(
            f"{variable} holds a character no API key has (a line break, a space, a control "
            "or non-ASCII character)",
            hint=f'set {variable} to the key alone, e.g. export {variable}="$(tr -d '
            "'[:space:]' < keyfile)\"",
        )
    return value


def _params_doc(req: FetchRequest) -> dict[str, Any]:
    return {
        "provider": req.provider.name,
        "start": req.start.isoformat(),
        "end": req.end.isoformat(),
        "bucket": req.bucket,
        "group_by": list(req.group_by),
        "base_url": scrub(req.base_url),
    }


def saved_end(out_dir: Path) -> dt.datetime | None:
    """The end of the fetch saved in ``out_dir`` (a --resume without --until continues to it,
    not to a new "now")."""
    try:
        doc = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
        return dt.datetime.fromisoformat(doc["params"]["end"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    # mkstemp's 0600 is kept on purpose: the pages are the organisation's usage and costs.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _State:
    """The resume state: per window key ("usage/0"), pages saved, next cursor, done."""

    def __init__(self, path: Path, params: dict[str, Any], windows: dict[str, Any]) -> None:
        self.path = path
        self.params = params
        self.windows = windows

    @classmethod
    def open(cls, req: FetchRequest) -> _State:
        path = req.out_dir / STATE_FILE
        params = _params_doc(req)
        if not path.exists():
            return cls(path, params, {})
        if not req.resume:
            raise InputError(
                "this folder already holds a fetch",
                path=str(req.out_dir),
                hint="pass --resume to continue it, or write to an empty folder with -o",
            )
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise InputError(
                f"cannot read the fetch state: {e}",
                path=str(path),
                hint="delete the folder and fetch again",
            ) from e
        if not isinstance(doc, dict) or doc.get("version") != STATE_VERSION:
            raise InputError(
                "unknown fetch state version",
                path=str(path),
                hint="delete the folder and fetch again",
            )
        old = doc.get("params")
        if old != params:
            changed = sorted(
                k for k in params if not isinstance(old, dict) or old.get(k) != params[k]
            )
            raise InputError(
                f"--resume with other parameters than the saved fetch: {', '.join(changed)}",
                path=str(path),
                hint="repeat the original options, or fetch into another folder",
            )
        wins = doc.get("windows")
        return cls(path, params, cast(dict[str, Any], wins) if isinstance(wins, dict) else {})

    def window(self, key: str) -> dict[str, Any]:
        fresh = {"pages": 0, "next_page": None, "done": False, "empty_pages": 0}
        return cast(dict[str, Any], self.windows.setdefault(key, fresh))

    def save(self) -> None:
        doc = {
            "version": STATE_VERSION,
            "params": self.params,
            "windows": self.windows,
            "complete": bool(self.windows) and all(w.get("done") for w in self.windows.values()),
        }
        _write_atomic(self.path, (json.dumps(doc, indent=1) + "\n").encode())


def _stamp(when: dt.datetime, bucket: BucketWidth) -> str:
    return when.strftime("%Y%m%d" if bucket == "1d" else "%Y%m%dT%H%M")


def _check_page(doc: Any, what: str) -> tuple[Mapping[str, Any], bool, str | None]:
    if not isinstance(doc, Mapping) or not isinstance(doc.get("data"), list):
        raise FetchError(
            f"{what}: the answer is not a page of buckets (no 'data' list)",
            hint="is --base-url pointing at the provider's /v1 API?",
        )
    has_more = bool(doc.get("has_more"))
    cursor = doc.get("next_page")
    if has_more and not (isinstance(cursor, str) and cursor):
        raise FetchError(
            f"{what}: has_more is true but next_page is empty",
            hint="the pages saved so far are kept; rerun later with --resume",
        )
    return doc, has_more, cursor if has_more else None


def fetch(
    req: FetchRequest,
    progress: Progress | None = None,
    sleep: Callable[[float], None] | None = None,
) -> FetchResult:
    """Fetch every endpoint of ``req.provider`` over [start, end) into ``req.out_dir``."""
    progress = progress or Progress()
    if req.start >= req.end:
        raise InputError(
            "--since must be before --until",
            hint="dates are whole UTC days; --until is the last day included",
        )
    key = read_key(req.key_env, req.provider)
    if req.out_dir.exists() and not req.out_dir.is_dir():
        raise InputError(
            "-o must be a folder: fetch writes one file per page there",
            path=str(req.out_dir),
            hint="pass a new or empty folder",
        )
    req.out_dir.mkdir(parents=True, exist_ok=True)
    state = _State.open(req)
    plan: list[tuple[Endpoint, int, dt.datetime, dt.datetime]] = []
    for endpoint in req.provider.endpoints(req.bucket, req.group_by):
        for i, (a, b) in enumerate(windows(req.start, req.end, endpoint.bucket, endpoint.limit)):
            plan.append((endpoint, i, a, b))
    progress.start(len(plan))
    files: list[Path] = []
    pages = empty = results = skipped = 0
    base = req.base_url.rstrip("/")
    extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    with Http(
        req.http,
        req.provider.headers(key),
        auth=AuthAdvice(req.key_env, req.provider.key_kind),
        on_wait=progress.wait,
        **extra,
    ) as http:
        for n, (endpoint, i, a, b) in enumerate(plan):
            win = state.window(f"{endpoint.key}/{i}")
            if win["done"]:
                skipped += 1
                progress.window_done()
                continue
            seen: set[str] = set()
            while True:
                page_no = int(win["pages"]) + 1
                cursor = win["next_page"]
                what = (
                    f"{req.provider.label} {endpoint.path} {a:%Y-%m-%d %H:%M}.."
                    f"{b:%Y-%m-%d %H:%M} page {page_no}"
                )
                resp = http.get(
                    base + endpoint.path, req.provider.params(endpoint, a, b, cursor), what=what
                )
                doc, _more, nxt = _check_page(resp.doc, what)
                count = sum(
                    len(bk.get("results") or []) for bk in doc["data"] if isinstance(bk, Mapping)
                )
                if has_results(doc):
                    target = req.out_dir / (
                        f"{endpoint.file_stem}-{_stamp(a, endpoint.bucket)}-p{page_no:03d}.json"
                    )
                    _write_atomic(target, resp.body)
                    files.append(target)
                    results += count
                else:
                    win["empty_pages"] = int(win.get("empty_pages", 0)) + 1
                    empty += 1
                pages += 1
                progress.page(endpoint, n, page_no, count)
                if nxt is not None and nxt in seen:
                    raise FetchError(
                        f"{what}: the API returned the same next_page twice",
                        hint="stopping instead of looping; --resume retries",
                    )
                win.update(pages=page_no, next_page=nxt, done=nxt is None)
                state.save()
                if nxt is None:
                    break
                seen.add(nxt)
            progress.window_done()
    return FetchResult(req.out_dir, tuple(files), pages, empty, results, skipped, len(plan))
