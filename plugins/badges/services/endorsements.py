"""IEndorsements: the city and its organisations endorse other organisations' badges and issuers.

The endorser is an :class:`~plugins.badges.models.Issuer` (an organisation's, or the city's own,
see :meth:`IIssuerKeys.city_issuer`), so what it endorses is signed with its own keys and
named by its own profile in the OB 2.0 and OB 3.0 documents (:mod:`plugins.badges.documents`).
"""

from __future__ import annotations

from typing import NamedTuple

from pyramid.i18n import TranslationStringFactory
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from zope.interface import implementer

from col_core.db.locks import serialise
from col_core.db.meta import utcnow
from col_core.organisations.models import Organisation
from plugins.badges.interfaces import IEndorsements, IIssuerKeys
from plugins.badges.models import BadgeClass, Endorsement, Issuer

_ = TranslationStringFactory("col_badges")

MAX_COMMENT = 2000
ENDORSER_ROLES = ("owner", "admin")


class EndorsementError(ValueError):
    """An endorsement refused, with a message for the person (a TranslationString)."""


class Endorser(NamedTuple):
    organisation: Organisation | None  # None: the city itself
    name: str
    endorsement: Endorsement | None  # the standing endorsement of the subject, if any


def _subject_filter(subject):
    if isinstance(subject, BadgeClass):
        return Endorsement.badge_class_id == subject.id
    return Endorsement.subject_issuer_id == subject.id


def _subject_organisation_id(subject) -> int | None:
    issuer = subject.issuer if isinstance(subject, BadgeClass) else subject
    return issuer.organisation_id


@implementer(IEndorsements)
class Endorsements:
    def __init__(self, request):
        self.request = request
        self.dbsession = request.dbsession

    def _issuer_of(self, endorser: Organisation | None) -> Issuer:
        keyring = self.request.find_service(IIssuerKeys)
        if endorser is None:
            return keyring.city_issuer(self.request.tenant)
        return keyring.issuer_for(endorser)

    def _standing(self, endorser: Organisation | None, subject) -> Endorsement | None:
        owner = (
            Issuer.organisation_id.is_(None)
            if endorser is None
            else Issuer.organisation_id == endorser.id
        )
        return self.dbsession.scalar(
            select(Endorsement)
            .join(Issuer, Issuer.id == Endorsement.endorser_id)
            .where(owner, _subject_filter(subject), Endorsement.withdrawn_at.is_(None))
        )

    def endorsers(self, subject) -> list[Endorser]:
        roles = self.request.roles
        own = _subject_organisation_id(subject)
        ids = [
            organisation_id
            for organisation_id, role in roles.memberships.items()
            if role in ENDORSER_ROLES and organisation_id != own
        ]
        organisations = self.dbsession.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
        )
        found = [Endorser(o, o.name, self._standing(o, subject)) for o in organisations]
        if roles.is_city_admin and own is not None:
            city = Endorser(None, self.request.tenant.name, self._standing(None, subject))
            found.insert(0, city)
        return found

    def subject(self, kind: str, subject_id: int):
        # Queries, not ``get``: the tenant wall filters every statement to this city.
        if kind == "class":
            return self.dbsession.scalar(select(BadgeClass).where(BadgeClass.id == subject_id))
        if kind != "issuer":
            return None
        issuer = self.dbsession.scalar(select(Issuer).where(Issuer.id == subject_id))
        if issuer is None or issuer.is_city:
            return None  # the city's own issuer is an endorser, never endorsed
        return issuer

    def endorse(self, endorser: Organisation | None, subject, comment: str) -> Endorsement:
        comment = (comment or "").strip()
        if not comment:
            raise EndorsementError(_("Say in a sentence or two why you endorse it."))
        if len(comment) > MAX_COMMENT:
            raise EndorsementError(
                _("Keep the endorsement under ${max} characters.", mapping={"max": MAX_COMMENT})
            )
        own = _subject_organisation_id(subject)
        if endorser is not None and endorser.id == own or endorser is None and own is None:
            raise EndorsementError(_("An organisation cannot endorse itself or its own badges."))
        # A double click or two admins at once: the second waits, then sees the first's
        # endorsement (and the status list bit it took) instead of colliding with it.
        who = endorser.id if endorser else "city"
        serialise(self.dbsession, f"endorser:{self.request.tenant.id}:{who}")
        issuer = self._issuer_of(endorser)
        if self._standing(endorser, subject) is not None:
            raise EndorsementError(
                _("You already endorse it. Withdraw that endorsement first to write a new one.")
            )
        endorsement = Endorsement(
            endorser=issuer,
            badge_class_id=subject.id if isinstance(subject, BadgeClass) else None,
            subject_issuer_id=subject.id if isinstance(subject, Issuer) else None,
            comment=comment,
            issued_on=utcnow(),
            status_index=self._status_index(issuer),
        )
        self.dbsession.add(endorsement)
        self.dbsession.flush()
        return endorsement

    def _status_index(self, issuer: Issuer) -> int:
        highest = self.dbsession.scalar(
            select(func.max(Endorsement.status_index)).where(Endorsement.endorser_id == issuer.id)
        )
        return 0 if highest is None else highest + 1

    def withdraw(self, endorser: Organisation | None, endorsement_id: int) -> Endorsement | None:
        endorsement = self.dbsession.scalar(
            select(Endorsement).where(Endorsement.id == endorsement_id)
        )
        if endorsement is None:
            return None
        if endorsement.endorser.organisation_id != (endorser.id if endorser else None):
            return None
        if endorsement.withdrawn_at is None:
            endorsement.withdrawn_at = utcnow()
        return endorsement

    def endorsers_of_badges(self, badge_ids) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        rows = self.dbsession.scalars(
            select(Endorsement)
            .where(Endorsement.badge_class_id.in_(list(badge_ids)))
            .where(Endorsement.withdrawn_at.is_(None))
            .options(selectinload(Endorsement.endorser).selectinload(Issuer.organisation))
            .order_by(Endorsement.id)
        )
        for endorsement in rows:
            assert endorsement.badge_class_id is not None  # selected by it
            found.setdefault(endorsement.badge_class_id, []).append(endorsement.endorser.name)
        return found

    def of(self, subject) -> list[Endorsement]:
        return list(
            self.dbsession.scalars(
                select(Endorsement)
                .where(_subject_filter(subject), Endorsement.withdrawn_at.is_(None))
                .order_by(Endorsement.id)
            )
        )


def endorsements_factory(context, request) -> Endorsements:
    return Endorsements(request)
