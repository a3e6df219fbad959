"""The ORM wall: every statement that touches a city-owned table carries the city's condition.

Two steps, for every statement a session runs while it works for a city:

1. **Add** (``do_orm_execute``): every statement run through ``session.execute()`` gets
   ``with_loader_criteria(TenantScoped, tenant_id == <city>)``.  SQLAlchemy renders it wherever
   an ORM entity (a mapped class, an ``aliased()`` one, a relationship, an eager load) appears:
   in the columns, joins (in the ON clause of an outer join), ``select_from``, subqueries, CTEs,
   EXISTS, scalar subqueries, unions, the criteria of bulk UPDATE and DELETE and the SELECT of
   ``insert().from_select()``.
2. **Check** (``before_cursor_execute`` on the session's connection, for ``session.execute()``
   and ``session.connection().execute()`` alike): the compiled SQL is read
   (:mod:`.sqlcheck`, once per compiled shape) and must give every city-owned table it reads or
   writes the condition ``tenant_id = <parameter>``, and each such parameter must hold the
   session's city.  What the criteria cannot reach (a Core ``Table``, ``text()``, the extra
   table of a multi-table UPDATE, an INSERT for another city) fails here with
   :class:`TenantContextError`, before it reaches the database.  So does driver SQL
   (``exec_driver_sql``) that names a city-owned table.

Two opt-outs, both easy to grep for: :func:`~col_core.tenancy.scoping.cross_tenant` for code
that works across cities, and the execution option ``filters_tenant_itself="<why>"`` on a
statement whose code filters by city itself in a way the check does not read (the search
backend's statements, built once per shape with their own tuned condition).  docs/security.md
lists who uses them.  Connections that no session opened (migrations, ``col db``, the test
database's setup) are operator tools and are not checked.  Nor are the unit of work's own writes
by primary key, covered by stamping (:func:`.scoping._stamp_tenant`), and refreshes by primary
key of rows the session already holds.
"""

from __future__ import annotations

import re
import weakref

from sqlalchemy import bindparam, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import LoaderCriteriaOption, Session, with_loader_criteria
from sqlalchemy.sql import visitors
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import BindParameter

from col_core.tenancy import sqlcheck
from col_core.tenancy.scoping import (
    TenantContextError,
    TenantScoped,
    current_tenant_id,
    is_cross_tenant,
)

OPT_OUT = "filters_tenant_itself"
_SESSION = "col.tenant_session"  # a connection's execution option: the session that opened it

_TENANT_TABLES: set[str] = set()
_NAMES_IN_SQL: list[re.Pattern] = []
_VERDICTS: dict[tuple[str, str], sqlcheck.Verdict] = {}
MAX_VERDICTS = 4096


@event.listens_for(TenantScoped, "after_mapper_constructed", propagate=True)
def _register_tenant_tables(mapper, class_) -> None:
    """Every TenantScoped model's tables, and the index tables it declares as its copies."""
    _TENANT_TABLES.update(table.name for table in mapper.tables)
    _TENANT_TABLES.update(getattr(class_, "__tenant_shadow_tables__", ()))
    _NAMES_IN_SQL[:] = [_any_of_names(_TENANT_TABLES)]
    _VERDICTS.clear()


def _any_of_names(names) -> re.Pattern:
    """One of the table ``names``, quoted or not, that is not part of a longer identifier."""
    any_name = "|".join(sorted(re.escape(name) for name in names))
    return re.compile(rf"(?<![\w$])\"?(?:{any_name})\"?(?![\w$])", re.IGNORECASE)


def tenant_tables() -> frozenset[str]:
    """Names of the tables that hold city-owned rows."""
    return frozenset(_TENANT_TABLES)


def names_tenant_table(sql: str) -> bool:
    """Whether SQL text mentions a city-owned table."""
    return bool(_NAMES_IN_SQL) and _NAMES_IN_SQL[0].search(sql) is not None


# -- 1. adding the criteria ---------------------------------------------------------------------


# The city is a named parameter the listener supplies, so the option is one object for every
# city: statements keep one cache key (and compiled form) for all cities, and adding the option
# costs no lambda analysis per statement.
TENANT_PARAMETER = "col_wall_tenant"
_TENANT: BindParameter[int] = bindparam(TENANT_PARAMETER)
_CRITERIA = with_loader_criteria(
    TenantScoped,
    lambda cls: cls.tenant_id == _TENANT,
    include_aliases=True,
    track_closure_variables=False,
)
_EAGER = ("joined", "selectin", "subquery", "immediate")
_EAGER_TO_TENANT_ROWS: dict = {}


def _loads_tenant_rows_eagerly(mapper) -> bool:
    """Whether loading ``mapper`` loads a city-owned relationship by default."""
    found = _EAGER_TO_TENANT_ROWS.get(mapper)
    if found is None:
        found = _EAGER_TO_TENANT_ROWS[mapper] = any(
            relationship.lazy in _EAGER and issubclass(relationship.mapper.class_, TenantScoped)
            for relationship in mapper.relationships
        )
    return found


_SHAPES_WITH_TENANT_ROWS: dict = {}
MAX_SHAPES = 4096


def _may_touch_tenant_rows(execute_state) -> bool:
    """A generous look, remembered per statement shape: a city-owned model or table anywhere in
    the statement, a loader option, or an eager relationship.  (Were one missed, the check
    below would refuse the statement.)"""
    statement = execute_state.statement
    if statement._with_options or any(
        issubclass(mapper.class_, TenantScoped) or _loads_tenant_rows_eagerly(mapper)
        for mapper in execute_state.all_mappers
    ):
        return True
    # SQLAlchemy memoizes the cache key on the statement and needs it anyway to find the
    # compiled form, so the walk below runs once per shape.
    cache_key = statement._generate_cache_key()
    if cache_key is None:
        return _names_tenant_rows(statement)
    found = _SHAPES_WITH_TENANT_ROWS.get(cache_key.key)
    if found is None:
        if len(_SHAPES_WITH_TENANT_ROWS) >= MAX_SHAPES:
            _SHAPES_WITH_TENANT_ROWS.clear()
        found = _SHAPES_WITH_TENANT_ROWS[cache_key.key] = _names_tenant_rows(statement)
    return found


def _names_tenant_rows(statement) -> bool:
    for element in visitors.iterate(statement):
        mapper = (
            element._annotations.get("parentmapper") if hasattr(element, "_annotations") else None
        )
        if mapper is not None and issubclass(mapper.class_, TenantScoped):
            return True
        if getattr(element, "name", None) in _TENANT_TABLES and hasattr(element, "c"):
            return True
    return False


def _criteria_with_value(tenant_id: int) -> LoaderCriteriaOption:
    """For statements whose parameters are rows (an INSERT, executemany): the city as a
    closure variable, which SQLAlchemy also binds as a parameter."""
    return with_loader_criteria(
        TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
    )


def _criteria_in(statement) -> LoaderCriteriaOption | None:
    """Relationship loads carry the criteria of the statement that loaded their parent."""
    for option in statement._with_options:
        if isinstance(option, LoaderCriteriaOption) and option.root_entity is TenantScoped:
            return option
    return None


def _add_criteria(execute_state) -> None:
    session = execute_state.session
    tenant_id = current_tenant_id(session)
    statement = execute_state.statement
    if not hasattr(statement, "_with_options"):
        return  # text() and other statements without ORM options
    criteria = _criteria_in(statement)
    if criteria is None:
        if (
            tenant_id is None
            or is_cross_tenant(session)
            or execute_state.execution_options.get(OPT_OUT)
            or not _may_touch_tenant_rows(execute_state)
        ):
            return
        rows = isinstance(statement, Insert) or isinstance(execute_state.parameters, (list, tuple))
        criteria = _criteria_with_value(tenant_id) if rows else _CRITERIA
        execute_state.statement = statement.options(criteria)
    if criteria is _CRITERIA:
        # (A lazy load under cross_tenant() of a row loaded earlier is filtered to the current
        # city, or finds nothing without one: failing closed.)
        execute_state.parameters = {**(execute_state.parameters or {}), TENANT_PARAMETER: tenant_id}


# -- 2. checking the SQL ------------------------------------------------------------------------


def _remember_session(session: Session, transaction, connection) -> None:
    connection.execution_options(**{_SESSION: weakref.ref(session)})


def _session_to_check(options) -> Session | None:
    """The session whose statement this is, unless the statement is not to be checked."""
    reference = options.get(_SESSION)
    session = reference() if reference is not None else None
    if session is None or options.get(OPT_OUT) or is_cross_tenant(session):
        return None
    # The unit of work writes rows by primary key with the mapper's compiled cache; those rows
    # were stamped and checked before the flush.
    if session._flushing and "compiled_cache" in options:
        return None
    # A refresh reloads, by primary key, a row the session already holds (loaded through this
    # wall, or deliberately under cross_tenant()); SQLAlchemy adds no criteria to it.
    load_options = options.get("_sa_orm_load_options")
    if load_options is not None and load_options._refresh_state is not None:
        return None
    return session


def verdict(compiled) -> sqlcheck.Verdict:
    """The (cached) verdict on a compiled statement's SQL."""
    key = (compiled.dialect.name, compiled.string)
    found = _VERDICTS.get(key)
    if found is None:
        if len(_VERDICTS) >= MAX_VERDICTS:
            _VERDICTS.clear()
        found = _VERDICTS[key] = sqlcheck.check(
            compiled.string, compiled.dialect.name, _TENANT_TABLES, names_tenant_table
        )
    return found


def _check_sql(connection, cursor, statement, parameters, context, executemany) -> None:
    if context is None:
        return
    session = _session_to_check(context.execution_options)
    if session is None:
        return
    compiled = context.compiled
    if compiled is None:  # driver SQL: nothing to read it with but its words
        if names_tenant_table(statement):
            raise TenantContextError(
                f"Driver SQL that names a city-owned table cannot be checked: {statement[:120]!r}."
                f" Use the ORM models, or mark reviewed code with execution_options({OPT_OUT}="
                "'why')."
            )
        return
    found = verdict(compiled)
    if not found.touches:
        return
    tenant_id = current_tenant_id(session)
    if tenant_id is None:
        raise TenantContextError(
            "A city-owned table was queried with no tenant in context; "
            "use tenant_context() or, deliberately, cross_tenant()."
        )
    if found.problems:
        raise TenantContextError(
            "; ".join(found.problems) + ". Use the ORM models (the tenant filter reaches them "
            f"in every part of a statement), or mark reviewed code that filters by city itself "
            f"with execution_options({OPT_OUT}='why')."
        )
    escaped = {name: key for key, name in (compiled.escaped_bind_names or {}).items()}
    for values in context.compiled_parameters:
        for alternatives in found.requirements:
            if not any(
                (values.get(escaped.get(value, value)) if isinstance(value, str) else value)
                == tenant_id
                for value in alternatives
            ):
                raise TenantContextError(
                    f"A statement reads or writes a city other than this session's ({tenant_id})."
                )


def attach_listeners() -> None:
    """The wall on every session and engine of the process (called by ``col_core.tenancy``'s
    includeme): criteria added to each statement, then its SQL checked before it is sent."""
    from col_core.db import listen

    listen(Session, "do_orm_execute", _add_criteria)
    listen(Session, "after_begin", _remember_session)
    listen(Engine, "before_cursor_execute", _check_sql)
