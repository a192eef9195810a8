"""The one exception tree of llm-audit, and how an error reads.

    LlmAuditError                 every error the user can act on (exit 2)
    ├── InputError                a file or value the user gave is malformed
    │   └── UsageTableError       a usage table breaks the schema contract
    ├── PricingError              a price table is malformed
    ├── UnpricedModelError        a model the user named has no price (with close known ids)
    ├── ConfigError               [tool.llm-audit] is malformed
    └── FetchError                a provider API or price source failed or answered wrongly
        └── AuthError             the API refused the key (which variable, which key type)

Findings and failed gates are data (exit 1), never exceptions. Anything else that escapes is an
internal error (exit 3). Other libraries' errors are translated once, where they are caught,
with ``raise ... from e``.
"""

from __future__ import annotations

from collections.abc import Sequence


class LlmAuditError(Exception):
    """An error the user can fix; rendered as ``<where>: <what>`` plus an optional hint."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    @property
    def where(self) -> str | None:
        if self.path is None:
            return None
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def render(self) -> str:
        head = f"{self.where}: {self.message}" if self.where else self.message
        return f"{head}\nhint: {self.hint}" if self.hint else head

    def __str__(self) -> str:
        return self.render()


class InputError(LlmAuditError):
    """A file or a value the user gave cannot be read as what it should be."""


class UsageTableError(InputError):
    """A usage table breaks the contract of ``usage.schema``; carries every problem at once."""

    def __init__(self, problems: Sequence[str], *, path: str | None = None) -> None:
        self.problems = list(problems)
        listed = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{len(self.problems)} problem(s) in the usage table:\n{listed}",
            path=path,
            hint="each reader must produce the columns of llm_audit.usage.schema",
        )


class PricingError(LlmAuditError):
    """A price table (bundled or passed with --pricing) is malformed."""


class UnpricedModelError(LlmAuditError):
    """A model named on the command line resolves to no price; never priced at $0."""

    def __init__(self, model: str, close: Sequence[str]) -> None:
        self.model = model
        self.close = list(close)
        hint = (
            "close known ids: " + ", ".join(self.close)
            if self.close
            else "see `llm-audit pricing list`"
        )
        hint += "; add a private price with --pricing FILE"
        super().__init__(f"unknown model {model!r}: it has no price in the tables", hint=hint)


class ConfigError(LlmAuditError):
    """The [tool.llm-audit] configuration is malformed."""


class FetchError(LlmAuditError):
    """The network side failed: timeouts, HTTP errors, malformed answers (never with a key)."""


class AuthError(FetchError):
    """HTTP 401/403: the message names the variable to set and the key type needed."""
