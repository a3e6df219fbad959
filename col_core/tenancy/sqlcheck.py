"""Reading a statement's final SQL for the city's condition on every city-owned table.

The ORM wall (:mod:`.wall`) adds the condition through SQLAlchemy; this module checks what
SQLAlchemy actually compiled, so no query shape can carry a city-owned table past it without the
condition.  The SQL is parsed with sqlglot once per compiled shape; the verdict names the bound
parameters that must hold the session's city, which the wall compares on every execution.

A city-owned table is filtered in a SELECT (any SELECT: subqueries, CTEs, EXISTS, unions) when
one of the ANDed terms of that SELECT's WHERE is ``<table or alias>.tenant_id = <parameter>``,
or the term is in the ON clause that joins the table in (an inner join, or the outer side of a
LEFT JOIN, where the ON clause does filter it).  UPDATE and DELETE need it in their WHERE for
their target and every extra FROM/USING table; INSERT needs a ``tenant_id`` that is a parameter
(or one copied from a filtered table of its SELECT).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

DIALECTS = {"sqlite": "sqlite", "postgresql": "postgres"}
TENANT_COLUMN = "tenant_id"


@dataclass(frozen=True)
class Verdict:
    """What a statement's SQL does to city-owned tables."""

    touches: bool = False
    problems: tuple[str, ...] = ()
    # For each city-owned table: the values, one of which must be the session's city: a bound
    # parameter's name, or a city id written as a literal (an int).
    requirements: tuple[tuple[str | int, ...], ...] = ()


@dataclass
class _Findings:
    touches: bool = False
    problems: list[str] = field(default_factory=list)
    requirements: list[tuple[str | int, ...]] = field(default_factory=list)

    def found(self, *terms) -> None:
        unwrapped = [_unwrapped(term) for term in terms]
        self.requirements.append(
            tuple(
                term.name if isinstance(term, exp.Placeholder) else int(term.this)
                for term in unwrapped
            )
        )


_PYFORMAT = re.compile(r"%%|%\((\w+)\)s")
_POSTCOMPILE = re.compile(r"__\[POSTCOMPILE_(\w+)\]")


def named_placeholders(sql: str) -> str:
    """``%(name)s`` (psycopg) and ``__[POSTCOMPILE_name]`` (expanding IN) as ``:name``."""
    sql = _PYFORMAT.sub(lambda match: f":{match.group(1)}" if match.group(1) else "%", sql)
    return _POSTCOMPILE.sub(r":\1", sql)


def check(sql: str, dialect: str, tenant_tables, names_tenant_table) -> Verdict:
    """The verdict on ``sql`` (named placeholders) for the tables named in ``tenant_tables``."""
    if not names_tenant_table(sql):
        return Verdict()
    unreadable = Verdict(True, (f"SQL the tenant filter cannot read: {sql[:120]!r}",))
    try:
        tree = sqlglot.parse_one(named_placeholders(sql), read=DIALECTS.get(dialect, dialect))
    except sqlglot.errors.SqlglotError:
        return unreadable
    if tree.find(exp.Command) is not None:  # sqlglot kept it as text it did not understand
        return unreadable
    findings = _Findings()
    for node in tree.walk():
        if isinstance(node, exp.Select):
            _check_select(node, tenant_tables, findings)
        elif isinstance(node, (exp.Update, exp.Delete)):
            _check_write(node, tenant_tables, findings)
        elif isinstance(node, exp.Insert):
            _check_insert(node, tenant_tables, findings)
    return Verdict(
        findings.touches,
        tuple(dict.fromkeys(findings.problems)),
        tuple(dict.fromkeys(findings.requirements)),
    )


def _is_tenant_table(node, tenant_tables) -> bool:
    return isinstance(node, exp.Table) and node.name.lower() in tenant_tables


def _terms(condition) -> list:
    """The ANDed terms of a condition."""
    if condition is None:
        return []
    if isinstance(condition, exp.Where):
        condition = condition.this
    while isinstance(condition, exp.Paren):
        condition = condition.this
    if isinstance(condition, exp.And):
        return _terms(condition.this) + _terms(condition.expression)
    return [condition]


def _tenant_column(node, alias: str, alone: bool) -> bool:
    """``alias.tenant_id`` (or ``alias.tenant_id + 0``, an index hint; a bare ``tenant_id``
    when the table is alone in its statement)."""
    node = _unwrapped(node)
    if (
        isinstance(node, exp.Add)
        and isinstance(node.expression, exp.Literal)
        and node.expression.this == "0"
    ):
        node = node.this
    return (
        isinstance(node, exp.Column)
        and node.name.lower() == TENANT_COLUMN
        and (node.table == alias or (alone and not node.table))
    )


def _unwrapped(node):
    """``node`` without parentheses and casts (``%(p)s::INTEGER`` on PostgreSQL)."""
    while isinstance(node, (exp.Paren, exp.Cast)):
        node = node.this
    return node


def _city_value(node) -> bool:
    node = _unwrapped(node)
    return isinstance(node, exp.Placeholder) or (
        isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit()
    )


def _conditions(terms, alias: str, alone: bool) -> list:
    """The parameters (or literals) that ``terms`` bind ``alias.tenant_id`` to: each one
    alone restricts the table to that city."""
    values = []
    for term in terms:
        if isinstance(term, exp.EQ):
            for column, value in ((term.this, term.expression), (term.expression, term.this)):
                if _tenant_column(column, alias, alone) and _city_value(value):
                    values.append(value)
    return values


def _require(table, terms, findings: _Findings, alone: bool, what: str) -> None:
    findings.touches = True
    values = _conditions(terms, table.alias_or_name, alone)
    if not values:
        findings.problems.append(f"{table.name} is {what} without the city's condition")
    else:
        findings.found(*values)


def _sources(from_, joins) -> list:
    """Each table read, with the join that brought it in (None for the FROM table)."""
    sources = [(join.this, join) for join in joins]
    if from_ is not None:
        sources.insert(0, (from_.this, None))
    return sources


def _on_restricts(join) -> bool:
    """Whether the ON of the join that brought a table in restricts that table's rows."""
    return join is not None and join.side in ("", "LEFT")


def _check_select(select: exp.Select, tenant_tables, findings: _Findings) -> None:
    from_ = select.args.get("from_")
    joins = select.args.get("joins") or []
    sources = _sources(from_, joins)
    alone = len(sources) == 1
    where = _terms(select.args.get("where"))
    # A RIGHT or FULL join keeps rows of the tables before it whatever ON says: only WHERE counts.
    on_filters = not any(join.side in ("RIGHT", "FULL") for join in joins)
    for source, join in sources:
        if not _is_tenant_table(source, tenant_tables):
            continue
        terms = where
        if on_filters and _on_restricts(join):
            terms = where + _terms(join.args.get("on"))
        _require(source, terms, findings, alone, "read")


def _check_write(statement, tenant_tables, findings: _Findings) -> None:
    extra = statement.args.get("using") or []
    from_ = statement.args.get("from_")
    if from_ is not None:
        extra = [from_.this, *extra]
    tables = [statement.this, *extra]
    where = _terms(statement.args.get("where"))
    verb = "updated" if isinstance(statement, exp.Update) else "deleted from"
    for table in tables:
        if _is_tenant_table(table, tenant_tables):
            _require(
                table,
                where,
                findings,
                len(tables) == 1,
                verb if table is statement.this else "joined into a write",
            )


def _check_insert(insert: exp.Insert, tenant_tables, findings: _Findings) -> None:
    schema = insert.this
    table = schema.this if isinstance(schema, exp.Schema) else schema
    if not _is_tenant_table(table, tenant_tables):
        return
    findings.touches = True
    columns = (
        [column.name.lower() for column in schema.expressions]
        if isinstance(schema, exp.Schema)
        else []
    )
    if TENANT_COLUMN not in columns:
        findings.problems.append(f"an INSERT INTO {table.name} names no tenant_id")
        return
    position = columns.index(TENANT_COLUMN)
    source = insert.expression
    if isinstance(source, exp.Values):
        values = [row.expressions[position] for row in source.expressions]
    elif isinstance(source, exp.Select):
        values = [source.expressions[position].unalias()]
    else:
        values = [None]
    for value in values:
        if _city_value(value):
            findings.found(value)
        elif not (isinstance(source, exp.Select) and _copied_tenant(value, source, tenant_tables)):
            findings.problems.append(
                f"an INSERT INTO {table.name} takes its tenant_id from "
                f"{value.sql() if value is not None else 'elsewhere'}"
            )


def _copied_tenant(value, select: exp.Select, tenant_tables) -> bool:
    """``value`` is the tenant_id of a city-owned table that this SELECT filters (checked as
    every SELECT is)."""
    if not (isinstance(value, exp.Column) and value.name.lower() == TENANT_COLUMN):
        return False
    from_ = select.args.get("from_")
    sources = ([from_.this] if from_ is not None else []) + [
        join.this for join in select.args.get("joins") or []
    ]
    return any(
        _is_tenant_table(source, tenant_tables) and source.alias_or_name == value.table
        for source in sources
    )
