"""``col user``: platform administrators and city administrators from the command line."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from col_core.cli.context import AppContext, pass_app
from col_core.db.meta import utcnow
from col_core.security import validation as v
from col_core.security.interfaces import ICityPeople
from col_core.security.models import User
from col_core.security.passwords import hash_password, password_problem
from col_core.security.services import find_by_email
from col_core.tenancy import account_lookup
from col_core.tenancy.models import Tenant


@click.group()
def user() -> None:
    """Accounts: create administrators, grant city administration."""


def _email(value: str) -> str:
    cleaned, errors = v.validate({"email": value}, {"email": v.email()})
    if errors:
        raise click.BadParameter(
            f"{value!r} is not an email address such as name@example.org.", param_hint="--email"
        )
    return cleaned["email"]


def _read_password(from_stdin: bool, email: str) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if problem := password_problem(password, email):
        # The message is a TranslationString; the CLI speaks English.
        raise click.ClickException(f"password refused: {problem.interpolate()}")
    return password


@user.command("create-admin")
@click.option("--email", required=True, help="The administrator's email address.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
@pass_app
def create_admin(app: AppContext, email: str, password_stdin: bool) -> None:
    """Create a platform administrator, or make an existing account one."""
    email = _email(email)
    # An account look-up: the account is nobody's in particular yet (row-level security).
    with app.request() as request, account_lookup(request.dbsession) as session:
        existing = find_by_email(session, email)
        if existing is not None and existing.deleted_at is not None:
            raise click.ClickException(f"{email} belonged to a deleted account; use another.")
        if existing is not None:
            existing.is_platform_admin = True
            click.echo(f"{email} is now a platform administrator (password unchanged).")
            return
        password = _read_password(password_stdin, email)
        session.add(
            User(
                email=email,
                display_name=email.split("@")[0],
                password_hash=hash_password(password),
                email_verified_at=utcnow(),
                is_platform_admin=True,
            )
        )
    click.echo(f"Created platform administrator {email}.")


@user.command("grant-city-admin")
@click.option("--email", required=True, help="An existing account's email address.")
@click.option("--tenant", "slug", required=True, help="The city's slug.")
@pass_app
def grant_city_admin(app: AppContext, email: str, slug: str) -> None:
    """Make an existing account an administrator of one city."""
    email = _email(email)
    with app.request() as request:
        session = request.dbsession
        account = find_by_email(session, email)
        if account is None or account.deleted_at is not None:
            raise click.ClickException(f"no account uses {email}; the person must sign up first.")
        city = _city_named(session, slug)
    with app.request(city) as request:
        people = request.find_service(ICityPeople)
        people.grant_administration(email, require_active=False)
    click.echo(f"{email} administers {slug}.")


def _city_named(session, slug: str) -> Tenant:
    city = session.scalar(select(Tenant).where(Tenant.slug == slug))
    if city is None or city.is_global:
        raise click.ClickException(f"no city with the slug {slug!r}; see `col tenant list`.")
    return city
