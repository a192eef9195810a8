"""The JavaScript / TypeScript front-end (tree-sitter grammars): call sites of JS SDKs.

Recognises the ``openai`` and ``@anthropic-ai/sdk`` clients (``new OpenAI({...})``), the Vercel
AI SDK (``generateText`` / ``streamText`` / ``generateObject`` / ``streamObject``) and
``fetch`` / ``axios`` posts to the providers' endpoints. Like the Python front-end it follows
option objects held in a ``const``, clients built elsewhere in the file and model names in
constants; a spread it cannot resolve marks the options open.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from llm_audit.lint.callsite import CallSite, ClientInfo, LoopInfo, Piece, PromptPart

if TYPE_CHECKING:
    from tree_sitter import Language, Node

PREFILTER_NEEDLES: tuple[bytes, ...] = (
    b"openai",
    b"anthropic",
    b"generateText",
    b"streamText",
    b"generateObject",
    b"streamObject",
    b"@ai-sdk",
    b"chat.completions.",
    b"messages.create(",
)


def mentions_llm(data: bytes) -> bool:
    return any(n in data for n in PREFILTER_NEEDLES)


CLIENT_MODULES = {"openai": ("openai", "openai"), "@anthropic-ai/sdk": ("anthropic", "anthropic")}
VERCEL_FUNCS = {"generateText", "streamText", "generateObject", "streamObject"}
PROVIDER_FACTORIES = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "google",
    "azure": "azure",
    "createOpenAI": "openai",
}
ENDPOINTS = (
    ("api.openai.com", "openai", "openai"),
    ("openai.azure.com", "azure-openai", "azure"),
    ("api.anthropic.com", "anthropic", "anthropic"),
    ("generativelanguage.googleapis.com", "google-genai", "google"),
)
LOOPS = {"for_statement", "for_in_statement", "while_statement", "do_statement"}
FUNCTIONS = {
    "function_declaration",
    "function_expression",
    "arrow_function",
    "method_definition",
    "generator_function_declaration",
}


@cache
def _language(suffix: str) -> Language:
    from tree_sitter import Language

    if suffix in (".ts", ".mts", ".cts"):
        import tree_sitter_typescript as tst

        return Language(tst.language_typescript())
    if suffix == ".tsx":
        import tree_sitter_typescript as tst

        return Language(tst.language_tsx())
    import tree_sitter_javascript as tsj

    return Language(tsj.language())


def _text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


def _string_value(node: Node | None) -> str | None:
    if node is None:
        return None
    if node.type == "string":
        return "".join(
            _text(c)
            for c in node.named_children
            if c.type in ("string_fragment", "escape_sequence")
        )
    if node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.named_children
    ):
        return _text(node)[1:-1]
    return None


class _File:
    def __init__(self, path: str, source: str) -> None:
        from tree_sitter import Parser

        suffix = "." + path.rsplit(".", 1)[-1] if "." in path else ".js"
        self.path = path
        self.source = source
        self.lines = source.splitlines()
        self.tree = Parser(_language(suffix)).parse(source.encode("utf-8"))
        self.imports: dict[str, str] = {}
        self.consts: dict[str, Node] = {}
        self.clients: dict[str, tuple[ClientInfo, str, str | None]] = {}
        self._index(self.tree.root_node)

    def _index(self, root: Node) -> None:
        stack = [root]
        while stack:  # pre-order, in document order: imports are seen before their uses
            n = stack.pop()
            stack.extend(reversed(n.named_children))
            if n.type == "import_statement":
                module: str | None = _string_value(n.child_by_field_name("source")) or ""
                for ident in _walk(n):
                    if (
                        ident.type == "identifier"
                        and ident.parent is not None
                        and ident.parent.type
                        in ("import_clause", "import_specifier", "namespace_import")
                    ):
                        self.imports[_text(ident)] = module or ""
            elif n.type == "variable_declarator":
                name = n.child_by_field_name("name")
                value = n.child_by_field_name("value")
                if name is None or value is None:
                    continue
                if value.type == "await_expression" and value.named_children:
                    value = value.named_children[0]
                if (
                    value.type == "call_expression"
                    and _text(value.child_by_field_name("function")) == "require"
                ):
                    args = value.child_by_field_name("arguments")
                    module = (
                        _string_value(args.named_children[0])
                        if args and args.named_children
                        else None
                    )
                    if module:
                        if name.type == "identifier":
                            self.imports[_text(name)] = module
                        for ident in _walk(name):
                            if ident.type in (
                                "shorthand_property_identifier_pattern",
                                "identifier",
                            ):
                                self.imports[_text(ident)] = module
                if name.type == "identifier":
                    self.consts[_text(name)] = value
                    info = self._client(value)
                    if info is not None:
                        self.clients[_text(name)] = info
            elif n.type == "assignment_expression":
                left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                if left is not None and right is not None:
                    info = self._client(right)
                    if info is not None:
                        self.clients[_text(left)] = info

    def _client(self, value: Node) -> tuple[ClientInfo, str, str | None] | None:
        if value.type != "new_expression":
            return None
        ctor = _text(value.child_by_field_name("constructor"))
        module = self.imports.get(ctor.split(".")[0], "")
        if module not in CLIENT_MODULES:
            return None
        sdk, prov = CLIENT_MODULES[module]
        if ctor.endswith("AzureOpenAI"):
            sdk, prov = "azure-openai", "azure"
        opts = self.object_items(_first_arg(value)) or {}
        retries = opts.get("maxRetries")
        n_retries = (
            int(_text(retries)) if retries is not None and _text(retries).isdigit() else None
        )
        return (
            ClientInfo(
                True,
                f"{module}.{ctor}",
                "timeout" in opts or "fetch" in opts,
                n_retries,
                value.start_point[0] + 1,
            ),
            sdk,
            prov,
        )

    def resolve(self, node: Node | None, depth: int = 0) -> Node | None:
        if node is not None and node.type == "identifier" and depth < 5:
            found = self.consts.get(_text(node))
            if found is not None:
                return self.resolve(found, depth + 1)
        return node

    def object_items(self, node: Node | None, depth: int = 0) -> dict[str, Node] | None:
        node = self.resolve(node)
        if node is None or node.type != "object" or depth > 5:
            return None
        out: dict[str, Node] = {}
        for c in node.named_children:
            if c.type == "pair":
                key = c.child_by_field_name("key")
                value = c.child_by_field_name("value")
                k = (
                    _string_value(key) if key is not None and key.type == "string" else None
                ) or _text(key)
                if value is not None:
                    out[k] = value
            elif c.type == "shorthand_property_identifier":
                out[_text(c)] = c
            elif c.type == "spread_element":
                inner = self.object_items(
                    c.named_children[0] if c.named_children else None, depth + 1
                )
                if inner is None:
                    return None
                out.update(inner)
        return out

    def pieces(self, node: Node | None, depth: int = 0) -> tuple[Piece, ...]:
        node = self.resolve(node) if node is not None and node.type == "identifier" else node
        if node is None or depth > 6:
            return ()
        s = _string_value(node)
        if s is not None:
            return (Piece("static", s),)
        if node.type == "template_string":
            out: list[Piece] = []
            pos = node.start_byte + 1
            raw = node.text or b""
            for c in node.named_children:
                if c.type == "template_substitution":
                    if c.start_byte > pos:
                        out.append(
                            Piece(
                                "static",
                                raw[
                                    pos - node.start_byte : c.start_byte - node.start_byte
                                ].decode(),
                            )
                        )
                    inner = c.named_children[0] if c.named_children else None
                    out.extend(self._dynamic(inner))
                    pos = c.end_byte
            end = node.end_byte - 1
            if end > pos:
                out.append(
                    Piece("static", raw[pos - node.start_byte : end - node.start_byte].decode())
                )
            return tuple(out)
        if node.type == "binary_expression" and _text(node.child_by_field_name("operator")) == "+":
            return self.pieces(node.child_by_field_name("left"), depth + 1) + self.pieces(
                node.child_by_field_name("right"), depth + 1
            )
        return self._dynamic(node)

    def _dynamic(self, node: Node | None) -> tuple[Piece, ...]:
        text = _text(node)
        if re.search(r"\bnew Date\(|Date\.now\(|toISOString\(|toLocaleString", text):
            return (Piece("dynamic", text, "timestamp"),)
        if re.search(r"randomUUID|uuid|nanoid", text):
            return (Piece("dynamic", text, "uuid"),)
        if re.search(r"Math\.random", text):
            return (Piece("dynamic", text, "random"),)
        m = re.search(r"(\w+)\.join\(", text)
        if (
            m
            and re.search(
                r"(docs|documents|chunks|pages|files|records|rows|results|"
                r"history|messages|notes|items)$",
                m.group(1),
                re.I,
            )
            and ".slice(" not in text
        ):
            return (Piece("dynamic", text, "join-all"),)
        if re.search(r"readFileSync|readFile\(", text) and ".slice(" not in text:
            return (Piece("dynamic", text, "file"),)
        return (Piece("dynamic", text, "value"),)


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(n.named_children)


def _first_arg(call: Node) -> Node | None:
    args = call.child_by_field_name("arguments")
    return args.named_children[0] if args is not None and args.named_children else None


def _args(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return list(args.named_children) if args is not None else []


def _enclosing_function(node: Node) -> Node | None:
    cur = node.parent
    while cur is not None:
        if cur.type in FUNCTIONS:
            return cur
        cur = cur.parent
    return None


def _function_name(fn: Node | None) -> str:
    if fn is None:
        return ""
    name = fn.child_by_field_name("name")
    if name is not None:
        return _text(name)
    parent = fn.parent
    if parent is not None and parent.type == "variable_declarator":
        return _text(parent.child_by_field_name("name"))
    return ""


def _loops(call: Node) -> tuple[LoopInfo, ...]:
    out: list[LoopInfo] = []
    awaited = call.parent is not None and call.parent.type == "await_expression"
    cur: Node | None = call.parent
    concurrent = False
    child = call
    while cur is not None:
        if cur.type in LOOPS:
            body = cur.child_by_field_name("body")
            dependent = cur.type in ("while_statement", "do_statement")
            if (
                body is not None
                and child == body
                and re.search(r"\bmessages\.push\(|\bbreak\b|\breturn\b", _text(body))
                and cur.type != "for_in_statement"
            ):
                dependent = True
            if body is not None and child == body:
                if re.search(r"messages\.push\(", _text(body)):
                    dependent = True
                out.append(
                    LoopInfo(
                        "for" if cur.type.startswith("for") else "while",
                        cur.start_point[0] + 1,
                        dependent,
                        concurrent,
                    )
                )
        if cur.type == "call_expression":
            fn = _text(cur.child_by_field_name("function"))
            if re.search(r"Promise\.(all|allSettled|race|any)$|pLimit|limit$", fn):
                concurrent = True
            if fn.endswith((".map", ".forEach", ".flatMap")) and child != cur.child_by_field_name(
                "function"
            ):
                # an async callback fires every request at once; a sync one cannot await
                out.append(
                    LoopInfo(
                        "comprehension",
                        cur.start_point[0] + 1,
                        False,
                        concurrent or not awaited or fn.endswith(".forEach"),
                    )
                )
        if cur.type in FUNCTIONS and cur.type != "arrow_function":
            break
        child, cur = cur, cur.parent
    return tuple(out)


def iter_sites(path: str, source: str) -> Iterator[CallSite]:
    f = _File(path, source)
    retry_lib = bool(re.search(r"p-retry|axios-retry|async-retry|retry\(", source))
    for node in _walk(f.tree.root_node):
        if node.type != "call_expression":
            continue
        site = _site(f, node, retry_lib)
        if site is not None:
            yield site


def _site(f: _File, call: Node, retry_lib: bool) -> CallSite | None:
    func = call.child_by_field_name("function")
    ftext = _text(func)
    parts = ftext.replace("?.", ".").split(".")
    sdk = api = method = ""
    provider: str | None = None
    client = ClientInfo(known=False)
    opts: dict[str, Node] | None = None
    open_ = False
    extra_opts: dict[str, Node] = {}
    if (
        len(parts) >= 4
        and parts[-3:-1] == ["chat", "completions"]
        and parts[-1] in ("create", "parse", "stream")
    ):
        sdk, api, method = "openai", "chat", parts[-1]
        recv = ".".join(parts[:-3]).removesuffix(".beta")
    elif len(parts) >= 3 and parts[-2] == "responses" and parts[-1] in ("create", "stream"):
        sdk, api, method = "openai", "responses", parts[-1]
        recv = ".".join(parts[:-2])
    elif len(parts) >= 3 and parts[-2] == "messages" and parts[-1] in ("create", "stream"):
        sdk, api, method = "anthropic", "messages", parts[-1]
        recv = ".".join(parts[:-2]).removesuffix(".beta")
    elif len(parts) >= 3 and parts[-2] == "batches" and parts[-1] == "create":
        sdk, api, method = "openai", "batches", "create"
        recv = ".".join(parts[:-2]).removesuffix(".messages")
    elif ftext in VERCEL_FUNCS and f.imports.get(ftext) == "ai":
        sdk, api, method = "vercel-ai", "generate", ftext
        recv = ""
        client = ClientInfo(known=True, constructor="ai")
    elif ftext in ("fetch", "axios.post", "axios") or ftext.endswith(".post"):
        url_node = _first_arg(call)
        url = "".join(p.text for p in f.pieces(url_node))
        hit = next((e for e in ENDPOINTS if e[0] in url), None)
        if hit is None:
            return None
        sdk, api, method = hit[1], "http", "fetch" if ftext == "fetch" else "axios"
        provider = hit[2]
        recv = ""
        client = ClientInfo(known=True, constructor=method)
        args = _args(call)
        if method == "fetch" and len(args) > 1:
            init = f.object_items(args[1])
            if init is None:
                open_ = True
            else:
                extra_opts = {k: v for k, v in init.items() if k in ("signal", "timeout")}
                body = init.get("body")
                if body is not None and _text(body).startswith("JSON.stringify"):
                    bargs = body.child_by_field_name("arguments")
                    opts = (
                        f.object_items(bargs.named_children[0])
                        if bargs and bargs.named_children
                        else None
                    )
                    open_ = open_ or opts is None
        elif method == "axios" and len(args) > 1:
            opts = f.object_items(args[1])
            open_ = opts is None
            if len(args) > 2:
                cfg = f.object_items(args[2])
                extra_opts = cfg or {}
                open_ = open_ or cfg is None
    else:
        return None
    if sdk in ("openai", "anthropic") and api != "http":
        found = f.clients.get(recv) or f.clients.get(recv.removeprefix("this."))
        if found is None and recv.startswith("this."):
            found = next((v for k, v in f.clients.items() if k.endswith(recv[4:])), None)
        if found is not None:
            client, csdk, provider = found
            sdk = csdk
        elif not any(m in CLIENT_MODULES for m in f.imports.values()):
            return None
        args = _args(call)
        opts = f.object_items(args[0]) if args else {}
        open_ = opts is None
        if len(args) > 1:
            per_request = f.object_items(args[1]) or {}
            extra_opts.update(per_request)
    elif sdk == "vercel-ai":
        opts = f.object_items(_first_arg(call))
        open_ = opts is None
    kws = dict(opts or {})
    kws.update(extra_opts)
    model: str | None = None
    hardcoded = False
    mnode = f.resolve(kws.get("model"))
    if mnode is not None:
        s = _string_value(mnode)
        if s is not None:
            model, hardcoded = s, True
        elif mnode.type == "call_expression":
            factory = _text(mnode.child_by_field_name("function"))
            s = _string_value(_first_arg(mnode))
            if s is not None:
                model, hardcoded = s, True
                provider = PROVIDER_FACTORIES.get(factory, provider)
    consts: dict[str, object] = {}
    for k, v in kws.items():
        r = f.resolve(v)
        if r is None:
            continue
        if r.type == "number" and _text(r).replace("_", "").isdigit():
            consts[k] = int(_text(r).replace("_", ""))
        elif r.type in ("true", "false"):
            consts[k] = r.type == "true"
        elif (s := _string_value(r)) is not None:
            consts[k] = s
    # one vocabulary for the rules: the Python SDK's option names
    aliases = {
        "maxTokens": "max_tokens",
        "maxOutputTokens": "max_output_tokens",
        "maxRetries": "max_retries",
        "abortSignal": "timeout",
        "signal": "timeout",
    }
    for js, py in aliases.items():
        if js in kws:
            kws[py] = kws[js]
            if js in consts:
                consts[py] = consts[js]
    prompt: list[PromptPart] = []
    if "system" in kws:
        prompt.append(
            PromptPart("system", f.pieces(kws["system"]), kws["system"].start_point[0] + 1)
        )
    msgs = f.resolve(kws.get("messages") or kws.get("input"))
    if msgs is not None and msgs.type == "array":
        for el in msgs.named_children:
            items = f.object_items(el)
            if items is None:
                prompt.append(
                    PromptPart(
                        "history", (Piece("dynamic", _text(el), "value"),), el.start_point[0] + 1
                    )
                )
                continue
            role = _string_value(items.get("role")) or "unknown"
            if "content" in items:
                prompt.append(PromptPart(role, f.pieces(items["content"]), el.start_point[0] + 1))
    elif msgs is not None:
        prompt.append(PromptPart("prompt", f.pieces(msgs), msgs.start_point[0] + 1))
    if "prompt" in kws:
        prompt.append(
            PromptPart("prompt", f.pieces(kws["prompt"]), kws["prompt"].start_point[0] + 1)
        )
    fn = _enclosing_function(call)
    fn_name = _function_name(fn)
    fn_text = _text(fn)
    stream = consts.get("stream") is True or method in ("stream", "streamText", "streamObject")
    handler = fn is not None and (
        bool(re.match(r"(GET|POST|PUT|PATCH|DELETE)$", fn_name))
        or (
            fn.parent is not None
            and fn.parent.type == "arguments"
            and re.search(
                r"\b(app|router|server)\.(get|post|put|patch|delete)\(", _text(fn.parent.parent)
            )
        )
    )
    line = call.start_point[0] + 1
    retry = retry_lib or ("max_retries" not in consts and sdk == "vercel-ai")
    return CallSite(
        path=f.path,
        line=line,
        end_line=call.end_point[0] + 1,
        col=call.start_point[1] + 1,
        language="typescript" if f.path.endswith(("ts", "tsx")) else "javascript",
        sdk=sdk,
        api=api,
        method=method,
        provider=provider,
        function=fn_name,
        source_line=f.lines[line - 1].strip() if line <= len(f.lines) else "",
        is_async=True,
        model=model,
        model_hardcoded=hardcoded,
        keywords=frozenset(kws),
        consts=tuple(
            sorted((k, v) for k, v in consts.items() if isinstance(v, str | int | float | bool))
        ),
        kwargs_open=open_,
        client=client,
        prompt=tuple(prompt),
        prompt_text_words=" ".join(p.static_text for p in prompt).lower(),
        stream=stream,
        loops=_loops(call),
        web_handler=bool(handler),
        retry_wrapped=retry,
        bounded_context=bool(re.search(r"truncat|budget|countTokens|tiktoken|maxChars", fn_text)),
        cache_control="cache_control" in _text(call)
        or any("cache_control" in _text(f.resolve(v)) for v in kws.values()),
        response_enum=bool(re.search(r"z\.enum|enum:|z\.boolean", _text(kws.get("schema")))),
        is_batch_api=api == "batches",
    )
