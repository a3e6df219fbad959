"""Static assets and how responses travel: content-hashed URLs cached for a year, brotli or gzip.

* ``config.add_static_assets(name, spec)``: a static view whose ``request.static_url`` carries
  ``?x=<hash of the file's bytes>``.  A URL with the hash is cached a year and never revalidated
  (``immutable``): a deploy that changes a file changes its URL.  Without the hash an hour.
* The delivery tween compresses text responses (HTML, JSON, JavaScript, CSS, SVG, iCalendar)
  with brotli (Google's ``brotli``) for clients that accept it, else gzip (WebOb's
  ``Response.encode_content``); static files at brotli's best quality, computed once per file
  version, and pages at a quality fast enough for every request.  It adds ``Vary: Accept-Encoding``,
  and weakens their ``ETag`` (the bytes differ from the identity encoding's; ``If-None-Match``
  compares weakly, so a view's 304 still answers).  It leaves alone what is encoded already,
  pictures and archives (already compressed), bodies too small to gain, streamed bodies of
  unknown length and range requests.  Compressing a page that carries a secret and reflects the
  visitor's input (BREACH) is safe because the CSRF token is masked anew in every response
  (``col_core.security.CSRFStoragePolicy``).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

import brotli
from pyramid.path import AssetResolver
from pyramid.static import QueryStringCacheBuster
from pyramid.tweens import EXCVIEW

ONE_YEAR = 31536000
UNHASHED_MAX_AGE = 3600
HASHED = "public, max-age=31536000, immutable"
HASH_PARAMETER = "x"
# Types worth compressing; everything else (JPEG, PNG, WebP, fonts, zip, gzip) is left as is.
COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "text/plain",
        "text/csv",
        "text/calendar",
        "application/javascript",
        "application/json",
        "application/geo+json",
        "application/ld+json",
        "application/activity+json",
        "application/problem+json",
        "application/xml",
        "image/svg+xml",
    }
)
MIN_SIZE = 512  # below this gzip's header and trailer eat the gain
ENCODINGS = ("br", "gzip")  # on equal preference, brotli: about a fifth smaller for pages
# Brotli's quality: 11 is the smallest and slowest, worth it only for files compressed once;
# 5 compresses a page about as fast as gzip does, and smaller.
STATIC_QUALITY, PAGE_QUALITY = 11, 5
MAX_SIZE = 8 * 1024 * 1024  # larger bodies are downloads, not pages


@lru_cache(maxsize=1024)
def _content_hash(abspath: str, mtime: float) -> str:
    with open(abspath, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


class ContentHashCacheBuster(QueryStringCacheBuster):
    """``?x=<hash of the bytes>``: a deploy that changes a file changes its URL, nothing else."""

    def __init__(self):
        super().__init__(param=HASH_PARAMETER)

    def tokenize(self, request, subpath, kw):
        spec = kw.get("pathspec") or subpath
        try:
            path = AssetResolver().resolve(spec).abspath()
            return _content_hash(path, os.path.getmtime(path))
        except (OSError, ValueError):
            return "0"


def add_static_assets(config, name: str, spec: str) -> None:
    """A static view at ``name`` serving ``spec`` (an asset spec or a folder) under hashed URLs."""
    config.add_static_view(name, spec, cache_max_age=UNHASHED_MAX_AGE)
    config.add_cache_buster(spec, ContentHashCacheBuster())


def _is_static(request) -> bool:
    # Pyramid names a static view's route "__<name>/".
    route = request.matched_route
    return route is not None and route.name.startswith("__")


def _encoding(request, response) -> str | None:
    """``br`` or ``gzip`` when the response is worth compressing and the client accepts it."""
    length = response.content_length
    if not (
        request.method != "HEAD"
        and response.status_int == 200
        and not response.content_encoding
        and response.content_type in COMPRESSIBLE
        and length is not None
        and MIN_SIZE <= length <= MAX_SIZE
        # A client that says nothing gets the identity encoding, as browsers never do.
        and "Accept-Encoding" in request.headers
        and request.range is None
    ):
        return None
    offers = request.accept_encoding.acceptable_offers(ENCODINGS)
    return offers[0][0] if offers else None


@lru_cache(maxsize=128)
def _brotli_once(body: bytes) -> bytes:
    return brotli.compress(body, quality=STATIC_QUALITY)


def _compress(request, response, encoding: str) -> None:
    if encoding == "gzip":
        response.encode_content("gzip")
        return
    body = response.body
    static = _is_static(request) and request.GET.get(HASH_PARAMETER)
    response.body = _brotli_once(body) if static else brotli.compress(body, quality=PAGE_QUALITY)
    response.content_encoding = "br"


def delivery_tween_factory(handler, registry):
    def delivery_tween(request):
        response = handler(request)
        if _is_static(request) and response.status_int == 200:
            if request.GET.get(HASH_PARAMETER):
                response.headers["Cache-Control"] = HASHED
                response.expires = None
        if response.content_type in COMPRESSIBLE:
            # Whether or not this answer is compressed, another client's may be.
            response.vary = tuple(dict.fromkeys((*(response.vary or ()), "Accept-Encoding")))
            encoding = _encoding(request, response)
            if encoding:
                _compress(request, response, encoding)
                etag = response.headers.get("ETag")
                if etag and not etag.startswith("W/"):
                    response.headers["ETag"] = "W/" + etag
        return response

    return delivery_tween


def includeme(config):
    config.add_directive("add_static_assets", add_static_assets)
    # Over the exception view (error pages are compressed too) and over the security headers'
    # tween, so the headers it reads describe the uncompressed page.
    config.add_tween("col_core.web.assets.delivery_tween_factory", over=EXCVIEW)
