"""The dashboards and the impact page are found from the navigation by those allowed to see
them, and answer 403 (or 404) to everyone else."""

from __future__ import annotations

from col_core.organisations.models import Membership


def _nav(page) -> dict[str, str]:
    return {a.text.strip(): a["href"] for a in page.html.select("nav a")}


def test_everyone_finds_the_impact_page(seeded, people):
    visitor = people.client(seeded.city)
    links = _nav(visitor.get("/"))
    assert "City dashboard" not in links and "Organisation dashboard" not in links
    assert "Our impact" in visitor.get(links["Our impact"])


def test_a_city_admin_finds_the_city_dashboard(seeded, people):
    admin = people.client(seeded.city, seeded.admin)
    page = admin.get(_nav(admin.get("/"))["City dashboard"])
    assert page.html.find("h1").text == "City dashboard"


def test_an_organiser_finds_their_organisations_dashboard(seeded, people, factories):
    staff = people.client(seeded.city, seeded.organiser_a)
    links = _nav(staff.get("/"))
    assert "City dashboard" not in links
    page = staff.get(links["Organisation dashboard"])
    assert page.html.find("h1").text == seeded.org_a.name
    # A member of several organisations is led to the list of them, each with its dashboard.
    with factories.within(seeded.city):
        factories.save(
            Membership(
                organisation_id=seeded.org_b.id, user_id=seeded.organiser_a.id, role="member"
            )
        )
    links = _nav(staff.get("/"))
    assert "Organisation dashboard" not in links
    assert links["Organisation dashboards"].endswith("/organisations/mine")


def test_learners_see_no_dashboard_and_are_refused_them(seeded, people):
    learner = people.client(seeded.city, seeded.learners[0])
    links = _nav(learner.get("/"))
    assert {"City dashboard", "Organisation dashboard", "Organisation dashboards"}.isdisjoint(links)
    learner.get("/analytics", status=403)
    learner.get("/analytics/months.csv", status=403)
    learner.get(f"/organisations/{seeded.org_a.slug}/analytics", status=403)
    # An organiser is refused the city's dashboard; an unknown organisation is not found.
    staff = people.client(seeded.city, seeded.organiser_a)
    staff.get("/analytics", status=403)
    staff.get("/organisations/nobody-here/analytics", status=404)
