"""``/photos/<sha256>.<ext>`` and ``/photos/<sha256>.thumb.jpg``: an incident's photo, served
only to a caller who may read one of the incidents it belongs to (a logged-in user of the
incident's area, or an API client whose key covers it); anyone else gets the 404 of a photo
that does not exist."""

from __future__ import annotations

from flask import Flask, send_file

from gridmap.dashboard.shared.auth import current_scope
from gridmap.dashboard.shared.inputs import refusal
from gridmap.feed.photos import FORMATS, PhotoFiles
from gridmap.feed.store import SQLStore

_MIME = {ext: mime for ext, mime in FORMATS.values()}


def install_photo_routes(server: Flask, store: SQLStore, photos: PhotoFiles) -> None:
    """Register the photo route on ``server`` (endpoint ``photo``)."""

    @server.get("/photos/<name>", endpoint="photo")
    def photo(name: str):
        path = photos.path(name)
        scope = current_scope()
        if path is not None:
            owners = store.photo_incidents(name[:64])
            if any(scope.allows(row) for row in owners) and path.is_file():
                ext = name.rsplit(".", 1)[-1]
                response = send_file(path, mimetype=_MIME[ext], max_age=86_400, conditional=True)
                # the name is the content's hash: it never changes, but it is not public
                response.headers["Cache-Control"] = "private, max-age=86400, immutable"
                response.headers["Vary"] = "Cookie"
                return response
        return refusal(404, "photo", f"no such photo {name[:80]!r}")
