"""``col analytics rebuild``: recompute the daily rollup from the core's tables."""

from __future__ import annotations

import click
from sqlalchemy import select

from col_core.analytics import rollup
from col_core.cli.context import AppContext, pass_app
from col_core.jobs import IJobQueue
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import cross_tenant, set_tenant


@click.group()
def analytics() -> None:
    """Dashboards' figures: recompute them."""


@analytics.command()
@click.option("--tenant", "slug", help="Only this city (by slug); default every city.")
@click.option(
    "--background",
    is_flag=True,
    help="Queue one job per city for `col worker` instead of rebuilding here.",
)
@pass_app
def rebuild(app: AppContext, slug: str | None, background: bool) -> None:
    """Recompute joins, completions, attendance, learners and the learners' months of the
    rollup, one city per transaction."""
    with app.request() as request:
        with cross_tenant(request.dbsession):
            query = (
                select(Tenant.id, Tenant.slug).where(Tenant.kind != "global").order_by(Tenant.slug)
            )
            if slug:
                query = query.where(Tenant.slug == slug)
            tenants = request.dbsession.execute(query).all()
    if slug and not tenants:
        raise click.UsageError(f"There is no city {slug!r}; `col tenant list` shows them.")
    if background:
        for tenant_id, tenant_slug in tenants:
            with app.request() as request:
                set_tenant(request.dbsession, tenant_id)
                job = request.find_service(IJobQueue).enqueue(
                    rollup.REBUILD_JOB, {}, label=tenant_slug
                )
            click.echo(f"{tenant_slug}: queued as job {job.id}.")
        return
    steps = rollup.rebuild_steps()
    with click.progressbar(length=steps * len(tenants), label="Rebuilding analytics") as bar:
        for tenant_id, _slug in tenants:
            with app.request() as request:
                set_tenant(request.dbsession, tenant_id)
                rollup.rebuild(request.dbsession, tenant_id, progress=bar.update)
    # The tables were rewritten: refresh the planner's statistics so reads keep using their
    # indexes.
    with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("analytics_daily", "analytics_active_learners"):
            connection.exec_driver_sql(f"ANALYZE {table}")
    click.echo(f"Rebuilt analytics of {len(tenants)} cit{'y' if len(tenants) == 1 else 'ies'}.")
