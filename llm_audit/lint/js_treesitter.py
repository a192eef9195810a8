"""The JavaScript / TypeScript front-end (tree-sitter grammars): call sites of JS SDKs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from llm_audit.lint.callsite import CallSite

PREFILTER = re.compile(
    rb"openai|@anthropic-ai|anthropic|from ['\"]ai['\"]|@ai-sdk|generateText|streamText|"
    rb"generateObject|api\.openai\.com|api\.anthropic\.com"
)


def iter_sites(path: str, source: str) -> Iterator[CallSite]:
    return iter(())
