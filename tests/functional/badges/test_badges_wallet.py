"""The learner's wallet across cities, share pages, visibility, export."""

from __future__ import annotations

from plugins.badges.testing import Badges


def test_wallet_shows_badges_from_every_city(badges, testapp, registry, factories):
    ana = badges.user("ana@example.org")
    here = badges.issue(badges.badge_class(name="Vilnius badge"), user=ana)
    elsewhere = Badges(registry, factories, factories.tenant("kaunas"))
    there = elsewhere.issue(elsewhere.badge_class(name="Kaunas badge"), user=ana)
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    wallet = browser.get("/badges/wallet")
    assert "Vilnius badge" in wallet and "Kaunas badge" in wallet
    assert f"kaunas.example.test/badges/share/{there}" in wallet
    export = browser.get("/badges/wallet/export.json").json
    ids = {b["assertion"]["id"] for b in export["badges"]}
    assert ids == {
        f"http://vilnius.example.test/badges/assertions/{here}",
        f"http://kaunas.example.test/badges/assertions/{there}",
    }


def test_wallet_needs_sign_in_and_shows_only_own_badges(badges, testapp):
    badges.issue(
        badges.badge_class(name="Not yours"), "ana@example.org", user=badges.user("ana@example.org")
    )
    browser = testapp.for_tenant(badges.tenant)
    anonymous = browser.get("/badges/wallet", status=(303, 403))  # the core may ask to sign in
    assert anonymous.status_int == 403 or "/signin" in anonymous.location
    badges.user("bob@example.org")
    badges.sign_in(browser, "bob@example.org")
    assert "Not yours" not in browser.get("/badges/wallet")


def test_private_badge_share_page_is_only_for_its_owner(badges, testapp):
    ana = badges.user("ana@example.org")
    uid = badges.issue(badges.badge_class(), user=ana)
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    form = browser.get(f"/badges/share/{uid}").forms["visibility-form"]
    form["visibility"] = "private"
    form.submit(status=303)
    assert badges.assertion(uid).visibility == "private"
    testapp.for_tenant(badges.tenant).get(f"/badges/share/{uid}", status=404)
    assert browser.get(f"/badges/share/{uid}").status_int == 200
    # Verifiers still get the hosted assertion: privacy hides the page, not the proof.
    testapp.for_tenant(badges.tenant).get(f"/badges/assertions/{uid}.json", status=200)


def test_share_page_has_open_graph_and_status(badges, city):
    uid = badges.issue(badges.badge_class())
    page = city.get(f"/badges/share/{uid}")
    assert 'property="og:image"' in page and "Valid" in page
    badges.revoke(uid, "mistake")
    assert "Revoked by the issuer: mistake" in city.get(f"/badges/share/{uid}", status=410)


def _hooks(badges, name, user_id):
    from col_core.security.models import User

    with badges.request() as request:
        hook = getattr(request.registry["col.plugins"].hook, name)
        return hook(request=request, user=request.dbsession.get(User, user_id))


def test_account_export_contains_the_badges(badges):
    import json

    # Sent to her address before she had an account, not accepted yet: about her all the same.
    badges.issue(badges.badge_class(name="Waiting"), "Ana@example.org")
    ana = badges.user("ana@example.org")
    badges.issue(badges.badge_class(name="Exported"), user=ana)
    badges.issue(badges.badge_class(name="Someone else's"), "bob@example.org")
    files = {}
    for found in _hooks(badges, "col_account_export", ana.id):
        files.update(found or {})
    held = {a["badge"]: a for a in json.loads(files["badges/assertions.json"])}
    assert set(held) == {"Exported", "Waiting"}
    assert held["Exported"]["in_wallet"] and not held["Waiting"]["in_wallet"]
    assert held["Waiting"]["city"] == "vilnius" and held["Waiting"]["issuer"] == "Bike Kitchen"
    assert json.loads(files["badges/reviews_given.json"]) == []


def test_deleted_account_leaves_badges_verifiable_but_anonymous(badges, city):
    ana = badges.user("ana@example.org")
    uid = badges.issue(badges.badge_class(), user=ana)
    before = city.get(f"/badges/assertions/{uid}.json").json
    _hooks(badges, "col_account_deleted", ana.id)
    assertion = badges.assertion(uid)
    assert assertion.user_id is None and assertion.recipient_email == ""
    after = city.get(f"/badges/assertions/{uid}.json").json
    assert after["recipient"] == before["recipient"]
    city.get(f"/badges/share/{uid}", status=404)  # no public page naming a deleted person


def test_public_badges_show_on_the_profile_and_others_do_not(badges, testapp):
    ana = badges.user("ana@example.org", profile_public=True)
    shown = badges.issue(badges.badge_class(name="Shown badge"), user=ana)
    badges.issue(badges.badge_class(name="Link-only badge"), user=ana)
    badges.update(shown, visibility="public")
    profile = testapp.for_tenant(badges.tenant).get(f"/people/{ana.id}")
    assert "Shown badge" in profile and "Link-only badge" not in profile
