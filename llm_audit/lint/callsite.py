"""The typed view of one LLM call site that every lint rule reads (never raw AST).

A front-end (``python_ast``, ``js_treesitter``) resolves what a reviewer would follow: kwargs
dicts built before the call, the client's constructor elsewhere in the module, a model name in
a constant, a wrapper's parameters, a loop in the caller of a helper. What it cannot resolve it
says so (``kwargs_open``, ``client.known``) so that rules stay quiet instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PieceKind = Literal["static", "dynamic"]
# What a dynamic piece is, when we can tell: per-request values defeat caching (LLM001),
# whole collections or files make the context unbounded (LLM007).
Dynamic = Literal[
    "value",  # an ordinary variable (user input, a retrieved document, ...)
    "timestamp",
    "uuid",
    "random",
    "json-unsorted",
    "set",
    "join-all",  # a whole collection joined, no slice / top-k
    "join-bounded",
    "file",  # a whole file read
    "history",  # a conversation list that only grows
]
PER_REQUEST: frozenset[str] = frozenset({"timestamp", "uuid", "random"})
UNSTABLE: frozenset[str] = frozenset({"json-unsorted", "set"})
UNBOUNDED: frozenset[str] = frozenset({"join-all", "file", "history"})


@dataclass(frozen=True)
class Piece:
    kind: PieceKind
    text: str = ""  # static text, or the source of the dynamic expression
    detail: Dynamic | None = None


@dataclass(frozen=True)
class PromptPart:
    """One message (or the system prompt, or a bare prompt string) as static/dynamic pieces."""

    role: str  # system, developer, user, assistant, prompt, unknown
    pieces: tuple[Piece, ...]
    line: int

    @property
    def static_text(self) -> str:
        return "".join(p.text for p in self.pieces if p.kind == "static")

    @property
    def leading_static(self) -> str:
        out = []
        for p in self.pieces:
            if p.kind != "static":
                break
            out.append(p.text)
        return "".join(out)

    def dynamics(self) -> tuple[Piece, ...]:
        return tuple(p for p in self.pieces if p.kind == "dynamic")


@dataclass(frozen=True)
class ClientInfo:
    """What the client the call goes through was built with, as far as the module shows."""

    known: bool  # False: a parameter, an import from elsewhere, ...: rules stay quiet
    constructor: str = ""  # e.g. "openai.AzureOpenAI"
    timeout: bool = False
    max_retries: int | None = None  # None: not set (SDK default)
    line: int = 0
    options: frozenset[str] = frozenset()  # option names set on the client (ctor, bind, ...)


@dataclass(frozen=True)
class ExportedClient:
    """A client a JS/TS module builds at its top level, for the modules that import it."""

    info: ClientInfo
    sdk: str
    provider: str | None
    consts: tuple[tuple[str, object], ...] = ()  # constructor options with literal values
    keys: frozenset[str] = frozenset()  # every constructor option name
    base_url: str = ""  # an HTTP client's baseURL (axios.create)


@dataclass(frozen=True)
class LoopInfo:
    kind: Literal["for", "while", "comprehension"]
    line: int
    dependent: bool  # agent/retry/conversation loop: each request needs the previous one
    concurrent: bool  # coroutines gathered / submitted to an executor
    via_helper: str = ""  # the helper function called in the loop, when the loop is a caller's


@dataclass(frozen=True)
class CallSite:
    path: str
    line: int
    end_line: int
    col: int
    language: Literal["python", "javascript", "typescript"]
    sdk: str  # openai, openai-v0, azure-openai, anthropic, litellm, google-genai, langchain, ...
    api: str  # chat, responses, completions, messages, batches, generate, invoke, http, ...
    method: str  # create, stream, parse, invoke, batch, post, ...
    provider: str | None  # price-book provider hint
    function: str  # qualified name of the enclosing function ("" at module level)
    source_line: str  # the call's first source line, stripped (baseline fingerprints)
    is_async: bool = False
    model: str | None = None
    model_hardcoded: bool = False  # a literal or module constant, not config/env
    keywords: frozenset[str] = frozenset()  # every option we could see, kwargs dicts included
    consts: tuple[tuple[str, object], ...] = ()  # option -> literal value, where literal
    kwargs_open: bool = False  # **something we could not resolve: "missing X" rules stay quiet
    client: ClientInfo = field(default_factory=lambda: ClientInfo(known=False))
    prompt: tuple[PromptPart, ...] = ()
    prompt_text_words: str = ""  # lower-cased static text of the whole prompt (signals)
    stream: bool = False
    stream_only_accumulated: bool = False  # chunks joined, nothing interactive consumes them
    stream_sink: str = ""  # where the joined text goes (e.g. "session.add"), when it is known
    loops: tuple[LoopInfo, ...] = ()
    web_handler: bool = False
    retry_wrapped: bool = False  # tenacity/backoff decorator, retry loop, transport retries
    bounded_context: bool = False  # a token budget / truncation is visible in the function
    cache_control: bool = False
    response_enum: bool = False  # a response format constrained to an enum / Literal
    is_batch_api: bool = False

    def const(self, name: str) -> object:
        return dict(self.consts).get(name)

    def has(self, *names: str) -> bool:
        return any(n in self.keywords for n in names)
