"""``col worker`` runs background jobs; ``col jobs list|retry|purge`` shows and mends them."""

from __future__ import annotations

import datetime as dt
import json
import logging

import click
from sqlalchemy import ColumnElement, delete, select

from col_core.cli.context import AppContext, pass_app
from col_core.db.meta import utcnow
from col_core.jobs.models import STATUSES, Job
from col_core.jobs.services import ticket
from col_core.jobs.worker import run_worker
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import cross_tenant

LOG_FORMAT = "%(asctime)s %(levelname)-5.5s [%(name)s] %(message)s"


@click.command()
@click.option(
    "--threads",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Jobs run at once by this worker (e-mail mostly waits on the network).",
)
@click.option(
    "--no-sweep",
    is_flag=True,
    help="Leave the minutely sweep (lost and abandoned jobs) to other workers.",
)
@pass_app
def worker(app: AppContext, threads: int, no_sweep: bool) -> None:
    """Run background jobs until stopped (Ctrl+C or SIGINT finishes the running jobs first).

    Start one or more on any machines that share the database and the queue."""
    if not app.config_path:  # an ini file sets up its own logging
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    runner = app.registry["col.jobs"]
    if runner.huey.immediate:
        raise click.UsageError(
            "col.jobs_queue is 'immediate': jobs run in the process that "
            "commits them, so there is nothing for a worker to do."
        )
    click.echo(f"Worker of {app.settings['col.jobs_queue']} with {threads} thread(s).", err=True)
    run_worker(runner, threads=threads, sweep=not no_sweep)


@click.group()
def jobs() -> None:
    """Background jobs (e-mail, reminders, index updates): see, retry, purge."""


def _slugs(session) -> dict[int, str]:
    return dict(session.execute(select(Tenant.id, Tenant.slug)).all())


@jobs.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only jobs in this state.")
@click.option("--kind", help="Only jobs of this kind (e.g. mail).")
@click.option("--tenant", "slug", help="Only this city's jobs (its slug).")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(1, 10000),
    help="At most this many, newest first.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def list_(
    app: AppContext,
    status: str | None,
    kind: str | None,
    slug: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """The newest jobs, with their state, attempts and last error."""
    with app.request() as request, cross_tenant(request.dbsession) as session:
        slugs = _slugs(session)
        query = select(Job).order_by(Job.id.desc()).limit(limit)
        if slug:
            tenant_id = next((i for i, s in slugs.items() if s == slug), None)
            if tenant_id is None:
                raise click.BadParameter(
                    f"there is no city {slug!r}; `col tenant list` shows them.",
                    param_hint="--tenant",
                )
            query = query.where(Job.tenant_id == tenant_id)
        if status:
            query = query.where(Job.status == status)
        if kind:
            query = query.where(Job.kind == kind)
        rows = [
            {**job.as_json(), "tenant": slugs.get(job.tenant_id)} for job in session.scalars(query)
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No jobs.")
        return
    for row in rows:
        when = row["finished_at"] if row["status"] in ("done", "failed") else row["run_after"]
        click.echo(
            f"{row['id']:>7}  {row['tenant'] or '-':<14} {row['kind']:<16} "
            f"{row['status']:<8} {row['attempts']}/{row['max_attempts']:<3} "
            f"{(when or '')[:19]:<19}  {row['label']}"
        )
        if row["last_error"] and row["status"] != "done":
            click.echo(f"{'':>9}last error: {row['last_error'][:200]}")


def _chosen(session, ids: tuple[int, ...], statuses: tuple[str, ...], verb: str) -> list[Job]:
    """The jobs ``ids`` (each must exist and be in one of ``statuses``), else every job in
    ``statuses``."""
    if not ids:
        return list(session.scalars(select(Job).where(Job.status.in_(statuses)).order_by(Job.id)))
    found = {job.id: job for job in session.scalars(select(Job).where(Job.id.in_(ids)))}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise click.BadParameter(
            f"there is no job {', '.join(missing)}; `col jobs list` shows them.", param_hint="IDS"
        )
    wrong = [job for job in found.values() if job.status not in statuses]
    if wrong:
        job = wrong[0]
        raise click.BadParameter(
            f"job {job.id} is {job.status}; only {' or '.join(statuses)} jobs can be {verb}.",
            param_hint="IDS",
        )
    return list(found.values())


@jobs.command()
@click.argument("ids", nargs=-1, type=click.IntRange(min=1))
@click.option("--failed", "all_failed", is_flag=True, help="Every failed job.")
@pass_app
def retry(app: AppContext, ids: tuple[int, ...], all_failed: bool) -> None:
    """Run failed (or waiting) jobs again now, with all their attempts anew."""
    if bool(ids) == all_failed:
        raise click.UsageError(
            "Name the jobs to retry by their ids, or give --failed for every failed job."
        )
    now = utcnow()
    with app.request() as request, cross_tenant(request.dbsession) as session:
        chosen = _chosen(
            session, ids, ("failed",) if all_failed else ("failed", "pending"), "retried"
        )
        for job in chosen:
            job.status, job.attempts, job.run_after = "pending", 0, now
            job.locked_at = job.finished_at = None
        tickets = [ticket(job) for job in chosen]
    handed = app.registry["col.jobs"].relay(tickets)
    click.echo(f"{len(tickets)} job(s) put back in the queue.")
    if handed < len(tickets):
        click.echo(
            "The queue is unreachable: the worker's sweep hands them over once it is back.",
            err=True,
        )


@jobs.command()
@click.argument("ids", nargs=-1, type=click.IntRange(min=1))
@click.option("--failed", "failed", is_flag=True, help="Every failed job.")
@click.option("--done", "done", is_flag=True, help="Every finished job.")
@click.option(
    "--older-than",
    "days",
    type=click.FloatRange(min=0),
    help="With --failed or --done: only jobs that finished this many days ago or more.",
)
@pass_app
def purge(
    app: AppContext, ids: tuple[int, ...], failed: bool, done: bool, days: float | None
) -> None:
    """Delete jobs: by id (failed, done or still waiting), or every failed or done one."""
    statuses = tuple(s for s, chosen in (("failed", failed), ("done", done)) if chosen)
    if bool(ids) == bool(statuses):
        raise click.UsageError(
            "Name the jobs to delete by their ids, or give --failed and/or --done."
        )
    if days is not None and ids:
        raise click.UsageError("--older-than goes with --failed or --done, not with ids.")
    with app.request() as request, cross_tenant(request.dbsession) as session:
        doomed: ColumnElement[bool]
        if ids:
            chosen = _chosen(session, ids, ("failed", "done", "pending"), "deleted")
            doomed = Job.id.in_([job.id for job in chosen])
        else:
            doomed = Job.status.in_(statuses)
            if days is not None:
                doomed = doomed & (Job.finished_at <= utcnow() - dt.timedelta(days=days))
        # A DELETE's result is a CursorResult, which SQLAlchemy's typing does not say.
        deleted = session.execute(delete(Job).where(doomed)).rowcount  # type: ignore[attr-defined]
    click.echo(f"{deleted} job(s) deleted.")
