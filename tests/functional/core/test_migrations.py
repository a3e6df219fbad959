"""Migrations: every lineage upgrades from empty, has one head, and agrees with the models."""

from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from col_core.db import make_engine, metadata, migrate
from col_core.testing.database import TestDatabase


def test_upgrade_from_empty_creates_every_table(registry, tmp_path, col_database):
    fresh = TestDatabase(
        col_database.admin_url and col_database.admin_url.render_as_string(hide_password=False),
        tmp_path,
        registry["col.plugins"],
    )
    fresh.create()
    try:
        url = fresh.owner_url if fresh.is_postgresql else f"sqlite:///{fresh.template}"
        engine = make_engine(url)
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            assert {t.name for t in metadata.sorted_tables} <= tables
            assert migrate.differences(connection, registry["col.plugins"]) == []
        engine.dispose()
    finally:
        fresh.drop()


def test_models_and_migrations_agree(registry):
    with registry["col.engine"].connect() as connection:
        assert migrate.differences(connection, registry["col.plugins"]) == []


def test_each_lineage_has_exactly_one_head(registry):
    # A lineage's head is a revision no other revision of the lineage revises.  (Alembic's own
    # "heads" leave out a revision another lineage ``depends_on``, such as the core's
    # stored_files, which the badges and playlists lineages fill from their tables.)
    with registry["col.engine"].connect() as connection:
        config = migrate.alembic_config(connection, registry["col.plugins"])
        scripts = ScriptDirectory.from_config(config)
        revisions = list(scripts.walk_revisions())
        revised = {
            parent
            for script in revisions
            for parent in (
                (script.down_revision,)
                if isinstance(script.down_revision, str)
                else script.down_revision or ()
            )
        }
        heads_by_lineage: dict[str, list[str]] = {}
        for head in (script for script in revisions if script.revision not in revised):
            root = head
            while root.down_revision:
                root = scripts.get_revision(
                    root.down_revision
                    if isinstance(root.down_revision, str)
                    else root.down_revision[0]
                )
            label = next(iter(root.branch_labels), root.revision)
            heads_by_lineage.setdefault(label, []).append(head.revision)
    assert {label: heads for label, heads in heads_by_lineage.items() if len(heads) > 1} == {}
    assert "col_core" in heads_by_lineage
