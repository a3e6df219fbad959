"""The API's one error format: ``{"error": message, "fields": {field: message}}``."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPError, HTTPException
from pyramid.request import Request


class ApiError(HTTPError):
    """Raise from an API view: ``ApiError("Check the fields", fields={...}, status=422)``."""

    def __init__(self, message: str, fields: dict | None = None, status: int = 400):
        self.code = status
        self.title = message
        super().__init__(detail=message)
        self.status = status
        self.fields = fields or {}


def is_api_request(request: Request) -> bool:
    return request.path_info.startswith("/api/")


def error_body(exc: HTTPException) -> dict:
    message = getattr(exc, "detail", None) or exc.title
    return {"error": str(message), "fields": getattr(exc, "fields", {}) or {}}


def _api_error(exc, request):
    request.response.status = exc.status
    for name in ("WWW-Authenticate", "Allow", "Retry-After"):
        if name in exc.headers:
            request.response.headers[name] = exc.headers[name]
    return error_body(exc)


def _api_not_found(exc, request):
    request.response.status = 404
    # The router's own 404 carries the path as its detail; only a view's message is worth showing.
    detail = exc.detail if exc.detail and exc.detail != request.path_info else \
        "Nothing at this address of the API; see /api/openapi.json."
    return {"error": str(detail), "fields": {}}


def _api_busy(exc, request):
    from col_core.web.views import busy

    page = busy(exc, request)
    return {"error": request.localizer.translate(page["message"]), "fields": {}}


def api_error_views(config) -> None:
    config.add_exception_view(_api_error, context=HTTPError, renderer="json",
                              path_info=r"^/api/")
    config.add_exception_view(_api_busy, context=Exception, still_busy=True,
                              renderer="json", path_info=r"^/api/")
    config.add_notfound_view(_api_not_found, renderer="json", path_info=r"^/api/")
    config.add_forbidden_view(_api_error, renderer="json", path_info=r"^/api/")
