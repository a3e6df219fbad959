"""The ORM wall (col_core.tenancy.wall): the city's condition in every shape of statement.

Each test runs as Vilnius with rows in Vilnius and Gent, on a session that (on PostgreSQL) works
as the tables' owner, so row-level security cannot hide a failure of the wall itself.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, event, exists, func, insert, literal, select, text, union_all, update
from sqlalchemy.engine import default
from sqlalchemy.orm import aliased, joinedload, selectinload

from col_core.organisations.models import Membership, Organisation
from col_core.security.models import CityAdmin, User
from col_core.tenancy import TenantContextError, cross_tenant, tenant_context
from col_core.tenancy.wall import OPT_OUT
from col_core.testing.wall import owner_session

ORGS = Organisation.__table__
MEMBERS = Membership.__table__


@pytest.fixture
def cities(factories):
    """Vilnius and Gent, each with an organisation, a member and a city admin."""
    made = {}
    for slug in ("vilnius", "gent"):
        city = factories.tenant(slug)
        person = factories.save(User(email=f"{slug}@example.org", display_name=slug.title()))
        with factories.within(city):
            organisation = Organisation(name=f"{slug.title()} Youth", slug=f"{slug}-youth")
            organisation.memberships.append(Membership(user_id=person.id, role="owner"))
            factories.save(organisation, CityAdmin(user_id=person.id))
        made[slug] = city
    return made


@pytest.fixture
def session(registry, cities):
    with owner_session(registry) as owned:
        with tenant_context(owned, cities["vilnius"]):
            yield owned


GENT_NAMES = {"Gent Youth", "Gent", "gent@example.org"}


def names(rows) -> set:
    return {value for row in rows for value in row if isinstance(value, str)}


SHAPES = {
    "join": lambda: select(User.display_name).join(Membership, Membership.user_id == User.id),
    "outer join": lambda: (
        select(User.display_name, Organisation.name)
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
        .where(Membership.id.is_not(None))
    ),
    "relationship join": lambda: select(Organisation.name).join(Organisation.memberships),
    "select_from": lambda: (
        select(func.count(), literal("x")).select_from(CityAdmin).having(func.count() > 1)
    ),
    "IN subquery": lambda: select(User.display_name).where(User.id.in_(select(CityAdmin.user_id))),
    "EXISTS": lambda: select(User.display_name).where(
        exists().where(Membership.user_id == User.id)
    ),
    "scalar subquery": lambda: select(User.email).where(
        select(func.count(CityAdmin.id)).where(CityAdmin.user_id == User.id).scalar_subquery() > 0
    ),
    "CTE": lambda: select(User.email).join(
        (admins := select(CityAdmin.user_id).cte()), admins.c.user_id == User.id
    ),
    "subquery in FROM": lambda: select((_sub := select(Organisation).subquery()).c.name),
    "aliased": lambda: select((_other := aliased(Organisation)).name),
    "union": lambda: union_all(select(Organisation.name), select(Organisation.slug)),
    "cartesian": lambda: select(User.email).where(User.id == CityAdmin.user_id),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_reads_only_this_city(session, shape):
    rows = session.execute(SHAPES[shape]()).all()
    assert not GENT_NAMES & names(rows), rows


def test_shapes_see_this_citys_rows(session):
    """The control: the same statements do find Vilnius's rows."""
    assert names(session.execute(SHAPES["join"]()).all()) == {"Vilnius"}
    assert session.execute(SHAPES["select_from"]()).all() == []  # one admin, not two
    assert names(session.execute(SHAPES["union"]()).all()) == {"Vilnius Youth", "vilnius-youth"}


def test_eager_and_lazy_loads_stay_in_the_city(session):
    memberships = session.scalars(
        select(Membership).options(joinedload(Membership.organisation))
    ).all()
    assert {m.organisation.name for m in memberships} == {"Vilnius Youth"}
    organisations = session.scalars(
        select(Organisation).options(selectinload(Organisation.memberships))
    ).all()
    assert [len(o.memberships) for o in organisations] == [1]


def test_bulk_update_and_delete_touch_only_this_city(session, cities):
    session.execute(update(Organisation).values(description="changed"))
    session.execute(delete(CityAdmin).where(CityAdmin.user_id.in_(select(User.id))))
    session.execute(
        update(User).where(User.id.in_(select(Membership.user_id))).values(display_name="member")
    )
    with cross_tenant(session):
        descriptions = dict(
            session.execute(select(Organisation.slug, Organisation.description)).all()
        )
        admins = session.scalar(select(func.count()).select_from(CityAdmin))
    assert descriptions == {"vilnius-youth": "changed", "gent-youth": ""}
    assert admins == 1
    assert (
        session.scalar(select(User.display_name).where(User.email == "gent@example.org")) == "Gent"
    )


REFUSED = {
    "Core table": lambda: select(ORGS.c.name),
    "Core join": lambda: select(User.email).join(MEMBERS, MEMBERS.c.user_id == User.id),
    "Core subquery": lambda: select(User.email).where(User.id.in_(select(MEMBERS.c.user_id))),
    "Core count": lambda: select(func.count()).select_from(ORGS),
    "Core update": lambda: update(ORGS).values(description="x"),
    "Core delete": lambda: delete(MEMBERS),
    "UPDATE ... FROM": lambda: (
        update(User).where(User.id == Membership.user_id).values(display_name="x")
    ),
    "text": lambda: text("SELECT name FROM organisations"),
    "INSERT for another city": lambda: insert(CityAdmin).values(tenant_id=-1, user_id=1),
    "INSERT ... SELECT for another city": lambda: insert(CityAdmin).from_select(
        ["tenant_id", "user_id"], select(literal(-1), User.id)
    ),
}


@pytest.mark.parametrize("shape", sorted(REFUSED))
def test_what_the_criteria_cannot_reach_is_refused(session, shape):
    with pytest.raises(TenantContextError):
        session.execute(REFUSED[shape]())


def test_the_same_through_the_connection(session):
    """``session.connection().execute()`` bypasses the ORM, not the check."""
    connection = session.connection()
    with pytest.raises(TenantContextError):
        connection.execute(select(ORGS.c.name))
    with pytest.raises(TenantContextError):
        connection.execute(select(Organisation.name))  # no criteria: only session.execute adds
    with pytest.raises(TenantContextError):
        connection.exec_driver_sql("DELETE FROM memberships")


def test_sql_that_filters_itself_passes_and_binds_only_this_city(session, cities):
    statement = text("SELECT name FROM organisations WHERE tenant_id = :city")
    assert session.scalars(statement, {"city": cities["vilnius"].id}).all() == ["Vilnius Youth"]
    with pytest.raises(TenantContextError):
        session.scalars(statement, {"city": cities["gent"].id}).all()


def test_opt_outs_are_explicit(session):
    reviewed = select(ORGS.c.name).execution_options(**{OPT_OUT: "a test of the opt-out"})
    assert len(session.scalars(reviewed).all()) == 2
    with cross_tenant(session):
        assert len(session.scalars(select(Organisation.name)).all()) == 2


def test_no_city_in_context_fails_closed(registry, cities):
    with owner_session(registry) as session:
        for statement in (
            select(Organisation),
            select(ORGS.c.name),
            select(User).join(CityAdmin, CityAdmin.user_id == User.id),
        ):
            with pytest.raises(TenantContextError):
                session.execute(statement)
            session.rollback()


def test_the_statement_cache_still_serves_every_city(registry, cities):
    """Criteria bind the city as a parameter: one compiled form serves each city."""
    statement = select(User.email).join(CityAdmin, CityAdmin.user_id == User.id)
    hits = []
    with owner_session(registry) as session:
        engine = session.get_bind()
        event.listen(
            engine,
            "after_cursor_execute",
            lambda connection, cursor, sql, *args: (
                "city_admins" in sql and hits.append(args[1].cache_hit)
            ),
        )
        for slug in ("vilnius", "gent", "vilnius"):
            with tenant_context(session, cities[slug]):
                assert session.scalars(statement).all() == [f"{slug}@example.org"]
    assert hits[-2:] == [default.CACHE_HIT, default.CACHE_HIT]
