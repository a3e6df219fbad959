"""Wallet imports check the recipient (finding 11): a learner cannot add another learner's
badge, nor one issued to an unrelated address, in any format, hashed recipients included.
The badges are real ones, issued by the platform and fetched from it served on 127.0.0.1."""

from __future__ import annotations

import urllib.request

import pytest
from sqlalchemy import select

from col_core.security.models import User
from col_core.testing.people import accept_terms
from plugins.badges.models import ImportedBadge


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def _formats(origin: str, uid: str) -> dict[str, tuple[str, bytes | str]]:
    """Every form a learner could hand us: field name and value for the import form."""
    assertion = f"{origin}/badges/assertions/{uid}"
    return {
        "OB 2.0 hosted URL": ("badge", assertion),
        "OB 2.0 signed JWS": ("badge", _get(f"{assertion}/signed").decode()),
        "OB 2.0 baked PNG": ("file", _get(f"{assertion}/baked-ob2.png")),
        "OB 2.0 baked SVG": ("file", _get(f"{assertion}/baked-ob2.svg")),
        "OB 3.0 JSON": ("badge", _get(f"{origin}/badges/credentials/{uid}").decode()),
        "OB 3.0 VC-JWT": ("badge", _get(f"{origin}/badges/credentials/{uid}?format=jwt").decode()),
        "OB 3.0 baked PNG": ("file", _get(f"{assertion}/baked-ob3.png")),
    }


def _signed_in(badges, live_city, email):
    badges.user(email)
    app = live_city.app
    app.reset()
    page = app.get(f"{live_city.prefix}/signin")
    form = next(f for f in page.forms.values() if "password" in f.fields)
    form["email"], form["password"] = email, "correct horse battery"
    form.submit(status=303)
    accept_terms(app, live_city.prefix)
    return app


def _import(app, prefix, field, value, status):
    form = app.get(f"{prefix}/badges/wallet").forms["import-form"]
    form[field] = ("badge.bin", value) if field == "file" else value
    return form.submit(status=status)


def _all_imports(factories) -> list[ImportedBadge]:
    factories.session.expire_all()
    return factories.session.scalars(select(ImportedBadge)).all()


def test_other_peoples_badges_are_refused_in_every_format(badges, live_city, factories):
    bob = badges.user("bob@example.org")  # another learner of the platform
    class_id = badges.badge_class(name="Bob's badge")
    bobs = _formats(live_city.origin, badges.issue(class_id, user=bob))
    unrelated = _formats(live_city.origin, badges.issue(class_id, "zed@elsewhere.example"))
    app = _signed_in(badges, live_city, "mallory@example.org")
    for stolen in (bobs, unrelated):
        for name, (field, value) in stolen.items():
            page = _import(app, live_city.prefix, field, value, 400)
            assert "This badge was awarded to someone else" in page, name
            assert "mallory@example.org" in page, name
    wallet = app.get(f"{live_city.prefix}/badges/wallet")
    assert "Bob&#39;s badge" not in wallet and "Bob's badge" not in wallet
    assert _all_imports(factories) == []  # nothing was kept for anyone


def test_own_badges_import_in_every_format(badges, live_city, factories):
    class_id = badges.badge_class(name="My own badge")
    # Issued to the address before the account existed, written differently: still hers.
    mine = _formats(live_city.origin, badges.issue(class_id, " Ana@Example.org"))
    app = _signed_in(badges, live_city, "ana@example.org")
    for _name, (field, value) in mine.items():
        _import(app, live_city.prefix, field, value, 303)
    wallet = app.get(f"{live_city.prefix}/badges/wallet")
    assert "My own badge" in wallet and "verified" in wallet
    rows = _all_imports(factories)
    assert len(rows) == len(mine) and {r.status for r in rows} == {"valid"}
    # The same badge added twice stays one entry.
    field, value = mine["OB 3.0 JSON"]
    _import(app, live_city.prefix, field, value, 303)
    assert len(_all_imports(factories)) == len(mine)


@pytest.mark.parametrize("how", ["OB 2.0 hosted URL", "OB 3.0 JSON"])
def test_a_revoked_badge_of_ones_own_is_refused(badges, live_city, how):
    uid = badges.issue(badges.badge_class(), "ana@example.org")
    field, value = _formats(live_city.origin, uid)[how]
    badges.revoke(uid, "cheating")
    app = _signed_in(badges, live_city, "ana@example.org")
    assert "could not be verified" in _import(app, live_city.prefix, field, value, 400)


def test_an_import_from_before_the_check_is_unverified_until_added_again(
    badges, live_city, factories
):
    uid = badges.issue(badges.badge_class(name="Old import"), "ana@example.org")
    url = f"{live_city.origin}/badges/assertions/{uid}"
    app = _signed_in(badges, live_city, "ana@example.org")
    ana_id = factories.session.scalar(select(User.id).where(User.email == "ana@example.org"))
    # What the migration leaves of an import made before recipients were checked.
    factories.save(
        ImportedBadge(
            user_id=ana_id,
            data=url,
            format="ob2-hosted",
            status="unchecked",
            badge_name="Old import",
        )
    )
    assert "not verified: add it again" in app.get(f"{live_city.prefix}/badges/wallet")
    _import(app, live_city.prefix, "badge", url, 303)
    rows = _all_imports(factories)
    assert [(r.badge_name, r.status) for r in rows] == [("Old import", "valid")]
