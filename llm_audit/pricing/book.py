"""The price book: every table merged, model ids resolved, provenance for reports.

Resolution is exact or rule-based, never fuzzy. In order, for the lowercased id:

1. the id itself, an alias or a display name (with a provider hint, `<provider>/<id>` first);
2. a Bedrock ARN is cut to its last path segment;
3. a Bedrock cross-region inference profile prefix (`us.`, `eu.`, `apac.`, `global.` ...), or
   an Azure data zone (`azure/eu/...`), is stripped and becomes the row's region (so its
   uplift applies);
4. a routing prefix (`openai/`, `anthropic/`, `gemini/`, `models/` ...) is stripped;
5. a snapshot suffix (`-2024-08-06`, `-20250929`, `@20250929`, `-v1:0`, `-latest`) is stripped.

A model listed under its own id (e.g. `gpt-4o-2024-05-13`, priced apart) always wins by step 1.
Whatever is left is unpriced: reported with the closest known ids as a hint, never priced at $0
and never at a neighbour's price.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from llm_audit.errors import UnpricedModelError
from llm_audit.pricing.tables import (
    EXTRA_KINDS,
    RATE_FIELDS,
    TIERS,
    ModelPrice,
    PriceTable,
    Provenance,
    TableProvenance,
    bundled_tables,
    user_table,
)

if TYPE_CHECKING:
    import pandas as pd

Rule = Literal["exact", "alias", "display-name", "provider-prefix", "profile", "prefix",
               "snapshot"]

_PROVIDER_NAMESPACE = {
    "vertex_ai": "vertex_ai/",
    "bedrock": "bedrock/",
    "azure": "azure/",
    "groq": "groq/",
    "together_ai": "together_ai/",
    "fireworks_ai": "fireworks_ai/accounts/fireworks/models/",
    "deepseek": "deepseek/",
    "openai": "openai/",
    "anthropic": "anthropic/",
    "google": "gemini/",
}
_ROUTING_PREFIXES = ("openai/", "anthropic/", "gemini/", "google/", "models/", "deepseek/",
                     "publishers/google/models/", "publishers/anthropic/models/")
_GEO_PROFILE = re.compile(r"^(us|eu|apac|global|jp|au|ca|us-gov)\.")
_AZURE_ZONE = re.compile(r"^azure/(us|eu|global|datazone)/")
_SNAPSHOT = re.compile(r"(-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|@latest|-latest|-v\d+(:\d+)?)$")


@dataclass(frozen=True)
class Resolution:
    raw: str
    model: ModelPrice | None
    rule: Rule | None
    region: str | None = None
    close: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()

    @property
    def priced(self) -> bool:
        return self.model is not None


class PriceBook:
    """All price tables in force, user tables merged over the bundled ones."""

    def __init__(self, tables: Sequence[PriceTable]) -> None:
        self.tables = tuple(tables)
        self.models: dict[str, ModelPrice] = {}
        for table in self.tables:  # later tables (the user's) replace earlier ids
            for model in table.models:
                self.models[model.id] = model
        self._index: dict[str, list[str]] = {}
        for model in self.models.values():
            self._add(model.id, model.id)
        for model in self.models.values():
            for alias in model.aliases:
                self._add(alias, model.id)
            for name in model.display_names:
                self._add(name.lower(), model.id)
        digest = hashlib.sha256("".join(t.sha256 for t in self.tables).encode()).hexdigest()
        self.version = digest[:12]
        self._cache: dict[tuple[str, str | None], Resolution] = {}

    def _add(self, key: str, model_id: str) -> None:
        ids = self._index.setdefault(key, [])
        if model_id not in ids:
            ids.append(model_id)

    @classmethod
    def load(cls, extra: Iterable[str | Path] = ()) -> PriceBook:
        """Bundled tables, then each extra table; a folder means its *.yaml files, by name
        (the folder `pricing update` writes)."""
        paths: list[Path] = []
        for p in map(Path, extra):
            paths += sorted(p.glob("*.yaml")) if p.is_dir() else [p]
        return cls([*bundled_tables(), *(user_table(p) for p in paths)])

    @property
    def provenance(self) -> Provenance:
        return Provenance(
            version=self.version,
            tables=tuple(
                TableProvenance(t.provider, t.name, t.path, t.sha256[:12], t.checked.isoformat(),
                                len(t.models), t.bundled)
                for t in self.tables
            ),
        )

    # -- resolution -------------------------------------------------------------------------

    def resolve(self, raw: str, provider: str | None = None) -> Resolution:
        key = (raw, provider)
        if key not in self._cache:
            self._cache[key] = self._resolve(raw, provider)
        return self._cache[key]

    def require(self, raw: str, provider: str | None = None) -> ModelPrice:
        """Resolve a model the user named; an unknown one is an error, not $0."""
        res = self.resolve(raw, provider)
        if res.model is None:
            raise UnpricedModelError(raw, res.ambiguous or res.close)
        return res.model

    def _candidates(self, raw: str, provider: str | None) -> list[tuple[str, Rule, str | None]]:
        key = raw.strip().lower()
        out: list[tuple[str, Rule, str | None]] = []
        region: str | None = None
        if key.startswith("arn:"):
            key = key.rsplit("/", 1)[-1]
            provider = provider or "bedrock"
        namespace = _PROVIDER_NAMESPACE.get(provider or "")
        if namespace and not key.startswith(namespace):
            out.append((namespace + key, "provider-prefix", None))
        out.append((key, "exact", None))
        zone = _AZURE_ZONE.match(key)
        if zone:  # LiteLLM's Azure data-zone ids: azure/eu/gpt-4o is azure/gpt-4o in the EU zone
            region = zone.group(1)
            key = "azure/" + key[zone.end():]
            out.append((key, "profile", region))
        geo = _GEO_PROFILE.match(key)
        if geo:
            region = geo.group(1)
            key = key[geo.end():]
            out += [("bedrock/" + key, "profile", region), (key, "profile", region)]
        for prefix in _ROUTING_PREFIXES:
            if key.startswith(prefix):
                key = key[len(prefix):]
                if namespace:
                    out.append((namespace + key, "prefix", region))
                out.append((key, "prefix", region))
                break
        stripped = key
        while (m := _SNAPSHOT.search(stripped)) and m.start() > 0:
            stripped = stripped[: m.start()]
            if namespace:
                out.append((namespace + stripped, "snapshot", region))
            if geo:
                out.append(("bedrock/" + stripped, "snapshot", region))
            out.append((stripped, "snapshot", region))
        return out

    def _resolve(self, raw: str, provider: str | None) -> Resolution:
        for key, rule, region in self._candidates(raw, provider):
            ids = self._index.get(key)
            if not ids:
                continue
            if len(ids) > 1:
                hinted = [i for i in ids if self.models[i].provider == provider]
                if len(hinted) != 1:
                    return Resolution(raw, None, None, region, ambiguous=tuple(ids))
                ids = hinted
            model = self.models[ids[0]]
            if rule == "exact" and key != model.id:
                rule = "alias" if key in model.aliases else "display-name"
            return Resolution(raw, model, rule, region)
        return Resolution(raw, None, None, close=self.close_ids(raw))

    def close_ids(self, raw: str, n: int = 3) -> tuple[str, ...]:
        """Known ids that look like ``raw``: a hint for the user, never a price."""
        key = raw.strip().lower().rsplit("/", 1)[-1]
        bare = {k.rsplit("/", 1)[-1]: k for k in self._index}
        hits = difflib.get_close_matches(key, list(bare), n=n * 3, cutoff=0.6)
        ids: list[str] = []
        for hit in hits:
            for model_id in self._index[bare[hit]]:
                if model_id not in ids:
                    ids.append(model_id)
        return tuple(ids[:n])

    # -- the rate frame for vectorised pricing ----------------------------------------------

    def rate_frame(self, model_ids: Iterable[str]) -> pd.DataFrame:
        """One row per (model, tier, period) with every rate as a column, for merge_asof."""
        import pandas as pd

        rows = []
        for model_id in sorted(set(model_ids)):
            model = self.models[model_id]
            for period in model.periods:
                for tier in TIERS:
                    price = period.tiers.get(tier)
                    if price is None:
                        continue
                    row: dict[str, object] = {
                        "model": model_id,
                        "service_tier": tier,
                        "effective": pd.Timestamp(period.effective, tz="UTC"),
                        "lc_threshold": float("nan"),
                        "lc_missing": price.long_context_missing,
                        "price_regions": dict(period.regions),
                        "price_speeds": dict(period.speeds),
                    }
                    for f in RATE_FIELDS:
                        row[f"rate_{f}"] = getattr(price.rates, f)
                        row[f"lc_{f}"] = float("nan")
                    if price.long_context is not None:
                        row["lc_threshold"] = float(price.long_context.threshold)
                        for f in RATE_FIELDS:
                            row[f"lc_{f}"] = getattr(price.long_context.rates, f)
                    for kind in EXTRA_KINDS:
                        row[f"extra_{kind}"] = period.extras.get(kind, float("nan"))
                    rows.append(row)
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        # The first period also covers dates before it (a price table starts somewhere).
        first = frame.groupby(["model", "service_tier"])["effective"].transform("min")
        frame.loc[frame["effective"] == first, "effective"] = pd.Timestamp(
            dt.date(1970, 1, 1), tz="UTC")
        frame["effective"] = frame["effective"].astype("datetime64[us, UTC]")
        return frame.sort_values("effective", kind="stable").reset_index(drop=True)
