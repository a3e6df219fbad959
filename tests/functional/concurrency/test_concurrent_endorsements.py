"""Endorsing and awarding at the same moment through gunicorn's workers: each status list bit
is taken once, and a double click on "Endorse" gives one endorsement and a message, never a
server error (before: the second click hit the unique status index and answered 500)."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import select

from col_core.security.models import User
from col_core.testing.servers import burst
from plugins.badges.models import Assertion, Endorsement
from plugins.badges.testing import Badges

pytestmark = pytest.mark.slow


@pytest.fixture
def badges(registry, factories, city):
    return Badges(registry, factories, city)


def test_a_double_click_on_endorse_endorses_once(serve, crowd, badges, people, city, factories):
    server = serve("gunicorn")
    [owner] = crowd(server, 1)
    library = people.organisation(
        city, "City Library", owner=factories.session.get(User, owner.user_id)
    )
    class_id = badges.badge_class()
    endorse = partial(
        owner.post_form,
        f"/badges/endorsers/organisations/{library.id}/endorse",
        {"subject": f"class:{class_id}", "comment": "Their mentors are excellent."},
    )
    replies = burst([endorse] * 6)
    statuses = sorted(r.status if not isinstance(r, Exception) else repr(r) for r in replies)
    assert statuses == [303] + [400] * 5
    assert all("Withdraw that endorsement first" in r.text for r in replies if r.status == 400)
    with factories.within(city):
        assert len(factories.session.scalars(select(Endorsement)).all()) == 1


def test_awards_by_one_issuer_at_once_take_distinct_status_bits(
    serve, crowd, badges, people, city, factories
):
    server = serve("gunicorn")
    organisers = crowd(server, 4)
    for client in organisers:
        people.membership(
            city, badges.organisation, factories.session.get(User, client.user_id), role="owner"
        )
    class_id = badges.badge_class()
    issue = [
        partial(
            client.post_form,
            f"/badges/manage/{class_id}/issue",
            {"recipients": f"learner{n}@example.org", "action": "issue"},
        )
        for n, client in enumerate(organisers)
    ]
    replies = burst(issue)
    assert [r.status for r in replies] == [200] * 4, [r.text[:300] for r in replies]
    factories.session.expire_all()
    with factories.within(city):
        bits = factories.session.scalars(select(Assertion.status_index)).all()
    assert sorted(bits) == [0, 1, 2, 3]
