"""Factories for test data: real rows, committed, made through the app's own session factory.

On PostgreSQL the factories' session works as the database's owner, as an administrator setting
up a city would: row-level security (which binds the app's own role) does not stand in the way
of set-up, while the ORM wall stamps and checks every row as it does for the app.

``factories.tenant("vilnius")`` makes a city; tenant-owned objects are made for a tenant with
``with factories.within(tenant): ...`` (or by passing ``tenant=``), so they are stamped exactly
as the app would stamp them.  The core's main models have a factory each (``organisation``,
``activity``, ``activity_session``, ``participation``; people and signed-in clients come from
``col_core.testing.people``).  Plugins add their own factories on top of ``factories.session``
(``plugins/badges/testing.py``: badge classes and awards).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools

from col_core.activities.models import Activity, ActivitySession, Participation
from col_core.db import make_engine
from col_core.db.meta import utcnow
from col_core.organisations.models import Organisation
from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import tenant_context

_sequence = itertools.count(1)


def owner_engine(registry):
    """The engine of ``col.database_owner_url`` (the app's own when there is none)."""
    settings = registry.settings
    owner_url = settings.get("col.database_owner_url") or settings["col.database_url"]
    if owner_url == settings["col.database_url"]:
        return registry["col.engine"]
    engine = registry.get("col.testing.owner_engine")
    if engine is None:
        engine = registry["col.testing.owner_engine"] = make_engine(owner_url)
    return engine


class Factories:
    def __init__(self, registry):
        self.registry = registry
        self.session = registry["col.session_factory"](bind=owner_engine(registry))

    def __enter__(self) -> Factories:
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def next(self) -> int:
        return next(_sequence)

    def save(self, *objects):
        self.session.add_all(objects)
        self.session.commit()
        return objects[0] if len(objects) == 1 else objects

    @contextlib.contextmanager
    def within(self, tenant):
        with tenant_context(self.session, tenant):
            yield self

    def tenant(self, slug: str | None = None, **fields) -> Tenant:
        slug = slug or f"city-{self.next()}"
        values = {
            "name": slug.replace("-", " ").title(),
            "kind": "city",
            "country": "LT",
            "timezone": "Europe/Vilnius",
            "locales": ["en", "lt"],
            "default_locale": "en",
        }
        values.update(fields)
        return self.save(Tenant(slug=slug, **values))

    def global_site(self, **fields) -> Tenant:
        return self.tenant(
            "global",
            kind="global",
            name="Cities of Learning",
            locales=["en", "de", "es", "lt", "nl", "fr"],
            **fields,
        )

    def organisation(self, tenant, name: str = "Science Club", **fields) -> Organisation:
        """A verified organisation of ``tenant`` (``verified_at=None`` for one waiting)."""
        number = self.next()
        values = {
            "slug": f"org-{number}",
            "verified_at": utcnow(),
            "contact_email": f"contact{number}@example.org",
        }
        values.update(fields)
        with self.within(tenant):
            return self.save(Organisation(name=name, **values))

    def activity(self, tenant, organisation, title: str = "Open lab", **fields) -> Activity:
        """A published activity (always open unless ``fields`` give dates)."""
        values = {"status": "published", "published_at": utcnow(), "schedule_kind": "always_open"}
        values.update(fields)
        with self.within(tenant):
            return self.save(Activity(organisation_id=organisation.id, title=title, **values))

    def activity_session(
        self, tenant, activity, starts_at: dt.datetime | None = None, hours: float = 2
    ) -> ActivitySession:
        """One session of ``activity`` (starting in a day unless ``starts_at`` says when)."""
        starts_at = starts_at or utcnow() + dt.timedelta(days=1)
        ends_at = starts_at + dt.timedelta(hours=hours)
        with self.within(tenant):
            return self.save(
                ActivitySession(activity_id=activity.id, starts_at=starts_at, ends_at=ends_at)
            )

    def participation(self, tenant, activity, user, **fields) -> Participation:
        """``user`` joined ``activity`` (``status="waitlisted"`` and so on in ``fields``)."""
        with self.within(tenant):
            return self.save(Participation(activity_id=activity.id, user_id=user.id, **fields))
