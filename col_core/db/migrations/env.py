"""Alembic environment: every lineage (the core's and each plugin's) against one MetaData."""

from alembic import context

from col_core.db.migrate import include_object, target_metadata

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=target_metadata(),
    include_object=include_object(config.attributes.get("plugin_filter")),
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
