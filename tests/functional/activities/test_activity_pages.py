"""The activity pages: what learners see, and the organisers' dashboard and form."""

from .activities_testing import fill, in_days, local, new_draft


def test_public_page_shows_the_activity_and_a_calendar_link(make_activity, people, city):
    activity = make_activity(
        title="Kite building",
        resources=[
            {
                "kind": "video",
                "title": "How kites fly",
                "url": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            }
        ],
    )
    page = people.client(city).get(f"/activities/{activity.id}")
    assert '<h1 id="activity-title">Kite building</h1>' in page.text
    assert f"/activities/{activity.id}.ics" in page.text
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page.text
    assert "Sign in to join" in page.text
    assert "Workshop" not in page.text and "Event · Science ·" in page.text  # names, not slugs


def test_join_and_leave_with_the_page_buttons(make_activity, people, city):
    activity = make_activity(capacity=3)
    client = people.client(city, people.user())
    form = [
        f
        for f in client.get(f"/activities/{activity.id}").forms.values()
        if f.action.endswith("/join")
    ][0]
    page = form.submit(status=303).follow()
    assert "You have joined" in page.text
    leave = [f for f in page.forms.values() if f.action.endswith("/leave")][0]
    page = leave.submit(status=303).follow()
    assert "You have left this activity" in page.text


def test_dashboard_is_for_members(people, city, org, staff):
    assert "Start a draft" in staff.get(f"/organisations/{org.slug}/activities").text
    people.client(city, people.user()).get(f"/organisations/{org.slug}/activities", status=403)


COMPLETE = {
    "description": "<p>Play and learn strategy.</p>",
    "category": "science",
    "address": "Pilies g. 4",
    "latitude": "54,6850",
    "longitude": "25.2880",
    "contact_email": "games@example.org",
    "price": "2,50",
    "session_start_0": local(in_days(6)),
    "session_end_0": local(in_days(6, hour=19)),
}


def test_a_draft_is_published_through_the_form(staff, org):
    form = new_draft(staff, org).forms["activity-form"]
    page = fill(form, **COMPLETE).submit("action", value="publish", status=303).follow()
    assert "Published." in page.text
    assert "Board games night" in page.text
    assert "2.50" in page.text


def test_publishing_an_incomplete_draft_keeps_what_was_typed(staff, org):
    form = new_draft(staff, org).forms["activity-form"]
    fill(form, description="<p>Ideas welcome</p>", contact_email="not-an-email")
    page = form.submit("action", value="publish", status=422)
    assert page.forms["activity-form"]["contact_email"].value == "not-an-email"
    assert "Enter an email address" in page.text
    assert 'aria-invalid="true"' in page.text
    # The valid part of the draft is saved.
    again = staff.get(page.request.url)
    assert again.forms["activity-form"]["description"].value == "<p>Ideas welcome</p>"


def test_autosave_from_the_page_saves_the_draft(staff, org):
    page = new_draft(staff, org)
    form = page.forms["activity-form"]
    form["title"] = "Renamed while typing"
    # What the page's script sends: the whole form with action=autosave.
    staff.post(page.request.url, form.submit_fields() + [("action", "autosave")], status=204)
    assert "Renamed while typing" in staff.get(page.request.url).text


def test_bad_edit_of_a_published_activity_changes_nothing(make_activity, staff):
    activity = make_activity(title="Chess club")
    form = staff.get(f"/activities/{activity.id}/edit").forms["activity-form"]
    form["title"] = "Chess club for all"
    form["latitude"] = "somewhere"
    page = form.submit("action", value="save", status=422)
    assert page.forms["activity-form"]["title"].value == "Chess club for all"
    assert "Enter a number" in page.text
    assert '<h1 id="activity-title">Chess club</h1>' in staff.get(f"/activities/{activity.id}").text


def test_learners_cannot_open_the_form(make_activity, people, city):
    activity = make_activity()
    people.client(city, people.user()).get(f"/activities/{activity.id}/edit", status=403)


def test_duplicate_and_archive_buttons(make_activity, staff, org):
    activity = make_activity(title="Yoga")
    page = staff.get(f"/organisations/{org.slug}/activities")
    duplicate = [f for f in page.forms.values() if f.action.endswith(f"/{activity.id}/duplicate")][
        0
    ]
    copy = duplicate.submit(status=303).follow()
    assert copy.forms["activity-form"]["title"].value == "Copy of Yoga"
    page = staff.get(f"/organisations/{org.slug}/activities")
    archive = [f for f in page.forms.values() if f.action.endswith(f"/{activity.id}/archive")][0]
    assert "Archived" in archive.submit(status=303).follow().text


def test_bulk_completion_from_the_participants_page(make_activity, people, city, staff, hooks):
    activity = make_activity()
    learners = [people.user() for _ in range(2)]
    for learner in learners:
        people.client(city, learner).post(f"/api/v1/activities/{activity.id}/participation")
    form = [
        f
        for f in staff.get(f"/activities/{activity.id}/participants").forms.values()
        if "participation" in f.fields
    ][0]
    for box in form.fields["participation"]:
        box.checked = True
    page = form.submit("action", value="complete", status=303).follow()
    assert "2 marked as completed" in page.text
    assert sorted(c[1] for c in hooks.of("col_activity_completed")) == sorted(
        u.id for u in learners
    )


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def test_cover_picture_upload(make_activity, staff):
    from webtest import Upload

    activity = make_activity(title="Murals")
    form = staff.get(f"/activities/{activity.id}/edit").forms["activity-form"]
    form["cover_file"] = Upload("cover.png", _png(), "image/png")
    form.submit("action", value="save", status=303)
    assert staff.get(f"/api/v1/activities/{activity.id}").json["cover_url"].endswith(".jpg")


def test_a_cover_that_is_not_a_picture_is_refused(make_activity, staff):
    from webtest import Upload

    activity = make_activity()
    form = staff.get(f"/activities/{activity.id}/edit").forms["activity-form"]
    form["cover_file"] = Upload("cover.png", b"#!/bin/sh\necho hi", "image/png")
    page = form.submit("action", value="save", status=422)
    assert 'id="e-cover"' in page.text
    assert staff.get(f"/api/v1/activities/{activity.id}").json["cover_url"] is None
