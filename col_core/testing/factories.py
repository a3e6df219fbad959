"""Factories for test data: real rows, committed, made through the app's own session factory.

``factories.tenant("vilnius")`` makes a city; tenant-owned objects are made for a tenant with
``with factories.within(tenant): ...`` (or by passing ``tenant=``), so they are stamped exactly
as the app would stamp them.  Plugins add their own factories on top of ``factories.session``.
"""

from __future__ import annotations

import contextlib
import itertools

from col_core.tenancy.models import Tenant
from col_core.tenancy.scoping import tenant_context

_sequence = itertools.count(1)


class Factories:
    def __init__(self, registry):
        self.registry = registry
        self.session = registry["col.session_factory"]()

    def __enter__(self) -> "Factories":
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
        values = {"name": slug.replace("-", " ").title(), "kind": "city", "country": "LT",
                  "timezone": "Europe/Vilnius", "locales": ["en", "lt"], "default_locale": "en"}
        values.update(fields)
        return self.save(Tenant(slug=slug, **values))

    def global_site(self, **fields) -> Tenant:
        return self.tenant("global", kind="global", name="Cities of Learning",
                           locales=["en", "de", "es", "lt", "nl", "fr"], **fields)
