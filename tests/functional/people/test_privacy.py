"""GDPR: the data export, account deletion, consent, and the minors' guardian flow."""

import datetime as dt
import io
import json
import zipfile

from PIL import Image
from sqlalchemy import select

from col_core.organisations.models import Membership
from col_core.security.models import User


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_export_contains_account_memberships_and_files(testapp, city, people, helpers):
    user = people.user("me@example.org", display_name="Me Myself")
    people.organisation(city, owner=user, name="My Club")
    app = testapp.for_tenant(city)
    helpers.sign_in(app, user.email)
    form = helpers.form_with(app.get("/account"), "display_name")
    form["picture"] = ("me.png", _png())
    form.submit(status=303)
    response = app.post("/account/export", {"csrf_token": helpers.csrf_token(app)})
    assert response.content_type == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.body))
    account = json.loads(archive.read("account.json"))
    assert account["email"] == "me@example.org" and account["display_name"] == "Me Myself"
    assert "password" not in json.dumps(account)
    memberships = json.loads(archive.read("memberships.json"))
    assert memberships[0]["organisation"] == "My Club" and memberships[0]["city"] == "vilnius"
    assert archive.read(f"files/{account['picture']}") == _png()
    sessions = json.loads(archive.read("sessions.json"))
    assert len(sessions) == 1 and set(sessions[0]) == {"browser", "signed_in_at", "last_seen_at"}


def test_export_includes_plugin_files(testapp, city, people, helpers, registry):
    from col_core.hookspecs import hookimpl

    class BadgesLike:
        @hookimpl
        def col_account_export(self, request, user):
            return {"demo/badges.json": b'[{"badge": "Explorer"}]'}

    manager = registry["col.plugins"].manager
    plugin = BadgesLike()
    manager.register(plugin, name="test-export")
    try:
        user = people.user()
        app = testapp.for_tenant(city)
        helpers.sign_in(app, user.email)
        response = app.post("/account/export", {"csrf_token": helpers.csrf_token(app)})
        archive = zipfile.ZipFile(io.BytesIO(response.body))
        assert archive.read("demo/badges.json") == b'[{"badge": "Explorer"}]'
    finally:
        manager.unregister(plugin)


def test_deletion_erases_personal_data_and_keeps_anonymous_rows(
    testapp, city, people, helpers, factories, registry
):
    from col_core.hookspecs import hookimpl

    heard = []

    class Listener:
        @hookimpl
        def col_account_deleted(self, request, user):
            heard.append((user.id, user.email))

    listener = Listener()
    registry["col.plugins"].manager.register(listener, name="test-delete")
    try:
        user = people.user("gone@example.org", display_name="Gone Soon")
        organisation = people.organisation(city, owner=people.user())
        slug = organisation.slug
        people.membership(city, organisation, user)
        app = testapp.for_tenant(city)
        helpers.sign_in(app, user.email)
        form = helpers.form_with(app.get("/account/privacy"), "confirm")
        form["password"] = helpers.PASSWORD
        form["confirm"] = True
        form.submit(status=303)
    finally:
        registry["col.plugins"].manager.unregister(listener)
    factories.session.expire_all()
    stored = factories.session.get(User, user.id)
    assert stored.deleted_at is not None and stored.password_hash is None
    assert "gone" not in stored.email and stored.display_name == ""
    assert heard == [(user.id, f"deleted-{user.id}@invalid")]
    app.get("/api/v1/me", status=403)
    helpers.sign_in(app, "gone@example.org", status=400)
    with factories.within(city):
        # The organisation keeps an anonymous count of its former member.
        assert factories.session.scalar(select(Membership).where(Membership.user_id == user.id))
    owner_view = testapp.for_tenant(city)
    assert "Gone Soon" not in owner_view.get(f"/organisations/{slug}").text


def test_deletion_needs_password_and_confirmation(testapp, city, people, helpers, factories):
    user = people.user()
    app = testapp.for_tenant(city)
    helpers.sign_in(app, user.email)
    form = helpers.form_with(app.get("/account/privacy"), "confirm")
    form["password"] = "not my password"
    page = form.submit(status=400)
    assert "Please accept to continue" in page.text
    factories.session.expire_all()
    assert factories.session.get(User, user.id).deleted_at is None


def _register_minor(app, helpers, **overrides):
    form = helpers.form_with(app.get("/signup"), "display_name")
    values = {
        "display_name": "Young Person",
        "email": "young@example.org",
        "password": "a long enough passphrase",
        "birth_date": "2013-01-01",
        "accept": True,
    }
    values.update(overrides)
    for name, value in values.items():
        form[name] = value
    return form.submit(expect_errors=True)


def test_minor_needs_guardian_email(testapp, factories, helpers):
    city = factories.tenant("vilnius", settings={"minimum_age": 10, "digital_consent_age": 16})
    page = _register_minor(testapp.for_tenant(city), helpers)
    assert page.status_int == 400 and "parent or guardian" in page.text
    assert 'value="young@example.org"' in page.text


def test_too_young_is_refused(testapp, factories, helpers):
    city = factories.tenant("vilnius", settings={"minimum_age": 14, "digital_consent_age": 16})
    page = _register_minor(testapp.for_tenant(city), helpers, guardian_email="mum@example.org")
    assert page.status_int == 400 and "at least 14 years old" in page.text


def test_guardian_consent_flow_and_minimal_public_profile(testapp, factories, helpers, outbox):
    city = factories.tenant("vilnius", settings={"minimum_age": 10, "digital_consent_age": 16})
    app = testapp.for_tenant(city)
    assert _register_minor(app, helpers, guardian_email="mum@example.org").status_int == 303
    to_child = [m for m in outbox.messages() if m["To"] == "young@example.org"][0]
    to_guardian = [m for m in outbox.messages() if m["To"] == "mum@example.org"][0]
    page = app.get(helpers.link_in(to_child))
    page.forms[len(page.forms) - 1].submit(status=303)
    page = helpers.sign_in(app, "young@example.org", "a long enough passphrase", status=403)
    assert "waiting for your parent or guardian" in page.text
    guardian = testapp.for_tenant(city)
    page = guardian.get(helpers.link_in(to_guardian))
    assert "Young Person" in page.text
    page.forms[len(page.forms) - 1].submit(status=303)
    helpers.sign_in(app, "young@example.org", "a long enough passphrase")
    me = app.get("/api/v1/me").json
    testapp.for_tenant(city).get(f"/people/{me['id']}", status=404)  # private until shared
    form = helpers.form_with(app.get("/account"), "profile_public")
    form["profile_public"] = True
    form.submit(status=303)
    profile = testapp.for_tenant(city).get(f"/people/{me['id']}")
    assert "Young" in profile.text and "Person" not in profile.text


def test_adult_public_profile_shows_full_name(testapp, city, people):
    user = people.user(display_name="Grown Up", birth_date=dt.date(1980, 1, 1), profile_public=True)
    assert "Grown Up" in testapp.for_tenant(city).get(f"/people/{user.id}").text
    testapp.for_tenant(city).get("/people/999999", status=404)
    testapp.for_tenant(city).get("/people/not-a-number", status=404)
