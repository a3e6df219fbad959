"""The city's badge catalogue: linked from the navigation, filtered by skill, organisation and
how a badge is earned, a page at a time; bad filters answer 400 saying what to change."""

from __future__ import annotations

import datetime as dt

from col_core.activities.models import Activity
from col_core.db.meta import utcnow
from col_core.organisations.models import Organisation
from col_core.tenancy.scoping import get_city_row
from plugins.badges import claims
from plugins.badges.models import BadgeClass
from plugins.badges.services import catalogue

BIKES = "http://data.europa.eu/esco/skill/bikes"
COOKING = "http://data.europa.eu/esco/skill/cooking"


def _names(page) -> list[str]:
    return [h2.text.strip() for h2 in page.html.select(".badge-catalogue h2")]


def test_the_catalogue_is_in_the_navigation(badges, city):
    badges.badge_class(name="Bike repair")
    home = city.get("/")
    page = home.click("Badges", href="/badges/$")
    assert page.status_int == 200 and "Bike repair" in page


def test_filters_by_skill_organisation_and_how_it_is_earned(badges, city):
    badges.badge_class(name="Bike repair", skills=[{"uri": BIKES, "label": "repair bicycles"}])
    badges.badge_class(name="Soup", skills=[{"uri": COOKING, "label": "cook soup"}])
    badges.badge_class(name="Wheel truing", earning="evidence", tasks=["True a wheel"])
    coded = badges.badge_class(name="Festival helper")
    with badges.request() as request:
        claims.new_code(request.dbsession, request.dbsession.get(BadgeClass, coded))
    badges.badge_class(name="Old badge", archived_at=utcnow())
    other = badges.factories
    with other.within(badges.tenant):
        kitchen = other.save(Organisation(name="Soup Kitchen", slug="soup-kitchen"))
    with badges.request() as request:
        from plugins.badges.interfaces import IIssuerKeys

        issuer = request.find_service(IIssuerKeys).issuer_for(
            get_city_row(request.dbsession, Organisation, kitchen.id)
        )
        request.dbsession.add(BadgeClass(issuer=issuer, name="Kitchen hygiene"))

    page = city.get("/badges/")
    assert _names(page) == [
        "Bike repair",
        "Festival helper",
        "Kitchen hygiene",
        "Soup",
        "Wheel truing",
    ]
    form = page.forms["catalogue-filters"]
    form["skill"] = BIKES
    assert _names(form.submit()) == ["Bike repair"]
    assert _names(city.get("/badges/", {"organisation": "soup-kitchen"})) == ["Kitchen hygiene"]
    assert _names(city.get("/badges/", {"earned": "evidence"})) == ["Wheel truing"]
    claim = city.get("/badges/", {"earned": "claim"})
    assert _names(claim) == ["Festival helper"] and "With a claim code" in claim
    assert _names(city.get("/badges/", {"skill": COOKING, "earned": "evidence"})) == []


def _activity(badges, title, **fields) -> int:
    start = utcnow() + dt.timedelta(days=7)
    values = {"status": "published", "starts_at": start, "ends_at": start + dt.timedelta(hours=2)}
    values.update(fields)
    with badges.factories.within(badges.tenant):
        activity = Activity(
            organisation_id=badges.organisation.id,
            title=title,
            schedule={},
            languages=["en"],
            accessibility=[],
            resources=[],
            **values,
        )
        return badges.factories.save(activity).id


def test_activity_and_playlist_badges_are_told_apart(badges, city):
    cafe = _activity(badges, "Repair café")
    badges.badge_class(name="Repair café", subject_type="activity", subject_id=cafe)
    badges.badge_class(name="Cycling pathway", subject_type="playlist", subject_id=1)
    assert _names(city.get("/badges/", {"earned": "completion"})) == ["Repair café"]
    assert _names(city.get("/badges/", {"earned": "playlist"})) == ["Cycling pathway"]


def test_badges_of_activities_nobody_can_find_are_not_listed(badges, city):
    for title, fields in (
        ("Draft", {"status": "draft"}),
        ("Private", {"visibility": "private"}),
        ("Over", {"starts_at": utcnow() - dt.timedelta(days=9), "ends_at": utcnow()}),
        ("Coming", {}),
    ):
        activity = _activity(badges, title, **fields)
        badges.badge_class(name=title, subject_type="activity", subject_id=activity)
    assert _names(city.get("/badges/")) == ["Coming"]


def test_pages(badges, city):
    for number in range(catalogue.PAGE_SIZE + 2):
        badges.badge_class(name=f"Badge {number:03}")
    first = city.get("/badges/", {"earned": ""})
    assert len(_names(first)) == catalogue.PAGE_SIZE and "Page 1 of 2" in first
    second = first.click("Next page")
    assert _names(second) == ["Badge 024", "Badge 025"]
    assert second.click("Previous page").request.url.endswith("/badges/")
    city.get("/badges/", {"page": "3"}, status=404)


def test_bad_filters_answer_400_with_what_to_change(badges, city):
    badges.badge_class(name="Bike repair")
    for params, message in (
        ({"earned": "magic"}, "Choose how the badge is earned from the list."),
        ({"organisation": "nobody"}, "Choose an organisation that issues badges here."),
        ({"skill": "javascript:alert(1)"}, "Choose a skill from the list."),
        ({"page": "0"}, "The page must be a whole number from 1."),
        ({"page": "two"}, "The page must be a whole number from 1."),
    ):
        page = city.get("/badges/", params, status=400)
        assert message in page and "Bike repair" not in page
