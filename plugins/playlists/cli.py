"""``col playlists notify``: run it every hour or so (cron); running it twice sends nothing twice."""

from __future__ import annotations

import click
from sqlalchemy import select

from col_core.cli.context import AppContext, pass_app
from col_core.db.meta import utcnow
from col_core.tenancy.models import Tenant


@click.group()
def playlists():
    """Learning playlists: notifications and lifecycle."""


@playlists.command()
@click.option("--tenant", "slug", default=None, help="Only this city (its slug).")
@pass_app
def notify(app: AppContext, slug: str | None) -> None:
    """Warn organisers of unavailable activities (pausing impossible playlists), issue pending
    badges, and e-mail learners whose items opened or close soon."""
    with app.request() as request:
        query = select(Tenant).where(Tenant.kind != "global", Tenant.active.is_(True))
        if slug:
            query = query.where(Tenant.slug == slug)
        tenants = [t for t in request.dbsession.scalars(query) if t.plugin_enabled("playlists")]
        for tenant in tenants:
            tenant.hostnames  # noqa: B018 - loaded while attached: links in e-mails need them
            request.dbsession.expunge(tenant)
    if slug and not tenants:
        raise click.ClickException(f"no city with the slug {slug!r} uses playlists.")
    from plugins.playlists.notify import run

    now = utcnow()
    for tenant in tenants:
        with app.request(tenant) as request:
            counts = run(request, now)
        click.echo(
            f"{tenant.slug}: {counts['learners']} learner e-mails, "
            f"{counts['unavailable']} unavailable activities, {counts['paused']} paused "
            f"playlists, {counts['badges']} pending badges issued"
        )
