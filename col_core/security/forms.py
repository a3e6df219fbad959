"""Helpers the account and organisation views share for re-rendering forms."""

from __future__ import annotations

from urllib.parse import urlsplit

from col_core.security.validation import translate_errors


def invalid(request, values: dict, errors: dict, status: int = 400, **extra) -> dict:
    """The template values of a form shown again: the person's input kept, errors translated."""
    request.response.status = status
    return {"values": values, "errors": translate_errors(request, errors), **extra}


def blank(**extra) -> dict:
    return {"values": {}, "errors": {}, **extra}


def kept(request, *exclude: str) -> dict:
    """The submitted fields to show again (never passwords)."""
    return {
        name: value
        for name, value in request.POST.items()
        if isinstance(value, str) and name not in exclude and "password" not in name
    }


def site_path(request) -> str:
    """The page's path and query on its own site, what ``next=`` carries: without the
    ``/t/<slug>`` prefix of a path-form city, which :func:`safe_next` adds back."""
    query = request.query_string
    return request.path_info + (f"?{query}" if query else "")


def safe_next(request, target: str | None) -> str:
    """``target`` if it is a path on this site, else the home page (no open redirects)."""
    home = request.route_url("home")
    if not target or not target.startswith("/") or target.startswith("//"):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return home
    return request.application_url + target
