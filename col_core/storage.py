"""File storage: logos, badge images, evidence and other uploads (the bytes only).

Who owns a file and who may see it is recorded beside it, per city, by ``col_core.files``
(``IStoredFiles``): uploads go through that service, and ``/files/<key>`` is served there.
Files are content-addressed (the key is the SHA-256 of the bytes plus an extension derived from
the checked type), so the same upload is stored once and keys never collide across tenants.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Iterator, Set
from pathlib import Path
from typing import NamedTuple

from PIL import Image, UnidentifiedImageError
from pyramid.path import DottedNameResolver
from zope.interface import Interface, implementer

# Accepted upload types: the extension is derived from the content, never from the file name.
IMAGE_FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
DOCUMENT_TYPES = {b"%PDF-": ("application/pdf", "pdf")}


class Streamed(NamedTuple):
    size: int
    chunks: Iterator[bytes]


class UploadRejected(ValueError):
    """An upload is too large or of a type that is not accepted; the message says which."""


class IFileStorage(Interface):
    """Stores immutable files by content and serves them back by key."""

    def put(data: bytes, allowed: Set[str] = frozenset({"image"})) -> str:
        """Check ``data`` (size, and type among ``allowed``: "image", "svg", "pdf") and store it.

        Returns the key ("<sha256>.<ext>").  Raises :class:`UploadRejected` with a message a
        person can act on when the file is too large or of another type.
        """

    def get(key: str) -> bytes:
        """Return the stored bytes; raise KeyError for an unknown or malformed key."""

    def exists(key: str) -> bool:
        """Whether ``key`` is stored."""

    def delete(key: str) -> None:
        """Remove the file (used by account erasure); no error if it is already gone."""

    def content_type(key: str) -> str:
        """The media type of a stored key."""

    def stream(key: str) -> Streamed:
        """The stored file's size and its bytes in chunks, for serving without holding a whole
        file; raise KeyError for an unknown or malformed key (before the first chunk)."""

    def keys() -> Iterator[str]:
        """Every stored key, in order (backups)."""

    def restore(key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` as it is, with no type or size check (restoring a
        backup); raise :class:`UploadRejected` unless ``key`` is the SHA-256 of ``data`` with a
        known extension."""

    def probe() -> None:
        """Raise (``OSError`` or the backend's error) unless a file could be stored now: the
        readiness check (``/readyz``, ``col doctor``).  Leaves nothing behind."""


def open_image(data: bytes) -> Image.Image:
    """Pillow's image of ``data`` with only its header read; refuses, before any pixel is
    decoded, an image of more pixels than ``col.max_image_pixels`` (Pillow's MAX_IMAGE_PIXELS,
    set from it at start-up): a small file can unpack into gigabytes (a decompression bomb)."""
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        image = None
    limit = Image.MAX_IMAGE_PIXELS  # None would mean no limit; the app always sets one.
    if image is None or (limit is not None and image.width * image.height > limit):
        raise UploadRejected(
            f"This image has too many pixels; the limit is {(limit or 0) / 1_000_000:.0f} million."
        )
    return image


def sniff(data: bytes, allowed: set[str]) -> tuple[str, str]:
    """Return (media type, extension) of ``data`` or raise :class:`UploadRejected`."""
    if "pdf" in allowed:
        for magic, kind in DOCUMENT_TYPES.items():
            if data.startswith(magic):
                return kind
    if "svg" in allowed and data.lstrip()[:256].lower().find(b"<svg") != -1:
        return ("image/svg+xml", "svg")
    if "image" in allowed:
        try:
            with open_image(data) as image:
                image.verify()
                if image.format in IMAGE_FORMATS:
                    return IMAGE_FORMATS[image.format]
        except UploadRejected:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            pass
    names = {"image": "PNG, JPEG, GIF or WebP images", "svg": "SVG images", "pdf": "PDF documents"}
    raise UploadRejected(
        "This file type is not accepted. Please upload "
        + " or ".join(names[kind] for kind in sorted(allowed))
        + "."
    )


_CONTENT_TYPES = {
    ext: kind
    for kind, ext in list(IMAGE_FORMATS.values())
    + list(DOCUMENT_TYPES.values())
    + [("image/svg+xml", "svg")]
}


CHUNK = 256 * 1024


def valid_key(key: str) -> bool:
    """Whether ``key`` has the shape of a stored file's key: "<sha256 in hex>.<known ext>"."""
    digest, _, ext = key.partition(".")
    return (
        len(digest) == 64 and all(c in "0123456789abcdef" for c in digest) and ext in _CONTENT_TYPES
    )


def checked_key(data: bytes, allowed: Set[str], max_bytes: int) -> str:
    """The key of an upload, after the size and type checks every storage makes."""
    if len(data) > max_bytes:
        raise UploadRejected(
            f"This file is {len(data) / 1_048_576:.1f} MB; the limit is "
            f"{max_bytes / 1_048_576:.0f} MB."
        )
    if not data:
        raise UploadRejected("The file is empty.")
    _, ext = sniff(data, set(allowed))
    return f"{hashlib.sha256(data).hexdigest()}.{ext}"


def restorable(key: str, data: bytes) -> None:
    """Refuse to restore ``data`` under a ``key`` that is not its own."""
    if not valid_key(key) or hashlib.sha256(data).hexdigest() != key.partition(".")[0]:
        raise UploadRejected(f"{key} is not the key of these bytes.")


def content_type(key: str) -> str:
    return _CONTENT_TYPES[key.rpartition(".")[2]]


@implementer(IFileStorage)
class LocalFileStorage:
    """Files in a local directory, fanned out by the first two hex digits of the hash."""

    def __init__(self, root: str | Path, max_bytes: int):
        self.root = Path(root)
        self.max_bytes = max_bytes

    def _path(self, key: str) -> Path:
        if not valid_key(key):
            raise KeyError(key)
        return self.root / key[:2] / key

    def put(self, data: bytes, allowed=frozenset({"image"})) -> str:
        key = checked_key(data, allowed, self.max_bytes)
        self._write(key, data)
        return key

    def restore(self, key: str, data: bytes) -> None:
        restorable(key, data)
        self._write(key, data)

    def _write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)

    def get(self, key: str) -> bytes:
        path = self._path(key)
        if not path.exists():
            raise KeyError(key)
        return path.read_bytes()

    def stream(self, key: str) -> Streamed:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise KeyError(key) from None
        return Streamed(os.fstat(handle.fileno()).st_size, _chunks(handle))

    def keys(self) -> Iterator[str]:
        if self.root.is_dir():
            for path in sorted(self.root.glob("??/*")):
                if valid_key(path.name):
                    yield path.name

    def exists(self, key: str) -> bool:
        try:
            return self._path(key).exists()
        except KeyError:
            return False

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except KeyError:
            pass

    def content_type(self, key: str) -> str:
        return content_type(key)

    def describe(self) -> str:
        return str(self.root)

    def probe(self) -> None:
        # Writing is the only honest test: permissions, a full or read-only disk, a missing mount.
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".probe-")
        os.close(fd)
        os.unlink(tmp)


def _chunks(handle) -> Iterator[bytes]:
    with handle:
        yield from iter(lambda: handle.read(CHUNK), b"")


STORAGES = {
    "local": "col_core.storage.LocalFileStorage",
    "s3": "col_core.storage_s3.S3FileStorage",
}


def storage_factory(settings):
    """The configured storage: ``col.storage`` is "local", "s3" or a class's dotted name,
    called with the settings' directory and size limit (a class with a ``from_settings``
    class method is given the settings instead)."""
    name = settings["col.storage"]
    cls = DottedNameResolver().maybe_resolve(STORAGES.get(name, name))
    if hasattr(cls, "from_settings"):
        return cls.from_settings(settings)
    return cls(settings["col.storage_dir"], int(settings["col.upload_max_bytes"]))


def includeme(config):
    # Every image Pillow opens in this process, uploads and badges alike, meets the limit.
    Image.MAX_IMAGE_PIXELS = int(config.get_settings()["col.max_image_pixels"])
    storage = storage_factory(config.get_settings())
    config.register_service(storage, IFileStorage)
