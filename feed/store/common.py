"""Pieces the store's modules share: its errors, the clock, and plain-value helpers."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from gridmap.feed.store.base import StoreError

#: Incident columns a workflow event may change.
MUTABLE_COLUMNS = (
    "status",
    "stage_entered_at",
    "deadline",
    "closed_at",
    "escalated",
    "department",
    "last_event_at",
)


class ConflictError(StoreError):
    """A write that contradicts what is stored (same id, different body; stale event)."""


class NotFoundError(StoreError):
    """A write that names something the store does not hold."""


def now_ms() -> int:
    """Now, as epoch milliseconds (UTC)."""
    return time.time_ns() // 1_000_000


def iso_local(ms: int) -> str:
    """Epoch ms as an ISO time in Beijing time (for messages)."""
    return pd.Timestamp(ms, unit="ms", tz="UTC").tz_convert("Asia/Shanghai").isoformat()


def chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def plain_value(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    return v
