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
# [tool.llm-audit.gate]: the CI gate's thresholds (their values are parsed by analyses.gate)
GATE_KEYS = ("max-increase", "max-call-increase", "max-monthly-increase", "max-unpriced-share",
             "max-p95-increase")


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
    _check_gate(table.get("gate", {}), path)
    return Config(path, tuple(path.parent / p for p in pricing), table)


def _check_gate(gate: object, path: Path) -> None:
    if not isinstance(gate, dict):
        raise ConfigError("[tool.llm-audit.gate] must be a table", path=str(path))
    unknown = sorted(set(gate) - set(GATE_KEYS))
    if unknown:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
        line = next((i for i, t in enumerate(text, 1)
                     if t.strip().startswith((unknown[0], f'"{unknown[0]}"'))), None)
        raise ConfigError(f"unknown key(s) in [tool.llm-audit.gate]: {', '.join(unknown)}",
                          path=str(path), line=line, hint=f"known keys: {', '.join(GATE_KEYS)}")
