"""Compare two cost snapshots, split each change into its causes, and judge it against a policy.

The split re-prices, one step at a time, so that the steps add up to the change:

    base as it was
    -> base tokens and model at the head's prices        = the price-table change
    -> base tokens on the head's model (and tier)        = the model change
    -> head prompt tokens on the head's model            = the prompt-token change
    -> head output tokens (the head as it is)            = the output-token change

and per month, calls x cost per call: the per-call steps at the base's calls, then the change
in calls at the head's cost (the usage-profile change). A pull request is judged on everything
except the price step: a vendor's price change is reported, never blamed on the code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from llm_audit.analyses.snapshot import LogUnit, SiteSnapshot, Snapshot, TierRates
from llm_audit.config import GATE_KEYS, Config
from llm_audit.errors import ConfigError, InputError

Cause = Literal[
    "price",
    "model",
    "prompt tokens",
    "output tokens",
    "usage",
    "new site",
    "removed site",
    "now priced",
    "unpriced",
]
CAUSES: tuple[Cause, ...] = get_args(Cause)  # the order reports list them in
Status = Literal["changed", "unchanged", "new", "removed"]


@dataclass(frozen=True)
class Effect:
    cause: Cause
    per_call: float | None  # USD per call (None: not a per-call effect, or unknown)
    per_month: float | None  # USD per month (None: unknown, an unpriced side)
    detail: str


@dataclass(frozen=True)
class SiteChange:
    id: str
    status: Status
    base: SiteSnapshot | None
    head: SiteSnapshot | None
    base_at_head_prices: float | None  # the base's cost per call at the head's prices
    effects: tuple[Effect, ...]

    @property
    def site(self) -> SiteSnapshot:
        return self.head or self.base  # type: ignore[return-value]  # one side always exists

    @property
    def comparable(self) -> bool:
        """The head is priced (or gone): its dollars are known.

        A base that was unpriced counts as $0, so a call site that moves from an unknown model
        to a priced one adds its whole cost (the gate errs towards failing). A head that is
        unpriced is left out on both sides: never $0, and never a saving.
        """
        return self.head is None or self.head.priced

    @property
    def monthly_delta(self) -> float | None:
        if not self.comparable:
            return None
        return sum(e.per_month or 0.0 for e in self.effects)

    @property
    def code_monthly_delta(self) -> float | None:
        """The change without the price-table step: what the code (and usage) did."""
        if not self.comparable:
            return None
        return sum(e.per_month or 0.0 for e in self.effects if e.cause != "price")

    @property
    def call_increase(self) -> float | None:
        """Cost per call, head over base at the head's prices, minus one (price step out)."""
        if self.head is None or self.head.cost_per_call is None or not self.base_at_head_prices:
            return None
        return self.head.cost_per_call / self.base_at_head_prices - 1.0

    @property
    def causes(self) -> tuple[Cause, ...]:
        return tuple(e.cause for e in self.effects)


@dataclass(frozen=True)
class UnitChange:
    """One feature x model measured in logs, before and after."""

    feature: str
    model: str
    base: LogUnit | None
    head: LogUnit | None

    @property
    def p95_delta_ms(self) -> float | None:
        if self.base is None or self.head is None:
            return None
        if self.base.p95_latency_ms is None or self.head.p95_latency_ms is None:
            return None
        return self.head.p95_latency_ms - self.base.p95_latency_ms

    @property
    def p95_increase(self) -> float | None:
        d = self.p95_delta_ms
        if d is None or not self.base or not self.base.p95_latency_ms:
            return None
        return d / self.base.p95_latency_ms


@dataclass(frozen=True)
class DiffResult:
    base: Snapshot
    head: Snapshot
    changes: tuple[SiteChange, ...]
    units: tuple[UnitChange, ...]
    notes: tuple[str, ...] = ()

    @property
    def prices_changed(self) -> bool:
        return self.base.pricing.version != self.head.pricing.version

    def by_cause(self) -> dict[Cause, float]:
        out: dict[Cause, float] = {}
        for c in self.changes:
            if not c.comparable:
                continue
            for e in c.effects:
                if e.per_month is not None:
                    out[e.cause] = out.get(e.cause, 0.0) + e.per_month
        return {k: out[k] for k in CAUSES if k in out}

    @property
    def base_monthly(self) -> float:
        """The base's priced monthly cost, over call sites comparable on both sides."""
        return sum(c.base.monthly_cost or 0.0 for c in self.changes if c.base and c.comparable)

    @property
    def head_monthly(self) -> float:
        return sum(c.head.monthly_cost or 0.0 for c in self.changes if c.head and c.comparable)

    @property
    def base_at_head_prices(self) -> float:
        """The base re-priced at the head's prices: what the code is judged against."""
        return sum(
            (c.base_at_head_prices or 0.0) * c.base.calls_per_month
            for c in self.changes
            if c.base and c.comparable
        )

    @property
    def code_delta(self) -> float:
        return self.head_monthly - self.base_at_head_prices

    @property
    def code_increase(self) -> float | None:
        if self.base_at_head_prices:
            return self.code_delta / self.base_at_head_prices
        return math.inf if self.code_delta > 0 else None

    @property
    def not_comparable(self) -> tuple[SiteChange, ...]:
        return tuple(c for c in self.changes if not c.comparable)

    @property
    def new_unpriced_calls(self) -> int:
        """Calls per month at head sites that are unpriced and were not unpriced before."""
        return sum(
            c.head.calls_per_month
            for c in self.changes
            if c.head and not c.head.priced and (c.base is None or c.base.priced)
        )

    @property
    def new_unpriced_share(self) -> float:
        calls = sum(s.calls_per_month for s in self.head.sites)
        return self.new_unpriced_calls / calls if calls else 0.0


# -- the diff ----------------------------------------------------------------------------------


def _pair(base: Snapshot, head: Snapshot) -> list[tuple[SiteSnapshot | None, SiteSnapshot | None]]:
    """Pair the call sites of two snapshots.

    Within one file, function and callee, the same number of calls pair in order (their ids
    match). When a call was added or removed there, the ordinals shift, so the most alike calls
    pair first (same call text, same model, closest prompt size) and the rest are new or
    removed. What is left pairs by the call's fingerprint when that is unique.
    """
    groups: dict[str, tuple[list[SiteSnapshot], list[SiteSnapshot]]] = {}
    for side, snap in ((0, base), (1, head)):
        for s in snap.sites:
            groups.setdefault(s.id.rsplit("#", 1)[0], ([], []))[side].append(s)
    pairs: list[tuple[SiteSnapshot | None, SiteSnapshot | None]] = []
    left_base: list[SiteSnapshot] = []
    left_head: list[SiteSnapshot] = []
    for bs, hs in groups.values():
        if len(bs) == len(hs):
            pairs += list(zip(bs, hs, strict=True))
            continue

        def unlike(
            bh: tuple[int, int], bs: list[SiteSnapshot] = bs, hs: list[SiteSnapshot] = hs
        ) -> tuple[bool, bool, int, int]:
            b, h = bs[bh[0]], hs[bh[1]]
            return (
                b.fingerprint != h.fingerprint,
                b.model_raw != h.model_raw,
                abs(b.input_tokens - h.input_tokens),
                abs(b.line - h.line),
            )

        used_b: set[int] = set()
        used_h: set[int] = set()
        for bi, hi in sorted(((x, y) for x in range(len(bs)) for y in range(len(hs))), key=unlike):
            if bi not in used_b and hi not in used_h:
                used_b.add(bi)
                used_h.add(hi)
                pairs.append((bs[bi], hs[hi]))
        left_base += [b for k, b in enumerate(bs) if k not in used_b]
        left_head += [h for k, h in enumerate(hs) if k not in used_h]
    by_fp: dict[str, list[SiteSnapshot]] = {}
    for h in left_head:
        by_fp.setdefault(h.fingerprint, []).append(h)
    for b in left_base:
        cands = by_fp.get(b.fingerprint, [])
        if len(cands) == 1 and sum(x.fingerprint == b.fingerprint for x in left_base) == 1:
            h = cands.pop()
            left_head.remove(h)
            pairs.append((b, h))
        else:
            pairs.append((b, None))
    pairs += [(None, h) for h in left_head]
    return pairs


def _cost(rates: TierRates | None, inp: int, out: int) -> float | None:
    return None if rates is None else rates.cost(inp, out)


def _usd(x: float) -> str:
    """Money in a cause's text: cents from a dollar up, enough digits below (no float noise)."""
    sign = "-" if x < 0 else ""
    v = abs(x)
    if v >= 1:
        return f"{sign}${v:,.2f}"
    text = f"{v:.8f}".rstrip("0")
    return f"{sign}${text}" if len(text.split(".")[1]) >= 2 else f"{sign}${v:.2f}"


def _site_change(
    base: Snapshot, head: Snapshot, b: SiteSnapshot | None, h: SiteSnapshot | None, notes: list[str]
) -> SiteChange:
    if b is None:
        assert h is not None
        if not h.priced:
            on = h.model_raw or "a model not visible in the code"
            return SiteChange(
                h.id,
                "new",
                None,
                h,
                None,
                (
                    Effect(
                        "unpriced",
                        None,
                        None,
                        f"new call site on {on}: unpriced ({h.unpriced_reason})",
                    ),
                ),
            )
        return SiteChange(
            h.id,
            "new",
            None,
            h,
            None,
            (
                Effect(
                    "new site",
                    h.cost_per_call,
                    h.monthly_cost,
                    f"new call site: {h.model} x {h.calls_per_month:,} calls/month",
                ),
            ),
        )
    if h is None:
        if not b.priced:
            return SiteChange(
                b.id,
                "removed",
                b,
                None,
                None,
                (Effect("removed site", None, None, "removed (it was unpriced)"),),
            )
        return SiteChange(
            b.id,
            "removed",
            b,
            None,
            b.cost_per_call,
            (
                Effect(
                    "removed site",
                    -(b.cost_per_call or 0.0),
                    -(b.monthly_cost or 0.0),
                    "call site removed",
                ),
            ),
        )
    if not h.priced:
        why = (
            "unpriced before and after"
            if not b.priced
            else f"now unpriced ({h.unpriced_reason}); was {_usd(b.cost_per_call or 0.0)}/call"
        )
        found = () if _same(b, h) else (Effect("unpriced", None, None, why),)
        return SiteChange(h.id, "unchanged" if not found else "changed", b, h, None, found)
    assert h.cost_per_call is not None
    if not b.priced:
        return SiteChange(
            h.id,
            "changed",
            b,
            h,
            None,
            (
                Effect(
                    "now priced",
                    h.cost_per_call,
                    h.monthly_cost,
                    f"was unpriced ({b.unpriced_reason}); now {h.model} at "
                    f"{_usd(h.cost_per_call)}/call",
                ),
            ),
        )
    assert b.cost_per_call is not None
    c0, c3 = b.cost_per_call, h.cost_per_call
    same_model = b.model == h.model and b.service_tier == h.service_tier
    same_tokens = (b.input_tokens, b.output_tokens) == (h.input_tokens, h.output_tokens)
    old_rates = base.rate(b.model, b.service_tier)
    new_rates = head.rate(b.model, b.service_tier)
    # c1: the base at the head's prices. Exact shortcuts where a step changes nothing, so that
    # float noise never shows up as a cause.
    if new_rates is None:
        c1 = c0
        notes.append(
            f"{h.id}: the head snapshot has no price for the base model {b.model}; "
            "its price change (if any) is counted with the model change"
        )
    elif new_rates == old_rates:
        c1 = c0
    elif same_model and same_tokens:
        c1 = c3
    else:
        c1 = new_rates.cost(b.input_tokens, b.output_tokens)
    head_rates = head.rate(h.model, h.service_tier)
    if same_model:
        c2 = c1
    elif same_tokens:
        c2 = c3
    else:
        c2 = _cost(head_rates, b.input_tokens, b.output_tokens) or 0.0
    if b.input_tokens == h.input_tokens:
        c2a = c2
    elif b.output_tokens == h.output_tokens:
        c2a = c3
    else:
        c2a = _cost(head_rates, h.input_tokens, b.output_tokens) or 0.0
    n0, n1 = b.calls_per_month, h.calls_per_month
    effects: list[Effect] = []
    if c1 != c0:
        effects.append(
            Effect(
                "price",
                c1 - c0,
                (c1 - c0) * n0,
                f"{b.model} price table: {_usd(c0)} -> {_usd(c1)}/call at "
                "unchanged tokens (not the code's doing)",
            )
        )
    if c2 != c1 or not same_model:
        tier = (
            f" ({b.service_tier} -> {h.service_tier})" if b.service_tier != h.service_tier else ""
        )
        effects.append(Effect("model", c2 - c1, (c2 - c1) * n0, f"{b.model} -> {h.model}{tier}"))
    if c2a != c2 or b.input_tokens != h.input_tokens:
        effects.append(
            Effect(
                "prompt tokens",
                c2a - c2,
                (c2a - c2) * n0,
                f"static prompt {b.input_tokens:,} -> {h.input_tokens:,} tokens",
            )
        )
    if c3 != c2a or b.output_tokens != h.output_tokens:
        effects.append(
            Effect(
                "output tokens",
                c3 - c2a,
                (c3 - c2a) * n0,
                f"output {b.output_tokens:,} ({b.output_source}) -> "
                f"{h.output_tokens:,} ({h.output_source})",
            )
        )
    if n1 != n0:
        effects.append(
            Effect(
                "usage",
                None,
                c3 * (n1 - n0),
                f"calls/month {n0:,} ({b.calls_source}) -> {n1:,} ({h.calls_source})",
            )
        )
    status: Status = "changed" if effects or not _same(b, h) else "unchanged"
    return SiteChange(h.id, status, b, h, c1, tuple(effects))


def _same(b: SiteSnapshot, h: SiteSnapshot) -> bool:
    keys = (
        "model_raw",
        "model",
        "service_tier",
        "input_tokens",
        "output_tokens",
        "cost_per_call",
        "calls_per_month",
    )
    return all(getattr(b, k) == getattr(h, k) for k in keys)


def diff(base: Snapshot, head: Snapshot) -> DiffResult:
    notes: list[str] = []
    changes = [_site_change(base, head, b, h, notes) for b, h in _pair(base, head)]
    order = {"changed": 0, "new": 1, "removed": 2, "unchanged": 3}
    changes.sort(key=lambda c: (order[c.status], -abs(c.monthly_delta or 0.0), c.id))
    if base.pricing.version != head.pricing.version:
        notes.append(
            f"the price tables differ (base v{base.pricing.version}, head "
            f"v{head.pricing.version}); their effect is the 'price' cause and is not "
            "counted against the code"
        )
    if base.tool_version != head.tool_version and base.sites:
        notes.append(
            f"the baseline was written by llm-audit {base.tool_version}, the head by "
            f"{head.tool_version}: token counting may differ between them"
        )
    if base.sites and not head.sites and head.logs is None:
        notes.append(
            f"the head has no LLM call site at all (the baseline has {len(base.sites)}): "
            "if that is not a deliberate removal, check the PATHs given to the gate"
        )
    if base.default_output_tokens != head.default_output_tokens and base.sites:
        notes.append(
            f"the default output assumption changed ({base.default_output_tokens} -> "
            f"{head.default_output_tokens} tokens)"
        )
    units: list[UnitChange] = []
    if base.logs is not None or head.logs is not None:
        b_units = {u.key: u for u in (base.logs.units if base.logs else ())}
        h_units = {u.key: u for u in (head.logs.units if head.logs else ())}
        for key in sorted(set(b_units) | set(h_units)):
            units.append(UnitChange(key[0], key[1], b_units.get(key), h_units.get(key)))
    return DiffResult(base, head, tuple(changes), tuple(units), tuple(notes))


# -- the policy --------------------------------------------------------------------------------

THRESHOLD_KEYS = GATE_KEYS
_PCT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")
_MS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*ms\s*$")
_USD = re.compile(r"^\s*\$?\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Limit:
    """One threshold: its value, its unit and where it was set."""

    key: str
    value: float  # a fraction for percentages, USD, or ms
    unit: Literal["fraction", "usd", "ms"]
    source: str  # "--max-increase" or "pyproject.toml [tool.llm-audit.gate]"

    @property
    def text(self) -> str:
        if self.unit == "fraction":
            return f"{self.value * 100:g}%"
        if self.unit == "usd":
            return f"${self.value:,.2f}/month"
        return f"{self.value:g} ms"


def parse_limit(key: str, raw: object, source: str) -> Limit:
    """A threshold value as written on the command line or in the config; ValueError if bad."""
    text = str(raw).strip() if not isinstance(raw, bool) else ""
    number = raw if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    pct = _PCT.match(text)
    if pct and float(pct.group(1)) < 0:  # it would fail every unchanged pull request
        raise ValueError(f"{key} may not be negative, got {raw!r}")
    if key in ("max-increase", "max-call-increase"):
        if pct:
            return Limit(key, float(pct.group(1)) / 100.0, "fraction", source)
        raise ValueError(f'{key} takes a percentage like "10%", got {raw!r}')
    if key == "max-unpriced-share":
        if pct and 0 <= float(pct.group(1)) <= 100:
            return Limit(key, float(pct.group(1)) / 100.0, "fraction", source)
        value = number if number is not None else _float(text)
        if value is not None and 0 <= value <= 1:
            return Limit(key, float(value), "fraction", source)
        raise ValueError(f'{key} takes a share: 0, 0.05 or "5%", got {raw!r}')
    if key == "max-monthly-increase":
        m = _USD.match(text)
        if number is not None and number >= 0:
            return Limit(key, float(number), "usd", source)
        if m:
            return Limit(key, float(m.group(1)), "usd", source)
        raise ValueError(f'{key} takes USD per month, like 50 or "$50", got {raw!r}')
    if key == "max-p95-increase":
        if pct:
            return Limit(key, float(pct.group(1)) / 100.0, "fraction", source)
        m = _MS.match(text)
        if m:
            return Limit(key, float(m.group(1)), "ms", source)
        raise ValueError(f'{key} takes a percentage ("20%") or milliseconds ("300ms"), got {raw!r}')
    raise ValueError(f"unknown threshold {key!r}")


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def config_limits(table: Mapping[str, Any], path: str, text: str) -> dict[str, Limit]:
    """The thresholds in ``[tool.llm-audit.gate]`` (its keys already checked by config)."""
    out: dict[str, Limit] = {}
    for key in THRESHOLD_KEYS:
        if key not in table:
            continue
        try:
            out[key] = parse_limit(key, table[key], f"{path} [tool.llm-audit.gate]")
        except ValueError as e:
            line = next(
                (i for i, t in enumerate(text.splitlines(), 1) if t.strip().startswith(key)), None
            )
            raise ConfigError(
                str(e),
                path=path,
                line=line,
                hint="see `llm-audit gate --help` for the threshold forms",
            ) from e
    return out


def project_limits(cfg: Config) -> dict[str, Limit]:
    """The thresholds of the project's ``[tool.llm-audit.gate]``, if it has one."""
    table = cfg.raw.get("gate", {})
    if not table or cfg.path is None:
        return {}
    text = cfg.path.read_text(encoding="utf-8", errors="replace")
    return config_limits(table, str(cfg.path), text)


def cli_limits(values: Mapping[str, str | None]) -> dict[str, Limit]:
    out: dict[str, Limit] = {}
    for key, raw in values.items():
        if raw is None:
            continue
        try:
            out[key] = parse_limit(key, raw, f"--{key}")
        except ValueError as e:
            raise InputError(
                f"--{key}: {e}", hint="see `llm-audit gate --help` for the threshold forms"
            ) from e
    return out


@dataclass(frozen=True)
class Check:
    limit: Limit
    actual: str
    passed: bool
    evaluated: bool  # False: nothing to measure it on (said in ``actual``)
    offenders: tuple[str, ...] = ()


@dataclass(frozen=True)
class GateResult:
    diff: DiffResult
    checks: tuple[Check, ...]
    baseline_updated: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed and not self.baseline_updated else 0


def _pct(x: float | None) -> str:
    if x is None:
        return "n/a"
    if math.isinf(x):
        return "+inf% (from $0)"
    return f"{x * 100:+.1f}%"


def judge(
    d: DiffResult, limits: Mapping[str, Limit], *, baseline_updated: bool = False
) -> GateResult:
    checks: list[Check] = []
    notes: list[str] = []
    if not limits:
        notes.append(
            "no thresholds set: the gate reports and passes; set them with "
            "--max-increase ... or in [tool.llm-audit.gate]"
        )
    for key in THRESHOLD_KEYS:
        limit = limits.get(key)
        if limit is None:
            continue
        if key == "max-increase":
            inc = d.code_increase
            checks.append(
                Check(
                    limit,
                    f"{_pct(inc)} ({_usd(d.code_delta)}/month)",
                    inc is None or inc <= limit.value,
                    True,
                )
            )
        elif key == "max-monthly-increase":
            checks.append(
                Check(limit, f"{_usd(d.code_delta)}/month", d.code_delta <= limit.value, True)
            )
        elif key == "max-call-increase":
            over = [
                c
                for c in d.changes
                if c.call_increase is not None and c.call_increase > limit.value
            ]
            worst = max(
                (c.call_increase for c in d.changes if c.call_increase is not None), default=None
            )
            checks.append(
                Check(
                    limit,
                    f"largest {_pct(worst)} per call",
                    not over,
                    True,
                    tuple(f"{c.id} ({_pct(c.call_increase)})" for c in over),
                )
            )
        elif key == "max-unpriced-share":
            share = d.new_unpriced_share
            offenders = tuple(
                c.id
                for c in d.changes
                if c.head and not c.head.priced and (c.base is None or c.base.priced)
            )
            checks.append(
                Check(
                    limit,
                    f"{share * 100:.1f}% of calls/month newly unpriced",
                    share <= limit.value,
                    True,
                    offenders,
                )
            )
        elif key == "max-p95-increase":
            measured = [u for u in d.units if u.p95_delta_ms is not None]
            if not measured:
                why = (
                    "no logs in the baseline"
                    if d.base.logs is None
                    else "no logs given (--logs)"
                    if d.head.logs is None
                    else "no feature x model with latency in both"
                )
                checks.append(Check(limit, f"not measured: {why}", True, False))
                continue

            def value(u: UnitChange, limit: Limit = limit) -> float:
                return (
                    (u.p95_increase or 0.0) if limit.unit == "fraction" else (u.p95_delta_ms or 0.0)
                )

            over_u = [u for u in measured if value(u) > limit.value]
            worst_u = max(measured, key=value)
            shown = (
                _pct(worst_u.p95_increase)
                if limit.unit == "fraction"
                else f"{worst_u.p95_delta_ms or 0.0:+,.0f} ms"
            )
            checks.append(
                Check(
                    limit,
                    f"largest {shown} ({worst_u.feature} on {worst_u.model})",
                    not over_u,
                    True,
                    tuple(f"{u.feature} on {u.model}" for u in over_u),
                )
            )
    return GateResult(d, tuple(checks), baseline_updated, tuple(notes))


def merged_limits(config: Mapping[str, Limit], cli: Mapping[str, Limit]) -> dict[str, Limit]:
    """The command line wins over the config, key by key."""
    return {**config, **cli}


def base_models(snap: Snapshot) -> Sequence[str]:
    """The models a baseline priced: the head records their rates too, for re-pricing."""
    return sorted({s.model for s in snap.sites if s.model})
