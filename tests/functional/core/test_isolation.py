"""Central tenant isolation: the ORM filter, stamping, and failing closed without a tenant."""

import pytest
from sqlalchemy import func, select, update

from col_core.organisations.models import Organisation
from col_core.tenancy import TenantContextError, cross_tenant, tenant_context


@pytest.fixture
def two_cities(factories):
    vilnius = factories.tenant("vilnius")
    gent = factories.tenant("gent")
    with factories.within(vilnius):
        factories.save(Organisation(name="Vilnius Youth", slug="vilnius-youth"))
    with factories.within(gent):
        factories.save(Organisation(name="Gent Library", slug="gent-library"))
    return vilnius, gent


def test_query_sees_only_the_current_tenant(factories, two_cities):
    vilnius, gent = two_cities
    session = factories.session
    with tenant_context(session, vilnius):
        names = session.scalars(select(Organisation.name)).all()
    assert names == ["Vilnius Youth"]


def test_get_by_primary_key_of_another_tenant_finds_nothing(factories, two_cities):
    vilnius, gent = two_cities
    session = factories.session
    with tenant_context(session, gent):
        gent_id = session.scalar(select(Organisation.id))
    session.expunge_all()
    with tenant_context(session, vilnius):
        assert session.scalar(select(Organisation).where(Organisation.id == gent_id)) is None


def test_aggregates_are_filtered_too(factories, two_cities):
    vilnius, _ = two_cities
    with tenant_context(factories.session, vilnius):
        assert factories.session.scalar(select(func.count(Organisation.id))) == 1


def test_bulk_update_cannot_touch_another_tenant(factories, two_cities):
    vilnius, gent = two_cities
    session = factories.session
    with tenant_context(session, vilnius):
        session.execute(update(Organisation).values(description="changed"))
        session.commit()
    with cross_tenant(session):
        rows = dict(session.execute(select(Organisation.name, Organisation.description)).all())
    assert rows == {"Vilnius Youth": "changed", "Gent Library": ""}


def test_query_without_tenant_raises(factories, two_cities):
    with pytest.raises(TenantContextError):
        factories.session.scalars(select(Organisation)).all()


def test_cross_tenant_is_explicit_and_sees_everything(factories, two_cities):
    with cross_tenant(factories.session):
        names = sorted(factories.session.scalars(select(Organisation.name)))
    assert names == ["Gent Library", "Vilnius Youth"]


def test_new_rows_are_stamped_with_the_tenant(factories, two_cities):
    vilnius, _ = two_cities
    with factories.within(vilnius):
        organisation = factories.save(Organisation(name="New", slug="new"))
    assert organisation.tenant_id == vilnius.id


def test_new_row_without_tenant_refused(factories):
    factories.session.add(Organisation(name="Nowhere", slug="nowhere"))
    with pytest.raises(TenantContextError):
        factories.session.flush()


def test_new_row_for_another_tenant_refused(factories, two_cities):
    vilnius, gent = two_cities
    with factories.within(vilnius):
        factories.session.add(Organisation(name="Smuggled", slug="smuggled", tenant_id=gent.id))
        with pytest.raises(TenantContextError):
            factories.session.flush()
        factories.session.rollback()  # as a request's transaction would be


def test_changes_made_in_a_tenant_context_are_written_as_that_tenant(factories, two_cities):
    vilnius, _ = two_cities
    session = factories.session
    with tenant_context(session, vilnius):
        organisation = session.scalar(select(Organisation))
        organisation.description = "edited as Vilnius"
    # Left the context before committing: the change was already written as Vilnius.
    session.commit()
    with cross_tenant(session):
        assert (
            session.scalar(
                select(Organisation.description).where(Organisation.name == "Vilnius Youth")
            )
            == "edited as Vilnius"
        )


def test_relationship_loads_stay_in_tenant(factories, two_cities):
    vilnius, _ = two_cities
    with factories.within(vilnius):
        organisation = factories.session.scalar(select(Organisation))
        assert organisation.memberships == []
