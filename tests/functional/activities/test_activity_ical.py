"""iCalendar: "add to calendar" for one activity and feeds of several; parsed back with icalendar."""

import datetime as dt
import zoneinfo

import icalendar

from col_core.activities.ical import activities_to_ical

from .activities_testing import in_days

VILNIUS = zoneinfo.ZoneInfo("Europe/Vilnius")


def test_activity_ics_parses_with_the_city_timezone(make_activity, people, city):
    starts = in_days(4)
    activity = make_activity(title="Pottery", starts=starts, hours=2)
    response = people.client(city).get(f"/activities/{activity.id}.ics")
    assert response.content_type == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.body)
    [timezone] = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Europe/Vilnius"
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Pottery"
    assert event["DTSTART"].params["TZID"] == "Europe/Vilnius"
    assert event["DTSTART"].dt == starts.astimezone(VILNIUS)
    assert event["DTEND"].dt - event["DTSTART"].dt == dt.timedelta(hours=2)
    assert str(event["URL"]).endswith(f"/activities/{activity.id}")
    assert str(event["LOCATION"]) == "Town hall"
    assert event["UID"].startswith(f"activity-{activity.id}-session-")


def test_feed_has_one_event_per_session(tenant_request, make_activity, city):
    first, second = make_activity(title="One"), make_activity(title="Two", starts=in_days(9))
    with tenant_request(city) as request:
        activities = [request.dbsession.merge(a) for a in (first, second)]
        body = activities_to_ical(request, activities, name="Search")
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Search"
    assert sorted(str(e["SUMMARY"]) for e in calendar.walk("VEVENT")) == ["One", "Two"]


def test_drafts_and_private_activities_have_no_public_ics(make_activity, people, city):
    client = people.client(city)
    client.get(f"/activities/{make_activity(status='draft').id}.ics", status=404)
    private = make_activity(visibility="private", invitation_token="t0ken")
    client.get(f"/activities/{private.id}.ics", status=404)
    assert client.get(f"/activities/{private.id}.ics?invite=t0ken").status_int == 200


def test_text_that_ical_must_escape_comes_back_unchanged(make_activity, people, city, org, staff):
    # Finding 10: a newline in a title broke the activity's .ics.  Titles are one line now
    # (refused below), but rows stored before may hold anything text fields allowed.
    organiser_name = 'Youth centre; "Vilnius", east'
    activity = make_activity(
        title='Robots\nand, more; \\ "quotes"',
        address="Town hall\nRoom 2",
        description="<p>Paint &amp; clay, <b>bring</b> an apron</p>",
        organisation=people.organisation(city, name=organiser_name),
    )
    response = people.client(city).get(f"/activities/{activity.id}.ics")
    [event] = icalendar.Calendar.from_ical(response.body).walk("VEVENT")
    assert str(event["SUMMARY"]) == activity.title
    assert str(event["LOCATION"]) == "Town hall\nRoom 2"
    assert str(event["DESCRIPTION"]).startswith("Paint & clay, bring an apron\n\n")
    assert event["ORGANIZER"].params["CN"] == organiser_name
    # And a newline is no longer accepted in a title.
    draft = staff.post_json(
        "/api/v1/activities", {"organisation_id": org.id, "title": "Two\nlines"}
    ).json
    assert draft["fields"] == {"title": "Write this on a single line."}
