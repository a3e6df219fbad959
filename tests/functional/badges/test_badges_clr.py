"""The learner's Comprehensive Learner Record (CLR 2.0) across cities."""

from __future__ import annotations

import datetime as dt
import re

import jwt
import pytest

from plugins.badges.ob import integrity, keys, ob3
from plugins.badges.testing import Badges


def _two_cities(badges, registry, factories):
    ana = badges.user("ana@example.org")
    here = badges.issue(badges.badge_class(name="Vilnius badge"), user=ana)
    kaunas = Badges(registry, factories, factories.tenant("kaunas"))
    there = kaunas.issue(kaunas.badge_class(name="Kaunas badge"), user=ana)
    return ana, here, there, kaunas.tenant


def _resolve(method: str) -> integrity.ResolvedMethod:
    return integrity.ResolvedMethod(keys.resolve_did_key(method), method.split("#")[0])


def _ids(record: dict) -> set[str]:
    return {vc["id"] for vc in record["credentialSubject"]["verifiableCredential"]}


def test_owner_exports_badges_from_both_cities_signed(badges, testapp, registry, factories):
    _ana, here, there, _kaunas = _two_cities(badges, registry, factories)
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    assert "Export my learner record (CLR 2.0)" in browser.get("/badges/wallet")
    response = browser.get("/badges/wallet/clr.json")
    assert "attachment" in response.headers["Content-Disposition"]
    record = response.json
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert record["credentialSubject"]["type"] == ["ClrSubject"]
    assert _ids(record) == {
        f"http://vilnius.example.test/badges/credentials/{here}",
        f"http://kaunas.example.test/badges/credentials/{there}",
    }
    names = {a["name"] for a in record["credentialSubject"]["achievement"]}
    assert names == {"Vilnius badge", "Kaunas badge"}
    # The CLR's own proof, by the platform's did:key issuer.
    integrity.verify(record, _resolve, expected_controller=record["issuer"]["id"])


def test_revoked_and_expired_badges_are_left_out(badges, testapp, registry, factories):
    ana, here, there, _kaunas = _two_cities(badges, registry, factories)
    gone = badges.issue(badges.badge_class(name="Revoked"), user=ana)
    badges.revoke(gone, "mistake")
    old = badges.issue(badges.badge_class(name="Expired"), user=ana)
    badges.update(old, expires_at=dt.datetime(2020, 1, 1))
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    ids = _ids(browser.get("/badges/wallet/clr.json").json)
    assert len(ids) == 2 and not any(gone in i or old in i for i in ids)


def test_only_the_learner_gets_their_record(badges, testapp, registry, factories):
    _two_cities(badges, registry, factories)
    anonymous = testapp.for_tenant(badges.tenant).get("/badges/wallet/clr.json", status=(303, 403))
    assert anonymous.status_int == 403 or "/signin" in anonymous.location
    badges.user("bob@example.org")
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "bob@example.org")
    # Bob has no badges: no record, and never Ana's badges.
    empty = browser.get("/badges/wallet/clr.json", status=404)
    assert "no valid badges yet" in empty


def test_record_is_not_writable_by_get_only(badges, testapp, registry, factories):
    _two_cities(badges, registry, factories)
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    browser.post("/badges/wallet/clr.json", status=404)


def _share(badges, browser) -> str:
    wallet = browser.get("/badges/wallet")
    wallet.forms["record-link-form"].submit(status=303)
    wallet = browser.get("/badges/wallet")
    link = re.search(r'href="http://vilnius\.example\.test(/badges/records/[^"]+)"', wallet.text)
    assert link, wallet.text
    return link.group(1)


def test_the_record_is_also_a_vc_jwt_signed_by_the_platform_s_did_key(
    badges, testapp, registry, factories
):
    _ana, here, there, _kaunas = _two_cities(badges, registry, factories)
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    assert "/badges/wallet/clr.jwt" in browser.get("/badges/wallet")
    response = browser.get("/badges/wallet/clr.jwt")
    assert response.content_type == "application/vc+jwt"
    assert "learner-record-clr.jwt" in response.headers["Content-Disposition"]
    token = response.text
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["kid"].startswith("did:key:")
    # Any JWT library verifies it with the key the did:key names (no network, no pinning).
    claims = jwt.decode(token, keys.resolve_did_key(header["kid"]), algorithms=["EdDSA"])
    assert claims["iss"] == header["kid"].split("#")[0] == claims["issuer"]["id"]
    assert claims["type"] == ["VerifiableCredential", "ClrCredential"]
    assert _ids(claims) == {
        f"http://vilnius.example.test/badges/credentials/{here}",
        f"http://kaunas.example.test/badges/credentials/{there}",
    }
    assert "proof" not in claims  # the JWT's signature is the proof
    record = ob3.from_vc_jwt(token, resolve_kid=keys.resolve_did_key)
    assert record["id"] == claims["jti"]
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(ob3.VCJWTError):
        ob3.from_vc_jwt(forged, resolve_kid=keys.resolve_did_key)


def test_a_shared_link_serves_the_vc_jwt_too_until_revoked(badges, testapp, registry, factories):
    _two_cities(badges, registry, factories)
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    path = _share(badges, browser)
    assert f'href="http://vilnius.example.test{path}.jwt"' in browser.get("/badges/wallet")
    stranger = testapp.for_tenant(badges.tenant)
    token = stranger.get(path + ".jwt").text
    assert len(_ids(ob3.from_vc_jwt(token, resolve_kid=keys.resolve_did_key))) == 2
    browser.get("/badges/wallet").forms[
        next(k for k in browser.get("/badges/wallet").forms if str(k).startswith("revoke-link-"))
    ].submit(status=303)
    assert "no longer shared" in stranger.get(path + ".jwt", status=410)


def test_shared_link_serves_the_current_record_until_revoked(badges, testapp, registry, factories):
    _ana, here, there, _kaunas = _two_cities(badges, registry, factories)
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    path = _share(badges, browser)
    stranger = testapp.for_tenant(badges.tenant)
    record = stranger.get(path).json
    assert len(_ids(record)) == 2
    integrity.verify(record, _resolve, expected_controller=record["issuer"]["id"])
    badges.revoke(here, "mistake")  # regenerated on every fetch: the revoked badge drops out
    assert _ids(stranger.get(path).json) == {
        f"http://kaunas.example.test/badges/credentials/{there}"
    }
    browser.get("/badges/wallet").forms[
        next(k for k in browser.get("/badges/wallet").forms if str(k).startswith("revoke-link-"))
    ].submit(status=303)
    assert "no longer shared" in stranger.get(path, status=410)
    assert "revoked" in browser.get("/badges/wallet")


def test_links_need_post_with_csrf_and_only_the_owner_revokes(badges, testapp, registry, factories):
    *_, kaunas_city = _two_cities(badges, registry, factories)
    ana = testapp.for_tenant(badges.tenant)
    badges.sign_in(ana, "ana@example.org")
    path = _share(badges, ana)
    link_id = next(
        k for k in ana.get("/badges/wallet").forms if str(k).startswith("revoke-link-")
    ).rsplit("-", 1)[1]
    ana.post("/badges/wallet/record-links", status=(400, 403))  # no CSRF token
    anonymous = testapp.for_tenant(badges.tenant)
    anonymous.post("/badges/wallet/record-links", status=(303, 400, 403))
    badges.user("bob@example.org")
    bob = testapp.for_tenant(badges.tenant)
    badges.sign_in(bob, "bob@example.org")
    form = bob.get("/badges/wallet").forms["record-link-form"]  # for Bob's CSRF token
    token = form["csrf_token"].value
    refused = bob.post(
        f"/badges/wallet/record-links/{link_id}/revoke", {"csrf_token": token}, status=404
    )
    assert "no such link" in refused
    testapp.for_tenant(badges.tenant).get(path, status=200)  # still shared
    # From another city the same link works (the record spans cities), guessed ones do not.
    kaunas = testapp.for_tenant(kaunas_city)
    assert len(_ids(kaunas.get(path).json)) == 2
    kaunas.get("/badges/records/" + "A" * 43, status=404)
    kaunas.get("/badges/records/short", status=404)


def test_a_link_with_no_valid_badge_left_is_gone(badges, testapp):
    ana = badges.user("ana@example.org")
    uid = badges.issue(badges.badge_class(), user=ana)
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    path = _share(badges, browser)
    badges.revoke(uid, "mistake")
    testapp.for_tenant(badges.tenant).get(path, status=410)


def test_account_export_lists_links_and_deletion_ends_them(badges, testapp, registry, factories):
    import json

    from col_core.security.models import User
    from col_core.tenancy.scoping import bind_person

    ana, *_ = _two_cities(badges, registry, factories)
    browser = testapp.for_tenant(badges.tenant)
    badges.sign_in(browser, "ana@example.org")
    path = _share(badges, browser)
    with badges.request() as request:
        hook = request.registry["col.plugins"].hook
        bind_person(request.dbsession, ana.id)  # as in her own request (row-level security)
        user = request.dbsession.get(User, ana.id)
        files = {}
        for found in hook.col_account_export(request=request, user=user):
            files.update(found or {})
        assert json.loads(files["badges/record_links.json"])[0]["url"].endswith(path)
        hook.col_account_deleted(request=request, user=user)
    testapp.for_tenant(badges.tenant).get(path, status=404)
