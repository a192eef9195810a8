"""Helpers for the logs tests that write vectors in the documented shapes and read the JSON
report back (tests/logs/test_formats_audit.py, tests/logs/test_audio.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import Result

Cli = Callable[..., Result]


def write(path: Path, *records: Any) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def logs(cli: Cli, *args: str) -> dict[str, Any]:
    res = cli(["logs", *args, "--format", "json"])
    assert res.exit_code == 0, res.stderr
    data: dict[str, Any] = json.loads(res.stdout)
    return data


def by_model(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["model"]: r for r in data["cost_by"]["model"]}
