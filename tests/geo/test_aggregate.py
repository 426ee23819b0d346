"""Tests of gridmap.geo.aggregate on small hand-built tables with known answers."""

from __future__ import annotations

from collections import Counter

import h3
import numpy as np
import pandas as pd
import pytest
import shapely

from gridmap.geo.aggregate import (
    area_figures,
    count_by_area,
    h3_bins,
    h3_bins_multi,
    h3_cell_polygons,
    on_time_by_incident,
    time_series,
    typical_day_profile,
)

TZ = "Asia/Shanghai"
G1, G2, G3 = "510108002002001", "510108002002002", "510108004001001"
NOW = pd.Timestamp("2025-06-10 12:00", tz=TZ)
#: naive bounds: read in the data's time zone; A6 is reported exactly at the end
WINDOW = ("2025-06-01 00:00", "2025-06-10 09:00")


def _t(text: str | None) -> pd.Timestamp:
    """``"MM-DD hh:mm"`` in 2025, Shanghai time; ``None`` (or NaN) is NaT."""
    return pd.Timestamp(f"2025-{text}", tz=TZ) if isinstance(text, str) else pd.NaT


#   id    grid  cat   status        reported      stage entered  deadline       closed_at
ROWS = [
    ("A1", G1, "SR", "closed", "06-01 00:00", "06-01 10:00", None, "06-01 10:00"),
    ("A2", G1, "SR", "closed", "06-02 09:00", "06-03 09:00", None, "06-03 09:00"),
    ("A3", G1, "TF", "void", "06-03 10:00", "06-03 10:30", None, "06-03 10:30"),
    # overdue: deadline an hour before now
    ("A4", G1, "SR", "in_progress", "06-09 08:00", "06-09 11:00", "06-10 11:00", None),
    # deadline == now: not overdue, but 0 h left < 20 % of 24 h: near-due
    ("A5", G1, "TF", "handled", "06-09 09:00", "06-09 12:00", "06-10 12:00", None),
    # 25 min left of 145: near-due
    ("A6", G2, "SR", "dispatched", "06-10 09:00", "06-10 10:00", "06-10 12:25", None),
    # 12 min left of 60: exactly 20 %, not near-due
    ("A7", G2, "SR", "accepted", "06-10 11:00", "06-10 11:12", "06-10 12:12", None),
    ("A8", G2, "JM", "reported", "06-10 11:50", "06-10 11:50", "06-10 12:20", None),
    ("A9", G2, "SR", "closed", "05-31 23:00", "06-01 05:00", None, "06-01 05:00"),
    ("A10", G3, "TF", "closed", "06-05 00:00", "06-05 06:00", None, "06-05 06:00"),
    # overdue but in no grid
    ("A11", None, "SR", "reported", "06-06 08:00", "06-06 08:00", "06-06 08:30", None),
    # open without a deadline: neither overdue nor near-due
    ("A12", G3, "JM", "in_progress", "06-08 08:00", "06-08 09:00", None, None),
    # overdue by one second
    ("A13", G3, "SR", "verified", "06-07 00:00", "06-08 11:59:59", "06-10 11:59:59", None),
]


@pytest.fixture
def incidents() -> pd.DataFrame:
    cols = ["incident_id", "grid_code", "category", "status"]
    df = pd.DataFrame([r[:4] for r in ROWS], columns=cols)
    for i, name in enumerate(["reported_at", "stage_entered_at", "deadline", "closed_at"], 4):
        df[name] = pd.Series([_t(r[i]) for r in ROWS], dtype=f"datetime64[ns, {TZ}]")
    df["community_code"] = df["grid_code"].str[:12]
    df["street_code"] = df["grid_code"].str[:9]
    return df


def _events(rows: list[tuple]) -> pd.DataFrame:
    out = pd.DataFrame(
        rows, columns=["incident_id", "at", "action", "from_state", "to_state", "deadline"]
    )
    out["at"] = pd.Series([_t(a) for a in out["at"]], dtype=f"datetime64[ns, {TZ}]")
    out["deadline"] = pd.Series([_t(d) for d in out["deadline"]], dtype=f"datetime64[ns, {TZ}]")
    out["seq"] = out.groupby("incident_id").cumcount() + 1
    return out


@pytest.fixture
def events() -> pd.DataFrame:
    return _events(
        [
            # on time: accept exactly at the report deadline; closed after the first
            # handling deadline (08:00) but before the extended one (12:00)
            ("A1", "06-01 00:00", "report", None, "reported", "06-01 00:30"),
            ("A1", "06-01 00:30", "accept", "reported", "accepted", "06-01 01:30"),
            ("A1", "06-01 01:00", "start", "accepted", "in_progress", "06-01 08:00"),
            ("A1", "06-01 06:00", "extend", "in_progress", "in_progress", "06-01 12:00"),
            ("A1", "06-01 10:00", "close", "in_progress", "closed", None),
            # late at one stage: accepted 10 min after the report deadline
            ("A2", "06-02 09:00", "report", None, "reported", "06-02 09:30"),
            ("A2", "06-02 09:40", "accept", "reported", "accepted", "06-02 10:40"),
            ("A2", "06-02 10:00", "start", "accepted", "in_progress", "06-03 10:00"),
            ("A2", "06-03 09:00", "close", "in_progress", "closed", None),
            # a 督办 (no deadline, same state) leaves the 03:00 deadline in force: late
            ("A10", "06-05 00:00", "report", None, "reported", "06-05 00:30"),
            ("A10", "06-05 00:30", "start", "reported", "in_progress", "06-05 03:00"),
            ("A10", "06-05 02:00", "escalate", "in_progress", "in_progress", None),
            ("A10", "06-05 04:00", "handle", "in_progress", "handled", "06-06 04:00"),
            ("A10", "06-05 06:00", "close", "handled", "closed", None),
            # open, late, but not closed: never in the on-time figures
            ("A4", "06-09 08:00", "report", None, "reported", "06-09 08:01"),
            ("A4", "06-09 11:00", "start", "reported", "in_progress", "06-10 11:00"),
        ]
    )


# --------------------------------------------------------------------------------------------
# count_by_area
# --------------------------------------------------------------------------------------------


def test_count_by_status(incidents):
    got = count_by_area(incidents, level="grid")
    assert list(got.index) == [G1, G2, G3]
    assert got.index.name == "grid_code"
    assert list(got.columns) == [
        "accepted",
        "closed",
        "dispatched",
        "handled",
        "in_progress",
        "reported",
        "verified",
        "void",
        "open",
        "total",
    ]
    assert got.loc[G1].to_dict() == {
        **dict.fromkeys(got.columns, 0),
        **{"closed": 2, "void": 1, "in_progress": 1, "handled": 1, "open": 2, "total": 5},
    }
    assert got["total"].tolist() == [5, 4, 3]
    assert got["open"].tolist() == [2, 3, 2]
    assert (got.dtypes == np.int64).all()
    assert got.attrs == {"unassigned": 1, "unmatched": 0}  # A11 has no grid


def test_count_by_category_in_window_and_levels(incidents):
    got = count_by_area(incidents, by=("category",), window=WINDOW, open_states=None)
    assert list(got.columns) == ["JM", "SR", "TF", "total"]
    assert got.loc[G1].tolist() == [0, 3, 2, 5]
    assert got.loc[G2].tolist() == [0, 0, 0, 0]  # A6 at the window's end is out
    assert got.loc[G3].tolist() == [1, 1, 1, 3]
    assert got.attrs["unassigned"] == 1  # A11 is in the window

    streets = count_by_area(incidents, level="street", by=())
    assert streets["total"].to_dict() == {"510108002": 9, "510108004": 3}
    assert list(streets.columns) == ["open", "total"]


def test_count_by_area_with_explicit_areas(incidents):
    other = "510108009009009"
    got = count_by_area(incidents, by=(), areas=[G3, other, G1])
    assert list(got.index) == [G3, other, G1]
    assert got["total"].tolist() == [3, 0, 5]
    assert got.attrs == {"unassigned": 1, "unmatched": 4}  # G2's four are not asked for


def test_window_is_half_open(incidents):
    # start included (A1 at 06-01 00:00), end excluded (A6 at 06-10 09:00)
    got = count_by_area(incidents, by=(), window=("2025-06-01", "2025-06-10 09:00"))
    assert got["total"].sum() == 8  # A1-A5, A10, A12, A13 (A11 has no grid)
    assert got.loc[G1, "total"] == 5 and got.loc[G2, "total"] == 0
    got = count_by_area(incidents, by=(), window=("2025-06-01 00:00:01", "2025-06-10 09:00:01"))
    assert got.loc[G1, "total"] == 4 and got.loc[G2, "total"] == 1  # loses A1, gains A6
    assert count_by_area(incidents, by=(), window=(None, None))["total"].sum() == 12


# --------------------------------------------------------------------------------------------
# area_figures
# --------------------------------------------------------------------------------------------


def test_area_figures_in_window(incidents, events):
    got = area_figures(incidents, level="grid", now=NOW, window=WINDOW, events=events)
    counts = ["reported", "void", "closed", "open", "overdue", "near_due"]
    assert got[counts].to_dict("index") == {
        G1: dict(reported=5, void=1, closed=2, open=2, overdue=1, near_due=1),
        G2: dict(reported=0, void=0, closed=0, open=3, overdue=0, near_due=1),
        G3: dict(reported=3, void=0, closed=1, open=2, overdue=1, near_due=0),
    }
    # 结案率: void A3 left out of both
    assert got.loc[G1, "closure_rate"] == pytest.approx(2 / 4)
    assert got.loc[G3, "closure_rate"] == pytest.approx(1 / 3)
    # A1 on time, A2 late at acceptance; A10 late behind a 督办
    assert got["on_time"].tolist()[0::2] == [1.0, 0.0]
    assert got.loc[G1, "on_time_rate"] == pytest.approx(0.5)
    assert got.loc[G3, "on_time_rate"] == 0.0
    assert got.loc[G1, "mean_hours_to_close"] == pytest.approx((10 + 24) / 2)
    assert got.loc[G3, "mean_hours_to_close"] == pytest.approx(6.0)
    # nothing reported in G2 in the window: every rate NaN
    assert got.loc[G2, ["closure_rate", "on_time_rate", "mean_hours_to_close"]].isna().all()
    assert got.attrs["unassigned"] == 1


def test_area_figures_without_window_or_events(incidents):
    got = area_figures(incidents, level="grid", now=NOW)
    assert got.loc[G2, ["reported", "closed"]].tolist() == [4, 1]
    assert got.loc[G2, "closure_rate"] == pytest.approx(1 / 4)
    assert got.loc[G2, "mean_hours_to_close"] == pytest.approx(6.0)
    assert got["on_time"].isna().all() and got["on_time_rate"].isna().all()


def test_on_time_rate_leaves_out_closed_incidents_without_events(incidents, events):
    got = area_figures(incidents, now=NOW, events=events)
    assert got.loc[G2, "closed"] == 1  # A9 has no events
    assert np.isnan(got.loc[G2, "on_time_rate"])


def test_overdue_and_near_due_boundaries(incidents):
    one_second = pd.Timedelta(seconds=1)
    base = area_figures(incidents, level="street", now=NOW)
    assert base[["overdue", "near_due"]].to_dict("index") == {
        "510108002": {"overdue": 1, "near_due": 2},  # A4; A5 (deadline == now), A6
        "510108004": {"overdue": 1, "near_due": 0},  # A13; A12 has no deadline
    }
    # a second later A5 is overdue and A7 (exactly 20 % left) turns near-due
    later = area_figures(incidents, level="street", now=NOW + one_second)
    assert later.loc["510108002", ["overdue", "near_due"]].tolist() == [2, 2]
    # a naive `now` is read in the data's time zone
    naive = area_figures(incidents, level="street", now="2025-06-10 12:00")
    pd.testing.assert_frame_equal(naive, base)


def test_area_figures_with_explicit_areas_gives_nan_rates(incidents):
    other = "510108009009009"
    got = area_figures(incidents, now=NOW, areas=[other, G1])
    assert got.loc[other, ["reported", "open", "closed"]].tolist() == [0, 0, 0]
    assert got.loc[other, ["closure_rate", "mean_hours_to_close"]].isna().all()
    assert got.attrs == {"unassigned": 1, "unmatched": 7}


# --------------------------------------------------------------------------------------------
# on time at every stage
# --------------------------------------------------------------------------------------------


def test_on_time_by_incident(events):
    got = on_time_by_incident(events)
    assert got.to_dict() == {"A1": True, "A2": False, "A10": False, "A4": False}
    # the order of the log does not matter (sorted by seq within each incident)
    shuffled = events.sample(frac=1.0, random_state=3)
    assert on_time_by_incident(shuffled).sort_index().equals(got.sort_index())
    # without seq, events are ordered by time
    assert on_time_by_incident(shuffled.drop(columns="seq")).to_dict() == got.to_dict()


def test_without_state_columns_every_event_sets_the_deadline(events):
    # the 督办 then resets the deadline to none, so A10's late handling is not seen
    got = on_time_by_incident(events.drop(columns=["from_state", "to_state"]))
    assert got["A10"]
    assert not got["A2"]


# --------------------------------------------------------------------------------------------
# time series and the usual day
# --------------------------------------------------------------------------------------------


def test_time_series_per_hour(incidents):
    window = (pd.Timestamp("2025-06-10 09:00", tz=TZ), pd.Timestamp("2025-06-10 12:00", tz=TZ))
    got = time_series(incidents, window=window, freq="h")
    assert got.index.tolist() == [_t("06-10 09:00"), _t("06-10 10:00"), _t("06-10 11:00")]
    assert got["count"].tolist() == [1, 0, 2]
    # the end is excluded: A7 at 11:00 is out
    short = time_series(incidents, window=(window[0], "2025-06-10 11:00"))
    assert short["count"].tolist() == [1, 0]
    by = time_series(incidents, window=window, by="category")
    # one column per category in the table, whether or not it occurs in the window
    assert list(by.columns) == ["JM", "SR", "TF", "total"]
    assert by.loc[_t("06-10 11:00")].tolist() == [1, 1, 0, 2]


def test_time_series_per_local_day(incidents):
    got = time_series(incidents, window=("2025-06-01", "2025-06-03"), freq="D")
    # A9 at 23:00 on 31 May (local) is not in 1 June
    assert got.index.tolist() == [_t("06-01 00:00"), _t("06-02 00:00")]
    assert got["count"].tolist() == [1, 1]


def test_typical_day_profile():
    reports = [
        "06-07 08:00",  # three days back: outside days=2
        "06-08 08:10",
        "06-08 08:20",
        "06-09 08:30",
        "06-09 23:59",
        "06-10 00:00",
        "06-10 11:59",
        "06-10 12:00",  # == now: not yet counted
    ]
    df = pd.DataFrame({"reported_at": pd.Series([_t(r) for r in reports])})
    got = typical_day_profile(df, now=NOW, days=2)
    assert got.index.tolist() == list(range(24))
    expected_mean = np.zeros(24)
    expected_mean[8], expected_mean[23] = 1.5, 0.5
    np.testing.assert_allclose(got["mean"], expected_mean)
    assert got["today"].iloc[:13].tolist() == [1.0, *[0.0] * 10, 1.0, 0.0]
    assert got["today"].iloc[13:].isna().all()


# --------------------------------------------------------------------------------------------
# H3
# --------------------------------------------------------------------------------------------

#: Tianfu Square, Chengdu (WGS84)
LON, LAT = 104.0657, 30.6574


def test_h3_bins_known_point_and_skipped():
    lon = np.array([LON, LON, LON + 0.05, np.nan, LON, 200.0])
    lat = np.array([LAT, LAT, LAT, LAT, np.nan, LAT])
    got = h3_bins(lon, lat, resolution=9)
    assert got.attrs["skipped"] == 3  # NaN lon, NaN lat, lon out of range
    assert got["count"].sum() + got.attrs["skipped"] == len(lon)
    cell = h3.latlng_to_cell(LAT, LON, 9)
    assert got.set_index("cell").loc[cell, "count"] == 2
    centre_lat, centre_lon = h3.cell_to_latlng(cell)
    row = got.set_index("cell").loc[cell]
    assert (row["lon"], row["lat"]) == pytest.approx((centre_lon, centre_lat))
    assert "weight" not in got.columns


def test_h3_bins_match_scalar_h3_on_random_points():
    rng = np.random.default_rng(5)
    lon = rng.uniform(103.9, 104.2, 3000)
    lat = rng.uniform(30.5, 30.8, 3000)
    lon[::7] = lon[0]  # plenty of duplicates
    lat[::7] = lat[0]
    for res, table in h3_bins_multi(lon, lat, resolutions=(7, 9)).items():
        expected = Counter(h3.latlng_to_cell(b, a, res) for a, b in zip(lon, lat, strict=True))
        assert dict(zip(table["cell"], table["count"], strict=True)) == expected
        assert table["count"].sum() == 3000 and table.attrs["skipped"] == 0
        assert table["cell"].is_monotonic_increasing


def test_h3_bins_weights():
    lon = np.array([LON, LON, LON, LON])
    lat = np.array([LAT, LAT, LAT, LAT])
    got = h3_bins(lon, lat, resolution=8, weights=[1.0, 2.5, np.nan, 3.0])
    assert got[["count", "weight"]].values.tolist() == [[3, 6.5]]
    assert got.attrs["skipped"] == 1


def test_h3_bins_empty():
    got = h3_bins(np.array([np.nan]), np.array([np.nan]), resolution=9)
    assert len(got) == 0 and got.attrs["skipped"] == 1


def test_h3_cell_polygons_contain_centres_lon_in_x():
    rng = np.random.default_rng(2)
    bins = h3_bins(rng.uniform(104.0, 104.1, 200), rng.uniform(30.6, 30.7, 200), resolution=8)
    polys = h3_cell_polygons(bins["cell"])
    assert polys.crs.to_epsg() == 4326
    assert polys["cell"].tolist() == bins["cell"].tolist()
    assert (polys["resolution"] == 8).all()
    assert shapely.contains_xy(polys.geometry.values, bins["lon"], bins["lat"]).all()
    minx, miny, maxx, maxy = polys.total_bounds
    assert 103.9 < minx < maxx < 104.2 and 30.5 < miny < maxy < 30.8
    assert h3_cell_polygons([]).empty
