"""Structured logs: each line one JSON object carrying the request's id and its city.

The request being served is kept in a context variable (set by the observe tween, per thread
under waitress, per process under gunicorn's sync workers), and a filter on the root logger's
handlers copies its id and its city's slug onto every record, whichever logger wrote it.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import uuid

from pythonjsonlogger.json import JsonFormatter

from col_core.tenancy.resolve import TENANT_SLUG

# An incoming X-Request-ID (from the proxy or the load balancer) is kept when it is this sane:
# short, printable, no spaces, so it cannot forge log lines or headers.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")
LOG_FORMATS = ("text", "json")
ACCESS_LOGGER = "col_core.access"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s %(request_id)s %(tenant)s"

current_request: contextvars.ContextVar = contextvars.ContextVar("col_request", default=None)


def request_id(incoming: str | None) -> str:
    """The incoming id when it is sane, else a new random one."""
    if incoming and REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def tenant_slug(request) -> str | None:
    """The slug of the request's city once it is known (plain data the tenant tween leaves:
    a log line or a metric must never load a row)."""
    return request.environ.get(TENANT_SLUG)


class RequestContext(logging.Filter):
    """Adds ``request_id`` and ``tenant`` (or None outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        record.request_id = getattr(request, "request_id", None) if request else None
        record.tenant = tenant_slug(request) if request is not None else None
        return True


def json_formatter() -> JsonFormatter:
    return JsonFormatter(
        JSON_FIELDS,
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,
        json_ensure_ascii=False,
    )


def configure_logging(log_format: str) -> None:
    """With ``json``, the root logger's handlers (those of the ini file's ``[handlers]``, or one
    on standard error when there are none) write JSON lines; ``text`` changes nothing."""
    if log_format not in LOG_FORMATS:
        raise ValueError(
            f"col.log_format (COL_LOG_FORMAT) is {log_format!r}; use "
            + " or ".join(LOG_FORMATS)
            + "."
        )
    if log_format != "json":
        return
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler(sys.stderr))
    access = logging.getLogger(ACCESS_LOGGER)
    if access.level == logging.NOTSET:
        access.setLevel(logging.INFO)  # one line per request, unless the ini file says otherwise
    for handler in root.handlers:
        if not isinstance(handler.formatter, JsonFormatter):
            handler.setFormatter(json_formatter())
        if not any(isinstance(existing, RequestContext) for existing in handler.filters):
            handler.addFilter(RequestContext())
