"""The store interface shared by the SQLite and PostGIS backends, and shared conversions.

Times are stored as integer milliseconds since the Unix epoch (UTC) and come back as
timezone-aware ``pandas`` timestamps; geometry is WGS84 (EPSG:4326).
"""

from __future__ import annotations

import abc
import json

import geopandas as gpd
import numpy as np
import pandas as pd

#: Columns of the ``areas`` table besides the geometry; other columns go to ``props`` (JSON).
AREA_COLUMNS = ("code", "level", "name", "parent_code")
BUILDING_COLUMNS = ("building_id", "grid_code", "name", "floors", "households", "population")

#: Incident columns stored as such (times in epoch ms).
INCIDENT_COLUMNS = (
    "incident_id",
    "source",
    "category",
    "subcategory",
    "priority",
    "reported_at",
    "lon",
    "lat",
    "source_crs",
    "source_x",
    "source_y",
    "grid_code",
    "community_code",
    "street_code",
    "description",
    "department",
    "status",
    "stage_entered_at",
    "deadline",
    "closed_at",
    "escalated",
)
INCIDENT_TIME_COLUMNS = ("reported_at", "stage_entered_at", "deadline", "closed_at")
EVENT_COLUMNS = (
    "incident_id",
    "at",
    "action",
    "from_state",
    "to_state",
    "actor",
    "note",
    "department",
    "deadline",
)
EVENT_TIME_COLUMNS = ("at", "deadline")


class StoreError(RuntimeError):
    """The store cannot do what was asked (bad URL, unreachable, schema too new, ...)."""


def to_epoch_ms(values: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Timestamps (aware, or naive taken as UTC) → int64 epoch ms; NaT → ``None`` (object)."""
    series = pd.to_datetime(pd.Series(values).reset_index(drop=True))
    if series.dt.tz is None:
        series = series.dt.tz_localize("UTC")
    ms = series.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ms]")
    out = ms.astype(np.int64).astype(object)
    out[np.isnat(ms)] = None
    return out


def from_epoch_ms(values, tz: str = "Asia/Shanghai") -> pd.Series:
    """Epoch ms (``None`` for missing) → timezone-aware timestamps in ``tz``."""
    series = pd.to_datetime(pd.Series(values, dtype="Float64"), unit="ms", utc=True)
    return series.dt.tz_convert(tz)


def split_props(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[str | None]:
    """JSON text of each row's columns that are not in ``columns`` (and not the geometry)."""
    extra = [
        c
        for c in frame.columns
        if c not in columns
        and not (isinstance(frame, gpd.GeoDataFrame) and c == frame.geometry.name)
    ]
    if not extra:
        return [None] * len(frame)
    records = frame[extra].astype(object).where(frame[extra].notna(), None).to_dict("records")
    return [json.dumps(r, ensure_ascii=False, default=str) for r in records]


def join_props(frame: pd.DataFrame, props: pd.Series) -> pd.DataFrame:
    """Expand a ``props`` JSON column back into columns."""
    if props.isna().all():
        return frame
    expanded = pd.DataFrame.from_records([json.loads(p) if p else {} for p in props])
    expanded.index = frame.index
    return pd.concat([frame, expanded], axis=1)


def incident_frame(table: pd.DataFrame) -> pd.DataFrame:
    """An incidents table as read from the store, with times tz-aware and ``escalated`` a
    bool (an empty one keeps its columns)."""
    if table.empty:
        table = pd.DataFrame(columns=list(INCIDENT_COLUMNS))
    for column in INCIDENT_TIME_COLUMNS:
        table[column] = from_epoch_ms(table[column])
    table["escalated"] = table["escalated"].fillna(0).astype(int).astype(bool)
    return table


class Store(abc.ABC):
    """A store of base layers, incidents and their workflow events."""

    url: str

    # --- base layers -------------------------------------------------------------------
    @abc.abstractmethod
    def put_areas(self, level: str, frame: gpd.GeoDataFrame) -> int:
        """Replace all areas of ``level`` with ``frame`` (EPSG:4326; ``code``, ``name``,
        ``parent_code`` columns; others kept as properties). Returns the row count."""

    @abc.abstractmethod
    def get_areas(self, level: str) -> gpd.GeoDataFrame:
        """All areas of ``level`` (EPSG:4326), ordered by code."""

    @abc.abstractmethod
    def put_buildings(self, frame: gpd.GeoDataFrame) -> int:
        """Replace all buildings. Returns the row count."""

    @abc.abstractmethod
    def get_buildings(
        self, bbox: tuple[float, float, float, float] | None = None
    ) -> gpd.GeoDataFrame:
        """Buildings, optionally only those whose bounds meet ``bbox`` (lon/lat degrees)."""

    @abc.abstractmethod
    def layer_counts(self) -> dict[str, int]:
        """Rows per layer: each area level, ``buildings``, ``incidents``, ``events``."""

    # --- incidents ---------------------------------------------------------------------
    @abc.abstractmethod
    def bulk_load(self, incidents: pd.DataFrame, events: pd.DataFrame | None = None) -> int:
        """Insert (or replace) incidents and append their events in one transaction.

        For demo data and imports; the live intake path is separate. Returns incidents written.
        """

    @abc.abstractmethod
    def get_incidents(self, *, open_only: bool = False) -> pd.DataFrame:
        """Incidents as a DataFrame (times timezone-aware)."""

    @abc.abstractmethod
    def ping(self) -> bool:
        """Whether the store answers."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
