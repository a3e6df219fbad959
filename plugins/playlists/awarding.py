"""The bridge to the badges plugin, through its public interface only.

Playlists work without badges: when the badges plugin is not installed or this city has
disabled it, :func:`issuer` is None, awards stay pending and organisers are told why.
"""

from __future__ import annotations

from pyramid.i18n import TranslationStringFactory

from col_core.activities.content import plain_text
from plugins.playlists.mailing import city_link
from plugins.playlists.rules import criteria_narrative

_ = TranslationStringFactory("col_playlists")

BADGES_PLUGIN = "badges"


def issuer(request):
    """The badges plugin's ``IBadgeIssuer`` for this request, or None when unavailable."""
    if BADGES_PLUGIN not in request.registry[
        "col.plugins"
    ].plugins or not request.tenant.plugin_enabled(BADGES_PLUGIN):
        return None
    from plugins.badges.interfaces import IBadgeIssuer

    return request.find_service(IBadgeIssuer)


def badges_section(request, playlist):
    """HTML of the playlist's badges (how they are earned, "Send evidence" where needed) from
    the badges plugin, or None when badges are unavailable or the playlist has none."""
    if issuer(request) is None:
        return None
    from plugins.badges.interfaces import IBadgeCatalogue

    return request.find_service(IBadgeCatalogue).subject_section("playlist", playlist.id)


def badge_name(request, playlist, threshold: int) -> str:
    if not threshold:
        return playlist.title
    return request.localizer.translate(
        _(
            "${playlist}: ${count} activities done",
            mapping={"playlist": playlist.title, "count": threshold},
        )
    )


def badge_skills(playlist) -> list[dict]:
    """The playlist's skills as a badge class keeps them (``{"uri", "label"}``)."""
    return [
        {"uri": skill["uri"], "label": skill.get("label") or skill["uri"]}
        for skill in playlist.skills or ()
        if skill.get("uri")
    ]


def prepare_badges(request, playlist) -> dict:
    """Create (or refresh) the badge class of each of the playlist's badges, when possible;
    returns {PlaylistBadge id: badge class}.

    The criteria narrative is derived from the rule, so the badge says what earning it took;
    the playlist's skills become the badge's (its alignments), as they are when the badge is
    issued, not as they were when the badge class was first made.
    """
    from plugins.playlists.services import rule_of

    badges = issuer(request)
    if badges is None:
        return {}
    classes = {}
    narrative = criteria_narrative(rule_of(playlist), request.localizer.translate)
    for entry in playlist.badges:
        subject = (
            ("playlist", playlist.id) if not entry.threshold else ("playlist_milestone", entry.id)
        )
        badge_class = badges.badge_for_subject(
            *subject,
            playlist.organisation,
            name=badge_name(request, playlist, entry.threshold),
            description=plain_text(playlist.description),
            skills=badge_skills(playlist),
        )
        badge_class.criteria = (
            narrative
            if not entry.threshold
            else request.localizer.translate(
                _(
                    "Complete ${count} activities of the playlist “${playlist}”.",
                    mapping={"count": entry.threshold, "playlist": playlist.title},
                )
            )
        )
        if badge_class.skills != badge_skills(playlist):
            badge_class.skills = badge_skills(playlist)
        entry.badge_class_id = badge_class.id
        classes[entry.id] = badge_class
    return classes


def issue(request, award) -> bool:
    """Issue ``award`` (a PlaylistAward) through the badges plugin; False when unavailable."""
    badges = issuer(request)
    if badges is None:
        return False
    entry, enrolment = award.badge, award.enrolment
    badge_class = prepare_badges(request, entry.playlist)[entry.id]
    user = enrolment.user
    assertion = badges.issue(
        badge_class,
        user.email,
        user=user,
        source="playlist",
        evidence=[
            {
                "narrative": request.localizer.translate(
                    _(
                        "Completed the learning playlist “${playlist}”.",
                        mapping={"playlist": entry.playlist.title},
                    )
                ),
                "url": city_link(request, f"/playlists/{entry.playlist_id}"),
            }
        ],
    )
    award.status, award.assertion_uid = "issued", assertion.uid
    return True
