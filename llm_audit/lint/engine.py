"""The lint engine: files in, located findings out (suppressions, selection, baseline).

A cheap byte-level prefilter skips files that name no LLM SDK or endpoint; the rest are
parsed, on all cores when there are many. A file that does not parse is a warning.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from llm_audit.errors import InputError
from llm_audit.lint import suppress
from llm_audit.lint.callsite import CallSite
from llm_audit.lint.config import ConfigResolver, LintConfig
from llm_audit.lint.python_ast import ModuleScan, ProjectIndex, helper_modules, key_suffixes
from llm_audit.lint.rules import RULES
from llm_audit.lint.rules.base import CONFIDENCE_RANK, Confidence, Rule, RuleOptions, Severity

PY_SUFFIXES = (".py", ".pyi")
JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")
SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "site-packages",
    "dist",
    "build",
    ".eggs",
}
T = TypeVar("T")
PARALLEL_FROM = 64  # candidate files; below this a process pool costs more than it saves
SCREEN_PARALLEL_FROM = 512  # files to prefilter; below this one core reads them fast enough


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    confidence: Confidence
    path: str
    line: int
    col: int
    message: str
    fix: str
    source_line: str
    site: CallSite

    @property
    def fingerprint(self) -> str:
        """Stable across line moves: rule, file, function and the call's own text."""
        key = "\x1f".join(
            (self.code, self.path, self.site.function, " ".join(self.source_line.split()))
        )
        return hashlib.sha256(key.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class FileProblem:
    path: str
    line: int
    message: str


@dataclass(frozen=True)
class LintResult:
    findings: tuple[Finding, ...]
    sites: tuple[CallSite, ...]
    files_scanned: int
    files_parsed: int
    warnings: tuple[FileProblem, ...]  # files that did not parse, unreadable files
    unused_suppressions: tuple[FileProblem, ...]
    baselined: int = 0
    # files linted with a nested project's config: shown path -> (that config, the path
    # relative to its root); usage keys and per-file globs of that project match the latter
    nested: Mapping[str, tuple[LintConfig, str]] = field(default_factory=dict)


def _source_line(lines: Sequence[str], line: int) -> str:
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def lint_source(
    path: str,
    source: str,
    rules: Sequence[Rule],
    options: RuleOptions,
    min_confidence: Confidence = "low",
    exports: ProjectIndex | None = None,
    sites_known: Sequence[CallSite] | None = None,
) -> tuple[list[Finding], list[CallSite], list[FileProblem]]:
    """Findings in one file's text, suppressions applied; (findings, sites, unused).

    ``exports`` are the clients and LLM helpers other scanned modules define at their top
    level, so that a client imported from elsewhere, or a loop over an imported helper, is
    still seen.
    """
    sites: list[CallSite] = []
    if sites_known is not None:  # the front-end already ran (first pass of a project scan)
        sites = list(sites_known)
    elif path.endswith(PY_SUFFIXES):
        from llm_audit.lint.python_ast import iter_sites

        sites = list(iter_sites(path, source, exports))
    elif path.endswith(JS_SUFFIXES):
        from llm_audit.lint.js_treesitter import iter_sites as js_sites

        sites = list(js_sites(path, source, exports))
    if not sites:
        return [], [], []
    lines = source.splitlines()
    found: list[Finding] = []
    for site in sites:
        for rule in rules:
            for hit in rule.check(site, options):
                conf = hit.confidence or rule.confidence
                if CONFIDENCE_RANK[conf] < CONFIDENCE_RANK[min_confidence]:
                    continue
                line = hit.line or site.line
                found.append(
                    Finding(
                        rule.code,
                        rule.name,
                        rule.severity,
                        conf,
                        path,
                        line,
                        site.col if line == site.line else 1,
                        hit.message,
                        hit.fix,
                        _source_line(lines, line),
                        site,
                    )
                )
    sups = suppress.parse(source) if path.endswith(PY_SUFFIXES) else _js_suppressions(source)
    used: set[tuple[int, str]] = set()
    kept: list[Finding] = []
    for f in found:
        span = {f.line, *range(f.site.line, f.site.end_line + 1)}
        hit_line = next(
            (ln for ln in sorted(span) if ln in sups and suppress.covers(sups[ln], f.code)), None
        )
        if hit_line is None:
            kept.append(f)
        else:
            used.add((hit_line, f.code))
    unused: list[FileProblem] = []
    selected = {r.code for r in rules}
    for ln, s in sorted(sups.items()):
        if s.codes is None:
            continue
        ours = sorted(c for c in s.codes if suppress.CODE.match(c))
        stale = [c for c in ours if c in selected and (ln, c) not in used]
        if stale:
            unused.append(FileProblem(path, ln, f"unused suppression of {', '.join(stale)}"))
    return kept, sites, unused


def _js_suppressions(source: str) -> dict[int, suppress.Suppression]:
    out = {}
    for i, line in enumerate(source.splitlines(), 1):
        if "//" in line:
            comment = "#" + line.split("//", 1)[1]
            for pat in (suppress.OURS, suppress.NOQA):
                m = pat.search(comment)
                if m:
                    raw = m.group("codes")
                    codes = (
                        None
                        if raw is None
                        else frozenset(c.upper() for c in raw.replace(",", " ").split())
                    )
                    out[i] = suppress.Suppression(i, codes, comment)
                    break
    return out


# -- files -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _GitIgnore:
    """The common subset of .gitignore: globs, dir/ patterns, anchored paths, ! negation.

    A hand-written matcher rather than a dependency; rarer forms (escaped characters,
    nested .gitignore files below the scanned folder) are not interpreted.
    """

    patterns: tuple[tuple[str, bool, bool, bool], ...]  # (glob, negated, dir_only, anchored)

    @classmethod
    def read(cls, root: Path) -> _GitIgnore | None:
        lines: list[str] = []
        for folder in (root, *root.parents):
            gi = folder / ".gitignore"
            if gi.is_file():
                lines += gi.read_text(errors="replace").splitlines()
            if (folder / ".git").exists():
                break
        pats = []
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            neg = line.startswith("!")
            line = line[1:] if neg else line
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            pats.append((line.lstrip("/"), neg, dir_only, anchored))
        return cls(tuple(pats)) if pats else None

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """Whether ``rel`` itself is ignored; the walk prunes ignored folders, so a file's
        parents are known not to be."""
        name = rel.rsplit("/", 1)[-1]
        result = False
        for glob, neg, dir_only, anchored in self.patterns:
            if dir_only and not is_dir:
                continue
            if fnmatch.fnmatchcase(rel if anchored else name, glob):
                result = not neg
        return result


def discover(paths: Sequence[Path], cfg: LintConfig) -> list[Path]:
    """Files to lint: given files as they are; folders walked, .gitignore and excludes honoured."""
    out: list[Path] = []
    for p in paths:
        if not p.exists():
            raise InputError(
                "no such file or directory", path=str(p), hint="pass source files or folders"
            )
        if p.is_file():
            out.append(p)
            continue
        spec = _GitIgnore.read(p.resolve())
        for folder, dirs, files in os.walk(p):
            here = os.path.relpath(folder, p).replace(os.sep, "/")
            prefix = "" if here == "." else here + "/"
            dirs[:] = sorted(
                d
                for d in dirs
                if d not in SKIP_DIRS
                and not d.endswith(".egg-info")
                and not (spec is not None and spec.ignored(prefix + d, True))
            )
            for name in sorted(files):
                if not name.endswith(PY_SUFFIXES + JS_SUFFIXES) or name.endswith(".d.ts"):
                    continue
                if spec is not None and spec.ignored(prefix + name, False):
                    continue
                out.append(Path(folder) / name)
    return [f for f in out if not _excluded(f, cfg)]


def _rel(path: Path, cfg: LintConfig) -> str:
    # a string prefix, not resolve()/relpath(): those walk the file system for every file,
    # which dominated large scans
    root = os.path.join(os.path.abspath(cfg.root), "")
    full = os.path.abspath(path)
    if not full.startswith(root):
        return path.as_posix()
    return full[len(root) :].replace(os.sep, "/")


def _excluded(path: Path, cfg: LintConfig) -> bool:
    rel = _rel(path, cfg)
    return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(path.as_posix(), g) for g in cfg.exclude)


def _prefilter(data: bytes, path: str) -> bool:
    if path.endswith(JS_SUFFIXES):
        from llm_audit.lint.js_treesitter import mentions_llm as js_mentions_llm

        return js_mentions_llm(data)
    from llm_audit.lint.python_ast import mentions_llm

    return mentions_llm(data)


class _Serial:
    """The process pool's interface, in this process (small scans)."""

    def __enter__(self) -> _Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(self, fn: Callable[..., T], *its: Iterable[Any], chunksize: int = 1) -> list[T]:
        return [fn(*args) for args in zip(*its, strict=True)]


def _names_any(path: str, needles: set[bytes]) -> bool:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return False
    return b"import" in data and any(n in data for n in needles)


Work = tuple[str, str, tuple[str, ...], RuleOptions, Confidence]
Exports = ProjectIndex
Outcome = tuple[list[Finding], list[CallSite], list[FileProblem], list[FileProblem], bool]


def _screen(real: str) -> bool | str:
    """Read and prefilter one file: True when it must be parsed, or why it cannot be read."""
    try:
        with open(real, "rb") as fh:  # not Path(): its parsing shows in big scans
            data = fh.read()
    except OSError as e:
        return f"cannot read: {e.strerror}"
    return _prefilter(data, real)


def _first(args: Work) -> tuple[Exports, Outcome | None, ModuleScan | None]:
    """First pass over a file that passed the prefilter: what it exports and, for a Python
    module, its findings as if alone (None when the second pass must lint it: JS/TS, or a
    file that does not read or parse, which the second pass reports)."""
    real, shown, codes, options, min_conf = args
    try:
        text = Path(real).read_bytes().decode("utf-8-sig")
        if real.endswith(JS_SUFFIXES):
            from llm_audit.lint.js_treesitter import module_exports as js_exports

            return js_exports(shown, text), None, None
        from llm_audit.lint.python_ast import module_scan

        scan = module_scan(shown, text)
        rules = [r for r in RULES if r.code in codes]
        found, sites, unused = lint_source(
            shown, text, rules, options, min_conf, sites_known=scan.sites
        )
    except (OSError, UnicodeDecodeError, SyntaxError, RecursionError, ValueError):
        return ProjectIndex(), None, None
    # the sites travel in the outcome; the scan keeps only what decides a second pass
    light = replace(scan, exports=ProjectIndex(), sites=())
    return scan.exports, (found, sites, unused, [], True), light


_EXPORTS = ProjectIndex()


def _share_exports(exports: Exports) -> None:
    """Pool initializer: the project index goes to each worker once, not with every file."""
    global _EXPORTS
    _EXPORTS = exports


def _one_shared(args: Work) -> Outcome:
    return _one(args, _EXPORTS)


def _one(args: Work, exports: Exports | None = None) -> Outcome:
    """Parse and lint one file that passed the prefilter (in a worker for big trees)."""
    real, shown, codes, options, min_conf = args
    try:
        source = Path(real).read_bytes().decode("utf-8-sig")
    except OSError as e:
        return [], [], [], [FileProblem(shown, 0, f"cannot read: {e.strerror}")], False
    except UnicodeDecodeError:
        return [], [], [], [FileProblem(shown, 0, "not UTF-8; skipped")], False
    rules = [r for r in RULES if r.code in codes]
    try:
        found, sites, unused = lint_source(shown, source, rules, options, min_conf, exports)
    except SyntaxError as e:
        return (
            [],
            [],
            [],
            [FileProblem(shown, e.lineno or 0, f"does not parse: {e.msg}; skipped")],
            True,
        )
    except RecursionError:
        return [], [], [], [FileProblem(shown, 0, "nested too deeply to analyse; skipped")], True
    return found, sites, unused, [], True


def lint(
    paths: Sequence[Path],
    cfg: LintConfig,
    min_confidence: Confidence = "low",
    jobs: int | None = None,
) -> LintResult:
    files = discover(paths, cfg)
    resolver = ConfigResolver(cfg)
    nested: dict[str, tuple[LintConfig, str]] = {}
    work = []
    for f in files:
        shown = _rel(f, cfg)
        # the nearest config per file (like ruff): a nested project keeps its own settings
        fcfg = resolver.for_file(f)
        local = shown
        if fcfg is not cfg:
            local = _rel(f, fcfg)
            if _excluded(f, fcfg):
                continue
            nested[shown] = (fcfg, local)
        codes = set(fcfg.select)
        for glob, ignored in fcfg.per_file_ignores:
            if fnmatch.fnmatch(local, glob):
                codes -= ignored
        work.append((str(f), shown, tuple(sorted(codes)), fcfg.options, min_confidence))
    # the byte prefilter: only files naming an LLM SDK or endpoint are parsed. It reads every
    # file, so a big tree is screened on all cores too (forked workers start in milliseconds)
    results: list[Outcome] = []
    todo: list[Work] = []
    skipped: list[Work] = []
    cpus = jobs or os.cpu_count() or 1
    with ExitStack() as stack:
        pool: ProcessPoolExecutor | _Serial = _Serial()
        if cpus > 1 and len(work) >= SCREEN_PARALLEL_FROM:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=jobs))
        verdicts = pool.map(
            _screen, [w[0] for w in work], chunksize=max(1, len(work) // (4 * cpus))
        )
        for w, verdict in zip(work, verdicts, strict=True):
            if verdict is True:
                todo.append(w)
            elif verdict is False:
                skipped.append(w)
            else:
                results.append(([], [], [], [FileProblem(w[1], 0, str(verdict))], False))
        if isinstance(pool, _Serial) and len(todo) >= PARALLEL_FROM and cpus > 1:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=jobs))
        elif not isinstance(pool, _Serial) and len(todo) < PARALLEL_FROM:
            pool = _Serial()  # a few files: pickling the project index costs more
        exports = ProjectIndex()
        first = list(pool.map(_first, todo, chunksize=max(1, min(16, len(todo) // (4 * cpus)))))
        for part, _outcome, _scan in first:
            exports.update(part)
        # a module is linted again only when another module's client or helper could change
        # what it finds (it imports one, or calls a helper's name); the rest keep pass one
        suffixes, helpers = key_suffixes(exports), helper_modules(exports)
        again: list[Work] = []
        for w, (_part, outcome, scan) in zip(todo, first, strict=True):
            if outcome is None or scan is None or scan.depends_on(exports, suffixes, helpers):
                again.append(w)
            else:
                results.append(outcome)
        # a module that names no SDK but imports a helper that makes the call is parsed too
        needles = {k.rsplit(".", 1)[-1].encode() for k in exports.helpers}
        # ... and a JS/TS module that imports a client another module builds (a default
        # export is imported under any name, but from a path ending in the module's name)
        needles |= {
            (name if name != "default" else key.rsplit("/", 1)[-1]).encode()
            for key, name in (k.split("::") for k in exports.js_clients)
        }
        for w in skipped:
            if needles and _names_any(w[0], needles):
                again.append(w)
            else:
                results.append(([], [], [], [], False))
    if len(again) >= PARALLEL_FROM and cpus > 1:
        with ProcessPoolExecutor(
            max_workers=jobs, initializer=_share_exports, initargs=(exports,)
        ) as lint_pool:
            results += lint_pool.map(_one_shared, again, chunksize=4)
    else:
        results += [_one(w, exports) for w in again]
    findings: list[Finding] = []
    sites: list[CallSite] = []
    unused: list[FileProblem] = []
    warnings: list[FileProblem] = []
    parsed = 0
    for found, s, u, problems, did_parse in results:
        findings += found
        sites += s
        unused += u
        warnings += problems
        parsed += did_parse
    findings.sort(key=lambda f: (f.path, f.line, f.code))
    return LintResult(
        tuple(findings),
        tuple(sites),
        len(work),
        parsed,
        tuple(warnings),
        tuple(unused),
        nested=nested,
    )


# -- baseline --------------------------------------------------------------------------------


def write_baseline(result: LintResult) -> str:
    entries = [
        {"code": f.code, "path": f.path, "function": f.site.function, "fingerprint": f.fingerprint}
        for f in result.findings
    ]
    return (
        json.dumps(
            {"schema_version": 1, "tool": "llm-audit prompts", "findings": entries},
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )


def apply_baseline(result: LintResult, baseline: Path) -> LintResult:
    """Drop findings already in the baseline (matched by fingerprint, so line moves are fine)."""
    try:
        doc = json.loads(baseline.read_text(encoding="utf-8"))
        known = Counter(str(e["fingerprint"]) for e in doc["findings"])
    except FileNotFoundError as e:
        raise InputError(
            "baseline file not found", path=str(baseline), hint="create it with --write-baseline"
        ) from e
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise InputError(
            f"not a llm-audit baseline: {e}",
            path=str(baseline),
            hint="regenerate it with --write-baseline",
        ) from e
    kept = []
    dropped = 0
    for f in result.findings:
        if known[f.fingerprint] > 0:
            known[f.fingerprint] -= 1
            dropped += 1
        else:
            kept.append(f)
    return replace(result, findings=tuple(kept), baselined=dropped)
