"""Check API responses against the app's own OpenAPI document (JSON Schema 2020-12)."""

from __future__ import annotations

import re
from functools import lru_cache

from jsonschema import Draft202012Validator


def _path_regex(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\\\{\w+\\\}", r"[^/]+", re.escape(template)) + "$")


@lru_cache(maxsize=8)
def _compiled(paths: tuple[str, ...]) -> list[tuple[str, re.Pattern]]:
    # Literal segments must win over placeholders ("/activities/mine" before "/activities/{id}").
    return sorted(((p, _path_regex(p)) for p in paths), key=lambda item: item[0].count("{"))


def operation_for(spec: dict, method: str, path: str) -> dict:
    for template, regex in _compiled(tuple(spec["paths"])):
        if regex.match(path) and method.lower() in spec["paths"][template]:
            return spec["paths"][template][method.lower()]
    raise AssertionError(f"{method} {path} is not described in the OpenAPI document")


def assert_matches_openapi(response, spec: dict) -> None:
    """Fail unless ``response`` (a webtest response) is described by ``spec`` and matches it."""
    operation, described = _described_response(response, spec)
    content = described.get("content", {})
    if not content:
        return
    validator = Draft202012Validator(_schema_of(content, spec))
    errors = sorted(validator.iter_errors(response.json), key=str)
    problems = "; ".join(_problem(error) for error in errors[:5])
    assert not errors, f"{operation}: {problems}"


def _schema_of(content: dict, spec: dict) -> dict:
    """The body's schema (JSON's, or the only one), with the components it may refer to."""
    media = content.get("application/json") or next(iter(content.values()))
    schema = dict(media.get("schema", {}))
    schema["components"] = spec.get("components", {})
    return schema


def _described_response(response, spec: dict) -> tuple[str, dict]:
    """("METHOD path", how the document describes this response); fails when it does not."""
    request = response.request
    method = request.method
    path = request.path_info
    if "/t/" in request.script_name + path:
        path = re.sub(r"^/t/[^/]+", "", path)  # a city's path prefix is not in the document
    responses = operation_for(spec, method, path)["responses"]
    status = response.status_int
    described = responses.get(str(status)) or responses.get("default")
    assert described, f"{method} {path} answered {status}, not documented"
    return f"{method} {path}", described


def _problem(error) -> str:
    """Where in the body a schema error is, and what it is."""
    where = "/".join(str(part) for part in error.absolute_path) or "(root)"
    return f"{where}: {error.message}"
