"""``col badges ...``: list badge classes, issue and revoke badges from the command line."""

from __future__ import annotations

import json

import click
from sqlalchemy import select

from col_core.cli.context import AppContext, pass_app
from col_core.organisations.models import Organisation
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import cross_tenant
from plugins.badges.interfaces import IBadgeIssuer, IIssuerKeys
from plugins.badges.models import Assertion, BadgeClass
from plugins.badges.services import IssueError
from plugins.badges.urls import urls_for


def _detached(request, tenant: Tenant) -> Tenant:
    # Load what badge URLs need (its hostnames) before the tenant outlives its session.
    tenant.hostnames  # noqa: B018 - loaded before the tenant leaves its session
    request.dbsession.expunge(tenant)
    return tenant


def _message(request, error: IssueError) -> str:
    return request.localizer.translate(error.args[0])


@click.group()
def badges():
    """Badge classes and badges: list, issue, revoke."""


@badges.command("classes")
@click.option("--tenant", "slug", required=True, help="The city's slug.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def classes(app: AppContext, slug: str, as_json: bool) -> None:
    """List the city's badge classes, with their public URLs."""
    tenant = app.tenant(slug)
    with app.request(tenant) as request:
        rows = request.dbsession.scalars(select(BadgeClass).order_by(BadgeClass.id)).all()
        listing = [
            {
                "id": b.id,
                "name": b.name,
                "issuer": b.issuer.name,
                "subject": f"{b.subject_type}:{b.subject_id}" if b.subject_type else "",
                "earning": b.earning,
                "url": urls_for(request, tenant).badge_class(b.id),
            }
            for b in rows
        ]
    if as_json:
        click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return
    if not listing:
        click.echo(f"{slug} has no badge classes yet.")
    for row in listing:
        click.echo(
            f"{row['id']:>5}  {row['name'][:40]:<40}  {row['issuer'][:30]:<30}  "
            f"{row['subject']:<14}  {row['url']}"
        )


@badges.command("issue")
@click.option("--tenant", "slug", required=True, help="The city's slug.")
@click.option("--badge-class", "class_id", required=True, type=int, help="Badge class id.")
@click.option("--email", required=True, help="The recipient's email address.")
@click.option("--evidence", "evidence_url", help="A URL showing the evidence.")
@pass_app
def issue(app: AppContext, slug: str, class_id: int, email: str, evidence_url: str | None):
    """Issue a badge and print its hosted, credential and baked image URLs."""
    if evidence_url and not evidence_url.startswith(("https://", "http://")):
        raise click.BadParameter("the evidence must be an http(s) URL.", param_hint="--evidence")
    tenant = app.tenant(slug)
    with app.request(tenant) as request:
        badge = request.dbsession.scalar(select(BadgeClass).where(BadgeClass.id == class_id))
        if badge is None:
            raise click.ClickException(
                f"{slug} has no badge class {class_id} (see `col badges classes --tenant {slug}`)."
            )
        try:
            assertion = request.find_service(IBadgeIssuer).issue(
                badge, email, evidence=[{"url": evidence_url}] if evidence_url else (), source="cli"
            )
        except IssueError as error:
            raise click.ClickException(_message(request, error)) from error
        urls = urls_for(request, tenant)
        uid = assertion.uid
    click.echo(f"assertion (OB 2.0):  {urls.assertion(uid)}")
    click.echo(f"credential (OB 3.0): {urls.credential(uid)}")
    for version in (2, 3):
        for ext in ("png", "svg"):
            click.echo(f"baked OB {version}.0 {ext.upper()}:  {urls.baked(uid, version, ext)}")


@badges.command("revoke")
@click.argument("assertion_id")
@click.option("--reason", required=True, help="Why the badge is revoked (shown to verifiers).")
@pass_app
def revoke(app: AppContext, assertion_id: str, reason: str) -> None:
    """Revoke a badge (ASSERTION_ID is the id in its URL)."""
    uid = assertion_id.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
    with app.request() as request:
        # An assertion id is a random UUID, so it names one badge platform-wide (the database
        # holds it unique per city); find its city first.
        with cross_tenant(request.dbsession):
            tenant_id = request.dbsession.scalar(
                select(Assertion.tenant_id).where(Assertion.uid == uid)
            )
    if tenant_id is None:
        raise click.ClickException(f"no badge with the id {assertion_id!r}.")
    with app.request() as request:
        tenant = _detached(request, request.dbsession.get(Tenant, tenant_id))
    with app.request(tenant) as request:
        assertion = request.dbsession.scalar(select(Assertion).where(Assertion.uid == uid))
        if assertion.is_revoked:
            raise click.ClickException("this badge is already revoked.")
        try:
            request.find_service(IBadgeIssuer).revoke(assertion, reason)
        except IssueError as error:
            raise click.ClickException(_message(request, error)) from error
    click.echo(f"revoked {uid}: {reason}")


@badges.command("rotate-keys")
@click.option("--tenant", "slug", required=True, help="The city's slug.")
@click.option(
    "--organisation",
    "organisation_id",
    required=True,
    type=int,
    help="The issuing organisation's id.",
)
@click.option(
    "--kind", type=click.Choice(["ed25519", "rsa", "both"]), default="both", show_default=True
)
@pass_app
def rotate_keys(app: AppContext, slug: str, organisation_id: int, kind: str) -> None:
    """Retire an issuer's signing keys and make new ones (old ones stay published)."""
    tenant = app.tenant(slug)
    with app.request(tenant) as request:
        organisation = request.dbsession.scalar(
            select(Organisation).where(Organisation.id == organisation_id)
        )
        if organisation is None:
            raise click.ClickException(f"{slug} has no organisation {organisation_id}.")
        keyring = request.find_service(IIssuerKeys)
        issuer = keyring.issuer_for(organisation)
        urls = urls_for(request, tenant)
        for each in ("ed25519", "rsa") if kind == "both" else (kind,):
            key = keyring.rotate(issuer, each)
            click.echo(f"new {each} key: {urls.key(issuer.id, key.id)}")
