"""The esco plugin's hook implementations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup
from pyramid.i18n import TranslationStringFactory
from pyramid.renderers import render

from col_core.hookspecs import NavItem, Section, hookimpl

_ = TranslationStringFactory("col_esco")
SUGGESTIONS = 3  # activities suggested from a learner's skills


@hookimpl
def col_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def col_cli_commands() -> list:
    from plugins.esco.cli import esco

    return [esco]


@hookimpl
def col_navigation(request) -> list[NavItem]:
    return [
        NavItem(
            request.localizer.translate(_("Skills")), request.route_url("esco.skills"), order=60
        )
    ]


@hookimpl
def col_profile_sections(request, user) -> list[Section]:
    from plugins.esco.interfaces import ILearnerSkills
    from plugins.esco.views import user_language

    groups = request.find_service(ILearnerSkills).profile(user.id, user_language(request))
    html = render("plugins.esco:templates/_profile.jinja2", {"groups": groups}, request=request)
    return [
        Section(request.localizer.translate(_("Skills")), Markup(html), order=40, id="esco-skills")
    ]


@hookimpl
def col_map_suggestions(request, user) -> list:
    """Activities that build on the skills of the learner's badges (the map's "For you")."""
    from plugins.esco.interfaces import ILearnerSkills
    from plugins.esco.texts import preferred_labels
    from plugins.esco.views import user_language
    from plugins.map.hookspecs import Suggestion

    found = request.find_service(ILearnerSkills).building_on(user.id, limit=SUGGESTIONS)
    labels = preferred_labels(request.dbsession, {uri for _, uri in found}, user_language(request))
    return [
        Suggestion(
            activity_id,
            request.localizer.translate(
                _(
                    "Builds on “${skill}”, a skill from your badges",
                    mapping={"skill": labels.get(uri, uri)},
                )
            ),
        )
        for activity_id, uri in found
    ]


@hookimpl
def col_dashboard_sections(request, organisation) -> list[Section]:
    """Organisers reach the skill widget of each of their activities from the dashboard."""
    from sqlalchemy import select

    from col_core.activities.models import Activity
    from plugins.esco.interfaces import ISkillCatalog
    from plugins.esco.views import user_language

    activities = request.dbsession.scalars(
        select(Activity)
        .where(Activity.organisation_id == organisation.id, Activity.status != "archived")
        .order_by(Activity.title)
    ).all()
    if not activities:
        return []
    uris = {skill.concept_uri for activity in activities for skill in activity.skills}
    labels = request.find_service(ISkillCatalog).labels(uris, user_language(request))
    html = render(
        "plugins.esco:templates/_dashboard.jinja2",
        {"activities": activities, "labels": labels},
        request=request,
    )
    return [
        Section(
            request.localizer.translate(_("Skills of your activities")),
            Markup(html),
            order=36,
            id="esco-skills",
        )
    ]


@hookimpl
def col_badge_awarded(request, assertion) -> None:
    """The badge's skills become the learner's: the ESCO tags of the badge class (subject
    "badge_class") and, for an activity's badge, of the activity, plus the ``{"uri": ...}``
    entries of ``badge_class.skills``."""
    from plugins.esco.interfaces import ILearnerSkills, ISkillTags

    if getattr(assertion, "user_id", None) is None:
        return  # issued to an e-mail address with no account yet
    tags = request.find_service(ISkillTags)
    badge_class: Any = getattr(assertion, "badge_class", None)
    uris = tags.tags("badge_class", assertion.badge_class_id)
    if getattr(badge_class, "subject_type", None) == "activity" and badge_class.subject_id:
        uris += tags.tags("activity", badge_class.subject_id)
    uris += [
        entry["uri"]
        for entry in getattr(badge_class, "skills", None) or ()
        if isinstance(entry, dict) and entry.get("uri")
    ]
    if uris:
        request.find_service(ILearnerSkills).record(assertion.user_id, uris, "badge", assertion.id)


@hookimpl
def col_badge_revoked(request, assertion) -> None:
    """A revoked badge no longer shows its skills; those another badge shows stay."""
    from plugins.esco.interfaces import ILearnerSkills

    request.find_service(ILearnerSkills).withdraw("badge", assertion.id)


@hookimpl
def col_skill_groups(request, uris: list[str]) -> dict[str, str]:
    from plugins.esco.interfaces import ISkillCatalog
    from plugins.esco.views import user_language

    return request.find_service(ISkillCatalog).top_groups(uris, user_language(request))


@hookimpl
def col_skill_vocabulary(request):
    """ESCO is the city's skill catalogue: the forms' skill picker searches it."""
    from plugins.esco.services.vocabulary import vocabulary_for

    return vocabulary_for(request)


@hookimpl
def col_skill_labels(connection, uris, languages) -> dict:
    """Every label of the concepts in the city's languages, for the search index."""
    from plugins.esco.texts import index_labels

    return index_labels(connection, uris, languages)


@hookimpl
def col_account_export(request, user) -> dict[str, bytes]:
    from plugins.esco.services import learner_skills_export

    return {"esco/skills.json": learner_skills_export(request.dbsession, user.id)}


@hookimpl
def col_account_deleted(request, user) -> None:
    """A learner's skills are personal data: they go with the account."""
    from plugins.esco.services import forget_learner

    forget_learner(request.dbsession, user.id)


@hookimpl
def col_seed_demo(request, tenant) -> list[str]:
    from plugins.esco import demo

    imported = demo.import_shipped(request.dbsession)
    made = demo.tag_activities(request)
    lines = [f"{tenant.slug}: {made} activity skill tags from ESCO"]
    if imported:
        lines.insert(0, "ESCO: the shipped extract (1.1.1 en, fr; 1.0.x fr, nl, es) is imported")
    return lines
