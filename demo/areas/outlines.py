"""The outlines the hierarchy is cut from, in EPSG:4544 metres: organic radial shapes
(smooth harmonic noise around a centre) scaled to a target area in m² and fitted inside a
lon/lat bounding box, giving Chenghua (about 108 km²), the Chengdu city outline (about
14,300 km², smoothed from a hand-drawn rim) and the core blob of the central districts.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import shapely

from gridmap.demo.areas.base import CHENGDU_BBOX, CHENGHUA_BBOX, Floats, _to_lonlat, _to_metric

_CHENGHUA_AREA_M2: Final = 108.0e6
_CHENGHUA_CENTRE: Final = (104.155, 30.685)
_CITY_AREA_M2: Final = 14_300.0e6
_CITY_CENTRE: Final = (103.95, 30.70)
_CORE_CENTRE: Final = (104.058, 30.655)
_CORE_AREA_M2: Final = 360.0e6


#: Hand-drawn rim of Chengdu (lon, lat), smoothed into the city outline.
_CITY_RIM: Final = (
    (103.03, 30.52),
    (103.10, 30.75),
    (103.30, 30.95),
    (103.42, 31.12),
    (103.58, 31.30),
    (103.75, 31.40),
    (103.95, 31.38),
    (104.05, 31.20),
    (104.20, 31.02),
    (104.40, 31.05),
    (104.62, 31.02),
    (104.85, 30.88),
    (104.86, 30.62),
    (104.82, 30.32),
    (104.70, 30.14),
    (104.50, 30.13),
    (104.32, 30.28),
    (104.12, 30.30),
    (103.95, 30.30),
    (103.80, 30.28),
    (103.62, 30.12),
    (103.40, 30.14),
    (103.20, 30.28),
    (103.05, 30.38),
)


def _radial_polygon(cx: float, cy: float, radius: Floats) -> shapely.Polygon:
    """Star-shaped polygon with ``radius[i]`` metres at angle ``2 pi i / len(radius)``."""
    theta = np.linspace(0.0, 2.0 * np.pi, len(radius), endpoint=False)
    ring = np.column_stack([cx + radius * np.cos(theta), cy + radius * np.sin(theta)])
    return shapely.Polygon(ring)


def _harmonic_noise(
    rng: np.random.Generator, n_angles: int, k_max: int, amplitude: float, decay: float
) -> Floats:
    """Smooth periodic noise: sum of cosines ``k = 2..k_max`` with amplitude ~ ``k**-decay``."""
    theta = np.linspace(0.0, 2.0 * np.pi, n_angles, endpoint=False)
    k = np.arange(2, k_max + 1, dtype=float)
    amp = amplitude * k**-decay * rng.standard_normal(len(k))
    phase = rng.uniform(0.0, 2.0 * np.pi, len(k))
    return (amp[:, None] * np.cos(k[:, None] * theta[None, :] + phase[:, None])).sum(axis=0)


def _fit_radial(
    centre: tuple[float, float],
    log_radius: Floats,
    noise: Floats,
    area_m2: float,
    bbox: tuple[float, float, float, float] | None = None,
) -> shapely.Polygon:
    """Scale a radial shape around ``centre`` (lon, lat) to ``area_m2`` (EPSG:4544).

    With a lon/lat ``bbox``, the noise is damped (and, if even the bare shape does not
    fit, the area shrunk) until the shape, centred on the middle of its lon/lat extent,
    lies inside ``bbox``.
    """
    cx, cy = _to_metric(*centre)
    cx, cy = float(cx), float(cy)
    if bbox is None:
        radius = np.exp(log_radius + noise)
        radius *= np.sqrt(area_m2 / _radial_polygon(cx, cy, radius).area)
        return _radial_polygon(cx, cy, radius)
    damp, shrink = 1.0, 1.0
    for _ in range(60):
        radius = np.exp(log_radius + damp * noise)
        poly = _radial_polygon(cx, cy, radius)
        radius *= np.sqrt(area_m2 * shrink / poly.area)
        ring = np.asarray(_radial_polygon(cx, cy, radius).exterior.coords)
        lon, lat = _to_lonlat(ring[:, 0], ring[:, 1])
        shift_lon = (bbox[0] + bbox[2]) / 2 - (lon.min() + lon.max()) / 2
        shift_lat = (bbox[1] + bbox[3]) / 2 - (lat.min() + lat.max()) / 2
        lon, lat = lon + shift_lon, lat + shift_lat
        margin = 1e-4
        if (
            lon.min() > bbox[0] + margin
            and lon.max() < bbox[2] - margin
            and lat.min() > bbox[1] + margin
            and lat.max() < bbox[3] - margin
        ):
            x, y = _to_metric(lon, lat)
            poly = shapely.Polygon(np.column_stack([x, y]))
            # Re-projection bends the shape very slightly; restore the exact area.
            c = poly.centroid
            poly = shapely.affinity.scale(
                poly, *(2 * [np.sqrt(area_m2 * shrink / poly.area)]), origin=c
            )
            return shapely.make_valid(poly) if not poly.is_valid else poly
        if damp > 0.05:
            damp *= 0.85
        else:
            shrink *= 0.98
    raise RuntimeError("could not fit the outline into its bounding box")


def _chenghua_outline(rng: np.random.Generator) -> shapely.Polygon:
    """Organic outline of Chenghua, 108 km² in EPSG:4544, inside :data:`CHENGHUA_BBOX`."""
    n = 1440
    noise = _harmonic_noise(rng, n, 64, amplitude=0.30, decay=1.5)
    return _fit_radial(_CHENGHUA_CENTRE, np.zeros(n), noise, _CHENGHUA_AREA_M2, CHENGHUA_BBOX)


def _city_outline(rng: np.random.Generator) -> shapely.Polygon:
    """Chengdu-shaped outline of about 14,300 km² in EPSG:4544, inside :data:`CHENGDU_BBOX`."""
    n = 2880
    cx, cy = _to_metric(*_CITY_CENTRE)
    rim_lon, rim_lat = np.array(_CITY_RIM).T
    x, y = _to_metric(rim_lon, rim_lat)
    angle = np.arctan2(y - cy, x - cx) % (2 * np.pi)
    order = np.argsort(angle)
    theta = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    log_r = np.interp(
        theta, angle[order], np.log(np.hypot(x - cx, y - cy))[order], period=2 * np.pi
    )
    spectrum = np.fft.rfft(log_r)
    spectrum[10:] = 0.0  # keep the big shape, drop the corners of the hand-drawn rim
    log_r = np.fft.irfft(spectrum, n)
    noise = _harmonic_noise(rng, n, 120, amplitude=0.10, decay=1.3)
    return _fit_radial(_CITY_CENTRE, log_r, noise, _CITY_AREA_M2, CHENGDU_BBOX)


def _core_outline(rng: np.random.Generator) -> shapely.Polygon:
    """Organic blob of the four central districts (with Chenghua cut out later), EPSG:4544."""
    n = 1440
    noise = _harmonic_noise(rng, n, 64, amplitude=0.25, decay=1.5)
    return _fit_radial(_CORE_CENTRE, np.zeros(n), noise, _CORE_AREA_M2)
