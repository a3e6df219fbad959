"""Fetching issuer documents for verification: the network policy ``ob.verify`` leaves to us.

Anyone can make the server fetch a URL (the verification page, wallet imports), so fetching is
bounded: http(s) only, a timeout, a size limit, and no private, loopback or link-local addresses
(the core's guard, ``col_core.outbound``, checked again on every redirect) unless
``badges.fetch_private`` allows them (tests, intranets).

Badge documents of this deployment's own cities are not fetched at all: the app answers them in
the process (``col_core.outbound.own_response``), so the platform verifies the badges it issued
(in the demo, on ``http://<city>.localhost:<port>``, a loopback address) without relaxing the
guard for anyone else's URLs.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urljoin

from col_core.outbound import OutboundRefused, check_url, own_response
from col_core.settings import as_bool
from plugins.badges.urls import PREFIX

MAX_BYTES = 2 * 1024 * 1024
TIMEOUT = 10
ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"
MAX_REDIRECTS = 5


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


def make_own_fetch(registry):
    """:func:`make_fetch` that asks the app itself for URLs of this deployment's badge
    documents (following its redirects while they stay on its own addresses)."""
    outside = make_fetch(registry.settings)

    def fetch(url: str):
        for _hop in range(MAX_REDIRECTS + 1):
            response = own_response(registry, url, PREFIX + "/", {"Accept": ACCEPT})
            if response is None:
                return outside(url)
            if not (300 <= response.status_int < 400 and response.location):
                return _answer(url, response)
            url = urljoin(url, response.location)
        raise FetchRefused(f"{url}: too many redirects")

    return fetch


def _answer(url: str, response):
    if len(response.body) > MAX_BYTES:
        raise FetchRefused(f"{url} is larger than {MAX_BYTES} bytes")
    return response.status_int, response.body, response.headers.get("Content-Type", "")
