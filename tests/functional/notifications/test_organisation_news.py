"""Members' roles change on the members page, with the owner rule said in words; an
organisation's members hear of its verification, suspension and reinstatement, with the
city's reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from col_core.organisations.models import Membership

from .notifications_testing import bell, body, mail_to, rows, translated


@pytest.fixture
def city(factories):
    return factories.tenant("vilnius", name="Vilnius", locales=["en", "lt"])


@pytest.fixture
def club(people, city):
    return people.organisation(city, name="Science Club", verified_at=None)


def _membership(factories, city, organisation, user) -> Membership:
    factories.session.expire_all()
    with factories.within(city):
        return factories.session.scalar(
            select(Membership).where(
                Membership.organisation_id == organisation.id, Membership.user_id == user.id
            )
        )


def _role_url(club, membership) -> str:
    return f"/organisations/{club.slug}/members/{membership.id}/role"


def test_an_owner_makes_a_member_owner_then_steps_down(people, city, club, factories):
    owner = people.member(city, club)
    member = people.member(city, club, role="member")
    client = people.client(city, owner)
    page = client.get(f"/organisations/{club.slug}/members")
    assert "Change role" in page.text and "always keeps at least one owner" in page.text
    mine = _membership(factories, city, club, owner)
    # The only owner cannot step down: the page says how to proceed.
    refused = client.post(_role_url(club, mine), {"role": "member"}, status=400)
    assert "First make another member owner" in refused.text
    assert _membership(factories, city, club, owner).role == "owner"
    theirs = _membership(factories, city, club, member)
    done = client.post(_role_url(club, theirs), {"role": "owner"}, status=303)
    assert "is now Owner" in done.follow().text
    client.post(_role_url(club, mine), {"role": "admin"}, status=303)
    assert _membership(factories, city, club, owner).role == "admin"
    assert _membership(factories, city, club, member).role == "owner"


def test_a_member_hears_of_a_role_someone_else_gave_them(
    people, city, club, factories, outbox, registry
):
    owner = people.member(city, club)
    member = people.member(city, club, role="member", user=people.user(preferred_locale="lt"))
    client = people.client(city, owner)
    client.post(_role_url(club, _membership(factories, city, club, member)), {"role": "admin"})
    [news] = rows(factories, city, member)
    assert news.kind == "organisation" and news.url.endswith(f"/organisations/{club.slug}")
    expected = translated(
        registry, "lt", "You are now an administrator of ${name}.", name="Science Club"
    )
    assert expected != "You are now an administrator of Science Club."
    assert [m["Subject"] for m in mail_to(outbox, member)] == [expected]
    # The same role again, or one's own change, tells nobody.
    client.post(_role_url(club, _membership(factories, city, club, member)), {"role": "admin"})
    client.post(_role_url(club, _membership(factories, city, club, member)), {"role": "owner"})
    client.post(_role_url(club, _membership(factories, city, club, owner)), {"role": "admin"})
    assert len(rows(factories, city, member)) == 2 and rows(factories, city, owner) == []


def test_removing_the_only_owner_says_how_to_proceed(people, city, club, factories):
    owner = people.member(city, club)
    client = people.client(city, owner)
    mine = _membership(factories, city, club, owner)
    page = client.post(f"/organisations/{club.slug}/members/{mine.id}/remove", status=303).follow()
    assert "First make another member owner" in page.text
    assert "Make someone else owner first" not in page.text


def test_an_admin_manages_members_but_not_owners(people, city, club, factories):
    owner = people.member(city, club)
    admin = people.member(city, club, role="admin")
    member = people.member(city, club, role="member")
    client = people.client(city, admin)
    theirs = _membership(factories, city, club, member)
    client.post(_role_url(club, theirs), {"role": "admin"}, status=303)
    assert _membership(factories, city, club, member).role == "admin"
    page = client.post(_role_url(club, theirs), {"role": "owner"}, status=403)
    assert "Only an owner can make someone owner" in page.text
    owners = _membership(factories, city, club, owner)
    client.post(_role_url(club, owners), {"role": "member"}, status=403)
    assert _membership(factories, city, club, owner).role == "owner"


def test_a_plain_member_cannot_change_roles(people, city, club, factories):
    people.member(city, club)
    member = people.member(city, club, role="member")
    mine = _membership(factories, city, club, member)
    people.client(city, member).post(_role_url(club, mine), {"role": "owner"}, status=403)
    assert _membership(factories, city, club, member).role == "member"


@pytest.mark.parametrize("role", ["", "boss", "OWNER"])
def test_a_role_that_does_not_exist_is_refused(people, city, club, factories, role):
    owner = people.member(city, club)
    member = people.member(city, club, role="member")
    theirs = _membership(factories, city, club, member)
    page = people.client(city, owner).post(_role_url(club, theirs), {"role": role}, status=400)
    assert "Choose owner, admin or member." in page.text
    assert _membership(factories, city, club, member).role == "member"


def test_a_membership_of_another_organisation_is_not_found(people, city, club, factories):
    owner = people.member(city, club)
    other = people.organisation(city, name="Other")
    stranger = people.member(city, other, role="member")
    theirs = _membership(factories, city, other, stranger)
    people.client(city, owner).post(_role_url(club, theirs), {"role": "owner"}, status=404)
    assert _membership(factories, city, other, stranger).role == "member"


def test_members_hear_of_verification_and_suspension_with_the_reason(
    people, city, club, outbox, registry, factories
):
    owner = people.member(city, club, user=people.user(preferred_locale="lt"))
    member = people.member(city, club, role="member")
    admin = people.city_admin(city)
    staff = people.client(city, admin)
    staff.post(f"/organisations/{club.slug}/verify", {"reason": "Documents checked."}, status=303)
    [verified] = rows(factories, city, member)
    assert verified.kind == "organisation" and verified.url.endswith(f"/organisations/{club.slug}")
    assert "Documents checked." in people.client(city, member).get("/notifications").text
    staff.post(
        f"/organisations/{club.slug}/suspend",
        {"suspended": "1", "reason": "Unpaid venue bills."},
        status=303,
    )
    assert bell(people.client(city, member)) == 2
    subjects = [m["Subject"] for m in mail_to(outbox, member)]
    assert subjects[-1].startswith("Vilnius suspended Science Club: Unpaid venue bills.")
    # The owner reads it in Lithuanian.
    expected = translated(
        registry,
        "lt",
        "${city} suspended ${name}: ${reason} Its activities are hidden until the city "
        "reinstates it; reply to the city to settle this.",
        city="Vilnius",
        name="Science Club",
        reason="Unpaid venue bills.",
    )
    told = mail_to(outbox, owner)[-1]
    assert told["Subject"] == expected and expected in body(told)
    assert not expected.startswith("Vilnius suspended")
    staff.post(f"/organisations/{club.slug}/suspend", {"suspended": "0"}, status=303)
    assert rows(factories, city, member)[-1].message == "${city} reinstated ${name}."


def test_a_suspension_needs_its_reason(people, city, club, factories, outbox):
    member = people.member(city, club, role="member")
    staff = people.client(city, people.city_admin(city))
    page = staff.post(f"/organisations/{club.slug}/suspend", {"suspended": "1"}, status=400)
    assert "Say why in a sentence" in page.text
    page = staff.post(
        f"/organisations/{club.slug}/suspend",
        {"suspended": "1", "reason": "x" * 501},
        status=400,
    )
    assert rows(factories, city, member) == [] and mail_to(outbox, member) == []
    # Only the city's administrators suspend.
    people.client(city, member).post(
        f"/organisations/{club.slug}/suspend", {"suspended": "1", "reason": "Mine"}, status=403
    )
