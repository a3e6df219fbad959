"""Helpers for the cities tests: launching tenant folders against the test database, signing in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from col_core.cli.context import AppContext
from col_core.cli.tenant import launch_folder
from col_core.db.meta import utcnow
from col_core.security.models import CityAdmin, User
from col_core.security.passwords import hash_password
from col_core.testing.people import accept_terms

REPOSITORY = Path(__file__).resolve().parents[3]
TENANTS = REPOSITORY / "tenants"
PASSWORD = "correct horse battery"
_hash = hash_password(PASSWORD)


class BoundAppContext(AppContext):
    """The CLI's context, bound to the test app's configuration and database."""

    def __init__(self, config):
        super().__init__(None)
        self._config = config


@pytest.fixture
def app_context(app_config, registry):
    return BoundAppContext(app_config)


@pytest.fixture
def run(app_context):
    """Run a ``col`` command group (``run(tenant, "launch", path)``) against the test app."""

    def invoke(group, *args):
        return CliRunner().invoke(group, [str(arg) for arg in args], obj=app_context)

    return invoke


@pytest.fixture
def scalar(registry):
    """Run one query in a fresh session, closed at once: no transaction lingers to hold locks
    (PostgreSQL would block the next test's reset on them).  As the owner, like the factories:
    a check of what was stored, not a request (row-level security would hide accounts)."""
    from col_core.testing.factories import owner_engine

    def run(statement):
        session = registry["col.session_factory"](bind=owner_engine(registry))
        try:
            return session.scalar(statement)
        finally:
            session.close()

    return run


@pytest.fixture
def launch(app_context):
    def launch_(folder):
        tenant, _ = launch_folder(app_context, folder)
        return tenant

    return launch_


@pytest.fixture
def example(tmp_path):
    """A copy of an example tenant folder, safe to edit."""

    def copy(slug):
        target = tmp_path / slug
        shutil.copytree(TENANTS / slug, target)
        return target

    return copy


@pytest.fixture
def city_admin(factories):
    """A verified person who administers ``tenant``; returns their email."""

    def make(tenant):
        n = factories.next()
        user = factories.save(
            User(
                email=f"admin{n}@example.org",
                display_name=f"Admin {n}",
                password_hash=_hash,
                email_verified_at=utcnow(),
            )
        )
        with factories.within(tenant):
            factories.save(CityAdmin(user_id=user.id, tenant_id=tenant.id))
        return user.email

    return make


def sign_in(app, email):
    page = app.get("/signin")
    form = next(f for f in page.forms.values() if "password" in f.fields)
    form["email"], form["password"] = email, PASSWORD
    response = form.submit(status=303)
    accept_terms(app)
    return response
