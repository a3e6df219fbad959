"""iCalendar (RFC 5545) for "add to calendar" and activity feeds.

Each session is one VEVENT in the city's timezone (a VTIMEZONE is included, so calendars show
the right local time); always-open activities have no dates and are left out.
"""

from __future__ import annotations

import zoneinfo

import icalendar
from pyramid.i18n import TranslationStringFactory

from col_core.activities.content import plain_text
from col_core.activities.schedule import as_utc
from col_core.db.meta import utcnow

_ = TranslationStringFactory("col")


def activities_to_ical(request, activities, name: str | None = None, url_of=None) -> bytes:
    """An iCalendar document of every session of ``activities`` (already filtered by the caller
    to what the requester may see).  Reused by discovery for search results; ``url_of(activity)``
    gives each one's page (the global site's: on its city's host)."""
    tenant = request.tenant
    tz = zoneinfo.ZoneInfo(tenant.timezone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Cities of Learning//col//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # An X- property is written as is unless it is given as text, which icalendar escapes.
    calendar.add("x-wr-calname", icalendar.vText(name or tenant.display_name(request.locale_name)))
    calendar.add("x-wr-timezone", tenant.timezone)
    stamp = utcnow()
    sessions = [(activity, session) for activity in activities for session in activity.sessions]
    if sessions:
        first = min(as_utc(s.starts_at) for _a, s in sessions)
        last = max(as_utc(s.ends_at) for _a, s in sessions)
        # Only the years the sessions need, so the VTIMEZONE stays small.
        calendar.add_component(
            icalendar.Timezone.from_tzinfo(
                tz,
                tzid=tenant.timezone,
                first_date=first.date().replace(month=1, day=1),
                last_date=last.date().replace(month=12, day=31),
            )
        )
    host = request.host.split(":")[0]
    online = request.localizer.translate(_("Online"))
    for activity, session in sessions:
        event = icalendar.Event()
        event.add("uid", f"activity-{activity.id}-session-{session.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", as_utc(session.starts_at).astimezone(tz))
        event.add("dtend", as_utc(session.ends_at).astimezone(tz))
        event.add("summary", activity.title)
        url = url_of(activity) if url_of else request.route_url("activity", id=activity.id)
        event.add("description", f"{plain_text(activity.description)}\n\n{url}".strip())
        event.add("url", url)
        location = activity.address or (online if activity.online else "")
        if location:
            event.add("location", location)
        if activity.latitude is not None and activity.longitude is not None:
            event.add("geo", (activity.latitude, activity.longitude))
        if activity.category:
            event.add("categories", [activity.category])
        if activity.contact_email:
            event.add(
                "organizer",
                f"mailto:{activity.contact_email}",
                parameters={"cn": activity.organisation.name},
            )
        event.add("status", "CANCELLED" if activity.status == "archived" else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
