"""Small statistics the logs analysis shares: percentiles and money per group."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spread:
    """mean, p50, p95, p99 and max of a sample; NaN everywhere when it is empty."""

    n: int
    mean: float
    p50: float
    p95: float
    p99: float
    max: float

    def to_dict(self) -> dict[str, float | int | None]:
        def clean(x: float) -> float | None:
            return None if np.isnan(x) else round(float(x), 10)

        return {"n": self.n, "mean": clean(self.mean), "p50": clean(self.p50),
                "p95": clean(self.p95), "p99": clean(self.p99), "max": clean(self.max)}


def spread(values: Sequence[float] | np.ndarray) -> Spread:
    """Percentiles by linear interpolation (numpy's default): monotone in q, so
    p50 <= p95 <= p99 <= max always holds."""
    arr = np.asarray(values, dtype="float64")
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        nan = float("nan")
        return Spread(0, nan, nan, nan, nan, nan)
    p50, p95, p99 = np.percentile(arr, [50, 95, 99])
    top = float(arr.max())
    # Interpolation can exceed max by a rounding ulp; clamp so the invariant is exact.
    p99 = min(float(p99), top)
    p95 = min(float(p95), p99)
    p50 = min(float(p50), p95)
    return Spread(int(arr.size), float(arr.mean()), p50, p95, p99, top)
