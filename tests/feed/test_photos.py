"""Photos: accepted by content, at most 10 MB, cleaned of location before they are kept,
kept once by content hash with a thumbnail."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from gridmap.feed.photos import MAX_PHOTO_BYTES, THUMB_EDGE, PhotoError, PhotoFiles, clean_photo

GPS = 0x8825


def picture(fmt: str = "JPEG", size=(64, 48), *, gps: bool = True, orientation: int = 1) -> bytes:
    """A small picture as a phone makes it: EXIF with a capture time, a location and XMP."""
    image = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x0132] = "2026:12:05 09:30:00"  # DateTime
    exif[0x0112] = orientation
    if gps:
        exif[GPS] = {1: "N", 2: (30.0, 40.0, 12.5), 3: "E", 4: (104.0, 6.0, 1.0)}
    out = io.BytesIO()
    extra = {"exif": exif.tobytes()} if fmt != "PNG" else {}
    if fmt == "JPEG":
        extra["xmp"] = b"<x:xmpmeta><exif:GPSLatitude>30,40.2N</exif:GPSLatitude></x:xmpmeta>"
    image.save(out, fmt, **extra)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_the_three_formats_are_taken_by_content(fmt, ext):
    photo = clean_photo(picture(fmt))
    assert photo.ext == ext and (photo.width, photo.height) == (64, 48)
    with Image.open(io.BytesIO(photo.data)) as stored:
        assert stored.format == fmt


def test_location_is_stripped_and_the_capture_time_kept():
    sent = picture("JPEG")
    with Image.open(io.BytesIO(sent)) as original:  # the test picture does carry a location
        assert GPS in original.getexif() and "xmp" in original.info
    photo = clean_photo(sent)
    with Image.open(io.BytesIO(photo.data)) as stored:
        exif = stored.getexif()
        assert GPS not in exif and not exif.get_ifd(GPS)
        assert exif[0x0132] == "2026:12:05 09:30:00"
        assert "xmp" not in stored.info
    assert b"GPSLatitude" not in photo.data and b"30,40.2N" not in photo.data


def test_orientation_is_applied():
    photo = clean_photo(picture("JPEG", (64, 48), orientation=6))  # rotated 90° by the phone
    assert (photo.width, photo.height) == (48, 64)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a" + b"\0" * 100,
        b"%PDF-1.4 not a picture",
        picture("JPEG")[:200],  # cut short
        b"\x89PNG\r\n\x1a\n" + b"garbage" * 10,
    ],
)
def test_anything_else_is_refused_naming_the_formats(data):
    with pytest.raises(PhotoError) as refused:
        clean_photo(data)
    assert refused.value.status == 400


def test_a_file_that_is_no_picture_is_told_so_in_plain_words():
    with pytest.raises(PhotoError) as refused:
        clean_photo(b"%PDF-1.4 not a picture")
    assert "JPEG, PNG or WebP" in refused.value.message and "0x" not in refused.value.message


def test_a_gif_named_jpg_is_still_a_gif():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "GIF")
    with pytest.raises(PhotoError, match=r"GIF.*JPEG, PNG or WebP"):
        clean_photo(out.getvalue())


def test_more_than_ten_megabytes_is_413():
    with pytest.raises(PhotoError) as refused:
        clean_photo(b"\xff\xd8" + b"\0" * MAX_PHOTO_BYTES)
    assert refused.value.status == 413


def test_files_are_kept_once_by_hash_with_a_thumbnail(tmp_path):
    files = PhotoFiles(tmp_path)
    photo = clean_photo(picture("PNG", (1200, 900), gps=False))
    files.save(photo)
    files.save(photo)
    kept = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert kept == sorted([photo.name, f"{photo.sha256}.thumb.jpg"])
    with Image.open(files.path(f"{photo.sha256}.thumb.jpg")) as thumb:
        assert max(thumb.size) == THUMB_EDGE and thumb.format == "JPEG"
    for bad in ("../secret_key", "x.jpg", photo.sha256 + ".gif", photo.sha256.upper() + ".png"):
        assert files.path(bad) is None
