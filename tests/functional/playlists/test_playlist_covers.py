"""A playlist's cover: uploaded in the builder, shown on the cards in its widths, removable."""

from __future__ import annotations

from webtest import Upload

from tests.functional.activities.test_cover_pictures import SVG, jpeg


def builder(client, playlist_id):
    return client.get(f"/playlists/{playlist_id}/edit").forms["playlist-form"]


def test_a_playlist_cover_is_shown_on_the_cards_and_removed(
    world, city, staff, make_playlist, activities
):
    playlist = make_playlist(activities[:2], title="Robotics pathway")
    form = builder(staff, playlist)
    form["cover_file"] = Upload("cover.jpg", jpeg((1000, 750)), "image/jpeg")
    form["cover_alt"] = "A robot arm"
    form.submit(status=303)
    cards = world.client(city).get("/playlists/")
    assert 'srcset="' in cards.text and " 320w, " in cards.text and " 1000w" in cards.text
    assert 'alt=""' in cards.text  # beside the title, which says the same
    assert 'alt="A robot arm"' in world.client(city).get(f"/playlists/{playlist}").text
    form = builder(staff, playlist)
    form["cover_remove"] = True
    form.submit(status=303)
    cards = world.client(city).get("/playlists/")
    assert "srcset" not in cards.text and 'class="card-cover cover-icon"' in cards.text


def test_a_playlist_cover_that_is_no_picture_is_refused(staff, make_playlist, activities):
    playlist = make_playlist(activities[:2])
    form = builder(staff, playlist)
    form["cover_file"] = Upload("cover.svg", SVG, "image/svg+xml")
    page = form.submit(status=422)
    assert "This file is not a picture" in page.text
    assert "page-cover" not in staff.get(f"/playlists/{playlist}").text


def test_a_learner_cannot_change_a_playlist_cover(world, city, learner, make_playlist, activities):
    playlist = make_playlist(activities[:2])
    client = world.client(city, learner)
    client.post(
        f"/playlists/{playlist}/edit",
        {"title": "Mine now"},
        upload_files=[("cover_file", "cover.jpg", jpeg((800, 600)))],
        status=403,
    )
