"""Route context of activity URLs, for the security policy; who may see an activity.

The policy grants ``org.*`` permissions from ``context.organisation``, and ``view`` and
``learner`` only when ``context.visible(request)``: every route about an activity loads it here
(404 when it is not in this city, or hidden from the person) and views declare a permission.
"""

from __future__ import annotations

from functools import cached_property

from pyramid.httpexceptions import HTTPNotFound
from pyramid.i18n import TranslationStringFactory

from col_core.activities.interfaces import IActivityService, IParticipationService

_ = TranslationStringFactory("col")


class ActivityContext:
    """The activity a URL names.  The security policy asks :meth:`visible` before any view
    that needs ``view`` or ``learner`` runs, so views never check again."""

    hidden_message = _("There is no such activity in this city.")

    def __init__(self, activity, request=None):
        self.activity = activity
        self.organisation = activity.organisation
        self.request = request
        self._visible: bool | None = None

    @cached_property
    def participation(self):
        """The signed-in person's participation (any status) or None, read once a request."""
        participations = self.request.find_service(IParticipationService)
        return participations.participation(self.activity, self.request.user)

    def visible(self, request) -> bool:
        if self._visible is None:
            self._visible = _may_see(request, self)
        return self._visible


def activity_factory(request) -> ActivityContext:
    activity = request.find_service(IActivityService).get(request.matchdict.get("id"))
    if activity is None:
        raise HTTPNotFound(request.localizer.translate(ActivityContext.hidden_message))
    return ActivityContext(activity, request)


def is_organiser(request, activity) -> bool:
    return bool(request.has_permission("org.member", ActivityContext(activity)))


def _may_see(request, context: ActivityContext) -> bool:
    """Drafts are for their organisers; archived activities also for their participants;
    private ones for the invited (the link's token) and participants."""
    activity = context.activity
    if is_organiser(request, activity):
        return True
    if activity.status == "draft":
        return False
    participation = context.participation
    if participation is not None and participation.status != "left":
        return True
    if activity.status != "published":
        return False
    return activity.visibility != "private" or bool(
        activity.invitation_token and request.params.get("invite") == activity.invitation_token
    )
