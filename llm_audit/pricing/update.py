"""`pricing update`: compare a price source with our tables, plan the change, write user tables.

The plan maps each source entry to our model (exact id, alias or display name; snapshot and
regional variants of a listed model are skipped, they are priced through it), then lists:

- **new**: models our tables lack, imported as they are priced by the source;
- **changed**: models whose current price differs from the source in a field the source gives;
  a new price period is appended (effective on the source's date when it gives one and it is
  later than ours, else today), so older usage keeps the older price;
- **removed**: models of a provider the source covers that the source no longer lists; they are
  kept (old bills still need them), only reported.

Nothing is written over the bundled tables: the result is one user table per provider the source
covers, in a folder (``--output``) that ``--pricing DIR`` or ``pricing = ["DIR"]`` loads; its
``checked`` date re-dates that provider's prices (see ``pricing.age``). A field the source does
not give is never invented: it keeps the schema's fallback where ours used it, or our previous
value (said in a note).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from llm_audit.errors import FetchError, InputError
from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.sources import SourceData, SourcePrice
from llm_audit.pricing.tables import (
    RATE_FIELDS,
    TIERS,
    ModelPrice,
    PricePeriod,
    Rates,
    TierPrice,
    parse_table,
)

ChangeKind = Literal["new", "changed", "removed"]
_EPS = 1e-9
_SMALL = ("mini", "nano", "haiku", "flash-lite", "lite", "small", "8b", "7b", "3b", "1b")
_FRONTIER = ("opus", "-pro", "gpt-5", "o3", "o1", "large", "405b", "ultra")


@dataclass(frozen=True)
class Change:
    kind: ChangeKind
    provider: str
    model: str  # our id (the new id for new models)
    source_id: str
    details: str
    effective: str | None = None


@dataclass(frozen=True)
class UpdatePlan:
    source: str
    url: str
    out_dir: Path
    today: dt.date
    changes: tuple[Change, ...]
    tables: Mapping[str, str] = field(default_factory=dict)  # file name -> YAML text
    matched: int = 0
    variants_skipped: int = 0
    source_skipped: int = 0
    notes: tuple[str, ...] = ()

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


def _num(x: float) -> float | int:
    """A rate for YAML: no float noise, whole numbers as ints."""
    value = round(float(x), 9)
    return int(value) if value == int(value) else value


def _fmt(x: float | None) -> str:
    return "none" if x is None else f"{_num(x)}"


def _rates_doc(rates: Rates) -> dict[str, Any]:
    return {f: _num(getattr(rates, f)) for f in RATE_FIELDS}


def _tier_doc(tier: TierPrice) -> dict[str, Any]:
    doc = _rates_doc(tier.rates)
    if tier.long_context is not None:
        doc["long_context"] = {
            "threshold": tier.long_context.threshold,
            **_rates_doc(tier.long_context.rates),
        }
    return doc


def period_doc(period: PricePeriod) -> dict[str, Any]:
    """A price period in the YAML schema, every rate explicit (what was parsed, resolved)."""
    doc: dict[str, Any] = {"effective": period.effective, **_tier_doc(period.standard)}
    tiers = {name: _tier_doc(t) for name, t in period.tiers.items() if name != "standard"}
    if tiers:
        doc["tiers"] = tiers
    for key in ("regions", "extras", "speeds"):  # speeds: Anthropic fast mode, when known
        values = getattr(period, key, None)
        if values:
            doc[key] = {k: _num(v) for k, v in values.items()}
    return doc


def model_doc(model: ModelPrice, periods: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": model.id, "class": model.model_class}
    if model.aliases:
        doc["aliases"] = list(model.aliases)
    if model.display_names:
        doc["display_names"] = list(model.display_names)
    if model.encoding:
        doc["encoding"] = model.encoding
    if model.context_window:
        doc["context_window"] = model.context_window
    doc["source"] = model.source
    doc["checked"] = model.checked
    if model.notes:
        doc["notes"] = model.notes
    doc["prices"] = periods if periods is not None else [period_doc(p) for p in model.periods]
    return doc


def _diffs(model: ModelPrice, sp: SourcePrice) -> list[str]:
    """What the source prices differently from our current period (fields it gives only)."""
    period = model.periods[-1]
    out: list[str] = []
    std = period.standard.rates
    for f, new in sp.rates.items():
        old = getattr(std, f)
        if abs(old - new) > _EPS:
            out.append(f"{f} {_fmt(old)} -> {_fmt(new)}")
    for tier, rates in sp.tiers.items():
        ours = period.tiers.get(tier)
        for f, new in rates.items():
            old = getattr(ours.rates, f) if ours is not None else None
            if old is None or abs(old - new) > _EPS:
                out.append(f"{tier} {f} {_fmt(old)} -> {_fmt(new)}")
    if sp.long_context is not None:
        threshold, rates = sp.long_context
        lc = period.standard.long_context
        if lc is None or lc.threshold != threshold:
            out.append(f"long context above {lc.threshold if lc else 'none'} -> {threshold}")
        for f, new in rates.items():
            old = getattr(lc.rates, f) if lc is not None else None
            if old is None or abs(old - new) > _EPS:
                out.append(f"long-context {f} {_fmt(old)} -> {_fmt(new)}")
    for kind, new in sp.extras.items():
        old = period.extras.get(kind)
        if old is None or abs(old - new) > _EPS:
            out.append(f"{kind} {_fmt(old)} -> {_fmt(new)}")
    return out


def _uniform_factor(tier: TierPrice, std: TierPrice) -> float | None:
    """The multiplier when a tier is the standard rates times one factor (batch = 0.5)."""
    ratios = {
        round(getattr(tier.rates, f) / getattr(std.rates, f), 9)
        for f in RATE_FIELDS
        if getattr(std.rates, f)
    }
    return ratios.pop() if len(ratios) == 1 else None


def _new_period(
    model: ModelPrice, sp: SourcePrice, effective: dt.date, notes: list[str]
) -> dict[str, Any]:
    """The latest period with the source's rates laid over it."""
    last = model.periods[-1]
    old = last.standard.rates
    doc: dict[str, Any] = {"effective": effective}
    given = dict(sp.rates)
    # Fields the source leaves out: keep the schema fallback where ours used it (cache read at
    # the input rate, 1h writes at the 5m rate), else our previous value, said in a note.
    fallback = {
        "cache_read": "input",
        "cache_write_5m": "input",
        "cache_write_1h": "cache_write_5m",
    }
    for f in RATE_FIELDS:
        if f in given:
            doc[f] = _num(given[f])
        elif f in fallback and abs(getattr(old, f) - getattr(old, fallback[f])) <= _EPS:
            continue
        else:
            doc[f] = _num(getattr(old, f))
            if f not in ("input", "output"):
                notes.append(f"{model.id}: {f} kept from the previous price (not in the source)")
    changed_std = any(abs(getattr(old, f) - v) > _EPS for f, v in given.items())
    if sp.long_context is not None:
        threshold, rates = sp.long_context
        doc["long_context"] = {"threshold": threshold, **{f: _num(v) for f, v in rates.items()}}
    elif last.standard.long_context is not None:
        if changed_std:
            notes.append(
                f"{model.id}: long-context rate dropped (the source gives none for "
                "the new price); long requests are reported unpriced"
            )
        else:
            lc = last.standard.long_context
            doc["long_context"] = {"threshold": lc.threshold, **_rates_doc(lc.rates)}
    tiers: dict[str, Any] = {}
    for name in TIERS:
        if name == "standard":
            continue
        if name in sp.tiers:
            tiers[name] = {f: _num(v) for f, v in sp.tiers[name].items()}
        elif name in last.tiers:
            factor = _uniform_factor(last.tiers[name], last.standard)
            if factor is not None and not changed_std:
                tiers[name] = _tier_doc(last.tiers[name])
            elif factor is not None:
                tiers[name] = {"multiplier": _num(factor)}  # e.g. batch stays 50% off
            else:
                notes.append(
                    f"{model.id}: {name} tier dropped (the source does not price it "
                    "and it was no flat multiple); those rows are reported unpriced"
                )
    if tiers:
        doc["tiers"] = tiers
    for key in ("regions", "speeds"):
        values = getattr(last, key, None)
        if values:
            doc[key] = {k: _num(v) for k, v in values.items()}
    extras = {**last.extras, **sp.extras}
    if extras:
        doc["extras"] = {k: _num(v) for k, v in extras.items()}
    return doc


def _guess_class(model_id: str) -> str:
    # Only for routing advice (which model is "small"); prices are never guessed.
    if any(k in model_id for k in _SMALL):
        return "small"
    return "frontier" if any(k in model_id for k in _FRONTIER) else "mid"


def _new_model(sp: SourcePrice, src: SourceData, today: dt.date) -> dict[str, Any]:
    period: dict[str, Any] = {"effective": sp.effective or today}
    period.update({f: _num(v) for f, v in sp.rates.items()})
    if sp.long_context is not None:
        threshold, rates = sp.long_context
        period["long_context"] = {"threshold": threshold, **{f: _num(v) for f, v in rates.items()}}
    if sp.tiers:
        period["tiers"] = {t: {f: _num(v) for f, v in r.items()} for t, r in sp.tiers.items()}
    if sp.extras:
        period["extras"] = {k: _num(v) for k, v in sp.extras.items()}
    cls = _guess_class(sp.new_id)
    doc: dict[str, Any] = {"id": sp.new_id, "class": cls}
    if sp.context_window:
        doc["context_window"] = sp.context_window
    doc.update(
        source=src.url,
        checked=today,
        notes=f"imported from {src.name} ({sp.source_id}) on {today.isoformat()}; "
        f"class {cls} is a guess from the name (the source has none)",
        prices=[period],
    )
    return doc


def _fold_snapshots(new: dict[str, SourcePrice]) -> dict[str, list[str]]:
    """Dated ids of a new model priced the same (gpt-x-2026-03-05 beside gpt-x) become its
    aliases instead of models of their own; ``new`` loses them."""
    from llm_audit.pricing.book import _SNAPSHOT

    aliases: dict[str, list[str]] = {}
    for model_id in sorted(new):
        m = _SNAPSHOT.search(model_id)
        base = model_id[: m.start()] if m and m.start() > 0 else None
        if base in new and base != model_id and _same_price(new[base], new[model_id]):
            aliases.setdefault(base, []).append(model_id)
    for folded in aliases.values():
        for model_id in folded:
            del new[model_id]
    return aliases


def _same_price(a: SourcePrice, b: SourcePrice) -> bool:
    return (a.rates, a.tiers, a.long_context) == (b.rates, b.tiers, b.long_context)


def plan_update(
    src: SourceData, book: PriceBook, out_dir: Path, today: dt.date, providers: Sequence[str] = ()
) -> UpdatePlan:
    """Compare ``src`` with ``book`` (bundled tables plus the ones already in ``out_dir``)."""
    wanted = [p for p in src.prices if not providers or p.provider in providers]
    if providers and not wanted:
        raise InputError(
            f"the source prices none of: {', '.join(providers)}",
            hint="provider names: openai anthropic google vertex_ai bedrock azure "
            "groq together_ai fireworks_ai deepseek",
        )
    out_paths = {str(p) for p in out_dir.glob("*.yaml")} if out_dir.is_dir() else set()
    matched: dict[str, list[tuple[int, SourcePrice]]] = {}
    new: dict[str, SourcePrice] = {}
    notes: list[str] = []
    variants = 0
    listed: set[str] = set()  # our models the source lists only through a variant
    for sp in wanted:
        res = book.resolve(sp.lookup, sp.provider)
        model, rule = res.model, res.rule
        if model is not None and model.provider != sp.provider:
            # e.g. Vertex's bare "gemini-2.5-pro" resolves to Google's; ours is namespaced
            model, rule = book.models.get(sp.new_id), "exact"
            if model is not None and model.provider != sp.provider:
                model = None
        if model is not None:
            if rule in ("snapshot", "profile") and model.id != sp.new_id:
                variants += 1  # a dated or regional variant, priced through its model
                listed.add(model.id)
                continue
            rank = 0 if rule in ("exact", "provider-prefix", "prefix") else 1
            matched.setdefault(model.id, []).append((rank, sp))
        elif res.ambiguous:
            notes.append(
                f"{sp.source_id}: matches several of our models "
                f"({', '.join(res.ambiguous)}); skipped"
            )
        elif sp.new_id in book.models:
            notes.append(
                f"{sp.source_id}: its id {sp.new_id} belongs to another provider's model; skipped"
            )
        elif sp.new_id in new:
            variants += 1  # two source keys for one new model: the first one is imported
        else:
            new[sp.new_id] = sp
    aliases = _fold_snapshots(new)
    changes: list[Change] = []
    docs: dict[str, dict[str, dict[str, Any]]] = {}  # provider -> model id -> model doc
    for model in book.models.values():  # what the output folder already holds is kept
        if model.table in out_paths:
            docs.setdefault(model.provider, {})[model.id] = model_doc(model)
    for model_id, hits in sorted(matched.items()):
        model = book.models[model_id]
        sp = sorted(hits, key=lambda h: h[0])[0][1]
        diffs = _diffs(model, sp)
        if not diffs:
            continue
        last = model.periods[-1].effective
        effective = sp.effective if sp.effective and sp.effective > last else today
        periods = [period_doc(p) for p in model.periods if p.effective < effective]
        periods.append(_new_period(model, sp, effective, notes))
        doc = model_doc(model, periods)
        doc["source"] = src.url
        doc["checked"] = today
        docs.setdefault(model.provider, {})[model_id] = doc
        changes.append(
            Change(
                "changed",
                model.provider,
                model_id,
                sp.source_id,
                "; ".join(diffs),
                effective.isoformat(),
            )
        )
    for model_id, sp in sorted(new.items()):
        doc = _new_model(sp, src, today)
        if aliases.get(model_id):
            doc = {
                "id": doc["id"],
                "class": doc["class"],
                "aliases": aliases[model_id],
                **{k: v for k, v in doc.items() if k not in ("id", "class")},
            }
        docs.setdefault(sp.provider, {})[model_id] = doc
        rates = ", ".join(f"{f} {_fmt(v)}" for f, v in sp.rates.items())
        changes.append(
            Change(
                "new",
                sp.provider,
                model_id,
                sp.source_id,
                rates,
                (sp.effective or today).isoformat(),
            )
        )
    covered = sorted({sp.provider for sp in wanted})
    seen = set(matched) | set(new) | listed
    for prov, key, text in src.left_out:
        if not providers or prov in providers:
            notes.append(text)
            if (hit := book.resolve(key, prov).model) is not None:
                seen.add(hit.id)  # in the source, only not representable: not "removed"
    for model in sorted(book.models.values(), key=lambda m: (m.provider, m.id)):
        if model.provider in covered and model.id not in seen:
            changes.append(
                Change(
                    "removed", model.provider, model.id, "", "not in the source; kept in the tables"
                )
            )
    for sp in wanted:
        notes += [f"{sp.source_id}: {n}" for n in sp.notes]
    tables = {
        f"{p}.yaml": _table_text(p, list(docs.get(p, {}).values()), src, today) for p in covered
    }
    for name, text in tables.items():  # our own output must load; a bug here is not the user's
        parse_table(text, str(out_dir / name), bundled=False)
    return UpdatePlan(
        src.name,
        src.url,
        out_dir,
        today,
        tuple(changes),
        tables,
        matched=len(matched),
        variants_skipped=variants,
        source_skipped=src.skipped,
        notes=tuple(dict.fromkeys(notes)),
    )


def _table_text(
    provider: str, models: list[dict[str, Any]], src: SourceData, today: dt.date
) -> str:
    doc = {
        "schema": 1,
        "provider": provider,
        "name": f"{provider} prices from {src.name}",
        "currency": "USD",
        "source": src.url,
        "checked": today,
        "models": sorted(models, key=lambda m: str(m["id"])),
    }
    head = (
        f"# Written by `llm-audit pricing update --source {src.name}` on {today.isoformat()}"
        f"\n# from {src.url}\n# USD per 1M tokens; a price period runs until the next one."
        "\n# Load with --pricing <this folder>. Edit freely; the next update keeps it.\n"
    )
    return head + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Dumper(yaml.SafeDumper):
    """Plain YAML for people to review: no &anchors for repeated dates."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_tables(plan: UpdatePlan) -> list[Path]:
    """Write every table of the plan into its folder, each atomically."""
    plan.out_dir.mkdir(parents=True, exist_ok=True)
    umask = os.umask(0)
    os.umask(umask)
    written = []
    for name, text in plan.tables.items():
        target = plan.out_dir / name
        fd, tmp = tempfile.mkstemp(dir=plan.out_dir, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a price table is not secret
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


def download(
    source: str, *, connect_timeout: float = 10.0, read_timeout: float = 60.0, retries: int = 3
) -> SourceData:
    """Fetch a source by name (its published URL) or by URL, and parse it."""
    from llm_audit.fetch.http import Http, HttpSettings
    from llm_audit.pricing.sources import by_name, detect

    named = by_name(source)
    if named is None and not source.startswith(("http://", "https://")):
        raise InputError(
            f"--source {source!r} is neither litellm, genai-prices nor a URL",
            hint="e.g. --source litellm, or --source https://.../prices.json",
        )
    url = named.url if named is not None else source
    settings = HttpSettings(
        connect_timeout=connect_timeout, read_timeout=read_timeout, retries=retries
    )
    with Http(settings, {}) as http:
        doc = http.get(url, what=f"price source {url}").doc
    parser = named if named is not None and named.detect(doc) else detect(doc)
    if parser is None:
        raise FetchError(
            f"{url}: not LiteLLM or genai-prices price data",
            hint="point --source at model_prices_and_context_window.json (LiteLLM) "
            "or genai-prices' prices/new_data/v2/data.json",
        )
    return parser.parse(doc, url)


def providers_of(names: Iterable[str]) -> tuple[str, ...]:
    from llm_audit.pricing.tables import BUNDLED_PROVIDERS

    out = tuple(n.strip() for name in names for n in name.split(",") if n.strip())
    unknown = sorted(set(out) - set(BUNDLED_PROVIDERS))
    if unknown:
        raise InputError(
            f"--provider: unknown {', '.join(unknown)}",
            hint=f"choose from {', '.join(BUNDLED_PROVIDERS)}",
        )
    return out
