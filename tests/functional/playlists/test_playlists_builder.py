"""Building a playlist through the JSON API: drafts, items, rules, publishing, refusals."""

from __future__ import annotations

import itertools

from sqlalchemy import delete, select

from plugins.playlists.models import Playlist, PlaylistItem


def test_create_a_draft_keeps_valid_fields_and_reports_the_others(staff, org, openapi):
    response = openapi(
        staff.post_json(
            f"/api/v1/organisations/{org.slug}/playlists",
            {"title": "Coding", "visibility": "secret"},
            status=201,
        )
    )
    assert response.json["playlist"]["title"] == "Coding"
    assert response.json["playlist"]["status"] == "draft"
    assert "Choose one of" in response.json["fields"]["visibility"]
    assert "Add at least one activity" in response.json["problems"]["items"]


def test_description_is_sanitised(staff, org):
    response = staff.post_json(
        f"/api/v1/organisations/{org.slug}/playlists",
        {"title": "X", "description": '<p onclick="x()">Hi<script>alert(1)</script></p>'},
    )
    assert response.json["playlist"]["description"] == "<p>Hi</p>"


def test_autosave_a_draft(staff, org, make_playlist, activities):
    playlist = make_playlist(activities[:2], publish=False)
    response = staff.patch_json(
        f"/api/v1/playlists/{playlist}", {"title": "Renamed", "min_optional": "many"}
    )
    assert response.json["playlist"]["title"] == "Renamed"
    assert response.json["fields"]["min_optional"] == "Enter a whole number from 0 to 40."
    assert staff.get(f"/api/v1/playlists/{playlist}").json["title"] == "Renamed"


def test_items_are_ordered_and_marked(staff, make_playlist, activities, openapi):
    playlist = make_playlist(activities[:3], [True, False, True], publish=False, min_optional=1)
    body = openapi(staff.get(f"/api/v1/playlists/{playlist}")).json
    assert [i["title"] for i in body["items"]] == ["Intro", "Workshop", "Talk"]
    assert [i["mandatory"] for i in body["items"]] == [True, False, True]
    reordered = [{"activity_id": activities[2].id}, {"activity_id": activities[0].id}]
    body = openapi(staff.put_json(f"/api/v1/playlists/{playlist}/items", {"items": reordered})).json
    assert [i["title"] for i in body["playlist"]["items"]] == ["Talk", "Intro"]


def test_unlock_order_by_activity(staff, make_playlist, activities):
    playlist = make_playlist(activities[:2], publish=False)
    rows = [
        {"activity_id": activities[0].id},
        {"activity_id": activities[1].id, "unlock_after": activities[0].id},
    ]
    items = staff.put_json(f"/api/v1/playlists/{playlist}/items", {"items": rows}).json["playlist"][
        "items"
    ]
    assert items[1]["unlock_after"] == items[0]["id"]


def _unlocking_in_turn(staff, playlist, activities) -> None:
    """The playlist's items become ``activities``, each unlocking after the one before."""
    rows = [{"activity_id": activities[0].id}] + [
        {"activity_id": later.id, "unlock_after": earlier.id}
        for earlier, later in itertools.pairwise(activities)
    ]
    staff.put_json(f"/api/v1/playlists/{playlist}/items", {"items": rows})


def test_removing_items_others_unlock_after_keeps_those_without_the_condition(
    staff, make_playlist, activities
):
    """The key naming the item to unlock after has no ON DELETE action: the builder forgets
    it first, also between two items going together."""
    playlist = make_playlist(activities[:1], publish=False)
    _unlocking_in_turn(staff, playlist, activities[:3])
    items = staff.put_json(
        f"/api/v1/playlists/{playlist}/items", {"items": [{"activity_id": activities[2].id}]}
    ).json["playlist"]["items"]
    assert [(item["title"], item["unlock_after"]) for item in items] == [("Talk", None)]


def test_deleting_a_playlist_deletes_its_items_unlocking_after_each_other(
    factories, city, staff, make_playlist, activities
):
    """As an organisation's or a city's deletion does: the database cascades, in one statement
    (the items' keys to each other are checked once it has deleted them all)."""
    playlist = make_playlist(activities[:1], publish=False)
    _unlocking_in_turn(staff, playlist, activities[:3])
    with factories.within(city):
        factories.session.execute(delete(Playlist).where(Playlist.id == playlist))
        assert factories.session.scalars(select(PlaylistItem)).all() == []


def test_rule_problems_are_reported_while_drafting(staff, make_playlist, activities):
    playlist = make_playlist(activities[:3], [True, False, False], publish=False)
    problems = staff.patch_json(
        f"/api/v1/playlists/{playlist}", {"min_optional": 3, "groups": {"pick": 4}}
    ).json["problems"]
    assert problems["min_optional"] == "The rule needs 3 optional items but only 2 exist."
    assert problems["groups.pick"] == "Group “pick” asks for 4 of its items but has only 0."


def test_unlock_cycle_is_reported(staff, make_playlist, activities):
    playlist = make_playlist(activities[:2], publish=False)
    rows = [
        {"activity_id": activities[0].id, "unlock_after": activities[1].id},
        {"activity_id": activities[1].id, "unlock_after": activities[0].id},
    ]
    problems = staff.put_json(f"/api/v1/playlists/{playlist}/items", {"items": rows}).json[
        "problems"
    ]
    assert (
        problems["unlock_after"]
        == "The unlocking order goes round in a circle: Intro → Workshop → Intro."
    )


def test_publishing_refuses_a_broken_rule(staff, make_playlist, activities, openapi):
    playlist = make_playlist(activities[:2], [True, False], publish=False, min_optional=2)
    response = openapi(staff.post(f"/api/v1/playlists/{playlist}/publish", status=422))
    assert (
        response.json["fields"]["min_optional"]
        == "The rule needs 2 optional items but only 1 exist."
    )
    assert staff.get(f"/api/v1/playlists/{playlist}").json["status"] == "draft"


def test_publishing_needs_title_and_description(staff, org, activities):
    playlist = staff.post_json(f"/api/v1/organisations/{org.slug}/playlists", {}).json["playlist"][
        "id"
    ]
    staff.put_json(
        f"/api/v1/playlists/{playlist}/items", {"items": [{"activity_id": activities[0].id}]}
    )
    fields = staff.post(f"/api/v1/playlists/{playlist}/publish", status=422).json["fields"]
    assert set(fields) == {"title", "description"}


def test_a_live_playlist_changes_all_or_nothing(staff, make_playlist, activities):
    playlist = make_playlist(activities[:3], [True, False, False], min_optional=1)
    response = staff.patch_json(
        f"/api/v1/playlists/{playlist}", {"title": "New name", "min_optional": 3}, status=422
    )
    assert "3 optional items but only 2" in response.json["fields"]["min_optional"]
    assert staff.get(f"/api/v1/playlists/{playlist}").json["title"] == "Science pathway"


def test_item_errors_name_the_row(staff, make_playlist, activities):
    playlist = make_playlist(activities[:1], publish=False)
    rows = [
        {"activity_id": activities[0].id, "opens_at": "soon"},
        {"activity_id": 999999},
        {"activity_id": activities[0].id},
        {"activity_id": activities[1].id, "unlock_after": activities[4].id},
        "junk",
    ]
    fields = staff.put_json(
        f"/api/v1/playlists/{playlist}/items", {"items": rows}, status=422
    ).json["fields"]
    assert "is not a date and time" in fields["items.0.opens_at"]
    assert fields["items.1.activity_id"] == "There is no activity #999999 in this city."
    assert fields["items.2.activity_id"] == "This activity is already in the playlist."
    assert "another item of this playlist" in fields["items.3.unlock_after"]
    assert "items.4" in fields


def test_items_must_be_a_list(staff, make_playlist, activities):
    playlist = make_playlist(activities[:1], publish=False)
    fields = staff.put_json(
        f"/api/v1/playlists/{playlist}/items", {"items": "all"}, status=422
    ).json["fields"]
    assert fields == {"items": "Give the items as a list."}


def test_archived_activity_cannot_be_added(world, city, org, staff, make_playlist, activities):
    archived = world.activity(city, org, "Old", status="archived")
    playlist = make_playlist(activities[:1], publish=False)
    fields = staff.put_json(
        f"/api/v1/playlists/{playlist}/items", {"items": [{"activity_id": archived.id}]}, status=422
    ).json["fields"]
    assert "“Old” is archived" in fields["items.0.activity_id"]


def test_other_organisations_drafts_are_invisible(world, city, staff, make_playlist, activities):
    other = world.organisation(city, "Library")
    draft = world.activity(city, other, "Secret plan", status="draft")
    playlist = make_playlist(activities[:1], publish=False)
    fields = staff.put_json(
        f"/api/v1/playlists/{playlist}/items", {"items": [{"activity_id": draft.id}]}, status=422
    ).json["fields"]
    assert fields["items.0.activity_id"] == f"There is no activity #{draft.id} in this city."


def test_not_json_is_refused(staff, org):
    response = staff.post(
        f"/api/v1/organisations/{org.slug}/playlists",
        "nope",
        content_type="application/json",
        status=400,
    )
    assert response.json["error"]
