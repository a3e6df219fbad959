"""Fixtures for the esco tests: shipped ESCO folders imported into the test database, a city,
organisers and learners with API tokens, activities."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from pyramid.request import Request
from pyramid.scripting import prepare
from sqlalchemy import func, select, table
from transaction.interfaces import NoTransaction

from col_core.tenancy.scoping import set_tenant
from plugins.esco.cli import import_download

DATA = Path(__file__).resolve().parents[3] / "plugins" / "esco" / "data"
TABLES = (
    "esco_concepts",
    "esco_labels",
    "esco_label_words",
    "esco_descriptions",
    "esco_broader",
    "esco_closure",
    "esco_collection_members",
    "esco_occupation_skills",
)


class Esco:
    """Imports and counts through the app's own session factory, committed like the CLI."""

    def __init__(self, registry):
        self.registry = registry
        self.opened = []

    def session(self):
        return self.registry["col.session_factory"]()

    def load(self, *folders: str, version: str | None = None):
        for folder in folders:
            with self.session() as session:
                import_download(session, str(DATA / folder), version=version)
                session.commit()

    def counts(self) -> dict[str, int]:
        with self.session() as session:
            return {
                name: session.scalar(select(func.count()).select_from(table(name)))
                for name in TABLES
            }

    def request(self, tenant=None, user_id=None):
        """A request on a city with a real transaction; commit with ``request.tm.commit()``."""
        env = prepare(registry=self.registry, request=Request.blank("/"))
        self.opened.append(env)
        request = env["request"]
        request.tenant = tenant
        request.tm.begin()
        if tenant is not None:
            set_tenant(request.dbsession, tenant.id)
        return request

    def close(self) -> None:
        """End every request's transaction: an open one would block the next test's TRUNCATE
        on PostgreSQL."""
        for env in self.opened:
            with contextlib.suppress(NoTransaction):  # committed already
                env["request"].tm.abort()
            env["closer"]()


@pytest.fixture
def esco(registry):
    made = Esco(registry)
    yield made
    made.close()


@pytest.fixture
def city(factories):
    return factories.tenant("gent", locales=["nl", "fr", "en"], default_locale="nl")
