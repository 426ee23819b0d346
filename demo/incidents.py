"""Deterministic demo incidents with a full workflow history.

A year of incidents with a believable pattern: hot spots (the grids' ``weight``), a daily cycle
(morning and afternoon peaks, quiet nights), a weekly cycle (busier weekdays), categories and
sources in realistic shares, stage durations drawn around each stage's deadline (most on time,
some overdue), and some incidents returned (退回), extended (延期), escalated (督办) or void.
Incidents reported close to ``now`` are still open. Everything is vectorised with numpy: the
city tier's ten million incidents generate in minutes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gridmap.domain.categories import CATEGORIES, SOURCES, SUBCATEGORY_NAMES
from gridmap.domain.routing import route
from gridmap.domain.sla import allowed_hours_array
from gridmap.domain.workflow import CLOSED_STATES
from gridmap.geo.coords import wgs84_to_gcj02

#: Relative report volume by hour of day (0–23): quiet nights, morning and afternoon peaks.
HOURLY_PROFILE = np.array(
    [
        0.15,
        0.1,
        0.08,
        0.07,
        0.08,
        0.15,
        0.35,
        0.7,
        1.2,
        1.6,
        1.7,
        1.5,
        1.1,
        1.0,
        1.4,
        1.6,
        1.5,
        1.2,
        0.9,
        0.8,
        0.7,
        0.55,
        0.4,
        0.25,
    ]
)
#: Relative volume by weekday (Monday first).
WEEKLY_PROFILE = np.array([1.12, 1.08, 1.05, 1.05, 1.0, 0.82, 0.78])

#: Stage durations are drawn as ``allowed hours × lognormal(ln MEDIAN_RATIO, SIGMA)``.
MEDIAN_RATIO = 0.5
SIGMA = 0.55

#: Shares of incidents that take the side roads of the workflow.
VOID_SHARE = 0.02
RETURN_SHARE = 0.05
EXTEND_SHARE = 0.03
ESCALATE_OVERDUE_SHARE = 0.4

#: Incidents generated at a time (bounds memory at the city tier).
CHUNK_SIZE = 1_000_000

#: Sources whose apps send GCJ-02 (the Chinese web-map offset) rather than WGS84.
GCJ02_SOURCES = ("grid_worker", "resident")

_ROADS = (
    "建设路",
    "双林路",
    "府青路",
    "二环路东二段",
    "猛追湾街",
    "双桥路",
    "万年场路",
    "驷马桥街",
    "跳蹬河北路",
    "东风路",
    "龙潭路",
    "青龙场路",
    "杉板桥路",
    "八里庄路",
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


@dataclasses.dataclass
class DemoIncidents:
    """Incidents (GeoDataFrame of points, EPSG:4326) and their workflow events (DataFrame)."""

    incidents: gpd.GeoDataFrame
    events: pd.DataFrame


def iter_incidents(
    grids: gpd.GeoDataFrame,
    *,
    count: int,
    now: pd.Timestamp,
    seed: int = 0,
    days: int = 365,
    street_names: dict[str, str] | None = None,
    community_names: dict[str, str] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[DemoIncidents]:
    """Generate ``count`` incidents over the ``days`` before ``now`` in time-ordered chunks.

    Parameters
    ----------
    grids
        Grid layer in EPSG:4326 with ``code``, ``community_code``, ``street_code`` and
        ``weight`` (incident intensity, sums to 1).
    count
        Number of incidents.
    now
        The demo's "now" (timezone-aware, Asia/Shanghai); events after it have not happened.
    seed
        Seed of the generator: the same seed, ``now`` and ``chunk_size`` give the same data.
    street_names, community_names
        Code → display name, for routing to street offices and community workstations.
    chunk_size
        Incidents per chunk: memory stays bounded whatever ``count`` is (the city tier's ten
        million incidents need about 2 GB at a time).
    """
    rng = np.random.default_rng(seed)
    reported = _report_times(rng, count, now, days)
    day_key, serial = _day_serials(reported)
    weights = _weights(grids)
    geoms = np.asarray(grids.geometry.values, dtype=object)
    codes = {c: grids[c].to_numpy(dtype=object) for c in ("code", "community_code", "street_code")}
    for start in range(0, count, chunk_size):
        part = slice(start, min(count, start + chunk_size))
        n = part.stop - part.start
        grid_pos = rng.choice(len(grids), size=n, p=weights)
        lon, lat = _points_in_grids(rng, geoms, grid_pos)
        category, subcategory = _categories(rng, n)
        source = rng.choice(list(SOURCES), size=n, p=[s[2] for s in SOURCES.values()])
        grid_code = codes["code"][grid_pos]
        incidents = pd.DataFrame(
            {
                "incident_id": _incident_ids(grid_code, day_key[part], serial[part]),
                "source": source,
                "category": category,
                "subcategory": subcategory,
                "priority": _priorities(rng, category),
                "reported_at": reported.iloc[part].reset_index(drop=True),
                "lon": lon,
                "lat": lat,
                "grid_code": grid_code,
                "community_code": codes["community_code"][grid_pos],
                "street_code": codes["street_code"][grid_pos],
            }
        )
        _add_source_coordinates(incidents)
        incidents["description"] = _descriptions(rng, incidents)
        incidents["department"] = _departments(incidents, street_names or {}, community_names or {})
        events = _workflow_events(rng, incidents, now)
        _add_current_state(incidents, events)
        frame = gpd.GeoDataFrame(incidents, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
        yield DemoIncidents(frame, events)


def _weights(grids: gpd.GeoDataFrame) -> np.ndarray:
    w = grids["weight"].to_numpy(dtype=float) if "weight" in grids else np.ones(len(grids))
    return w / w.sum()


def _report_times(rng: np.random.Generator, n: int, now: pd.Timestamp, days: int) -> pd.Series:
    """Report times by an hourly intensity: daily and weekly cycle and a mild upward trend."""
    start = (now - pd.Timedelta(days=days)).floor("h")
    hours = pd.date_range(start, now.floor("h"), freq="h", inclusive="left")
    trend = np.linspace(0.85, 1.15, len(hours))
    weight = HOURLY_PROFILE[hours.hour] * WEEKLY_PROFILE[hours.day_of_week] * trend
    slot = np.sort(rng.choice(len(hours), size=n, p=weight / weight.sum()))
    offset = rng.uniform(0, 3600, size=n)
    times = hours[slot] + pd.to_timedelta(offset, unit="s")
    return pd.Series(times.floor("s"))


def _points_in_grids(
    rng: np.random.Generator, geoms: np.ndarray, pos: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Uniform random points inside each chosen grid, by vectorised rejection sampling."""
    shapely.prepare(geoms)
    bounds = shapely.bounds(geoms)
    lon = np.empty(pos.size)
    lat = np.empty(pos.size)
    todo = np.arange(pos.size)
    while todo.size:
        b = bounds[pos[todo]]
        x = rng.uniform(b[:, 0], b[:, 2])
        y = rng.uniform(b[:, 1], b[:, 3])
        ok = shapely.contains_xy(geoms[pos[todo]], x, y)
        lon[todo[ok]] = x[ok]
        lat[todo[ok]] = y[ok]
        todo = todo[~ok]
    return lon, lat


def _categories(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    shares = np.array([c.share for c in CATEGORIES])
    cat_pos = rng.choice(len(CATEGORIES), size=n, p=shares / shares.sum())
    category = np.array([c.code for c in CATEGORIES], dtype=object)[cat_pos]
    sub_count = np.array([len(c.subcategories) for c in CATEGORIES])
    sub_pos = np.floor(rng.random(n) * sub_count[cat_pos]).astype(int)
    table = np.array(
        [
            [c.subcategories[min(i, len(c.subcategories) - 1)][0] for i in range(sub_count.max())]
            for c in CATEGORIES
        ],
        dtype=object,
    )
    return category, table[cat_pos, sub_pos]


def _priorities(rng: np.random.Generator, category: np.ndarray) -> np.ndarray:
    u = rng.random(category.size)
    urgent = np.where(category == "TF", 0.5, np.where(category == "AQ", 0.1, 0.02))
    high = urgent + np.where(category == "TF", 0.4, 0.12)
    return np.where(u < urgent, 1, np.where(u < high, 2, 3)).astype(np.int8)


def _day_serials(reported: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Local date as ``yyyymmdd`` and the 1-based serial of each report within its day
    (``reported`` is sorted)."""
    local = reported.dt
    day_key = (local.year * 10000 + local.month * 100 + local.day).to_numpy(dtype=np.int64)
    first = np.searchsorted(day_key, day_key, side="left")
    return day_key, np.arange(day_key.size) - first + 1


def _incident_ids(grid_code: np.ndarray, day_key: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """``<district><yyyymmdd><7-digit serial of the day>``, e.g. ``5101082026112500000123``."""
    district = pd.Series(grid_code, dtype=object).str[:6]
    day = pd.Series(day_key).astype(str)
    number = pd.Series(serial).astype(str).str.zfill(7)
    return (district + day + number).to_numpy(dtype=object)


def _add_source_coordinates(incidents: pd.DataFrame) -> None:
    """Apps of grid workers and residents send GCJ-02; keep what they sent beside WGS84."""
    gcj = incidents["source"].isin(GCJ02_SOURCES).to_numpy()
    x = incidents["lon"].to_numpy().copy()
    y = incidents["lat"].to_numpy().copy()
    x[gcj], y[gcj] = wgs84_to_gcj02(x[gcj], y[gcj])
    incidents["source_crs"] = np.where(gcj, "gcj02", "EPSG:4326")
    incidents["source_x"] = x
    incidents["source_y"] = y


def _descriptions(rng: np.random.Generator, incidents: pd.DataFrame) -> np.ndarray:
    """Short Chinese descriptions; about one in six names a person and a phone number."""
    n = len(incidents)
    names = incidents["subcategory"].map({k: v[0] for k, v in SUBCATEGORY_NAMES.items()})
    road = np.array(_ROADS, dtype=object)[rng.integers(0, len(_ROADS), n)]
    number = rng.integers(1, 300, n).astype(str)
    text = road + number.astype(object) + "号附近" + names.to_numpy(dtype=object) + "，请尽快处理。"
    personal = rng.random(n) < 0.16
    surname = np.array(list(_SURNAMES), dtype=object)[rng.integers(0, len(_SURNAMES), n)]
    title = np.where(rng.random(n) < 0.5, "先生", "女士").astype(object)
    phone = (
        "1"
        + rng.choice(list("3456789"), n).astype(object)
        + pd.Series(rng.integers(0, 10**9, n)).astype(str).str.zfill(9).to_numpy(dtype=object)
    )
    contact = "报告人" + surname + title + "，电话" + phone + "。"
    return np.where(personal, text + contact, text)


def _departments(
    incidents: pd.DataFrame, streets: dict[str, str], communities: dict[str, str]
) -> np.ndarray:
    keys = incidents[["subcategory", "street_code", "community_code"]].drop_duplicates()
    units = {
        (s, st, cm): route(s, streets.get(st), communities.get(cm))
        for s, st, cm in keys.itertuples(index=False)
    }
    index = pd.MultiIndex.from_frame(incidents[["subcategory", "street_code", "community_code"]])
    return pd.Series(units).reindex(index).to_numpy(dtype=object)


def _workflow_events(
    rng: np.random.Generator, incidents: pd.DataFrame, now: pd.Timestamp
) -> pd.DataFrame:
    """Every incident's events up to ``now``: the main line plus returns, extensions, escalations.

    Each stage lasts ``allowed × lognormal`` hours; an incident chosen to be returned goes back
    from 已反馈 (handled) to 立案 (accepted) once and runs the line again. Times are handled as
    naive UTC ``datetime64[ns]`` arrays for speed and given their time zone at the end.
    """
    n = len(incidents)
    cat = incidents["category"].to_numpy(dtype=object)
    prio = incidents["priority"].to_numpy()
    tz = incidents["reported_at"].dt.tz
    t0 = incidents["reported_at"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    now_utc = now.tz_convert("UTC").tz_localize(None).to_datetime64()

    allowed_by_state = {
        state: (allowed_hours_array(state, cat, prio) * 3.6e12).astype("timedelta64[ns]")
        for state in ("reported", "accepted", "dispatched", "in_progress", "handled", "verified")
    }

    def allowed(state: str) -> np.ndarray:
        return allowed_by_state[state]

    def duration(state: str) -> np.ndarray:
        ratio = rng.lognormal(np.log(MEDIAN_RATIO), SIGMA, n)
        return (allowed(state) * ratio).astype("timedelta64[ns]")

    void = rng.random(n) < VOID_SHARE
    returned = (~void) & (rng.random(n) < RETURN_SHARE)
    extended = (~void) & (rng.random(n) < EXTEND_SHARE)
    parts: list[dict[str, object]] = []
    no_deadline = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")

    def add(mask, at, action, src, dst, deadline_state: str | None, actor) -> None:
        keep = np.flatnonzero(mask & (at <= now_utc))
        deadline = at + allowed(deadline_state) if deadline_state else no_deadline
        actors = np.broadcast_to(np.asarray(actor, dtype=object), (n,))
        parts.append(
            {
                "row": keep,
                "at": at[keep],
                "action": np.full(keep.size, action, dtype=object),
                "from_state": np.full(keep.size, src, dtype=object),
                "to_state": np.full(keep.size, dst, dtype=object),
                "actor": actors[keep],
                "deadline": deadline[keep],
            }
        )

    everyone = np.ones(n, dtype=bool)
    centre = "区大联动中心"
    dept = incidents["department"].to_numpy(dtype=object)
    source_actor = incidents["source"].map({k: v[0] for k, v in SOURCES.items()}).to_numpy()
    add(everyone, t0, "report", None, "reported", "reported", source_actor)
    t = t0 + duration("reported")
    add(void, t, "void", "reported", "void", None, centre)
    live = ~void
    add(live, t, "accept", "reported", "accepted", "accepted", centre)
    t_verify = t
    for lap in (0, 1):
        lap_mask = live if lap == 0 else returned
        t = t + duration("accepted")
        add(lap_mask, t, "dispatch", "accepted", "dispatched", "dispatched", centre)
        t = t + duration("dispatched")
        add(lap_mask, t, "start", "dispatched", "in_progress", "in_progress", dept)
        work = duration("in_progress")
        ext = extended & (lap == 0)
        ext_at = t + work // 2
        add(lap_mask & ext, ext_at, "extend", "in_progress", "in_progress", "in_progress", dept)
        deadline = np.where(ext, ext_at, t) + allowed("in_progress")
        escalate_at = deadline + np.timedelta64(30, "m")
        still_working = t + work > escalate_at  # still at work when the 督办 comes
        escalate = lap_mask & still_working & (rng.random(n) < ESCALATE_OVERDUE_SHARE)
        add(escalate, escalate_at, "escalate", "in_progress", "in_progress", None, centre)
        t = t + work
        add(lap_mask, t, "handle", "in_progress", "handled", "handled", dept)
        t = t + duration("handled")
        if lap == 0:
            add(returned, t, "return", "handled", "accepted", "accepted", centre)
            t_verify = t  # those not returned go on to verification from here
    t = np.where(returned, t, t_verify)
    add(live, t, "verify", "handled", "verified", "verified", centre)
    t = t + duration("verified")
    add(live, t, "close", "verified", "closed", None, centre)
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    order = np.lexsort((cols["at"], cols["row"]))
    cols = {k: v[order] for k, v in cols.items()}
    row = cols.pop("row")
    events = pd.DataFrame({"incident_id": incidents["incident_id"].to_numpy()[row], **cols})
    for column in ("at", "deadline"):
        events[column] = events[column].dt.tz_localize("UTC").dt.tz_convert(tz)
    first = np.r_[True, row[1:] != row[:-1]]
    start_of_run = np.maximum.accumulate(np.where(first, np.arange(row.size), 0))
    events["seq"] = np.arange(row.size) - start_of_run + 1
    return events


def _add_current_state(incidents: pd.DataFrame, events: pd.DataFrame) -> None:
    """State, stage start, stage deadline and closing time as of the last event."""
    changes = events[events["action"] != "escalate"]
    last = changes.groupby("incident_id", sort=False).tail(1).set_index("incident_id")
    ids = incidents["incident_id"]
    incidents["status"] = last["to_state"].reindex(ids).to_numpy()
    for target, column in (("stage_entered_at", "at"), ("deadline", "deadline")):
        incidents[target] = last[column].reindex(ids).set_axis(incidents.index)
    closed = incidents["status"].isin(CLOSED_STATES).to_numpy()
    incidents["closed_at"] = incidents["stage_entered_at"].where(closed)
    escalated = events.loc[events["action"] == "escalate", "incident_id"].unique()
    incidents["escalated"] = ids.isin(escalated).to_numpy()
