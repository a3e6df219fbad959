"""A property of the ORM wall: as city A, any statement behaves as if other cities did not exist.

Every ``TenantScoped`` model gets rows in two cities.  Hypothesis builds statements over them
(joins, outer joins, ``select_from``, aliases, IN and EXISTS subqueries, scalar subqueries, CTEs,
subqueries in FROM, unions, bulk UPDATE and DELETE with such criteria), runs each as city A, and
compares with the same statement run on a copy of the data from which every other city's rows
were deleted (in a savepoint).  Equal results and row counts mean no row of city B was read,
updated or deleted; a statement the wall refuses (TenantContextError) read nothing either, and
is only allowed for Core ``Table`` references, which the wall cannot filter.

The session works as the tables' owner, so on PostgreSQL row-level security cannot hide a
failure of the wall itself.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    Integer,
    UniqueConstraint,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.orm import aliased

from col_core.db.meta import Base
from col_core.tenancy import TenantContextError, TenantScoped, cross_tenant, tenant_context
from col_core.testing.wall import owner_session

ROWS_PER_CITY = 2


def tenant_models() -> list[type]:
    return sorted(
        (
            mapper.class_
            for mapper in Base.registry.mappers
            if issubclass(mapper.class_, TenantScoped)
        ),
        key=lambda cls: cls.__name__,
    )


def _allowed_values(table) -> dict[str, str]:
    """The first value a ``column IN ('a', ...)`` check constraint allows, by column."""
    found = {}
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint):
            match = re.match(r"\s*(\w+) IN \('([^']*)'", str(constraint.sqltext))
            if match:
                found[match.group(1)] = match.group(2)
    return found


def _value(column, number: int):
    """A value of the column's type, different for every row (unique constraints) unless a
    check constraint allows only a few."""
    allowed = _allowed_values(column.table)
    if column.name in allowed:
        return allowed[column.name]
    kind = column.type
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, DateTime):
        return dt.datetime(2030, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=number)
    if isinstance(kind, Date):
        return dt.date(2030, 1, 1) + dt.timedelta(days=number)
    if isinstance(kind, Float):
        return number / 7
    if isinstance(kind, Integer):
        return number
    try:
        python_type = kind.python_type
    except NotImplementedError:
        python_type = str
    if python_type in (dict, list):
        return python_type()
    return f"v{number}"[: getattr(kind, "length", None) or 40]


def _rows_per_city(table) -> int:
    """One row where the city itself is unique (a city's search version), else a few."""
    unique = [
        set(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    unique += [set(c.name for c in index.columns) for index in table.indexes if index.unique]
    return 1 if {"tenant_id"} in unique else ROWS_PER_CITY


def _seed(session, cities) -> None:
    """ROWS_PER_CITY rows of every tenant-owned table in each city (foreign keys are not
    checked: the rows need only exist, and say whose they are)."""
    counter = itertools.count(10_000)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.set_config("session_replication_role", "replica", True)))
    else:
        session.connection().exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    with cross_tenant(session):
        for model in tenant_models():
            table = model.__table__
            rows = []
            for city in cities:
                for _ in range(_rows_per_city(table)):
                    number = next(counter)
                    rows.append(
                        {
                            column.name: city.id
                            if column.name == "tenant_id"
                            else _value(column, number)
                            for column in table.columns
                            # An integer key is numbered by the database; tenant_id in a
                            # table's key (a natural key, no id) is set like any other.
                            if column.name == "tenant_id"
                            or not (column.primary_key and isinstance(column.type, Integer))
                            and column.computed is None
                        }
                    )
            session.execute(insert(table), rows)


@pytest.fixture
def wall(registry, factories):
    city_a, city_b = factories.tenant("city-a"), factories.tenant("city-b")
    with owner_session(registry) as session:
        _seed(session, [city_a, city_b])
        with tenant_context(session, city_a):
            yield session, city_a.id, city_b.id


# -- statements -----------------------------------------------------------------------------------

MODELS = st.deferred(lambda: st.sampled_from(tenant_models()))


@st.composite
def sources(draw):
    """(FROM element, its tenant_id column, whether it is a Core table the wall refuses)."""
    model = draw(MODELS)
    form = draw(st.sampled_from(["entity", "entity", "aliased", "table"]))
    if form == "aliased":
        model = aliased(model)
    if form == "table":
        return model.__table__, model.__table__.c.tenant_id, True
    return model, model.tenant_id, False


def _base(source):
    """The table behind a model, an aliased model or a table (None for an alias)."""
    return getattr(
        source,
        "__table__",
        source if hasattr(source, "c") and not hasattr(source, "element") else None,
    )


@st.composite
def queries(draw, city_b: int, depth: int = 2):
    """(a SELECT of one column "t", whether it holds a Core table reference)."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        source, tenant, core = draw(sources())
        return select(tenant.label("t")).select_from(source), core
    shape = draw(
        st.sampled_from(
            ["join", "outer join", "in", "exists", "scalar", "cte", "subquery", "union", "count"]
        )
    )
    inner, inner_core = draw(queries(city_b, depth - 1))
    if shape in ("join", "outer join"):
        (left, left_tenant, left_core), (right, _, right_core) = draw(sources()), draw(sources())
        if _base(right) is _base(left):  # a table joined to itself needs another name
            right = right.alias() if right_core else aliased(right)
        statement = (
            select(left_tenant.label("t"))
            .select_from(left)
            .join(right, true(), isouter=shape == "outer join")
        )
        return statement.where(
            left_tenant.in_(select(inner.subquery().c.t))
        ), left_core or right_core or inner_core
    outer, outer_core = draw(queries(city_b, depth - 1))
    core = inner_core or outer_core
    rows = outer.subquery()
    found = inner.subquery()
    if shape == "in":
        return select(rows.c.t).where(literal(city_b).in_(select(found.c.t))), core
    if shape == "exists":
        return select(rows.c.t).where(exists(select(found.c.t).where(found.c.t == city_b))), core
    if shape == "scalar":
        count = select(func.count()).select_from(found).scalar_subquery()
        return select((rows.c.t + count).label("t")), core
    if shape == "cte":
        common = inner.cte()
        return select(rows.c.t).join(common, common.c.t == rows.c.t), core
    if shape == "subquery":
        return select(found.c.t).where(found.c.t.in_(select(rows.c.t))), core
    if shape == "union":
        return select(union_all(outer, inner).subquery().c.t), core
    return select(func.count().label("t")).select_from(found), core


@st.composite
def statements(draw, city_b: int):
    """(statement, what to compare: "rows" or "count", whether the wall may refuse it)."""
    kind = draw(st.sampled_from(["select", "select", "update", "delete"]))
    query, core = draw(queries(city_b))
    if kind == "select":
        return query, "rows", core
    model = draw(MODELS)
    found = query.subquery()
    criterion = draw(
        st.sampled_from(
            [
                true(),
                literal(city_b).in_(select(found.c.t)),
                exists(select(found.c.t).where(found.c.t == city_b)),
                model.tenant_id.in_(select(found.c.t)),
            ]
        )
    )
    options = {"synchronize_session": False}
    if kind == "update":
        statement = update(model).where(criterion).values(tenant_id=model.tenant_id)
    else:
        statement = delete(model).where(criterion)
    return statement.execution_options(**options), "count", core


def _outcome(session, statement, compare):
    result = session.execute(statement)
    if compare == "count":
        return result.rowcount
    return sorted(tuple(row) for row in result.all())


def _only_this_city(session, city_a: int, statement) -> None:
    """Delete every other city's rows from the tables ``statement`` names."""
    sql = str(statement.compile(session.get_bind()))
    for model in tenant_models():
        table = model.__table__
        if re.search(rf"\b{table.name}\b", sql):
            session.execute(delete(table).where(table.c.tenant_id != city_a))


def _check(session, city_a: int, statement, compare, may_refuse) -> None:
    with session.begin_nested() as savepoint:
        try:
            seen = _outcome(session, statement, compare)
        except TenantContextError:
            assert may_refuse, f"the wall refused an ORM statement:\n{statement}"
            seen = None
        savepoint.rollback()
    with cross_tenant(session), session.begin_nested() as savepoint:
        _only_this_city(session, city_a, statement)
        expected = _outcome(session, statement, compare)
        savepoint.rollback()
    if seen is not None:
        assert seen == expected, f"as city A:\n{statement}\ngave {seen}, not {expected}"


def test_every_model_alone_and_in_each_simple_shape(wall):
    """Every model once in every position, so none is left to chance."""
    session, city_a, city_b = wall
    for model in tenant_models():
        other = aliased(model)
        common = select(model.tenant_id.label("t")).cte()
        for statement, compare in [
            (
                union_all(
                    select(model.tenant_id, other.tenant_id).join(other, true(), isouter=True),
                    select(func.count(), literal(0)).select_from(model),
                ),
                "rows",
            ),
            (
                select(
                    select(func.count(model.tenant_id)).scalar_subquery(),
                    select(func.max(common.c.t)).scalar_subquery(),
                ).where(~exists().where(other.tenant_id == city_b)),
                "rows",
            ),
            (delete(model).execution_options(synchronize_session=False), "count"),
        ]:
            _check(session, city_a, statement, compare, may_refuse=False)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_statement_shape_reaches_another_city(wall, data):
    session, city_a, city_b = wall
    statement, compare, may_refuse = data.draw(statements(city_b))
    _check(session, city_a, statement, compare, may_refuse)
