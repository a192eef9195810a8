"""`estimate`: token math before deploy: cost per call, per active user-month, per month.

Every figure is priced by the same vectorised engine that prices bills and logs, so an
estimate and a later invoice agree on what a token costs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from llm_audit.errors import InputError, LlmAuditError
from llm_audit.pricing.book import PriceBook
from llm_audit.pricing.tables import ModelPrice, Tier
from llm_audit.tokens import count

DAYS_PER_MONTH = 30  # a stated convention: a month of active use is 30 days


@dataclass(frozen=True)
class Shape:
    """The request shape being priced."""

    input_tokens: int
    cached_tokens: int
    output_tokens: int
    service_tier: Tier
    calls_per_user_day: float
    users: int


@dataclass(frozen=True)
class ModelEstimate:
    model: str
    provider: str
    model_class: str
    input_tokens: int
    token_count_exact: bool
    token_encoding: str
    cached_tokens: int
    output_tokens: int
    cost_input: float
    cost_cache_read: float
    cost_output: float
    cost_per_call: float
    cost_per_user_month: float
    cost_per_month: float
    mirror_cost_per_call: float  # the same tokens with input and output swapped
    long_context: bool
    batch_cost_per_call: float | None
    half_cached_cost_per_call: float | None  # with half the prompt read from the cache
    source: str
    checked: str

    @property
    def output_share(self) -> float:
        return self.cost_output / self.cost_per_call if self.cost_per_call else 0.0

    @property
    def shape_label(self) -> str:
        return "output-heavy" if self.output_share > 0.5 else "input-heavy"


@dataclass(frozen=True)
class Cascade:
    small: str
    large: str
    escalation_rate: float
    cascade_cost_per_call: float
    large_cost_per_call: float
    cascade_cost_per_month: float
    large_cost_per_month: float


@dataclass(frozen=True)
class CheaperModel:
    for_model: str
    model: str
    cost_per_month: float
    saving_per_month: float


@dataclass(frozen=True)
class EstimateResult:
    shape: Shape
    models: tuple[ModelEstimate, ...]
    cascade: Cascade | None
    cheaper: tuple[CheaperModel, ...]
    prompt_file: str | None


@dataclass(frozen=True)
class _Priced:
    cost_input: float
    cost_cache_read: float
    cost_output: float
    total: float
    long_context: bool


def _price_many(book: PriceBook, rows: list[tuple[ModelPrice, int, int, int, Tier]],
                ) -> list[_Priced]:
    """Price (model, input, cached, output, tier) shapes in one vectorised pass."""
    from llm_audit.pricing.engine import price
    from llm_audit.usage.schema import from_records

    now = dt.datetime.now(dt.UTC)
    table = from_records([
        {"timestamp": now, "provider": m.provider, "model_raw": m.id, "requests": 1,
         "input_tokens": inp, "cache_read_tokens": cached, "cache_write_5m_tokens": 0,
         "cache_write_1h_tokens": 0, "output_tokens": out, "reasoning_tokens": 0,
         "service_tier": tier}
        for m, inp, cached, out, tier in rows
    ])
    priced = price(table, book)
    out_rows = []
    cols = {c: priced[c].to_numpy() for c in ("priced", "unpriced_reason", "cost_input",
                                              "cost_cache_read", "cost_output", "cost_total",
                                              "long_context")}
    for i, (m, _inp, _cached, _out, tier) in enumerate(rows):
        if not bool(cols["priced"][i]):
            tiers = sorted(m.period_at(None).tiers)
            raise LlmAuditError(
                f"{m.id}: {cols['unpriced_reason'][i]!s}",
                hint=f"{m.id} has prices for: {', '.join(tiers)}" if tier not in tiers else
                "pass a price for it with --pricing FILE",
            )
        out_rows.append(_Priced(float(cols["cost_input"][i]), float(cols["cost_cache_read"][i]),
                                float(cols["cost_output"][i]), float(cols["cost_total"][i]),
                                bool(cols["long_context"][i])))
    return out_rows


def estimate(
    book: PriceBook,
    models: list[str],
    *,
    input_tokens: int | None,
    prompt: Path | None,
    output_tokens: int,
    cached_tokens: int = 0,
    calls_per_user_day: float = 10.0,
    users: int = 1000,
    service_tier: Tier = "standard",
    cascade: tuple[str, str] | None = None,
    escalation_rate: float = 0.2,
) -> EstimateResult:
    if (input_tokens is None) == (prompt is None):
        raise InputError("give exactly one of --input-tokens N or --prompt FILE",
                         hint="--prompt counts the file with the model's tokenizer")
    for name, value in (("--output-tokens", output_tokens), ("--cached-tokens", cached_tokens),
                        ("--users", users), ("--calls-per-user-day", calls_per_user_day)):
        if value < 0:
            raise InputError(f"{name} must be >= 0, got {value}")
    if not 0 <= escalation_rate <= 1:
        raise InputError(f"--escalation-rate must be between 0 and 1, got {escalation_rate}")
    names = list(dict.fromkeys([*models, *(cascade or ())]))
    if not names:
        raise InputError("name at least one --model", hint="e.g. --model gpt-4o-mini")
    resolved = [book.require(m) for m in names]
    text = None
    if prompt is not None:
        try:
            text = prompt.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"cannot read the prompt: {e}", path=str(prompt),
                             hint="--prompt takes a UTF-8 text file") from e

    counts = {}
    for m in resolved:
        if text is not None:
            c = count(text, m.id, m.encoding)
            counts[m.id] = (c.tokens, c.exact, c.encoding)
        else:
            counts[m.id] = (int(input_tokens or 0), True, "given")
        if cached_tokens > counts[m.id][0]:
            raise InputError(f"--cached-tokens {cached_tokens} exceeds the {counts[m.id][0]} "
                             f"input tokens of {m.id}",
                             hint="cached tokens are a part of the input")

    calls_month = calls_per_user_day * DAYS_PER_MONTH
    shapes: list[tuple[ModelPrice, int, int, int, Tier]] = []
    for m in resolved:
        inp = counts[m.id][0]
        shapes.append((m, inp, cached_tokens, output_tokens, service_tier))
        # the mirror shape: same token counts, input and output swapped
        shapes.append((m, output_tokens, 0, inp, service_tier))
        if service_tier == "standard" and "batch" in m.period_at(None).tiers:
            shapes.append((m, inp, cached_tokens, output_tokens, "batch"))
        if cached_tokens < inp // 2:
            shapes.append((m, inp, inp // 2, output_tokens, service_tier))
    priced = _price_many(book, shapes)
    by_shape = dict(zip(((s[0].id, s[1], s[2], s[3], s[4]) for s in shapes), priced,
                        strict=True))

    estimates = []
    for m in resolved:
        inp, exact, enc = counts[m.id]
        p = by_shape[(m.id, inp, cached_tokens, output_tokens, service_tier)]
        mirror = by_shape[(m.id, output_tokens, 0, inp, service_tier)]
        batch = by_shape.get((m.id, inp, cached_tokens, output_tokens, "batch"))
        half = by_shape.get((m.id, inp, inp // 2, output_tokens, service_tier))
        estimates.append(ModelEstimate(
            model=m.id, provider=m.provider, model_class=m.model_class, input_tokens=inp,
            token_count_exact=exact, token_encoding=enc, cached_tokens=cached_tokens,
            output_tokens=output_tokens, cost_input=p.cost_input,
            cost_cache_read=p.cost_cache_read, cost_output=p.cost_output,
            cost_per_call=p.total, cost_per_user_month=p.total * calls_month,
            cost_per_month=p.total * calls_month * users, mirror_cost_per_call=mirror.total,
            long_context=p.long_context,
            batch_cost_per_call=batch.total if batch else None,
            half_cached_cost_per_call=half.total if half else None,
            source=m.source, checked=m.checked.isoformat(),
        ))

    cascade_result = None
    if cascade is not None:
        small = next(e for e in estimates if e.model == book.require(cascade[0]).id)
        large = next(e for e in estimates if e.model == book.require(cascade[1]).id)
        per_call = small.cost_per_call + escalation_rate * large.cost_per_call
        cascade_result = Cascade(small.model, large.model, escalation_rate, per_call,
                                 large.cost_per_call, per_call * calls_month * users,
                                 large.cost_per_month)

    cheaper = tuple(cm for e in estimates if (cm := _cheaper_model(book, e, calls_month, users,
                                                                  service_tier)))
    return EstimateResult(
        shape=Shape(counts[resolved[0].id][0], cached_tokens, output_tokens, service_tier,
                    calls_per_user_day, users),
        models=tuple(estimates),
        cascade=cascade_result,
        cheaper=cheaper,
        prompt_file=str(prompt) if prompt else None,
    )


_STEP_DOWN = {"frontier": "mid", "mid": "small"}


def _cheaper_model(book: PriceBook, e: ModelEstimate, calls_month: float, users: int,
                   tier: Tier) -> CheaperModel | None:
    """The cheapest model one class down at the same provider, priced on the same tokens."""
    target = _STEP_DOWN.get(e.model_class)
    if target is None:
        return None
    candidates = [m for m in book.models.values()
                  if m.provider == e.provider and m.model_class == target
                  and tier in m.period_at(None).tiers]
    if not candidates:
        return None
    priced = _price_many(book, [(m, e.input_tokens, e.cached_tokens, e.output_tokens, tier)
                                for m in candidates])
    best_model, best = min(zip(candidates, priced, strict=True), key=lambda mp: mp[1].total)
    month = best.total * calls_month * users
    if month >= e.cost_per_month:
        return None
    return CheaperModel(e.model, best_model.id, month, e.cost_per_month - month)
