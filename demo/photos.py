"""Photos of the demo's incidents: small pictures drawn here (no stock photos), a report's and
an "after handling" one for some of the handled incidents, kept as real photos are
(:class:`gridmap.feed.photos.PhotoFiles`, recorded in the store)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw

from gridmap.feed.photos import PhotoFiles, clean_photo
from gridmap.feed.store import SQLStore

#: Incidents that get photos in the demo (the most recent handled ones first).
DEMO_PHOTO_INCIDENTS = 400
#: Size of a demo picture, pixels.
SIZE = (320, 240)
#: A colour per category for the thing in the picture (RGB).
_COLOURS = {
    "SR": (140, 110, 70),
    "XC": (200, 60, 60),
    "SG": (120, 120, 120),
    "JM": (60, 90, 170),
    "TF": (220, 140, 30),
    "SS": (90, 90, 90),
    "MD": (150, 80, 160),
    "AQ": (230, 60, 20),
    "MS": (40, 130, 170),
}


def picture(rng: np.random.Generator, category: str, *, after: bool) -> bytes:
    """A street scene drawn with a few shapes: pavement, a wall, and (before handling) the
    thing reported as a coloured heap; after handling the pavement is clear. JPEG bytes."""
    image = Image.new("RGB", SIZE, (198, 196, 190))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, SIZE[0], 90), fill=(170, 185, 200))  # sky
    draw.rectangle((0, 70, SIZE[0], 150), fill=(181, 160, 140))  # a wall
    for x in range(0, SIZE[0], 40):  # paving joints
        draw.line((x, 150, x - 30, SIZE[1]), fill=(170, 168, 160), width=2)
    colour = _COLOURS.get(category[:2], (150, 150, 150))
    if not after:
        cx, cy = int(rng.integers(80, 240)), int(rng.integers(170, 210))
        for _ in range(6):
            dx, dy, r = rng.integers(-40, 40), rng.integers(-15, 15), rng.integers(12, 30)
            shade = tuple(int(c * rng.uniform(0.7, 1.1)) for c in colour)
            draw.ellipse((cx + dx - r, cy + dy - r, cx + dx + r, cy + dy + r), fill=shade)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def add_demo_photos(store: SQLStore, files: PhotoFiles, *, seed: int) -> int:
    """Give the most recent handled incidents a report photo and an after-handling photo
    (deterministic from ``seed``); returns how many photos were kept."""
    rng = np.random.default_rng(seed + 7)
    handled = store.recent_events(limit=DEMO_PHOTO_INCIDENTS * 4)
    chosen: dict[str, int] = {}
    for event in handled:
        if event["action"] == "handle" and event["incident_id"] not in chosen:
            chosen[event["incident_id"]] = int(event["at"])
        if len(chosen) >= DEMO_PHOTO_INCIDENTS:
            break
    kept = 0
    for incident_id, handled_at in sorted(chosen.items()):
        row = store.get_incident(incident_id)
        if row is None:
            continue
        reported = int(row["reported_at"].value // 1_000_000)
        for action, at, after in (("report", reported, False), ("handle", handled_at, True)):
            photo = clean_photo(picture(rng, row["subcategory"], after=after))
            files.save(photo)
            store.add_photo(incident_id, photo, action=action, at=at, actor="demo")
            kept += 1
    return kept
