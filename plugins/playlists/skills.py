"""A playlist's skills as ESCO tags, through the esco plugin's public ``ISkillTags`` service.

Without the esco plugin (not installed or disabled in the city) the skills stay what the
organiser entered, on the playlist row only.
"""

from __future__ import annotations

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("col_playlists")

ESCO_PLUGIN = "esco"
SUBJECT = "playlist"


def skill_tags(request):
    if ESCO_PLUGIN not in request.registry[
        "col.plugins"
    ].plugins or not request.tenant.plugin_enabled(ESCO_PLUGIN):
        return None
    from plugins.esco.interfaces import ISkillTags

    return request.find_service(ISkillTags)


def sync(request, playlist) -> dict:
    """Make the playlist's ESCO tags match its skills; unknown concepts are dropped from the
    playlist and reported as the ``skills`` field's error."""
    tags = skill_tags(request)
    if tags is None:
        return {}
    from plugins.esco.interfaces import UnknownConcept

    wanted = [skill["uri"] for skill in playlist.skills or ()]
    for uri in set(tags.tags(SUBJECT, playlist.id)) - set(wanted):
        tags.remove(SUBJECT, playlist.id, uri)
    unknown = []
    for uri in wanted:
        try:
            tags.add(SUBJECT, playlist.id, uri)
        except UnknownConcept:
            unknown.append(uri)
    if not unknown:
        return {}
    playlist.skills = [skill for skill in playlist.skills if skill["uri"] not in unknown]
    return {
        "skills": _(
            "These are not skills of the ESCO classification: ${uris}.",
            mapping={"uris": ", ".join(unknown)},
        )
    }
