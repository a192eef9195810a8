"""The README's GitLab CI snippet keeps one merge-request note, against a local stand-in API."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
NOTES = "/api/v4/projects/42/merge_requests/7/notes"


def _snippet() -> str:
    match = re.search(r"python - <<'PY'\n(.*?)\n\s*PY\n", README, flags=re.S)
    assert match, "the GitLab snippet's python block is missing from the README"
    return textwrap.dedent(match.group(1))


class FakeGitLab(BaseHTTPRequestHandler):
    # shared with the test: the server makes one handler per request
    notes: ClassVar[list[dict[str, object]]] = []
    calls: ClassVar[list[str]] = []

    def _reply(self, payload: object, code: int = 200) -> None:
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, object]:
        assert self.headers["PRIVATE-TOKEN"] == "secret-token"
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        data = json.loads(raw)
        assert isinstance(data, dict)
        return data

    def do_GET(self) -> None:
        self.calls.append(f"GET {self.path}")
        self._reply(self.notes)

    def do_POST(self) -> None:
        self.calls.append(f"POST {self.path}")
        note = {"id": 100 + len(self.notes), "body": self._body()["body"]}
        self.notes.append(note)
        self._reply(note, 201)

    def do_PUT(self) -> None:
        self.calls.append(f"PUT {self.path}")
        note_id = int(self.path.rsplit("/", 1)[1])
        for note in self.notes:
            if note["id"] == note_id:
                note["body"] = self._body()["body"]
        self._reply({"id": note_id})

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def gitlab() -> Iterator[str]:
    FakeGitLab.notes = [{"id": 1, "body": "a reviewer's note"}]
    FakeGitLab.calls = []
    server = HTTPServer(("127.0.0.1", 0), FakeGitLab)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v4"
    server.shutdown()


def test_the_snippet_creates_then_updates_one_note(gitlab: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CI_API_V4_URL": gitlab,
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "7",
        "LLM_AUDIT_TOKEN": "secret-token",
        "no_proxy": "127.0.0.1",  # the stand-in is local; no proxy may catch it
        "NO_PROXY": "127.0.0.1",
    }
    for text in ("## LLM cost gate: FAILED\n", "## LLM cost gate: passed\n"):
        (tmp_path / "gate.md").write_text(text)
        done = subprocess.run(
            [sys.executable, "-c", _snippet()],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
    assert [c.split("?")[0] for c in FakeGitLab.calls] == [
        f"GET {NOTES}",
        f"POST {NOTES}",
        f"GET {NOTES}",
        f"PUT {NOTES}/101",
    ]
    ours = [n for n in FakeGitLab.notes if str(n["body"]).startswith("<!-- llm-audit-gate -->")]
    assert len(ours) == 1 and str(ours[0]["body"]).endswith("## LLM cost gate: passed\n")
    assert FakeGitLab.notes[0]["body"] == "a reviewer's note"
