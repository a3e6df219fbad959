"""A badge earned while a prerequisite is missing is held back, the learner sees what is missing
on the badge's page, and it is issued as soon as the prerequisite is earned: all through pages."""

from __future__ import annotations

from sqlalchemy import select

from col_core.tenancy.scoping import get_city_row
from plugins.badges import claims
from plugins.badges.models import Assertion, BadgeClass, HeldAward


def _assertions(badges, class_id):
    badges.factories.session.expire_all()
    with badges.factories.within(badges.tenant):
        return badges.factories.session.scalars(
            select(Assertion).where(Assertion.badge_class_id == class_id)
        ).all()


def _held(badges):
    badges.factories.session.expire_all()
    with badges.factories.within(badges.tenant):
        return badges.factories.session.scalars(select(HeldAward)).all()


def _claim_code(badges, class_id) -> str:
    with badges.request() as request:
        return claims.new_code(
            request.dbsession, get_city_row(request.dbsession, BadgeClass, class_id)
        ).code


def test_evidence_approved_without_the_prerequisite_is_issued_once_it_is_earned(badges, city):
    basics = badges.badge_class(name="Bike basics")
    advanced = badges.badge_class(
        name="Bike mechanic",
        earning="evidence",
        review="self",
        tasks=["True a wheel"],
        prerequisites=[basics],
    )
    badges.user("ana@example.org")
    badges.sign_in(city, "ana@example.org")

    page = city.get(f"/badges/classes/{advanced}")
    assert "What you still need" in page and "Bike basics" in page
    page = page.click("Send evidence")
    form = page.forms["evidence-0"]
    form["text"] = "I trued my front wheel"
    form.submit(status=303)

    assert _assertions(badges, advanced) == []  # held back, not refused and not lost
    [held] = _held(badges)
    kept = list(held.evidence)
    assert held.source == "evidence" and kept[0]["name"] == "True a wheel"
    page = city.get(f"/badges/classes/{advanced}")
    assert "It will be issued as soon as you hold the badges it requires first." in page
    assert "Bike basics" in page.html.find(id="missing-title").parent.text

    # Earning the prerequisite (here with a claim code, signed in) releases the held badge.
    claim = city.get(f"/badges/claim/{_claim_code(badges, basics)}").forms["claim-form"]
    claim.submit(status=303)
    [issued] = _assertions(badges, advanced)
    assert issued.source == "evidence" and issued.user.email == "ana@example.org"
    assert issued.evidence == kept
    assert _held(badges) == []
    page = city.get(f"/badges/classes/{advanced}")
    assert "You have earned this badge." in page and "What you still need" not in page
    assert "Bike mechanic" in city.get("/badges/wallet")


def test_badge_page_shows_nothing_missing_to_visitors(badges, city):
    basics = badges.badge_class(name="Bike basics")
    advanced = badges.badge_class(name="Bike mechanic", prerequisites=[basics])
    page = city.get(f"/badges/classes/{advanced}")
    assert "What you still need" not in page and "Send evidence" not in page
