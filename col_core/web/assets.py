"""Cache-busting for static assets: URLs carry a hash of the file's content."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache

from pyramid.path import AssetResolver
from pyramid.static import QueryStringCacheBuster


@lru_cache(maxsize=1024)
def _content_hash(abspath: str, mtime: float) -> str:
    with open(abspath, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


class ContentHashCacheBuster(QueryStringCacheBuster):
    """``?x=<hash of the bytes>``: a deploy that changes a file changes its URL, nothing else."""

    def tokenize(self, request, subpath, kw):
        spec = kw.get("pathspec") or subpath
        try:
            path = AssetResolver().resolve(spec).abspath()
            return _content_hash(path, os.path.getmtime(path))
        except (OSError, ValueError):
            return "0"
