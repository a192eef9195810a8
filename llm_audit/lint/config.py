"""The lint part of ``[tool.llm-audit]``: rule selection, excludes, rule options, usage.

Unknown keys and unknown rule codes are errors (exit 2), with the line they are on.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_audit import config as project_config
from llm_audit.errors import ConfigError
from llm_audit.lint.rules import RULES, lookup
from llm_audit.lint.rules.base import RuleOptions

# `rules` holds the rule options; the other keys belong to other commands and are only
# checked for shape by llm_audit.config.
LINT_KEYS = project_config.KNOWN_KEYS | {"rules"}
RULE_OPTION_KEYS = {
    "frontier-models": "frontier_models",
    "small-models": "small_models",
    "sdk-default-timeout-ok": "sdk_default_timeout_ok",
    "large-prefix-tokens": "large_prefix_tokens",
    "long-generation-tokens": "long_generation_tokens",
    "small-output-tokens": "small_output_tokens",
}
DEFAULT_CALLS_PER_MONTH = 10_000  # stated in every report that uses it


@dataclass(frozen=True)
class LintConfig:
    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    select: frozenset[str] = frozenset(r.code for r in RULES)
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    options: RuleOptions = field(default_factory=RuleOptions)
    usage: tuple[tuple[str, int], ...] = ()
    default_calls: int = DEFAULT_CALLS_PER_MONTH
    default_calls_stated: bool = False  # True when the project set `default`
    pricing: tuple[Path, ...] = ()
    # --select / --ignore from the command line: they override every project's config
    cli_select: tuple[str, ...] | None = None
    cli_ignore: tuple[str, ...] | None = None
    # [tool.llm-audit.usage.output-tokens]: output tokens per call where the code sets no cap
    output_usage: tuple[tuple[str, int], ...] = ()
    default_output: int | None = None


class ConfigResolver:
    """The nearest config per scanned file, like ruff: a file in a nested project (its own
    ``pyproject.toml`` with ``[tool.llm-audit]``, or ``llm-audit.toml``) is linted with that
    project's selection, excludes, per-file-ignores, rule options and usage profile. Files under
    no config use the invocation's (``base``). Lookups are cached per folder."""

    def __init__(self, base: LintConfig) -> None:
        self.base = base
        self._by_folder: dict[str, Path | None] = {}
        self._loaded: dict[Path, LintConfig] = {}
        if base.path is not None:
            self._loaded[base.path.resolve()] = base

    def _nearest(self, folder: str) -> Path | None:
        if folder in self._by_folder:
            return self._by_folder[folder]
        found: Path | None = None
        own = os.path.join(folder, "llm-audit.toml")
        pyproject = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(own):
            found = Path(own)
        elif os.path.isfile(pyproject) and _has_table(pyproject):
            found = Path(pyproject)
        else:
            parent = os.path.dirname(folder)
            found = None if parent == folder else self._nearest(parent)
        self._by_folder[folder] = found
        return found

    def for_file(self, path: Path) -> LintConfig:
        found = self._nearest(os.path.dirname(os.path.abspath(path)))
        if found is None:
            return self.base
        if found not in self._loaded:
            self._loaded[found] = load(
                found.parent,
                list(self.base.cli_select) if self.base.cli_select else None,
                list(self.base.cli_ignore) if self.base.cli_ignore else None,
            )
        return self._loaded[found]


def _has_table(pyproject: str) -> bool:
    try:
        with open(pyproject, encoding="utf-8", errors="replace") as fh:
            return "[tool.llm-audit" in fh.read()
    except OSError:
        return False


def _line_of(text: str, needle: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return None


def codes(values: object, what: str, path: str | None = None, text: str = "") -> frozenset[str]:
    """Rule codes or names -> codes; an unknown one is a ConfigError naming it."""
    if isinstance(values, str):
        values = [v for v in values.split(",") if v.strip()]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ConfigError(
            f"{what!r} must be a list of rule codes", path=path, line=_line_of(text, what)
        )
    out: set[str] = set()
    for v in values:
        if v.strip().upper() in ("ALL", "LLM"):
            out.update(r.code for r in RULES)
            continue
        rule = lookup(v)
        if rule is None:
            raise ConfigError(
                f"unknown rule code {v!r} in {what}",
                path=path,
                line=_line_of(text, v) if text else None,
                hint="`llm-audit rules` lists them: " + ", ".join(r.code for r in RULES),
            )
        out.add(rule.code)
    return frozenset(out)


def load(
    start: Path, select: list[str] | None = None, ignore: list[str] | None = None
) -> LintConfig:
    path = project_config.find(start.resolve())
    table: dict[str, Any] = {}
    text = ""
    if path is not None:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"not valid TOML: {e}", path=str(path)) from e
        raw = doc if path.name == "llm-audit.toml" else doc.get("tool", {}).get("llm-audit", {})
        if not isinstance(raw, dict):
            raise ConfigError("[tool.llm-audit] must be a table", path=str(path))
        table = raw
    where = str(path) if path else None
    unknown = sorted(set(table) - LINT_KEYS)
    if unknown:
        raise ConfigError(
            f"unknown key(s) in [tool.llm-audit]: {', '.join(unknown)}",
            path=where,
            line=_line_of(text, unknown[0]),
            hint=f"known keys: {', '.join(sorted(LINT_KEYS))}",
        )
    chosen = (
        codes(table["select"], "select", where, text)
        if "select" in table
        else frozenset(r.code for r in RULES)
    )
    if "ignore" in table:
        chosen -= codes(table["ignore"], "ignore", where, text)
    if select:
        chosen = codes(select, "--select")
    if ignore:
        chosen -= codes(ignore, "--ignore")
    exclude = table.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
        raise ConfigError(
            "'exclude' must be a list of glob patterns", path=where, line=_line_of(text, "exclude")
        )
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(
            "'per-file-ignores' must be a table of glob = [codes]",
            path=where,
            line=_line_of(text, "per-file-ignores"),
        )
    per_file = tuple(
        (glob, codes(v, f"per-file-ignores.{glob}", where, text)) for glob, v in pfi.items()
    )
    options = _options(table.get("rules", {}), where, text)
    usage_raw = table.get("usage", {})
    if not isinstance(usage_raw, dict):
        raise ConfigError("[tool.llm-audit.usage] must be a table", path=where)
    usage: list[tuple[str, int]] = []
    default = DEFAULT_CALLS_PER_MONTH
    output_usage: list[tuple[str, int]] = []
    default_output: int | None = None
    outputs = usage_raw.get("output-tokens")
    for k, v in outputs.items() if isinstance(outputs, dict) else ():
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            raise ConfigError(
                f"usage.output-tokens {k!r} must be a positive number of tokens, got {v!r}",
                path=where,
                line=_line_of(text, k),
            )
        if k == "default":
            default_output = v
        else:
            output_usage.append((k, v))
    for k, v in usage_raw.items():
        if k == "output-tokens" and isinstance(v, dict):
            continue  # read above
        if not isinstance(v, int | float) or isinstance(v, bool) or v < 0:
            raise ConfigError(
                f"usage {k!r} must be a number of calls per month, got {v!r}",
                path=where,
                line=_line_of(text, k),
            )
        if k == "default":
            default = int(v)
        else:
            usage.append((k, int(v)))
    pricing = table.get("pricing", [])
    root = path.parent if path else start.resolve()
    return LintConfig(
        path,
        root,
        chosen,
        tuple(exclude),
        per_file,
        options,
        tuple(usage),
        default,
        "default" in usage_raw,
        tuple(root / p for p in pricing if isinstance(p, str)),
        tuple(select) if select else None,
        tuple(ignore) if ignore else None,
        tuple(output_usage),
        default_output,
    )


def _options(raw: object, where: str | None, text: str) -> RuleOptions:
    if not isinstance(raw, dict):
        raise ConfigError("[tool.llm-audit.rules] must be a table", path=where)
    unknown = sorted(set(raw) - set(RULE_OPTION_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown rule option(s): {', '.join(unknown)}",
            path=where,
            line=_line_of(text, unknown[0]),
            hint=f"known: {', '.join(sorted(RULE_OPTION_KEYS))}",
        )
    kwargs: dict[str, Any] = {}
    for key, attr in RULE_OPTION_KEYS.items():
        if key not in raw:
            continue
        v = raw[key]
        default = getattr(RuleOptions(), attr)
        ok = (
            (isinstance(v, list) and all(isinstance(x, str) for x in v))
            if isinstance(default, tuple)
            else isinstance(v, type(default))
            and not (isinstance(v, bool) and not isinstance(default, bool))
        )
        if not ok:
            raise ConfigError(
                f"rule option {key!r} has the wrong type ({v!r})",
                path=where,
                line=_line_of(text, key),
            )
        kwargs[attr] = tuple(v) if isinstance(v, list) else v
    return RuleOptions(**kwargs)
