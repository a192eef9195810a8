"""Golden outputs of `llm-audit bill` on the bundled samples (table, JSON, markdown).

Reviewed like code. Regenerate with `pytest tests/bill/test_golden.py --update-golden` and
read the diff. The report is pinned with `--as-of` (the price-data age counts to that day);
the price tables' content hashes are scrubbed, so editing a table's notes does not churn the
files while a price change still shows up in the totals.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "bill"
AS_OF = "2026-11-22"
CASES = {
    "openai": ["samples/bill/openai"],
    "anthropic": ["samples/bill/anthropic"],
    "anthropic_explain": ["samples/bill/anthropic", "--explain", "--group-by", "model,kind"],
}
EXT = {"table": "txt", "json": "json", "markdown": "md"}


def scrub(text: str) -> str:
    text = re.sub(r'("(?:version|sha256)": )"[0-9a-f]{12}"', r'\1"<hash>"', text)
    text = re.sub(r"bundled tables v[0-9a-f]{12}", "bundled tables v<hash>", text)
    return text.replace(str(ROOT) + "/", "")


@pytest.mark.parametrize("fmt", sorted(EXT))
@pytest.mark.parametrize("case", sorted(CASES))
def test_bill_golden(
    cli: Callable[..., object],
    update_golden: bool,
    monkeypatch: pytest.MonkeyPatch,
    case: str,
    fmt: str,
) -> None:
    monkeypatch.chdir(ROOT)  # inputs by relative path: the same text on every machine
    r = cli(["bill", *CASES[case], "--as-of", AS_OF, "--format", fmt])
    assert r.exit_code == 0, r.stderr  # type: ignore[attr-defined]
    got = scrub(r.stdout)  # type: ignore[attr-defined]
    path = GOLDEN / f"{case}.{EXT[fmt]}"
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run pytest with --update-golden and review it"
    want = path.read_text(encoding="utf-8")
    assert got == want, f"{path.name} differs; if the change is intended, --update-golden"
