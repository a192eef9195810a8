"""Price tables: load `pricing/*.yaml` (and user tables) into typed, validated values.

A table file looks like this (every key is checked; an unknown key is an error)::

    schema: 1
    provider: openai                 # the file stem for bundled tables
    name: OpenAI API list prices
    currency: USD
    source: https://openai.com/api/pricing/   # default for the models below
    checked: 2026-11-22                       # default for the models below
    models:
      - id: gpt-4o                   # canonical id, lowercase, unique across all tables
        class: frontier              # frontier | mid | small
        aliases: [gpt-4o-2024-08-06, openai/gpt-4o]
        display_names: ["GPT-4o"]    # as bills print them; matched case-insensitively
        encoding: o200k_base         # OpenAI tokenizer models only
        context_window: 128000
        source: ...                  # per-model override
        checked: 2026-11-22          # per-model override
        notes: ...
        prices:                      # history, ascending; a period runs until the next one
          - effective: 2024-08-06
            input: 2.50              # USD per 1M tokens
            cache_read: 1.25         # omitted: cached input is billed at the input rate
            cache_write_5m: 3.75     # omitted: cache writes are billed at the input rate
            cache_write_1h: 6.0      # omitted: billed as a 5-minute write
            output: 10.0
            long_context: {threshold: 200000, input: ..., output: ...}   # whole request
            tiers:
              batch: {multiplier: 0.5}          # every rate x 0.5, explicit fields override
              priority: {input: 4.25, output: 17}   # omitted fields: the standard rate
            regions: {us: 1.1}       # multipliers by region / geo key
            speeds: {fast: 2.0}      # multipliers by Anthropic `speed` (standard is 1)
            extras: {web_search_request: 0.01}    # USD per unit

An explicit tier of a model that has a long-context rate must state its own ``long_context``
(or use ``multiplier``); otherwise long requests in that tier are reported unpriced, not guessed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.resources
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast, get_args

import yaml

from llm_audit.errors import PricingError

ModelClass = Literal["frontier", "mid", "small"]
Tier = Literal["standard", "batch", "flex", "priority"]
TIERS: tuple[Tier, ...] = get_args(Tier)
EXTRA_KINDS = ("web_search_request", "web_fetch_request", "code_execution_hour")
BUNDLED_PROVIDERS = (
    "openai",
    "anthropic",
    "google",
    "vertex_ai",
    "bedrock",
    "azure",
    "groq",
    "together_ai",
    "fireworks_ai",
    "deepseek",
)
RATE_FIELDS = ("input", "cache_read", "cache_write_5m", "cache_write_1h", "output")
_LINE = "__line__"
_KEY_LINES = "__key_lines__"
_META = (_LINE, _KEY_LINES)


def _writes_at_input(rates: Rates, std: Mapping[str, Any], tier: Mapping[str, Any]) -> Rates:
    """An omitted cache-write rate means "billed at the input rate" (OpenAI: cache writes are
    not charged, formats.md 6). In a tier that states its own input (batch, flex, priority),
    that is the tier's input, not the standard one (gpt-5 batch writes at 0.625, not 1.25)."""
    if std.get("cache_write_5m") is None and tier.get("cache_write_5m") is None:
        rates = replace(rates, cache_write_5m=rates.input)
    if std.get("cache_write_1h") is None and tier.get("cache_write_1h") is None:
        rates = replace(rates, cache_write_1h=rates.cache_write_5m)
    return rates


@dataclass(frozen=True)
class Rates:
    """USD per million tokens, with the fallbacks of the schema already applied."""

    input: float
    cache_read: float
    cache_write_5m: float
    cache_write_1h: float
    output: float

    def scaled(self, factor: float) -> Rates:
        return Rates(*(getattr(self, f) * factor for f in RATE_FIELDS))


@dataclass(frozen=True)
class LongContext:
    """Rates for a whole request whose input exceeds ``threshold`` tokens."""

    threshold: int
    rates: Rates


@dataclass(frozen=True)
class TierPrice:
    rates: Rates
    long_context: LongContext | None
    # True when the standard tier has a long-context rate and this tier states none.
    long_context_missing: bool = False


@dataclass(frozen=True)
class PricePeriod:
    effective: dt.date
    tiers: Mapping[Tier, TierPrice]  # "standard" is always present
    regions: Mapping[str, float]
    extras: Mapping[str, float]
    # Multipliers by `speed` (Anthropic fast mode); a speed not listed is unpriced.
    speeds: Mapping[str, float] = field(default_factory=dict)

    @property
    def standard(self) -> TierPrice:
        return self.tiers["standard"]


@dataclass(frozen=True)
class ModelPrice:
    id: str
    provider: str
    model_class: ModelClass
    aliases: tuple[str, ...]
    display_names: tuple[str, ...]
    encoding: str | None
    context_window: int | None
    source: str
    checked: dt.date
    notes: str | None
    periods: tuple[PricePeriod, ...]
    table: str  # the table file it came from

    def period_at(self, when: dt.date | None) -> PricePeriod:
        """The price period in force on ``when`` (the newest when ``when`` is None)."""
        if when is None:
            return self.periods[-1]
        chosen = self.periods[0]
        for period in self.periods:
            if period.effective <= when:
                chosen = period
        return chosen


@dataclass(frozen=True)
class PriceTable:
    provider: str
    name: str
    path: str  # "bundled:openai.yaml" or the user's path
    sha256: str
    checked: dt.date
    models: tuple[ModelPrice, ...]
    bundled: bool


@dataclass(frozen=True)
class TableProvenance:
    """What a report says about the prices it used."""

    provider: str
    name: str
    path: str
    sha256: str
    checked: str
    models: int
    bundled: bool


@dataclass(frozen=True)
class Provenance:
    version: str
    tables: tuple[TableProvenance, ...] = field(default_factory=tuple)

    # Set by pricing.age.stamp when a report goes out: how old the price data is.
    age_days: int | None = None
    max_age_days: int | None = None
    data_checked: str | None = None  # the stalest provider's newest `checked` date
    stale_providers: tuple[str, ...] = ()

    @property
    def oldest_checked(self) -> str:
        return min((t.checked for t in self.tables), default="")

    def summary(self) -> str:
        user = [t.path for t in self.tables if not t.bundled]
        text = (
            f"prices: bundled tables v{self.version}, checked {self.oldest_checked} or later"
        )
        text += f"; user tables: {', '.join(user)}" if user else ""
        if self.age_days is not None:
            text += f"; price data {self.age_days} day(s) old"
            if self.data_checked != self.oldest_checked:  # a user table re-dated a provider
                text += f" (checked {self.data_checked})"
        return text

    def warning(self) -> str | None:
        """A line for reports whose prices are older than the allowed age, else None."""
        if not self.stale_providers:
            return None
        return (
            f"warning: price data is {self.age_days} days old, more than {self.max_age_days} "
            f"({', '.join(self.stale_providers)}); run `llm-audit pricing update --output DIR` "
            "and pass --pricing DIR, or allow older prices with --max-price-age DAYS"
        )


class _LineLoader(yaml.CSafeLoader):
    """A SafeLoader that records the line of every mapping, for `file:line` errors."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[_LINE] = node.start_mark.line + 1
    mapping[_KEY_LINES] = {k.value: k.start_mark.line + 1 for k, _ in node.value}
    return cast(dict[str, Any], mapping)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Reader:
    """Validates one table file, keeping the path for every error."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, node: Mapping[str, Any] | None, message: str, hint: str | None = None,
             key: str | None = None) -> None:
        line = node.get(_LINE) if isinstance(node, Mapping) else None
        if key is not None and isinstance(node, Mapping):
            line = node.get(_KEY_LINES, {}).get(key, line)
        raise PricingError(message, path=self.path, line=line, hint=hint)

    def keys(self, node: Mapping[str, Any], allowed: Iterable[str], what: str) -> None:
        extra = sorted(set(node) - set(allowed) - set(_META))
        if extra:
            self.fail(
                node,
                f"unknown key(s) in {what}: {', '.join(map(str, extra))}",
                f"allowed: {', '.join(allowed)}",
                key=extra[0],
            )

    def number(self, node: Mapping[str, Any], key: str, *, required: bool) -> float | None:
        value = node.get(key)
        if value is None:
            if required:
                self.fail(node, f"missing {key!r}")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            self.fail(node, f"{key!r} must be a number >= 0, got {value!r}", key=key)
        return float(value)

    def date(self, node: Mapping[str, Any], key: str, default: dt.date | None) -> dt.date:
        value = node.get(key, default)
        if isinstance(value, dt.datetime):
            return value.date()
        if not isinstance(value, dt.date):
            self.fail(node, f"{key!r} must be a date like 2026-11-22, got {value!r}", key=key)
        return cast(dt.date, value)

    def mapping(self, value: Any, parent: Mapping[str, Any], what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(parent, f"{what} must be a mapping")
        return cast(dict[str, Any], value)

    def rates(self, node: Mapping[str, Any], base: Rates | None) -> Rates:
        """Rates with the schema's fallbacks; ``base`` gives omitted fields for a tier."""
        raw = {f: self.number(node, f, required=base is None and f in ("input", "output"))
               for f in RATE_FIELDS}
        if base is not None:
            return Rates(*(v if (v := raw[f]) is not None else float(getattr(base, f))
                           for f in RATE_FIELDS))
        inp, out = cast(float, raw["input"]), cast(float, raw["output"])
        cache_read = raw["cache_read"] if raw["cache_read"] is not None else inp
        write_5m = raw["cache_write_5m"] if raw["cache_write_5m"] is not None else inp
        write_1h = raw["cache_write_1h"] if raw["cache_write_1h"] is not None else write_5m
        return Rates(inp, cache_read, write_5m, write_1h, out)

    def long_context(self, node: Any, parent: Mapping[str, Any], base: Rates | None,
                     ) -> LongContext | None:
        if node is None:
            return None
        lc = self.mapping(node, parent, "long_context")
        self.keys(lc, ("threshold", *RATE_FIELDS), "long_context")
        threshold = lc.get("threshold")
        if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold <= 0:
            self.fail(lc, "long_context needs an integer 'threshold' > 0")
        return LongContext(cast(int, threshold), self.rates(lc, base))

    def period(self, node: Any, parent: Mapping[str, Any]) -> PricePeriod:
        p = self.mapping(node, parent, "a price period")
        self.keys(p, ("effective", *RATE_FIELDS, "long_context", "tiers", "regions", "extras",
                      "speeds"), "a price period")
        effective = self.date(p, "effective", None)
        std_rates = self.rates(p, None)
        std_lc = self.long_context(p.get("long_context"), p, None)
        if std_lc is not None:
            std_lc = replace(std_lc, rates=self._fill_lc(p["long_context"], std_lc, std_rates))
        tiers: dict[Tier, TierPrice] = {"standard": TierPrice(std_rates, std_lc)}
        tier_specs = self.mapping(p.get("tiers", {}), p, "tiers")
        for name, spec in tier_specs.items():
            if name in _META:
                continue
            if name not in TIERS or name == "standard":
                self.fail(tier_specs, f"unknown tier {name!r}",
                          "tiers are batch, flex and priority", key=name)
            tiers[cast(Tier, name)] = self.tier(spec, p, std_rates, std_lc)
        regions = self.multipliers(p.get("regions", {}), p, "regions", None)
        extras = self.multipliers(p.get("extras", {}), p, "extras", EXTRA_KINDS)
        speeds = self.multipliers(p.get("speeds", {}), p, "speeds", None)
        return PricePeriod(effective, tiers, regions, extras, speeds)

    def _fill_lc(self, raw: Mapping[str, Any], lc: LongContext, std: Rates) -> Rates:
        # Omitted long-context cache rates follow the long-context input rate, as flat ones do.
        r = lc.rates
        cache_read = r.cache_read if raw.get("cache_read") is not None else (
            r.input * std.cache_read / std.input if std.input else r.input)
        write_5m = r.cache_write_5m if raw.get("cache_write_5m") is not None else (
            r.input * std.cache_write_5m / std.input if std.input else r.input)
        write_1h = r.cache_write_1h if raw.get("cache_write_1h") is not None else (
            r.input * std.cache_write_1h / std.input if std.input else write_5m)
        return Rates(r.input, cache_read, write_5m, write_1h, r.output)

    def tier(self, node: Any, parent: Mapping[str, Any], std: Rates, std_lc: LongContext | None,
             ) -> TierPrice:
        t = self.mapping(node, parent, "a tier")
        self.keys(t, ("multiplier", *RATE_FIELDS, "long_context"), "a tier")
        factor = self.number(t, "multiplier", required=False)
        if factor is not None:
            base = std.scaled(factor)
            lc = (LongContext(std_lc.threshold, std_lc.rates.scaled(factor))
                  if std_lc is not None else None)
            rates = self.rates(t, base)
            if "long_context" in t:
                lc = self.long_context(t["long_context"], t, lc.rates if lc else base)
            return TierPrice(rates, lc)
        rates = _writes_at_input(self.rates(t, std), parent, t)
        lc = self.long_context(t.get("long_context"), t, std_lc.rates if std_lc else rates)
        if lc is not None:
            lc = replace(lc, rates=_writes_at_input(
                lc.rates, parent.get("long_context") or {}, t.get("long_context") or {}))
        return TierPrice(rates, lc, long_context_missing=std_lc is not None and lc is None)

    def multipliers(self, node: Any, parent: Mapping[str, Any], what: str,
                    allowed: Sequence[str] | None) -> dict[str, float]:
        m = self.mapping(node, parent, what)
        if allowed is not None:
            self.keys(m, allowed, what)
        out: dict[str, float] = {}
        for key in m:
            if key not in _META:
                out[str(key).lower()] = cast(float, self.number(m, key, required=True))
        return out

    def model(self, node: Any, parent: Mapping[str, Any], provider: str, source: str,
              checked: dt.date) -> ModelPrice:
        m = self.mapping(node, parent, "a model")
        self.keys(m, ("id", "class", "aliases", "display_names", "encoding", "context_window",
                      "source", "checked", "notes", "prices"), "a model")
        mid = m.get("id")
        if not isinstance(mid, str) or not mid or mid != mid.strip().lower():
            self.fail(m, f"model id must be a lowercase string, got {mid!r}")
        cls = m.get("class")
        if cls not in get_args(ModelClass):
            self.fail(m, f"{mid}: class must be frontier, mid or small, got {cls!r}")
        aliases = self.strings(m, "aliases", lower=True)
        display = self.strings(m, "display_names", lower=False)
        encoding = m.get("encoding")
        if encoding not in (None, "o200k_base", "cl100k_base"):
            self.fail(m, f"{mid}: encoding must be o200k_base or cl100k_base")
        window = m.get("context_window")
        if window is not None and (not isinstance(window, int) or window <= 0):
            self.fail(m, f"{mid}: context_window must be a positive integer")
        prices = m.get("prices")
        if not isinstance(prices, list) or not prices:
            self.fail(m, f"{mid}: 'prices' must be a non-empty list of price periods")
        periods = tuple(self.period(p, m) for p in cast(list[Any], prices))
        dates = [p.effective for p in periods]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            self.fail(m, f"{mid}: price periods must be in strictly ascending 'effective' order")
        model_source = m.get("source", source)
        if not isinstance(model_source, str) or not model_source:
            self.fail(m, f"{mid}: every model needs a 'source'")
        notes = m.get("notes")
        return ModelPrice(
            id=cast(str, mid),
            provider=provider,
            model_class=cast(ModelClass, cls),
            aliases=aliases,
            display_names=display,
            encoding=cast(str | None, encoding),
            context_window=cast(int | None, window),
            source=cast(str, model_source),
            checked=self.date(m, "checked", checked),
            notes=str(notes) if notes is not None else None,
            periods=periods,
            table=self.path,
        )

    def strings(self, node: Mapping[str, Any], key: str, *, lower: bool) -> tuple[str, ...]:
        value = node.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(node, f"{key!r} must be a list of strings")
        items = cast(list[str], value)
        if lower and any(v != v.strip().lower() for v in items):
            self.fail(node, f"{key!r} must be lowercase")
        return tuple(items)


def parse_table(text: str, path: str, *, bundled: bool) -> PriceTable:
    """Parse and validate one price table; raises PricingError with `path:line`."""
    reader = _Reader(path)
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise PricingError(f"not valid YAML: {getattr(e, 'problem', e)}", path=path,
                           line=mark.line + 1 if mark else None) from e
    if not isinstance(doc, dict):
        raise PricingError("a price table must be a YAML mapping", path=path,
                           hint="see the schema in llm_audit/pricing/tables.py")
    reader.keys(doc, ("schema", "provider", "name", "currency", "source", "checked", "models"),
                "the table")
    if doc.get("schema") != 1:
        reader.fail(doc, f"unsupported schema {doc.get('schema')!r}", "write `schema: 1`")
    if doc.get("currency", "USD") != "USD":
        reader.fail(doc, "only USD price tables are supported")
    provider = doc.get("provider")
    if not isinstance(provider, str) or provider != provider.lower() or not provider:
        reader.fail(doc, "'provider' must be a lowercase name")
    if bundled and provider != Path(path.split(":")[-1]).stem:
        reader.fail(doc, f"provider {provider!r} does not match the file name")
    source = doc.get("source", "")
    checked = reader.date(doc, "checked", None)
    models = doc.get("models")
    if not isinstance(models, list):
        reader.fail(doc, "'models' must be a list")
    parsed = tuple(reader.model(m, doc, cast(str, provider), cast(str, source), checked)
                   for m in cast(list[Any], models))
    return PriceTable(
        provider=cast(str, provider),
        name=str(doc.get("name", provider)),
        path=path,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        checked=checked,
        models=parsed,
        bundled=bundled,
    )


def _bundled_root() -> Any:
    """The installed tables; from a source checkout shadowing the install, its pricing/."""
    try:
        return importlib.resources.files("llm_audit.pricing_data")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "pricing"


def bundled_tables() -> list[PriceTable]:
    root = _bundled_root()
    tables = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            tables.append(parse_table(entry.read_text(encoding="utf-8"),
                                      f"bundled:{entry.name}", bundled=True))
    if not tables:
        raise PricingError("no bundled price tables found", hint="reinstall llm-audit")
    return tables


def user_table(path: str | Path) -> PriceTable:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise PricingError(f"cannot read price table: {e.strerror}", path=str(p),
                           hint="--pricing takes a YAML file in the schema of pricing/*.yaml"
                           ) from e
    return parse_table(text, str(p), bundled=False)
