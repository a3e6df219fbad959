"""``col search reindex [--tenant SLUG]``: rebuild cities' search indexes from their data."""

from __future__ import annotations

import contextlib

import click
from sqlalchemy import select

from col_core.activities.search.documents import languages_of
from col_core.activities.search.interfaces import ISearchService
from col_core.activities.search.rebuild import REINDEX_JOB, city_documents
from col_core.activities.search.services.database import DatabaseSearch
from col_core.jobs import IJobQueue
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import tenant_context


@click.group()
def search() -> None:
    """The search index of each city."""


@search.command()
@click.option("--tenant", "slug", help="Only this city (its slug); default: every city.")
@click.option(
    "--background",
    is_flag=True,
    help="Queue one job per city for `col worker` instead of rebuilding here.",
)
@click.pass_obj  # the col command's AppContext (not imported: col_core.cli imports us)
def reindex(app, slug: str | None, background: bool) -> None:
    """Rebuild the search index from the database (with a progress bar per city)."""
    with app.request() as request:
        # The global site has no documents of its own: it searches its cities' (network.py).
        statement = (
            select(Tenant).where(Tenant.active, Tenant.kind != "global").order_by(Tenant.slug)
        )
        if slug:
            statement = statement.where(Tenant.slug == slug)
        tenants = request.dbsession.scalars(statement).all()
    if not tenants:
        raise click.UsageError(
            f"No active city has the slug {slug!r}." if slug else "No city has been launched yet."
        )
    backend = app.settings["col.search_backend"]
    for tenant in tenants:
        if background:
            with app.request(tenant) as request:
                job = request.find_service(IJobQueue).enqueue(REINDEX_JOB, {}, label=tenant.slug)
            click.echo(f"{tenant.slug}: queued as job {job.id}.")
            continue
        with app.request(tenant) as request:
            documents = city_documents(request, tenant)
            with (
                click.progressbar(
                    length=len(documents), label=f"{tenant.slug} ({backend})", show_pos=True
                ) as bar,
                _rebuilder(app, request, tenant) as service,
            ):
                service.reindex(documents, progress=bar.update)
        click.echo(f"{tenant.slug}: {len(documents)} documents indexed.")
    if not background and backend == "database" and app.engine.dialect.name == "postgresql":
        # The documents were rewritten: refresh the planner's statistics, without which
        # PostgreSQL reads a map's tile through the (city, kind, key) index, the whole city.
        # (SQLite's statements are written for its planner without statistics.)  As the owner:
        # PostgreSQL skips, with a warning only, a table the role analysing it does not own.
        engine = app.owner_engine()
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE search_documents")
        finally:
            engine.dispose()


@contextlib.contextmanager
def _rebuilder(app, request, tenant):
    """The service that rebuilds ``tenant``'s index: the request's, or with the database backend
    and ``col.database_owner_url`` set, one that works as the owner in a transaction of its own,
    which may rebuild a large city as a load (``bulk``: only the owner may drop the indexes)."""
    owner_url = app.settings["col.database_owner_url"]
    if app.settings["col.search_backend"] != "database" or owner_url in (
        "",
        app.settings["col.database_url"],
    ):
        yield request.find_service(ISearchService)
        return
    engine = app.owner_engine()
    session = app.registry["col.session_factory"](bind=engine)
    try:
        with tenant_context(session, tenant):
            yield DatabaseSearch(session, tenant.id, languages_of(tenant))
        session.commit()
    finally:
        session.close()
        engine.dispose()
