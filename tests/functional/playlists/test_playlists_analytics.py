"""A playlist's dashboard: hand-counted figures, CSV exports, suppression and who may see it.

The playlist has two items (Intro, required; Workshop, optional).  Ana started it, did both and
completed it (badge issued); Ben did Intro (badge waiting); Cat only started; Dan started and
finished eight months ago (outside the default period of six months).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from types import SimpleNamespace

import pytest

from col_core.db.meta import utcnow
from plugins.playlists.models import (
    ItemCompletion,
    Playlist,
    PlaylistAward,
    PlaylistBadge,
    PlaylistEnrolment,
    PlaylistItem,
)


def build(factories, people, k=1, plugins=None):
    fields = {"settings": {"analytics.min_group_size": k}}
    if plugins is not None:
        fields["plugins"] = plugins
    city = factories.tenant("kaunas", **fields)
    makers, stars = people.organisation(city, "Makers"), people.organisation(city, "Stars")
    intro, workshop = (people.activity(city, makers, title) for title in ("Intro", "Workshop"))
    now, long_ago = utcnow(), utcnow() - dt.timedelta(days=240)
    with factories.within(city):
        playlist = factories.save(
            Playlist(
                organisation_id=makers.id,
                title="Pathway",
                status="published",
                published_at=now,
                items=[
                    PlaylistItem(activity_id=intro.id, position=0, mandatory=True),
                    PlaylistItem(activity_id=workshop.id, position=1, mandatory=False),
                ],
                badges=[PlaylistBadge(threshold=0)],
            )
        )
    first, second = playlist.items
    learners = {
        name: people.user(name, display_name=name.title()) for name in ("ana", "ben", "cat", "dan")
    }
    with factories.within(city):
        ana, ben, cat, dan = factories.save(
            PlaylistEnrolment(
                playlist_id=playlist.id, user_id=learners["ana"].id, completed_at=now
            ),
            PlaylistEnrolment(playlist_id=playlist.id, user_id=learners["ben"].id),
            PlaylistEnrolment(playlist_id=playlist.id, user_id=learners["cat"].id),
            PlaylistEnrolment(
                playlist_id=playlist.id,
                user_id=learners["dan"].id,
                started_at=long_ago,
                completed_at=long_ago,
            ),
        )
        badge = playlist.badges[0]
        factories.save(
            ItemCompletion(enrolment_id=ana.id, item_id=first.id),
            ItemCompletion(enrolment_id=ana.id, item_id=second.id),
            ItemCompletion(enrolment_id=ben.id, item_id=first.id),
            ItemCompletion(enrolment_id=dan.id, item_id=first.id, completed_at=long_ago),
            PlaylistAward(enrolment_id=ana.id, playlist_badge_id=badge.id, status="issued"),
            PlaylistAward(enrolment_id=ben.id, playlist_badge_id=badge.id, status="pending"),
        )
    return SimpleNamespace(
        city=city,
        makers=makers,
        stars=stars,
        playlist=playlist,
        url=f"/playlists/{playlist.id}/analytics",
        staff=people.client(city, people.organiser(city, makers)),
    )


@pytest.fixture
def seeded(factories, people):
    return build(factories, people)


def csv_rows(client, url, **params):
    response = client.get(url, params=params)
    assert response.content_type == "text/csv"
    return list(csv.reader(io.StringIO(response.text)))


def test_summary_and_items_are_counted_by_hand(seeded):
    summary = csv_rows(seeded.staff, seeded.url + "/summary.csv")
    assert summary == [
        ["Figure", "Value"],
        ["Learners who started", "3"],
        ["Learners who completed", "1"],
        ["Badges issued", "1"],
        ["Badges waiting to be issued (now)", "1"],
    ]
    items = csv_rows(seeded.staff, seeded.url + "/items.csv")
    assert items == [
        ["Activity", "Mandatory or optional", "Completions"],
        ["Intro", "Mandatory", "2"],
        ["Workshop", "Optional", "1"],
    ]


def test_a_longer_period_counts_the_older_learner_too(seeded):
    start = (utcnow() - dt.timedelta(days=300)).date().isoformat()
    summary = csv_rows(seeded.staff, seeded.url + "/summary.csv", **{"from": start})
    assert summary[1] == ["Learners who started", "4"]
    assert summary[2] == ["Learners who completed", "2"]


def test_trend_by_month_names_months_and_keeps_iso_months(seeded):
    month = utcnow().strftime("%Y-%m")
    rows = csv_rows(seeded.staff, seeded.url + "/trend.csv", lang="en")
    assert rows[0] == ["Month", "Month (ISO)", "Learners who started", "Learners who completed"]
    assert rows[-1] == [utcnow().strftime("%B %Y"), month, "3", "1"]
    assert len(rows) == 1 + 7  # six months back from today touch seven months


def test_participants_progress_lists_every_learner(seeded):
    rows = csv_rows(seeded.staff, seeded.url + "/participants.csv")
    assert rows[0] == [
        "Participant",
        "Started on",
        "Activities completed",
        "Activities",
        "Completed on",
        "Badges issued",
    ]
    today = utcnow().date().isoformat()
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert by_name["Ana"] == [today, "2", "2", today, "1"]
    assert by_name["Ben"] == [today, "1", "2", "", "0"]
    assert by_name["Cat"] == [today, "0", "2", "", "0"]
    assert by_name["Dan"][1:] == ["1", "2", by_name["Dan"][0], "0"]


def test_dashboard_page_has_charts_tables_and_csv_links(seeded):
    page = seeded.staff.get(seeded.url)
    html = page.text
    assert "Dashboard of “Pathway”" in html
    assert html.count("<svg") >= 3 and 'id="data-participants"' in html
    for key in ("summary", "items", "trend", "participants"):
        assert f"/analytics/{key}.csv" in html
    assert "Badges are not available in this city now" not in html


def test_without_badges_the_dashboard_says_why_badges_wait(factories, people):
    seeded = build(factories, people, plugins=["playlists"])
    html = seeded.staff.get(seeded.url).text
    assert "Badges are not available in this city now" in html


def test_small_groups_are_suppressed(factories, people):
    seeded = build(factories, people, k=3)
    summary = csv_rows(seeded.staff, seeded.url + "/summary.csv")
    assert summary[1:] == [
        ["Learners who started", "3"],
        ["Learners who completed", "fewer than 3"],
        ["Badges issued", "fewer than 3"],
        ["Badges waiting to be issued (now)", "fewer than 3"],
    ]
    items = csv_rows(seeded.staff, seeded.url + "/items.csv")
    assert [row[2] for row in items[1:]] == ["fewer than 3", "fewer than 3"]


def test_linked_from_the_organiser_dashboard_and_the_playlist_page(seeded):
    url = seeded.url
    organiser_dashboard = seeded.staff.get(f"/organisations/{seeded.makers.slug}/analytics").text
    assert "More dashboards" in organiser_dashboard and url in organiser_dashboard
    assert url in seeded.staff.get(f"/playlists/{seeded.playlist.id}").text


def test_only_its_organisers_and_city_admins_see_it(seeded, people):
    admin = people.client(seeded.city, people.city_admin(seeded.city))
    assert "Pathway" in admin.get(seeded.url).text
    admin.get(seeded.url + "/participants.csv", status=200)
    other = people.client(seeded.city, people.organiser(seeded.city, seeded.stars))
    other.get(seeded.url, status=403)
    other.get(seeded.url + "/participants.csv", status=403)
    learner = people.client(seeded.city, people.user("learner"))
    learner.get(seeded.url, status=403)
    visitor = people.client(seeded.city)
    assert visitor.get(seeded.url, expect_errors=True).status_int in (302, 303, 401, 403)
    assert seeded.url not in visitor.get(f"/playlists/{seeded.playlist.id}").text


def test_bad_requests_are_refused_clearly(seeded):
    seeded.staff.get(seeded.url + "/nothing.csv", status=404)
    response = seeded.staff.get(seeded.url, params={"from": "yesterday"}, status=400)
    assert 'aria-invalid="true"' in response.text
    refused = seeded.staff.get(seeded.url + "/summary.csv", params={"to": "x"}, status=400)
    assert "YYYY-MM-DD" in refused.text
    seeded.staff.get("/playlists/999999/analytics", status=404)


def test_another_citys_organiser_finds_nothing(seeded, factories, people):
    other_city = factories.tenant("vilnius")
    staff = people.client(other_city, people.city_admin(other_city))
    response = staff.get(seeded.url, status=404)
    assert "Pathway" not in response.text
    staff.get(seeded.url + "/participants.csv", status=404)
