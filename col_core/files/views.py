"""``/files/<key>``: a stored file, to whom its city lets see it."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config

from col_core.files.interfaces import IStoredFiles
from col_core.storage import IFileStorage

PUBLIC_CACHE = "public, max-age=31536000, immutable"
PRIVATE_CACHE = "private, no-store"


@view_config(route_name="file", request_method="GET")
def serve_file(request):
    """Public files: anyone on their city's site, cached for a year (the bytes behind a key
    never change; the ETag is their hash, so a browser that asks again gets a 304).  Private files: only those allowed, never stored by any cache.  Everyone
    else, and every other city's site, gets the same 404 as for a key that does not exist,
    so a private file's existence is not told."""
    key = request.matchdict["key"]
    files = request.find_service(IStoredFiles)
    rows = files.rows(key)
    if any(row.is_public for row in rows):
        cache = PUBLIC_CACHE
    elif any(files.may_view(row, request.user) for row in rows):
        cache = PRIVATE_CACHE
    else:
        raise HTTPNotFound("No such file.")
    etag = key.partition(".")[0]  # the bytes' SHA-256: the same key is always the same bytes
    if etag in request.if_none_match:
        return Response(status=304, cache_control=cache, etag=etag)
    storage = request.find_service(IFileStorage)
    try:
        # Streamed: the whole file is never held in memory, wherever it is stored.
        streamed = storage.stream(key)
    except KeyError:
        raise HTTPNotFound("No such file.") from None
    response = Response(
        app_iter=streamed.chunks,
        content_length=streamed.size,
        content_type=storage.content_type(key),
    )
    response.headers["Cache-Control"] = cache
    response.etag = etag
    response.headers["X-Content-Type-Options"] = "nosniff"
    if key.endswith(".svg") or key.endswith(".pdf"):
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
    return response
