"""The default :class:`ICityPeople`: a city's people and administrators, for its admins.

Accounts are global, so every query here starts from this city's own rows (its organisations'
memberships, its administrators) and states the city explicitly, besides the ORM wall's
criteria: a mistake here would show or change another city's people.
"""

from __future__ import annotations

from sqlalchemy import func, or_, select
from zope.interface import implementer

from col_core.i18n import _
from col_core.organisations.models import Membership, Organisation
from col_core.security.interfaces import AdministrationRefused, ICityPeople
from col_core.security.models import CityAdmin, User
from col_core.security.services import find_by_email


@implementer(ICityPeople)
class CityPeople:
    def __init__(self, context, request):  # pyramid_services factory signature
        self.session = request.dbsession
        self.tenant_id = request.tenant.id

    def people(self, limit=200):
        members = select(Membership.user_id).where(Membership.tenant_id == self.tenant_id)
        return self.session.scalars(
            select(User)
            .where(
                User.deleted_at.is_(None),
                or_(User.home_tenant_id == self.tenant_id, User.id.in_(members)),
            )
            .order_by(func.lower(User.display_name), User.id)
            .limit(limit)
        ).all()

    def organisation_roles(self):
        roles: dict[int, list[str]] = {}
        for user_id, name, role in self.session.execute(
            select(Membership.user_id, Organisation.name, Membership.role)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.tenant_id == self.tenant_id, Organisation.tenant_id == self.tenant_id)
            .order_by(Organisation.name)
        ):
            roles.setdefault(user_id, []).append(f"{name} ({role})")
        return roles

    def administrators(self):
        return self.session.scalars(
            select(User)
            .join(CityAdmin, CityAdmin.user_id == User.id)
            .where(CityAdmin.tenant_id == self.tenant_id)
            .order_by(func.lower(User.display_name), User.id)
        ).all()

    def _administration(self, account_id: int) -> CityAdmin | None:
        return self.session.scalar(
            select(CityAdmin).where(
                CityAdmin.tenant_id == self.tenant_id, CityAdmin.user_id == account_id
            )
        )

    def grant_administration(self, email, require_active=True):
        account = find_by_email(self.session, email)
        if (
            account is None
            or account.deleted_at is not None
            or (require_active and not account.is_active)
        ):
            raise AdministrationRefused(
                _("Nobody with this address has an account yet. Ask them to sign up first.")
            )
        if self._administration(account.id) is None:
            self.session.add(CityAdmin(tenant_id=self.tenant_id, user_id=account.id))
            self.session.flush()
        return account

    def revoke_administration(self, account_id):
        administration = self._administration(account_id)
        if administration is None:
            raise LookupError(account_id)
        # Lock this city's administrators (on PostgreSQL) so that two admins removing each
        # other at once cannot both see "two left".
        others = self.session.scalars(
            select(CityAdmin.id)
            .where(CityAdmin.tenant_id == self.tenant_id, CityAdmin.id != administration.id)
            .with_for_update()
        ).all()
        if not others:
            raise AdministrationRefused(
                _(
                    "This is the city's only administrator, and a city needs at least one. Add "
                    "another administrator first."
                )
            )
        self.session.delete(administration)
        self.session.flush()


def includeme(config):
    config.register_service_factory(CityPeople, ICityPeople)
