"""``col backup FILE`` and ``col restore FILE``: a whole deployment, database and files."""

from __future__ import annotations

from pathlib import Path

import click

from col_core.backup.archive import BackupError, restore_backup, write_backup
from col_core.cli.context import AppContext, pass_app


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def backup(app: AppContext, file: Path) -> None:
    """Write the database and the stored files to FILE (a .tar.gz with a manifest).

    Runs while the site is up: the database is copied consistently by its own tools (SQLite's
    backup API, pg_dump)."""
    try:
        manifest = write_backup(app.settings, app.plugins, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    database = manifest["database"]
    files = [name for name in manifest["checksums"] if name != database]
    dialect = manifest["dialect"]
    click.echo(f"Wrote {file}: the {dialect} database and {len(files)} files.")


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@pass_app
def restore(app: AppContext, file: Path, force: bool) -> None:
    """Restore a backup written by `col backup` into this deployment.

    The backup must come from the same migration heads as this code; a database that holds data
    is replaced only with --force.  Stop the app servers and workers first."""
    try:
        manifest = restore_backup(app.settings, app.plugins, file, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored the backup of {manifest['created']} from {file}.")
