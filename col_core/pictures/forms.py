"""The cover fields every edit form shares: a file, its description, and "remove"."""

from __future__ import annotations

from dataclasses import dataclass

from col_core.pictures.images import PictureRejected
from col_core.pictures.interfaces import IPictures

__all__ = ["CoverChange", "PictureRejected", "read_cover"]

ALT_MAX = 300


@dataclass
class CoverChange:
    """What the form asks: ``changed`` (a new picture or none), the ``key`` to keep then, and
    the ``alt`` text (always taken: it may be edited alone)."""

    changed: bool
    key: str | None
    alt: str


def read_cover(request, params, file_field: str = "cover_file") -> CoverChange:
    """The cover the form posted.  A new file is checked and stored (raising
    ``PictureRejected``, with nothing stored and the old cover kept, when it is no usable
    picture); a ticked ``cover_remove`` drops the cover; otherwise it stays as it is."""
    words = str(params.get("cover_alt", "")).split()
    alt = " ".join(words)[:ALT_MAX]
    data = _file_data(params.get(file_field))
    if data is not None:
        key = request.find_service(IPictures).upload(data)
        return CoverChange(True, key, alt)
    if params.get("cover_remove"):
        return CoverChange(True, None, "")
    return CoverChange(False, None, alt)


def _file_data(upload) -> bytes | None:
    """The bytes of a chosen file (an empty file too); None when no file was chosen."""
    handle = getattr(upload, "file", None)
    chosen = bool(getattr(upload, "filename", None))
    if handle is None or not chosen:
        return None
    return handle.read()
