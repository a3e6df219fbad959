"""Sign-in, reset and sign-up throttling, per account, per address and per city, in the database.

The concurrent bursts through a multi-worker server are in tests/functional/concurrency/.
"""

import pytest
from sqlalchemy import func, select

from col_core.security.models import AuthAttempt, User


@pytest.fixture
def limits(registry):
    return registry["col.throttle_limits"]


def test_account_locks_after_repeated_failures_even_with_the_right_password(
    testapp, factories, people, helpers, limits
):
    city = factories.tenant("vilnius")
    user = people.user("target@example.org")
    app = testapp.for_tenant(city)
    for _ in range(limits["login"].per["account"]):
        helpers.sign_in(app, user.email, "wrong password!!", status=400)
    page = helpers.sign_in(app, user.email, helpers.PASSWORD, status=429)
    assert "Too many sign-in attempts" in page.text and "15 minutes" in page.text
    # The first failure leaves the window in 15 minutes: that is when to come back.
    assert 14 * 60 < int(page.headers["Retry-After"]) <= 15 * 60
    # Another address from the same IP still works (below the IP limit).
    other = people.user()
    helpers.sign_in(app, other.email)


def test_unknown_accounts_lock_the_same_way(testapp, factories, helpers, limits):
    city = factories.tenant("vilnius")
    app = testapp.for_tenant(city)
    for _ in range(limits["login"].per["account"]):
        helpers.sign_in(app, "ghost@example.org", "wrong password!!", status=400)
    helpers.sign_in(app, "ghost@example.org", "wrong password!!", status=429)


def test_ip_limit_spans_accounts(testapp, factories, people, helpers, limits):
    city = factories.tenant("vilnius")
    app = testapp.for_tenant(city, REMOTE_ADDR="203.0.113.9")
    for n in range(limits["login"].per["address"]):
        # A forged X-Forwarded-For does not make each attempt look like a new address.
        app.extra_environ["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}"
        helpers.sign_in(app, f"spray{n}@example.org", "wrong password!!", status=400)
    user = people.user()
    helpers.sign_in(app, user.email, status=429)
    # Someone else, elsewhere, is not affected.
    helpers.sign_in(testapp.for_tenant(city, REMOTE_ADDR="198.51.100.7"), user.email)


def test_attempt_keys_hold_no_email_or_address(testapp, factories, helpers):
    city = factories.tenant("vilnius")
    helpers.sign_in(
        testapp.for_tenant(city, REMOTE_ADDR="203.0.113.9"),
        "secret@example.org",
        "wrong password!!",
        status=400,
    )
    keys = factories.session.scalars(select(AuthAttempt.key)).all()
    assert len(keys) == 2
    assert not any("secret" in key or "203.0" in key for key in keys)


def test_success_clears_the_accounts_failures(testapp, factories, people, helpers, limits):
    city = factories.tenant("vilnius")
    user = people.user()
    app = testapp.for_tenant(city)
    failures = limits["login"].per["account"] - 1
    for _ in range(failures):
        helpers.sign_in(app, user.email, "wrong password!!", status=400)
    helpers.sign_in(app, user.email)
    count = factories.session.scalar(select(func.count()).select_from(AuthAttempt))
    assert count == failures  # only the IP's failures remain; the success is not one


def test_reset_requests_are_throttled_without_revealing_accounts(
    testapp, factories, people, helpers, outbox, limits
):
    city = factories.tenant("vilnius")
    user = people.user()
    app = testapp.for_tenant(city)
    for _ in range(limits["reset"].per["account"]):
        form = helpers.form_with(app.get("/password/forgot"), "email")
        form["email"] = user.email
        form.submit(status=303)
    form = helpers.form_with(app.get("/password/forgot"), "email")
    form["email"] = user.email
    response = form.submit(status=429)
    assert "Too many reset requests" in response.text and "Retry-After" in response.headers
    assert len(outbox.messages()) == limits["reset"].per["account"]


def _sign_up(app, helpers, number: int, status):
    form = helpers.form_with(app.get("/signup"), "display_name")
    for name, value in {
        "display_name": f"Bot {number}",
        "email": f"bot{number}@example.org",
        "password": "a long enough passphrase",
        "birth_date": "1995-04-01",
        "accept": True,
    }.items():
        form[name] = value
    return form.submit(status=status)


def test_sign_up_is_throttled_per_address(testapp, factories, helpers, limits):
    city = factories.tenant("vilnius")
    app = testapp.for_tenant(city, REMOTE_ADDR="203.0.113.20")
    allowed = limits["signup"].per["address"]
    for number in range(allowed):
        _sign_up(app, helpers, number, status=303)
    refused = _sign_up(app, helpers, allowed, status=429)
    assert "Too many accounts were created from your network" in refused.text
    assert 'value="Bot' in refused.text  # what was typed is kept
    assert 59 * 60 < int(refused.headers["Retry-After"]) <= 60 * 60
    assert factories.session.scalar(select(func.count()).select_from(User)) == allowed
    # Another address signs up as usual.
    _sign_up(testapp.for_tenant(city, REMOTE_ADDR="198.51.100.20"), helpers, 999, status=303)


@pytest.fixture
def strict_limits(app_config):
    """A low city-wide sign-up limit for one test (the configured one is the app's)."""
    limits = app_config.registry["col.throttle_limits"]
    saved = limits["signup"]
    limits["signup"] = type(saved)(per={"address": 100, "city": 3}, window=saved.window)
    yield limits
    limits["signup"] = saved


def test_sign_up_is_throttled_per_city_whatever_the_address(
    testapp, factories, helpers, strict_limits
):
    vilnius, gent = factories.tenant("vilnius"), factories.tenant("gent")
    for number in range(3):
        _sign_up(
            testapp.for_tenant(vilnius, REMOTE_ADDR=f"192.0.2.{number}"),
            helpers,
            number,
            status=303,
        )
    refused = _sign_up(
        testapp.for_tenant(vilnius, REMOTE_ADDR="192.0.2.50"), helpers, 50, status=429
    )
    assert "Many people are signing up in this city right now" in refused.text
    assert "Retry-After" in refused.headers
    # Another city is counted on its own.
    _sign_up(testapp.for_tenant(gent, REMOTE_ADDR="192.0.2.51"), helpers, 51, status=303)


def test_limits_must_be_whole_numbers():
    from col_core.security.throttle import limits
    from col_core.settings import defaults

    settings = {**defaults(), "col.signup_limit_per_city": "lots"}
    with pytest.raises(ValueError, match="col.signup_limit_per_city must be a whole number"):
        limits(settings)
