"""The default :class:`IOrganisationService`."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from sqlalchemy import func, select
from zope.interface import implementer

from col_core.db.meta import utcnow
from col_core.i18n import _
from col_core.notifications import INotifications
from col_core.organisations.interfaces import IOrganisationService
from col_core.organisations.models import MEMBER_ROLES, Invitation, Membership, Organisation
from col_core.security.interfaces import IAccountService
from col_core.security.tokens import digest, new_secret

# What a member hears when someone else changes their role (one sentence per role, so each
# language words it whole).
ROLE_NEWS = {
    "owner": lambda mapping: _("You are now an owner of ${name}.", mapping=mapping),
    "admin": lambda mapping: _("You are now an administrator of ${name}.", mapping=mapping),
    "member": lambda mapping: _("You are now a member of ${name}.", mapping=mapping),
}

INVITATION_LIFETIME = dt.timedelta(days=14)
EDITABLE = (
    "name",
    "type",
    "description",
    "website",
    "contact_email",
    "phone",
    "address",
    "primary_locale",
)


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "organisation"


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@implementer(IOrganisationService)
class OrganisationService:
    def __init__(self, context, request):  # pyramid_services factory signature
        self.request = request
        self.session = request.dbsession

    def _free_slug(self, name: str) -> str:
        base = slugify(name)
        taken = set(
            self.session.scalars(
                select(Organisation.slug).where(Organisation.slug.like(base + "%"))
            )
        )
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        return slug

    def create(self, owner, values):
        organisation = Organisation(
            slug=self._free_slug(values["name"]), **{k: values[k] for k in EDITABLE if k in values}
        )
        organisation.memberships.append(Membership(user_id=owner.id, role="owner"))
        self.session.add(organisation)
        self.session.flush()
        return organisation

    def update(self, organisation, values) -> None:
        for key in EDITABLE:
            if key in values:
                setattr(organisation, key, values[key])

    def invite(self, organisation, inviter, role, email=None) -> str:
        secret = new_secret()
        self.session.add(
            Invitation(
                organisation_id=organisation.id,
                email=email or None,
                role=role,
                token_hash=digest(secret),
                invited_by_id=inviter.id,
                expires_at=utcnow() + INVITATION_LIFETIME,
            )
        )
        self.session.flush()
        if email:
            link = self.request.route_url("invitation", token=secret)
            self.request.find_service(IAccountService).send(
                email,
                _(
                    "Join ${organisation} on ${city}",
                    mapping={"organisation": organisation.name, "city": self.request.tenant.name},
                ),
                _(
                    "${name} invites you to join ${organisation} as ${role}. Accept within 14 "
                    "days: ${url}",
                    mapping={
                        "name": inviter.display_name,
                        "role": role,
                        "organisation": organisation.name,
                        "url": link,
                    },
                ),
                locale=organisation.primary_locale,
            )
        return secret

    def find_invitation(self, secret):
        invitation = self.session.scalar(
            select(Invitation).where(
                Invitation.token_hash == digest(secret or ""), Invitation.revoked_at.is_(None)
            )
        )
        if invitation is None or _aware(invitation.expires_at) < utcnow():
            return None
        if invitation.email and invitation.accepted_at is not None:
            return None  # email invitations are single-use
        return invitation

    def accept(self, invitation, user):
        membership = self.session.scalar(
            select(Membership).where(
                Membership.organisation_id == invitation.organisation_id,
                Membership.user_id == user.id,
            )
        )
        if membership is None:
            membership = Membership(
                organisation_id=invitation.organisation_id, user_id=user.id, role=invitation.role
            )
            self.session.add(membership)
        elif MEMBER_ROLES.index(invitation.role) < MEMBER_ROLES.index(membership.role):
            membership.role = invitation.role
        invitation.accepted_at = utcnow()
        self.session.flush()
        return membership

    def _last_owner(self, organisation, membership) -> bool:
        if membership.role != "owner":
            return False
        owners = self.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.organisation_id == organisation.id, Membership.role == "owner")
        )
        return owners <= 1

    def remove_member(self, organisation, membership) -> bool:
        if self._last_owner(organisation, membership):
            return False
        self.session.delete(membership)
        return True

    def change_role(self, organisation, membership, role) -> bool:
        if role != "owner" and self._last_owner(organisation, membership):
            return False
        changed, membership.role = membership.role != role, role
        if changed and membership.user_id != getattr(self.request.user, "id", None):
            mapping = {"name": organisation.name}
            self.request.find_service(INotifications).notify(
                membership.user,
                "organisation",
                ROLE_NEWS[role](mapping),
                url=self.request.route_url("organisation", slug=organisation.slug),
            )
        return True

    def verify(self, organisation, method, document=None, reason="") -> None:
        organisation.verified_at = utcnow()
        organisation.verification_method = method
        if document:
            organisation.verification_document = document
        mapping = {"name": organisation.name, "reason": reason}
        self._tell_members(
            organisation,
            _("${city} verified ${name}: ${reason}", mapping={**mapping, "city": self._city()})
            if reason
            else _("${city} verified ${name}.", mapping={**mapping, "city": self._city()}),
        )

    def suspend(self, organisation, suspended, reason="") -> None:
        organisation.suspended_at = utcnow() if suspended else None
        mapping = {"name": organisation.name, "reason": reason, "city": self._city()}
        if suspended:
            message = _(
                "${city} suspended ${name}: ${reason} Its activities are hidden until the city "
                "reinstates it; reply to the city to settle this.",
                mapping=mapping,
            )
        elif reason:
            message = _("${city} reinstated ${name}: ${reason}", mapping=mapping)
        else:
            message = _("${city} reinstated ${name}.", mapping=mapping)
        self._tell_members(organisation, message)

    def _city(self) -> str:
        return self.request.tenant.name

    def _tell_members(self, organisation, message) -> None:
        notifications = self.request.find_service(INotifications)
        url = self.request.route_url("organisation", slug=organisation.slug)
        members = self.session.scalars(
            select(Membership).where(Membership.organisation_id == organisation.id)
        )
        for membership in members:
            notifications.notify(membership.user, "organisation", message, url=url)
