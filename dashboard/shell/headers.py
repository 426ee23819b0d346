"""Security headers on every answer: pages get a Content-Security-Policy that allows scripts
only from this server (and Dash's own inline scripts by their hashes), no framing anywhere
(``frame-ancestors 'none'``), and every answer ``nosniff`` and ``X-Frame-Options: DENY``.

The map's tiles may come from one other host when the settings name one (an intranet tile
server's ``tile_url``, or Tianditu): its origin is allowed for images and fetches, nothing else.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import dash
from flask import Response

from gridmap.layers.basemap import BASEMAPS
from gridmap.settings import Settings


def tile_origins(settings: Settings) -> list[str]:
    """Origins (``scheme://host[:port]``) the configured basemap fetches tiles from."""
    urls = [settings.tile_url]
    basemap = BASEMAPS.get(settings.basemap or "")
    if basemap is not None and basemap.kind == "xyz":
        urls += [basemap.url, basemap.label_url]
    origins = []
    for url in urls:
        parts = urlsplit(url or "")
        if parts.scheme in ("http", "https") and parts.netloc:
            host = parts.netloc
            if host.endswith(".tianditu.gov.cn"):  # t0 … t7: one name, several hosts
                host = "*.tianditu.gov.cn"
            origins.append(f"{parts.scheme}://{host}")
    return sorted(set(origins))


def content_security_policy(script_hashes: list[str], origins: list[str]) -> str:
    """The policy of the pages: scripts from this server and the given inline hashes; styles
    from this server and inline (React sets style attributes); MapLibre's workers from blob
    URLs; images and fetches from this server and the tile ``origins``; no framing."""
    extra = " ".join(origins)
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": f"'self' data: blob: {extra}".strip(),
        "connect-src": f"'self' {extra}".strip(),
        "font-src": "'self' data:",
        "worker-src": "'self' blob:",
        "child-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{k} {v}" for k, v in directives.items())


def install_security_headers(app: dash.Dash, settings: Settings) -> None:
    """Add the headers to every answer of ``app``'s server. The inline scripts' hashes are
    taken at the first page served: Dash adds the inline script of its page routing only
    when it sets itself up for the first request."""
    origins = tile_origins(settings)
    policy: list[str] = []
    lock = threading.Lock()

    def page_policy() -> str:
        with lock:
            if not policy:
                policy.append(content_security_policy(list(app.csp_hashes()), origins))
            return policy[0]

    @app.server.after_request
    def _secure(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        attachment = "attachment" in response.headers.get("Content-Disposition", "")
        if response.mimetype == "text/html" and not attachment:
            response.headers["Content-Security-Policy"] = page_policy()
        return response
