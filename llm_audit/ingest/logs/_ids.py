"""64-bit fingerprints of request ids: duplicate detection without a string a row.

A big log's request ids are ~45 bytes a row as strings, and only the ones that repeat are
ever shown. ``fingerprints`` turns an Arrow string array into one ``uint64`` a row (0 for a
missing id); equal ids have equal fingerprints, so only rows whose fingerprint repeats can be
duplicates, and those few are compared by their strings (``load``): a collision never
drops a row. Vectorised per distinct id length (a provider's ids usually share one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_GOLDEN = 0x9E3779B97F4A7C15


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer, in place (uint64 arithmetic wraps)."""
    import numpy as np

    h ^= h >> np.uint64(30)
    h *= np.uint64(_M1)
    h ^= h >> np.uint64(27)
    h *= np.uint64(_M2)
    h ^= h >> np.uint64(31)
    return h


def fingerprints(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """One nonzero ``uint64`` per id (0 where the id is missing), equal for equal strings."""
    import numpy as np
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        parts = [fingerprints(c) for c in values.chunks]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.large_string())
    n = len(values)
    out = np.zeros(n, dtype=np.uint64)
    if n == 0:
        return out
    _, off_buf, data_buf = values.buffers()[:3]
    width = np.int32 if pa.types.is_string(values.type) else np.int64
    offsets = np.frombuffer(off_buf, dtype=width)[values.offset : values.offset + n + 1]
    offsets = offsets.astype(np.int64)
    data = (np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None
            else np.zeros(0, dtype=np.uint8))
    lengths = np.diff(offsets)
    present = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    for length in np.unique(lengths[present]).tolist():
        rows = np.flatnonzero(present & (lengths == length))
        words = -(-length // 8)
        block = np.zeros((len(rows), max(words, 1) * 8), dtype=np.uint8)
        if length:
            starts = offsets[rows]
            if len(rows) == n and n > 1 and bool(np.all(np.diff(starts) == length)):
                block[:, :length] = data[starts[0] : starts[0] + n * length].reshape(n, length)
            else:
                block[:, :length] = data[starts[:, None] + np.arange(length)]
        h = np.full(len(rows), (_GOLDEN * (length + 1)) & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64)
        for word in block.view(np.uint64).T:
            h ^= word
            _mix(h)
        h[h == 0] = 1  # 0 means no id
        out[rows] = h
    return out
