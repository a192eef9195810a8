"""`llm-audit diff`: each change split into its causes, by re-pricing one step at a time."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_audit.analyses.gate import diff
from llm_audit.analyses.snapshot import SiteSnapshot, Snapshot, TierRates
from llm_audit.pricing.tables import Provenance
from tests.conftest import Result
from tests.gate.helpers import load_json, write_project

NEGOTIATED = """\
schema: 1
provider: openai
name: our negotiated prices
source: https://example.com/contract
checked: 2026-11-01
models:
  - id: gpt-4o-mini
    class: small
    encoding: o200k_base
    prices:
      - effective: 2024-07-18
        input: 0.30
        output: 1.20
"""


def _snapshot(cli: Callable[..., Result], root: Path, out: Path, *extra: str) -> Path:
    r = cli(["snapshot", str(root), "-o", str(out), *extra])
    assert r.exit_code == 0, r.stderr
    return out


def test_a_price_table_change_alone_is_the_price_cause(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = write_project(tmp_path / "repo")
    base = _snapshot(cli, root, tmp_path / "base.json")
    table = tmp_path / "negotiated.yaml"
    table.write_text(NEGOTIATED)
    head = _snapshot(cli, root, tmp_path / "head.json", "--pricing", str(table))

    r = cli(["diff", str(base), str(head), "--format", "json"])
    assert r.exit_code == 0, r.stderr
    doc = load_json(r.stdout)
    (change,) = doc["changes"]  # type: ignore[misc]
    assert [e["cause"] for e in change["effects"]] == ["price"]
    b, h = change["base"], change["head"]
    assert (b["input_tokens"], b["output_tokens"]) == (h["input_tokens"], h["output_tokens"])
    expected = (h["input_tokens"] * 0.30 + h["output_tokens"] * 1.20) / 1e6
    assert h["cost_per_call"] == pytest.approx(expected, rel=1e-12)
    price = change["effects"][0]
    assert price["per_month"] == pytest.approx(
        (h["cost_per_call"] - b["cost_per_call"]) * 100_000, rel=1e-9
    )
    totals = doc["totals"]
    assert totals["code_delta_monthly"] == pytest.approx(0.0, abs=1e-9)  # type: ignore[index]
    assert totals["by_cause"] == {"price": price["per_month"]}  # type: ignore[index]

    # the gate does not blame the code for it, while the total rose
    g = cli(
        [
            "gate",
            "--baseline",
            str(base),
            str(root),
            "--pricing",
            str(table),
            "--max-increase",
            "0%",
            "--max-call-increase",
            "0%",
        ]
    )
    assert g.exit_code == 0, g.stdout + g.stderr
    assert "passed" in g.stdout and "not blamed on the code" in g.stdout


def test_usage_profile_change_is_the_usage_cause(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = write_project(tmp_path / "repo", calls=100_000)
    base = _snapshot(cli, root, tmp_path / "base.json")
    write_project(root, calls=150_000)
    head = _snapshot(cli, root, tmp_path / "head.json")
    doc = load_json(cli(["diff", str(base), str(head), "--format", "json"]).stdout)
    (change,) = doc["changes"]  # type: ignore[misc]
    (effect,) = change["effects"]
    assert effect["cause"] == "usage"
    assert effect["per_month"] == pytest.approx(change["head"]["cost_per_call"] * 50_000)
    assert "100,000" in effect["detail"] and "150,000" in effect["detail"]


def test_new_and_removed_sites(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = write_project(tmp_path / "repo")
    base = _snapshot(cli, root, tmp_path / "base.json")
    (root / "app" / "chat.py").rename(root / "app" / "support.py")
    head = _snapshot(cli, root, tmp_path / "head.json")
    r = cli(["diff", str(base), str(head)])
    assert r.exit_code == 0
    assert "removed site" in r.stdout and "new site" in r.stdout
    doc = load_json(cli(["diff", str(base), str(head), "--format", "json"]).stdout)
    statuses = sorted(c["status"] for c in doc["changes"])  # type: ignore[union-attr]
    assert statuses == ["new", "removed"]


# -- the split always adds up -------------------------------------------------------------------

RATES = {
    "small": TierRates(0.15, 0.6),
    "big": TierRates(2.5, 10.0),
    "long": TierRates(1.25, 5.0, 200_000, 2.5, 10.0),
}


def _site(model: str, rates: TierRates, inp: int, out: int, calls: int) -> SiteSnapshot:
    return SiteSnapshot(
        id="app/a.py::f::openai.chat.create#1",
        path="app/a.py",
        function="f",
        line=3,
        callee="openai.chat.create",
        fingerprint="x",
        provider="openai",
        model_raw=model,
        model=model,
        service_tier="standard",
        input_tokens=inp,
        tokens_exact=True,
        encoding="o200k_base",
        output_tokens=out,
        output_source="max_tokens",
        cost_per_call=rates.cost(inp, out),
        unpriced_reason="",
        calls_per_month=calls,
        calls_source="usage",
    )


def _snap(site: SiteSnapshot, rates: dict[str, TierRates], version: str) -> Snapshot:
    return Snapshot(
        "0",
        Provenance(version),
        "2026-11-22",
        500,
        1000,
        True,
        None,
        {m: {"standard": r} for m, r in rates.items()},
        (site,),
    )


tokens = st.integers(0, 400_000)


@settings(max_examples=200, deadline=None)
@given(
    bm=st.sampled_from(sorted(RATES)),
    hm=st.sampled_from(sorted(RATES)),
    bi=tokens,
    hi=tokens,
    bo=st.integers(0, 8000),
    ho=st.integers(0, 8000),
    bn=st.integers(0, 10**6),
    hn=st.integers(0, 10**6),
    factor=st.sampled_from([1.0, 0.5, 2.0]),
)
def test_causes_add_up_to_the_change(
    bm: str, hm: str, bi: int, hi: int, bo: int, ho: int, bn: int, hn: int, factor: float
) -> None:
    head_rates = dict(RATES)
    r = RATES[bm]
    head_rates[bm] = TierRates(
        r.input * factor,
        r.output * factor,
        r.lc_threshold,
        None if r.lc_input is None else r.lc_input * factor,
        None if r.lc_output is None else r.lc_output * factor,
    )
    base = _snap(_site(bm, RATES[bm], bi, bo, bn), RATES, "a")
    head = _snap(_site(hm, head_rates[hm], hi, ho, hn), head_rates, "b")
    d = diff(base, head)
    (c,) = d.changes
    total = (head.sites[0].monthly_cost or 0.0) - (base.sites[0].monthly_cost or 0.0)
    assert c.monthly_delta == pytest.approx(total, rel=1e-9, abs=1e-9)
    price = sum(e.per_month or 0.0 for e in c.effects if e.cause == "price")
    if factor == 1.0 or bi == bo == 0 or bn == 0:
        assert price == pytest.approx(0.0, abs=1e-12)
    else:
        assert price == pytest.approx(
            (head_rates[bm].cost(bi, bo) - RATES[bm].cost(bi, bo)) * bn, rel=1e-9
        )
    # the code is judged without the price step
    assert d.code_delta == pytest.approx(total - price, rel=1e-9, abs=1e-9)
    if bm == hm and (bi, bo) == (hi, ho):
        assert not {"model", "prompt tokens", "output tokens"} & set(c.causes)


def test_diff_markdown_names_causes(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = write_project(tmp_path / "repo")
    base = _snapshot(cli, root, tmp_path / "base.json")
    write_project(root, model="gpt-4o")
    head = _snapshot(cli, root, tmp_path / "head.json")
    md = cli(["diff", str(base), str(head), "--format", "markdown"]).stdout
    assert md.startswith("## LLM cost diff")
    assert "gpt-4o-mini -> gpt-4o" in md and "| changed |" in md
    assert "- **total**:" in md
    data = json.loads(cli(["diff", str(base), str(head), "--format", "json"]).stdout)
    assert list(data["totals"]["by_cause"]) == ["model"]


def test_a_call_added_before_another_does_not_shift_the_blame(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = write_project(tmp_path / "repo")
    base = _snapshot(cli, root, tmp_path / "base.json")
    app = root / "app" / "chat.py"
    text = app.read_text()
    added = (
        "    client.chat.completions.create(\n"
        '        model="gpt-4o",\n'
        "        max_tokens=5,\n"
        '        messages=[{"role": "user", "content": "Is this spam? " + question}],\n'
        "    )\n"
    )
    app.write_text(text.replace("    r = client.chat", added + "    r = client.chat", 1))
    head = _snapshot(cli, root, tmp_path / "head.json")
    doc = load_json(cli(["diff", str(base), str(head), "--format", "json"]).stdout)
    by_status = {c["status"]: c for c in doc["changes"]}  # type: ignore[union-attr]
    assert set(by_status) == {"new", "unchanged"}
    assert by_status["new"]["head"]["model"] == "gpt-4o"
    assert by_status["unchanged"]["head"]["model"] == "gpt-4o-mini"
    assert list(doc["totals"]["by_cause"]) == ["new site"]  # type: ignore[index]


def test_an_unknown_model_made_known_counts_its_whole_cost(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = write_project(tmp_path / "repo", model="acme-private-llm-7")
    base = _snapshot(cli, root, tmp_path / "base.json")
    write_project(root, model="gpt-4o")
    head = _snapshot(cli, root, tmp_path / "head.json")
    doc = load_json(cli(["diff", str(base), str(head), "--format", "json"]).stdout)
    (change,) = doc["changes"]  # type: ignore[misc]
    assert [e["cause"] for e in change["effects"]] == ["now priced"]
    monthly = change["head"]["monthly_cost"]
    assert monthly > 0 and change["monthly_delta"] == pytest.approx(monthly)
    assert doc["totals"]["code_delta_monthly"] == pytest.approx(monthly)  # type: ignore[index]
    g = cli(["gate", "--baseline", str(base), str(root), "--max-monthly-increase", "0"])
    assert g.exit_code == 1
    # and back to the unknown model: not a saving, an unknown
    doc = load_json(cli(["diff", str(head), str(base), "--format", "json"]).stdout)
    assert doc["totals"]["code_delta_monthly"] == 0.0  # type: ignore[index]
    assert doc["totals"]["unpriced_sites"] == [change["id"]]  # type: ignore[index]


def test_a_head_with_no_call_sites_at_all_is_said(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """Gating the wrong folder (a CI working directory) finds nothing: every site 'removed'
    passes any threshold, so the report says the head found no call site at all."""
    root = write_project(tmp_path / "repo")
    base = tmp_path / "base.json"
    assert cli(["snapshot", str(root), "-o", str(base)]).exit_code == 0
    (tmp_path / "elsewhere").mkdir()
    r = cli(["gate", "--baseline", str(base), str(tmp_path / "elsewhere"), "-f", "markdown"])
    assert r.exit_code == 0, r.stderr
    assert "the head has no LLM call site at all (the baseline has 1)" in r.stdout
    assert "check the PATHs" in r.stdout
    same = cli(["gate", "--baseline", str(base), str(root), "-f", "markdown"])
    assert "no LLM call site at all" not in same.stdout


def test_markdown_notes_under_a_table_are_not_table_rows(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """GFM keeps a line right under a table's rows in the table: the comment's notes
    ('no call site changed') rendered as a stray table row. A blank line ends the table."""
    import markdown_it

    root = write_project(tmp_path / "repo")
    base = tmp_path / "base.json"
    assert cli(["snapshot", str(root), "-o", str(base)]).exit_code == 0
    text = cli(["diff", str(base), str(base), "-f", "markdown"]).stdout
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    assert "<em>no call site changed</em>" in html
    assert "<td><em>no call site changed</em></td>" not in html
    assert "| call site |" in text
