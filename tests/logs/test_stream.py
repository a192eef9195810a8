"""Big logs read in blocks give the same usage table as a whole-file read, `file:line` included.

The size floor and the block size are forced tiny, so a file of a few lines is read in many
blocks: rows, skipped lines, broken lines, duplicate ids and contradictions must not depend on
where a block ends.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from llm_audit.errors import InputError
from llm_audit.ingest.logs import openai_fast, stream
from llm_audit.ingest.logs.load import LogLoad, load_logs

ASSETS = Path(__file__).resolve().parent.parent / "assets" / "logs"
COLUMNS = [
    "timestamp",
    "model_raw",
    "input_tokens",
    "cache_read_tokens",
    "output_tokens",
    "reasoning_tokens",
    "service_tier",
    "request_id",
    "finish_reason",
    "source_file",
    "source_line",
]


def _chat(
    i: int, model: str = "gpt-4o", tier: str | None = "default", **extra: object
) -> dict[str, object]:
    d: dict[str, object] = {
        "id": f"c{i}",
        "object": "chat.completion",
        "created": 1794886080 + i,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "x" * (i % 7)},
                "finish_reason": "length" if i % 3 else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 1000 + i,
            "completion_tokens": 50 + i,
            "prompt_tokens_details": {"cached_tokens": 10 * (i % 5)},
            "completion_tokens_details": {"reasoning_tokens": i % 4},
        },
    }
    if tier:
        d["service_tier"] = tier
    d.update(extra)
    return d


def _bare(tmp_path: Path, n: int = 40) -> Path:
    rows = [
        json.dumps(
            _chat(i, ("gpt-4o", "o3", "gpt-4o-mini")[i % 3], ("default", "flex", None)[i % 3])
        )
        for i in range(n)
    ]
    rows[17] = json.dumps(
        {
            "id": "c17",
            "object": "chat.completion",
            "created": 1794886099,
            "model": "gpt-4o",
            "choices": [],
        }
    )  # no usage: listed
    f = tmp_path / "bare.jsonl"
    f.write_text("\n".join(rows) + "\n")
    return f


@pytest.fixture
def tiny_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 0)
    monkeypatch.setattr(stream, "BLOCK_BYTES", 700)  # a few lines a block


def _same(a: LogLoad, b: LogLoad) -> None:
    assert a.table[COLUMNS].equals(b.table[COLUMNS])
    assert (a.skipped, a.bad_lines, a.contradictions, a.duplicate_ids, a.duplicate_examples) == (
        b.skipped,
        b.bad_lines,
        b.contradictions,
        b.duplicate_ids,
        b.duplicate_examples,
    )


def test_blocks_cover_every_line_once(tmp_path: Path) -> None:
    f = tmp_path / "x.jsonl"
    lines = [f'{{"n": {i}, "pad": "{"y" * (i * 13 % 90)}"}}' for i in range(50)]
    f.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode())  # BOM, no final newline
    seen: list[str] = []
    for first, count, block in stream.blocks(f, 128):  # some lines are longer than a block
        text = bytes(block).decode()
        assert first == len(seen) + 1 and count == len(text.splitlines())
        seen.extend(text.splitlines())
    assert seen == lines


def test_arrow_blocks_match_the_line_reader(
    tmp_path: Path, tiny_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = _bare(tmp_path)
    blocked = load_logs([str(f)])
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 1 << 40)
    whole = load_logs([str(f)])
    _same(blocked, whole)
    assert len(whole.table) == 39 and whole.table["source_line"].tolist()[-1] == 40
    assert len(blocked.skipped) == 1 and blocked.skipped[0].startswith(f"{f}:18: ")


def test_arrow_path_is_taken_for_bare_blocks(
    tmp_path: Path, tiny_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bool] = []
    real = openai_fast.read_block

    def spy(*args: object, **kwargs: object) -> object:
        got = real(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(got is not None)
        return got

    monkeypatch.setattr(openai_fast, "read_block", spy)
    load_logs([str(_bare(tmp_path))])
    assert len(calls) > 5 and all(calls)


def test_broken_line_in_a_later_block_names_its_file_line(
    tmp_path: Path, tiny_blocks: None
) -> None:
    f = _bare(tmp_path)
    lines = f.read_text().splitlines()
    lines.insert(30, '{"id": "broken", "object": ')  # becomes line 31
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as e:
        load_logs([str(f)])
    assert e.value.where == f"{f}:31"
    skipped = load_logs([str(f)], skip_bad_lines=True)
    assert skipped.bad_lines == (f"{f}:31: broken JSON (Expecting value)",)
    assert len(skipped.table) == 39 and skipped.table["source_line"].max() == 41


def test_duplicate_ids_across_blocks_count_once(tmp_path: Path, tiny_blocks: None) -> None:
    f = tmp_path / "dups.jsonl"
    rows = [_chat(i) for i in range(30)]
    rows.append(_chat(2))  # line 31 repeats the id of line 3, many blocks later
    rows.append(_chat(29))  # line 32 repeats line 30
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    got = load_logs([str(f)])
    assert got.duplicate_ids == 2 and len(got.table) == 30
    assert got.duplicate_examples == (
        f"{f}:31: request id c2 already seen",
        f"{f}:32: request id c29 already seen",
    )


def test_wrapped_lines_read_in_blocks_match_a_whole_read(
    tmp_path: Path, tiny_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = ASSETS / "openai_chat_wrapped.jsonl"
    f = tmp_path / "wrapped.jsonl"
    f.write_text(source.read_text() * 3)
    blocked = load_logs([str(f)])
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 1 << 40)
    whole = load_logs([str(f)])
    _same(blocked, whole)
    extra = [
        "user",
        "feature",
        "latency_ms",
        "ttft_ms",
        "max_tokens",
        "stream",
        "prompt_text",
        "request_key",
    ]
    assert blocked.table[extra].equals(whole.table[extra])


def test_blank_lines_keep_line_numbers(tmp_path: Path, tiny_blocks: None) -> None:
    f = tmp_path / "blank.jsonl"
    rows = [json.dumps(_chat(i)) for i in range(12)]
    rows.insert(6, "")
    rows.insert(9, "   ")
    f.write_text("\n".join(rows) + "\n")
    got = load_logs([str(f)])
    assert got.table["request_id"].tolist() == [f"c{i}" for i in range(12)]
    assert got.table["source_line"].tolist() == [1, 2, 3, 4, 5, 6, 8, 9, 11, 12, 13, 14]


def test_shapes_that_are_not_one_object_a_line_are_read_whole(tiny_blocks: None) -> None:
    got = load_logs([str(ASSETS / "langfuse_observations.json")])  # a JSON array
    assert len(got.table) > 0 and got.formats[0][1] == "langfuse"
    claude = load_logs([str(ASSETS / "claude_projects")])  # de-duplicated per file
    assert claude.transcript_duplicates > 0


def test_small_files_are_not_streamed() -> None:
    assert not stream.streamable(ASSETS / "openai_chat_wrapped.jsonl")  # under the size floor
    assert not stream.streamable(ASSETS)


def test_blank_contract_columns_normalize_to_the_same_table() -> None:
    """The speed path (missing contract columns added as cheap blanks before ``normalize``)
    gives exactly the table ``normalize`` builds from the reader's rows."""
    from llm_audit.ingest.logs import openai_fast
    from llm_audit.ingest.logs._common import with_contract_columns
    from llm_audit.usage import schema

    block = b"".join(
        b'{"id":"r%d","object":"chat.completion","created":175000000%d,"model":"gpt-4o",'
        b'"choices":[{"finish_reason":"stop"}],"service_tier":"default",'
        b'"usage":{"prompt_tokens":%d,"completion_tokens":2}}\n' % (i, i, 10 + i)
        for i in range(3)
    )
    df = openai_fast.read_block(block, "x.jsonl", 7)
    assert df is not None and len(df)
    pd.testing.assert_frame_equal(schema.normalize(with_contract_columns(df)), schema.normalize(df))


def test_engine_input_prices_as_the_engine_does() -> None:
    """``_price`` hands the engine blanks and decoded categoricals: same models and costs as
    pricing the narrow rows directly."""
    from llm_audit.analyses.logs import _price, _priceable
    from llm_audit.pricing.book import PriceBook
    from llm_audit.pricing.engine import price

    table = load_logs(["samples/logs/requests.jsonl"]).table
    book = PriceBook.load(())
    ours = _price(table, book)
    direct = price(_priceable(table), book)
    for col in ("model", "unpriced_reason"):
        assert (
            ours[col].astype(object).fillna("").tolist()
            == direct[col].astype(object).fillna("").tolist()
        )
    # the cost columns the analysis reads (``_price`` keeps no others; cost_total is the sum)
    for col in ("priced", "cost_total", "cost_cache_read", "cost_output"):
        pd.testing.assert_series_equal(
            ours[col].reset_index(drop=True),
            direct[col].reset_index(drop=True),
            check_names=False,
            check_dtype=False,
        )


def _dups_file(tmp_path: Path) -> Path:
    """Duplicate ids across blocks, into and out of a block the line reader reads (a broken
    line), a line without usage, and a line without an id."""
    f = tmp_path / "dups.jsonl"
    rows = [json.dumps(_chat(i)) for i in range(30)]
    rows.append(json.dumps(_chat(2)))  # line 31 repeats line 3
    rows.append(json.dumps(_chat(29)))  # line 32 repeats line 30
    rows.insert(20, '{"id": "broken", "object": ')  # line 21: its block is read line by line
    rows.insert(22, json.dumps(_chat(5)))  # line 23, in that block, repeats line 6
    no_id = _chat(40)
    del no_id["id"]
    rows.append(json.dumps(no_id))
    rows.append(json.dumps(no_id))  # no id twice: not a duplicate
    f.write_text("\n".join(rows) + "\n")
    return f


@pytest.mark.parametrize("collide", [False, True])
def test_fingerprinted_ids_find_the_same_duplicates(
    tmp_path: Path, tiny_blocks: None, monkeypatch: pytest.MonkeyPatch, collide: bool
) -> None:
    """``request_ids=False`` (the CLI) finds duplicates by fingerprint and confirms them by
    string: the same rows and examples as the string check, even when every fingerprint
    collides; the table is the same but for the ``request_id`` column."""
    import numpy as np

    from llm_audit.ingest.logs import _ids

    f = _dups_file(tmp_path)
    strings = load_logs([str(f)], skip_bad_lines=True)
    if collide:
        monkeypatch.setattr(_ids, "fingerprints", lambda values: np.asarray(
            values.is_valid(), dtype=np.uint64))  # every id the same fingerprint
    hashed = load_logs([str(f)], skip_bad_lines=True, request_ids=False)
    assert strings.duplicate_ids == hashed.duplicate_ids == 3
    assert strings.duplicate_examples == hashed.duplicate_examples
    assert hashed.duplicate_examples[0] == f"{f}:23: request id c5 already seen"
    assert "request_id" not in hashed.table.columns
    assert strings.table.drop(columns=["request_id"]).equals(hashed.table)
    monkeypatch.setattr(stream, "STREAM_MIN_BYTES", 1 << 40)  # read whole: ids as strings
    whole = load_logs([str(f)], skip_bad_lines=True, request_ids=False)
    assert whole.duplicate_examples == strings.duplicate_examples


def test_fingerprints_equal_for_equal_ids_only() -> None:
    import pyarrow as pa

    from llm_audit.ingest.logs._ids import fingerprints

    values = ["a", "bb", None, "chatcmpl-123456789", "", "bb", "chatcmpl-123456780", "x" * 40]
    for kind in (pa.string(), pa.large_string()):
        got = fingerprints(pa.array(values, type=kind))
        assert got[2] == 0 and all(got[i] != 0 for i in range(len(values)) if i != 2)
        assert got[1] == got[5] and len(set(got.tolist())) == len(values) - 1
        assert fingerprints(pa.array(values, type=kind).slice(1)).tolist() == got[1:].tolist()
    assert fingerprints(pa.array(values)).tolist() == fingerprints(
        pa.array(values, type=pa.large_string())).tolist()


def test_blocks_in_a_ring_of_buffers_stay_valid_while_held(tmp_path: Path) -> None:
    """With ``buffers`` buffers a block stays intact until ``buffers - 1`` more are read (the
    Arrow path parses that many at once): the same blocks as one buffer gives."""
    f = tmp_path / "x.jsonl"
    lines = [f'{{"n": {i}, "pad": "{"y" * (i * 13 % 90)}"}}' for i in range(80)]
    f.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n")
    one = [(first, count, bytes(block)) for first, count, block in stream.blocks(f, 200)]
    held: list[tuple[int, int, memoryview]] = []
    ring: list[tuple[int, int, bytes]] = []
    for got in stream.blocks(f, 200, buffers=3):
        held.append(got)
        if len(held) == 2:  # two blocks held at once, as the two parsers hold them
            first, count, block = held.pop(0)
            ring.append((first, count, bytes(block)))
    ring.extend((first, count, bytes(block)) for first, count, block in held)
    assert ring == one and b"".join(b for _, _, b in one).decode().splitlines() == lines
