"""The API's one error format: ``{"error": message, "fields": {field: message}}``."""

from __future__ import annotations

import logging
import re

from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPError, HTTPException
from pyramid.request import Request

from col_core.i18n import _

log = logging.getLogger(__name__)
# Before tenant resolution, a city's path prefix is still part of the path.
API_PATH = r"^(/t/[a-z0-9][a-z0-9-]{0,62})?/api/"


class ApiError(HTTPError):
    """A refusal a person can act on: ``ApiError("Check the fields", fields={...}, status=422)``.

    Under /api/ it is answered as ``{"error", "fields"}``; elsewhere the error page shows the
    message.
    """

    def __init__(self, message: str, fields: dict | None = None, status: int = 400):
        self.code = status
        self.title = message
        super().__init__(detail=message)
        self.status = status
        self.fields = fields or {}


def is_api_request(request: Request) -> bool:
    return re.match(API_PATH, request.path_info) is not None


def error_body(exc: HTTPException) -> dict:
    message = getattr(exc, "detail", None) or exc.title
    return {"error": str(message), "fields": getattr(exc, "fields", {}) or {}}


def _api_error(exc, request):
    if isinstance(exc, (BadCSRFToken, BadCSRFOrigin)):  # their detail names Pyramid's functions
        exc.detail = request.localizer.translate(
            _("We could not use this request. Go back, reload the page and try again.")
        )
    request.response.status = exc.status
    for name in ("WWW-Authenticate", "Allow", "Retry-After"):
        if name in exc.headers:
            request.response.headers[name] = exc.headers[name]
    return error_body(exc)


def _api_forbidden(exc, request):
    if getattr(exc, "result", None) is not None:  # the security policy's denial names the view
        exc.detail = request.localizer.translate(
            _("You are not allowed to do this.")
            if request.authenticated_userid is not None
            else _("Sign in, or send an API token, to do this.")
        )
    return _api_error(exc, request)


def _api_not_found(exc, request):
    request.response.status = 404
    # The router's own 404 carries the path as its detail; only a view's message is worth showing.
    detail = (
        exc.detail
        if exc.detail and exc.detail != request.path_info
        else "Nothing at this address of the API; see /api/openapi.json."
    )
    return {"error": str(detail), "fields": {}}


def _api_busy(exc, request):
    from col_core.web.views import busy

    page = busy(exc, request)
    return {"error": request.localizer.translate(page["message"]), "fields": {}}


def _api_server_error(exc, request):
    log.exception("Unhandled error on %s", request.path_url, exc_info=exc)
    request.response.status = 500
    # Nothing about the cause: that is for the log, not for the client.
    return {
        "error": request.localizer.translate(
            _("Something went wrong on our side. Please try again in a moment.")
        ),
        "fields": {},
    }


def api_error_views(config) -> None:
    config.add_exception_view(_api_error, context=HTTPError, renderer="json", path_info=API_PATH)
    config.add_exception_view(
        _api_busy, context=Exception, still_busy=True, renderer="json", path_info=API_PATH
    )
    config.add_exception_view(
        _api_server_error, context=Exception, renderer="json", path_info=API_PATH
    )
    config.add_notfound_view(_api_not_found, renderer="json", path_info=API_PATH)
    config.add_forbidden_view(_api_forbidden, renderer="json", path_info=API_PATH)
