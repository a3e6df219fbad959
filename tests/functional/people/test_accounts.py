"""Accounts through the real pages: sign-up, verification, sign-in and out, reset, email change."""

import datetime as dt

import pytest
from sqlalchemy import select

from col_core.security.models import Consent, User


def _signup(app, helpers, **overrides):
    form = helpers.form_with(app.get("/signup"), "display_name")
    values = {
        "display_name": "Rūta",
        "email": "ruta@example.org",
        "password": "a long enough passphrase",
        "birth_date": "1995-04-01",
        "accept": True,
    }
    values.update(overrides)
    for name, value in values.items():
        form[name] = value
    return form.submit(expect_errors=True)


@pytest.mark.smoke
def test_signup_verify_and_signin(testapp, city, helpers, outbox, factories):
    app = testapp.for_tenant(city)
    response = _signup(app, helpers)
    assert response.status_int == 303
    [message] = outbox.messages()
    assert message["To"] == "ruta@example.org"
    # Not signed in before the address is confirmed.
    assert app.get("/api/v1/me", status=403)
    confirm = app.get(helpers.link_in(message))
    confirm.forms[len(confirm.forms) - 1].submit(status=303)
    me = app.get("/api/v1/me").json
    assert me["display_name"] == "Rūta" and me["email"] == "ruta@example.org"
    with factories.within(city):
        consents = factories.session.scalars(select(Consent)).all()
    assert {c.document for c in consents} == {"terms", "privacy"}
    assert all(c.tenant_id == city.id for c in consents)


def test_signup_keeps_input_and_shows_field_errors(testapp, city, helpers, factories):
    response = _signup(testapp.for_tenant(city), helpers, email="not-an-email", password="short")
    assert response.status_int == 400
    assert 'value="Rūta"' in response.text and 'value="not-an-email"' in response.text
    assert "Enter an email address" in response.text
    assert "Use at least 10 characters" in response.text
    assert "a long enough" not in response.text  # passwords are never sent back
    assert factories.session.scalar(select(User)) is None


def test_common_password_refused(testapp, city, helpers):
    response = _signup(testapp.for_tenant(city), helpers, password="password123")
    assert response.status_int == 400 and "too easy to guess" in response.text


def test_signup_with_taken_email_looks_the_same_and_warns_the_owner(
    testapp, city, helpers, people, outbox
):
    people.user("ruta@example.org")
    response = _signup(testapp.for_tenant(city), helpers)
    assert response.status_int == 303 and response.location.endswith("/signup/done")
    [message] = outbox.messages()
    assert "already has one" in message.get_body(("plain",)).get_content()


def test_wrong_password_and_unknown_email_give_the_same_answer(testapp, city, helpers, people):
    people.user("known@example.org")
    app = testapp.for_tenant(city)
    wrong = helpers.sign_in(app, "known@example.org", "wrong password!", status=400)
    unknown = helpers.sign_in(app, "nobody@example.org", "wrong password!", status=400)
    message = "The email address or password is wrong."
    assert message in wrong.text and message in unknown.text


def test_signin_rotates_session_and_csrf_token(testapp, city, helpers, people):
    user = people.user()
    app = testapp.for_tenant(city)
    before_token = helpers.csrf_token(app)
    before_cookie = app.cookies.get("col_session")
    helpers.sign_in(app, user.email)
    assert app.cookies.get("col_session") != before_cookie
    assert helpers.csrf_token(app, "/account") != before_token


def test_signout(testapp, city, helpers, people):
    user = people.user()
    app = testapp.for_tenant(city)
    helpers.sign_in(app, user.email)
    app.post("/signout", {"csrf_token": helpers.csrf_token(app, "/account")}, status=303)
    app.get("/api/v1/me", status=403)


def test_password_reset_is_single_use(testapp, city, helpers, people, outbox):
    user = people.user("reset@example.org")
    app = testapp.for_tenant(city)
    form = helpers.form_with(app.get("/password/forgot"), "email")
    form["email"] = "reset@example.org"
    form.submit(status=303)
    link = helpers.link_in(outbox.messages()[-1])
    form = helpers.form_with(app.get(link), "password")
    form["password"] = "a brand new passphrase"
    form.submit(status=303)
    helpers.sign_in(app, user.email, "a brand new passphrase")
    app.get(link, status=400)


def test_reset_for_unknown_email_sends_nothing_and_says_the_same(testapp, city, helpers, outbox):
    app = testapp.for_tenant(city)
    form = helpers.form_with(app.get("/password/forgot"), "email")
    form["email"] = "nobody@example.org"
    page = form.submit(status=303).follow()
    assert "If an account uses this address" in page.text
    assert outbox.messages() == []


def test_expired_reset_link_refused(testapp, city, helpers, people, outbox, factories):
    people.user("late@example.org")
    app = testapp.for_tenant(city)
    form = helpers.form_with(app.get("/password/forgot"), "email")
    form["email"] = "late@example.org"
    form.submit(status=303)
    from col_core.security.models import UserToken

    token = factories.session.scalar(select(UserToken))
    token.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    factories.save(token)
    app.get(helpers.link_in(outbox.messages()[-1]), status=400)


def test_password_change_ends_other_sessions(testapp, city, helpers, people, outbox):
    user = people.user("two@example.org")
    phone, laptop = testapp.for_tenant(city), testapp.for_tenant(city)
    helpers.sign_in(phone, user.email)
    form = helpers.form_with(laptop.get("/password/forgot"), "email")
    form["email"] = user.email
    form.submit(status=303)
    form = helpers.form_with(laptop.get(helpers.link_in(outbox.messages()[-1])), "password")
    form["password"] = "a brand new passphrase"
    form.submit(status=303)
    phone.get("/api/v1/me", status=403)


def test_email_change_is_reverified(testapp, city, helpers, people, outbox, factories):
    user = people.user("old@example.org")
    app = testapp.for_tenant(city)
    helpers.sign_in(app, user.email)
    form = helpers.form_with(app.get("/account"), "new_email")
    form["new_email"] = "new@example.org"
    form["password"] = helpers.PASSWORD
    form.submit(status=303)
    assert app.get("/api/v1/me").json["email"] == "old@example.org"
    to_new = [m for m in outbox.messages() if m["To"] == "new@example.org"][0]
    assert [m for m in outbox.messages() if m["To"] == "old@example.org"]
    page = app.get(helpers.link_in(to_new))
    page.forms[len(page.forms) - 1].submit(status=303)
    assert app.get("/api/v1/me").json["email"] == "new@example.org"


def test_email_change_needs_current_password(testapp, city, helpers, people, outbox):
    user = people.user()
    app = testapp.for_tenant(city)
    helpers.sign_in(app, user.email)
    form = helpers.form_with(app.get("/account"), "new_email")
    form["new_email"] = "new@example.org"
    form["password"] = "not my password"
    page = form.submit(status=400)
    assert "not your current password" in page.text and 'value="new@example.org"' in page.text
    assert outbox.messages() == []


def test_profile_saves_and_sets_language(testapp, city, helpers, people):
    user = people.user()
    app = testapp.for_tenant(city)
    helpers.sign_in(app, user.email)
    form = helpers.form_with(app.get("/account"), "display_name")
    form["display_name"] = "New <b>Name</b>"
    form["preferred_locale"] = "lt"
    form["home_city"] = "vilnius"
    form.submit(status=303)
    page = app.get("/account")
    assert 'lang="lt"' in page.text  # the signed-in person's language wins over the browser's
    assert "New &lt;b&gt;Name&lt;/b&gt;" in page.text


def test_profile_picture_rejects_non_images(testapp, city, helpers, people):
    user = people.user()
    app = testapp.for_tenant(city)
    helpers.sign_in(app, user.email)
    form = helpers.form_with(app.get("/account"), "display_name")
    form["picture"] = ("me.png", b"definitely not a picture")
    page = form.submit(status=400)
    assert "This file type is not accepted" in page.text
