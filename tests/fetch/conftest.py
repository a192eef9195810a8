"""A real HTTP server on localhost replaying the admin APIs, and the no-key-in-output guard.

Every fetch test gets admin keys in its environment; the ``keyguard`` fixture (autouse) checks
after the test that neither key appears in anything the test saw: every CLI run's stdout and
stderr, and every file under the test's tmp_path (the state file included).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.conftest import Result, _invoke

OPENAI_KEY = "sk-admin-TESTKEY0penAI9f8e7d6c5b4a"
ANTHROPIC_KEY = "sk-ant-admin01-TESTKEYanthrop1c-0a1b2c3d"
# Not key-shaped on purpose: only the registered value can be scrubbed, not a pattern.
CUSTOM_KEY = "orgadmin-PLAINSECRET-77aa88bb99cc"
KEYS = (OPENAI_KEY, ANTHROPIC_KEY, CUSTOM_KEY)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes | dict[str, Any] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to sleep before answering (read timeouts)


@dataclass
class Seen:
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    at: float

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)

    def params(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]


App = Callable[[Seen, int], Reply]  # (request, how many requests to this path before it)


class ApiServer:
    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.app: App = lambda req, n: Reply(404, {"error": {"message": "no route"}})
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # the http.server API
                parts = urlsplit(self.path)
                req = Seen(
                    parts.path, parse_qsl(parts.query), dict(self.headers.items()), time.monotonic()
                )
                n = sum(1 for s in server.seen if s.path == req.path)
                server.seen.append(req)
                reply = server.app(req, n)
                if reply.delay:
                    time.sleep(reply.delay)
                body = (
                    reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                )
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a read timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def on(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def api() -> Iterator[ApiServer]:
    server = ApiServer()
    yield server
    server.close()


@dataclass
class Outputs:
    results: list[Result] = field(default_factory=list)


@pytest.fixture
def outputs() -> Outputs:
    return Outputs()


@pytest.fixture(autouse=True)
def keyguard(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, outputs: Outputs) -> Iterator[None]:
    """Admin keys in the environment; after the test, none may appear in any output."""
    monkeypatch.setenv("OPENAI_ADMIN_KEY", OPENAI_KEY)
    monkeypatch.setenv("ANTHROPIC_ADMIN_KEY", ANTHROPIC_KEY)
    monkeypatch.setenv("MY_ORG_KEY", CUSTOM_KEY)
    monkeypatch.delenv("LLM_AUDIT_DEBUG", raising=False)
    yield
    texts = [
        (f"run {i} {name}", text)
        for i, r in enumerate(outputs.results)
        for name, text in (("stdout", r.stdout), ("stderr", r.stderr))
    ]
    texts += [
        (str(p), p.read_bytes().decode("utf-8", "replace"))
        for p in tmp_path.rglob("*")
        if p.is_file()
    ]
    for where, text in texts:
        for key in KEYS:
            assert key not in text, f"an admin key leaked into {where}"
            assert key[8:24] not in text, f"part of an admin key leaked into {where}"


@pytest.fixture
def run(outputs: Outputs) -> Callable[..., Result]:
    """The CLI through its real error boundary; every result is checked by ``keyguard``."""

    def invoke(argv: list[str]) -> Result:
        result = _invoke(argv)
        outputs.results.append(result)
        return result

    return invoke
