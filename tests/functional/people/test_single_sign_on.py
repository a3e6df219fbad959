"""Single sign-on across the network: one browser, one cookie jar per host, the real handshake.

Each site is browsed by its own webtest client (its own cookies, as a browser keeps them per
host); redirects between hosts are followed by handing the address to that host's client.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import update

from col_core.db.meta import utcnow
from col_core.security.models import User, UserSession, UserToken
from col_core.testing.people import PASSWORD, accept_terms
from tests.functional.people.conftest import form_with

HUB = "http://example.test/"
ALPHA = "http://alpha.example.test/"
BETA = "http://beta.example.test/"


class Browser:
    """A browser: one client (cookie jar) per host name, following redirects across them."""

    def __init__(self, testapp, *tenants):
        self.apps = {}
        for tenant in tenants:
            app = testapp.for_tenant(tenant)
            self.apps[app.extra_environ["HTTP_HOST"]] = app

    def get(self, url: str, status="*"):
        parts = urlsplit(url)
        query = f"?{parts.query}" if parts.query else ""
        return self.apps[parts.hostname].get(parts.path + query, status=status)

    def walk(self, url: str, limit: int = 10):
        """Follow redirects from ``url``; the last response and every address visited."""
        visited = [url]
        response = self.get(url)
        while response.status_int in (302, 303) and len(visited) <= limit:
            visited.append(response.location)
            response = self.get(response.location)
        return response, visited

    def signed_in(self, url: str) -> bool:
        return self.get(url + "account").status_int == 200

    def sign_in(self, url: str, email: str):
        """Sign in with a password on the site at ``url``; the response to the form."""
        app = self.apps[urlsplit(url).hostname]
        form = form_with(app.get("/signin"), "password")
        form["email"], form["password"] = email, PASSWORD
        return form.submit(status=303)


@pytest.fixture
def network(factories):
    return (
        factories.global_site(),
        factories.tenant("alpha", name="Alpha"),
        factories.tenant("beta", name="Beta"),
    )


@pytest.fixture
def browser(testapp, network):
    return Browser(testapp, *network)


@pytest.fixture
def learner(people, network):
    user = people.user()
    for tenant in network:
        people.consented(tenant, user)
    return user


def started(browser, site: str, next_path: str = "/") -> str:
    """Start a handshake on ``site``; the state its session now waits for."""
    location = browser.get(f"{site}sso/start?next={next_path}", status=303).location
    assert location.startswith(f"{HUB}sso/authorize?")
    return parse_qs(urlsplit(location).query)["state"][0]


def ticket_for(browser, return_to: str, state: str) -> str:
    """A ticket the hub issues (its browser signed in) for ``return_to`` and ``state``."""
    query = urlencode({"return_to": return_to, "state": state})
    location = browser.get(f"{HUB}sso/authorize?{query}", status=303).location
    assert location.startswith(f"{return_to}sso/callback?")
    return parse_qs(urlsplit(location).query)["ticket"][0]


def signed_in_on_alpha(browser, learner) -> None:
    response = browser.sign_in(ALPHA, learner.email)
    browser.walk(response.location)


def test_signing_in_on_a_city_signs_in_at_the_hub(browser, learner):
    response = browser.sign_in(ALPHA, learner.email)
    assert response.location.startswith(f"{HUB}sso/start?")
    final, visited = browser.walk(response.location)
    assert visited[-1] == ALPHA
    assert final.status_int == 200
    assert browser.signed_in(HUB)
    assert browser.signed_in(ALPHA)


def test_sign_in_link_on_another_city_signs_in_there(browser, learner):
    signed_in_on_alpha(browser, learner)
    assert not browser.signed_in(BETA)
    final, visited = browser.walk(f"{BETA}sso/start?next=/activities")
    assert visited[-1] == f"{BETA}activities"
    assert any(url.startswith(f"{HUB}sso/authorize") for url in visited)
    assert browser.signed_in(BETA)


def test_nav_sign_in_link_starts_the_handshake(browser, learner):
    page = browser.get(BETA)
    assert 'href="http://beta.example.test/sso/start?next=%2F"' in page.text


def test_sign_in_link_without_a_hub_session_shows_the_city_form(browser):
    final, visited = browser.walk(f"{BETA}sso/start?next=/activities")
    assert visited[-1] == f"{BETA}signin?next=%2Factivities"
    assert final.status_int == 200
    assert 'name="password"' in final.text


def test_the_sign_in_link_when_signed_in_goes_straight_on(browser, learner):
    signed_in_on_alpha(browser, learner)
    response = browser.get(f"{ALPHA}sso/start?next=/activities", status=303)
    assert response.location == f"{ALPHA}activities"


def test_callback_with_a_ticket_tells_no_other_site_its_address(browser, learner):
    signed_in_on_alpha(browser, learner)
    state = started(browser, BETA)
    ticket = ticket_for(browser, BETA, state)
    response = browser.get(f"{BETA}sso/callback?ticket={ticket}&state={state}", status=303)
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_ticket_is_bound_to_the_state(browser, learner):
    signed_in_on_alpha(browser, learner)
    state = started(browser, BETA)
    ticket = ticket_for(browser, BETA, state)
    response = browser.get(f"{BETA}sso/callback?ticket={ticket}&state={'x' * 43}", status=400)
    assert "was not started in this browser" in response.text
    assert not browser.signed_in(BETA)


@pytest.mark.parametrize(
    "return_to",
    [
        "http://evil.example/",
        "//evil.example/",
        "https://beta.example.test/",
        "http://beta.example.test:8080/",
        "http://beta.example.test@evil.example/",
        "http://evil.example/?http://beta.example.test/",
        "http://unknown.example.test/",
        "javascript:alert(1)//beta.example.test/",
        "http://beta.example.test\\@evil.example/",
        "http://[::1/",
        "",
    ],
)
def test_authorize_refuses_return_to_outside_the_network(browser, learner, return_to):
    signed_in_on_alpha(browser, learner)
    query = urlencode({"return_to": return_to, "state": "s" * 43})
    response = browser.get(f"{HUB}sso/authorize?{query}", status=400)
    assert "can only continue on a site of this network" in response.text


def test_authorize_to_a_path_stays_on_the_hub(browser, learner):
    query = urlencode({"return_to": "/activities", "state": "s" * 43})
    response = browser.get(f"{HUB}sso/authorize?{query}", status=303)
    assert response.location == f"{HUB}activities"


def test_authorize_refuses_a_disabled_city(browser, learner, factories, network):
    _hub, _alpha, beta = network
    beta.active = False
    factories.save(beta)
    signed_in_on_alpha(browser, learner)
    query = urlencode({"return_to": BETA, "state": "s" * 43})
    browser.get(f"{HUB}sso/authorize?{query}", status=400)


@pytest.mark.parametrize("state", ["", "short", "x" * 129, "not/allowed" * 4])
def test_authorize_needs_a_state(browser, learner, state):
    signed_in_on_alpha(browser, learner)
    query = urlencode({"return_to": BETA, "state": state})
    response = browser.get(f"{HUB}sso/authorize?{query}", status=400)
    assert "The sign-in request is incomplete" in response.text


def test_planted_ticket_does_not_sign_the_victim_in(testapp, network, learner):
    """Login CSRF: the attacker's own ticket and state, sent to a victim's browser."""
    attacker = Browser(testapp, *network)
    signed_in_on_alpha(attacker, learner)
    state = started(attacker, BETA)
    ticket = ticket_for(attacker, BETA, state)
    victim = Browser(testapp, *network)
    victim.get(BETA)
    started(victim, BETA)  # even while the victim's own handshake waits
    victim.get(f"{BETA}sso/callback?ticket={ticket}&state={state}", status=400)
    assert not victim.signed_in(BETA)


def test_ticket_for_one_city_is_refused_by_another(browser, learner):
    signed_in_on_alpha(browser, learner)
    state = started(browser, BETA)
    ticket = ticket_for(browser, ALPHA, state)  # issued for alpha, carried to beta
    response = browser.get(f"{BETA}sso/callback?ticket={ticket}&state={state}", status=400)
    assert "expired or was already used" in response.text
    assert not browser.signed_in(BETA)


def test_replayed_ticket_is_refused(testapp, browser, network, learner):
    signed_in_on_alpha(browser, learner)
    state = started(browser, BETA)
    ticket = ticket_for(browser, BETA, state)
    thief = testapp.for_tenant(network[2])
    for name, value in browser.apps["beta.example.test"].cookies.items():
        thief.set_cookie(name, value)  # the pending handshake too
    callback = f"/sso/callback?ticket={ticket}&state={state}"
    browser.get(f"http://beta.example.test{callback}", status=303)
    response = thief.get(callback, status=400)
    assert "expired or was already used" in response.text
    assert thief.get("/account", status="*").status_int != 200


def test_expired_ticket_is_refused(browser, learner, factories):
    signed_in_on_alpha(browser, learner)
    state = started(browser, BETA)
    ticket = ticket_for(browser, BETA, state)
    factories.session.execute(
        update(UserToken)
        .where(UserToken.purpose == "sso")
        .values(expires_at=utcnow() - dt.timedelta(seconds=1))
    )
    factories.session.commit()
    browser.get(f"{BETA}sso/callback?ticket={ticket}&state={state}", status=400)
    assert not browser.signed_in(BETA)


@pytest.mark.parametrize(
    "change",
    [
        {"deleted_at": utcnow()},
        {"email_verified_at": None},
        {"guardian_email": "parent@example.org", "guardian_consent_at": None},
    ],
)
def test_ticket_of_a_person_who_may_not_sign_in_is_refused(browser, learner, factories, change):
    signed_in_on_alpha(browser, learner)
    state = started(browser, BETA)
    ticket = ticket_for(browser, BETA, state)
    factories.session.execute(update(User).where(User.id == learner.id).values(**change))
    factories.session.commit()
    browser.get(f"{BETA}sso/callback?ticket={ticket}&state={state}", status=400)
    assert not browser.signed_in(BETA)


def test_hub_without_session_answers_login_required(browser):
    state = started(browser, BETA)
    query = urlencode({"return_to": BETA, "state": state})
    location = browser.get(f"{HUB}sso/authorize?{query}", status=303).location
    assert "ticket" not in location
    assert parse_qs(urlsplit(location).query)["error"] == ["login_required"]


def test_start_refuses_a_source_outside_the_network(browser):
    query = urlencode({"source": "http://evil.example/", "next": "/"})
    response = browser.get(f"{HUB}sso/start?{query}", status=400)
    assert "not a site of this network" in response.text


@pytest.mark.parametrize("target", ["http://evil.example/", "//evil.example/", "/\\evil.example"])
def test_next_outside_the_network_lands_home(browser, target):
    query = urlencode({"source": ALPHA, "next": target})
    final, visited = browser.walk(f"{HUB}sso/start?{query}")
    assert visited[-1] == HUB
    assert not any("evil" in urlsplit(url).netloc for url in visited)


def test_signing_out_signs_out_everywhere_in_this_browser(testapp, browser, network, learner):
    signed_in_on_alpha(browser, learner)
    browser.walk(f"{BETA}sso/start?next=/")
    other_device = Browser(testapp, *network)
    signed_in_on_alpha(other_device, learner)
    beta = browser.apps["beta.example.test"]
    page = beta.get("/account")
    form = next(f for f in page.forms.values() if f.action.endswith("/signout"))
    form.submit(status=303)
    assert not browser.signed_in(BETA)
    assert not browser.signed_in(HUB)
    assert not browser.signed_in(ALPHA)
    assert other_device.signed_in(ALPHA) and other_device.signed_in(HUB)


def test_sessions_made_by_single_sign_on_share_the_family(browser, learner, factories):
    signed_in_on_alpha(browser, learner)
    browser.walk(f"{BETA}sso/start?next=/")
    families = factories.session.scalars(
        UserSession.__table__.select()
        .with_only_columns(UserSession.family)
        .where(UserSession.user_id == learner.id)
    ).all()
    assert len(families) == 3 and len(set(families)) == 1


def test_path_form_cities_share_the_hub_session(make_testapp, factories, people):
    hub, alpha, beta = (
        factories.global_site(),
        factories.tenant("alpha"),
        factories.tenant("beta"),
    )
    user = people.user()
    app = make_testapp(**{"col.public_url": "http://localhost"})
    app.extra_environ["HTTP_HOST"] = "localhost"
    form = form_with(app.get("/t/alpha/signin"), "password")
    form["email"], form["password"] = user.email, PASSWORD
    response = form.submit(status=303)
    assert response.location == "http://localhost/t/alpha/"  # one host: no handshake needed
    accept_terms(app, "/t/alpha")
    assert app.get("/t/beta/account").status_int == 200
    assert app.get("/account").status_int == 200
    started = app.get("/t/beta/sso/start?next=/activities", status=303)
    assert started.location == "http://localhost/t/beta/activities"
    query = urlencode({"return_to": "http://localhost/t/beta/", "state": "s" * 43})
    location = app.get(f"/sso/authorize?{query}", status=303).location
    assert location.startswith("http://localhost/t/beta/sso/callback?ticket=")
    assert hub and alpha and beta


def test_path_form_sign_in_link_keeps_the_page(make_testapp, factories):
    factories.global_site(), factories.tenant("beta")
    app = make_testapp(**{"col.public_url": "http://localhost"})
    app.extra_environ["HTTP_HOST"] = "localhost"
    page = app.get("/t/beta/organisations?page=2")
    assert 'href="http://localhost/t/beta/sso/start?next=%2Forganisations%3Fpage%3D2"' in page.text
    response = app.get("/t/beta/sso/start?next=%2Forganisations%3Fpage%3D2", status=303)
    assert response.location == "http://localhost/t/beta/signin?next=%2Forganisations%3Fpage%3D2"


def test_a_path_form_city_sends_the_person_back_to_the_page_they_asked_for(
    make_testapp, factories, people
):
    """Under /t/<slug>/ the sign-in's ``next`` carried the prefix, which was then added again:
    after signing in the person landed on /t/alpha/t/alpha/account (a 404)."""
    factories.tenant("alpha")
    user = people.user()
    app = make_testapp(**{"col.public_url": "http://localhost"})
    app.extra_environ["HTTP_HOST"] = "localhost"
    asked = app.get("/t/alpha/account?tab=badges", status=303)
    assert asked.location == "http://localhost/t/alpha/signin?next=%2Faccount%3Ftab%3Dbadges"
    form = form_with(app.get(asked.location), "password")
    form["email"], form["password"] = user.email, PASSWORD
    assert form.submit(status=303).location == "http://localhost/t/alpha/account?tab=badges"
