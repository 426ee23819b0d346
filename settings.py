"""One settings object for the whole project, read once.

Values come, in increasing priority, from the defaults below, an optional TOML file
(``GRIDMAP_CONFIG`` or ``./gridmap.toml``) and environment variables ``GRIDMAP_<FIELD>``
(upper case, e.g. ``GRIDMAP_STORE_URL``).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import tomllib
from pathlib import Path
from typing import Any

#: The repository (and package) root; ``data/`` lives beside this file.
PACKAGE_ROOT = Path(__file__).resolve().parent


@dataclasses.dataclass(frozen=True)
class Settings:
    """Runtime settings.

    Attributes
    ----------
    data_dir
        Folder for generated demo data and the embedded store.
    store_url
        ``sqlite:///path/to.db`` (embedded default, WAL) or ``postgresql://...`` (PostGIS).
    host, port
        Where the dashboard and the intake API listen.
    district_code
        The 6-digit division code of the district the screen shows (Chenghua is 510108).
    tile_url
        Optional XYZ tile URL template (intranet mirror, Tianditu with a key). Empty means the
        basemap is drawn from the project's own layers and nothing leaves the machine.
    basemap
        ``offline`` (own layers, no tiles), ``custom`` (``tile_url``), ``tianditu_vec`` or
        ``tianditu_img`` (need ``tianditu_key``); empty: ``custom`` if ``tile_url`` is set,
        else ``offline``.
    tianditu_key
        Tianditu 天地图 key, for the Tianditu basemaps only.
    metric_crs
        The metric CRS used for areas and distances (CGCS2000 3-degree GK CM 105E).
    timezone
        Local time zone of days and clocks.
    auth
        ``true``: every page, callback, live route and export needs a login (users made by
        ``gridmap user add``), and each user sees only the area of their role. ``false``
        (the embedded demo's default): every visitor is the district centre, with personal
        data masked.
    secret_key
        Key that signs login sessions; empty: a random one kept in ``<data_dir>/secret_key``
        (shared by every server process on the machine).
    session_days
        Days a login lasts (a wall screen logs in once).
    time_limits_file
        A TOML file of the district's own time limits (stage hours, the 处置 hours per
        category, priority factors, the near-due share; see
        :meth:`gridmap.domain.sla.TimeLimits.from_toml`); empty: the built-in ones.
    photo_dir
        Folder of incident photos (by content hash); empty: ``<data_dir>/photos``.
    open311_public_reads
        ``true``: Open311 reads (``GET /open311/v2/requests…``) without an API key answer the
        district's requests as the spec has them, with every personal field and the photos
        removed. ``false`` (default): every read needs a key.
    wall_dense_open
        Open incidents (located, in the caller's area) above which the wall draws them as dots
        only from street zoom on, and fetches them only once it gets there: at city zoom the
        grid colours and the heat tell the story, and 100,000 dots are a smear and 0.7 MB.
    """

    data_dir: Path = PACKAGE_ROOT / "data"
    store_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8050
    district_code: str = "510108"
    tile_url: str = ""
    basemap: str = ""
    tianditu_key: str = ""
    metric_crs: str = "EPSG:4544"
    timezone: str = "Asia/Shanghai"
    auth: bool = False
    secret_key: str = ""
    session_days: int = 30
    wall_dense_open: int = 20_000
    time_limits_file: str = ""
    photo_dir: str = ""
    open311_public_reads: bool = False

    @property
    def demo_dir(self) -> Path:
        """Folder of the generated demo data set."""
        return self.data_dir / "demo"

    @property
    def photos_path(self) -> Path:
        """Folder of incident photos."""
        return Path(self.photo_dir).expanduser() if self.photo_dir else self.data_dir / "photos"

    @property
    def resolved_store_url(self) -> str:
        """The store URL, defaulting to ``sqlite:///<data_dir>/gridmap.db``."""
        return self.store_url or f"sqlite:///{self.data_dir / 'gridmap.db'}"


def _coerce(field: dataclasses.Field, value: Any) -> Any:
    kind = field.type if isinstance(field.type, str) else getattr(field.type, "__name__", "")
    if kind == "Path":
        return Path(value).expanduser()
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"setting {field.name!r} must be true or false, got {value!r}")
    if kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueError(f"setting {field.name!r} must be an integer, got {value!r}") from None
    return str(value)


def load_settings(env: dict[str, str] | None = None, config_file: Path | None = None) -> Settings:
    """Build settings from defaults, a TOML file and ``GRIDMAP_*`` variables.

    Parameters
    ----------
    env
        Environment to read (default ``os.environ``).
    config_file
        TOML file to read; default ``$GRIDMAP_CONFIG`` or ``./gridmap.toml`` if it exists.

    Raises
    ------
    ValueError
        On an unknown key in the TOML file or a value of the wrong type.
    """
    env = dict(os.environ if env is None else env)
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}
    path = config_file or Path(env.get("GRIDMAP_CONFIG", "gridmap.toml"))
    if path.is_file():
        with path.open("rb") as fh:
            table = tomllib.load(fh)
        table = table.get("gridmap", table)
        unknown = sorted(set(table) - set(fields))
        if unknown:
            raise ValueError(f"{path}: unknown setting(s) {unknown}; allowed: {sorted(fields)}")
        values.update({k: _coerce(fields[k], v) for k, v in table.items()})
    for name, field in fields.items():
        key = f"GRIDMAP_{name.upper()}"
        if key in env:
            values[name] = _coerce(field, env[key])
    return Settings(**values)


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read once on first use."""
    return load_settings()
