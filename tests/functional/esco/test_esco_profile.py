"""The learner's skills profile (finding 12), through real requests: a revoked badge's skills
leave it (unless another badge also shows them), it is private unless the learner shares it,
and each skill is listed once."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from plugins.badges.testing import badges  # noqa: F401,F811 - the fixture

LISTEN_ACTIVELY = "http://data.europa.eu/esco/skill/a17286c5-238d-4f0b-bc24-29e9121345de"
THINK_CREATIVELY = "http://data.europa.eu/esco/skill/c624c6a3-b0ba-4a31-a296-0d433fe47e41"
# ESCO names three concepts "working with computers" (skill groups in different places).
WORKING_WITH_COMPUTERS = [
    "http://data.europa.eu/esco/skill/243eb885-07c7-4b77-ab9c-827551d83dc4",
    "http://data.europa.eu/esco/skill/39499028-35bf-4d69-9275-fb98902ed88b",
    "http://data.europa.eu/esco/skill/f5328159-dfe9-4f25-b8e7-a03fb0d3a991",
]


@pytest.fixture
def city(testapp, badges):
    return testapp.for_tenant(badges.tenant)


@pytest.fixture
def learner(esco, badges):
    esco.load("v1.1.1/en")
    return badges.user("ana@example.org")


def _badge(badges, *uris, name="Skilled"):
    return badges.badge_class(name=name, skills=[{"uri": uri, "label": ""} for uri in uris])


def _skills(page) -> list[str]:
    section = page.html.find("section", attrs={"aria-label": "Skills"})
    return [] if section is None else sorted(a.text for a in section.select("ul.esco-profile li a"))


def _share(browser, shared: bool):
    form = next(f for f in browser.get("/account").forms.values() if "profile_public" in f.fields)
    form["profile_public"] = shared
    form.submit(status=303)


def test_a_revoked_badge_takes_away_only_the_skills_no_other_badge_shows(
    badges, city, learner, testapp
):
    kept = badges.issue(_badge(badges, LISTEN_ACTIVELY, name="Listening"), user=learner)
    revoked = badges.issue(
        _badge(badges, LISTEN_ACTIVELY, THINK_CREATIVELY, name="Ideas"), user=learner
    )
    me = testapp.for_tenant(badges.tenant)
    badges.sign_in(me, "ana@example.org")
    assert _skills(me.get(f"/people/{learner.id}")) == ["listen actively", "think creatively"]
    organiser = testapp.for_tenant(badges.tenant)
    badges.organiser(organiser)
    class_id = badges.assertion(revoked).badge_class_id
    form = organiser.get(f"/badges/manage/{class_id}/issue").forms[f"revoke-{revoked}"]
    form["reason"] = "awarded by mistake"
    form.submit(status=303)
    assert _skills(me.get(f"/people/{learner.id}")) == ["listen actively"]
    assert badges.assertion(kept).revoked_at is None


def test_the_profile_is_private_until_the_learner_shares_it(badges, city, learner, testapp):
    badges.issue(_badge(badges, LISTEN_ACTIVELY), user=learner)
    path = f"/people/{learner.id}"
    city.get(path, status=404)  # anyone, signed out
    badges.user("bob@example.org")
    bob = testapp.for_tenant(badges.tenant)
    badges.sign_in(bob, "bob@example.org")
    bob.get(path, status=404)  # another learner
    me = testapp.for_tenant(badges.tenant)
    badges.sign_in(me, "ana@example.org")
    own = me.get(path)
    assert "Only you can see this page" in own and _skills(own) == ["listen actively"]
    _share(me, True)
    public = city.get(path)
    assert "Ana" in public and _skills(public) == ["listen actively"]
    assert _skills(bob.get(path)) == ["listen actively"]
    _share(me, False)
    city.get(path, status=404)
    bob.get(path, status=404)


def test_a_minors_shared_profile_shows_others_only_the_first_name(badges, city, esco, testapp):
    esco.load("v1.1.1/en")
    young = badges.user(
        "young@example.org",
        display_name="Young Person",
        birth_date=dt.date.today().replace(year=dt.date.today().year - 14),
        guardian_email="mum@example.org",
        guardian_consent_at=dt.datetime.now(),
    )
    badges.issue(_badge(badges, LISTEN_ACTIVELY), user=young)
    me = testapp.for_tenant(badges.tenant)
    badges.sign_in(me, "young@example.org")
    _share(me, True)
    own = me.get(f"/people/{young.id}")
    assert "others see only your first name" in own and _skills(own) == ["listen actively"]
    public = city.get(f"/people/{young.id}")
    assert "Young" in public and "Person" not in public and _skills(public) == []


def test_each_skill_is_listed_once(badges, city, learner, testapp):
    badges.issue(
        _badge(badges, *WORKING_WITH_COMPUTERS[:2], LISTEN_ACTIVELY, name="One"), user=learner
    )
    badges.issue(
        _badge(badges, WORKING_WITH_COMPUTERS[2], LISTEN_ACTIVELY, name="Two"), user=learner
    )
    me = testapp.for_tenant(badges.tenant)
    badges.sign_in(me, "ana@example.org")
    page = me.get(f"/people/{learner.id}")
    assert _skills(page) == ["listen actively", "working with computers"]
    assert len(re.findall(r">working with computers</a>", page.text)) == 1


def test_city_admins_list_links_only_shared_profiles(badges, city, learner, testapp):
    badges.member(learner, role="member")
    admin = testapp.for_tenant(badges.tenant)
    from col_core.security.models import CityAdmin

    staff = badges.user("staff@example.org")
    with badges.factories.within(badges.tenant):
        badges.factories.save(CityAdmin(user_id=staff.id))
    badges.sign_in(admin, "staff@example.org")
    assert f"/people/{learner.id}" not in admin.get("/admin/people")
