"""Secrets that must never reach output: registered once, scrubbed from any text we print.

The fetch client registers the admin key it reads from the environment; the CLI error boundary
and every message about an HTTP exchange pass through ``scrub`` (httpx exceptions embed request
URLs, and providers echo a masked key in their 401 bodies).
"""

from __future__ import annotations

import re

_SECRETS: set[str] = set()
# Key-shaped tokens (sk- and 16+ key characters; a hint like "sk-admin-..." stays) go too: the
# 401 body of a provider echoes part of the key, which matches no registered value exactly.
_KEY_SHAPED = re.compile(r"\bsk-[A-Za-z0-9_\-*]{16,}")
MASK = "[redacted]"


def register(secret: str) -> None:
    """Remember a secret for the rest of the process (short values would mask common text)."""
    if len(secret) >= 8:
        _SECRETS.add(secret)


def scrub(text: str) -> str:
    """``text`` with every registered secret and key-shaped token masked."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _KEY_SHAPED.sub(MASK, text)
