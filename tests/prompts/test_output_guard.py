"""--output or --write-baseline naming a scanned source file: refused, nothing written."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, Result

SAMPLE = ROOT / "samples" / "prompts_app"


@pytest.mark.parametrize(
    ("scan", "flag", "fmt"),
    [
        (".", "-o", "table"),
        ("app/llm.py", "-o", "sarif"),
        (".", "--write-baseline", "table"),
    ],
)
def test_a_scanned_source_file_is_never_overwritten(
    cli: Callable[..., Result], tmp_path: Path, scan: str, flag: str, fmt: str
) -> None:
    app = tmp_path / "app"
    shutil.copytree(SAMPLE, app)
    target = app / "app" / "llm.py"
    before = target.read_bytes()
    r = cli(["prompts", str(app / scan), "-f", fmt, flag, str(target)])
    assert r.exit_code == 2
    assert "names an input file" in r.stderr and "Traceback" not in r.stderr
    assert target.read_bytes() == before


def test_a_report_file_inside_the_scanned_folder_is_fine(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    app = tmp_path / "app"
    shutil.copytree(SAMPLE, app)
    r = cli(["prompts", str(app), "-o", str(app / "report.md"), "-f", "markdown"])
    assert r.exit_code == 1  # the sample has findings
    assert "Pre-ship checklist" in (app / "report.md").read_text()
