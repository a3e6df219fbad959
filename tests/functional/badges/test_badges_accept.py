"""The emailed "keep your badge" link (finding 8): opening it changes nothing; only a
CSRF-protected POST by a signed-in person who owns the address moves the badges."""

from __future__ import annotations

import re

from plugins.badges.testing import Badges


def _link(outbox, to: str) -> str:
    message = next(m for m in outbox.messages() if m["To"] == to)
    link = re.search(r"https?://\S+/badges/accept/\S+", message.get_content())[0]
    return re.sub(r"^https?://[^/]+", "", link)


def _accept_form(browser, path):
    return browser.get(path).forms["accept-form"]


def test_the_recipient_keeps_every_badge_sent_to_the_address(badges, testapp, outbox):
    first = badges.issue(badges.badge_class(name="First"), "new@example.org")
    second = badges.issue(badges.badge_class(name="Second"), "New@Example.org ")
    path = _link(outbox, "new@example.org")
    browser = testapp.for_tenant(badges.tenant)
    page = browser.get(path)
    assert "Create your account" in page and "new@example.org" in page
    assert "accept-form" not in page.forms
    badges.user("new@example.org")
    badges.sign_in(browser, "new@example.org")
    for _opened in range(2):  # opening it, even twice (mail scanners do), moves nothing
        assert _accept_form(browser, path) is not None
    assert badges.assertion(first).user_id is None
    _accept_form(browser, path).submit(status=303).follow()
    assert badges.assertion(first).user_id is not None
    assert badges.assertion(second).user_id == badges.assertion(first).user_id
    browser.get(path, status=404)  # used once


def test_someone_else_signed_in_cannot_take_the_badges(badges, testapp, outbox):
    """The attack: a signed-in learner opens (or is sent) another address's link."""
    victim = badges.issue(badges.badge_class(name="Victim's badge"), "victim@example.org")
    path = _link(outbox, "victim@example.org")
    badges.user("mallory@example.org")
    mallory = testapp.for_tenant(badges.tenant)
    badges.sign_in(mallory, "mallory@example.org")
    page = mallory.get(path)
    assert "signed in with another address" in page and "accept-form" not in page.forms
    assert badges.assertion(victim).user_id is None
    token = re.search(r'name="csrf_token" value="([^"]+)"', mallory.get("/badges/wallet").text)[1]
    refused = mallory.post(path, {"csrf_token": token}, status=403)
    assert "sign in with the account that uses this address" in refused
    mallory.post(path, {}, status=(400, 403))  # and no CSRF token: refused before anything
    assert badges.assertion(victim).user_id is None
    assert "Victim's badge" not in mallory.get("/badges/wallet")
    # The link still works for its owner afterwards.
    badges.user("victim@example.org")
    owner = testapp.for_tenant(badges.tenant)
    badges.sign_in(owner, "victim@example.org")
    _accept_form(owner, path).submit(status=303)
    assert badges.assertion(victim).user_id is not None


def test_a_signed_out_post_and_a_cross_site_post_move_nothing(badges, testapp, outbox):
    uid = badges.issue(badges.badge_class(), "ana@example.org")
    path = _link(outbox, "ana@example.org")
    testapp.for_tenant(badges.tenant).post(path, {}, status=(303, 400, 403))
    badges.user("ana@example.org")
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    browser.post(path, {"csrf_token": "forged"}, status=(400, 403))
    assert badges.assertion(uid).user_id is None


def test_another_citys_link_is_not_found_here(badges, testapp, outbox, registry, factories):
    badges.issue(badges.badge_class(), "ana@example.org")
    path = _link(outbox, "ana@example.org")
    elsewhere = Badges(registry, factories, factories.tenant("kaunas"))
    testapp.for_tenant(elsewhere.tenant).get(path, status=404)
