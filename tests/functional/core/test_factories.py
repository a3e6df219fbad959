"""The test vocabulary's factories make real rows of the request's city, as the app would."""

from sqlalchemy import select

from col_core.activities.models import Activity, ActivitySession, Participation
from col_core.organisations.models import Membership, Organisation
from col_core.security.passwords import verify_password
from col_core.testing.people import PASSWORD


def test_factories_make_the_main_models_of_a_city(factories, people):
    city, elsewhere = factories.tenant("vilnius"), factories.tenant("kaunas")
    organisation = factories.organisation(city, "Makers")
    activity = factories.activity(city, organisation, "Soldering")
    session = factories.activity_session(city, activity)
    learner = people.user("ana@example.org")
    participation = factories.participation(city, activity, learner, status="waitlisted")
    assert {organisation.tenant_id, activity.tenant_id, session.tenant_id} == {city.id}
    assert participation.tenant_id == city.id and participation.status == "waitlisted"
    assert session.ends_at > session.starts_at and organisation.is_verified
    with factories.within(elsewhere):
        for model in (Organisation, Activity, ActivitySession, Participation):
            assert factories.session.scalars(select(model)).all() == []


def test_people_own_organisations_and_sign_in_with_the_password(people, factories):
    city = factories.tenant("vilnius")
    owner = people.user("owner@example.org")
    organisation = people.organisation(city, owner=owner, verified_at=None)
    assert not organisation.is_verified
    with factories.within(city):
        membership = factories.session.scalars(select(Membership)).one()
    assert (membership.user_id, membership.role) == (owner.id, "owner")
    assert verify_password(owner.password_hash, PASSWORD)
    assert people.city_admin(city, owner) is owner
