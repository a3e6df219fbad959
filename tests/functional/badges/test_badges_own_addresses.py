"""The platform verifies and imports the badges it issued itself, by asking its own app, while
the private-address guard stays as strict as ever for every other URL.

The test app's cities live at ``http://<slug>.example.test`` (port 80) and
``badges.fetch_private`` keeps its default (false): any URL fetched over the network instead
would fail (example.test has no address) or be refused.
"""

from __future__ import annotations

import pytest

from col_core.outbound import own_path

BADGES = "/badges/"


def _verify(city, badge: str, status: int = 200, **fields):
    form = city.get("/badges/verify").forms["verify-form"]
    form["badge"] = badge
    for name, value in fields.items():
        form[name] = value
    return form.submit(status=status)


def test_own_badge_verifies_without_allowing_private_addresses(badges, city, registry):
    assert registry.settings["badges.fetch_private"] == "false"
    uid = badges.issue(badges.badge_class(name="Own badge"))
    page = _verify(city, f"http://vilnius.example.test/badges/assertions/{uid}")
    assert '<h2 id="result-title">Valid</h2>' in page and "Own badge" in page
    credential = _verify(city, f"http://vilnius.example.test/badges/credentials/{uid}")
    assert '<h2 id="result-title">Valid</h2>' in credential


def test_own_badge_by_the_path_form_follows_the_apps_redirect(badges, city):
    uid = badges.issue(badges.badge_class(name="Own badge"))
    # The global host's /t/<slug>/ form redirects to the city's subdomain, inside the app too.
    page = _verify(city, f"http://example.test/t/vilnius/badges/assertions/{uid}")
    assert '<h2 id="result-title">Valid</h2>' in page


def test_revoked_own_badge_verifies_as_revoked(badges, city):
    uid = badges.issue(badges.badge_class())
    badges.revoke(uid, "cheating")
    page = _verify(city, f"http://vilnius.example.test/badges/assertions/{uid}")
    # A revoked hosted assertion answers 410 Gone, as it would over the network.
    assert '<h2 id="result-title">Revoked</h2>' in page and "revoked this assertion" in page


def test_wallet_imports_an_own_badge_by_its_url(badges, city):
    uid = badges.issue(badges.badge_class(name="Kept in the wallet"))
    badges.user("ana@example.org")
    badges.sign_in(city, "ana@example.org")
    form = city.get("/badges/wallet").forms["import-form"]
    form["badge"] = f"http://vilnius.example.test/badges/assertions/{uid}"
    form.submit(status=303)
    wallet = city.get("/badges/wallet")
    assert "Kept in the wallet" in wallet and "verified" in wallet


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/badges/assertions/x",  # loopback, another port
        "http://10.1.2.3/badges/assertions/x",  # a private network
        "http://169.254.169.254/latest/meta-data",  # a cloud metadata service
        "http://[::1]:6543/badges/assertions/x",
    ],
)
def test_outside_private_addresses_are_still_refused(badges, city, url):
    page = _verify(city, url)
    assert "Not valid</h2>" in page and "is a private address" in page


@pytest.mark.parametrize(
    "url",
    [
        "http://vilnius.example.test:8080/badges/assertions/UID",  # another port
        "https://vilnius.example.test/badges/assertions/UID",  # another scheme
        "http://vilnius.example.test:443/badges/assertions/UID",
        "http://evil@vilnius.example.test/badges/assertions/UID",  # userinfo
        "http://vilnius.example.test@10.1.2.3/badges/assertions/UID",
        "http://vilnius.example.test\\@10.1.2.3/badges/assertions/UID",
        "http://vilnius.example.test.evil.test/badges/assertions/UID",  # look-alikes
        "http://vilnius-example.test/badges/assertions/UID",
        "http://xvilnius.example.test/badges/assertions/UID",
        "http://atlantis.example.test/badges/assertions/UID",  # no such city
        "http://vilnius.example.test:80x/badges/assertions/UID",  # not a port
        "ftp://vilnius.example.test/badges/assertions/UID",
    ],
)
def test_tricks_on_own_hosts_are_outside_urls(badges, city, registry, url):
    uid = badges.issue(badges.badge_class(name="Own badge"))
    url = url.replace("UID", uid)
    assert own_path(registry, url, BADGES) is None
    page = _verify(city, url)
    assert "Not valid</h2>" in page and "Own badge" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/metrics",  # own, but not a badge document
        "/healthz",
        "/badges/../metrics",
        "/badges/%2e%2e/metrics",
        "/t/vilnius/metrics",
        "/badgesx/assertions/x",
    ],
)
def test_only_badge_documents_are_answered_internally(badges, registry, path):
    assert own_path(registry, f"http://vilnius.example.test{path}", BADGES) is None


def test_own_addresses_are_found_as_the_host_allow_list_knows_them(badges, registry):
    assert own_path(registry, "http://vilnius.example.test/badges/x?a=1", BADGES) == (
        "/badges/x?a=1"
    )
    assert own_path(registry, "HTTP://VILNIUS.Example.Test:80/badges/x", BADGES) == "/badges/x"
    assert own_path(registry, "http://example.test/t/vilnius/badges/x", BADGES) == (
        "/t/vilnius/badges/x"
    )
