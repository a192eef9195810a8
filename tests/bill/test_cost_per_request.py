"""Cost per request divides the spend by the requests it covers: unpriced requests are not in it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Result

MAP = [
    "--map",
    "model=model",
    "--map",
    "input_tokens=input_tokens",
    "--map",
    "output_tokens=output_tokens",
    "--map",
    "timestamp=date",
    "--map",
    "requests=requests",
]


def test_unpriced_requests_are_not_in_the_cost_per_request(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    f = tmp_path / "usage.csv"
    f.write_text(
        "date,model,input_tokens,output_tokens,requests\n"
        "2026-11-01,gpt-4o-mini,1000000,100000,4\n"  # $0.15 + $0.06 = $0.21 over 4 requests
        "2026-11-01,mystery-model-9,5000,100,6\n"  # unpriced: not in the spend
    )
    r = cli(["bill", str(f), *MAP, "--format", "json"])
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert (doc["requests"], doc["requests_in_spend"]) == (10, 4)
    assert doc["cost_per_request"] == 0.0525  # 0.21 / 4, not 0.21 / 10
    table = cli(["bill", str(f), *MAP])
    assert "over the 4 requests the spend covers" in table.stdout
