"""Route contexts: what the security policy checks permissions on.

The core's policy grants ``org.*`` permissions from the person's role in ``context.organisation``,
and ``view`` and ``learner`` only on what ``context.visible(request)`` lets the person see.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from pyramid.i18n import TranslationStringFactory
from sqlalchemy import select

from col_core.organisations.models import Organisation
from plugins.badges.models import Assertion, BadgeClass

_ = TranslationStringFactory("col_badges")


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise HTTPNotFound() from None


class OrganisationResource:
    def __init__(self, request):
        self.organisation = request.dbsession.scalar(
            select(Organisation).where(Organisation.id == _int(request.matchdict.get("org")))
        )
        if self.organisation is None:
            raise HTTPNotFound()


class BadgeClassResource:
    def __init__(self, request):
        self.badge = request.dbsession.scalar(
            select(BadgeClass).where(BadgeClass.id == _int(request.matchdict.get("badge")))
        )
        if self.badge is None:
            raise HTTPNotFound()
        self.organisation = self.badge.issuer.organisation


class ShareContext:
    """An awarded badge's share page.  A private one is for its owner only: the security policy
    asks :meth:`visible` and answers 404 to anyone else, so the views never check again."""

    def __init__(self, request):
        self.assertion = request.dbsession.scalar(
            select(Assertion).where(Assertion.uid == request.matchdict.get("uid", ""))
        )
        if self.assertion is None:
            raise HTTPNotFound()

    def visible(self, request) -> bool:
        user = getattr(request, "user", None)
        own = user is not None and user.id == self.assertion.user_id
        return self.assertion.visibility != "private" or own


class OwnBadgeContext(ShareContext):
    """An awarded badge as only its recipient may act on it (offering it to a wallet app):
    anyone else, whatever the badge's visibility, is answered 404."""

    hidden_message = _("There is no such badge of yours in this city.")

    def visible(self, request) -> bool:
        user = getattr(request, "user", None)
        return user is not None and user.id == self.assertion.user_id
