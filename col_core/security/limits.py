"""Input limits every request meets before a view runs: one guard for the whole platform.

* the address (path and query string) is UTF-8 text without control characters;
* the body is at most ``col.max_request_bytes``; forms are UTF-8, well formed (a multipart body
  has its boundary) and have at most ``col.max_form_fields`` fields, whose text holds no control
  characters or lone surrogates;
* ``request.json_body`` is strict JSON (no NaN, no lone surrogates) nested at most
  ``col.max_json_depth`` deep, its whole numbers fit a database integer and its text is clean;
* ids in a route's placeholders (``{id:\\d+}``, ``{session:\\d+}``...) lie between 1 and
  2**31 - 1, or the route answers 404 without asking the database.

A refusal is a 4xx with a message a person can act on: ``{"error", "fields"}`` under /api/, the
error page elsewhere.  The rules themselves (which characters, which numbers) live in
``col_core.security.validation``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

import orjson
from pyramid.events import BeforeTraversal
from pyramid.httpexceptions import HTTPNotFound
from pyramid.tweens import EXCVIEW

from col_core.api.errors import ApiError
from col_core.i18n import _
from col_core.security.validation import (
    MAX_INTEGER,
    forbidden_character,
    id_placeholders,
    readable,
    record_id,
)

FORM_TYPES = ("", "application/x-www-form-urlencoded", "multipart/form-data")
_BOUNDARY = re.compile(r'boundary="?([^";]+)"?')


def _refuse(request, message, fields: dict | None = None, status: int = 400) -> ApiError:
    translate = request.localizer.translate
    return ApiError(
        translate(message),
        fields={name: translate(text) for name, text in (fields or {}).items()},
        status=status,
    )


def _text_problem(value: str):
    character = forbidden_character(value)
    return (
        _(
            "Remove the invisible character ${character} from this text.",
            mapping={"character": character},
        )
        if character
        else None
    )


# -- the address --------------------------------------------------------------------------------


def _check_address(request) -> None:
    """Refuse an address that is not UTF-8 text, first making it readable, so the error page
    (which reads the path and the language parameters) can still be shown."""
    environ = request.environ
    path = environ.get("PATH_INFO", "").encode("latin-1", "replace")
    query = unquote_to_bytes(environ.get("QUERY_STRING", "").replace("+", " "))
    problems = []
    for raw in (path, query):
        try:
            problems.append(_text_problem(raw.decode("utf-8")))
        except UnicodeDecodeError:
            problems.append(_("Addresses are UTF-8 text."))
    problem = next((p for p in problems if p), None)
    if problem is None:
        return
    environ["PATH_INFO"] = (
        readable(path.decode("utf-8", "replace")).encode("utf-8").decode("latin-1")
    )
    environ["QUERY_STRING"] = ""
    raise _refuse(
        request,
        _(
            "This address cannot be read: ${problem}",
            mapping={"problem": request.localizer.translate(problem)},
        ),
    )


# -- the body -----------------------------------------------------------------------------------


def _check_size(request, max_bytes: int) -> None:
    if request.content_length is not None:
        too_large = request.content_length > max_bytes
    elif request.is_body_readable:
        # A chunked body has no length up front: read no more than the limit allows.
        body = request.body_file_raw.read(max_bytes + 1)
        too_large = len(body) > max_bytes
        request.body = body
    else:
        too_large = False
    if too_large:
        raise _refuse(
            request,
            _(
                "The request is larger than ${megabytes} MB.",
                mapping={"megabytes": round(max_bytes / 1_048_576, 1)},
            ),
            status=413,
        )


def _check_form(request, max_fields: int) -> None:
    if (
        request.method in ("GET", "HEAD", "OPTIONS")
        or request.content_type not in FORM_TYPES
        or (request.method != "POST" and not request.content_type)
    ):
        return
    unreadable = _("The form could not be read; send it again from the page.")
    if request.content_type == "multipart/form-data":
        boundary = _BOUNDARY.search(request.headers.get("Content-Type", ""))
        if boundary is None:
            raise _refuse(request, unreadable)
        fields = request.body.count(b"--" + boundary.group(1).encode("latin-1", "replace")) - 1
    else:
        fields = request.body.count(b"&") + 1
    if fields > max_fields:
        raise _refuse(
            request,
            _("The form has more than ${count} fields.", mapping={"count": max_fields}),
            status=413,
        )
    try:
        request.POST  # noqa: B018 - parsed here, so a bad body is refused before any view
    except (ValueError, DeprecationWarning):  # webob's refusals of a bad boundary or charset
        raise _refuse(request, unreadable) from None


def _check_parameters(request) -> None:
    problems = {}
    for source in (request.GET, request.POST):
        for name, value in source.items():
            problem = _text_problem(name) or _text_problem(value if isinstance(value, str) else "")
            if problem:
                problems[readable(name)] = problem
    if problems:
        raise _refuse(request, _("Some fields need your attention."), problems)


def address_tween_factory(handler, registry):
    def address_tween(request):
        _check_address(request)
        return handler(request)

    return address_tween


def body_tween_factory(handler, registry):
    settings = registry.settings
    max_bytes = int(settings["col.max_request_bytes"])
    max_fields = int(settings["col.max_form_fields"])

    def body_tween(request):
        _check_size(request, max_bytes)
        _check_form(request, max_fields)
        _check_parameters(request)
        return handler(request)

    return body_tween


# -- JSON bodies --------------------------------------------------------------------------------


def _json_problem(value, max_depth: int):
    """The first reason ``value`` (parsed JSON) is refused, with the top-level key it is under."""
    stack = [(value, 1, None)]
    while stack:
        item, depth, key = stack.pop()
        if depth > max_depth:
            return key, _(
                "Nest the JSON at most ${depth} levels deep.", mapping={"depth": max_depth}
            )
        if isinstance(item, dict):
            for name, child in item.items():
                problem = _text_problem(name)
                if problem:
                    return key or name, problem
                stack.append((child, depth + 1, key or name))
        elif isinstance(item, list):
            stack.extend((child, depth + 1, key) for child in item)
        elif isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                return key, problem
        elif (
            isinstance(item, int)
            and not isinstance(item, bool)
            and not -MAX_INTEGER - 1 <= item <= MAX_INTEGER
        ):
            return key, _(
                "Give a whole number from ${low} to ${high}.",
                mapping={"low": -MAX_INTEGER - 1, "high": MAX_INTEGER},
            )
    return None


def json_body(request):
    """The request's JSON body, parsed once and checked against the limits (replaces webob's,
    which accepts NaN, lone surrogates and any depth)."""
    try:
        value = orjson.loads(request.body)
    except orjson.JSONDecodeError as error:
        raise _refuse(
            request, _("The body is not valid JSON: ${error}.", mapping={"error": str(error)})
        ) from error
    found = _json_problem(value, int(request.registry.settings["col.max_json_depth"]))
    if found:
        key, problem = found
        raise _refuse(
            request,
            _("Some fields need your attention.") if key else problem,
            {key: problem} if key else None,
        )
    return value


# -- ids in routes ------------------------------------------------------------------------------


def refuse_ids_out_of_range(event) -> None:
    """After routing, before the route's context is looked up: an id no row can have is a 404."""
    request = event.request
    route = getattr(request, "matched_route", None)
    if route is None:
        return
    for name in id_placeholders(route.pattern):
        if name in request.matchdict and record_id(request.matchdict[name]) is None:
            raise HTTPNotFound(request.localizer.translate(_("There is nothing at this address.")))


def includeme(config):
    # Both under the exception views, so a refusal is rendered like any other error: the address
    # before tenant resolution reads it; the body after, so its error page wears the city's look.
    tenancy = "col_core.tenancy.resolve.tenant_tween_factory"
    config.add_tween("col_core.security.limits.address_tween_factory", under=EXCVIEW, over=tenancy)
    config.add_tween("col_core.security.limits.body_tween_factory", under=tenancy)
    config.add_request_method(json_body, "json_body", reify=True)
    config.add_request_method(json_body, "json", reify=True)
    config.add_subscriber(refuse_ids_out_of_range, BeforeTraversal)
