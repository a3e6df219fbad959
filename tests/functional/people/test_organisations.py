"""Organisations: create, edit, switch, members, invitations by email and link, verification."""

from sqlalchemy import select

from col_core.organisations.models import Invitation, Membership, Organisation
from col_core.tenancy.scoping import get_city_row


def _signed_in(testapp, city, helpers, user):
    app = testapp.for_tenant(city)
    helpers.sign_in(app, user.email)
    return app


def test_any_learner_creates_an_organisation_and_owns_it(testapp, city, helpers, people, factories):
    user = people.user()
    app = _signed_in(testapp, city, helpers, user)
    form = helpers.form_with(app.get("/organisations/new"), "name")
    form["name"] = "Jaunimo Centras"
    form["type"] = "youth_centre"
    form["description"] = '<p>Hello <script>alert(1)</script><a href="https://x.org">x</a></p>'
    page = form.submit(status=303).follow()
    assert "Jaunimo Centras" in page.text
    assert "<script>" not in page.text and "alert(1)" not in page.text
    with factories.within(city):
        organisation = factories.session.scalar(select(Organisation))
        roles = [(m.user_id, m.role) for m in organisation.memberships]
    assert organisation.slug == "jaunimo-centras" and organisation.tenant_id == city.id
    assert roles == [(user.id, "owner")]


def test_create_form_keeps_input_on_errors(testapp, city, helpers, people):
    app = _signed_in(testapp, city, helpers, people.user())
    form = helpers.form_with(app.get("/organisations/new"), "name")
    form["name"] = ""
    form["website"] = "javascript:alert(1)"
    form["phone"] = "+370 600 00000"
    page = form.submit(status=400)
    assert "Please fill in this field" in page.text and "https://" in page.text
    assert 'value="+370 600 00000"' in page.text


def test_edit_by_owner_and_logo_upload_checked(testapp, city, helpers, people):
    owner = people.user()
    organisation = people.organisation(city, owner=owner)
    app = _signed_in(testapp, city, helpers, owner)
    form = helpers.form_with(app.get(f"/organisations/{organisation.slug}/edit"), "name")
    form["name"] = "Renamed"
    form["logo"] = ("logo.png", b"<html>not an image</html>")
    page = form.submit(status=400)
    assert "This file type is not accepted" in page.text and 'value="Renamed"' in page.text


def test_switching_between_organisations(testapp, city, helpers, people):
    user = people.user()
    first = people.organisation(city, owner=user, name="Alpha")
    second = people.organisation(city, owner=user, name="Beta", role="member")
    app = _signed_in(testapp, city, helpers, user)
    form = [
        f
        for f in app.get("/organisations/mine").forms.values()
        if f.fields.get("slug") and f["slug"].value == second.slug
    ][0]
    page = form.submit(status=303).follow()
    assert "You now work as Beta" in page.text
    assert first.slug in page.text


def test_cannot_switch_to_someone_elses_organisation(testapp, city, helpers, people):
    other = people.organisation(city, owner=people.user())
    app = _signed_in(testapp, city, helpers, people.user())
    app.post(
        "/organisations/switch",
        {"slug": other.slug, "csrf_token": helpers.csrf_token(app, "/account")},
        status=404,
    )


def test_invitation_by_email(testapp, city, helpers, people, outbox, factories):
    owner, colleague = people.user(), people.user("colleague@example.org")
    organisation = people.organisation(city, owner=owner)
    app = _signed_in(testapp, city, helpers, owner)
    form = helpers.form_with(app.get(f"/organisations/{organisation.slug}/members"), "email")
    form["email"] = "colleague@example.org"
    form["role"] = "admin"
    form.submit(status=303)
    [message] = [m for m in outbox.messages() if m["To"] == "colleague@example.org"]
    link = helpers.link_in(message)
    other = _signed_in(testapp, city, helpers, colleague)
    page = other.get(link)
    page.forms[len(page.forms) - 1].submit(status=303)
    with factories.within(city):
        role = factories.session.scalar(
            select(Membership.role).where(Membership.user_id == colleague.id)
        )
    assert role == "admin"
    # Single use: a second person cannot reuse the emailed link.
    third = _signed_in(testapp, city, helpers, people.user())
    third.get(link, status=404)


def test_invitation_by_link_and_qr(testapp, city, helpers, people, factories):
    owner = people.user()
    organisation = people.organisation(city, owner=owner)
    app = _signed_in(testapp, city, helpers, owner)
    form = helpers.form_with(app.get(f"/organisations/{organisation.slug}/members"), "email")
    form["role"] = "member"
    page = form.submit(status=200)
    assert "<svg" in page.text
    link = page.html.find("input", attrs={"aria-label": "Invitation link"})["value"]
    path = link.split("example.test", 1)[1]
    for newcomer in (people.user(), people.user()):
        other = _signed_in(testapp, city, helpers, newcomer)
        page = other.get(path)
        page.forms[len(page.forms) - 1].submit(status=303)
    with factories.within(city):
        count = len(factories.session.scalars(select(Membership)).all())
        stored = factories.session.scalar(select(Invitation))
    assert count == 3
    assert stored.token_hash not in link and path.rsplit("/", 1)[1] not in stored.token_hash


def test_admin_cannot_invite_an_owner(testapp, city, helpers, people):
    admin = people.user()
    organisation = people.organisation(city, owner=people.user())
    people.membership(city, organisation, admin, role="admin")
    app = _signed_in(testapp, city, helpers, admin)
    form = helpers.form_with(app.get(f"/organisations/{organisation.slug}/members"), "email")
    form["role"] = "owner"
    page = form.submit(status=400)
    assert "Only an owner can invite another owner" in page.text


def test_last_owner_cannot_be_removed(testapp, city, helpers, people, factories):
    owner = people.user()
    organisation = people.organisation(city, owner=owner)
    with factories.within(city):
        membership = factories.session.scalar(select(Membership))
    app = _signed_in(testapp, city, helpers, owner)
    app.post(
        f"/organisations/{organisation.slug}/members/{membership.id}/remove",
        {"csrf_token": helpers.csrf_token(app, "/account")},
        status=303,
    )
    page = app.get(f"/organisations/{organisation.slug}/members")
    assert "at least one owner" in page.text
    factories.session.expire_all()
    with factories.within(city):
        assert factories.session.scalar(select(Membership)) is not None


def test_owner_removes_a_member(testapp, city, helpers, people, factories):
    owner, member = people.user(), people.user()
    organisation = people.organisation(city, owner=owner)
    membership = people.membership(city, organisation, member)
    app = _signed_in(testapp, city, helpers, owner)
    app.post(
        f"/organisations/{organisation.slug}/members/{membership.id}/remove",
        {"csrf_token": helpers.csrf_token(app, "/account")},
        status=303,
    )
    with factories.within(city):
        assert (
            factories.session.scalar(select(Membership).where(Membership.user_id == member.id))
            is None
        )


def test_city_admin_verifies_and_suspends(testapp, city, helpers, people, factories):
    admin = people.user()
    people.city_admin(city, admin)
    organisation = people.organisation(city, owner=people.user(), name="To Check", verified_at=None)
    app = _signed_in(testapp, city, helpers, admin)
    page = app.get("/admin/organisations")
    assert "To Check" in page.text and "Not verified" in page.text
    token = helpers.csrf_token(app, "/account")
    app.post(f"/organisations/{organisation.slug}/verify", {"csrf_token": token}, status=303)
    assert "✔ Verified" in testapp.for_tenant(city).get(f"/organisations/{organisation.slug}").text
    app.post(
        f"/organisations/{organisation.slug}/suspend",
        {"csrf_token": token, "suspended": "1", "reason": "Unpaid venue bills."},
        status=303,
    )
    # Suspended organisations disappear for the public.
    testapp.for_tenant(city).get(f"/organisations/{organisation.slug}", status=404)
    assert "To Check" not in testapp.for_tenant(city).get("/organisations").text
    factories.session.expire_all()
    with factories.within(city):
        stored = get_city_row(factories.session, Organisation, organisation.id)
    assert stored.verification_method == "manual" and stored.is_suspended


def test_city_admin_people_page_and_granting(testapp, city, helpers, people, factories):
    admin, colleague = people.user(), people.user("colleague@example.org", display_name="Col")
    people.city_admin(city, admin)
    people.organisation(city, owner=colleague, name="Col's Club")
    app = _signed_in(testapp, city, helpers, admin)
    page = app.get("/admin/people")
    assert "Col&#39;s Club (owner)" in page.text
    form = helpers.form_with(page, "email")
    form["email"] = "nobody@example.org"
    assert "Ask them to sign up first" in form.submit(status=400).text
    form = helpers.form_with(app.get("/admin/people"), "email")
    form["email"] = "colleague@example.org"
    form.submit(status=303)
    other = _signed_in(testapp, city, helpers, colleague)
    assert other.get("/api/v1/me").json["roles"]["city_admin"] is True
    # Removing admins stops at the last one.
    token = helpers.csrf_token(app, "/account")
    app.post(f"/admin/people/{colleague.id}/revoke", {"csrf_token": token}, status=303)
    refused = app.post(f"/admin/people/{admin.id}/revoke", {"csrf_token": token}, status=409)
    assert "needs at least one" in refused.text
