"""`[tool.llm-audit]` in pyproject.toml, or llm-audit.toml beside the code: read and checked.

Unknown keys are errors (exit 2), never silently ignored.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_audit.errors import ConfigError

KNOWN_KEYS = frozenset({"select", "ignore", "exclude", "per-file-ignores", "pricing", "usage",
                        "rules", "gate", "max-price-age"})


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    pricing: tuple[Path, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)


def find(start: Path) -> Path | None:
    """The nearest llm-audit.toml, or pyproject.toml with a [tool.llm-audit] table."""
    for folder in (start, *start.parents):
        own = folder / "llm-audit.toml"
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "[tool.llm-audit" in pyproject.read_text(errors="replace"):
            return pyproject
    return None


def load(start: Path | None = None) -> Config:
    path = find((start or Path.cwd()).resolve())
    if path is None:
        return Config()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"not valid TOML: {e}", path=str(path)) from e
    table = doc if path.name == "llm-audit.toml" else doc.get("tool", {}).get("llm-audit", {})
    if not isinstance(table, dict):
        raise ConfigError("[tool.llm-audit] must be a table", path=str(path))
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"unknown key(s) in [tool.llm-audit]: {', '.join(unknown)}",
                          path=str(path), hint=f"known keys: {', '.join(sorted(KNOWN_KEYS))}")
    pricing = table.get("pricing", [])
    if not isinstance(pricing, list) or not all(isinstance(p, str) for p in pricing):
        raise ConfigError("'pricing' must be a list of file paths", path=str(path))
    return Config(path, tuple(path.parent / p for p in pricing), table)
