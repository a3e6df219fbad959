"""Route context of activity URLs, for the security policy; who may see an activity.

The policy grants ``org.*`` permissions from ``context.organisation``, so every route about an
activity loads it here (404 when it is not in this city) and views declare a permission.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from pyramid.i18n import TranslationStringFactory

from col_core.activities.interfaces import IActivityService, IParticipationService

_ = TranslationStringFactory("col")


class ActivityContext:
    def __init__(self, activity):
        self.activity = activity
        self.organisation = activity.organisation


def activity_factory(request) -> ActivityContext:
    activity = request.find_service(IActivityService).get(request.matchdict.get("id"))
    if activity is None:
        raise HTTPNotFound(
            request.localizer.translate(_("There is no such activity in this city."))
        )
    return ActivityContext(activity)


def is_organiser(request, activity) -> bool:
    return bool(request.has_permission("org.member", ActivityContext(activity)))


def can_see(request, activity) -> bool:
    """Drafts are for their organisers; archived activities also for their participants;
    private ones for the invited (the link's token) and participants."""
    if is_organiser(request, activity):
        return True
    if activity.status == "draft":
        return False
    participation = request.find_service(IParticipationService).participation(
        activity, request.user
    )
    if participation is not None and participation.status != "left":
        return True
    if activity.status != "published":
        return False
    return activity.visibility != "private" or bool(
        activity.invitation_token and request.params.get("invite") == activity.invitation_token
    )
