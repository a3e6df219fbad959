"""Demo data: a badge per organisation of the city, issued to the demo learner."""

from __future__ import annotations

from sqlalchemy import select

from col_core.security.models import Organisation
from plugins.badges.interfaces import IBadgeIssuer
from plugins.badges.urls import urls_for

DEMO_LEARNER = "learner@example.org"


def seed(request, tenant) -> list[str]:
    """Idempotent: re-seeding finds the same badge classes and assertions."""
    service = request.find_service(IBadgeIssuer)
    lines = []
    for organisation in request.dbsession.scalars(
            select(Organisation).order_by(Organisation.id).limit(3)):
        badge = service.badge_for_subject(
            "organisation", organisation.id, organisation,
            name=f"Explorer: {organisation.name}",
            description=f"Took part in the learning offer of {organisation.name}.")
        assertion = service.issue(badge, DEMO_LEARNER, source="demo", notify=False)
        lines.append(f"Badge of {DEMO_LEARNER}: {urls_for(request, tenant).share(assertion.uid)}")
    return lines
