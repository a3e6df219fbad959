"""The esco plugin's JSON endpoint: skill (or occupation) autocomplete."""

from __future__ import annotations

import re

from col_core.api import ApiError
from plugins.esco.interfaces import ATTRIBUTION
from plugins.esco.views import TYPES, _, search_hits

HIT_SCHEMA = {
    "type": "object",
    "properties": {
        name: {"type": "string"}
        for name in ("uri", "label", "matched", "matched_language", "matched_kind", "kind")
    },
}


def api_skills(request):
    params = request.params
    fields = {}
    kind = params.get("type", "skill")
    if kind not in TYPES:
        fields["type"] = _("Use skill or occupation.")
    try:
        limit = int(params.get("limit", 10))
        if not 1 <= limit <= 50:
            raise ValueError
    except ValueError:
        fields["limit"] = _("Give a whole number from 1 to 50.")
    lang = params.get("lang", "").strip().lower()
    if lang and not re.fullmatch(r"[a-z]{2,3}", lang):
        fields["lang"] = _("Give a language code such as en or fr.")
    if fields:
        translate = request.localizer.translate
        raise ApiError(
            translate(_("Check the query parameters.")),
            {name: translate(message) for name, message in fields.items()},
        )
    hits = search_hits(request, params.get("q", ""), kind, limit, lang or None)
    return {"results": [hit.as_dict() for hit in hits], "attribution": ATTRIBUTION}


def add_api_views(config):
    config.add_api_view(
        api_skills,
        "/esco/skills",
        name="api.esco.skills",
        permission="view",
        summary="Autocomplete ESCO skills (or occupations) over every label, accent-folded",
        parameters=[
            {
                "name": "q",
                "in": "query",
                "schema": {"type": "string"},
                "description": "What the person typed (two characters at least).",
            },
            {
                "name": "lang",
                "in": "query",
                "schema": {"type": "string"},
                "description": "The reader's language (default: the page's): its labels rank "
                "first and name the hits.",
            },
            {"name": "type", "in": "query", "schema": {"enum": list(TYPES)}},
            {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 50},
            },
        ],
        responses={
            200: {
                "description": "Best matches first",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["results", "attribution"],
                            "properties": {
                                "results": {"type": "array", "items": HIT_SCHEMA},
                                "attribution": {"type": "string"},
                            },
                        }
                    }
                },
            }
        },
    )
