"""Cover pictures: re-encoded uploads stored as a city's public files."""

from __future__ import annotations

from sqlalchemy import select
from zope.interface import implementer

from col_core.files.interfaces import IStoredFiles
from col_core.pictures.images import prepare
from col_core.pictures.interfaces import IPictures
from col_core.pictures.models import Picture


@implementer(IPictures)
class Pictures:
    def __init__(self, context, request):
        self.request = request
        self.session = request.dbsession
        self.max_bytes = int(request.registry.settings["col.upload_max_bytes"])
        self._known: dict[str, Picture | None] = {}

    def upload(self, data: bytes) -> str:
        prepared = prepare(data, self.max_bytes)
        files = self.request.find_service(IStoredFiles)

        def put(encoded: bytes) -> str:
            return files.put(encoded, {"image"}, purpose="cover", visibility="public")

        variants = [
            {"width": variant.width, "height": variant.height, "key": put(variant.data)}
            for variant in prepared.webp
        ]
        assert prepared.jpeg is not None
        key = put(prepared.jpeg.data)
        if self.of([key]).get(key) is None:
            picture = Picture(
                key=key, width=prepared.width, height=prepared.height, variants=variants
            )
            self.session.add(picture)
            self.session.flush()
            self._known[key] = picture
        return key

    def of(self, keys) -> dict[str, Picture]:
        wanted = {key for key in keys if key and key not in self._known}
        if wanted:
            found = self.session.scalars(select(Picture).where(Picture.key.in_(wanted)))
            self._known.update(dict.fromkeys(wanted))
            self._known.update({picture.key: picture for picture in found})
        pictures = {}
        for key in keys:
            picture = self._known.get(key) if key else None
            if picture is not None:
                pictures[key] = picture
        return pictures
