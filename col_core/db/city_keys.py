"""Primary keys ``(tenant_id, id)`` (a city's rows, ready for Citus) on SQLite too.

PostgreSQL takes the composite key as it is, ``id`` numbered by its sequence.  SQLite numbers
only a single-column ``INTEGER PRIMARY KEY`` (the rowid), so there the key is rendered as
``PRIMARY KEY (id)`` (unique on its own, hence per city as well) and a unique index on
``(tenant_id, id)`` is added beside it, the target a composite foreign key needs.  The index is
named ``idx_*``, the database-specific structures migrations make by hand and ``col db check``
leaves alone (:func:`col_core.db.migrate.include_object`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import ForeignKeyConstraint, PrimaryKeyConstraint, Table, event, inspect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn

CITY_KEY = ["tenant_id", "id"]


def city_reference(table: str, column: str, target: str, **options) -> ForeignKeyConstraint:
    """``(tenant_id, column) REFERENCES target (tenant_id, id)``, for a model's
    ``__table_args__``: a city's row may point only at a row of the same city, and Citus keeps
    both on one node.  Named as the single-column key it replaces (``fk_<table>_<column>_<target>``),
    so migrations drop and make it by one name on both databases."""
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.id"],
        name=f"fk_{table}_{column}_{target}",
        **options,
    )


def city_join(reference: str, target: str) -> str:
    """The ``primaryjoin`` of a relationship along a :func:`city_reference`, either way round:
    ``reference`` the referring column (``"Membership.organisation_id"``), ``target`` the class
    it refers to (``"Organisation"``).  Only the id column is ``foreign()`` (SQLAlchemy's
    "Overlapping Foreign Keys" recipe): several relationships of a row would otherwise each
    write its ``tenant_id``, which the tenancy flush hook stamps.  A reference within one class
    needs ``remote()`` as well, which this does not say."""
    model = reference.split(".")[0]
    return f"and_({model}.tenant_id == {target}.tenant_id, foreign({reference}) == {target}.id)"


def reference_as_keyed(op, table: str, column: str, target: str, **options):
    """For a ``create_table`` in a migration older than the city keys, the reference from
    ``table.column`` to a table of another package: :func:`city_reference` when ``target`` is
    already keyed by city in this database (a plugin installed after the core's keying), the
    single-column key otherwise (``target``'s keying migration converts it later)."""
    found = inspect(op.get_bind())
    if op.get_bind().dialect.name == "sqlite":
        keyed = any(
            index["name"] == f"idx_{target}_city_key" for index in found.get_indexes(target)
        )
    else:
        keyed = found.get_pk_constraint(target)["constrained_columns"] == CITY_KEY
    if keyed:
        return city_reference(table, column, target, **options)
    return ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", **options
    )


def is_city_key(table: Table) -> bool:
    return [column.name for column in table.primary_key.columns] == CITY_KEY


def sqlite_key_index(table_name: str) -> str:
    """The statement that makes the index (migrations run it for tables they convert)."""
    return f"CREATE UNIQUE INDEX idx_{table_name}_city_key ON {table_name} (tenant_id, id)"


@compiles(PrimaryKeyConstraint)
def _city_primary_key(constraint, compiler, **kw) -> str:
    """``PRIMARY KEY (tenant_id, id)`` in that order (SQLAlchemy would put the numbered column
    first), ``(id)`` on SQLite."""
    table = constraint.table
    if table is None or not is_city_key(table):
        return compiler.visit_primary_key_constraint(constraint, **kw)
    name = _constraint_name(constraint, compiler)
    columns = _key_columns(compiler.dialect.name)
    return f"{name}PRIMARY KEY ({columns})"


def _key_columns(dialect: str) -> str:
    if dialect == "sqlite":
        return "id"
    return ", ".join(CITY_KEY)


def _constraint_name(constraint, compiler) -> str:
    if not constraint.name:
        return ""
    return f"CONSTRAINT {compiler.preparer.format_constraint(constraint)} "


@compiles(CreateColumn, "sqlite")
def _sqlite_city_id(create, compiler, **kw) -> str:
    """SQLite refuses a numbered column in a composite key: ``id`` is an ``INTEGER`` column
    that ``PRIMARY KEY (id)`` makes the rowid."""
    column = create.element
    if column.name == "id" and column.table is not None and is_city_key(column.table):
        return f"{compiler.preparer.format_column(column)} INTEGER NOT NULL"
    return compiler.visit_create_column(create, **kw)


@event.listens_for(Table, "after_create")
def _sqlite_key_index(table: Table, connection, **kw) -> None:
    if connection.dialect.name == "sqlite" and is_city_key(table):
        connection.exec_driver_sql(sqlite_key_index(table.name))


def rekey(op, tables, columns: list[str]) -> None:
    """For migrations: make ``columns`` (``CITY_KEY`` or ``["id"]``, back) the primary key of
    ``tables``.  On SQLite the key stays ``(id)`` and only the index beside it comes or goes:
    no table is copied, so no ``ON DELETE CASCADE`` can take rows of the tables that refer to
    it."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in tables:
        if sqlite and columns == CITY_KEY:
            op.execute(sqlite_key_index(table))
        elif sqlite:
            op.execute(f"DROP INDEX idx_{table}_city_key")
        else:
            op.drop_constraint(f"pk_{table}", table, type_="primary")
            op.create_primary_key(f"pk_{table}", table, columns)


def rekey_with_references(op, tables, columns: list[str]) -> None:
    """For migrations: :func:`rekey` ``tables`` to ``columns`` (``CITY_KEY``, or ``["id"]`` to
    go back) together with every foreign key in the database that points at one of them,
    whichever package owns the referring table: ``(x_id) REFERENCES t (id)`` becomes
    ``(tenant_id, x_id) REFERENCES t (tenant_id, id)`` (or back), keeping its name and its
    ``ON DELETE``.  So each package's migration converts the keys pointing at its own tables and
    the order of the packages' migrations does not matter.

    PostgreSQL refuses to drop a primary key that foreign keys rely on, so those go first and
    come back after.  SQLite changes a foreign key only by copying the referring table (Alembic's
    batch mode, with foreign keys off: :func:`col_core.db.migrate.sqlite_foreign_keys_off`),
    after the index a composite key points at exists, or before it goes."""
    forward = columns == CITY_KEY
    bind = op.get_bind()
    references = _references(bind, set(tables), ["id"] if forward else CITY_KEY)
    if bind.dialect.name != "sqlite":
        for table, key in references:
            op.drop_constraint(key["name"], table, type_="foreignkey")
        rekey(op, tables, columns)
        for table, key in references:
            _create_reference(op, table, key, forward)
        return
    if forward:
        rekey(op, tables, columns)
    for table in dict.fromkeys(table for table, _key in references):
        with _sqlite_copy(op, bind, table) as batch:
            for referring, key in references:
                if referring == table:
                    batch.drop_constraint(key["name"], type_="foreignkey")
                    _create_reference(batch, None, key, forward)
    if not forward:
        rekey(op, tables, columns)


def _references(bind, tables: set[str], referred_columns: list[str]) -> list[tuple[str, dict]]:
    found = inspect(bind)
    references = [
        (table, key)
        for table in found.get_table_names()
        for key in found.get_foreign_keys(table)
        if key["referred_table"] in tables and key["referred_columns"] == referred_columns
    ]
    for table, key in references:
        if not key["name"]:
            raise ValueError(f"{table}: an unnamed foreign key to {key['referred_table']}")
        if (key["options"].get("ondelete") or "").upper() == "SET NULL":
            # As a composite key SET NULL would empty tenant_id as well.
            raise ValueError(f"{key['name']}: convert an ON DELETE SET NULL key by hand first")
    return references


def _create_reference(op, table: str | None, key: dict, forward: bool) -> None:
    """``key`` again, with tenant_id added to both sides (``forward``) or taken off them."""
    local, remote = key["constrained_columns"], key["referred_columns"]
    if forward:
        local, remote = ["tenant_id", *local], CITY_KEY
    else:
        local, remote = [c for c in local if c != "tenant_id"], ["id"]
    arguments = [key["name"], table] if table else [key["name"]]
    op.create_foreign_key(
        *arguments, key["referred_table"], local, remote, ondelete=key["options"].get("ondelete")
    )


@contextlib.contextmanager
def _sqlite_copy(op, bind, table: str) -> Iterator:
    """Alembic's batch copy of ``table``, which rebuilds the indexes it can reflect: the others
    (on expressions) and the table's triggers are made again from their saved statements."""
    saved = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master"
        " WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    with op.batch_alter_table(table, recreate="always") as batch:
        yield batch
    kept = {
        name
        for (name,) in bind.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE tbl_name = ?", (table,)
        )
    }
    for name, statement in saved:
        if name not in kept:
            bind.exec_driver_sql(statement)
