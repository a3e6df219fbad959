"""Organisers draft, autosave, edit, publish, duplicate and archive activities through the API."""

import datetime as dt

import pytest

from col_core.db.meta import utcnow

from .activities_testing import in_days, local, publishable


def create(staff, org, **body):
    return staff.post_json("/api/v1/activities", {"organisation_id": org.id, **body}).json


def published(staff, org, **overrides):
    draft = create(staff, org, **publishable(**overrides))
    return staff.post(f"/api/v1/activities/{draft['activity']['id']}/publish").json


def test_create_saves_a_draft_even_with_bad_fields(staff, org, openapi):
    response = openapi(
        staff.post_json(
            "/api/v1/activities",
            {"organisation_id": org.id, "title": "Robots", "latitude": "north", "capacity": 0},
        )
    )
    assert response.status_int == 201
    assert response.json["activity"]["status"] == "draft"
    assert response.json["activity"]["title"] == "Robots"
    assert set(response.json["fields"]) == {"latitude", "capacity"}


def test_create_needs_an_organisation_of_this_city(staff, factories, people, openapi):
    elsewhere = factories.tenant("riga")
    foreign = people.organisation(elsewhere)
    response = openapi(
        staff.post_json("/api/v1/activities", {"organisation_id": foreign.id}, status=422)
    )
    assert "organisation_id" in response.json["fields"]


def test_create_refuses_non_members(people, city, org, openapi):
    outsider = people.client(city, people.user())
    response = openapi(
        outsider.post_json("/api/v1/activities", {"organisation_id": org.id}, status=403)
    )
    assert response.json["error"]


def test_create_refuses_a_body_that_is_not_an_object(staff):
    response = staff.post(
        "/api/v1/activities", "[1, 2]", content_type="application/json", status=400
    )
    assert response.json["error"] == "Send a JSON object as the request body."


def test_autosave_keeps_valid_fields_and_reports_the_others(staff, org, openapi):
    draft = create(staff, org)["activity"]
    response = openapi(
        staff.put_json(
            f"/api/v1/activities/{draft['id']}/draft",
            {"title": "Street art walk", "contact_email": "not-an-email", "category": "arts"},
        )
    )
    assert response.json["activity"]["title"] == "Street art walk"
    assert response.json["activity"]["category"] == "arts"
    assert response.json["activity"]["contact_email"] == ""
    assert "email" in response.json["fields"]["contact_email"]


def test_autosave_is_only_for_drafts(staff, org, openapi):
    activity = published(staff, org)
    response = openapi(
        staff.put_json(
            f"/api/v1/activities/{activity['id']}/draft", {"title": "Half-typed"}, status=409
        )
    )
    assert "drafts" in response.json["error"]
    assert staff.get(f"/api/v1/activities/{activity['id']}").json["title"] == activity["title"]


def test_description_is_sanitised(staff, org):
    draft = create(
        staff,
        org,
        description='<p onclick="x()">Hi <script>alert(1)</script>'
        '<a href="javascript:alert(1)">me</a></p>',
    )
    assert (
        draft["activity"]["description"] == '<p>Hi <a rel="noopener noreferrer nofollow">me</a></p>'
    )


def test_publish_validates_and_lists_every_missing_field(staff, org, openapi):
    draft = create(staff, org)["activity"]
    response = openapi(staff.post(f"/api/v1/activities/{draft['id']}/publish", status=422))
    assert {
        "title",
        "description",
        "contact_email",
        "category",
        "schedule",
        "address",
        "latitude",
    } <= set(response.json["fields"])
    assert staff.get(f"/api/v1/activities/{draft['id']}").json["status"] == "draft"


def test_publish_computes_sessions_in_the_city_timezone(staff, org, openapi, hooks):
    body = publishable(
        schedule={"sessions": [{"start": "2027-01-15T18:00", "end": "2027-01-15T20:00"}]}
    )
    draft = create(staff, org, **body)
    assert draft["fields"] == {}
    activity = openapi(staff.post(f"/api/v1/activities/{draft['activity']['id']}/publish")).json
    assert activity["status"] == "published"
    assert activity["published_at"]
    # Vilnius is UTC+2 in winter.
    assert activity["sessions"][0]["starts_at"] == "2027-01-15T16:00:00+00:00"
    assert activity["starts_at"] == "2027-01-15T16:00:00+00:00"
    assert activity["duration_minutes"] == 120
    assert hooks.of("col_activity_published") == [(activity["id"], None, None)]


def test_recurring_schedule_makes_one_session_per_occurrence(staff, org):
    activity = published(
        staff,
        org,
        schedule_kind="recurring",
        schedule={
            "start": "2027-03-18T18:00",
            "end": "2027-03-18T19:30",
            "rrule": "FREQ=WEEKLY;COUNT=3",
        },
    )
    # Lithuania moves to summer time on 28 March: the wall-clock time stays 18:00.
    assert [s["starts_at"] for s in activity["sessions"]] == [
        "2027-03-18T16:00:00+00:00",
        "2027-03-25T16:00:00+00:00",
        "2027-04-01T15:00:00+00:00",
    ]
    assert activity["ends_at"] == "2027-04-01T16:30:00+00:00"


def test_always_open_activity_has_no_dates_and_never_expires(staff, org):
    activity = published(staff, org, schedule_kind="always_open", schedule={})
    assert activity["sessions"] == [] and activity["ends_at"] is None
    assert activity["expired"] is False


def test_online_activity_needs_a_join_link_not_an_address(staff, org):
    draft = create(
        staff, org, **publishable(online=True, address="", latitude=None, longitude=None)
    )
    response = staff.post(f"/api/v1/activities/{draft['activity']['id']}/publish", status=422)
    assert set(response.json["fields"]) == {"join_url"}


START = local(in_days(5))
END = local(in_days(5, hour=18))
BAD_SCHEDULES = [
    ("single", {"sessions": [{"start": START, "end": START}]}, "end after it starts"),
    ("single", {"sessions": [{"start": "tomorrow", "end": END}]}, "is not a date"),
    (
        "single",
        {"sessions": [{"start": START, "end": END}, {"start": START, "end": END}]},
        "exactly one session",
    ),
    ("multi_session", {"sessions": []}, "at least one session"),
    ("recurring", {"start": START, "end": END, "rrule": "FREQ=DAILY"}, "must end"),
    ("recurring", {"start": START, "end": END, "rrule": "FREQ=SOMETIMES;COUNT=2"}, "not valid"),
    ("recurring", {"start": START, "end": END, "rrule": "FREQ=DAILY;COUNT=500"}, "more than 200"),
    (
        "single",
        {"sessions": [{"start": "2020-01-01T10:00", "end": "2020-01-01T12:00"}]},
        "in the past",
    ),
]


@pytest.mark.parametrize("kind, schedule, message", BAD_SCHEDULES)
def test_publish_refuses_bad_schedules(staff, org, kind, schedule, message):
    draft = create(staff, org, **publishable(schedule_kind=kind, schedule=schedule))
    response = staff.post(f"/api/v1/activities/{draft['activity']['id']}/publish", status=422)
    assert set(response.json["fields"]) == {"schedule"}
    assert message in response.json["fields"]["schedule"]


BAD_FIELDS = [
    ("type", "party"),
    ("title", "x" * 201),
    ("category", "cooking"),
    ("visibility", "secret"),
    ("schedule_kind", "sometimes"),
    ("schedule", "every day"),
    ("latitude", 91),
    ("longitude", "east"),
    ("join_url", "javascript:alert(1)"),
    ("age_min", -1),
    ("age_max", "old"),
    ("price_cents", -5),
    ("price_cents", True),
    ("currency", "XYZ"),
    ("languages", ["zz-notalanguage"]),
    ("capacity", 0),
    ("accessibility", ["lift"]),
    ("contact_email", "nobody"),
    ("booking_url", "ftp://example.org/x"),
    ("resources", [{"kind": "video", "url": "https://evil.example/v/1"}]),
    ("resources", [{"kind": "link", "title": "No address"}]),
    ("resources", "many"),
    ("co_organisers", [999999]),
    ("skills", [{"uri": "not a uri"}]),
    ("online", "perhaps"),
    ("description", 42),
    ("duration_minutes", 10**9),
]


@pytest.mark.parametrize("field, value", BAD_FIELDS, ids=lambda v: repr(v)[:30])
def test_update_refuses_each_bad_field_and_changes_nothing(staff, org, field, value, openapi):
    activity = published(staff, org)
    response = openapi(
        staff.patch_json(
            f"/api/v1/activities/{activity['id']}", {"title": "Changed", field: value}, status=422
        )
    )
    assert field in response.json["fields"]
    assert response.json["fields"][field]
    assert staff.get(f"/api/v1/activities/{activity['id']}").json["title"] == activity["title"]


def test_update_keeps_a_published_activity_publishable(staff, org):
    activity = published(staff, org)
    response = staff.patch_json(f"/api/v1/activities/{activity['id']}", {"title": ""}, status=422)
    assert set(response.json["fields"]) == {"title"}


def test_update_refuses_ages_in_the_wrong_order(staff, org):
    activity = published(staff, org)
    response = staff.patch_json(
        f"/api/v1/activities/{activity['id']}", {"age_min": 18, "age_max": 12}, status=422
    )
    assert set(response.json["fields"]) == {"age_max"}


def test_update_changes_fields_and_recomputes_sessions(staff, org, openapi):
    activity = published(staff, org)
    changed = openapi(
        staff.patch_json(
            f"/api/v1/activities/{activity['id']}",
            {
                "title": "Weather station, part 2",
                "schedule_kind": "multi_session",
                "schedule": {
                    "sessions": [
                        {"start": "2027-02-01T10:00", "end": "2027-02-01T12:00"},
                        {"start": "2027-02-08T10:00", "end": "2027-02-08T12:00"},
                    ]
                },
                "resources": [
                    {"kind": "video", "title": "Intro", "url": "https://youtu.be/dQw4w9WgXcQ"}
                ],
                "price_cents": 500,
                "co_organisers": [],
            },
        )
    ).json
    assert changed["title"] == "Weather station, part 2"
    assert len(changed["sessions"]) == 2
    assert changed["ends_at"] == "2027-02-08T10:00:00+00:00"
    assert changed["resources"][0]["url"] == "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    assert changed["free"] is False


def test_co_organisers_are_other_organisations_of_the_city(staff, org, people, city):
    partner = people.organisation(city, name="City Library")
    activity = published(staff, org, co_organisers=[partner.id])
    assert activity["co_organisers"] == [{"id": partner.id, "name": "City Library"}]
    response = staff.patch_json(
        f"/api/v1/activities/{activity['id']}", {"co_organisers": [org.id]}, status=422
    )
    assert "co_organisers" in response.json["fields"]


def test_unverified_organisation_may_not_publish_when_the_city_says_so(
    people, factories, city, openapi
):
    city.settings = {**city.settings, "unverified_organisations_can_publish": False}
    factories.save(city)
    unverified = people.organisation(city, verified_at=None)
    client = people.client(city, people.member(city, unverified))
    draft = client.post_json(
        "/api/v1/activities", {"organisation_id": unverified.id, **publishable()}
    ).json["activity"]
    openapi(client.post(f"/api/v1/activities/{draft['id']}/publish", status=403))
    assert client.get(f"/api/v1/activities/{draft['id']}").json["status"] == "draft"


def test_unverified_organisation_publishes_by_default_once_it_is_a_day_old(people, city, factories):
    unverified = people.organisation(
        city, verified_at=None, created_at=utcnow() - dt.timedelta(hours=25)
    )
    client = people.client(city, people.member(city, unverified))
    draft = client.post_json(
        "/api/v1/activities", {"organisation_id": unverified.id, **publishable()}
    ).json["activity"]
    assert client.post(f"/api/v1/activities/{draft['id']}/publish").json["status"] == "published"


def test_a_new_accounts_new_organisation_does_not_reach_the_map_at_once(
    people, city, factories, openapi
):
    """Issue #14: an account signed up a minute ago published on the map at once."""
    newcomer = people.user()
    organisation = people.organisation(city, verified_at=None)  # registered just now
    people.member(city, organisation, newcomer)
    client = people.client(city, newcomer)
    draft = client.post_json(
        "/api/v1/activities", {"organisation_id": organisation.id, **publishable()}
    ).json["activity"]
    refused = openapi(client.post(f"/api/v1/activities/{draft['id']}/publish", status=403))
    assert "New organisations can publish 24 hours after they register" in refused.json["error"]
    assert "Yours can publish in 24 hours" in refused.json["error"]
    # The organiser's page says why there is no Publish button, and what to do.
    page = client.get(f"/activities/{draft['id']}/edit")
    assert "send the city a document" in page.text and 'value="publish"' not in page.text
    assert draft["id"] not in [a["id"] for a in client.get("/api/v1/activities").json["items"]]
    # The city verifies the organisation: it publishes at once.
    with factories.within(city):
        organisation.verified_at = utcnow()
        factories.save(organisation)
    assert client.post(f"/api/v1/activities/{draft['id']}/publish").json["status"] == "published"


def test_duplicate_makes_a_draft_copy(staff, org, openapi):
    activity = published(staff, org)
    copy = openapi(staff.post(f"/api/v1/activities/{activity['id']}/duplicate")).json
    assert copy["id"] != activity["id"]
    assert copy["status"] == "draft"
    assert copy["title"] == f"Copy of {activity['title']}"
    assert copy["sessions"][0]["starts_at"] == activity["sessions"][0]["starts_at"]


def test_archive_leaves_discovery_but_stays_on_record(staff, org, people, city, openapi):
    activity = published(staff, org)
    learner = people.client(city, people.user())
    assert [a["id"] for a in learner.get("/api/v1/activities").json["items"]] == [activity["id"]]
    openapi(staff.post(f"/api/v1/activities/{activity['id']}/archive"))
    assert learner.get("/api/v1/activities").json["items"] == []
    assert staff.get(f"/api/v1/activities/{activity['id']}").json["status"] == "archived"
    assert learner.post(f"/api/v1/activities/{activity['id']}/participation", status=404)


def test_expired_activity_leaves_discovery_but_stays_on_record(make_activity, staff, openapi):
    ended = make_activity(starts=in_days(-3))
    upcoming = make_activity(starts=in_days(2))
    items = openapi(staff.get("/api/v1/activities")).json["items"]
    assert [a["id"] for a in items] == [upcoming.id]
    record = staff.get(f"/api/v1/activities/{ended.id}").json
    assert record["expired"] is True


def test_organisation_dashboard_lists_drafts_for_members_only(staff, org, people, city, openapi):
    draft = create(staff, org, title="Secret plan")["activity"]
    listing = openapi(staff.get(f"/api/v1/organisations/{org.slug}/activities")).json
    assert [a["id"] for a in listing["items"]] == [draft["id"]]
    outsider = people.client(city, people.user())
    outsider.get(f"/api/v1/organisations/{org.slug}/activities", status=403)
    outsider.get(f"/api/v1/activities/{draft['id']}", status=404)


@pytest.mark.parametrize(
    "method, path",
    [
        ("patch_json", "/api/v1/activities/{id}"),
        ("put_json", "/api/v1/activities/{id}/draft"),
        ("post_json", "/api/v1/activities/{id}/publish"),
        ("post_json", "/api/v1/activities/{id}/archive"),
        ("post_json", "/api/v1/activities/{id}/duplicate"),
    ],
)
def test_only_members_of_the_owning_organisation_may_change_it(
    staff, org, people, city, method, path
):
    activity = published(staff, org)
    other = people.organisation(city, name="Other club")
    for client in (
        people.client(city),
        people.client(city, people.user()),
        people.client(city, people.member(city, other)),
    ):
        response = getattr(client, method)(
            path.format(id=activity["id"]), {"title": "Hijacked"}, status=(401, 403)
        )
        assert set(response.json) == {"error", "fields"}
    assert staff.get(f"/api/v1/activities/{activity['id']}").json["title"] == activity["title"]


def test_private_activity_needs_its_invitation(staff, org, people, city):
    activity = published(staff, org, visibility="private")
    token = activity["invitation_token"]
    assert token
    learner = people.client(city, people.user(birth_date=dt.date(2012, 1, 1)))
    learner.get(f"/api/v1/activities/{activity['id']}", status=404)
    assert learner.get("/api/v1/activities").json["items"] == []
    seen = learner.get(f"/api/v1/activities/{activity['id']}?invite={token}").json
    assert "invitation_token" not in seen
    learner.post(f"/api/v1/activities/{activity['id']}/participation?invite={token}")
    assert learner.get(f"/api/v1/activities/{activity['id']}").json["id"] == activity["id"]
