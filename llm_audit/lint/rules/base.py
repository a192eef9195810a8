"""The lint rule interface: a rule reads one ``CallSite`` and says what is wrong with it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from llm_audit.lint.callsite import CallSite

Severity = Literal["error", "warning", "info"]
Confidence = Literal["high", "medium", "low"]
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
CONFIDENCE_RANK: dict[str, int] = {"low": 0, "medium": 1, "high": 2}

# Defaults for the rule options in [tool.llm-audit.rules]; a project overrides them there.
FRONTIER_MODELS: tuple[str, ...] = (
    "gpt-4",
    "gpt-4-turbo",
    "gpt-4o",
    "gpt-4.1",
    "gpt-4.5",
    "gpt-5",
    "o1",
    "o3",
    "o1-pro",
    "o3-pro",
    "claude-3-opus",
    "claude-opus",
    "claude-3-5-sonnet",
    "claude-3-7-sonnet",
    "claude-sonnet-4",
    "claude-sonnet-4-5",
    "claude-opus-4",
    "gemini-1.5-pro",
    "gemini-2.5-pro",
    "gemini-3-pro",
)
SMALL_MODELS: tuple[str, ...] = (
    "gpt-4o-mini",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "gpt-5-mini",
    "gpt-5-nano",
    "o4-mini",
    "o3-mini",
    "claude-3-haiku",
    "claude-3-5-haiku",
    "claude-haiku-4-5",
    "gemini-1.5-flash",
    "gemini-2.0-flash",
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
)


@dataclass(frozen=True)
class RuleOptions:
    frontier_models: tuple[str, ...] = FRONTIER_MODELS
    small_models: tuple[str, ...] = SMALL_MODELS
    sdk_default_timeout_ok: bool = False  # the SDKs' ten-minute default counts as a timeout
    large_prefix_tokens: int = 1024  # Anthropic's minimum cacheable prefix (Sonnet/Opus)
    long_generation_tokens: int = 1000  # an output cap at/above this is a long generation
    small_output_tokens: int = 50  # an output cap at/below this is a short answer
    extra: tuple[tuple[str, object], ...] = field(default=())


@dataclass(frozen=True)
class Hit:
    """What a rule found at a call site; the engine turns it into a located Finding."""

    message: str
    fix: str
    line: int | None = None  # when not the call's own line (e.g. the caller's loop)
    confidence: Confidence | None = None  # when this hit is surer or less sure than usual


class Rule(Protocol):
    code: str
    name: str
    severity: Severity
    confidence: Confidence
    summary: str

    def check(self, site: CallSite, options: RuleOptions) -> Iterable[Hit]: ...


def is_model_in(model: str | None, names: Iterable[str]) -> bool:
    """True when ``model`` is one of ``names`` or a dated/provider-prefixed variant of one."""
    if not model:
        return False
    m = model.lower().rsplit("/", 1)[-1]
    m = m.split(":", 1)[0]
    for n in names:
        n = n.lower()
        if m == n or (m.startswith(n + "-") and not _is_variant_suffix(m[len(n) + 1 :])):
            return True
    return False


def _is_variant_suffix(rest: str) -> bool:
    """'mini', 'nano', 'flash', 'haiku'...: a smaller sibling, not a snapshot of the same."""
    return rest.split("-", 1)[0] in ("mini", "nano", "flash", "lite", "haiku", "instant")
