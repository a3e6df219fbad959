"""``col db``: migrations."""

from __future__ import annotations

import click

from col_core.cli.context import AppContext, pass_app
from col_core.db import migrate


@click.group()
def db() -> None:
    """Database schema: upgrade, check, new revisions."""


@db.command()
@pass_app
def upgrade(app: AppContext) -> None:
    """Upgrade the core's and every plugin's schema to the newest revision."""
    engine = app.owner_engine()
    with engine.begin() as connection:
        migrate.upgrade(
            connection,
            app.plugins,
            role=app.settings.get("col.db_role", ""),
            secret=app.settings["col.secret"],
        )
    engine.dispose()
    click.echo("Database is up to date.")


@db.command()
@pass_app
def check(app: AppContext) -> None:
    """Exit non-zero when the models and the migrations disagree."""
    engine = app.owner_engine()
    with engine.connect() as connection:
        diffs = migrate.differences(connection, app.plugins)
    engine.dispose()
    if diffs:
        for diff in diffs:
            click.echo(f"  {diff}", err=True)
        raise click.ClickException(
            "Models and migrations disagree; run `col db revision --package NAME -m ...`."
        )
    click.echo("Models and migrations agree.")


@db.command()
@click.option("--package", required=True, help="col_core or a plugin name, e.g. badges.")
@click.option("-m", "--message", required=True, help="What the revision changes.")
@pass_app
def revision(app: AppContext, package: str, message: str) -> None:
    """Autogenerate a revision for one package's lineage (read it before committing!)."""
    if package != "col_core" and package not in app.plugins.plugins:
        raise click.BadParameter(
            f"unknown package {package!r}; choose col_core or one of: "
            + ", ".join(sorted(app.plugins.plugins)),
            param_hint="--package",
        )
    engine = app.owner_engine()
    with engine.begin() as connection:
        migrate.revision(connection, app.plugins, package, message)
    engine.dispose()


@db.command()
@pass_app
def citus(app: AppContext) -> None:
    """Print the SQL that distributes the schema on Citus by tenant_id (docs/deployment.md)."""
    from col_core.db.citus import distribution_statements
    from col_core.db.meta import Base

    metadata = migrate.target_metadata()
    for statement in distribution_statements(Base, metadata):
        click.echo(statement)
