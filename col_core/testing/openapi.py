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
    request = response.request
    path = request.path_info
    if "/t/" in request.script_name + path:
        path = re.sub(r"^/t/[^/]+", "", path)
    operation = operation_for(spec, request.method, path)
    responses = operation["responses"]
    described = responses.get(str(response.status_int)) or responses.get("default")
    assert described, f"{request.method} {path} answered {response.status_int}, not documented"
    content = described.get("content", {})
    if not content:
        return
    media = content.get("application/json") or next(iter(content.values()))
    schema = dict(media.get("schema", {}))
    schema["components"] = spec.get("components", {})
    errors = sorted(Draft202012Validator(schema).iter_errors(response.json), key=str)
    assert not errors, f"{request.method} {path}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:5]
    )
