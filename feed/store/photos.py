"""The store's record of incident photos (the files are kept by :mod:`gridmap.feed.photos`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gridmap.feed.store.common import chunks

#: Columns of a photo's record, as :meth:`PhotosMixin.photos_of` returns them.
PHOTO_COLUMNS = (
    "incident_id",
    "sha256",
    "ext",
    "action",
    "at",
    "actor",
    "width",
    "height",
    "bytes",
)


class PhotosMixin:
    """Photos of incidents, for :class:`~gridmap.feed.store.sql.SQLStore`."""

    def add_photo(self, incident_id: str, photo: Any, *, action: str, at: int, actor: str) -> None:
        """Record ``photo`` (a :class:`~gridmap.feed.photos.Photo` whose files are written)
        as sent with ``action`` at ``at`` (epoch ms) by ``actor``; the same picture sent again
        for the same incident is recorded once."""
        with self._transaction() as cur:
            cur.execute(
                self._sql(
                    f"INSERT INTO photos ({', '.join(PHOTO_COLUMNS)}) VALUES "
                    f"({', '.join('?' * len(PHOTO_COLUMNS))}) "
                    "ON CONFLICT (incident_id, sha256) DO NOTHING"
                ),
                (
                    incident_id,
                    photo.sha256,
                    photo.ext,
                    action,
                    int(at),
                    actor,
                    photo.width,
                    photo.height,
                    len(photo.data),
                ),
            )

    def photos_of(self, incident_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The photo records of ``incident_ids``, by incident, then in the order sent."""
        rows: list[tuple] = []
        for part in chunks(list(incident_ids), 500):
            rows += self._query(
                f"SELECT {', '.join(PHOTO_COLUMNS)} FROM photos WHERE incident_id IN "
                f"({', '.join('?' * len(part))}) ORDER BY incident_id, at, sha256",
                part,
            )
        return [dict(zip(PHOTO_COLUMNS, row, strict=True)) for row in rows]

    def photo_incidents(self, sha256: str) -> list[dict[str, Any]]:
        """The incidents a photo belongs to, each with its area codes (for a caller's scope)."""
        rows = self._query(
            "SELECT i.incident_id, i.street_code, i.community_code, i.grid_code FROM photos p "
            "JOIN incidents i ON i.incident_id = p.incident_id WHERE p.sha256 = ?",
            (sha256,),
        )
        columns = ("incident_id", "street_code", "community_code", "grid_code")
        return [dict(zip(columns, row, strict=True)) for row in rows]
