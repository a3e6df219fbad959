"""Pure rules of the security policy: publishing, ages, password policy, field validation."""

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from col_core.db.meta import utcnow
from col_core.organisations.models import Organisation
from col_core.security import validation as v
from col_core.security.forms import safe_next
from col_core.security.models import User
from col_core.security.passwords import hash_password, password_problem, verify_password
from col_core.security.policy import may_publish, publishing_blocked
from col_core.tenancy.models import Tenant


class FakeRequest:
    application_url = "http://city.example.test"

    def __init__(self, tenant=None):
        self.tenant = tenant

    def route_url(self, name):
        return self.application_url + "/"


def test_unverified_organisations_publish_unless_the_city_says_no():
    open_city = FakeRequest(Tenant(settings={}))
    strict_city = FakeRequest(Tenant(settings={"unverified_organisations_can_publish": False}))
    unverified = Organisation(name="x", created_at=utcnow() - dt.timedelta(days=2))
    verified = Organisation(name="y", verified_at=utcnow())
    assert may_publish(open_city, unverified)
    assert not may_publish(strict_city, unverified)
    assert may_publish(strict_city, verified)


def test_new_unverified_organisations_wait_before_they_publish():
    """A brand-new account's new organisation does not reach the map at once."""
    open_city = FakeRequest(Tenant(settings={}))
    new = Organisation(name="x", created_at=utcnow() - dt.timedelta(hours=23))
    assert not may_publish(open_city, new)
    message = publishing_blocked(open_city, new)
    assert "24 hours after they register" in message.interpolate() and message.mapping["left"] == 1
    assert may_publish(
        FakeRequest(Tenant(settings={"unverified_organisations_wait_hours": 0})), new
    )
    new.verified_at = utcnow()  # verifying ends the wait
    assert may_publish(open_city, new)


def test_suspended_organisations_never_publish():
    suspended = Organisation(name="x", verified_at=utcnow(), suspended_at=utcnow())
    assert not may_publish(FakeRequest(Tenant(settings={})), suspended)


def test_age_counts_birthdays():
    user = User(birth_date=dt.date(2010, 6, 15))
    assert user.age_on(dt.date(2026, 6, 14)) == 15
    assert user.age_on(dt.date(2026, 6, 15)) == 16


def test_password_policy():
    assert password_problem("short") is not None
    assert password_problem("qwertyuiop123") is not None  # on the common list
    assert password_problem("ruta.kalnaite-2026", "ruta.kalnaite@example.org") is not None
    assert password_problem("violet tram under snow") is None


def test_hash_is_argon2id_and_verifies():
    hashed = hash_password("violet tram under snow")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "violet tram under snow")
    assert not verify_password(hashed, "violet tram under rain")
    assert not verify_password(None, "anything at all")


def test_safe_next_refuses_other_sites():
    request = FakeRequest()
    assert safe_next(request, "/account") == "http://city.example.test/account"
    for evil in ("https://evil.example", "//evil.example", "/\\evil.example", "", None):
        assert safe_next(request, evil) == "http://city.example.test/"


def test_rich_text_is_sanitised():
    cleaned, errors = v.validate(
        {"d": '<p onclick="x()">Hi<script>bad()</script></p>'}, {"d": v.rich_text(500)}
    )
    assert errors == {} and cleaned["d"] == "<p>Hi</p>"


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["name", "email", "day", "kind", "other"]),
        st.one_of(st.text(), st.integers(), st.none(), st.booleans(), st.lists(st.text())),
    )
)
def test_validate_never_raises_and_reports_every_bad_field(data):
    rules = {
        "name": v.text(20),
        "email": v.email(),
        "day": v.date(required=False),
        "kind": v.choice(("a", "b")),
    }
    cleaned, errors = v.validate(data, rules)
    assert set(cleaned) | set(errors) == set(rules)
    assert not set(cleaned) & set(errors)
