"""The verification page and wallet imports, against the app served on 127.0.0.1."""

from __future__ import annotations

import urllib.request

import pytest

from col_core.testing.people import accept_terms
from plugins.badges.fetch import FetchRefused, make_fetch


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _verify(live_city, status=200, **fields):
    page = live_city.app.get(f"{live_city.prefix}/badges/verify")
    form = page.forms["verify-form"]
    for name, value in fields.items():
        form[name] = value
    return form.submit(status=status)


def test_pasted_url_of_a_valid_badge(badges, live_city):
    uid = badges.issue(badges.badge_class(name="Bike repair"))
    page = _verify(live_city, badge=f"{live_city.origin}/badges/assertions/{uid}")
    assert '<h2 id="result-title">Valid</h2>' in page and "Bike Kitchen" in page


def test_uploaded_baked_image_of_a_revoked_badge_says_revoked_and_why(badges, live_city):
    uid = badges.issue(badges.badge_class())
    image = _get(f"{live_city.origin}/badges/assertions/{uid}/baked-ob3.png")
    badges.revoke(uid, "cheating")
    page = _verify(live_city, file=("badge.png", image))
    assert "Revoked</h2>" in page and "revoked by the issuer" in page


def test_expired_badge_says_expired(badges, live_city):
    import datetime as dt

    uid = badges.issue(badges.badge_class())
    badges.update(uid, expires_at=dt.datetime(2021, 1, 1, tzinfo=dt.UTC))
    page = _verify(live_city, badge=f"{live_city.origin}/badges/assertions/{uid}")
    assert "Expired</h2>" in page and "expired on 2021-01-01" in page


def test_wrong_recipient_and_garbage_are_not_valid(badges, live_city):
    uid = badges.issue(badges.badge_class())
    page = _verify(
        live_city, badge=f"{live_city.origin}/badges/assertions/{uid}", email="bob@example.org"
    )
    assert "Not valid</h2>" in page and "not awarded to this email" in page
    assert "Not valid</h2>" in _verify(live_city, badge='{"hello": 1}')
    assert "Paste a badge URL" in _verify(live_city, status=400)


def test_import_into_the_wallet_verifies_first(badges, live_city):
    uid = badges.issue(badges.badge_class(name="Imported one"))
    credential = _get(f"{live_city.origin}/badges/credentials/{uid}")
    badges.user("ana@example.org")
    app = live_city.app
    page = app.get(f"{live_city.prefix}/signin")
    form = next(f for f in page.forms.values() if "password" in f.fields)
    form["email"], form["password"] = "ana@example.org", "correct horse battery"
    form.submit(status=303)
    accept_terms(app, live_city.prefix)
    wallet = app.get(f"{live_city.prefix}/badges/wallet")
    form = wallet.forms["import-form"]
    form["file"] = ("credential.json", credential)
    form.submit(status=303)
    wallet = app.get(f"{live_city.prefix}/badges/wallet")
    assert "Imported one" in wallet and "verified" in wallet
    form = wallet.forms["import-form"]
    form["badge"] = credential.decode().replace("Imported one", "Forged")
    assert "could not be verified" in form.submit(status=400)


def test_fetching_private_addresses_is_refused_by_default():
    fetch = make_fetch({})
    for url in (
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data",
    ):
        with pytest.raises(FetchRefused):
            fetch(url)
