"""Pages of the esco plugin (its JSON endpoint is in ``api.py``).  Thin: parse, call a service, return."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound, HTTPSeeOther
from pyramid.i18n import TranslationStringFactory
from pyramid.view import view_config
from sqlalchemy import select

from col_core.activities.models import Activity
from plugins.esco.interfaces import (
    SKILL_KINDS,
    ISkillCatalog,
    ISkillGap,
    ISkillSearch,
    ISkillTags,
    UnknownConcept,
)

_ = TranslationStringFactory("col_esco")
TYPES = {"skill": SKILL_KINDS, "occupation": ("occupation",)}


def user_language(request) -> str:
    return request.localizer.locale_name.split("_")[0]


def city_languages(request) -> list[str]:
    tenant = request.tenant
    return list(dict.fromkeys([*(tenant.locales or []), tenant.default_locale, "en"]))


def search_hits(
    request, text: str, kind: str = "skill", limit: int = 10, language: str | None = None
):
    language = language or user_language(request)
    return request.find_service(ISkillSearch).search(
        text,
        language,
        languages=[*city_languages(request), language],
        limit=limit,
        kinds=TYPES[kind],
    )


def activity_url(request, activity) -> str:
    return request.route_url("activity", id=activity.id)


def map_url(request, uris) -> str | None:
    """The city's map filtered to activities with any of these skills (None without a map)."""
    if not uris or not request.tenant.plugin_enabled("map"):
        return None
    return request.route_url("map", _query=[("skill", uri) for uri in uris])


# -- pages ---------------------------------------------------------------------------------------


@view_config(
    route_name="esco.skills", renderer="plugins.esco:templates/search.jinja2", permission="view"
)
def skill_search_page(request):
    """The widget's no-JavaScript fallback, and a search page of its own."""
    text = request.params.get("q", "").strip()
    return {"q": text, "hits": search_hits(request, text, limit=20) if text else []}


@view_config(
    route_name="esco.concept", renderer="plugins.esco:templates/concept.jinja2", permission="view"
)
def concept_page(request):
    catalog = request.find_service(ISkillCatalog)
    concept = catalog.concept(request.params.get("uri", ""), user_language(request))
    if concept is None:
        raise HTTPNotFound(request.localizer.translate(_("This skill is not in ESCO here.")))
    under = sorted(catalog.descendants(concept.uri))
    ids = request.find_service(ISkillTags).subjects("activity", under)
    activities = request.dbsession.scalars(
        select(Activity)
        .where(Activity.id.in_(list(ids)), Activity.is_discoverable)
        .order_by(Activity.title)
    ).all()
    subjects: dict[str, list] = {}
    for found in request.hooks.col_skill_subjects(request=request, uris=under):
        for subject in found or ():
            subjects.setdefault(subject.kind, []).append(subject)
    return {
        "concept": concept,
        "activities": activities,
        "activity_url": activity_url,
        "subjects": subjects,
        "map_url": map_url(request, [concept.uri] + sorted(concept.narrower)),
    }


@view_config(
    route_name="esco.activity_skills",
    request_method="GET",
    permission="org.edit",
    renderer="plugins.esco:templates/activity_skills.jinja2",
)
def activity_skills(context, request):
    tags = request.find_service(ISkillTags)
    uris = tags.tags("activity", context.activity.id)
    text = request.params.get("q", "").strip()
    return {
        "activity": context.activity,
        "q": text,
        "labels": request.find_service(ISkillCatalog).labels(uris, user_language(request)),
        "uris": uris,
        "hits": search_hits(request, text) if text else [],
    }


@view_config(route_name="esco.activity_skills", request_method="POST", permission="org.edit")
def change_activity_skills(context, request):
    tags = request.find_service(ISkillTags)
    uri = request.POST.get("uri", "")
    action = request.POST.get("action")
    if action == "remove":
        tags.remove("activity", context.activity.id, uri)
        request.session.flash(request.localizer.translate(_("Skill removed.")))
    elif action == "add":
        try:
            tags.add("activity", context.activity.id, uri)
        except UnknownConcept:
            raise HTTPBadRequest(
                request.localizer.translate(_("Choose a skill from the suggestions."))
            ) from None
        request.session.flash(request.localizer.translate(_("Skill added.")))
    else:
        raise HTTPBadRequest(request.localizer.translate(_("Unknown action.")))
    return HTTPSeeOther(request.route_url("esco.activity_skills", id=context.activity.id))


@view_config(
    route_name="esco.routes", renderer="plugins.esco:templates/routes.jinja2", permission="view"
)
def skill_gap_page(request):
    """Pick an occupation; see which of its skills are missing and activities that build them."""
    text = request.params.get("q", "").strip()
    occupation = request.params.get("occupation", "")
    language = user_language(request)
    catalog = request.find_service(ISkillCatalog)
    result = {
        "q": text,
        "occupation": None,
        "gap": None,
        "recommendations": [],
        "hits": search_hits(request, text, "occupation", 20) if text else [],
        "activity_url": activity_url,
    }
    if occupation:
        concept = catalog.concept(occupation, language)
        if concept is None or concept.kind != "occupation":
            raise HTTPNotFound(
                request.localizer.translate(_("This occupation is not in ESCO here."))
            )
        service = request.find_service(ISkillGap)
        gap = service.gap(request.authenticated_userid, occupation)
        recommendations = service.recommend(gap)
        tagged = {uri for rec in recommendations for uri in rec.tags}
        result.update(
            occupation=concept,
            gap=gap,
            recommendations=recommendations,
            map_url=map_url(request, sorted(tagged)),
            labels=catalog.labels(
                gap.essential_missing + gap.optional_missing + gap.have, language
            ),
        )
    return result
