"""Helpers for the activities tests (imported by their conftest and test modules)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from col_core.db.meta import utcnow
from col_core.hookspecs import hookimpl

CATEGORIES = [{"slug": "science", "names": {"en": "Science"}}, {"slug": "arts"}]


def in_days(days: float, hour: int = 16) -> dt.datetime:
    moment = utcnow() + dt.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def local(moment: dt.datetime) -> str:
    """A UTC moment as Vilnius wall-clock time, the way a form sends it."""
    return moment.astimezone(zoneinfo.ZoneInfo("Europe/Vilnius")).strftime("%Y-%m-%dT%H:%M")


def new_draft(staff, org, title="Board games night"):
    """The edit page of a new draft, started from the organisation's activities page."""
    page = staff.get(f"/organisations/{org.slug}/activities")
    form = [f for f in page.forms.values() if f.action.endswith("/activities/new")][0]
    form["title"] = title
    return form.submit(status=303).follow()


def fill(form, **fields):
    for name, value in fields.items():
        form[name] = value
    return form


def publishable(**overrides) -> dict:
    """A complete JSON body for an activity that can be published."""
    start = in_days(7)
    body = {
        "type": "workshop",
        "title": "Build a weather station",
        "description": "<p>Solder sensors and <b>log data</b>.</p>",
        "category": "science",
        "schedule_kind": "single",
        "schedule": {
            "sessions": [{"start": local(start), "end": local(start + dt.timedelta(hours=2))}]
        },
        "address": "Gedimino pr. 1, Vilnius",
        "latitude": 54.6872,
        "longitude": 25.2797,
        "contact_email": "hello@example.org",
        "languages": ["lt", "en"],
        "capacity": 12,
        "accessibility": ["step_free"],
        "age_min": 12,
        "age_max": 18,
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
            self.calls.append(
                (
                    name,
                    activity.id,
                    participation.user_id if participation else None,
                    participation.status if participation else None,
                )
            )

        return record

    col_activity_published = _impl("col_activity_published")
    col_activity_joined = _impl("col_activity_joined")
    col_activity_completed = _impl("col_activity_completed")

    def of(self, name):
        return [call[1:] for call in self.calls if call[0] == name]
