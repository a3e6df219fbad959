"""Browser security headers on every response (docs/security.md, "Hosts, addresses and browsers").

* ``Content-Security-Policy``: pages run and style only what comes from their own origin, plus
  ``<script>``/``<style>`` elements carrying this response's nonce (``request.csp_nonce``);
  images also from the city's tile server, frames only from the video hosts activities embed;
  nobody may frame them.  Anything else (JSON, images, files) may load nothing at all.
* ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``; nothing is meant to be
  embedded elsewhere.
* ``Referrer-Policy``: other sites learn at most our origin; pages whose address carries a
  secret (a ``{token}`` or ``{code}`` in the route, an ``invite`` parameter) tell them nothing.
* ``X-Content-Type-Options: nosniff``.
* ``Cache-Control: no-store`` on every response made for one visitor: to someone signed in (by
  session or API token), or carrying their session's CSRF token or a flash message.
* ``Strict-Transport-Security`` when ``col.public_url`` is https.
"""

from __future__ import annotations

import secrets

from pyramid.tweens import EXCVIEW

from col_core.activities.content import embed_sources
from col_core.security import PERSONAL_RESPONSE
from col_core.tenancy.hosts import addresses
from col_core.web.maps import city_tiles, tile_source

# Route placeholders and query parameters that put a secret into a page's address.
SECRET_PLACEHOLDERS = ("{token", "{code")
SECRET_PARAMETERS = ("invite", "ticket")  # ticket: single sign-on (docs/security.md)
FORM_TARGETS = "col.form_targets"  # the WSGI environ key of a page's other form-action origins
REFERRER_POLICY = "strict-origin-when-cross-origin"
# "no-referrer" would make browsers send "Origin: null" with the page's own forms, which the
# HTTPS origin check of CSRF protection rightly refuses; "same-origin" tells other sites nothing.
SECRET_REFERRER_POLICY = "same-origin"
# Documents that are not pages (JSON, SVG, files) load and run nothing, whoever opens them.
OTHER_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'none'"
)


def csp_nonce(request) -> str:
    """A fresh nonce for this response's inline ``<script>`` and ``<style>`` elements."""
    return secrets.token_urlsafe(18)


def page_policy(request) -> str:
    nonce = [f"'nonce-{request.csp_nonce}'"] if "csp_nonce" in request.__dict__ else []
    # None too when the request was refused before its city was found (an unreadable address).
    tenant = getattr(request, "tenant", None)
    tiles = tile_source(city_tiles(request)[0]) if tenant is not None else None
    frames = embed_sources(tenant.setting("peertube_hosts", []) or ()) if tenant is not None else []
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *nonce],
        "style-src": ["'self'", *nonce],
        # data: for the empty image Leaflet puts into tiles it unloads.
        "img-src": ["'self'", "data:", *([tiles] if tiles else [])],
        "frame-src": frames or ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        # A page may name other sites of the network its forms lead to (the sign-in form goes
        # on to the hub: col_core.security.views.sso), since browsers check every redirect.
        "form-action": ["'self'", *request.environ.get(FORM_TARGETS, ())],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def carries_secret(request) -> bool:
    route = request.matched_route
    pattern = route.pattern if route is not None else ""
    return any(marker in pattern for marker in SECRET_PLACEHOLDERS) or any(
        name in request.GET for name in SECRET_PARAMETERS
    )


def made_for_visitor(request) -> bool:
    """Whether the response was made for this visitor alone: nobody may keep a copy."""
    return request.__dict__.get("col_identity") is not None or request.environ.get(
        PERSONAL_RESPONSE, False
    )


def security_headers_tween_factory(handler, registry):
    hsts = registry.settings.get("col.hsts", "")
    https = addresses(registry).public.scheme == "https"

    def security_headers_tween(request):
        response = handler(request)
        headers = response.headers
        page = response.content_type == "text/html"
        headers["Content-Security-Policy"] = page_policy(request) if page else OTHER_POLICY
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers.setdefault(
            "Referrer-Policy",
            SECRET_REFERRER_POLICY if carries_secret(request) else REFERRER_POLICY,
        )
        if made_for_visitor(request) and "no-store" not in headers.get("Cache-Control", ""):
            headers["Cache-Control"] = "no-store"  # (a private file says "private, no-store")
        if https and hsts:
            headers["Strict-Transport-Security"] = hsts
        return response

    return security_headers_tween


def includeme(config):
    config.add_request_method(csp_nonce, "csp_nonce", reify=True)
    # Over the exception view, so error pages get the headers too.
    config.add_tween("col_core.web.headers.security_headers_tween_factory", over=EXCVIEW)
