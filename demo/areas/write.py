"""Writing the base layers: :func:`write_areas` stores them in one GeoPackage, one layer per
key, written under a temporary name and moved into place so no reader sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import geopandas as gpd


def write_areas(layers: dict[str, gpd.GeoDataFrame], path: Path) -> None:
    """Write the layers into one GeoPackage, one layer per key.

    The file is written next to ``path`` under a temporary name and then moved into
    place, so a reader never sees half a file. An existing file is replaced.

    Parameters
    ----------
    layers
        Output of :func:`make_areas` (any CRS is written as is; those are EPSG:4326).
    path
        Destination ``.gpkg`` file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".gpkg", prefix=f".{path.stem}-", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        for key, frame in layers.items():
            frame.to_file(tmp, layer=key, driver="GPKG", engine="pyogrio", use_arrow=True)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
