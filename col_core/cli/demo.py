"""``col demo`` and ``col serve``."""

from __future__ import annotations

import shutil
import signal
import sys
import threading
from pathlib import Path

import click
from sqlalchemy import select

from col_core.cli.context import AppContext, pass_app
from col_core.cli.tenant import launch_folder
from col_core.db import migrate
from col_core.tenancy.hosts import tenant_url
from col_core.tenancy.launch import CONFIG_FILE
from col_core.tenancy.models import Tenant

REPOSITORY_TENANTS = Path(__file__).resolve().parents[2] / "tenants"


def tenants_dir(app: AppContext) -> Path:
    configured = Path(app.settings["col.tenants_dir"])
    if configured.is_dir():
        return configured
    if REPOSITORY_TENANTS.is_dir():
        return REPOSITORY_TENANTS
    raise click.ClickException(f"no tenants folder at {configured}; set COL_TENANTS_DIR.")


def prepare_demo(app: AppContext, fresh: bool) -> list[str]:
    """Fresh database, every example tenant launched and seeded; returns lines to print."""
    url = app.settings["col.database_url"]
    if fresh:
        if not url.startswith("sqlite:///"):
            raise click.ClickException(
                "col demo starts from a fresh SQLite database and will not wipe "
                f"{url.split('@')[-1]}; use --keep or point COL_DATABASE_URL at SQLite."
            )
        app.engine.dispose()
        database = Path(url.removeprefix("sqlite:///"))
        for path in (
            database,
            database.with_name(database.name + "-wal"),
            database.with_name(database.name + "-shm"),
        ):
            path.unlink(missing_ok=True)
        for name in ("outbox", "whoosh"):
            shutil.rmtree(app.data_dir() / name, ignore_errors=True)
        # Messages about the old database's jobs would name the new one's.
        app.registry["col.jobs"].huey.flush()
    engine = app.owner_engine()
    with engine.begin() as connection:
        migrate.upgrade(
            connection,
            app.plugins,
            role=app.settings.get("col.db_role", ""),
            secret=app.settings["col.secret"],
        )
    engine.dispose()
    folders = sorted(p for p in tenants_dir(app).iterdir() if (p / CONFIG_FILE).is_file())
    if not folders:
        raise click.ClickException(f"no tenant folders in {tenants_dir(app)}.")
    lines: list[str] = []
    with click.progressbar(folders, label="Launching example cities") as bar:
        for folder in bar:
            tenant, _ = launch_folder(app, folder)
            with app.request(tenant) as request:
                for result in request.hooks.col_seed_demo(request=request, tenant=tenant):
                    lines.extend(result or ())
    return lines


def print_urls(app: AppContext, host: str, port: int, lines: list[str]) -> None:
    """Each city's configured address; the server listens on ``host``:``port``."""
    with app.request() as request:
        tenants = request.dbsession.scalars(
            select(Tenant).order_by(Tenant.kind != "global", Tenant.slug)
        ).all()
        click.echo("\nCities of Learning is running. Open:")
        for tenant in tenants:
            click.echo(f"  {tenant.display_name():<28} {tenant_url(request, tenant)}")
    if lines:
        click.echo("\nDemo accounts and things to try:")
        for line in dict.fromkeys(lines):
            click.echo(f"  {line}")
    click.echo(f"\nServing on http://{host}:{port}/ (Ctrl+C stops).")


def demo_server(wsgi_app, host: str, port: int):
    """The server of ``col demo`` and ``col serve`` (the concurrency tests run this one too)."""
    import waitress

    return waitress.create_server(
        wsgi_app, host=host, port=port, threads=8, ident="cities-of-learning"
    )


def _stop_on_sigterm() -> None:
    """``kill`` stops the server as Ctrl+C does, so its address record is removed."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))


def run_server(app: AppContext, host: str, port: int) -> None:
    """Serve, with worker threads running the background jobs in the same process; while it
    serves, commands beside it print links on its port (``app.served``)."""
    from col_core.jobs.worker import InProcessWorker

    runner = app.registry["col.jobs"]
    server = demo_server(app.wsgi_app(), host, port)  # refuses a port in use before recording
    worker = None if runner.huey.immediate else InProcessWorker(runner).start()
    try:
        with app.served():
            _stop_on_sigterm()
            server.run()
    finally:
        if worker is not None:
            worker.stop()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=6543, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--keep", is_flag=True, help="Keep the existing demo database instead of a fresh one."
)
@click.option("--no-serve", is_flag=True, help="Prepare the data and exit (for scripts and tests).")
@pass_app
def demo(app: AppContext, host: str, port: int, keep: bool, no_serve: bool) -> None:
    """Run the demo: fresh database, example cities, demo data, local server."""
    app.serve_on(port)  # seeded links and printed addresses point at this server
    lines = prepare_demo(app, fresh=not keep)
    if no_serve:
        click.echo(f"Demo data is ready in {app.data_dir()}.")
        for line in dict.fromkeys(lines):
            click.echo(f"  {line}")
        return
    print_urls(app, host, port, lines)
    run_server(app, host, port)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=6543, show_default=True, type=click.IntRange(1, 65535))
@pass_app
def serve(app: AppContext, host: str, port: int) -> None:
    """Serve the platform with the current configuration (use pserve/gunicorn in production)."""
    app.serve_on(port)
    click.echo(f"Serving on http://{host}:{port}/ (Ctrl+C stops).")
    run_server(app, host, port)
