"""Migrations: one alembic lineage per package (``col_core`` and each plugin), one command.

``col db upgrade`` upgrades every lineage to its head, then (on PostgreSQL) makes sure every
tenant-owned table and every global table of people's data has its row-level security policy,
stores the key that binds transactions to a city (derived from ``col.secret``), and gives the
application role its privileges.  The policies are derived from the models, so no plugin can
forget one.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from col_core.db.meta import Base, metadata
from col_core.tenancy import rls

CORE_VERSIONS = str(Path(__file__).parent / "migrations" / "versions")


def load_models(plugins=None) -> None:
    """Import every model module so the one MetaData knows every table."""
    importlib.import_module("col_core.models")
    for plugin in plugins.plugins.values() if plugins else ():
        try:
            importlib.import_module(f"{plugin.package.__name__}.models")
        except ModuleNotFoundError as error:
            if error.name != f"{plugin.package.__name__}.models":
                raise


_loaded_plugins = {"registry": None}


def target_metadata():
    load_models(_loaded_plugins["registry"])
    return metadata


def table_owners(plugins=None) -> dict[str, str]:
    """Table name -> the package that owns it ("col_core" or a plugin name), from the models."""
    owners = {}
    for mapper in Base.registry.mappers:
        owner = plugins.owner_of(mapper.class_.__module__) if plugins else None
        for table in mapper.tables:
            owners[table.name] = owner or "col_core"
    return owners


def include_object(plugin_filter: str | None):
    """When generating a revision for one package, compare only that package's tables."""
    owners = table_owners(_loaded_plugins["registry"]) if plugin_filter else {}

    def include(obj, name, type_, reflected, compare_to):
        if type_ == "table" and name in ("alembic_version", rls.KEY_TABLE):
            return False
        # Database-maintained structures (FTS5 and R*Tree tables, generated search columns and
        # their indexes, SQLite's indexes beside the cities' keys: col_core/db/city_keys.py)
        # are created by hand in migrations and named idx_*: leave them alone.
        if reflected and compare_to is None and (name or "").startswith("idx_"):
            return False
        if plugin_filter is None or type_ != "table":
            return True
        return owners.get(name, "col_core") == plugin_filter

    return include


def alembic_config(
    connection: Connection, plugins=None, plugin_filter: str | None = None
) -> Config:
    _loaded_plugins["registry"] = plugins
    locations = [CORE_VERSIONS]
    if plugins is not None:
        locations = sorted({*locations, *(path for path in plugins.hook.col_migrations() if path)})
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    config.attributes["connection"] = connection
    config.attributes["plugin_filter"] = plugin_filter
    return config


class MigrationError(RuntimeError):
    """A migration would leave the database inconsistent; nothing of it was committed."""


@contextlib.contextmanager
def sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's procedure for changing a table's constraints (sqlite.org/lang_altertable.html,
    "Making Other Kinds Of Table Schema Changes"), which Alembic's batch mode follows by copying
    the table: foreign keys off, so that dropping the old copy of a table others refer to does
    not delete their rows (ON DELETE CASCADE); then ``PRAGMA foreign_key_check`` before the
    commit, and foreign keys on again.  The pragma only takes effect outside a transaction, so
    the connection must not have written yet; the migrations are committed here."""
    if connection.dialect.name != "sqlite":
        yield
        return
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None  # a live connection always has its DB-API connection
    if dbapi_connection.in_transaction:
        raise MigrationError("Migrate SQLite on a connection that has not written anything yet.")
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise MigrationError(
                "The migration would leave rows pointing at rows that do not exist"
                f" (table, row, referred table): {sorted({row[:3] for row in broken})[:10]}"
            )
        dbapi_connection.commit()
    except BaseException:
        dbapi_connection.rollback()
        raise
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def upgrade(connection: Connection, plugins=None, role: str = "", secret: str = "") -> None:
    with sqlite_foreign_keys_off(connection):
        command.upgrade(alembic_config(connection, plugins), "heads")
    if connection.dialect.name == "postgresql":
        load_models(plugins)
        existing = set(inspect(connection).get_table_names())
        # A model without its migration is reported by `col db check`, not here.
        city_tables = {*rls.tenant_tables(Base), *rls.PUBLIC_READ}
        for table in sorted(name for name in city_tables if name in existing):
            for statement in rls.enable_statements(table):
                connection.execute(text(statement))
        for statement in rls.people_statements(Base, existing):
            connection.execute(text(statement))
        if secret:
            for statement, parameters in rls.store_key_statements(rls.derive_key(secret)):
                connection.execute(text(statement), parameters)
        if role:
            for statement in rls.grant_statements(role):
                connection.execute(text(statement))


def downgrade(connection: Connection, revision: str, plugins=None) -> None:
    """Go back to ``revision``.  The accounts' policy names every city table that refers to a
    person, so it goes first (a table it names could not be dropped); ``upgrade`` derives it
    again from the models."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(rls.drop_people_policy_statement()))
    with sqlite_foreign_keys_off(connection):
        command.downgrade(alembic_config(connection, plugins), revision)


def differences(connection: Connection, plugins=None) -> list:
    """What autogenerate would change: empty when models and migrations agree."""
    load_models(plugins)
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object(None)}
    )
    return compare_metadata(context, metadata)


def revision(connection: Connection, plugins, package: str, message: str) -> None:
    """Autogenerate a revision for ``package`` (``col_core`` or a plugin name) on its lineage."""
    config = alembic_config(connection, plugins, plugin_filter=package)
    labels = {
        label
        for script in ScriptDirectory.from_config(config).walk_revisions()
        for label in script.branch_labels
    }
    if package in labels:
        kwargs: dict[str, Any] = {"head": f"{package}@head"}
    else:
        version_path = (
            CORE_VERSIONS
            if package == "col_core"
            else plugins.plugins[package].hooks.col_migrations()
        )
        Path(version_path).mkdir(parents=True, exist_ok=True)
        # A new lineage's tables refer to the core's (tenants, users): it comes after them.
        core_head = ScriptDirectory.from_config(config).get_revision("col_core@head")
        kwargs = {
            "head": "base",
            "branch_label": package,
            "version_path": version_path,
            "depends_on": core_head.revision,
        }
    command.revision(config, message=message, autogenerate=True, **kwargs)
