"""Helpers for the activities tests (imported by their conftest and test modules)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from col_core.db.meta import utcnow
from col_core.hookspecs import hookimpl
from col_core.security.models import ApiToken, Membership, Organisation, User
from col_core.security.tokens import API_TOKEN_PREFIX, digest, new_secret

CATEGORIES = [{"slug": "science", "names": {"en": "Science"}}, {"slug": "arts"}]


class People:
    """Accounts, organisations and API clients, made as real rows."""

    def __init__(self, factories, testapp):
        self.factories = factories
        self.testapp = testapp

    def user(self, name="learner", **fields) -> User:
        number = self.factories.next()
        values = {"email": f"{name}{number}@example.org", "display_name": f"{name.title()} {number}",
                  "email_verified_at": utcnow()}
        values.update(fields)
        return self.factories.save(User(**values))

    def organisation(self, tenant, name="Science Club", **fields) -> Organisation:
        slug = f"org-{self.factories.next()}"
        with self.factories.within(tenant):
            return self.factories.save(Organisation(
                name=name, slug=slug, **{"verified_at": utcnow(), **fields}))

    def member(self, tenant, organisation, user=None, role="owner") -> User:
        user = user or self.user("organiser")
        with self.factories.within(tenant):
            self.factories.save(Membership(organisation_id=organisation.id, user_id=user.id,
                                           role=role))
        return user

    def client(self, tenant, user=None):
        """A webtest client for the city, signed in as ``user`` with a write API token."""
        app = self.testapp.for_tenant(tenant)
        if user is not None:
            secret = API_TOKEN_PREFIX + new_secret()
            self.factories.save(ApiToken(user_id=user.id, name="tests", scope="write",
                                         token_hash=digest(secret)))
            app.authorization = ("Bearer", secret)
        return app


def in_days(days: float, hour: int = 16) -> dt.datetime:
    moment = utcnow() + dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def local(moment: dt.datetime) -> str:
    """A UTC moment as Vilnius wall-clock time, the way a form sends it."""
    return moment.astimezone(zoneinfo.ZoneInfo("Europe/Vilnius")).strftime("%Y-%m-%dT%H:%M")


def publishable(**overrides) -> dict:
    """A complete JSON body for an activity that can be published."""
    start = in_days(7)
    body = {
        "type": "workshop", "title": "Build a weather station",
        "description": "<p>Solder sensors and <b>log data</b>.</p>", "category": "science",
        "schedule_kind": "single",
        "schedule": {"sessions": [{"start": local(start),
                                   "end": local(start + dt.timedelta(hours=2))}]},
        "address": "Gedimino pr. 1, Vilnius", "latitude": 54.6872, "longitude": 25.2797,
        "contact_email": "hello@example.org", "languages": ["lt", "en"], "capacity": 12,
        "accessibility": ["step_free"], "age_min": 12, "age_max": 18,
    }
    body.update(overrides)
    return body


class HookRecorder:
    """A plugin that records the activity domain events it receives."""

    def __init__(self):
        self.calls = []

    @staticmethod
    def _impl(name):
        @hookimpl(specname=name)
        def record(self, request, activity, participation=None):
            self.calls.append((name, activity.id, participation.user_id if participation else None,
                               participation.status if participation else None))
        return record

    col_activity_published = _impl("col_activity_published")
    col_activity_joined = _impl("col_activity_joined")
    col_activity_completed = _impl("col_activity_completed")

    def of(self, name):
        return [call[1:] for call in self.calls if call[0] == name]
