"""Server-side sessions: signing out revokes the cookie, even a copy; the account page lists and
ends sessions."""

import re

from sqlalchemy import func, select

from col_core.security.models import UserSession
from col_core.security.sessions import describe_agent

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _browser(testapp, city, helpers, user, agent=FIREFOX):
    app = testapp.for_tenant(city, HTTP_USER_AGENT=agent)
    helpers.sign_in(app, user.email)
    return app


def _copy(testapp, city, app):
    thief = testapp.for_tenant(city)
    thief.set_cookie("col_session", app.cookies["col_session"])
    return thief


def _signed_in(app) -> bool:
    return app.get("/api/v1/me", expect_errors=True).status_int == 200


def _session_ids(page) -> list[int]:
    return [int(n) for n in re.findall(r'/account/sessions/(\d+)/end"', page.text)]


def test_a_copied_cookie_stops_working_after_sign_out(testapp, city, people, helpers):
    user = people.user()
    app = _browser(testapp, city, helpers, user)
    thief = _copy(testapp, city, app)
    assert _signed_in(thief)
    app.post("/signout", {"csrf_token": helpers.csrf_token(app)}, status=303)
    assert not _signed_in(thief) and not _signed_in(app)


def test_the_account_page_lists_sessions_and_ends_one(testapp, city, people, helpers):
    user = people.user()
    laptop = _browser(testapp, city, helpers, user)
    phone = _browser(
        testapp,
        city,
        helpers,
        user,
        agent="Mozilla/5.0 (Linux; Android 14) "
        "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
    )
    page = laptop.get("/account")
    assert "Firefox on Linux" in page.text and "Chrome on Android" in page.text
    assert "This browser" in page.text
    phone_id = max(_session_ids(page))  # the phone signed in last
    laptop.post(
        f"/account/sessions/{phone_id}/end", {"csrf_token": helpers.csrf_token(laptop)}, status=303
    )
    assert not _signed_in(phone) and _signed_in(laptop)


def test_ending_this_session_signs_out(testapp, city, people, helpers):
    user = people.user()
    app = _browser(testapp, city, helpers, user)
    [mine] = _session_ids(app.get("/account"))
    thief = _copy(testapp, city, app)
    app.post(f"/account/sessions/{mine}/end", {"csrf_token": helpers.csrf_token(app)}, status=303)
    assert not _signed_in(app) and not _signed_in(thief)


def test_sign_out_everywhere_else(testapp, city, people, helpers):
    user = people.user()
    here, there, elsewhere = (_browser(testapp, city, helpers, user) for _ in range(3))
    response = here.post(
        "/account/sessions/end-others", {"csrf_token": helpers.csrf_token(here)}, status=303
    )
    assert "Signed out everywhere else (2 sessions)" in response.follow().text
    assert _signed_in(here) and not _signed_in(there) and not _signed_in(elsewhere)


def test_nobody_else_can_end_your_session(testapp, city, people, helpers):
    victim, attacker = people.user(), people.user()
    victim_app = _browser(testapp, city, helpers, victim)
    [victim_session] = _session_ids(victim_app.get("/account"))
    attacker_app = _browser(testapp, city, helpers, attacker)
    attacker_app.post(
        f"/account/sessions/{victim_session}/end",
        {"csrf_token": helpers.csrf_token(attacker_app)},
        status=404,
    )
    attacker_app.post(
        "/account/sessions/end-others", {"csrf_token": helpers.csrf_token(attacker_app)}, status=303
    )
    assert _signed_in(victim_app)


def test_session_forms_need_the_csrf_token(testapp, city, people, helpers):
    user = people.user()
    here, there = (_browser(testapp, city, helpers, user) for _ in range(2))
    there_id = max(_session_ids(here.get("/account")))
    here.post("/account/sessions/end-others", {}, status=400)
    here.post(f"/account/sessions/{there_id}/end", {"csrf_token": "forged"}, status=400)
    assert _signed_in(there)


def test_deleting_the_account_ends_its_sessions(testapp, city, people, helpers, factories):
    user = people.user()
    app, other = (_browser(testapp, city, helpers, user) for _ in range(2))
    app.post(
        "/account/delete",
        {"csrf_token": helpers.csrf_token(app), "password": helpers.PASSWORD, "confirm": "on"},
        status=303,
    )
    assert not _signed_in(other)
    count = select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    assert factories.session.scalar(count) == 0


def test_browser_summaries():
    assert describe_agent(FIREFOX) == "Firefox on Linux"
    assert describe_agent("curl/8.5.0") == "curl/8.5.0"
    assert describe_agent("") == ""
