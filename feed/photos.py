"""Photos of incidents (before and after handling): checked, cleaned and kept by content hash.

A photo is accepted as JPEG, PNG or WebP, judged by its content (Pillow decodes it), never by
its name or declared type, and at most :data:`MAX_PHOTO_BYTES`. Before it is stored its
orientation is applied and every metadata block that can hold a location is dropped: the EXIF
GPS directory, XMP, comments and text chunks (the capture time in EXIF is kept,
it is evidence of when the work was done). It is stored under the data directory as
``photos/<ab>/<sha256>.<ext>`` with a JPEG thumbnail made once beside it; the same picture sent
twice is one file. Files are written whole (temporary file, fsync, rename) before the store
records them, so an acknowledged photo survives a crash.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import secrets
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

#: Largest photo accepted, bytes (a phone's JPEG is 2–6 MB).
MAX_PHOTO_BYTES = 10 * 1024 * 1024
#: Formats accepted (Pillow's names) and the extension each is stored under.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
#: Longest edge of a thumbnail, pixels.
THUMB_EDGE = 320
#: Largest picture decoded, pixels (a decompression bomb is refused, not decoded).
MAX_PIXELS = 60_000_000
#: EXIF directory of the location (GPS IFD).
_GPS_IFD = 0x8825
#: ``<sha256>.<ext>`` or ``<sha256>.thumb.jpg``: the only names served.
PHOTO_NAME = re.compile(r"^(?P<hash>[0-9a-f]{64})\.(?P<kind>jpg|png|webp|thumb\.jpg)$")


class PhotoError(ValueError):
    """A photo refused: ``status`` 413 (too large) or 400 (not a JPEG, PNG or WebP)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclasses.dataclass(frozen=True)
class Photo:
    """A cleaned photo ready to store: its bytes, thumbnail and facts.

    Attributes
    ----------
    sha256
        Hex digest of the stored (cleaned) bytes: the photo's name.
    ext, mime
        ``jpg``/``png``/``webp`` and its media type.
    data, thumb
        The cleaned picture, and a JPEG thumbnail at most :data:`THUMB_EDGE` pixels wide/high.
    width, height
        Size of the picture, pixels (after its orientation is applied).
    """

    sha256: str
    ext: str
    mime: str
    data: bytes
    thumb: bytes
    width: int
    height: int

    @property
    def name(self) -> str:
        return f"{self.sha256}.{self.ext}"


def clean_photo(data: bytes) -> Photo:
    """Check and clean a photo sent from outside.

    Raises
    ------
    PhotoError
        413 above :data:`MAX_PHOTO_BYTES`; 400 for anything that is not a whole JPEG, PNG or
        WebP picture (the message names the accepted formats).
    """
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(413, f"{len(data):,} bytes; a photo may have at most {MAX_PHOTO_BYTES:,}")
    if not data:
        raise PhotoError(400, "the photo is empty")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in FORMATS:
                raise PhotoError(400, f"a {kind} picture; send JPEG, PNG or WebP")
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(
                    413, f"{probe.width}×{probe.height} pixels; at most {MAX_PIXELS:,}"
                )
            probe.load()
            picture = ImageOps.exif_transpose(probe)
    except PhotoError:
        raise
    except UnidentifiedImageError:  # (its text names an in-memory buffer, not the file)
        raise PhotoError(400, "not a JPEG, PNG or WebP picture") from None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoError(400, f"not a readable JPEG, PNG or WebP picture ({exc})") from None
    exif = picture.getexif()
    exif.pop(_GPS_IFD, None)
    ext, mime = FORMATS[kind]
    picture.info = {}  # XMP, comments, text chunks: nothing from the sender's file goes on
    out = io.BytesIO()
    if kind == "JPEG":
        picture = picture.convert("RGB") if picture.mode not in ("RGB", "L") else picture
        picture.save(out, "JPEG", quality=90, exif=exif.tobytes())
    elif kind == "PNG":
        picture.save(out, "PNG", optimize=False)
    else:
        picture.save(out, "WEBP", quality=90, exif=exif.tobytes())
    stored = out.getvalue()
    return Photo(
        sha256=hashlib.sha256(stored).hexdigest(),
        ext=ext,
        mime=mime,
        data=stored,
        thumb=_thumbnail(picture),
        width=picture.width,
        height=picture.height,
    )


def _thumbnail(picture: Image.Image) -> bytes:
    small = picture.convert("RGB")
    small.thumbnail((THUMB_EDGE, THUMB_EDGE))
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


class PhotoFiles:
    """The photo files under ``root`` (``<data_dir>/photos``): written whole, read by name."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path | None:
        """The file of a served name (``<sha256>.<ext>`` or ``<sha256>.thumb.jpg``), or
        ``None`` for any other name."""
        match = PHOTO_NAME.match(name)
        if match is None:
            return None
        return self.root / match["hash"][:2] / name

    def save(self, photo: Photo) -> None:
        """Write the photo and its thumbnail (once: the same content is the same file)."""
        for name, data in ((photo.name, photo.data), (f"{photo.sha256}.thumb.jpg", photo.thumb)):
            path = self.path(name)
            assert path is not None
            if path.exists():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(path.suffix + f".{secrets.token_hex(6)}.part")
            with open(temporary, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temporary, path)
            directory = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
