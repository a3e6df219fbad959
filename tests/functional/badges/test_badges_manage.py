"""Organisers' pages: badge classes, issuing by email and CSV (preview, per-row errors),
claim codes and revocation, through the whole app."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from plugins.badges.models import Assertion, BadgeClass, ClaimCode


@pytest.fixture(autouse=True)
def organiser(badges, city):
    return badges.organiser(city)


def _new_form(city, badges):
    return city.get(f"/badges/manage/organisations/{badges.organisation.id}/new").forms[
        "badge-form"
    ]


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_create_badge_class_with_uploaded_image(badges, city):
    form = _new_form(city, badges)
    form["name"] = "Night rider"
    form["description"] = "Rides safely at night"
    form["expires_after_days"] = "365"
    form["image"] = ("badge.png", _png())
    response = form.submit(status=303)
    with badges.factories.within(badges.tenant):
        badge = badges.factories.session.scalars(select(BadgeClass)).one()
    assert response.location.endswith(f"/badges/manage/{badge.id}/issue")
    assert badge.expires_after_days == 365 and badge.image.endswith(".png")
    assert badge.skills == []  # chosen with the skill picker: tests/functional/esco
    assert city.get(f"/badges/classes/{badge.id}/image").body == _png()


def test_badge_class_form_errors_keep_input(badges, city):
    form = _new_form(city, badges)
    form["name"] = ""
    form["description"] = "Kept"
    form["expires_after_days"] = "soon"
    form["earning"] = "evidence"
    page = form.submit(status=400)
    assert "Give the badge a name." in page and "Enter a number of days" in page
    assert "needs at least one task" in page and ">Kept</textarea>" in page


def test_generated_image_uses_the_city_colours(badges, city):
    class_id = badges.badge_class(icon="heart")
    svg = city.get(f"/badges/classes/{class_id}/image")
    assert svg.content_type == "image/svg+xml" and b"#1d4ed8" in svg.body


def test_the_icons_are_shown_and_named_in_the_page_s_language(badges, city):
    page = city.get(f"/badges/manage/organisations/{badges.organisation.id}/new?lang=lt")
    choices = page.html.select("label.icon-choice")
    assert [label.get_text(strip=True) for label in choices] == [
        "Veiklos kategorijos ženklas",
        "Žaibas",
        "Knyga",
        "Varnelė",
        "Širdis",
        "Žvaigždė",
    ]
    assert all(label.find("svg", attrs={"aria-hidden": "true"}) for label in choices)


def _png_image(city, class_id):
    return Image.open(io.BytesIO(city.get(f"/badges/classes/{class_id}/image.png").body))


def test_generated_png_draws_the_icon_in_the_city_colours(badges, city):
    """The PNG twin (what backpacks bake into) was a blank ring before."""
    image = _png_image(city, badges.badge_class(icon="star")).convert("RGB")
    assert image.size == (256, 256)
    assert image.getpixel((128, 128)) == (255, 255, 255)  # the star, "on primary" white
    assert image.getpixel((128, 200)) == (0x1D, 0x4E, 0xD8)  # the city's primary colour


def test_each_badge_gets_a_design_of_its_own(badges, city):
    first = badges.badge_class(name="Bike repair")
    second = badges.badge_class(name="Python beginner")
    again = badges.badge_class(name="Bike  REPAIR")
    images = {n: _png_image(city, n).tobytes() for n in (first, second, again)}
    assert images[first] != images[second]
    assert images[first] == images[again]  # the same name, the same badge art
    svgs = {n: city.get(f"/badges/classes/{n}/image").body for n in (first, second)}
    assert svgs[first] != svgs[second]


def test_csv_preview_shows_per_row_errors_then_issues_the_good_rows(badges, city, outbox):
    class_id = badges.badge_class()
    form = city.get(f"/badges/manage/{class_id}/issue").forms["issue-form"]
    form["csv"] = (
        "people.csv",
        b"email,evidence\nana@example.org,https://ex.org/a\n"
        b"not-an-email\nana@example.org\nbob@example.org,ftp://x\n"
        b"eve@example.org\n",
    )
    preview = form.submit("action", value="preview", status=400)
    assert "is not an email address" in preview and "listed twice" in preview
    assert "must be a web address" in preview
    assert not outbox.messages()
    issued = preview.forms["issue-form"].submit("action", value="issue")
    assert "2 badges issued." in issued
    with badges.factories.within(badges.tenant):
        assertions = badges.factories.session.scalars(select(Assertion)).all()
    assert {a.recipient_email for a in assertions} == {"ana@example.org", "eve@example.org"}
    ana = next(a for a in assertions if a.recipient_email == "ana@example.org")
    assert ana.evidence == [{"url": "https://ex.org/a", "narrative": ""}]
    assert len(outbox.messages()) == 2


def test_issue_without_recipients_is_a_clear_error(badges, city):
    class_id = badges.badge_class()
    form = city.get(f"/badges/manage/{class_id}/issue").forms["issue-form"]
    assert "Enter at least one email address" in form.submit("action", value="preview", status=400)


def test_prerequisite_refusals_show_per_row(badges, city):
    basics = badges.badge_class(name="Basics")
    advanced = badges.badge_class(name="Advanced", prerequisites=[basics])
    badges.issue(basics, "ana@example.org")
    form = city.get(f"/badges/manage/{advanced}/issue").forms["issue-form"]
    form["recipients"] = "ana@example.org\nbob@example.org"
    preview = form.submit("action", value="preview")
    page = preview.forms["issue-form"].submit("action", value="issue")
    assert "1 badge issued." in page and "requires these badges first: Basics" in page


def test_create_claim_code_and_revoke_from_the_page(badges, city):
    class_id = badges.badge_class()
    uid = badges.issue(class_id)
    page = city.get(f"/badges/manage/{class_id}/issue")
    code_form = page.forms["code-form"]
    code_form["max_uses"] = "25"
    code_form.submit(status=303)
    with badges.factories.within(badges.tenant):
        code = badges.factories.session.scalars(select(ClaimCode)).one()
    assert code.max_uses == 25
    page = city.get(f"/badges/manage/{class_id}/issue")
    assert f"/badges/claim/{code.code}/qr.svg" in page
    revoke = page.forms[f"revoke-{uid}"]
    revoke["reason"] = "duplicate"
    revoke.submit(status=303)
    assert badges.assertion(uid).revocation_reason == "duplicate"
    city.get(f"/badges/assertions/{uid}.json", status=410)


def test_bad_claim_code_limits_are_refused(badges, city):
    class_id = badges.badge_class()
    form = city.get(f"/badges/manage/{class_id}/issue").forms["code-form"]
    form["max_uses"] = "0"
    assert "1 or more" in form.submit(status=400)


def test_manage_pages_of_another_city_are_404(badges, city, factories):
    class_id = badges.badge_class()
    other = factories.tenant("kaunas")
    city.get(
        f"/badges/manage/{class_id}/issue",
        extra_environ={"HTTP_HOST": f"{other.slug}.example.test"},
        status=404,
    )


def test_people_outside_the_organisation_may_not_issue(badges, testapp):
    class_id = badges.badge_class()
    stranger = testapp.for_tenant(badges.tenant)
    anonymous = stranger.get(f"/badges/manage/{class_id}/issue", status=(303, 403))
    assert anonymous.status_int == 403 or "/signin" in anonymous.location
    badges.user("someone@example.org")
    badges.sign_in(stranger, "someone@example.org")
    stranger.get(f"/badges/manage/{class_id}/issue", status=403)
    member = testapp.for_tenant(badges.tenant)
    badges.organiser(member, "member@example.org", role="member")
    member.get(f"/badges/manage/{class_id}/issue", status=403)  # owners and admins only


def test_organisers_add_more_badges_to_an_activity(badges, city):
    from col_core.activities.models import Activity

    with badges.factories.within(badges.tenant):
        activity_id = badges.factories.save(
            Activity(organisation_id=badges.organisation.id, title="Bike kitchen nights")
        ).id
    form = city.get(
        f"/badges/manage/organisations/{badges.organisation.id}/new?activity={activity_id}"
    ).forms["badge-form"]
    assert form["activity"].value == str(activity_id)
    form["name"] = "Master mechanic"
    form.submit(status=303)
    with badges.factories.within(badges.tenant):
        badge = badges.factories.session.scalars(select(BadgeClass)).one()
    assert (badge.subject_type, badge.subject_id, badge.is_default) == (
        "activity",
        activity_id,
        False,
    )
