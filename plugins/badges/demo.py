"""Demo data: each city's demo learner (``learner@<slug>.demo``, made by the core's demo people)
holds a badge of each of the first organisations, and a claim code to try.  The badges' texts
are in the city's default language (``demo_texts.toml``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from col_core.demo_texts import demo_texts
from col_core.organisations.models import Organisation
from col_core.security.models import User
from col_core.tenancy import account_lookup
from plugins.badges import claims
from plugins.badges.interfaces import IBadgeIssuer
from plugins.badges.models import ClaimCode
from plugins.badges.urls import urls_for

TEXTS = Path(__file__).with_name("demo_texts.toml")  # the badges' texts, per language


def seed(request, tenant) -> list[str]:
    """Idempotent: seeding again finds the same badge classes, assertions and code."""
    if tenant.is_global:
        return []
    service = request.find_service(IBadgeIssuer)
    email = f"learner@{tenant.slug}.demo"
    with account_lookup(request.dbsession):  # found by address, as the issuer does
        learner = request.dbsession.scalar(select(User).where(func.lower(User.email) == email))
    urls = urls_for(request, tenant)
    lines, badge = [], None
    texts = demo_texts(TEXTS, tenant)
    for organisation in request.dbsession.scalars(
        select(Organisation).order_by(Organisation.id).limit(3)
    ):
        badge = service.badge_for_subject(
            "organisation",
            organisation.id,
            organisation,
            name=texts["name"].format(organisation=organisation.name),
            description=texts["description"].format(organisation=organisation.name),
        )
        badge.criteria = texts["criteria"]
        assertion = service.issue(badge, email, user=learner, source="demo", notify=False)
        lines.append(f"{tenant.slug} badge of {email}: {urls.share(assertion.uid)}")
    if badge is not None:
        code = request.dbsession.scalar(
            select(ClaimCode).where(ClaimCode.badge_class_id == badge.id)
        ) or claims.new_code(request.dbsession, badge)
        lines.append(f"{tenant.slug} claim a badge with a code: {urls.claim(code.code)}")
    return lines
