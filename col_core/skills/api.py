"""``GET /api/v1/skills``: the skill picker's search, in the page's language."""

from __future__ import annotations

import re

from col_core.api import ApiError
from col_core.skills.picker import MAX_NAME, _, page_language, vocabulary

CHOICE = {
    "type": "object",
    "required": ["uri", "label"],
    "properties": {
        "uri": {"type": "string", "description": "The concept's URI: what the form posts."},
        "label": {"type": "string", "description": "Its name in the language asked for."},
    },
}
RESULTS = {
    "type": "object",
    "required": ["results", "catalogue", "attribution"],
    "properties": {
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/SkillChoice"}},
        "catalogue": {"type": "string", "description": "The catalogue's name (ESCO)."},
        "attribution": {"type": "string"},
    },
}
PARAMETERS = [
    {
        "name": "q",
        "in": "query",
        "required": True,
        "schema": {"type": "string", "minLength": 2, "maxLength": MAX_NAME},
        "description": "What the person typed: part of a skill's name in any of the city's "
        "languages.",
    },
    {
        "name": "lang",
        "in": "query",
        "schema": {"type": "string", "pattern": "^[a-z]{2,3}$"},
        "description": "The language the results are named in (default: the page's).",
    },
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 20}},
]


def _checked(request) -> tuple[str, str | None, int]:
    params, fields = request.GET, {}
    text = params.get("q", "").strip()
    if not 2 <= len(text) <= MAX_NAME:
        fields["q"] = _("Type from 2 to 200 characters of a skill's name.")
    language = params.get("lang", "").strip().lower() or None
    if language and not re.fullmatch(r"[a-z]{2,3}", language):
        fields["lang"] = _("Give a language code such as en or fr.")
    limit = params.get("limit", "8")
    if not (limit.isdigit() and 1 <= int(limit) <= 20):
        fields["limit"] = _("Give a whole number from 1 to 20.")
    if fields:
        translate = request.localizer.translate
        raise ApiError(
            translate(_("Check the query parameters.")),
            {name: translate(message) for name, message in fields.items()},
        )
    return text, language, int(limit)


def search(request):
    text, language, limit = _checked(request)
    catalogue = vocabulary(request)
    if catalogue is None:
        message = _("This city has no skill catalogue switched on.")
        raise ApiError(request.localizer.translate(message), status=404)
    hits = catalogue.search(text, language or page_language(request), limit=limit)
    return {
        "results": [{"uri": hit.uri, "label": hit.label} for hit in hits],
        "catalogue": catalogue.name,
        "attribution": catalogue.attribution,
    }


def includeme(config):
    config.add_openapi_schema("SkillChoice", CHOICE)
    config.add_api_view(
        search,
        "/skills",
        name="api.get.skills",
        permission="view",
        tags=["skills"],
        summary="Skills by name for the forms' skill picker, from the city's skill catalogue",
        parameters=PARAMETERS,
        responses={
            200: {
                "description": "Best matches first",
                "content": {"application/json": {"schema": RESULTS}},
            },
        },
    )
