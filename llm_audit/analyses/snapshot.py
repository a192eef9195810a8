"""Cost snapshots: what every LLM call site (and, from logs, every feature) costs, as a file.

A snapshot is the unit the CI gate compares. It carries everything needed to price it again
under other prices: per call site its model, its token counts and where each came from, and
the unit prices it was priced at, so that ``diff`` can tell a vendor's price change from a
change in the code. Costs come from the pricing engine (via ``analyses.prompts``); the stored
rates only re-price for attribution, and a test checks they reproduce the engine's figures.

The file is versioned JSON (``kind`` + ``schema_version``); reading one checks both and every
field, and a bad one is an ``InputError`` with ``file:line`` and a hint.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from llm_audit import __version__
from llm_audit.errors import InputError
from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.tables import Provenance, TableProvenance

if TYPE_CHECKING:
    from llm_audit.ingest.logs.load import LogLoad
    from llm_audit.lint.callsite import CallSite
    from llm_audit.lint.config import LintConfig

KIND = "llm-audit-snapshot"
SCHEMA_VERSION = 1
PER_MILLION = 1_000_000.0
DAYS_PER_MONTH = 30  # the convention `logs` and `estimate` state too
CREATE_HINT = "create one with `llm-audit snapshot PATH... -o FILE`"
# Only where no file is there: --update-baseline never overwrites a file it cannot read.
MISSING_HINT = CREATE_HINT + " (or `gate --update-baseline`)"


@dataclass(frozen=True)
class TierRates:
    """USD per million tokens for one model and tier, as the engine applied them."""

    input: float
    output: float
    lc_threshold: int | None = None  # a whole request above this many input tokens ...
    lc_input: float | None = None  # ... is billed at these rates
    lc_output: float | None = None

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        """The engine's arithmetic, in its order (so that equal inputs give equal floats)."""
        long = self.lc_threshold is not None and input_tokens > self.lc_threshold
        r_in = self.lc_input if long and self.lc_input is not None else self.input
        r_out = self.lc_output if long and self.lc_output is not None else self.output
        m = 1.0 / PER_MILLION
        return float(input_tokens) * r_in * m + float(output_tokens) * r_out * m

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"input": self.input, "output": self.output}
        if self.lc_threshold is not None:
            out["long_context"] = {
                "threshold": self.lc_threshold,
                "input": self.lc_input,
                "output": self.lc_output,
            }
        return out


@dataclass(frozen=True)
class SiteSnapshot:
    """One call site: identity, model, tokens, cost per call and per month."""

    id: str  # path::function::callee#n: stable when lines move
    path: str
    function: str
    line: int  # where it was; informational (the id does not depend on it)
    callee: str  # sdk.api.method
    fingerprint: str  # the call's own first line, hashed (a second way to pair sites)
    provider: str | None
    model_raw: str | None  # as written; None: not visible in the code
    model: str | None  # the priced id; None: unpriced
    service_tier: str
    input_tokens: int  # static prompt text only
    tokens_exact: bool
    encoding: str
    output_tokens: int
    output_source: str  # "max_tokens", "usage profile ..." or "default"
    cost_per_call: float | None  # None: unpriced (never $0)
    unpriced_reason: str
    calls_per_month: int
    calls_source: str

    @property
    def priced(self) -> bool:
        return self.cost_per_call is not None

    @property
    def monthly_cost(self) -> float | None:
        return None if self.cost_per_call is None else self.cost_per_call * self.calls_per_month

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "path": self.path,
            "function": self.function,
            "line": self.line,
            "callee": self.callee,
            "fingerprint": self.fingerprint,
            "provider": self.provider,
            "model_raw": self.model_raw,
            "model": self.model,
            "service_tier": self.service_tier,
            "input_tokens": self.input_tokens,
            "tokens_exact": self.tokens_exact,
            "encoding": self.encoding,
            "output_tokens": self.output_tokens,
            "output_source": self.output_source,
            "priced": self.priced,
            "cost_per_call": self.cost_per_call,
            "unpriced_reason": self.unpriced_reason,
            "calls_per_month": self.calls_per_month,
            "calls_source": self.calls_source,
            "monthly_cost": _money(self.monthly_cost),
        }


@dataclass(frozen=True)
class LogUnit:
    """Measured unit costs of one feature on one model, from request logs."""

    feature: str
    model: str
    requests: int
    unpriced_requests: int
    cost_per_call: float | None  # mean over priced requests; None: none priced
    users: int
    cost_per_user_month: float | None  # None: no user column
    p95_latency_ms: float | None
    cache_hit_rate: float | None  # cache-read share of input tokens

    @property
    def key(self) -> tuple[str, str]:
        return self.feature, self.model

    def to_json(self) -> dict[str, object]:
        return {
            "feature": self.feature,
            "model": self.model,
            "requests": self.requests,
            "unpriced_requests": self.unpriced_requests,
            "cost_per_call": self.cost_per_call,
            "users": self.users,
            "cost_per_user_month": self.cost_per_user_month,
            "p95_latency_ms": self.p95_latency_ms,
            "cache_hit_rate": self.cache_hit_rate,
        }


@dataclass(frozen=True)
class LogsSnapshot:
    sources: tuple[str, ...]
    requests: int
    window_days: float
    units: tuple[LogUnit, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "sources": list(self.sources),
            "requests": self.requests,
            "window_days": self.window_days,
            "units": [u.to_json() for u in self.units],
        }


@dataclass(frozen=True)
class Snapshot:
    tool_version: str
    pricing: Provenance
    priced_on: str  # the date whose price periods applied
    default_output_tokens: int
    default_calls_per_month: int
    default_calls_stated: bool
    config: str | None  # the config file the usage profile came from
    rates: Mapping[str, Mapping[str, TierRates]]  # model id -> tier -> rates
    sites: tuple[SiteSnapshot, ...]
    logs: LogsSnapshot | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def priced_sites(self) -> tuple[SiteSnapshot, ...]:
        return tuple(s for s in self.sites if s.priced)

    @property
    def monthly_cost(self) -> float:
        """Priced sites only; the unpriced ones are counted apart, never as $0."""
        return sum(cast(float, s.monthly_cost) for s in self.priced_sites)

    @property
    def unpriced_calls(self) -> int:
        return sum(s.calls_per_month for s in self.sites if not s.priced)

    @property
    def unpriced_share(self) -> float:
        calls = sum(s.calls_per_month for s in self.sites)
        return self.unpriced_calls / calls if calls else 0.0

    def rate(self, model: str | None, tier: str) -> TierRates | None:
        return self.rates.get(model, {}).get(tier) if model else None

    def to_json(self) -> dict[str, object]:
        from dataclasses import asdict

        return {
            "kind": KIND,
            "schema_version": SCHEMA_VERSION,
            "tool_version": self.tool_version,
            "pricing": {
                "version": self.pricing.version,
                "oldest_checked": self.pricing.oldest_checked,
                "tables": [asdict(t) for t in self.pricing.tables],
            },
            "priced_on": self.priced_on,
            "assumptions": {
                "default_output_tokens": self.default_output_tokens,
                "default_calls_per_month": self.default_calls_per_month,
                "default_calls_stated": self.default_calls_stated,
                "config": self.config,
            },
            "totals": {
                "call_sites": len(self.sites),
                "priced_sites": len(self.priced_sites),
                "unpriced_sites": len(self.sites) - len(self.priced_sites),
                "monthly_cost": _money(self.monthly_cost),
                "unpriced_calls_per_month": self.unpriced_calls,
                "unpriced_share": self.unpriced_share,
            },
            "rates": {
                m: {t: r.to_json() for t, r in sorted(tiers.items())}
                for m, tiers in sorted(self.rates.items())
            },
            "sites": [s.to_json() for s in self.sites],
            "logs": None if self.logs is None else self.logs.to_json(),
            "warnings": list(self.warnings),
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"


def _money(x: float | None) -> float | None:
    """A derived sum for the file: float noise rounded off at a tenth of a micro-dollar.

    Costs per call stay exact (they are what re-pricing starts from); sums and products are
    recomputed from them when the file is read.
    """
    return None if x is None else round(x, 10) + 0.0


# -- building --------------------------------------------------------------------------------


def _callee(site: CallSite) -> str:
    return ".".join(p for p in (site.sdk, site.api, site.method) if p)


def site_ids(sites: Sequence[CallSite]) -> list[str]:
    """path::function::callee#n, n counting same-callee calls in the function by position.

    The line number is left out on purpose: moving code (or adding lines above it) must not
    make a call site look removed and re-added.
    """
    order = sorted(range(len(sites)), key=lambda i: (sites[i].path, sites[i].line, sites[i].col))
    seen: dict[tuple[str, str, str], int] = {}
    ids = [""] * len(sites)
    for i in order:
        s = sites[i]
        key = (s.path, s.function or "<module>", _callee(s))
        seen[key] = seen.get(key, 0) + 1
        ids[i] = f"{key[0]}::{key[1]}::{key[2]}#{seen[key]}"
    return ids


def _fingerprint(site: CallSite) -> str:
    key = "\x1f".join((site.path, site.function, " ".join(site.source_line.split())))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def model_rates(book: PriceBook, model_id: str, on: dt.date) -> dict[str, TierRates]:
    """The rates of every tier of a model on a date, as the engine would pick them."""
    period = book.models[model_id].period_at(on)
    out: dict[str, TierRates] = {}
    for tier, price in period.tiers.items():
        lc = price.long_context
        out[tier] = TierRates(
            price.rates.input,
            price.rates.output,
            lc.threshold if lc else None,
            lc.rates.input if lc else None,
            lc.rates.output if lc else None,
        )
    return out


def build(
    sites: Sequence[CallSite],
    cfg: LintConfig,
    book: PriceBook,
    *,
    logs: LogsSnapshot | None = None,
    also_price: Sequence[str] = (),
    warnings: Sequence[str] = (),
    nested: Mapping[str, tuple[LintConfig, str]] | None = None,
) -> Snapshot:
    """Price the call sites with the engine and keep what re-pricing needs.

    ``also_price``: models whose rates to record although no site here uses them (the gate
    passes the baseline's models, so that the baseline can be re-priced at today's prices).
    """
    from llm_audit.analyses.prompts import DEFAULT_OUTPUT_TOKENS, price_sites

    today = dt.datetime.now(dt.UTC).date()
    costs = price_sites(sites, book, cfg, nested)
    ids = site_ids(sites)
    out: list[SiteSnapshot] = []
    used: set[str] = set()
    for s, c, sid in zip(sites, costs, ids, strict=True):
        cap_key = next(
            (
                k
                for k in ("max_completion_tokens", "max_output_tokens", "max_tokens")
                if isinstance(s.const(k), int) and not isinstance(s.const(k), bool)
            ),
            "max_tokens",
        )
        output_source = {
            "max_tokens": cap_key,
            "default": "default: no output cap in the code",
        }.get(c.output_source, c.output_source)
        if c.priced_model:
            used.add(c.priced_model)
        out.append(
            SiteSnapshot(
                id=sid,
                path=s.path,
                function=s.function,
                line=s.line,
                callee=_callee(s),
                fingerprint=_fingerprint(s),
                provider=s.provider,
                model_raw=s.model,
                model=c.priced_model,
                service_tier="batch" if s.is_batch_api else "standard",
                input_tokens=c.static_tokens,
                tokens_exact=c.tokens_exact,
                encoding=c.token_encoding,
                output_tokens=c.output_tokens,
                output_source=output_source,
                cost_per_call=c.cost_per_call,
                unpriced_reason=c.unpriced_reason,
                calls_per_month=c.calls_per_month,
                calls_source=c.calls_source,
            )
        )
    for raw in also_price:
        res = book.resolve(raw)
        if res.model is not None:
            used.add(res.model.id)
    rates = {m: model_rates(book, m, today) for m in sorted(used)}
    out.sort(key=lambda x: x.id)
    return Snapshot(
        tool_version=__version__,
        pricing=book.provenance,
        priced_on=today.isoformat(),
        default_output_tokens=DEFAULT_OUTPUT_TOKENS,
        default_calls_per_month=cfg.default_calls,
        default_calls_stated=cfg.default_calls_stated,
        config=str(cfg.path.name) if cfg.path else None,
        rates=rates,
        sites=tuple(out),
        logs=logs,
        warnings=tuple(warnings),
    )


def measure_logs(load: LogLoad, book: PriceBook, sources: Sequence[str]) -> LogsSnapshot:
    """Unit costs per feature and model from request logs, priced by the engine."""
    import numpy as np

    from llm_audit.analyses.logs_stats import spread
    from llm_audit.pricing.engine import price

    table = load.table
    if not len(table):
        return LogsSnapshot(tuple(sources), 0, 0.0, ())
    df = price(table, book)
    ts = df["timestamp"].dropna()
    window = (
        max((ts.max() - ts.min()).total_seconds() / 86400.0, 1.0)
        if len(ts)
        else float(DAYS_PER_MONTH)
    )
    month_factor = DAYS_PER_MONTH / window
    df = df.assign(
        _feature=df["feature"].astype("string").fillna("—"),
        _model=df["model"].fillna(df["model_raw"]).astype("string").fillna("?"),
    )
    units: list[LogUnit] = []
    for (feature, model), g in df.groupby(["_feature", "_model"], sort=True):
        priced = g[g["priced"].astype(bool)]
        n_priced = int(priced["requests"].sum())
        spent = float(priced["cost_total"].sum())
        users = int(g["user"].dropna().nunique())
        inp = float(g["input_tokens"].sum())
        p95 = spread(g["latency_ms"].to_numpy(dtype="float64")).p95
        units.append(
            LogUnit(
                feature=str(feature),
                model=str(model),
                requests=int(g["requests"].sum()),
                unpriced_requests=int(g["requests"].sum()) - n_priced,
                cost_per_call=spent / n_priced if n_priced else None,
                users=users,
                cost_per_user_month=spent * month_factor / users if users and n_priced else None,
                p95_latency_ms=None if np.isnan(p95) else float(p95),
                cache_hit_rate=float(g["cache_read_tokens"].sum()) / inp if inp else None,
            )
        )
    return LogsSnapshot(tuple(sources), int(df["requests"].sum()), window, tuple(units))


def snapshot_paths(
    paths: Sequence[Path],
    cfg: LintConfig,
    book: Callable[[], PriceBook],
    *,
    logs: Sequence[str] = (),
    also_price: Sequence[str] = (),
) -> Snapshot:
    """Lint ``paths`` for call sites (and read ``logs``), then build the snapshot."""
    from llm_audit.lint.engine import lint

    sites: tuple[CallSite, ...] = ()
    warnings: list[str] = []
    nested: Mapping[str, tuple[LintConfig, str]] = {}
    if paths:
        result = lint(paths, cfg)
        sites, nested = result.sites, result.nested
        warnings = [f"{w.path}:{w.line}: {w.message}" for w in result.warnings]
    prices = book()
    measured = None
    if logs:
        from llm_audit.ingest.logs.load import load_logs

        measured = measure_logs(load_logs(list(logs)), prices, logs)
    return build(
        sites, cfg, prices, logs=measured, also_price=also_price, warnings=warnings, nested=nested
    )


# -- reading ---------------------------------------------------------------------------------


class _Check:
    """Field checks on a loaded document, each failure pointing at the line it is on."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, needle: str, nth: int = 0) -> int | None:
        seen = -1
        for i, line in enumerate(self.lines, 1):
            if needle in line:
                seen += 1
                if seen >= nth:
                    return i
        return None

    def fail(self, message: str, line: int | None, hint: str | None = None) -> None:
        raise InputError(
            message,
            path=self.path,
            line=line,
            hint=hint or "the file is not a snapshot this version wrote; " + CREATE_HINT,
        )

    def get(
        self,
        obj: Mapping[str, Any],
        key: str,
        types: type | tuple[type, ...],
        where: str,
        line: int | None,
        *,
        optional: bool = False,
    ) -> Any:
        if key not in obj:
            self.fail(f"{where}: missing {key!r}", line)
        value = obj[key]
        if value is None and optional:
            return None
        ok = isinstance(value, types) and not (
            isinstance(value, bool)
            and bool not in (types if isinstance(types, tuple) else (types,))
        )
        if not ok:
            self.fail(
                f"{where}: {key!r} has the wrong type ({type(value).__name__})",
                self.line_of(f'"{key}"') if line is None else line,
            )
        return value


_NUM = (int, float)


def _rates(chk: _Check, raw: object, where: str) -> TierRates:
    if not isinstance(raw, dict):
        chk.fail(f"{where}: rates must be an object", chk.line_of('"rates"'))
    r = cast(dict[str, Any], raw)
    line = chk.line_of('"rates"')
    lc = (
        chk.get(r, "long_context", dict, where, line, optional=True)
        if "long_context" in r
        else None
    )
    return TierRates(
        float(chk.get(r, "input", _NUM, where, line)),
        float(chk.get(r, "output", _NUM, where, line)),
        int(chk.get(lc, "threshold", int, where, line)) if lc else None,
        float(chk.get(lc, "input", _NUM, where, line)) if lc else None,
        float(chk.get(lc, "output", _NUM, where, line)) if lc else None,
    )


def _site(chk: _Check, raw: object, i: int) -> SiteSnapshot:
    line = chk.line_of('"id"', i)
    where = f"site {i + 1}"
    if not isinstance(raw, dict):
        chk.fail(f"{where}: must be an object", line)
    d = cast(dict[str, Any], raw)

    def g(key: str, types: type | tuple[type, ...], optional: bool = False) -> Any:
        return chk.get(d, key, types, where, line, optional=optional)

    priced = g("priced", bool)
    cost = g("cost_per_call", _NUM, optional=True)
    if priced != (cost is not None):
        chk.fail(f"{where}: 'priced' and 'cost_per_call' disagree", line)
    for key in ("input_tokens", "output_tokens", "calls_per_month"):
        if g(key, int) < 0:
            chk.fail(f"{where}: {key!r} is negative", line)
    return SiteSnapshot(
        id=g("id", str),
        path=g("path", str),
        function=g("function", str),
        line=g("line", int),
        callee=g("callee", str),
        fingerprint=g("fingerprint", str),
        provider=g("provider", str, True),
        model_raw=g("model_raw", str, True),
        model=g("model", str, True),
        service_tier=g("service_tier", str),
        input_tokens=g("input_tokens", int),
        tokens_exact=g("tokens_exact", bool),
        encoding=g("encoding", str),
        output_tokens=g("output_tokens", int),
        output_source=g("output_source", str),
        cost_per_call=None if cost is None else float(cost),
        unpriced_reason=g("unpriced_reason", str),
        calls_per_month=g("calls_per_month", int),
        calls_source=g("calls_source", str),
    )


def _logs(chk: _Check, raw: object) -> LogsSnapshot | None:
    if raw is None:
        return None
    line = chk.line_of('"logs"')
    if not isinstance(raw, dict):
        chk.fail("'logs' must be an object or null", line)
    d = cast(dict[str, Any], raw)
    units = []
    for i, u in enumerate(chk.get(d, "units", list, "logs", line)):
        uline = chk.line_of('"feature"', i)
        where = f"logs unit {i + 1}"
        if not isinstance(u, dict):
            chk.fail(f"{where}: must be an object", uline)

        def g(
            key: str,
            types: type | tuple[type, ...],
            optional: bool = False,
            u: dict[str, Any] = u,
            where: str = where,
            uline: int | None = uline,
        ) -> Any:
            return chk.get(u, key, types, where, uline, optional=optional)

        def f(key: str) -> float | None:
            v = g(key, _NUM, True)
            return None if v is None else float(v)

        units.append(
            LogUnit(
                g("feature", str),
                g("model", str),
                g("requests", int),
                g("unpriced_requests", int),
                f("cost_per_call"),
                g("users", int),
                f("cost_per_user_month"),
                f("p95_latency_ms"),
                f("cache_hit_rate"),
            )
        )
    sources = chk.get(d, "sources", list, "logs", line)
    return LogsSnapshot(
        tuple(str(s) for s in sources),
        int(chk.get(d, "requests", int, "logs", line)),
        float(chk.get(d, "window_days", _NUM, "logs", line)),
        tuple(units),
    )


_TABLE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "provider": str,
    "name": str,
    "path": str,
    "sha256": str,
    "checked": str,
    "models": int,
    "bundled": bool,
}


class _NonFinite(ValueError):
    pass


def _no_constant(word: str) -> float:
    raise _NonFinite(word)


class OtherVersionError(InputError):
    """A snapshot of another schema version: `gate --update-baseline` may replace it."""


def loads(text: str, path: str) -> Snapshot:
    """Read a snapshot file; anything else (or another schema version) is an InputError."""
    try:
        doc = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise InputError(
            f"not valid JSON: {e.msg}", path=path, line=e.lineno, hint=CREATE_HINT
        ) from e
    except _NonFinite as e:  # Python writes NaN/Infinity; no cost or rate may be one
        word = str(e)
        line = next((i for i, t in enumerate(text.splitlines(), 1) if word in t), None)
        raise InputError(
            f"{word} is not a number a snapshot may hold", path=path, line=line, hint=CREATE_HINT
        ) from e
    chk = _Check(path, text)
    if not isinstance(doc, dict) or doc.get("kind") != KIND:
        chk.fail(
            'not an llm-audit cost snapshot (no "kind": "llm-audit-snapshot")',
            chk.line_of('"kind"') or 1,
            "the baseline must be a file written by `llm-audit snapshot`; " + CREATE_HINT,
        )
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise OtherVersionError(
            f"snapshot schema_version {version!r} is not the one this llm-audit reads "
            f"({SCHEMA_VERSION})",
            path=path,
            line=chk.line_of('"schema_version"') or 1,
            hint=f"regenerate the baseline with llm-audit {__version__}: "
            "`llm-audit gate --baseline FILE --update-baseline PATH...`",
        )
    top = cast(dict[str, Any], doc)

    def g(key: str, types: type | tuple[type, ...], optional: bool = False) -> Any:
        return chk.get(top, key, types, "snapshot", chk.line_of(f'"{key}"') or 1, optional=optional)

    pricing = g("pricing", dict)
    tables = []
    for t in chk.get(pricing, "tables", list, "pricing", chk.line_of('"tables"')):
        if not isinstance(t, dict):
            chk.fail("pricing: each table must be an object", chk.line_of('"tables"'))
        try:
            table = TableProvenance(**t)
        except TypeError as e:
            chk.fail(f"pricing: a table entry has the wrong fields ({e})", chk.line_of('"tables"'))
        for key, kind in _TABLE_FIELDS.items():  # each is printed or compared later
            chk.get(t, key, kind, "pricing table", chk.line_of(f'"{key}"'))
        try:
            dt.date.fromisoformat(table.checked)
        except ValueError:
            chk.fail(
                f"pricing table: 'checked' is not a date (YYYY-MM-DD): {table.checked!r}",
                chk.line_of('"checked"'),
            )
        tables.append(table)
    prov = Provenance(
        str(chk.get(pricing, "version", str, "pricing", chk.line_of('"pricing"'))), tuple(tables)
    )
    assume = g("assumptions", dict)
    aline = chk.line_of('"assumptions"')
    rates_raw = g("rates", dict)
    rates: dict[str, dict[str, TierRates]] = {}
    for model, tiers in rates_raw.items():
        if not isinstance(tiers, dict):
            chk.fail(f"rates of {model!r} must be an object by tier", chk.line_of(f'"{model}"'))
        rates[str(model)] = {
            str(t): _rates(chk, r, f"rates of {model}/{t}") for t, r in tiers.items()
        }
    sites = tuple(_site(chk, s, i) for i, s in enumerate(g("sites", list)))
    ids = [s.id for s in sites]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        chk.fail(f"site id {dup[0]!r} appears twice", chk.line_of(dup[0], 1))
    for s in sites:
        if s.priced and (not s.model or s.service_tier not in rates.get(s.model, {})):
            chk.fail(
                f"site {s.id!r}: priced, but no {s.service_tier} rates recorded for its model "
                f"{s.model!r}",
                chk.line_of(s.id),
            )
    return Snapshot(
        tool_version=g("tool_version", str),
        pricing=prov,
        priced_on=g("priced_on", str),
        default_output_tokens=int(
            chk.get(assume, "default_output_tokens", int, "assumptions", aline)
        ),
        default_calls_per_month=int(
            chk.get(assume, "default_calls_per_month", int, "assumptions", aline)
        ),
        default_calls_stated=bool(
            chk.get(assume, "default_calls_stated", bool, "assumptions", aline)
        ),
        config=chk.get(assume, "config", str, "assumptions", aline, optional=True),
        rates=rates,
        sites=sites,
        logs=_logs(chk, doc.get("logs")),
        warnings=tuple(str(w) for w in g("warnings", list)),
    )


def empty() -> Snapshot:
    """A snapshot of nothing: the baseline before the first one."""
    return Snapshot(
        tool_version=__version__,
        pricing=Provenance("none"),
        priced_on="",
        default_output_tokens=0,
        default_calls_per_month=0,
        default_calls_stated=False,
        config=None,
        rates={},
        sites=(),
    )


def load(path: Path) -> Snapshot:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as e:
        raise InputError("no such snapshot file", path=str(path), hint=MISSING_HINT) from e
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read the snapshot: {e}", path=str(path), hint=CREATE_HINT) from e
    return loads(text, str(path))
