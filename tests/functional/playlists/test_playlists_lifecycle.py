"""Other organisations' consent, expiry and archiving, pausing, and `col playlists notify`."""

from __future__ import annotations

import datetime as dt

from col_core.db.meta import utcnow
from col_core.tenancy.scoping import get_city_row
from plugins.playlists.models import Playlist


def _status(factories, city, playlist_id):
    with factories.within(city):
        factories.session.expire_all()
        return get_city_row(factories.session, Playlist, playlist_id).status


def test_other_organisations_activity_waits_for_consent(
    world, city, staff, make_playlist, activities, outbox
):
    library = world.organisation(city, "City Library")
    librarian = world.organiser(city, library)
    book_club = world.activity(city, library, "Book club")
    playlist = make_playlist([activities[0], book_club], publish=False)
    item = staff.get(f"/api/v1/playlists/{playlist}").json["items"][1]
    assert item["acceptance"] == "pending"
    [mail] = [m for m in outbox.messages() if m["To"] == librarian.email]
    assert "Your activity was added to a playlist" in mail["Subject"]
    assert f"/playlists/items/{item['id']}/consent" in mail.get_content()


def test_the_other_organisation_declines_and_the_owner_is_told(
    world, city, staff, organiser, make_playlist, activities, outbox
):
    library = world.organisation(city, "City Library")
    librarian = world.client(city, world.organiser(city, library))
    book_club = world.activity(city, library, "Book club")
    playlist = make_playlist([activities[0], book_club], [True, False])
    item = staff.get(f"/api/v1/playlists/{playlist}").json["items"][1]
    answer = librarian.post_json(
        f"/api/v1/playlist-items/{item['id']}/consent", {"accept": False}
    ).json
    assert answer["acceptance"] == "declined"
    assert any(m["To"] == organiser.email and "declined" in m["Subject"] for m in outbox.messages())


def test_only_the_activitys_organisation_may_answer(world, city, staff, make_playlist, activities):
    library = world.organisation(city, "City Library")
    book_club = world.activity(city, library, "Book club")
    playlist = make_playlist([activities[0], book_club], publish=False)
    item = staff.get(f"/api/v1/playlists/{playlist}").json["items"][1]
    staff.post_json(f"/api/v1/playlist-items/{item['id']}/consent", {"accept": True}, status=403)


def test_consent_needs_a_yes_or_no(world, city, staff, make_playlist, activities):
    library = world.organisation(city, "City Library")
    librarian = world.client(city, world.organiser(city, library))
    book_club = world.activity(city, library, "Book club")
    playlist = make_playlist([activities[0], book_club], publish=False)
    item = staff.get(f"/api/v1/playlists/{playlist}").json["items"][1]
    response = librarian.post_json(
        f"/api/v1/playlist-items/{item['id']}/consent", {"accept": "maybe"}, status=422
    )
    assert response.json["fields"]["accept"] == "Answer true or false."


def test_archived_mandatory_activity_pauses_the_playlist(
    world,
    city,
    factories,
    staff,
    organiser,
    make_playlist,
    activities,
    learner,
    complete,
    outbox,
    run_col,
):
    playlist = make_playlist(activities[:2])
    me = world.client(city, learner)
    me.post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    complete(activities[0], learner)
    staff.post(f"/api/v1/activities/{activities[1].id}/archive", status=200)
    result = run_col("playlists", "notify", "--tenant", "vilnius")
    assert "1 unavailable activities, 1 paused playlists" in result.output
    assert _status(factories, city, playlist) == "paused"
    warnings = [
        m
        for m in outbox.messages()
        if m["To"] == organiser.email and "no longer available" in m["Subject"]
    ]
    assert len(warnings) == 1
    # New learners are refused; the learner in progress keeps the completed item.
    newcomer = world.client(city, world.user())
    refusal = newcomer.post(f"/api/v1/playlists/{playlist}/enrolment", status=409)
    assert refusal.json["error"] == "This playlist does not take new learners at the moment."
    progress = me.get(f"/api/v1/playlists/{playlist}/enrolment").json
    assert progress["percent"] == 50 and len(progress["done"]) == 1
    # Running it again warns nobody twice.
    run_col("playlists", "notify", "--tenant", "vilnius")
    assert len([m for m in outbox.messages() if "no longer available" in m["Subject"]]) == 1


def test_fixing_the_rule_reopens_a_paused_playlist(
    world, city, factories, staff, make_playlist, activities, run_col
):
    ids = [activity.id for activity in activities]  # _status expires the rows
    playlist = make_playlist(activities[:2])
    staff.post(f"/api/v1/activities/{ids[1]}/archive", status=200)
    run_col("playlists", "notify")
    assert _status(factories, city, playlist) == "paused"
    staff.put_json(
        f"/api/v1/playlists/{playlist}/items",
        {"items": [{"activity_id": ids[0]}, {"activity_id": ids[2]}]},
    )
    assert _status(factories, city, playlist) == "published"


def test_expired_optional_activity_only_warns(
    world, city, factories, org, organiser, make_playlist, activities, outbox, run_col
):
    ended = world.activity(city, org, "Past fair", days=-3)
    playlist = make_playlist(
        [activities[0], activities[1], ended], [True, False, False], min_optional=1
    )
    result = run_col("playlists", "notify", "--tenant", "vilnius")
    assert "1 unavailable activities, 0 paused" in result.output
    assert _status(factories, city, playlist) == "published"
    assert any(
        m["To"] == organiser.email and "no longer available" in m["Subject"]
        for m in outbox.messages()
    )


def test_publishing_refuses_when_a_mandatory_activity_has_ended(
    world, city, org, staff, make_playlist, activities
):
    ended = world.activity(city, org, "Past fair", days=-3)
    playlist = make_playlist([activities[0], ended], publish=False)
    fields = staff.post(f"/api/v1/playlists/{playlist}/publish", status=422).json["fields"]
    assert "can no longer be done" in fields["items"]


def test_learners_are_told_when_an_item_opens_and_closes_soon(
    world, city, staff, make_playlist, activities, learner, complete, outbox, run_col
):
    playlist = make_playlist(activities[:2])
    closes = (utcnow() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    staff.put_json(
        f"/api/v1/playlists/{playlist}/items",
        {
            "items": [
                {"activity_id": activities[0].id},
                {
                    "activity_id": activities[1].id,
                    "unlock_after": activities[0].id,
                    "closes_at": closes,
                },
            ]
        },
    )
    world.client(city, learner).post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    run_col("playlists", "notify")
    assert not [m for m in outbox.messages() if m["To"] == learner.email]
    complete(activities[0], learner)
    run_col("playlists", "notify")
    run_col("playlists", "notify")
    closing = [
        m
        for m in outbox.messages()
        if m["To"] == learner.email and m["Subject"] == "Closing soon: Workshop"
    ]
    assert len(closing) == 1
    assert f"http://vilnius.example.test/playlists/{playlist}" in closing[0].get_content()


def test_notify_for_an_unknown_city(run_col, city):
    result = run_col("playlists", "notify", "--tenant", "atlantis")
    assert result.exit_code != 0
    assert "no city with the slug 'atlantis'" in result.output
