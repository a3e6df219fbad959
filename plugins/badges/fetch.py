"""Fetching issuer documents for verification: the network policy ``ob.verify`` leaves to us.

Anyone can make the server fetch a URL (the verification page, wallet imports), so fetching is
bounded: http(s) only, a timeout, a size limit, and no private, loopback or link-local addresses
(the core's guard, ``col_core.outbound``, checked again on every redirect) unless
``badges.fetch_private`` allows them (tests, intranets).
"""

from __future__ import annotations

import urllib.error
import urllib.request

from col_core.outbound import OutboundRefused, check_url
from col_core.settings import as_bool

MAX_BYTES = 2 * 1024 * 1024
TIMEOUT = 10
ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"


class FetchRefused(OutboundRefused):
    """The URL may not be fetched (scheme, private address, too large)."""


def _check(url: str, allow_private: bool) -> None:
    try:
        check_url(url, allow_private)
    except OutboundRefused as refused:
        raise FetchRefused(str(refused)) from refused


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allow_private: bool):
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check(newurl, self.allow_private)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def make_fetch(settings: dict):
    """``fetch(url) -> (status, body, content_type)`` for :func:`plugins.badges.ob.verify.verify`."""
    allow_private = as_bool(settings.get("badges.fetch_private", "false"))
    opener = urllib.request.build_opener(_CheckedRedirects(allow_private))

    def fetch(url: str):
        _check(url, allow_private)
        request = urllib.request.Request(
            url, headers={"Accept": ACCEPT, "User-Agent": "CitiesOfLearning-badges"}
        )
        try:
            response = opener.open(request, timeout=TIMEOUT)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            body = response.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise FetchRefused(f"{url} is larger than {MAX_BYTES} bytes")
            return response.status, body, response.headers.get("Content-Type", "")

    return fetch
