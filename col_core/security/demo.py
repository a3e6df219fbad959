"""Demo people for ``col demo``: one account per role in each city, one platform admin."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from col_core.db.meta import utcnow
from col_core.demo_texts import demo_texts
from col_core.organisations.models import Membership, Organisation
from col_core.security.models import CityAdmin, Consent, User
from col_core.security.passwords import hash_password
from col_core.security.services import legal_version
from col_core.tenancy import account_lookup
from col_core.tenancy.launch import LEGAL_PAGES

DEMO_PASSWORD = "learn-together-demo"
PLATFORM_ADMIN = "platform@cities.demo"
TEXTS = Path(__file__).with_name("demo_texts.toml")  # names and youth centre, per language


def _account(session, email: str, name: str, tenant, **fields) -> User:
    with account_lookup(session):  # demo accounts are found by address, as at sign-in
        user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            display_name=name,
            email_verified_at=utcnow(),
            password_hash=hash_password(DEMO_PASSWORD),
            preferred_locale=None,
            home_tenant_id=None if tenant.is_global else tenant.id,
            **fields,
        )
        session.add(user)
        session.flush()
    if session.scalar(select(Consent.id).where(Consent.user_id == user.id)) is None:
        # Demo people have accepted their city's terms, so they can take part straight away.
        session.add_all(
            Consent(user_id=user.id, document=page, version=legal_version(tenant))
            for page in LEGAL_PAGES
        )
    return user


def seed_people(request, tenant) -> list[str]:
    """Idempotently create the demo accounts; return the lines ``col demo`` prints."""
    session = request.dbsession
    _account(session, PLATFORM_ADMIN, "Platform Admin", tenant, is_platform_admin=True)
    lines = [f"platform admin: {PLATFORM_ADMIN} / {DEMO_PASSWORD}"]
    if tenant.is_global:
        return lines
    domain = f"{tenant.slug}.demo"
    texts = demo_texts(TEXTS, tenant)  # names and the youth centre in the city's language
    _account(session, f"learner@{domain}", texts["learner"], tenant)
    organiser = _account(session, f"organiser@{domain}", texts["organiser"], tenant)
    admin = _account(session, f"admin@{domain}", texts["admin"], tenant)
    if session.scalar(select(CityAdmin).where(CityAdmin.user_id == admin.id)) is None:
        session.add(CityAdmin(user_id=admin.id))
    slug = "youth-centre"
    if session.scalar(select(Organisation).where(Organisation.slug == slug)) is None:
        organisation = Organisation(
            name=texts["youth_centre"].format(city=tenant.name),
            slug=slug,
            type="youth_centre",
            description=f"<p>{texts['youth_centre_description']}</p>",
            primary_locale=tenant.default_locale,
            verified_at=utcnow(),
            verification_method="manual",
            contact_email=f"hello@{domain}",
        )
        organisation.memberships.append(Membership(user_id=organiser.id, role="owner"))
        session.add(organisation)
    session.flush()
    return lines + [
        f"{tenant.slug} {role}: {role}@{domain} / {DEMO_PASSWORD}"
        for role in ("learner", "organiser", "admin")
    ]
