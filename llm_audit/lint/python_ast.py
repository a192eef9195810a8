"""The Python front-end: one module's source in, typed ``CallSite`` views out (``ast`` only).

It follows what a reviewer follows inside one module: imports and aliases, clients built with
options elsewhere (module, ``__init__``, a factory function, ``with_options``), kwargs dicts
built before the call (``d["k"] = v``, ``d.update``), model names in constants, message lists
built by ``append``, loops around the call and loops in the callers of a helper that makes it.
Whatever it cannot see (a ``**kwargs`` passed in, a client handed over as a parameter) is
marked open or unknown so that the rules stay quiet rather than guess.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from llm_audit.lint.callsite import (
    CallSite,
    ClientInfo,
    Dynamic,
    ExportedClient,
    LoopInfo,
    Piece,
    PromptPart,
)

# Bytes that a file calling an LLM almost always contains; anything else is skipped unparsed.
# Plain substrings (bytes `in`), not a regex alternation: an order of magnitude faster.
PREFILTER_NEEDLES: tuple[bytes, ...] = (
    b"openai",
    b"anthropic",
    b"litellm",
    b"genai",
    b"generativ",
    b"langchain",
    b"llama_index",
    # (instructor wraps a client whose SDK the module names: from_openai(OpenAI()), ...)
    # a module calling a client it imports from elsewhere in the project names no SDK
    b"completions.",
    b"messages.create(",
    b"messages.stream(",
    b"responses.create(",
    b"generate_content",
)


def mentions_llm(data: bytes) -> bool:
    return any(n in data for n in PREFILTER_NEEDLES)


# constructor (dotted, after import resolution) -> (sdk, provider hint)
CLIENT_CTORS: dict[str, tuple[str, str | None]] = {
    "openai.OpenAI": ("openai", "openai"),
    "openai.Client": ("openai", "openai"),
    "openai.AsyncOpenAI": ("openai", "openai"),
    "openai.AsyncClient": ("openai", "openai"),
    "openai.AzureOpenAI": ("azure-openai", "azure"),
    "openai.AsyncAzureOpenAI": ("azure-openai", "azure"),
    "anthropic.Anthropic": ("anthropic", "anthropic"),
    "anthropic.AsyncAnthropic": ("anthropic", "anthropic"),
    "anthropic.Client": ("anthropic", "anthropic"),
    "anthropic.AnthropicBedrock": ("anthropic", "bedrock"),
    "anthropic.AsyncAnthropicBedrock": ("anthropic", "bedrock"),
    "anthropic.AnthropicVertex": ("anthropic", "vertex_ai"),
    "anthropic.AsyncAnthropicVertex": ("anthropic", "vertex_ai"),
    "google.genai.Client": ("google-genai", "google"),
    "google.genai.client.Client": ("google-genai", "google"),
    "google.generativeai.GenerativeModel": ("google-generativeai", "google"),
    "langchain_openai.ChatOpenAI": ("langchain", "openai"),
    "langchain_openai.AzureChatOpenAI": ("langchain", "azure"),
    "langchain_anthropic.ChatAnthropic": ("langchain", "anthropic"),
    "langchain_google_genai.ChatGoogleGenerativeAI": ("langchain", "google"),
    "langchain_community.chat_models.ChatOpenAI": ("langchain", "openai"),
    "langchain.chat_models.ChatOpenAI": ("langchain", "openai"),
    "langchain.chat_models.init_chat_model": ("langchain", None),
    "langchain.chat_models.base.init_chat_model": ("langchain", None),
    "llama_index.llms.openai.OpenAI": ("llama-index", "openai"),
    "llama_index.llms.anthropic.Anthropic": ("llama-index", "anthropic"),
}
WRAPPERS = {
    "instructor.from_openai",
    "instructor.from_anthropic",
    "instructor.patch",
    "instructor.apatch",
    "langfuse.openai.OpenAI",
    "wrap_openai",
}
LANGCHAIN_METHODS = {
    "invoke",
    "ainvoke",
    "batch",
    "abatch",
    "stream",
    "astream",
    # the pre-0.1 API, still in much real code (a langchain client is required to match)
    "predict",
    "apredict",
    "predict_messages",
    "apredict_messages",
}
LLAMA_METHODS = {"complete", "acomplete", "chat", "achat", "stream_complete", "stream_chat"}
LITELLM_FUNCS = {
    "completion",
    "acompletion",
    "batch_completion",
    "text_completion",
    "atext_completion",
}
ENDPOINTS = (
    ("api.openai.com", "openai", "openai"),
    ("openai.azure.com", "azure-openai", "azure"),
    ("api.anthropic.com", "anthropic", "anthropic"),
    ("generativelanguage.googleapis.com", "google-genai", "google"),
)
HTTP_CLIENTS = {"requests", "httpx", "aiohttp"}
COLLECTION_WORDS = re.compile(
    # names that say "the whole collection"; generic ones (lines, items, results) stay out
    r"(docs|documents|chunks|pages|files|records|rows|history|messages|notes|emails|"
    r"reviews|comments|passages|transcripts|logs|articles|tickets|snippets|contexts)$",
    re.I,
)
BUDGET = re.compile(
    r"truncat|budget|count_tokens|num_tokens|tiktoken|get_num_tokens|max_chars|max_context|"
    r"trim_messages|token_limit|max_input|context_window",
    re.I,
)
RETRY_DECORATOR = re.compile(r"retry|backoff|stamina|tenacity", re.I)
ROUTE_DECORATOR = re.compile(
    r"\.(get|post|put|patch|delete|route|api_route|websocket)\(|api_view|require_http_methods|"
    r"require_POST|require_GET"
)
PER_REQUEST_CALLS = {
    "now": "timestamp",
    "utcnow": "timestamp",
    "today": "timestamp",
    "time": "timestamp",
    "strftime": "timestamp",
    "isoformat": "timestamp",
    "ctime": "timestamp",
    "uuid4": "uuid",
    "uuid1": "uuid",
    "token_hex": "random",
    "token_urlsafe": "random",
    "urandom": "random",
    "random": "random",
    "randint": "random",
    "choice": "random",
    "shuffle": "random",
}
PER_REQUEST_MODULES = {
    "datetime",
    "date",
    "time",
    "uuid",
    "random",
    "secrets",
    "os",
    "dt",
    "pendulum",
    "arrow",
    "timezone",
}
MAX_DEPTH = 6
ClientBinding = tuple[ClientInfo, str, str | None]  # (client, sdk, provider hint)


@dataclass(frozen=True)
class HelperInfo:
    """A top-level function of a scanned module that makes an LLM call."""

    model: str | None
    provider: str | None
    sdk: str
    is_async: bool


@dataclass
class ProjectIndex:
    """What the first pass of a project scan learns: top-level clients and LLM helpers."""

    clients: dict[str, ClientBinding] = field(default_factory=dict)
    helpers: dict[str, HelperInfo] = field(default_factory=dict)
    # JS/TS: "<module path without extension>::<exported name>" -> the client it builds
    js_clients: dict[str, ExportedClient] = field(default_factory=dict)

    def update(self, other: ProjectIndex) -> None:
        self.clients.update(other.clients)
        self.helpers.update(other.helpers)
        self.js_clients.update(other.js_clients)


def module_name_for(path: str) -> str:
    """The dotted module name of a path relative to the scan root (``src/`` layout aware)."""
    stem = path[:-3] if path.endswith(".py") else path
    parts = [p for p in stem.replace("\\", "/").split("/") if p not in ("", ".")]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if parts and parts[0] == "src":
        parts = parts[1:]
    return ".".join(parts) if all(p.isidentifier() for p in parts) else ""


def dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _const_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


@dataclass
class _Scope:
    """One function (or the module): its assignments, parameters and text."""

    node: ast.AST
    qualname: str
    assigns: dict[str, list[tuple[int, ast.expr]]] = field(default_factory=dict)
    params: dict[str, ast.expr | None] = field(default_factory=dict)
    mutations: dict[str, list[ast.Call | ast.Assign]] = field(default_factory=dict)
    text: str = ""


class ModuleIndex:
    """Everything module-wide the call sites need: imports, constants, clients, scopes."""

    def __init__(
        self,
        tree: ast.Module,
        path: str,
        lines: list[str],
        exports: Mapping[str, ClientBinding] | None = None,
        walked: tuple[list[ast.AST], dict[ast.AST, ast.AST]] | None = None,
    ) -> None:
        self.tree = tree
        self.path = path
        self.lines = lines
        self.module = module_name_for(path)
        self.exports: Mapping[str, ClientBinding] = exports or {}
        self.parents: dict[ast.AST, ast.AST] = {}
        self.imports: dict[str, str] = {}
        self.scopes: dict[ast.AST, _Scope] = {}
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self._clients: dict[str, list[tuple[ClientInfo, str, str | None]]] | None = None
        self._ctor_cache: dict[str, tuple[str, str | None] | None] = {}
        self._factories: dict[ast.AST, ClientBinding | None] = {}
        self.module_text = "\n".join(lines)
        nodes, self.parents = walked if walked is not None else walk(tree)
        self._collect_imports(nodes)
        self._collect_scopes()

    # -- indexing --------------------------------------------------------------------------
    def _collect_imports(self, nodes: list[ast.AST]) -> None:
        self.imports = collect_imports(nodes, self.module)

    def resolve_name(self, node: ast.AST) -> str | None:
        text = dotted(node)
        if text is None:
            return None
        head, _, rest = text.partition(".")
        if head in self.imports:
            full = self.imports[head]
            return f"{full}.{rest}" if rest else full
        return text

    def _collect_scopes(self) -> None:
        module = _Scope(self.tree, "")
        self.scopes[self.tree] = module
        self._fill(self.tree, module, "")

    def _fill(self, node: ast.AST, scope: _Scope, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                qual = f"{prefix}{child.name}"
                inner = _Scope(child, qual)
                args = child.args
                positional = [*args.posonlyargs, *args.args]
                defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
                defaults += list(args.defaults)
                for a, d in zip(positional, defaults, strict=True):
                    inner.params[a.arg] = d
                for a, kd in zip(args.kwonlyargs, args.kw_defaults, strict=True):
                    inner.params[a.arg] = kd
                if args.vararg:
                    inner.params[args.vararg.arg] = None
                if args.kwarg:
                    inner.params[args.kwarg.arg] = None
                self.scopes[child] = inner
                self.functions.setdefault(child.name, child)
                self._fill(child, inner, f"{qual}.")
            elif isinstance(child, ast.ClassDef):
                self._fill(child, scope, f"{prefix}{child.name}.")
            else:
                self._record(child, scope)
                self._fill(child, scope, prefix)

    def _record(self, node: ast.AST, scope: _Scope) -> None:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                key = dotted(t)
                if key is not None:
                    scope.assigns.setdefault(key, []).append((node.lineno, node.value))
                elif isinstance(t, ast.Subscript) and isinstance(node, ast.Assign):
                    base = dotted(t.value)
                    if base is not None:
                        scope.mutations.setdefault(base, []).append(node)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            base = dotted(node.func.value)
            if base is not None and node.func.attr in (
                "update",
                "append",
                "extend",
                "insert",
                "setdefault",
            ):
                scope.mutations.setdefault(base, []).append(node)
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    key = dotted(item.optional_vars)
                    if key is not None:
                        scope.assigns.setdefault(key, []).append((node.lineno, item.context_expr))

    @property
    def clients(self) -> dict[str, list[tuple[ClientInfo, str, str | None]]]:
        """Every binding in the module that builds a client, by name; computed on first use
        (most modules with a candidate call never ask)."""
        if self._clients is None:
            self._clients = {}
            for scope in self.scopes.values():
                for key, values in scope.assigns.items():
                    for _line, value in values:
                        if not isinstance(value, ast.Call | ast.Await | ast.BinOp):
                            continue  # nothing else builds a client at depth 0
                        info = self.client_from_expr(value, scope, 0)
                        if info is not None:
                            self._clients.setdefault(key, []).append(info)
        return self._clients

    # -- clients ---------------------------------------------------------------------------
    def ctor_of(self, call: ast.Call) -> tuple[str, str | None] | None:
        full = self.resolve_name(call.func)
        if full is None:
            return None
        if full in self._ctor_cache:
            return self._ctor_cache[full]
        found = CLIENT_CTORS.get(full)
        if found is None:
            for name, value in CLIENT_CTORS.items():
                mod, _, cls = name.rpartition(".")
                if full.endswith("." + cls) and full.split(".")[0] == mod.split(".")[0]:
                    found = value
                    break
        self._ctor_cache[full] = found
        return found

    def client_from_expr(
        self, expr: ast.AST, scope: _Scope, depth: int
    ) -> tuple[ClientInfo, str, str | None] | None:
        """(client info, sdk, provider) when ``expr`` builds a known client."""
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Await):
            expr = expr.value
        if not isinstance(expr, ast.Call):
            if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
                # a LangChain chain `prompt | llm | parser`: the model is in there
                for side in (expr.left, expr.right):
                    found = self.client_from_expr(side, scope, depth + 1)
                    if found is not None:
                        return found
                return None
            key = dotted(expr)
            if key is not None and depth > 0:
                bound = self.clients.get(key) or self._scan_binding(key, scope, depth)
                if bound:
                    return bound[-1]
            return None
        ctor = self.ctor_of(expr)
        if ctor is not None:
            kws = {k.arg: k.value for k in expr.keywords if k.arg}
            timeout = any(
                k in kws and not _is_none(kws[k])
                for k in ("timeout", "request_timeout", "http_client", "http_options")
            )
            retries = _int_or_none(kws.get("max_retries"))
            return (
                ClientInfo(
                    True,
                    self.resolve_name(expr.func) or "",
                    timeout,
                    retries,
                    expr.lineno,
                    frozenset(kws),
                ),
                ctor[0],
                ctor[1],
            )
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in (
            "with_options",
            "copy",
            "bind",
            "with_structured_output",
            "with_retry",
            "with_config",
        ):
            inner = self.client_from_expr(func.value, scope, depth + 1)
            if inner is None:
                return None
            info, sdk, prov = inner
            kws = {k.arg: k.value for k in expr.keywords if k.arg}
            timeout = info.timeout or any(
                k in kws and not _is_none(kws[k]) for k in ("timeout", "request_timeout")
            )
            retries = _int_or_none(kws.get("max_retries"))
            return (
                replace(
                    info,
                    timeout=timeout,
                    max_retries=retries if retries is not None else info.max_retries,
                    options=info.options | frozenset(kws),
                ),
                sdk,
                prov,
            )
        full = self.resolve_name(func) or ""
        if full in WRAPPERS or full.endswith(".wrap_openai") or full.startswith("instructor."):
            if expr.args:
                return self.client_from_expr(expr.args[0], scope, depth + 1)
            return None
        name = dotted(func)
        if name is not None:
            fn = self.functions.get(name.rsplit(".", 1)[-1])
            if fn is not None:
                # a factory (get_client()): what it returns. Each function is looked at once
                # per module: a dispatcher with eighty returns that call one another would
                # otherwise be followed eighty to the sixth times
                if fn in self._factories:
                    return self._factories[fn]
                self._factories[fn] = None  # in progress: a recursive factory finds nothing
                for node in ast.walk(fn):
                    if isinstance(node, ast.Return) and node.value is not None:
                        found = self.client_from_expr(node.value, self.scopes[fn], depth + 1)
                        if found is not None:
                            self._factories[fn] = found
                            return found
        return None

    def _scan_binding(
        self, key: str, scope: _Scope, depth: int
    ) -> list[tuple[ClientInfo, str, str | None]]:
        out = []
        for s in (scope, self.scopes[self.tree]):
            for _line, value in s.assigns.get(key, []):
                found = self.client_from_expr(value, s, depth + 1)
                if found is not None:
                    out.append(found)
        return out

    def client_for(
        self, receiver: ast.AST | None, scope: _Scope
    ) -> tuple[ClientInfo, str, str | None] | None:
        if receiver is None:
            return None
        direct = self.client_from_expr(receiver, scope, 0)
        if direct is not None:
            return direct
        key = dotted(receiver)
        if key is None:
            return None
        if self.imports.get(key) == "openai":
            # the v1 module-level client (`openai.chat.completions.create`), configured by
            # assignments such as `openai.timeout = 20` anywhere in the module
            k = re.escape(key)
            found_retries = re.search(k + r"\.max_retries\s*=\s*(\d+)", self.module_text)
            return (
                ClientInfo(
                    True,
                    "openai (module-level client)",
                    bool(re.search(k + r"\.timeout\s*=", self.module_text)),
                    int(found_retries.group(1)) if found_retries else None,
                ),
                "openai",
                "openai",
            )
        if key.split(".")[0] in scope.params and not key.startswith("self."):
            return None  # a client handed in as a parameter: built somewhere we cannot see
        found = self._scan_binding(key, scope, 0)
        if not found and key.startswith(("self.", "cls.")):
            # self.client set in another method: of this class first (two classes in one
            # module often both have a self.client, built differently)
            cls = scope.qualname.rsplit(".", 1)[0] if "." in scope.qualname else ""
            for s in self.scopes.values():
                if cls and s.qualname.rsplit(".", 1)[0] == cls and key in s.assigns:
                    found.extend(self._scan_binding(key, s, 0))
        if not found:
            found = list(self.clients.get(key, []))
        if not found:
            imported = self._imported_client(receiver)
            if imported is not None:
                return imported
        if not found and key.startswith(("self.", "cls.")):
            attr = key.split(".", 1)[1]
            if not found:
                for k, v in self.clients.items():
                    if k.endswith("." + attr):
                        found.extend(v)
        if not found:
            return None
        # several bindings (e.g. sync and async): the setting holds only if it holds for all
        info, sdk, prov = found[0]
        timeout = all(f[0].timeout for f in found)
        retries = [f[0].max_retries for f in found]
        zero = 0 if 0 in retries else info.max_retries
        return replace(info, timeout=timeout, max_retries=zero), sdk, prov

    def _imported_client(self, receiver: ast.AST) -> ClientBinding | None:
        """A client another scanned module builds at its top level and this one imports."""
        full = self.resolve_name(receiver)
        if not full or not self.exports or full == dotted(receiver):
            return None
        if full in self.exports:
            return self.exports[full]
        for key, value in self.exports.items():  # the scan root and the import root differ
            if key.endswith("." + full) or full.endswith("." + key):
                return value
        return None

    def module_clients(self) -> dict[str, ClientBinding]:
        """This module's top-level clients, by dotted name, for the modules importing them."""
        out: dict[str, ClientBinding] = {}
        module_scope = self.scopes[self.tree]
        for name, values in module_scope.assigns.items():
            if "." in name or not self.module:
                continue
            found = self.client_from_expr(values[-1][1], module_scope, 0)
            if found is not None:
                out[f"{self.module}.{name}"] = found
        return out

    # -- values ----------------------------------------------------------------------------
    def scope_of(self, node: ast.AST) -> _Scope:
        cur: ast.AST | None = node
        while cur is not None:
            if cur in self.scopes and cur is not node:
                return self.scopes[cur]
            cur = self.parents.get(cur)
        return self.scopes[self.tree]

    def lookup(self, name: str, scope: _Scope, line: int) -> ast.expr | None:
        """The last simple assignment to ``name`` before ``line`` in scope, then module."""
        for s in (scope, self.scopes[self.tree]):
            values = s.assigns.get(name)
            if values:
                # strictly before: in `x = f(x)` the x read is the previous one
                before = [v for ln, v in values if ln < line or s is not scope]
                if before:
                    return before[-1]
                return values[-1][1]
            if s is scope and name in s.params:
                return None
        return None

    def resolve(self, expr: ast.expr, scope: _Scope, line: int, depth: int = 0) -> ast.expr:
        if depth < MAX_DEPTH and isinstance(expr, ast.Name | ast.Attribute):
            key = dotted(expr)
            if key is not None:
                found = self.lookup(key, scope, line)
                if found is not None and found is not expr:
                    return self.resolve(found, scope, line, depth + 1)
        return expr

    def kwargs(self, call: ast.Call, scope: _Scope) -> tuple[dict[str, ast.expr], bool]:
        out: dict[str, ast.expr] = {}
        open_ = False
        for kw in call.keywords:
            if kw.arg is not None:
                out[kw.arg] = kw.value
                continue
            sub = self.dict_items(kw.value, scope, call.lineno, 0)
            if sub is None:
                open_ = True
            else:
                out.update(sub)
        return out, open_

    def dict_items(
        self, expr: ast.expr, scope: _Scope, line: int, depth: int
    ) -> dict[str, ast.expr] | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Dict):
            out: dict[str, ast.expr] = {}
            for k, v in zip(expr.keys, expr.values, strict=True):
                if k is None:
                    sub = self.dict_items(v, scope, line, depth + 1)
                    if sub is None:
                        return None
                    out.update(sub)
                elif (s := _const_str(k)) is not None:
                    out[s] = v
            return out
        if isinstance(expr, ast.Call) and dotted(expr.func) == "dict":
            out = {k.arg: k.value for k in expr.keywords if k.arg}
            if any(k.arg is None for k in expr.keywords):
                return None
            return out
        key = dotted(expr)
        if key is None:
            return None
        value = self.lookup(key, scope, line)
        if value is None:
            return None
        base = self.dict_items(value, scope, line, depth + 1)
        if base is None:
            return None
        for sc in (scope, self.scopes[self.tree]):
            for m in sc.mutations.get(key, []):
                if isinstance(m, ast.Assign):
                    t = m.targets[0]
                    if isinstance(t, ast.Subscript) and (s2 := _const_str(t.slice)) is not None:
                        base[s2] = m.value
                elif (
                    isinstance(m, ast.Call)
                    and isinstance(m.func, ast.Attribute)
                    and m.func.attr in ("update", "setdefault")
                ):
                    for kw in m.keywords:
                        if kw.arg:
                            base[kw.arg] = kw.value
                    if m.func.attr == "update" and m.args:
                        sub = self.dict_items(m.args[0], sc, line, depth + 1)
                        if sub is None:
                            return None
                        base.update(sub)
                    if (
                        m.func.attr == "setdefault"
                        and len(m.args) > 1
                        and (s3 := _const_str(m.args[0])) is not None
                    ):
                        base[s3] = m.args[1]
        return base


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _int_or_none(expr: ast.expr | None) -> int | None:
    if (
        isinstance(expr, ast.Constant)
        and isinstance(expr.value, int)
        and not isinstance(expr.value, bool)
    ):
        return expr.value
    return None


# --------------------------------------------------------------------------------------------
# prompts: expressions to static / dynamic pieces


class _Prompts:
    def __init__(self, index: ModuleIndex, scope: _Scope, line: int) -> None:
        self.ix = index
        self.scope = scope
        self.line = line

    def pieces(self, expr: ast.expr | None, depth: int = 0) -> tuple[Piece, ...]:
        if expr is None:
            return ()
        if depth > MAX_DEPTH:
            return (Piece("dynamic", _src(expr), "value"),)
        if isinstance(expr, ast.Constant):
            return (Piece("static", str(expr.value)),) if isinstance(expr.value, str) else ()
        if isinstance(expr, ast.JoinedStr):
            out: list[Piece] = []
            for v in expr.values:
                if isinstance(v, ast.FormattedValue):
                    out.extend(self.pieces(v.value, depth + 1))
                else:
                    out.extend(self.pieces(v, depth + 1))
            return tuple(out)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return self.pieces(expr.left, depth + 1) + self.pieces(expr.right, depth + 1)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mult):
            for a, b in ((expr.left, expr.right), (expr.right, expr.left)):
                if isinstance(b, ast.Constant) and isinstance(b.value, int):
                    inner = self.pieces(a, depth + 1)
                    if inner and all(p.kind == "static" for p in inner):
                        return (Piece("static", "".join(p.text for p in inner) * b.value),)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
            template = self._template(expr.left, depth)
            if template is not None:
                return _split_template(
                    template, re.compile(r"%(\(\w+\))?[sdrfi]"), self._args_kind(expr.right, depth)
                )
        if isinstance(expr, ast.Name | ast.Attribute):
            key = dotted(expr)
            if key is not None:
                if key in self.scope.params and key not in self.scope.assigns:
                    return (Piece("dynamic", key, "value"),)
                found = self.ix.lookup(key, self.scope, self.line)
                if found is not None and found is not expr:
                    inner = self.pieces(found, depth + 1)
                    if key.startswith(("self.", "cls.")) is False or inner:
                        return inner
            return (Piece("dynamic", _src(expr), self._name_kind(expr)),)
        if isinstance(expr, ast.Call):
            return self._call(expr, depth)
        if isinstance(expr, ast.Subscript):
            if isinstance(expr.slice, ast.Slice):
                return (Piece("dynamic", _src(expr), "join-bounded"),)
            return (Piece("dynamic", _src(expr), "value"),)
        if isinstance(expr, ast.Set | ast.SetComp):
            return (Piece("dynamic", _src(expr), "set"),)
        if isinstance(expr, ast.IfExp):
            return self.pieces(expr.body, depth + 1)
        return (Piece("dynamic", _src(expr), "value"),)

    def _template(self, expr: ast.expr, depth: int) -> str | None:
        ps = self.pieces(expr, depth + 1)
        if ps and all(p.kind == "static" for p in ps):
            return "".join(p.text for p in ps)
        return None

    def _args_kind(self, expr: ast.expr | None, depth: int) -> Dynamic:
        if expr is None:
            return "value"
        kinds = [p.detail for p in self.pieces(expr, depth + 1) if p.kind == "dynamic"]
        for special in ("timestamp", "uuid", "random", "json-unsorted", "set", "file", "join-all"):
            if special in kinds:
                return special
        return "value"

    def _name_kind(self, expr: ast.expr) -> Dynamic:
        key = dotted(expr) or ""
        if key.startswith(("self.", "cls.")) and re.search(
            r"(history|messages|conversation|"
            r"memory|transcript)$",
            key,
            re.I,
        ):
            return "history" if self._grows(key) else "value"
        return "value"

    def _grows(self, key: str) -> bool:
        text = self.ix.module_text
        if key.startswith(("self.", "cls.")):  # an attribute: look in its own class only
            cur = self.ix.parents.get(self.scope.node)
            while cur is not None and not isinstance(cur, ast.ClassDef):
                cur = self.ix.parents.get(cur)
            if cur is not None:
                text = _src_full(cur)
        k = re.escape(key)
        appended = re.search(k + r"\.(append|extend)\(|" + k + r"\s*\+=", text)
        trimmed = re.search(
            k
            + r"\s*=\s*"
            + k
            + r"\[|del\s+"
            + k
            + r"\[|"
            + k
            + r"\.pop\(0\)|"
            + k
            + r"\[-|"
            + r"\btrim\w*\(|truncat\w*\(",
            text,
        )
        # deque(maxlen=N) drops the oldest turns by itself
        capped = re.search(k + r"\s*(?::[^=\n]*)?=\s*(?:collections\.)?deque\([^)\n]*maxlen", text)
        return bool(appended) and not trimmed and not capped

    def _call(self, call: ast.Call, depth: int) -> tuple[Piece, ...]:
        func = call.func
        name = dotted(func) or ""
        full = self.ix.resolve_name(func) or name
        last = (
            name.rsplit(".", 1)[-1]
            if name
            else (func.attr if isinstance(func, ast.Attribute) else "")
        )
        src = _src(call)
        if isinstance(func, ast.Attribute):
            base = func.value
            if last == "format":
                template = self._template(base, depth)
                if template is not None:
                    kind = self._args_kind(
                        ast.Tuple(elts=[*call.args, *(k.value for k in call.keywords)]), depth
                    )
                    return _split_template(template, re.compile(r"\{[^{}]*\}"), kind)
            if last in (
                "strip",
                "lstrip",
                "rstrip",
                "lower",
                "upper",
                "replace",
                "encode",
                "decode",
                "dedent",
            ) and not isinstance(base, ast.Constant):
                return self.pieces(base, depth + 1)
            if last == "join":
                return (
                    Piece(
                        "dynamic", src, self._join_kind(call.args[0] if call.args else None, depth)
                    ),
                )
            if last in ("read", "read_text", "readlines") and not call.args:
                return (Piece("dynamic", src, "file"),)
            if last in ("isoformat", "strftime") or (
                last in PER_REQUEST_CALLS
                and name.split(".")[0] in PER_REQUEST_MODULES | set(self.ix.imports)
            ):
                head_full = full.split(".")[0]
                if head_full in PER_REQUEST_MODULES or last in ("isoformat", "strftime"):
                    return (Piece("dynamic", src, _as_dynamic(PER_REQUEST_CALLS[last])),)
        if last in ("uuid4", "uuid1") or full in ("datetime.datetime.now", "time.time"):
            return (Piece("dynamic", src, _as_dynamic(PER_REQUEST_CALLS[last])),)
        if full in ("json.dumps", "orjson.dumps") or name.endswith("json.dumps"):
            kws = {k.arg for k in call.keywords}
            return (Piece("dynamic", src, "value" if "sort_keys" in kws else "json-unsorted"),)
        if last in ("dedent", "cleandoc", "str") and call.args:
            return self.pieces(call.args[0], depth + 1)
        if last in ("set", "frozenset"):
            return (Piece("dynamic", src, "set"),)
        return (Piece("dynamic", src, "value"),)

    def _join_kind(self, arg: ast.expr | None, depth: int) -> Dynamic:
        if arg is None:
            return "value"
        if isinstance(arg, ast.Set | ast.SetComp) or (
            isinstance(arg, ast.Call) and dotted(arg.func) in ("set", "frozenset")
        ):
            return "set"
        if isinstance(arg, ast.Call) and dotted(arg.func) == "sorted":
            return self._join_kind(arg.args[0], depth + 1) if arg.args else "value"
        if isinstance(arg, ast.GeneratorExp | ast.ListComp):
            gen = arg.generators[0]
            return self._join_kind(gen.iter, depth + 1)
        if isinstance(arg, ast.Subscript) and isinstance(arg.slice, ast.Slice):
            return "join-bounded"
        key = dotted(arg)
        if key is not None:
            found = self.ix.lookup(key, self.scope, self.line)
            if found is not None and depth < MAX_DEPTH:
                if isinstance(found, ast.Call):
                    kws = {k.arg for k in found.keywords}
                    if kws & {"k", "top_k", "limit", "n_results", "max_results", "n"}:
                        return "join-bounded"
                    if isinstance(found.func, ast.Attribute) and RETRIEVAL.search(found.func.attr):
                        return "join-bounded"  # a retriever returns its top k (default 4-10)
                    if (
                        found.args
                        and isinstance(found.args[-1], ast.Constant)
                        and isinstance(found.args[-1].value, int)
                    ):
                        return "join-bounded"
                if isinstance(found, ast.Subscript) and isinstance(found.slice, ast.Slice):
                    return "join-bounded"
                if isinstance(found, ast.ListComp | ast.GeneratorExp):
                    return self._join_kind(found, depth + 1)
                if (
                    isinstance(found, ast.Call)
                    and isinstance(found.func, ast.Attribute)
                    and found.func.attr
                    in (
                        "read",
                        "readlines",
                        "read_text",
                        "glob",
                        "iterdir",
                        "listdir",
                        "all",
                        "fetchall",
                    )
                ):
                    return "join-all"
            leaf = key.rsplit(".", 1)[-1]
            if COLLECTION_WORDS.search(leaf) and leaf != "items":
                return "join-all"
        if (
            isinstance(arg, ast.Call)
            and isinstance(arg.func, ast.Attribute)
            and arg.func.attr in ("all", "fetchall", "readlines", "glob", "listdir")
        ):
            return "join-all"
        return "value"


def _as_dynamic(kind: str) -> Dynamic:
    return kind  # type: ignore[return-value]  # PER_REQUEST_CALLS values are Dynamic members


def _split_template(template: str, pattern: re.Pattern[str], kind: Dynamic) -> tuple[Piece, ...]:
    out: list[Piece] = []
    pos = 0
    for m in pattern.finditer(template):
        if m.group(0) in ("{{", "}}"):
            continue
        if m.start() > pos:
            out.append(Piece("static", template[pos : m.start()]))
        out.append(Piece("dynamic", m.group(0), kind))
        pos = m.end()
    if pos < len(template):
        out.append(Piece("static", template[pos:]))
    return tuple(out)


def _src(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # unparse of odd synthetic nodes; the text is only a label
        return "…"
    return text if len(text) <= 80 else text[:77] + "..."


# --------------------------------------------------------------------------------------------
# call recognition


@dataclass(frozen=True)
class _Match:
    sdk: str
    api: str
    method: str
    receiver: ast.expr | None
    provider: str | None
    is_async: bool = False


def _attr_path(func: ast.expr) -> tuple[ast.expr, list[str]]:
    path: list[str] = []
    node = func
    while isinstance(node, ast.Attribute):
        path.append(node.attr)
        node = node.value
    return node, list(reversed(path))


def _receiver(func: ast.expr, drop: int) -> ast.expr | None:
    node = func
    for _ in range(drop):
        if not isinstance(node, ast.Attribute):
            return None
        node = node.value
    return node


class PythonFrontEnd:
    """Parses one module and yields its call sites."""

    def __init__(self, path: str, source: str, project: ProjectIndex | None = None) -> None:
        self.path = path
        self.source = source
        self.lines = source.splitlines()
        self.project = project or ProjectIndex()
        self.index: ModuleIndex | None = None  # built by call_sites() when the module needs it
        self.walked: tuple[list[ast.AST], dict[ast.AST, ast.AST]] | None = None
        self.call_names: frozenset[str] = frozenset()  # every called name (its last part)

    def call_sites(self) -> list[CallSite]:
        tree = parse(self.path, self.source)
        # a cheap syntactic pass first: most modules have no call that could be an LLM call,
        # and the module index is the expensive part (the walk is shared with it)
        walked = self.walked = walk(tree)
        nodes = walked[0]
        names = set(CANDIDATE_NAMES)
        for n in nodes:  # `from litellm import completion as ask`: `ask(...)` is a candidate
            if isinstance(n, ast.ImportFrom) and (n.module or "").startswith("litellm"):
                names.update(a.asname for a in n.names if a.asname)
        calls = [n for n in nodes if isinstance(n, ast.Call)]
        self.call_names = frozenset(_tail(n.func) for n in calls)
        candidates = [n for n in calls if _tail(n.func) in names]
        helper_names = {k.rsplit(".", 1)[-1] for k in self.project.helpers}
        calls_helper = bool(helper_names & self.call_names)
        if not candidates and not calls_helper:
            return []
        ix = ModuleIndex(tree, self.path, self.lines, self.project.clients, walked)
        self.index = ix
        sites: list[tuple[ast.Call, CallSite]] = []
        for node in candidates:
            if isinstance(node, ast.Call):
                m = self._match(node, ix)
                if m is not None:
                    sites.append((node, self._build(node, m, ix)))
        out = self._add_helper_loops(sites, ix)
        if calls_helper:
            out += self._imported_helper_loops(nodes, ix)
        return out

    def _imported_helper_loops(self, nodes: list[ast.AST], ix: ModuleIndex) -> list[CallSite]:
        """Loops here that call an LLM helper defined in another scanned module.

        Each becomes a call site at the loop's call, carrying only what the loop rule needs
        (options unknown, client unknown): the other rules stay quiet on it.
        """
        out: list[CallSite] = []
        for node in nodes:
            if not isinstance(node, ast.Call) or (
                isinstance(node.func, ast.Attribute) and dotted(node.func) is None
            ):
                continue
            full = ix.resolve_name(node.func)
            if not full or (full == dotted(node.func) and "." not in full):
                continue  # a local name: handled by the in-module analysis
            helper = self.project.helpers.get(full) or next(
                (
                    h
                    for k, h in self.project.helpers.items()
                    if k.endswith("." + full) or full.endswith("." + k)
                ),
                None,
            )
            if helper is None:
                continue
            loops = self._loops(node, ix)
            if not loops:
                continue
            name = full.rsplit(".", 1)[-1]
            awaited = _awaited(node, ix)
            loops = tuple(
                replace(
                    lp,
                    via_helper=name,
                    line=node.lineno,
                    concurrent=lp.concurrent or (helper.is_async and not awaited),
                )
                for lp in loops
            )
            scope = ix.scope_of(node)
            out.append(
                CallSite(
                    path=self.path,
                    line=node.lineno,
                    end_line=node.end_lineno or node.lineno,
                    col=node.col_offset + 1,
                    language="python",
                    sdk=helper.sdk,
                    api="helper",
                    method=name,
                    provider=helper.provider,
                    function=scope.qualname,
                    source_line=self.lines[node.lineno - 1].strip(),
                    is_async=helper.is_async,
                    model=helper.model,
                    kwargs_open=True,
                    loops=loops,
                )
            )
        return out

    # which call is an LLM call
    def _match(self, call: ast.Call, ix: ModuleIndex) -> _Match | None:
        func = call.func
        base, path = _attr_path(func)
        full = ix.resolve_name(func) or ""
        imports = set(ix.imports.values())

        def has(prefix: str) -> bool:
            return any(v == prefix or v.startswith(prefix + ".") for v in imports)

        if (
            path
            and path[-1] in ("create", "acreate")
            and len(path) >= 2
            and path[-2] in ("ChatCompletion", "Completion")
            and full.startswith("openai.")
        ):
            return _Match(
                "openai-v0",
                "chat" if path[-2] == "ChatCompletion" else "completions",
                path[-1],
                None,
                "openai",
                path[-1] == "acreate",
            )
        # litellm.completion / from litellm import completion (or litellm.main.completion);
        # not a method of some class inside the litellm package
        if (
            full.startswith("litellm.")
            and full.rsplit(".", 1)[-1] in LITELLM_FUNCS
            and full.count(".") <= 2
            and full.split(".")[1] in (*LITELLM_FUNCS, "main")
        ):
            last = full.rsplit(".", 1)[-1]
            return _Match("litellm", "completion", last, None, None, last.startswith("a"))
        if not path:
            return None
        tail = path[-1]
        if (
            len(path) >= 3
            and path[-3:-1] == ["chat", "completions"]
            and tail in ("create", "parse", "stream")
        ):
            drop = 3 + (1 if len(path) >= 4 and path[-4] == "beta" else 0)
            return _Match("openai", "chat", tail, _receiver(func, drop), None)
        if len(path) >= 2 and path[-2] == "responses" and tail in ("create", "stream", "parse"):
            return _Match("openai", "responses", tail, _receiver(func, 2), None)
        if (
            len(path) >= 2
            and path[-2] == "completions"
            and tail == "create"
            and (len(path) < 3 or path[-3] != "chat")
            and has("openai")
        ):
            return _Match("openai", "completions", tail, _receiver(func, 2), None)
        if len(path) >= 2 and path[-2] == "batches" and tail == "create":
            if len(path) >= 3 and path[-3] == "messages":
                return _Match("anthropic", "batches", tail, _receiver(func, 3), "anthropic")
            if has("openai") or has("anthropic") or has("google"):
                return _Match(
                    "openai" if has("openai") else "google-genai",
                    "batches",
                    tail,
                    _receiver(func, 2),
                    None,
                )
            return None
        if (
            len(path) >= 2
            and path[-2] == "messages"
            and tail in ("create", "stream")
            and "threads" not in path
        ):
            drop = 2 + (1 if len(path) >= 3 and path[-3] == "beta" else 0)
            if has("anthropic") or ix.client_for(_receiver(func, drop), ix.scope_of(call)):
                return _Match("anthropic", "messages", tail, _receiver(func, drop), "anthropic")
            return None
        if (
            len(path) >= 2
            and path[-2] == "models"
            and tail in ("generate_content", "generate_content_stream")
        ):
            recv = _receiver(func, 2)
            is_async = False
            if isinstance(recv, ast.Attribute) and recv.attr == "aio":
                recv, is_async = recv.value, True
            return _Match("google-genai", "generate", tail, recv, "google", is_async)
        scope = ix.scope_of(call)
        recv = _receiver(func, 1)
        if tail in ("generate_content", "generate_content_async") and (
            has("google.generativeai") or has("vertexai")
        ):
            return _Match(
                "google-generativeai", "generate", tail, recv, "google", tail.endswith("async")
            )
        if tail in LANGCHAIN_METHODS | LLAMA_METHODS:
            client = ix.client_for(recv, scope)
            if client is not None and client[1] == "langchain" and tail in LANGCHAIN_METHODS:
                return _Match("langchain", "invoke", tail, recv, client[2], tail.startswith("a"))
            if client is not None and client[1] == "llama-index" and tail in LLAMA_METHODS:
                return _Match(
                    "llama-index", "complete", tail, recv, client[2], tail.startswith("a")
                )
        if tail in ("post", "request") and call.args:
            root = dotted(base) or ""
            url = _url_text(
                call.args[-1] if tail == "request" else call.args[0], ix, scope, call.lineno
            )
            if url:
                for host, sdk, prov in ENDPOINTS:
                    if host in url:
                        lib = ix.imports.get(root.split(".")[0], root)
                        return _Match(sdk, "http", lib.split(".")[0] or "http", recv, prov)
        return None

    def _build(self, call: ast.Call, m: _Match, ix: ModuleIndex) -> CallSite:
        scope = ix.scope_of(call)
        kws, open_ = ix.kwargs(call, scope)
        client = ix.client_for(m.receiver, scope) if m.receiver is not None else None
        sdk, provider = m.sdk, m.provider
        info = ClientInfo(known=False)
        if client is not None:
            info, csdk, cprov = client
            if sdk in ("openai", "anthropic") or csdk == "azure-openai":
                sdk = csdk if csdk not in ("langchain", "llama-index") else sdk
            provider = cprov or provider
            ctor_kws = self._ctor_kwargs(info, ix)
            if sdk in ("langchain", "llama-index", "google-generativeai"):
                for k, v in ctor_kws.items():
                    kws.setdefault(k, v)
                for k in info.options - kws.keys():  # set by .bind(max_tokens=...) etc.
                    kws[k] = ast.Constant(value=None)
        elif m.api == "http" or m.sdk in ("openai-v0", "litellm"):
            info = ClientInfo(known=True, constructor=m.sdk)
        positional = self._positional(call, m)
        for k, v in positional.items():
            kws.setdefault(k, v)
        if m.api == "http":
            payload = ix.dict_items(kws["json"], scope, call.lineno, 0) if "json" in kws else None
            if payload is None and "json" in kws:
                open_ = True
            for k, v in (payload or {}).items():
                kws.setdefault(k, v)
        if m.api == "generate":
            cfg = kws.get("config") or kws.get("generation_config")
            if cfg is not None:
                items = self._config_items(cfg, ix, scope, call.lineno)
                if items is None:
                    open_ = True
                else:
                    for k, v in items.items():
                        kws.setdefault(k, v)
        if "request_options" in kws:  # google-generativeai: request_options={"timeout": 30}
            ropts = kws["request_options"]
            items = ix.dict_items(ropts, scope, call.lineno, 0)
            if items is None and isinstance(ropts, ast.Call):
                items = {k.arg: k.value for k in ropts.keywords if k.arg}
            for k, v in (items or {}).items():
                kws.setdefault(k, v)
        model_expr = kws.get("model") or kws.get("model_name")
        model, hardcoded = self._model(model_expr, ix, scope, call.lineno)
        if provider is None and model is not None:
            provider = _provider_from_model(model)
        consts: dict[str, object] = {}
        for k, v in kws.items():
            r = ix.resolve(v, scope, call.lineno)
            if isinstance(r, ast.Constant):
                consts[k] = r.value
        stream = bool(
            consts.get("stream") is True or consts.get("streaming") is True or "stream" in m.method
        )
        prompt = self._prompt(call, m, kws, ix, scope)
        words = " ".join(p.static_text for p in prompt).lower()
        fn = scope.node if isinstance(scope.node, ast.FunctionDef | ast.AsyncFunctionDef) else None
        sink = self._stream_sink(call, ix, fn) if stream else ""
        call_text = _src(call)
        return CallSite(
            path=self.path,
            line=call.lineno,
            end_line=call.end_lineno or call.lineno,
            col=call.col_offset + 1,
            language="python",
            sdk=sdk,
            api=m.api,
            method=m.method,
            provider=provider,
            function=scope.qualname,
            source_line=self.lines[call.lineno - 1].strip()
            if call.lineno <= len(self.lines)
            else call_text,
            is_async=m.is_async
            or _awaited(call, ix)
            or (info.constructor.split(".")[-1].startswith("Async")),
            model=model,
            model_hardcoded=hardcoded,
            keywords=frozenset(kws),
            consts=tuple(
                sorted(
                    ((k, v) for k, v in consts.items() if isinstance(v, str | int | float | bool)),
                    key=lambda kv: kv[0],
                )
            ),
            kwargs_open=open_,
            client=info,
            prompt=prompt,
            prompt_text_words=words,
            stream=stream,
            stream_only_accumulated=bool(sink),
            stream_sink=sink,
            loops=self._loops(call, ix),
            web_handler=self._web_handler(fn, self.path),
            retry_wrapped=self._retry(call, ix, fn, kws),
            bounded_context=bool(fn is not None and BUDGET.search(_src_full(fn))),
            cache_control="cache_control" in kws
            or self._mentions_cache(kws, ix, scope, call.lineno),
            response_enum=self._response_enum(kws, ix),
            is_batch_api=m.api == "batches" or m.method in ("batch", "abatch", "batch_completion"),
        )

    def _ctor_kwargs(self, info: ClientInfo, ix: ModuleIndex) -> dict[str, ast.expr]:
        for node in ast.walk(ix.tree):
            if isinstance(node, ast.Call) and node.lineno == info.line and ix.ctor_of(node):
                out = {k.arg: k.value for k in node.keywords if k.arg}
                if node.args and "model" not in out:
                    out["model"] = node.args[0]
                return out
        return {}

    def _config_items(
        self, cfg: ast.expr, ix: ModuleIndex, scope: _Scope, line: int
    ) -> dict[str, ast.expr] | None:
        cfg = ix.resolve(cfg, scope, line)
        if isinstance(cfg, ast.Call) and not isinstance(cfg.func, ast.Name | ast.Attribute):
            return None
        if isinstance(cfg, ast.Call):
            out = {k.arg: k.value for k in cfg.keywords if k.arg}
            return None if any(k.arg is None for k in cfg.keywords) else out
        return ix.dict_items(cfg, scope, line, 0)

    def _positional(self, call: ast.Call, m: _Match) -> dict[str, ast.expr]:
        a = call.args
        if m.sdk == "litellm" and a:
            return dict(zip(("model", "messages"), a, strict=False))
        if m.api in ("invoke", "complete", "generate") and a and m.sdk != "google-genai":
            return {"input": a[0]}
        return {}

    def _model(
        self, expr: ast.expr | None, ix: ModuleIndex, scope: _Scope, line: int
    ) -> tuple[str | None, bool]:
        if expr is None:
            return None, False
        key = dotted(expr)
        if key is not None and key in scope.params and key not in scope.assigns:
            default = scope.params[key]
            s = _const_str(default)
            return (s, True) if s is not None else (None, False)
        r = ix.resolve(expr, scope, line)
        s = _const_str(r)
        if s is not None:
            return s, True
        if isinstance(r, ast.Call):
            name = ix.resolve_name(r.func) or ""
            if name.endswith(("getenv", "environ.get", ".get")) and len(r.args) >= 2:
                return _const_str(r.args[1]), False
        return None, False

    def _prompt(
        self, call: ast.Call, m: _Match, kws: dict[str, ast.expr], ix: ModuleIndex, scope: _Scope
    ) -> tuple[PromptPart, ...]:
        pr = _Prompts(ix, scope, call.lineno)
        if m.sdk == "langchain" and m.receiver is not None:
            template = self._chain_template(m.receiver, pr, ix, scope, call)
            if template:
                return tuple(template)
        parts: list[PromptPart] = []
        for key, role in (
            ("system", "system"),
            ("instructions", "system"),
            ("system_instruction", "system"),
            ("system_prompt", "system"),
        ):
            if key in kws:
                parts.extend(self._content_parts(kws[key], role, pr, ix, scope, call))
        for key in ("messages", "input", "contents", "prompt"):
            if key in kws:
                parts.extend(self._messages(kws[key], pr, ix, scope, call))
                break
        return tuple(parts)

    def _chain_template(
        self, receiver: ast.expr, pr: _Prompts, ix: ModuleIndex, scope: _Scope, call: ast.Call
    ) -> list[PromptPart]:
        """The prompt template at the head of a LangChain chain (`prompt | llm | parser`)."""
        node: ast.expr = ix.resolve(receiver, scope, call.lineno)
        while isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            node = ix.resolve(node.left, scope, call.lineno)
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            return []
        kind = node.func.attr
        line = node.lineno
        brace = re.compile(r"\{[^{}]*\}")

        def template(expr: ast.expr | None, role: str) -> PromptPart | None:
            if expr is None:
                return None
            text = _const_str(ix.resolve(expr, scope, call.lineno))
            if text is None:
                return PromptPart(role, pr.pieces(expr), line)
            return PromptPart(role, _split_template(text, brace, "value"), line)

        out: list[PromptPart] = []
        if kind == "from_template" and node.args:
            part = template(node.args[0], "user")
            return [part] if part else []
        if kind != "from_messages" or not node.args:
            return []
        items = ix.resolve(node.args[0], scope, call.lineno)
        if not isinstance(items, ast.List | ast.Tuple):
            return []
        roles = {"human": "user", "ai": "assistant", "system": "system", "user": "user"}
        for el in items.elts:
            if isinstance(el, ast.Tuple) and len(el.elts) == 2:
                role = roles.get(_const_str(el.elts[0]) or "", "unknown")
                part = template(el.elts[1], role)
                if part:
                    out.append(part)
            elif isinstance(el, ast.Call):
                name = (dotted(el.func) or "").rsplit(".", 1)[-1]
                if name == "MessagesPlaceholder":
                    out.append(PromptPart("history", (Piece("dynamic", _src(el), "value"),), line))
                elif isinstance(el.func, ast.Attribute) and el.func.attr == "from_template":
                    owner = dotted(el.func.value) or ""
                    role = "system" if "System" in owner else "user"
                    part = template(el.args[0] if el.args else None, role)
                    if part:
                        out.append(part)
        return out

    def _content_parts(
        self,
        expr: ast.expr,
        role: str,
        pr: _Prompts,
        ix: ModuleIndex,
        scope: _Scope,
        call: ast.Call,
    ) -> list[PromptPart]:
        r = ix.resolve(expr, scope, call.lineno)
        if isinstance(r, ast.List | ast.Tuple):
            pieces: list[Piece] = []
            for el in r.elts:
                el_r = ix.resolve(el, scope, call.lineno)
                items = (
                    ix.dict_items(el_r, scope, call.lineno, 0)
                    if isinstance(el_r, ast.Dict)
                    else None
                )
                if items is not None and "text" in items:
                    pieces.extend(pr.pieces(items["text"]))
                else:
                    pieces.extend(pr.pieces(el_r))
            return [PromptPart(role, tuple(pieces), getattr(r, "lineno", call.lineno))]
        return [PromptPart(role, pr.pieces(expr), getattr(expr, "lineno", call.lineno))]

    def _messages(
        self,
        expr: ast.expr,
        pr: _Prompts,
        ix: ModuleIndex,
        scope: _Scope,
        call: ast.Call,
        depth: int = 0,
    ) -> list[PromptPart]:
        line = call.lineno
        key = dotted(expr)
        if key is not None and pr._name_kind(expr) == "history":
            return [PromptPart("history", (Piece("dynamic", key, "history"),), line)]
        r = ix.resolve(expr, scope, line)
        if isinstance(r, ast.BinOp) and isinstance(r.op, ast.Add) and depth < MAX_DEPTH:
            return self._messages(r.left, pr, ix, scope, call, depth + 1) + self._messages(
                r.right, pr, ix, scope, call, depth + 1
            )
        if isinstance(r, ast.List | ast.Tuple):
            out: list[PromptPart] = []
            for el in r.elts:
                out.extend(self._message(el, pr, ix, scope, call))
            if key is not None:  # messages = [...]; messages.append({...}) before the call
                for s in (scope,):
                    for mut in s.mutations.get(key, []):
                        if (
                            isinstance(mut, ast.Call)
                            and isinstance(mut.func, ast.Attribute)
                            and mut.func.attr == "append"
                            and mut.args
                            and mut.lineno < line
                        ):
                            out.extend(self._message(mut.args[0], pr, ix, scope, call))
            return out
        if isinstance(r, ast.Constant | ast.JoinedStr | ast.BinOp | ast.Call) and not (
            isinstance(r, ast.Call) and self._is_message_ctor(r)
        ):
            return [PromptPart("prompt", pr.pieces(expr), getattr(expr, "lineno", line))]
        if isinstance(r, ast.Call):
            return self._message(r, pr, ix, scope, call)
        return [
            PromptPart(
                "unknown",
                (
                    Piece(
                        "dynamic",
                        _src(expr),
                        pr._name_kind(expr) if isinstance(expr, ast.Attribute) else "value",
                    ),
                ),
                line,
            )
        ]

    @staticmethod
    def _is_message_ctor(call: ast.Call) -> bool:
        name = (dotted(call.func) or "").rsplit(".", 1)[-1]
        return name in (
            "SystemMessage",
            "HumanMessage",
            "AIMessage",
            "ChatMessage",
            "UserContent",
            "Content",
        )

    def _message(
        self, el: ast.expr, pr: _Prompts, ix: ModuleIndex, scope: _Scope, call: ast.Call
    ) -> list[PromptPart]:
        line = getattr(el, "lineno", call.lineno)
        if isinstance(el, ast.Starred):
            key = dotted(el.value) or ""
            kind: Dynamic = pr._name_kind(el.value) if key else "value"
            return [PromptPart("history", (Piece("dynamic", key or _src(el), kind),), line)]
        r = ix.resolve(el, scope, call.lineno)
        if isinstance(r, ast.Dict):
            items = ix.dict_items(r, scope, call.lineno, 0) or {}
            role = _const_str(items.get("role")) or "unknown"
            content = items.get("content", items.get("parts"))
            if content is None:
                return []
            return self._content_parts(content, role, pr, ix, scope, call)
        if isinstance(r, ast.Tuple) and len(r.elts) == 2:
            role = _const_str(r.elts[0]) or "unknown"
            role = {"human": "user", "ai": "assistant"}.get(role, role)
            return [PromptPart(role, pr.pieces(r.elts[1]), line)]
        if isinstance(r, ast.Call) and self._is_message_ctor(r):
            name = (dotted(r.func) or "").rsplit(".", 1)[-1]
            role = {
                "SystemMessage": "system",
                "HumanMessage": "user",
                "AIMessage": "assistant",
            }.get(name, "unknown")
            content = (
                r.args[0]
                if r.args
                else next((k.value for k in r.keywords if k.arg in ("content", "parts")), None)
            )
            return [PromptPart(role, pr.pieces(content), line)] if content is not None else []
        if isinstance(r, ast.Constant | ast.JoinedStr):
            return [PromptPart("user", pr.pieces(r), line)]
        return [PromptPart("unknown", (Piece("dynamic", _src(el), "value"),), line)]

    def _mentions_cache(
        self, kws: dict[str, ast.expr], ix: ModuleIndex, scope: _Scope, line: int
    ) -> bool:
        for key in ("system", "messages", "tools", "extra_body"):
            if key in kws:
                seen = ix.resolve(kws[key], scope, line)
                text = _src_full(seen)
                if "cache_control" in text:
                    return True
                for n in ast.walk(seen):
                    if isinstance(n, ast.Name | ast.Attribute):
                        inner = ix.resolve(n, scope, line)
                        if inner is not n and "cache_control" in _src_full(inner):
                            return True
        return False

    def _response_enum(self, kws: dict[str, ast.expr], ix: ModuleIndex) -> bool:
        for key in (
            "response_format",
            "response_model",
            "text_format",
            "response_schema",
            "text",
            "tools",
        ):
            if key in kws:
                text = _src_full(kws[key])
                name = dotted(kws[key])
                if name is not None:
                    for node in ast.walk(ix.tree):
                        if isinstance(node, ast.ClassDef) and node.name == name.split(".")[-1]:
                            text += _src_full(node)
                if re.search(r"\benum\b|Literal\[|\bEnum\b|\bbool\b", text):
                    return True
        return False

    # loops
    def _loops(self, call: ast.Call, ix: ModuleIndex) -> tuple[LoopInfo, ...]:
        out: list[LoopInfo] = []
        child: ast.AST = call
        cur = ix.parents.get(call)
        awaited = _awaited(call, ix)
        concurrent_ctx = False
        while cur is not None and not isinstance(
            cur, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.Module
        ):
            if isinstance(cur, ast.Call):
                n = (dotted(cur.func) or "").rsplit(".", 1)[-1]
                if n in (
                    "gather",
                    "create_task",
                    "submit",
                    "map",
                    "as_completed",
                    "run_coroutine_threadsafe",
                    "ensure_future",
                    "start_soon",
                    "wait",
                ):
                    concurrent_ctx = True
            if (
                isinstance(cur, ast.For | ast.AsyncFor)
                and child is not cur.iter
                and child is not cur.target
                and child not in cur.orelse
            ):
                out.append(
                    LoopInfo("for", cur.lineno, self._dependent_for(cur, call, ix), concurrent_ctx)
                )
            elif isinstance(cur, ast.While) and child is not cur.test:
                out.append(LoopInfo("while", cur.lineno, True, concurrent_ctx))
            elif isinstance(cur, ast.ListComp | ast.GeneratorExp | ast.SetComp | ast.DictComp):
                is_async_coroutine = not awaited and (self._call_is_async(call, ix))
                out.append(
                    LoopInfo(
                        "comprehension", cur.lineno, False, concurrent_ctx or is_async_coroutine
                    )
                )
            child, cur = cur, ix.parents.get(cur)
        return tuple(out)

    def _call_is_async(self, call: ast.Call, ix: ModuleIndex) -> bool:
        _base, path = _attr_path(call.func)
        name = path[-1] if path else (dotted(call.func) or "")
        if name.startswith("a") and name[1:] in (
            "completion",
            "invoke",
            "batch",
            "create",
            "complete",
            "chat",
        ):
            return True
        scope = ix.scope_of(call)
        m = self._match(call, ix)
        if m is not None and m.receiver is not None:
            c = ix.client_for(m.receiver, scope)
            if c is not None and c[0].constructor.split(".")[-1].startswith("Async"):
                return True
        return (
            isinstance(ix.parents.get(call), ast.Await) is False
            and isinstance(scope.node, ast.AsyncFunctionDef)
            and m is not None
            and m.is_async
        )

    def _dependent_for(self, loop: ast.For | ast.AsyncFor, call: ast.Call, ix: ModuleIndex) -> bool:
        it = loop.iter
        body_text = "\n".join(_src_full(s) for s in loop.body)
        if (
            isinstance(it, ast.Call)
            and dotted(it.func) == "range"
            and any(isinstance(n, ast.Break | ast.Return) for s in loop.body for n in ast.walk(s))
        ):
            return True  # a retry loop or a bounded agent loop
        tries = any(isinstance(n, ast.Try) for s in loop.body for n in ast.walk(s))
        if (
            tries
            and any(isinstance(n, ast.Break | ast.Continue) for s in loop.body for n in ast.walk(s))
            and isinstance(it, ast.Call)
            and dotted(it.func) == "range"
        ):
            return True
        if tries and self._returns_from_try(call, ix):
            return True  # a fallback loop: for model in MODELS: try: return call(model) ...
        # the conversation grows inside the loop: each request depends on the previous answer
        msgs = [k.value for k in call.keywords if k.arg in ("messages", "input", "contents")]
        for mexpr in msgs:
            key = dotted(mexpr)
            if key and re.search(
                re.escape(key) + r"\.(append|extend)\(|" + re.escape(key) + r"\s*\+=", body_text
            ):
                return True
        # the answer is fed back into the next request
        parent = ix.parents.get(call)
        while isinstance(parent, ast.Await | ast.Attribute | ast.Subscript | ast.Call | ast.BoolOp):
            parent = ix.parents.get(parent)
        if isinstance(parent, ast.Assign):
            call_text = _src_full(call)
            for t in parent.targets:
                key = dotted(t)
                if key is None:
                    continue
                if re.search(r"\b" + re.escape(key) + r"\b", call_text):
                    return True
                # r = call(... summary ...); summary = r.choices[0]...: a refine chain
                for stmt in loop.body:
                    for node in ast.walk(stmt):
                        if (
                            isinstance(node, ast.Assign)
                            and node is not parent
                            and re.search(r"\b" + re.escape(key) + r"\b", _src_full(node.value))
                        ):
                            fed = [d for tt in node.targets if (d := dotted(tt))]
                            if any(re.search(r"\b" + re.escape(d) + r"\b", call_text) for d in fed):
                                return True
        return False

    def _returns_from_try(self, call: ast.Call, ix: ModuleIndex) -> bool:
        """The call's result is returned from inside a try: the loop stops at the first success."""
        cur = ix.parents.get(call)
        returned = False
        while cur is not None and not isinstance(cur, ast.For | ast.AsyncFor | ast.While):
            if isinstance(cur, ast.Return):
                returned = True
            if isinstance(cur, ast.Try) and returned:
                return True
            if isinstance(cur, ast.Assign):
                # r = call(...); ...; return r (inside the same try)
                names = {d for tt in cur.targets if (d := dotted(tt))}
                body = ix.parents.get(cur)
                if isinstance(body, ast.Try) and any(
                    isinstance(n, ast.Return)
                    and n.value is not None
                    and any(isinstance(x, ast.Name) and x.id in names for x in ast.walk(n.value))
                    for s in body.body
                    for n in ast.walk(s)
                ):
                    return True  # ...; return wrap(response=r): the first success ends it
            cur = ix.parents.get(cur)
        return False

    def _add_helper_loops(
        self, sites: list[tuple[ast.Call, CallSite]], ix: ModuleIndex
    ) -> list[CallSite]:
        """A loop in the caller of a helper that makes the call counts for the call site."""
        if not sites:
            return []
        by_fn: dict[str, list[int]] = {}
        for i, (_call, site) in enumerate(sites):
            if site.function:
                by_fn.setdefault(site.function.rsplit(".", 1)[-1], []).append(i)
        callers: dict[str, set[str]] = {name: {name} for name in by_fn}
        for _round in range(3):  # helpers of helpers, a few levels deep
            for scope in list(ix.scopes.values()):
                if not isinstance(scope.node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(scope.node):
                    if isinstance(node, ast.Call):
                        callee = (dotted(node.func) or "").rsplit(".", 1)[-1]
                        for root, names in callers.items():
                            if (
                                callee in names
                                and scope.node.name not in names
                                and scope.node.name != root
                            ):
                                names.add(scope.node.name)
        out = [s for _c, s in sites]
        for node in ast.walk(ix.tree):
            if not isinstance(node, ast.Call):
                continue
            callee = (dotted(node.func) or "").rsplit(".", 1)[-1]
            for root, names in callers.items():
                if callee not in names:
                    continue
                loops = self._loops(node, ix)
                if not loops:
                    continue
                helper_async = isinstance(ix.functions.get(callee), ast.AsyncFunctionDef)
                awaited = _awaited(node, ix)
                fixed = tuple(
                    replace(
                        lp,
                        via_helper=callee,
                        line=node.lineno,
                        concurrent=lp.concurrent or (helper_async and not awaited),
                    )
                    for lp in loops
                )
                for i in by_fn[root]:
                    if not out[i].loops:
                        out[i] = replace(out[i], loops=out[i].loops + fixed)
        return out

    # streaming and handlers
    def _stream_sink(
        self, call: ast.Call, ix: ModuleIndex, fn: ast.FunctionDef | ast.AsyncFunctionDef | None
    ) -> str:
        """The sink (``session.add``) when the stream's chunks are only joined and the text
        then goes to it; "" otherwise.

        A sink is a queue, a file, a database, a cache or a task queue (``STREAM_SINK``).
        A stream joined and returned, or joined and shown, is not judged: its consumer is
        elsewhere and may well be a person.
        """
        if fn is None:
            return ""
        if any(isinstance(n, ast.Yield | ast.YieldFrom) for n in ast.walk(fn)):
            return ""
        parent = ix.parents.get(call)
        while isinstance(parent, ast.Await):
            parent = ix.parents.get(parent)
        names: set[str] = set()
        loops: list[ast.For | ast.AsyncFor] = []
        if isinstance(parent, ast.Assign):
            names = {n for t in parent.targets if (n := dotted(t))}
        elif isinstance(parent, ast.withitem) and parent.optional_vars is not None:
            n = dotted(parent.optional_vars)
            names = {n} if n else set()
        elif isinstance(parent, ast.For | ast.AsyncFor) and parent.iter is call:
            loops.append(parent)  # for chunk in client...create(stream=True)
        if not names and not loops:
            return ""
        body = list(ast.walk(fn))
        loops += [
            n
            for n in body
            if isinstance(n, ast.For | ast.AsyncFor)
            and (dotted(n.iter) or _src(n.iter)).split(".")[0] in names
        ]
        # joined text: names grown inside the loops (text += ..., parts.append(...))
        tainted: set[str] = set()
        for loop in loops:
            for node in ast.walk(loop):
                if isinstance(node, ast.Call) and STREAM_INTERACTIVE.search(
                    _src_full(node.func) + "("
                ):
                    return ""
                grown = None
                if isinstance(node, ast.AugAssign):
                    grown = dotted(node.target)
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("append", "extend", "write")
                ):
                    grown = dotted(node.func.value)
                if grown:
                    tainted.add(grown.split(".")[0])
        # the SDKs' own accumulators: stream.get_final_message() / get_final_text() / ...
        final = False
        for node in body:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr.startswith(("get_final", "until_done", "final_"))
                and (dotted(node.func.value) or "").split(".")[0] in names
            ):
                final = True
                p = ix.parents.get(node)
                if isinstance(p, ast.Assign):
                    tainted |= {n.split(".")[0] for t in p.targets if (n := dotted(t))}
        if not (loops or final) or not tainted:
            return ""

        def mentions(expr: ast.AST) -> bool:
            return any(isinstance(n, ast.Name) and n.id in tainted for n in ast.walk(expr))

        # what is built from the joined text is joined text too (text = "".join(parts), ...)
        for _ in range(3):
            for node in body:
                if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if mentions(node.value):
                        tainted |= {n.split(".")[0] for t in targets if (n := dotted(t))}
        in_loop = {id(n) for loop in loops for n in ast.walk(loop)}
        for node in body:
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if not STREAM_SINK.fullmatch(node.func.attr):
                continue
            args = [*node.args, *(k.value for k in node.keywords)]
            receiver = node.func.value
            if id(node) in in_loop and node.func.attr in ("write", "writelines"):
                # chunks written to a file as they arrive: stdout is interactive (above)
                return _src_full(node.func)
            if any(mentions(a) for a in args) or (node.func.attr == "save" and mentions(receiver)):
                return _src_full(node.func)
        return ""

    @staticmethod
    def _web_handler(fn: ast.FunctionDef | ast.AsyncFunctionDef | None, path: str = "") -> bool:
        if fn is None:
            return False
        if any(ROUTE_DECORATOR.search(_src_full(d)) for d in fn.decorator_list):
            return True
        # a Django view: a function in views.py whose first parameter is the request
        args = [a.arg for a in fn.args.args]
        if path.rsplit("/", 1)[-1] == "views.py" and args[:1] == ["request"]:
            return True
        # a class-based view's handler method (Django View / DRF APIView / Starlette endpoint)
        return args[:2] == ["self", "request"] and fn.name in ("get", "post", "put", "patch")

    def _retry(
        self,
        call: ast.Call,
        ix: ModuleIndex,
        fn: ast.FunctionDef | ast.AsyncFunctionDef | None,
        kws: dict[str, ast.expr],
    ) -> bool:
        if kws.keys() & {"num_retries", "fallbacks", "retries"}:
            return True
        # module-wide settings: litellm.num_retries covers every litellm call; with_retry() /
        # with_fallbacks() runnables and google-genai retry options the calls made through
        # them; a litellm Router only the calls made on it (router.completion, not a direct
        # litellm.completion next to it)
        direct = (ix.resolve_name(call.func) or "").startswith("litellm.")
        pattern = r"litellm\.num_retries\s*="
        if not direct:
            pattern += r"|with_retry\(|with_fallbacks\(|HttpRetryOptions"
        if re.search(pattern, ix.module_text):
            return True
        recv = dotted(call.func.value) if isinstance(call.func, ast.Attribute) else None
        if recv and re.search(
            rf"\b{re.escape(recv)}\s*(:[^=]+)?=\s*[\w.]*Router\(", ix.module_text
        ):
            return True
        # transport-level retries (a requests HTTPAdapter, an httpx transport) count where
        # they are set up: in the function that makes the call
        if fn is not None and re.search(r"HTTPAdapter\(|Retry\(|\bretries\s*=", _src_full(fn)):
            return True
        if fn is not None and any(RETRY_DECORATOR.search(_src_full(d)) for d in fn.decorator_list):
            return True
        cur = ix.parents.get(call)
        while cur is not None and not isinstance(cur, ast.FunctionDef | ast.AsyncFunctionDef):
            if isinstance(cur, ast.For | ast.While) and any(
                isinstance(n, ast.Try) for s in cur.body for n in ast.walk(s)
            ):
                return True
            cur = ix.parents.get(cur)
        return False


# calls that return a retriever's top k documents (bounded context for LLM007)
RETRIEVAL = re.compile(
    r"similarity_search|max_marginal_relevance_search|get_relevant_documents|retrieve|"
    r"search|query|knn|nearest",
    re.I,
)
# a call in the chunk loop that shows the text as it arrives: the stream has a watcher
STREAM_INTERACTIVE = re.compile(
    r"\b(print|send|send_text|send_json|emit|write_message|put_nowait|flush|on_token|"
    r"on_llm_new_token|callback|update|markdown|broadcast|publish|render)\(|stdout|"
    r"websocket|sse|\.yield|st\.|console",
    re.I,
)
# where joined text goes when nobody reads it live: queues, files, databases, caches, task
# queues (``.delay`` / ``.apply_async`` of Celery, ``send_message`` of SQS / Service Bus)
STREAM_SINK = re.compile(
    r"put|write|writelines|write_text|dump|send_message|send_message_batch|add|add_all|"
    r"execute|executemany|lpush|rpush|xadd|hset|set|setex|delay|apply_async|send_task|"
    r"create|update|update_or_create|bulk_create|"
    r"enqueue|save|insert|insert_one|insert_many|update_one|replace_one|upsert|put_item|"
    r"put_object|upload_fileobj|to_csv|to_parquet|produce"
)


CANDIDATE_NAMES = frozenset(
    {
        "create",
        "acreate",
        "parse",
        "stream",
        "generate_content",
        "generate_content_stream",
        "generate_content_async",
        "post",
        "request",
        *LITELLM_FUNCS,
        *LANGCHAIN_METHODS,
        *LLAMA_METHODS,
    }
)


def _tail(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _awaited(call: ast.Call, ix: ModuleIndex) -> bool:
    return isinstance(ix.parents.get(call), ast.Await)


def _src_full(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # only used for text matching
        return ""


def _url_text(expr: ast.expr, ix: ModuleIndex, scope: _Scope, line: int) -> str:
    pieces = _Prompts(ix, scope, line).pieces(expr)
    return "".join(p.text for p in pieces)


def _provider_from_model(model: str) -> str | None:
    m = model.lower()
    if m.startswith(("gpt", "o1", "o3", "o4", "chatgpt", "text-", "davinci")):
        return "openai"
    if m.startswith("claude"):
        return "anthropic"
    if m.startswith("gemini"):
        return "google"
    if "/" in m:
        return m.split("/", 1)[0]
    return None


def collect_imports(nodes: list[ast.AST], module: str) -> dict[str, str]:
    """Local name -> the full dotted name it imports."""
    imports: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    imports[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    imports.setdefault(top, top)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                imports[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            # `from .llm import client` inside package.module -> package.llm.client
            package = module.split(".")[: -node.level] if module else []
            base = ".".join([*package, *([node.module] if node.module else [])])
            for a in node.names:
                imports[a.asname or a.name] = f"{base}.{a.name}" if base else a.name
    return imports


def walk(tree: ast.AST) -> tuple[list[ast.AST], dict[ast.AST, ast.AST]]:
    """Every node (breadth first) and each node's parent, in one traversal: walking a big
    module is the main cost of a scan, so it is done once per module."""
    nodes: list[ast.AST] = [tree]
    parents: dict[ast.AST, ast.AST] = {}
    for parent in nodes:  # the list grows as it is read
        for child in ast.iter_child_nodes(parent):
            parents[child] = parent
            nodes.append(child)
    return nodes, parents


@functools.lru_cache(maxsize=8)
def parse(path: str, source: str) -> ast.Module:
    """One parse per file and process: a project scan reads a module in two passes (its
    exports, then its call sites). The trees are only read, never changed."""
    return ast.parse(source, filename=path)


def iter_sites(path: str, source: str, project: ProjectIndex | None = None) -> Iterator[CallSite]:
    yield from PythonFrontEnd(path, source, project).call_sites()


def module_exports(path: str, source: str) -> ProjectIndex:
    """First pass of a project scan: a module's top-level clients and LLM helper functions."""
    return module_scan(path, source).exports


@dataclass(frozen=True)
class ModuleScan:
    """One module read once: what it offers other modules, its own call sites (as if alone),
    and what it takes from others (so that a scan re-reads it only when that matters)."""

    exports: ProjectIndex
    sites: tuple[CallSite, ...]
    imports: frozenset[str]  # full dotted names this module imports
    call_names: frozenset[str]  # the last part of every name it calls
    module: str = ""

    def depends_on(
        self,
        project: ProjectIndex,
        suffixes: frozenset[str],
        helper_modules: Mapping[str, frozenset[str]],
    ) -> bool:
        """Whether another module's client or helper could change this module's sites.

        ``suffixes``: every dotted suffix of the project's client and helper keys;
        ``helper_modules``: a helper's name -> the modules that define one by that name."""
        for name in self.call_names & helper_modules.keys():
            if helper_modules[name] - {self.module}:
                return True
        for full in self.imports:
            if full in suffixes:
                return True
            parts = full.split(".")
            if any(".".join(parts[i:]) in project.clients for i in range(1, len(parts))):
                return True
        return False


def key_suffixes(project: ProjectIndex) -> frozenset[str]:
    out: set[str] = set()
    for key in (*project.clients, *project.helpers):
        parts = key.split(".")
        out.update(".".join(parts[i:]) for i in range(len(parts)))
    return frozenset(out)


def helper_modules(project: ProjectIndex) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for key in project.helpers:
        module, _, name = key.rpartition(".")
        out.setdefault(name, set()).add(module)
    return {k: frozenset(v) for k, v in out.items()}


def module_scan(path: str, source: str) -> ModuleScan:
    tree = parse(path, source)
    fe = PythonFrontEnd(path, source)
    sites = fe.call_sites()
    module = module_name_for(path)
    ix = fe.index
    if ix is None and not any(
        isinstance(s, ast.Assign | ast.AnnAssign)
        and isinstance(s.value, ast.Call | ast.Await | ast.BinOp)
        for s in tree.body
    ):
        # no call site and no top-level binding that could build a client: the module index
        # (the expensive part) has nothing to tell other modules
        imports = collect_imports(fe.walked[0], module) if fe.walked else {}
        return ModuleScan(ProjectIndex(), (), frozenset(imports.values()), fe.call_names, module)
    ix = ix or ModuleIndex(tree, path, fe.lines, walked=fe.walked)
    out = ProjectIndex(clients=ix.module_clients())
    if module:
        for site in sites:
            if site.function and "." not in site.function and site.api != "helper":
                out.helpers.setdefault(
                    f"{module}.{site.function}",
                    HelperInfo(site.model, site.provider, site.sdk, site.is_async),
                )
    return ModuleScan(out, tuple(sites), frozenset(ix.imports.values()), fe.call_names, module)
