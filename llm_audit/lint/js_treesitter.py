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
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from llm_audit.lint.callsite import (
    CallSite,
    ClientInfo,
    ExportedClient,
    LoopInfo,
    Piece,
    PromptPart,
)

if TYPE_CHECKING:
    from tree_sitter import Language, Node

    from llm_audit.lint.python_ast import ProjectIndex

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
    b"langchain",
)


def mentions_llm(data: bytes) -> bool:
    return any(n in data for n in PREFILTER_NEEDLES)


CLIENT_MODULES = {"openai": ("openai", "openai"), "@anthropic-ai/sdk": ("anthropic", "anthropic")}
# LangChain.js chat models: class -> provider hint (the package is @langchain/<x> or langchain/*)
LANGCHAIN_CLASSES = {
    "ChatOpenAI": "openai",
    "AzureChatOpenAI": "azure",
    "ChatAnthropic": "anthropic",
    "ChatGoogleGenerativeAI": "google",
    "ChatVertexAI": "vertex_ai",
    "ChatGroq": "groq",
    "ChatMistralAI": None,
    "ChatBedrockConverse": "bedrock",
}
LANGCHAIN_METHODS = {"invoke", "stream", "batch", "streamEvents"}
# runnables derived from a chat model keep its options: llm.withStructuredOutput(s).invoke()
LANGCHAIN_DERIVED = ("withStructuredOutput", "bind", "bindTools", "withRetry", "withConfig")
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


def module_key(path: str) -> str:
    """A JS/TS module's path without extension (and without a trailing ``/index``)."""
    stem = path.replace("\\", "/")
    for suffix in (".d.ts", ".tsx", ".ts", ".mts", ".cts", ".jsx", ".js", ".mjs", ".cjs"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return stem.removesuffix("/index")


def _import_keys(importer: str, spec: str) -> tuple[str, str]:
    """(exact key, suffix) for a module specifier: a relative path is joined to the importer's
    folder; a path alias (``@/lib/openai``, ``~/lib/openai``) matches by suffix."""
    import posixpath

    if spec.startswith("."):
        folder = posixpath.dirname(importer.replace("\\", "/"))
        return module_key(posixpath.normpath(posixpath.join(folder, spec))), ""
    for alias in ("@/", "~/", "#/", "$lib/", "src/"):
        if spec.startswith(alias):
            return "", "/" + module_key(spec[len(alias) :])
    return "", ""


class _File:
    def __init__(self, path: str, source: str, project: ProjectIndex | None = None) -> None:
        from tree_sitter import Parser

        suffix = "." + path.rsplit(".", 1)[-1] if "." in path else ".js"
        self.path = path
        self.source = source
        self.lines = source.splitlines()
        self.tree = Parser(_language(suffix)).parse(source.encode("utf-8"))
        self.project = project
        self.imports: dict[str, str] = {}
        self.import_names: dict[str, tuple[str, str]] = {}  # local -> (module, exported name)
        self.consts: dict[str, Node] = {}
        self.clients: dict[str, ExportedClient] = {}
        self.top_level: set[str] = set()  # clients bound at module level (exported to others)
        self._index(self.tree.root_node)

    def imported_client(self, local: str) -> ExportedClient | None:
        """The client a name imported from another scanned module was built as."""
        if self.project is None or local not in self.import_names:
            return None
        spec, name = self.import_names[local]
        exact, suffix = _import_keys(self.path, spec)
        found: ExportedClient | None = None
        if exact:
            found = self.project.js_clients.get(f"{exact}::{name}")
        elif suffix:
            found = next(
                (
                    c
                    for k, c in self.project.js_clients.items()
                    if k.endswith(f"::{name}") and ("/" + k.split("::")[0]).endswith(suffix)
                ),
                None,
            )
        # its line is in the other module, not this one: messages must not point here
        return None if found is None else replace(found, info=replace(found.info, line=0))

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
                        if ident.parent.type == "import_clause":
                            self.import_names[_text(ident)] = (module or "", "default")
                    if ident.type == "import_specifier":
                        name_node = ident.child_by_field_name("name")
                        alias = ident.child_by_field_name("alias") or name_node
                        self.import_names[_text(alias)] = (module or "", _text(name_node))
            elif n.type == "export_statement":
                value = n.child_by_field_name("value")
                info = self._client(value) if value is not None else None
                if info is not None:  # export default new OpenAI({...})
                    self.clients["default"] = info
                    self.top_level.add("default")
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
                                if module.startswith("."):
                                    self.import_names[_text(ident)] = (module, _text(ident))
                if name.type == "identifier":
                    self.consts[_text(name)] = value
                    info = self._client(value)
                    if info is not None:
                        self.clients[_text(name)] = info
                        if _enclosing_function(n) is None:
                            self.top_level.add(_text(name))
            elif n.type in ("public_field_definition", "field_definition"):
                # class Svc { private client = new OpenAI({...}) }: used as this.client
                name = n.child_by_field_name("name") or n.child_by_field_name("property")
                value = n.child_by_field_name("value")
                info = self._client(value) if name is not None and value is not None else None
                if info is not None:
                    self.clients["this." + _text(name)] = info
            elif n.type == "assignment_expression":
                left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
                if left is not None and right is not None:
                    info = self._client(right)
                    if info is not None:
                        self.clients[_text(left)] = info

    def _client(self, value: Node) -> ExportedClient | None:
        """A client built by ``new OpenAI({...})``, ``new ChatOpenAI({...})`` (LangChain.js)
        or ``axios.create({baseURL: <a provider endpoint>, ...})``."""
        if value.type == "await_expression" and value.named_children:
            value = value.named_children[0]
        if value.type == "call_expression":
            return self._axios_instance(value)
        if value.type != "new_expression":
            return None
        ctor = _text(value.child_by_field_name("constructor"))
        module = self.imports.get(ctor.split(".")[0], "")
        opts = self.object_items(_first_arg(value)) or {}
        retries = self.resolve(opts.get("maxRetries"))
        n_retries = (
            int(_text(retries)) if retries is not None and _text(retries).isdigit() else None
        )
        consts = self.literals(opts)
        if ctor in LANGCHAIN_CLASSES and "langchain" in module:
            timeout = "timeout" in opts or "signal" in opts
            keys = frozenset(opts)
            return ExportedClient(
                ClientInfo(
                    True, f"{module}.{ctor}", timeout, n_retries, value.start_point[0] + 1, keys
                ),
                "langchain",
                LANGCHAIN_CLASSES[ctor],
                tuple(sorted(consts.items())),
                keys,
            )
        if module not in CLIENT_MODULES:
            return None
        sdk, prov = CLIENT_MODULES[module]
        if ctor.endswith("AzureOpenAI"):
            sdk, prov = "azure-openai", "azure"
        if ctor.endswith("OpenAIApi"):  # openai v3 (2023): axios underneath, no retries
            sdk = "openai-v0"
        return ExportedClient(
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

    def _axios_instance(self, call: Node) -> ExportedClient | None:
        if _text(call.child_by_field_name("function")) not in ("axios.create", "create"):
            return None
        opts = self.object_items(_first_arg(call)) or {}
        base = "".join(p.text for p in self.pieces(opts.get("baseURL"))) if opts else ""
        hit = next((e for e in ENDPOINTS if e[0] in base), None)
        if hit is None:
            return None
        return ExportedClient(
            ClientInfo(True, "axios.create", "timeout" in opts, None, call.start_point[0] + 1),
            hit[1],
            hit[2],
            base_url=base,
        )

    def literals(self, opts: dict[str, Node]) -> dict[str, object]:
        """Option name -> literal value (numbers, booleans, strings), through constants."""
        consts: dict[str, object] = {}
        for k, v in opts.items():
            r = self.resolve(v)
            if r is None:
                continue
            if r.type == "number" and _text(r).replace("_", "").isdigit():
                consts[k] = int(_text(r).replace("_", ""))
            elif r.type in ("true", "false"):
                consts[k] = r.type == "true"
            elif (s := _string_value(r)) is not None:
                consts[k] = s
        return consts

    def client_for(self, recv: str) -> ExportedClient | None:
        found = self.clients.get(recv) or self.clients.get(recv.removeprefix("this."))
        if found is None and recv.startswith("this."):
            found = next((v for k, v in self.clients.items() if k.endswith(recv[4:])), None)
        if found is None and recv and "." not in recv:
            found = self.imported_client(recv)
        return found

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


def module_exports(path: str, source: str) -> ProjectIndex:
    """First pass of a project scan: the clients a JS/TS module builds at its top level."""
    from llm_audit.lint.python_ast import ProjectIndex

    f = _File(path, source)
    key = module_key(path)
    return ProjectIndex(
        js_clients={f"{key}::{name}": f.clients[name] for name in sorted(f.top_level)}
    )


def iter_sites(path: str, source: str, project: ProjectIndex | None = None) -> Iterator[CallSite]:
    f = _File(path, source, project)
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
    ctor_consts: dict[str, object] = {}  # LangChain: options set on the chat model
    ctor_keys: set[str] = set()
    prompt_arg: Node | None = None
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
    elif len(parts) >= 2 and parts[-1] in ("createChatCompletion", "createCompletion"):
        # the openai v3 package: openai.createChatCompletion({...}, {timeout})
        sdk, method = "openai", parts[-1]
        api = "chat" if method == "createChatCompletion" else "completions"
        recv = ".".join(parts[:-1])
    elif len(parts) >= 3 and parts[-2] == "batches" and parts[-1] == "create":
        sdk, api, method = "openai", "batches", "create"
        recv = ".".join(parts[:-2]).removesuffix(".messages")
    elif ftext in VERCEL_FUNCS and f.imports.get(ftext) == "ai":
        sdk, api, method = "vercel-ai", "generate", ftext
        recv = ""
        client = ClientInfo(known=True, constructor="ai")
    elif parts[-1] in LANGCHAIN_METHODS and len(parts) >= 2:
        lc = _langchain_receiver(f, func)
        if lc is None:
            return None
        found_lc, derived = lc
        sdk, api, method = "langchain", "invoke", parts[-1]
        provider = found_lc.provider
        client = found_lc.info
        recv = ""
        args = _args(call)
        prompt_arg = args[0] if args else None
        ctor_consts = dict(found_lc.consts)
        ctor_keys = set(found_lc.keys)
        for d in derived:  # llm.bind({max_tokens: 50}) / .withConfig({timeout})
            ctor_keys |= set(f.object_items(_first_arg(d)) or {})
        if len(args) > 1:
            extra_opts.update(f.object_items(args[1]) or {})
        retry_lib = retry_lib or any(
            _text(d.child_by_field_name("function")).endswith(".withRetry") for d in derived
        )
    elif ftext in ("fetch", "axios.post", "axios") or ftext.endswith(".post"):
        url_node = _first_arg(call)
        url = "".join(p.text for p in f.pieces(url_node))
        inst = f.client_for(".".join(parts[:-1])) if ftext.endswith(".post") else None
        if inst is not None and inst.base_url:  # axios.create({baseURL}).post("/chat/...")
            url = inst.base_url.rstrip("/") + "/" + url.lstrip("/")
        hit = next((e for e in ENDPOINTS if e[0] in url), None)
        if hit is None:
            return None
        sdk, api, method = hit[1], "http", "fetch" if ftext == "fetch" else "axios"
        provider = hit[2]
        recv = ""
        client = ClientInfo(known=True, constructor=method)
        if inst is not None and inst.base_url:
            client = inst.info
            if inst.info.timeout:  # axios.create({timeout}) covers every request
                ctor_keys.add("timeout")
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
        found = f.client_for(recv)
        if found is not None:
            client, sdk, provider = found.info, found.sdk, found.provider
        elif method.startswith("create") and method != "create":
            return None  # createChatCompletion on something that is not an OpenAIApi
        elif not any(m in CLIENT_MODULES for m in f.imports.values()) and not (
            # a client imported from a module outside the scan: chat.completions is the
            # OpenAI shape (and its compatibles); messages.create alone could be Twilio
            api in ("chat", "responses") and recv.split(".")[0] in f.import_names
        ):
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
    ctor_model = ctor_consts.get("model", ctor_consts.get("modelName"))
    if isinstance(ctor_model, str) and "model" not in kws:
        model, hardcoded = ctor_model, True
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
    consts: dict[str, object] = {**ctor_consts, **f.literals(kws)}
    keys: set[str] = set(kws) | ctor_keys
    # one vocabulary for the rules: the Python SDK's option names
    aliases = {
        "maxTokens": "max_tokens",
        "maxCompletionTokens": "max_completion_tokens",
        "maxOutputTokens": "max_output_tokens",
        "maxRetries": "max_retries",
        "abortSignal": "timeout",
        "signal": "timeout",
        "streaming": "stream",
    }
    for js, py in aliases.items():
        if js in keys:
            keys.add(py)
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
    if prompt_arg is not None:
        prompt += _langchain_prompt(f, prompt_arg)
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
    sink = _stream_sink(call, fn) if stream and method != "streamText" else ""
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
        keywords=frozenset(keys),
        consts=tuple(
            sorted((k, v) for k, v in consts.items() if isinstance(v, str | int | float | bool))
        ),
        kwargs_open=open_,
        client=client,
        prompt=tuple(prompt),
        prompt_text_words=" ".join(p.static_text for p in prompt).lower(),
        stream=stream,
        stream_only_accumulated=bool(sink),
        stream_sink=sink,
        loops=_loops(call),
        web_handler=bool(handler),
        retry_wrapped=retry,
        bounded_context=bool(re.search(r"truncat|budget|countTokens|tiktoken|maxChars", fn_text)),
        cache_control="cache_control" in _text(call)
        or any("cache_control" in _text(f.resolve(v)) for v in kws.values()),
        response_enum=bool(re.search(r"z\.enum|enum:|z\.boolean", _text(kws.get("schema")))),
        is_batch_api=api == "batches" or (sdk == "langchain" and method == "batch"),
    )


# a call in the chunk loop that shows the text as it arrives (a response, a socket, a UI)
JS_INTERACTIVE = re.compile(
    r"\b(write|enqueue|send|emit|push\w*Event|onToken|onChunk|callback|render|set\w*State|"
    r"postMessage|log|update)\(|\byield\b|process\.stdout|res\.|controller\."
)
# where joined text goes when nobody reads it live: queues, files, databases, caches, jobs
JS_SINK = re.compile(
    r"\.(insert|insertOne|insertMany|create|save|upsert|update|updateOne|set|hset|lpush|rpush|"
    r"add|put|putItem|sendMessage|publish|enqueue|query|execute)\(|writeFile(Sync)?\(|"
    r"appendFile(Sync)?\("
)


def _stream_sink(call: Node, fn: Node | None) -> str:
    """The sink when a stream's chunks are only joined and the text then stored; else ""."""
    if fn is None:
        return ""
    decl = call.parent
    while decl is not None and decl.type == "await_expression":
        decl = decl.parent
    if decl is None or decl.type != "variable_declarator":
        return ""
    name = _text(decl.child_by_field_name("name"))
    joined: set[str] = set()
    loop_end = 0
    for node in _walk(fn):
        if node.type != "for_in_statement" or _text(node.child_by_field_name("right")) != name:
            continue
        body = _text(node.child_by_field_name("body"))
        if JS_INTERACTIVE.search(body):
            return ""
        joined |= set(re.findall(r"(\w+)\s*\+=", body))
        joined |= set(re.findall(r"(\w+)\.push\(", body))
        loop_end = max(loop_end, node.end_byte)
    if not joined:
        return ""
    fn_text = fn.text or b""
    after = fn_text[loop_end - fn.start_byte :].decode("utf-8", errors="replace")
    # text built from the joined parts is joined text too (const text = parts.join(""))
    for m in re.finditer(r"(?:const|let|var)\s+(\w+)\s*=\s*([^;\n]+)", after):
        if any(re.search(rf"\b{re.escape(j)}\b", m.group(2)) for j in joined):
            joined.add(m.group(1))
    for m in JS_SINK.finditer(after):
        # the sink's own argument list: up to the matching close on the same statement
        args = after[m.end() : after.find(";", m.end()) if ";" in after[m.end() :] else None]
        if any(re.search(rf"\b{re.escape(j)}\b", args) for j in joined):
            start = after.rfind("\n", 0, m.start()) + 1
            return after[start : m.end() - 1].strip().removeprefix("await ").strip()
    return ""


def _langchain_receiver(f: _File, func: Node | None) -> tuple[ExportedClient, list[Node]] | None:
    """The LangChain chat model a ``.invoke`` goes to, through ``withStructuredOutput`` & co."""
    obj = func.child_by_field_name("object") if func is not None else None
    derived: list[Node] = []
    while obj is not None and obj.type == "call_expression":
        inner = obj.child_by_field_name("function")
        if inner is None or inner.type != "member_expression":
            return None
        if _text(inner.child_by_field_name("property")) not in LANGCHAIN_DERIVED:
            return None
        derived.append(obj)
        obj = inner.child_by_field_name("object")
    if obj is None:
        return None
    found = f.client_for(_text(obj))
    if found is None or found.sdk != "langchain":
        return None
    return found, derived


def _langchain_prompt(f: _File, arg: Node) -> list[PromptPart]:
    """``"text"``, ``[["system", "..."], ["human", q]]`` or ``[new SystemMessage(...), ...]``."""
    arg = f.resolve(arg) or arg
    line = arg.start_point[0] + 1
    if arg.type != "array":
        return [PromptPart("prompt", f.pieces(arg), line)]
    roles = {"system": "system", "human": "user", "user": "user", "ai": "assistant"}
    out: list[PromptPart] = []
    for el in arg.named_children:
        el_line = el.start_point[0] + 1
        if el.type == "array" and len(el.named_children) == 2:
            role = _string_value(el.named_children[0]) or "unknown"
            out.append(PromptPart(roles.get(role, role), f.pieces(el.named_children[1]), el_line))
        elif el.type == "new_expression":
            ctor = _text(el.child_by_field_name("constructor"))
            kinds = {"SystemMessage": "system", "HumanMessage": "user", "AIMessage": "assistant"}
            out.append(PromptPart(kinds.get(ctor, "unknown"), f.pieces(_first_arg(el)), el_line))
        else:
            out.append(PromptPart("history", (Piece("dynamic", _text(el), "value"),), el_line))
    return out
