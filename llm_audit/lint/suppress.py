"""Suppression comments (noqa and llm-audit: ignore[...]) parsed from real comments."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Za-z0-9_\-]+(?:[\s,]+[A-Za-z0-9_\-]+)*))?", re.I)
OURS = re.compile(r"#\s*llm-audit:\s*ignore(?:\[(?P<codes>[^\]]*)\])?", re.I)
CODE = re.compile(r"^LLM\d{3}$")


@dataclass(frozen=True)
class Suppression:
    line: int
    codes: frozenset[str] | None  # None: every rule (a bare noqa or ignore without codes)
    text: str


def parse(source: str) -> dict[int, Suppression]:
    """Suppressions by line; only real comments count (not text inside strings)."""
    out: dict[int, Suppression] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return out
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        for pattern in (OURS, NOQA):
            m = pattern.search(tok.string)
            if m is None:
                continue
            raw = m.group("codes")
            if raw is None:
                codes: frozenset[str] | None = None
            else:
                codes = frozenset(c.upper() for c in re.split(r"[\s,]+", raw.strip()) if c)
            prev = out.get(tok.start[0])
            if prev is not None and prev.codes is not None and codes is not None:
                codes = prev.codes | codes
            out[tok.start[0]] = Suppression(tok.start[0], codes, tok.string.strip())
            break
    return out


def covers(s: Suppression, code: str) -> bool:
    return s.codes is None or code in s.codes
