"""``col doctor``: check a deployment's configuration and say what to fix."""

from __future__ import annotations

import json

import click

from col_core import settings as col_settings
from col_core.cli.context import AppContext, pass_app
from col_core.operations.doctor import FAIL, Doctor
from col_core.plugins import configured_registry

MARKS = {"OK": "OK  ", "WARN": "WARN", "FAIL": "FAIL"}
COLOURS = {"OK": "green", "WARN": "yellow", "FAIL": "red"}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def doctor(app: AppContext, as_json: bool) -> None:
    """Check this deployment's configuration: secret, public URL, HTTPS, database, migrations,
    job queue, mail server, file storage.  Exits 1 when a check fails.

    Run it with the server's settings (--config production.ini and the COL_* environment)."""
    settings = col_settings.merge(app.ini_settings())
    findings = Doctor(settings, configured_registry(settings)).run()
    failed = [finding for finding in findings if finding.status == FAIL]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "ok": not failed,
                    "environment": settings["col.environment"],
                    "checks": [finding.as_json() for finding in findings],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        click.echo(f"Checking the {settings['col.environment']} configuration.")
        for finding in findings:
            mark = click.style(MARKS[finding.status], fg=COLOURS[finding.status])
            click.echo(f"{mark}  {finding.check:<11} {finding.message}")
            if finding.fix and finding.status != "OK":
                click.echo(f"{'':<17} fix: {finding.fix}")
        click.echo(f"{len(failed)} check(s) failed." if failed else "No check failed.")
    if failed:
        raise SystemExit(1)
