"""Home pages (a city's, assembled from plugin sections; the global site's, listing cities)
and error pages."""

from __future__ import annotations

import logging

from pyramid.config import not_
from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPClientError, HTTPNotFound
from pyramid.view import (
    exception_view_config,
    forbidden_view_config,
    notfound_view_config,
    view_config,
)
from sqlalchemy import select

from col_core.api.errors import API_PATH, ApiError
from col_core.db import reopen
from col_core.i18n import _
from col_core.tenancy.models import Tenant
from col_core.tenancy.resolve import UnknownHost

log = logging.getLogger(__name__)

RETRY_AFTER_BUSY = "5"  # seconds


def error_page(request, status: int, title, message, fields=None) -> dict:
    """What error.jinja2 shows, in the reader's language (a view's message may be a
    TranslationString, which a template would print untranslated)."""
    translate = request.localizer.translate
    fields = {name: translate(text) for name, text in (fields or {}).items()}
    return {
        "title": translate(title),
        "status": status,
        "message": translate(message),
        "fields": fields,
    }


@view_config(route_name="home", renderer="col_core.web:templates/home.jinja2")
def home(request):
    sections = [
        section
        for sections in request.hooks.col_home_sections(request=request)
        for section in sections or ()
    ]
    cities = []
    if request.tenant.is_global:
        cities = request.dbsession.scalars(
            select(Tenant).where(Tenant.active, Tenant.kind != "global").order_by(Tenant.name)
        ).all()
    return {"sections": sorted(sections, key=lambda s: (s.order, s.title)), "cities": cities}


@notfound_view_config(renderer="col_core.web:templates/error.jinja2", append_slash=False)
def not_found(exc, request):
    request.response.status = 404
    # The router's own 404 carries the path as its detail; only a view's message is worth showing.
    message = (
        exc.detail
        if isinstance(exc, HTTPNotFound) and exc.detail and exc.detail != request.path_info
        else None
    )
    return error_page(
        request,
        404,
        _("Page not found"),
        message or _("We could not find this page. It may have moved or ended."),
    )


@exception_view_config(UnknownHost, renderer="col_core.web:templates/error.jinja2")
def unknown_host(exc, request):
    request.response.status = 400
    return error_page(request, 400, _("Unknown address"), exc.detail)


@exception_view_config(UnknownHost, renderer="json", path_info=r"^/api/")
def unknown_host_api(exc, request):
    request.response.status = 400
    return {"error": request.localizer.translate(exc.detail), "fields": {}}


@forbidden_view_config(renderer="col_core.web:templates/error.jinja2")
def forbidden(exc, request):
    request.response.status = 403
    return error_page(
        request, 403, _("Not allowed"), _("You do not have permission to see this page.")
    )


@exception_view_config(
    HTTPClientError, renderer="col_core.web:templates/error.jinja2", path_info=not_(API_PATH)
)
@exception_view_config(
    ApiError, renderer="col_core.web:templates/error.jinja2", path_info=not_(API_PATH)
)
def refused(exc, request):
    """Any other 4xx (bad input, too large, a stale form...) as a page, not the bare status."""
    request.response.status = exc.status
    for name in ("Allow", "Retry-After"):
        if name in exc.headers:
            request.response.headers[name] = exc.headers[name]
    # Pyramid's CSRF refusals name its functions; a stale form is what people should hear of.
    if exc.detail and not isinstance(exc, (BadCSRFToken, BadCSRFOrigin)):
        message = exc.detail
    else:
        message = _("We could not use this request. Go back, reload the page and try again.")
    return error_page(
        request, exc.status_int, _("Request refused"), message, getattr(exc, "fields", {})
    )


@exception_view_config(Exception, still_busy=True, renderer="col_core.web:templates/error.jinja2")
def busy(exc, request):
    """The database stayed busy through every attempt of pyramid_retry: come back soon."""
    log.warning(
        "Still busy after %s attempts on %s: %s",
        request.environ.get("retry.attempts"),
        request.path_url,
        exc,
    )
    # The page reads the city and the person (reading needs no write lock).
    reopen(request.dbsession)
    request.response.status = 503
    request.response.headers["Retry-After"] = RETRY_AFTER_BUSY
    return error_page(
        request,
        503,
        _("Very busy"),
        _("Many people are using the site right now. Please try again in a moment."),
    )


@exception_view_config(Exception, renderer="col_core.web:templates/error.jinja2")
def server_error(exc, request):
    log.exception("Unhandled error on %s", request.path_url, exc_info=exc)
    request.response.status = 500
    return error_page(
        request,
        500,
        _("Something went wrong"),
        _("Something went wrong on our side. Please try again in a moment."),
    )
