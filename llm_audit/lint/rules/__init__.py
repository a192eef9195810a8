"""The lint rules: one module per rule, registered here in code order."""

from __future__ import annotations

from llm_audit.lint.rules.base import Rule
from llm_audit.lint.rules.llm001_dynamic_before_static import DynamicBeforeStatic
from llm_audit.lint.rules.llm002_missing_output_cap import MissingOutputCap
from llm_audit.lint.rules.llm003_call_per_item_loop import CallPerItemLoop
from llm_audit.lint.rules.llm004_missing_timeout import MissingTimeout
from llm_audit.lint.rules.llm005_frontier_model_simple_task import FrontierModelForSimpleTask
from llm_audit.lint.rules.llm006_stream_mismatch import StreamMismatch
from llm_audit.lint.rules.llm007_unbounded_context import UnboundedContext
from llm_audit.lint.rules.llm008_missing_retry_fallback import MissingRetryFallback
from llm_audit.lint.rules.llm009_large_static_prefix_uncached import LargeStaticPrefixUncached

RULES: tuple[Rule, ...] = (
    DynamicBeforeStatic(),
    MissingOutputCap(),
    CallPerItemLoop(),
    MissingTimeout(),
    FrontierModelForSimpleTask(),
    StreamMismatch(),
    UnboundedContext(),
    MissingRetryFallback(),
    LargeStaticPrefixUncached(),
)
BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}
# Renamed rules keep working in config and suppressions (old code/name -> current code).
ALIASES: dict[str, str] = {}


def lookup(code_or_name: str) -> Rule | None:
    key = code_or_name.strip()
    key = ALIASES.get(key, key)
    return BY_CODE.get(key.upper()) or BY_NAME.get(key.lower())
