"""The pages: discovery (search, home, profile, dashboard), the playlist page, the builder."""

from __future__ import annotations

import json

from sqlalchemy import select

from col_core.security.models import User
from col_core.security.passwords import hash_password
from col_core.tenancy.scoping import get_city_row
from col_core.testing.people import accept_terms
from plugins.playlists.models import PlaylistItem


def own_forms(page) -> list:
    """The page's own forms that post, without the header's (search, language)."""
    return [
        form
        for key, form in sorted((k, f) for k, f in page.forms.items() if isinstance(k, int))
        if form.method.lower() == "post" and not form.action.endswith("/language")
    ]


def test_published_playlists_are_searchable_until_archived(
    world, city, staff, make_playlist, activities
):
    playlist = make_playlist(activities[:2], title="Robotics pathway")
    visitor = world.client(city)
    hits = visitor.get("/api/v1/search", {"q": "robotics", "kind": "playlist"}).json["items"]
    assert [(h["kind"], h["url"].replace("http://vilnius.example.test", "")) for h in hits] == [
        ("playlist", f"/playlists/{playlist}")
    ]
    staff.post(f"/api/v1/playlists/{playlist}/archive", status=200)
    assert visitor.get("/api/v1/search", {"q": "robotics", "kind": "playlist"}).json["items"] == []


def test_search_documents_hook_contributes_playlists(in_city, city, make_playlist, activities):
    make_playlist(activities[:2], title="Robotics pathway")
    make_playlist(activities[2:3], title="Hidden", publish=False)
    with in_city(city) as request:
        found = [
            d
            for docs in request.hooks.col_search_documents(request=request, tenant=city)
            for d in docs or ()
            if d.kind == "playlist"
        ]
    assert [d.title for d in found] == ["Robotics pathway"]
    assert "Intro" in found[0].body


def test_home_page_shows_playlists(world, city, make_playlist, activities):
    make_playlist(activities[:2], title="Robotics pathway")
    page = world.client(city).get("/")
    assert "Learning playlists" in page and "Robotics pathway" in page


def test_profile_lists_my_playlists_with_progress(
    world, city, make_playlist, activities, learner, complete
):
    playlist = make_playlist(activities[:2], title="Robotics pathway")
    me = world.client(city, learner)
    me.post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    complete(activities[0], learner)
    page = me.get(f"/people/{learner.id}")
    assert "My playlists" in page and "Robotics pathway" in page and "50%" in page
    world.client(city, world.user()).get(f"/people/{learner.id}", status=404)  # not shared


def test_dashboard_offers_a_new_playlist(staff, org):
    page = staff.get(f"/organisations/{org.slug}")
    form = page.forms[
        [k for k, f in page.forms.items() if f.action.endswith(f"/playlists/new/{org.slug}")][0]
    ]
    form["title"] = "Night science"
    edit = form.submit().follow()
    assert "Night science" in edit and "Edit playlist" in edit


def test_playlist_page_lists_activities_and_lets_a_learner_start(
    world, city, make_playlist, activities, learner
):
    playlist = make_playlist(activities[:2], [True, False])
    me = world.client(city, learner)
    page = me.get(f"/playlists/{playlist}")
    assert "Intro" in page and "Workshop" in page and "Optional" in page
    page = own_forms(page)[0].submit().follow()
    assert "You started this playlist" in page and "Your progress" in page


def test_public_list_page(world, city, make_playlist, activities):
    make_playlist(activities[:2], title="Robotics pathway")
    make_playlist(activities[2:3], title="Hidden", publish=False)
    page = world.client(city).get("/playlists/")
    assert "Robotics pathway" in page and "Hidden" not in page


def test_builder_form_adds_orders_and_marks(staff, org, make_playlist, activities):
    playlist = make_playlist(activities[:1], publish=False)
    form = staff.get(f"/playlists/{playlist}/edit").forms["playlist-form"]
    form["add_activity"] = str(activities[1].id)
    form["min_optional"] = "0"
    page = form.submit().follow()
    assert "Saved." in page
    form = page.forms["playlist-form"]
    form["item-0-position"] = "2"
    form["item-1-position"] = "1"
    form["item-0-kind"] = "optional"
    form.submit().follow()
    body = staff.get(f"/api/v1/playlists/{playlist}").json
    assert [(i["title"], i["mandatory"]) for i in body["items"]] == [
        ("Workshop", True),
        ("Intro", False),
    ]


def test_builder_form_errors_keep_the_input(staff, make_playlist, activities):
    playlist = make_playlist(activities[:2], publish=False)
    form = staff.get(f"/playlists/{playlist}/edit").forms["playlist-form"]
    form["title"] = "Kept title"
    form["groups"] = "no colon here"
    form["item-0-opens"] = "2026-13-45T99:00"
    page = form.submit(status=422)
    assert 'value="Kept title"' in page
    assert "no colon here" in page
    assert "is not a date and time" in page


def test_builder_shows_rule_problems_and_refuses_to_publish(staff, make_playlist, activities):
    playlist = make_playlist(activities[:2], [True, False], publish=False, min_optional=2)
    page = staff.get(f"/playlists/{playlist}/edit")
    assert "The rule needs 2 optional items but only 1 exist." in page
    page = staff.post(f"/playlists/{playlist}/publish", status=422)
    assert "The playlist cannot be published yet." in page


def test_builder_publishes(staff, make_playlist, activities):
    playlist = make_playlist(activities[:2], publish=False)
    page = staff.post(f"/playlists/{playlist}/publish").follow()
    assert "Published: learners can start the playlist now." in page


def test_consent_page(world, city, make_playlist, activities):
    library = world.organisation(city, "City Library")
    librarian = world.client(city, world.organiser(city, library))
    book_club = world.activity(city, library, "Book club")
    make_playlist([activities[0], book_club], publish=False)
    url = f"/playlists/items/{_item_id(world, city, book_club)}/consent"
    world.client(city, world.user()).get(url, status=403)
    page = librarian.get(url)
    assert "You have not answered yet." in page
    page = own_forms(page)[0].submit("answer", value="decline").follow()
    assert "You declined." in page


def _item_id(world, city, activity) -> int:
    with world.factories.within(city):
        return world.factories.session.scalar(
            select(PlaylistItem.id).where(PlaylistItem.activity_id == activity.id)
        )


def test_playlist_page_draws_a_small_map_with_the_map_plugins_leaflet(
    world, city, make_playlist, activities
):
    playlist = make_playlist(activities[:2])
    visitor = world.client(city)
    page = visitor.get(f"/playlists/{playlist}")
    points = json.loads(page.html.find(id="playlist-map")["data-points"])
    assert [(p["title"], p["lat"]) for p in points] == [("Intro", 54.68), ("Workshop", 54.68)]
    scripts = [tag["src"] for tag in page.html.find_all("script", src=True)]
    assert any(src.split("?")[0].endswith("/leaflet/leaflet.js") for src in scripts)
    for src in scripts:
        visitor.get(src.replace("http://vilnius.example.test", ""), status=200)


def test_without_the_map_plugin_the_list_stands_alone(
    world, city, factories, make_playlist, activities
):
    playlist = make_playlist(activities[:2])
    city.plugins = ["playlists", "badges"]
    factories.save(city)
    page = world.client(city).get(f"/playlists/{playlist}")
    assert page.html.find(id="playlist-map") is None and "Intro" in page


def test_a_signed_in_browser_starts_with_the_forms_csrf_token(
    world, city, factories, make_playlist, activities
):
    playlist = make_playlist(activities[:1])
    factories.save(
        User(
            email="reader@example.org",
            password_hash=hash_password("a long reading list"),
            email_verified_at=activities[0].published_at,
        )
    )
    browser = world.client(city)
    form = [f for f in browser.get("/signin").forms.values() if "password" in f.fields][0]
    form["email"], form["password"] = "reader@example.org", "a long reading list"
    form.submit(status=303)
    accept_terms(browser)
    browser.post(f"/playlists/{playlist}/start", status=400)  # no CSRF token: refused
    page = own_forms(browser.get(f"/playlists/{playlist}"))[0].submit().follow()
    assert "You started this playlist" in page


def test_the_page_speaks_the_learners_language(world, city, make_playlist, activities):
    playlist = make_playlist(activities[:2], [True, False])
    page = world.client(city).get(f"/playlists/{playlist}", headers={"Accept-Language": "lt"})
    assert "Pradėti šį grojaraštį" in page and "Neprivaloma" in page


def test_builder_autosaves_a_drafts_fields(staff, make_playlist, activities):
    playlist = make_playlist(activities[:1], publish=False)
    form = staff.get(f"/playlists/{playlist}/edit").forms["playlist-form"]
    assert form.html.form["data-autosave"] == "on"
    form["title"] = "Typed, not saved by hand"
    fields = dict(form.submit_fields())
    fields["action"] = "autosave"
    staff.post(f"/playlists/{playlist}/edit", fields, status=204)
    assert staff.get(f"/api/v1/playlists/{playlist}").json["title"] == "Typed, not saved by hand"
    fields["min_optional"] = "lots"
    staff.post(f"/playlists/{playlist}/edit", fields, status=422)
    staff.post(f"/api/v1/playlists/{playlist}/publish")
    staff.post(f"/playlists/{playlist}/edit", fields, status=409)


def test_the_page_shows_the_playlists_badges_and_where_to_send_evidence(
    world, city, factories, make_playlist, activities
):
    from plugins.badges.models import BadgeClass

    playlist = make_playlist(activities[:2])
    page = world.client(city).get(f"/playlists/{playlist}")
    section = page.html.find(id="badges-title").parent
    link = section.find("a", string="Science pathway")
    assert "issued automatically" in section.text and "Send evidence" not in section.text
    badge_id = int(link["href"].rstrip("/").rsplit("/", 1)[1])

    with factories.within(city):
        badge = get_city_row(factories.session, BadgeClass, badge_id)
        badge.earning, badge.tasks = "evidence", ["Tell us what you built"]
        factories.session.commit()
    page = world.client(city).get(f"/playlists/{playlist}")
    evidence = page.click("Send evidence")
    assert evidence.request.path == f"/badges/classes/{badge_id}/evidence"


def test_without_badges_the_page_lists_none(world, city, factories, make_playlist, activities):
    playlist = make_playlist(activities[:1])
    city.plugins = ["playlists", "map"]
    factories.save(city)
    page = world.client(city).get(f"/playlists/{playlist}")
    assert page.html.find(id="badges-title") is None


def test_home_suggests_the_next_step_of_a_playlist_in_progress(
    world, city, make_playlist, activities, learner, complete
):
    playlist = make_playlist(activities[:3], title="Robotics pathway")
    me = world.client(city, learner)
    me.post(f"/api/v1/playlists/{playlist}/enrolment", status=201)
    complete(activities[0], learner)
    suggested = me.get("/").html.select("#happening-soon .for-you li")
    assert [(li.a.text, li.find(class_="muted").text) for li in suggested][0] == (
        "Workshop",
        "Next in your playlist “Robotics pathway”",
    )
    complete(activities[1], learner)
    complete(activities[2], learner)  # the playlist is done: nothing more to suggest from it
    assert "Next in your playlist" not in me.get("/").text
