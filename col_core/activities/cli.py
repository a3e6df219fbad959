"""``col activities ...``: jobs for cron."""

from __future__ import annotations

import click
from sqlalchemy import select

from col_core.cli.context import AppContext, pass_app
from col_core.db.meta import utcnow
from col_core.tenancy.models import Tenant


@click.group()
def activities() -> None:
    """Activities: reminders and other scheduled jobs."""


@activities.command("send-reminders")
@pass_app
def send_reminders(app: AppContext) -> None:
    """E-mail participants of sessions starting in the next 24 hours (run it hourly).

    Each participant gets one reminder per session, however often this runs: each reminder is
    a mail job, written with the record that it was sent, and delivered by `col worker`.
    """
    from col_core.activities.interfaces import IParticipationService

    with app.request() as request:
        tenants = request.dbsession.scalars(
            select(Tenant)
            .where(Tenant.active.is_(True), Tenant.kind != "global")
            .order_by(Tenant.slug)
        ).all()
    total = 0
    for tenant in tenants:
        with app.request(tenant) as request:
            sent = request.find_service(IParticipationService).send_reminders(utcnow())
        click.echo(f"{tenant.slug}: {sent} reminder(s) queued")
        total += sent
    click.echo(f"{total} reminder(s) queued in all.")
