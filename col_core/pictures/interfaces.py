"""The contract of cover pictures (``request.find_service(IPictures)``)."""

from __future__ import annotations

from zope.interface import Interface


class IPictures(Interface):
    """Covers of activities, organisations and playlists: each upload checked and re-encoded
    (``col_core.pictures.images``), its variants stored through ``IStoredFiles`` as public files
    of the request's city, and a ``Picture`` row saying what was stored."""

    def upload(data: bytes) -> str:
        """Check, strip, re-encode and store ``data``; return the key to keep as the cover.
        Raises ``PictureRejected`` (a translatable message) and stores nothing when ``data``
        is not a usable picture: not an image, too large, too many pixels, an SVG."""

    def of(keys) -> dict:
        """{key: ``Picture``} of those ``keys`` this city has pictures for (covers stored
        before pictures were re-encoded have none, and are shown as they are)."""
