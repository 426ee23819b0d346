"""A page that fetches nothing: :func:`standalone_html` renders a folium map and inlines every
script and stylesheet, Leaflet from the vendored copy in ``layers/vendor/leaflet`` (its CSS
images as ``data:`` URIs) and plugin scripts from the installed folium/branca packages,
then checks no remote reference is left.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import folium

#: Version of the vendored Leaflet.
LEAFLET_VERSION = "1.9.4"
_VENDOR = Path(__file__).resolve().parents[1] / "vendor" / "leaflet"
_LEAFLET_JS = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.js"
_LEAFLET_CSS = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.css"


_SCRIPT_TAG = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>', re.IGNORECASE)
_STYLE_LINK = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>', re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*['\"]?(images/[^'\")]+)['\"]?\s*\)")
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_REMOTE = re.compile(
    r"""(?:<script[^>]*\ssrc\s*=\s*["']?|<link[^>]*\shref\s*=\s*["']?|<img[^>]*\ssrc\s*=\s*["']?"""
    r"""|url\(\s*["']?|@import\s+["']?)(?:https?:)?//""",
    re.IGNORECASE,
)


def standalone_html(m: folium.Map) -> str:
    """The map as one HTML page with every script and stylesheet inlined.

    Leaflet comes from ``layers/vendor/leaflet`` (its CSS images become ``data:`` URIs);
    a script folium or branca ships in its ``templates`` folder is inlined from the
    installed package.

    Parameters
    ----------
    m
        A map, typically from :func:`folium_map` (whose only dependency is Leaflet).

    Returns
    -------
    str
        The page; it fetches nothing when opened (no ``<script src>``, ``<link href>``,
        ``url()`` or ``@import`` pointing at a host).

    Raises
    ------
    ValueError
        If the page references a script or stylesheet with no local copy (e.g. the jQuery,
        Bootstrap or Font Awesome of a plain ``folium.Map``; set ``m.default_js`` and
        ``m.default_css`` to drop them), or a remote reference remains after inlining.
    """
    page = m.get_root().render()
    unknown: list[str] = []
    page = _SCRIPT_TAG.sub(lambda match: _inline_script(match.group(1), unknown), page)
    page = _STYLE_LINK.sub(lambda match: _inline_style(match.group(1), unknown), page)
    if unknown:
        raise ValueError(
            f"no local copy of {unknown}; local copies exist for Leaflet and for "
            f"{sorted(_package_scripts())}"
        )
    left = sorted({page[mt.start() : mt.end() + 60] for mt in _REMOTE.finditer(page)})
    if left:
        raise ValueError(f"the page still references remote resources: {left}")
    return page


def _inline_script(url: str, unknown: list[str]) -> str:
    source = _local_script(url)
    if source is None:
        unknown.append(url)
        return f'<script src="{url}"></script>'
    text = _SOURCE_MAP.sub("", source.read_text(encoding="utf-8"))
    text = re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)
    return f"<script>/* {source.name} (inlined) */\n{text}\n</script>"


def _inline_style(url: str, unknown: list[str]) -> str:
    if not re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.css$", url):
        unknown.append(url)
        return f'<link rel="stylesheet" href="{url}"/>'
    css = (_VENDOR / "leaflet.css").read_text(encoding="utf-8")
    css = _CSS_URL.sub(lambda mt: f'url("{_data_uri(_VENDOR / mt.group(1))}")', css)
    css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
    return f"<style>/* leaflet.css {LEAFLET_VERSION} (inlined) */\n{css}\n</style>"


def _local_script(url: str) -> Path | None:
    if re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.js$", url):
        return _VENDOR / "leaflet.js"
    return _package_scripts().get(url.rsplit("/", 1)[-1])


def _package_scripts() -> dict[str, Path]:
    """Scripts that folium and branca ship, by file name."""
    import branca

    found: dict[str, Path] = {}
    for package in (branca, folium):
        folder = Path(package.__file__).resolve().parent / "templates"
        found.update({p.name: p for p in sorted(folder.glob("*.js"))})
    return found


def _data_uri(path: Path) -> str:
    kind = {".png": "image/png", ".svg": "image/svg+xml"}.get(
        path.suffix, "application/octet-stream"
    )
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
