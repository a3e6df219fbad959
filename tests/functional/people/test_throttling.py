"""Sign-in and reset throttling, per account and per IP, kept in the database."""

from sqlalchemy import func, select

from col_core.security.models import AuthAttempt
from col_core.security.throttle import LIMITS


def test_account_locks_after_repeated_failures_even_with_the_right_password(
        testapp, factories, people, helpers):
    city = factories.tenant("vilnius")
    user = people.user("target@example.org")
    app = testapp.for_tenant(city)
    for _ in range(LIMITS["login"].per_account):
        helpers.sign_in(app, user.email, "wrong password!!", status=400)
    page = helpers.sign_in(app, user.email, helpers.PASSWORD, status=429)
    assert "Too many sign-in attempts" in page.text and "15 minutes" in page.text
    # Another address from the same IP still works (below the IP limit).
    other = people.user()
    helpers.sign_in(app, other.email)


def test_unknown_accounts_lock_the_same_way(testapp, factories, helpers):
    city = factories.tenant("vilnius")
    app = testapp.for_tenant(city)
    for _ in range(LIMITS["login"].per_account):
        helpers.sign_in(app, "ghost@example.org", "wrong password!!", status=400)
    helpers.sign_in(app, "ghost@example.org", "wrong password!!", status=429)


def test_ip_limit_spans_accounts(testapp, factories, people, helpers):
    city = factories.tenant("vilnius")
    app = testapp.for_tenant(city, REMOTE_ADDR="203.0.113.9")
    for n in range(LIMITS["login"].per_ip):
        # A forged X-Forwarded-For does not make each attempt look like a new address.
        app.extra_environ["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}"
        helpers.sign_in(app, f"spray{n}@example.org", "wrong password!!", status=400)
    user = people.user()
    helpers.sign_in(app, user.email, status=429)
    # Someone else, elsewhere, is not affected.
    helpers.sign_in(testapp.for_tenant(city, REMOTE_ADDR="198.51.100.7"), user.email)


def test_attempt_keys_hold_no_email_or_address(testapp, factories, helpers):
    city = factories.tenant("vilnius")
    helpers.sign_in(testapp.for_tenant(city, REMOTE_ADDR="203.0.113.9"), "secret@example.org",
                    "wrong password!!", status=400)
    keys = factories.session.scalars(select(AuthAttempt.key)).all()
    assert len(keys) == 2
    assert not any("secret" in key or "203.0" in key for key in keys)


def test_success_clears_the_accounts_failures(testapp, factories, people, helpers):
    city = factories.tenant("vilnius")
    user = people.user()
    app = testapp.for_tenant(city)
    for _ in range(LIMITS["login"].per_account - 1):
        helpers.sign_in(app, user.email, "wrong password!!", status=400)
    helpers.sign_in(app, user.email)
    count = factories.session.scalar(select(func.count()).select_from(AuthAttempt))
    assert count == LIMITS["login"].per_account - 1  # only the IP's remain


def test_reset_requests_are_throttled_without_revealing_accounts(
        testapp, factories, people, helpers, outbox):
    city = factories.tenant("vilnius")
    user = people.user()
    app = testapp.for_tenant(city)
    for _ in range(LIMITS["reset"].per_account):
        form = helpers.form_with(app.get("/password/forgot"), "email")
        form["email"] = user.email
        form.submit(status=303)
    form = helpers.form_with(app.get("/password/forgot"), "email")
    form["email"] = user.email
    assert "Too many reset requests" in form.submit(status=429).text
    assert len(outbox.messages()) == LIMITS["reset"].per_account
