"""``col tenant``: list, launch, export, disable and enable cities; dump and load one."""

from __future__ import annotations

import json
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from col_core.backup.archive import BackupError
from col_core.backup.city import Dump, Loader, write_dump
from col_core.cli.context import AppContext, pass_app
from col_core.files.interfaces import IStoredFiles
from col_core.i18n import LOCALES_DIR, glossary
from col_core.i18n.extraction import SOURCE_LANGUAGE
from col_core.storage import IFileStorage
from col_core.tenancy.export import export as export_folder
from col_core.tenancy.launch import LaunchError, apply, read_folder
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import cross_tenant, set_tenant


@click.group()
def tenant() -> None:
    """Cities, regions and the global site."""


@tenant.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_app
def list_(app: AppContext, as_json: bool) -> None:
    """List every tenant."""
    with app.request() as request:
        rows = [
            {
                "slug": t.slug,
                "kind": t.kind,
                "name": t.name,
                "active": t.active,
                "locales": t.locales,
                "hostnames": t.hostnames,
                "plugins": t.plugins if t.plugins is not None else sorted(app.plugins.plugins),
            }
            for t in request.dbsession.scalars(select(Tenant).order_by(Tenant.slug))
        ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No tenants yet. Launch one with `col tenant launch tenants/<slug>`.")
        return
    click.echo(f"{'slug':<16} {'kind':<7} {'active':<7} {'locales':<18} name")
    for row in rows:
        click.echo(
            f"{row['slug']:<16} {row['kind']:<7} {'yes' if row['active'] else 'no':<7} "
            f"{','.join(row['locales']):<18} {row['name']}"
        )


def launch_folder(app: AppContext, folder) -> tuple[Tenant, bool]:
    """Validate and apply one tenant folder in its own transaction; raise ClickException."""
    try:
        spec = read_folder(folder, set(app.plugins.plugins))
    except LaunchError as error:
        raise click.ClickException(
            "the tenant configuration is not valid:\n  " + "\n  ".join(error.problems)
        ) from error
    try:
        with app.request() as request:
            tenant_, created = apply(request, spec, request.find_service(IFileStorage))
            set_tenant(request.dbsession, tenant_.id)
            request.tenant = tenant_
            files = request.find_service(IStoredFiles)
            for asset in spec.assets:  # the city's own public images
                files.record(tenant_.branding[asset], purpose="branding", visibility="public")
            plugin_configs = spec.data.get("plugins", {})
            request.hooks.col_tenant_launched(
                request=request, tenant=tenant_, plugin_config=plugin_configs
            )
    except LaunchError as error:
        raise click.ClickException(
            "the tenant configuration is not valid:\n  " + "\n  ".join(error.problems)
        ) from error
    return tenant_, created


@tenant.command()
@click.argument("folder", type=click.Path(file_okay=False))
@pass_app
def launch(app: AppContext, folder: str) -> None:
    """Validate FOLDER (tenants/<slug>) and create or update its tenant."""
    tenant_, created = launch_folder(app, folder)
    click.echo(f"{'Created' if created else 'Updated'} tenant {tenant_.slug} ({tenant_.name}).")
    # The site works in any language, but the platform's own words need a catalog for it.
    untranslated = [
        code
        for code in tenant_.locales
        if code.split("_")[0] != SOURCE_LANGUAGE and not (LOCALES_DIR / code).is_dir()
    ]
    for code in untranslated:
        click.echo(
            f"Note: the platform's own words are not translated into {code!r} yet, so "
            "they show in English; see docs/translating.md (col i18n update --add "
            f"{code})."
        )
    # A city's words are its own, so these do not stop a launch; but a learner reading
    # "Abzeichen" on the home page and "Badge" in every menu is left guessing.
    for problem in glossary.city_problems(Path(folder)):
        click.echo(f"Note: {problem}; the site's menus and buttons say it that way.")


@tenant.command()
@click.argument("slug")
@click.option(
    "--into",
    "into",
    type=click.Path(file_okay=False),
    default="tenants",
    show_default=True,
    help="Write INTO/SLUG/ (it must not exist yet).",
)
@pass_app
def export(app: AppContext, slug: str, into: str) -> None:
    """Write a tenant's live configuration (with admins' edits) back to a folder."""
    target = Path(into) / slug
    if target.exists():
        raise click.ClickException(
            f"{target} already exists; nothing was written. Export "
            "--into another folder and compare, or move it away first."
        )
    with app.request() as request:
        found = request.dbsession.scalar(select(Tenant).where(Tenant.slug == slug))
        if found is None:
            raise click.ClickException(f"no tenant with slug {slug!r}; see `col tenant list`.")
        written = export_folder(found, target, request.find_service(IFileStorage))
    click.echo(f"Wrote {len(written)} files to {target}/.")


def _tenant_named(session, slug: str) -> Tenant:
    found = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if found is None:
        raise click.ClickException(f"no tenant with slug {slug!r}; see `col tenant list`.")
    return found


def _set_active(app: AppContext, slug: str, active: bool) -> None:
    # The operator's work on the platform's own table: cross-city under row-level security.
    with app.request() as request, cross_tenant(request.dbsession) as session:
        found = _tenant_named(session, slug)
        found.active = active
    state = "enabled" if active else "disabled"
    click.echo(f"Tenant {slug} is now {state}.")


@tenant.command()
@click.argument("slug")
@pass_app
def disable(app: AppContext, slug: str) -> None:
    """Take a tenant's site offline (its data is kept)."""
    _set_active(app, slug, False)


@tenant.command()
@click.argument("slug")
@pass_app
def enable(app: AppContext, slug: str) -> None:
    """Bring a disabled tenant's site back."""
    _set_active(app, slug, True)


PASSPHRASE_HELP = (
    "Seals the city's secrets (badge signing keys) for the journey; the same passphrase "
    "loads it (else COL_MOVE_PASSPHRASE, else asked)."
)
MIN_PASSPHRASE = 12


def _resealer(app: AppContext, old_secret: str, new_secret: str):
    """Each row through the plugins' ``col_tenant_reseal``; a wrong passphrase is an error."""

    def reseal(table: str, row: dict) -> dict:
        try:
            results = app.plugins.hook.col_tenant_reseal(
                table=table, row=row, old_secret=old_secret, new_secret=new_secret
            )
        except (ValueError, TypeError) as error:
            raise BackupError(
                "the city's sealed values (badge signing keys) cannot be opened: "
                "is the passphrase the one the dump was made with?"
            ) from error
        return next((result for result in results if result is not None), row)

    return reseal


def _check_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        raise click.BadParameter(
            f"use at least {MIN_PASSPHRASE} characters.", param_hint="--passphrase"
        )
    return passphrase


@tenant.command()
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--passphrase",
    envvar="COL_MOVE_PASSPHRASE",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help=PASSPHRASE_HELP,
)
@pass_app
def dump(app: AppContext, slug: str, file: Path, passphrase: str) -> None:
    """Write city SLUG, its people's city data and its files to FILE, for `col tenant load`."""
    _check_passphrase(passphrase)
    reseal = _resealer(app, app.settings["col.secret"], passphrase)
    try:
        with app.request() as request, cross_tenant(request.dbsession) as session:
            manifest = write_dump(
                session, request.find_service(IFileStorage), slug, app.plugins, file, reseal
            )
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    rows = sum(count for name, count in manifest["counts"].items() if name != "users")
    click.echo(
        f"Wrote {file}: city {slug}, {rows} rows, {manifest['counts']['users']} people, "
        f"{sum(1 for name in manifest['checksums'] if name.startswith('files/'))} files."
    )


@tenant.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--passphrase", envvar="COL_MOVE_PASSPHRASE", prompt=True, hide_input=True, help=PASSPHRASE_HELP
)
@pass_app
def load(app: AppContext, file: Path, passphrase: str) -> None:
    """Add the city dumped in FILE (by `col tenant dump`) to this deployment, with new ids.

    Its slug and hostnames must be free here; people already here are matched by e-mail
    address.  All or nothing: one transaction."""
    reseal = _resealer(app, passphrase, app.settings["col.secret"])
    try:
        city = Dump(file, app.plugins)
        with (
            click.progressbar(length=city.total(), label=f"Loading {city.slug}") as bar,
            app.request() as request,
        ):
            loader = Loader(
                request.dbsession, request.find_service(IFileStorage), reseal, bar.update
            )
            loaded = loader.load(city)
            slug = loaded.slug
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    except IntegrityError as error:
        raise click.ClickException(
            f"the city cannot be added: a row conflicts with one already here "
            f"({error.orig}); nothing was loaded."
        ) from error
    click.echo(f"Loaded city {slug}. Rebuild its search index: `col search reindex`.")
    if loader.renumbered:
        counts = ", ".join(f"{n} {table}" for table, n in sorted(loader.renumbered.items()))
        click.echo(
            f"Note: these rows got new ids, theirs being taken here: {counts}. Links with those "
            "ids (activity pages, badge issuers and classes) change, and credentials signed "
            "before the move that name them no longer verify; hosted assertions still do."
        )
