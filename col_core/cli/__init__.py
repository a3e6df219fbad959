"""The ``col`` command: ``col <group> <command>``, ``--help`` everywhere.

Every command reads the same configuration as the server: ``--config INI``, else the ``COL_*``
environment, else the demo's data directory; so a command run beside a running demo acts on the
demo's data.  Plugins add groups through the ``col_cli_commands`` hook.
"""

from __future__ import annotations

import sys

import click

from col_core import settings as col_settings
from col_core.activities import cli as activities_commands
from col_core.activities.search import cli as search_commands
from col_core.analytics import cli as analytics_commands
from col_core.backup import cli as backup_commands
from col_core.cli import db as db_commands
from col_core.cli import demo as demo_commands
from col_core.cli import i18n as i18n_commands
from col_core.cli import starterkit as starterkit_commands
from col_core.cli import tenant as tenant_commands
from col_core.cli import user as user_commands
from col_core.cli.context import AppContext, pass_app
from col_core.jobs import cli as jobs_commands
from col_core.operations import cli as operations_commands
from col_core.plugins import configured_registry


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="COL_CONFIG",
    help="An ini file such as production.ini (else COL_* variables, "
    "else the demo's data directory).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Cities of Learning: run, configure and administer the platform."""
    ctx.obj = AppContext(config_path)
    # The command's database connections close with it (a process may run several commands).
    ctx.call_on_close(ctx.obj.close)


cli.add_command(db_commands.db)
cli.add_command(search_commands.search)
cli.add_command(demo_commands.demo)
cli.add_command(demo_commands.serve)
cli.add_command(tenant_commands.tenant)
cli.add_command(user_commands.user)
cli.add_command(i18n_commands.i18n)
cli.add_command(starterkit_commands.starterkit)
cli.add_command(activities_commands.activities)
cli.add_command(analytics_commands.analytics)
cli.add_command(jobs_commands.jobs)
cli.add_command(jobs_commands.worker)
cli.add_command(operations_commands.doctor)
cli.add_command(backup_commands.backup)
cli.add_command(backup_commands.restore)


def with_plugin_commands(group: click.Group) -> click.Group:
    """Add every plugin's command groups (``col_cli_commands``) to ``group``."""
    # Settings as given, unchecked: finding plugins needs only their names, and `col doctor`
    # must run on a configuration the server refuses.  Every command that builds the app
    # still refuses it (AppContext.config).
    try:
        plugins = configured_registry(col_settings.merge())
    except Exception as error:  # a broken plugin must not take the whole CLI down
        click.echo(f"warning: plugins could not be loaded: {error}", err=True)
        return group
    for commands in plugins.hook.col_cli_commands():
        for command in commands or ():
            group.add_command(command)
    return group


def main(argv=None) -> None:
    try:
        with_plugin_commands(cli)
    except col_settings.SettingsError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    try:
        cli.main(args=argv, prog_name="col", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)


__all__ = ["cli", "main", "pass_app", "with_plugin_commands"]
