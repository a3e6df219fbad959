"""Issuing a badge into a wallet app (OpenID4VCI 1.0, pre-authorized code flow): the recipient's
offer (page and e-mail), the metadata, the token, nonce and credential endpoints, and every bad
input answered with the specification's error.  A wallet of our own, written here with PyJWT,
plays the app; the independent client is in tests/conformance/test_badges_oid4vci.py."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from sqlalchemy import select

from plugins.badges.interfaces import IWalletOffers
from plugins.badges.models import Assertion, WalletOffer
from plugins.badges.ob import keys, verify
from plugins.badges.oid4vci import PRE_AUTHORIZED, PROOF_TYPE, digest

from ..notifications.notifications_testing import body, mail_to

ISSUER = "http://vilnius.example.test"
HOST = "vilnius.example.test"


class Wallet:
    """A holder's key and the proofs a wallet app makes with it."""

    def __init__(self, key=None):
        self.key = key or ed25519.Ed25519PrivateKey.generate()
        self.algorithm = "EdDSA" if isinstance(self.key, ed25519.Ed25519PrivateKey) else "ES256"
        self.jwk = self._public_jwk()

    def _public_jwk(self) -> dict:
        if self.algorithm == "EdDSA":
            return keys.public_jwk(self.key)
        return json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))

    def proof(self, nonce, *, aud=ISSUER, typ=PROOF_TYPE, iat=None, header=None, key=None):
        headers = {"typ": typ, "jwk": self.jwk, **(header or {})}
        claims = {"aud": aud, "iat": int(iat or time.time()), "nonce": nonce}
        return jwt.encode(claims, key or self.key, algorithm=self.algorithm, headers=headers)


def _offer(badges, uid: str, minutes=None) -> str:
    """A new offer's pre-authorized code, made as the recipient's page makes it."""
    with badges.request() as request:
        assertion = request.dbsession.scalar(select(Assertion).where(Assertion.uid == uid))
        link = request.find_service(IWalletOffers).create(assertion, minutes).link
    return _code(link)


def _code(link: str) -> str:
    assert link.startswith("openid-credential-offer://?credential_offer=")
    offer = json.loads(urllib.parse.unquote(link.split("credential_offer=", 1)[1]))
    assert offer["credential_issuer"] == ISSUER
    return offer["grants"][PRE_AUTHORIZED]["pre-authorized_code"]


def _token(app, code, status=200, grant=PRE_AUTHORIZED):
    form = {"grant_type": grant, "pre-authorized_code": code}
    return app.post("/badges/oid4vci/token", form, status=status)


def _nonce(app) -> str:
    return app.post("/badges/oid4vci/nonce", status=200).json["c_nonce"]


def _credential(app, token, body, status=200):
    return app.post_json(
        "/badges/oid4vci/credential",
        body,
        headers={"Authorization": f"Bearer {token}"} if token else {},
        status=status,
    )


def _request(wallet, nonce, configuration="OpenBadgeCredential_ldp_vc", **proof):
    return {
        "credential_configuration_id": configuration,
        "proofs": {"jwt": [wallet.proof(nonce, **proof)]},
    }


@pytest.fixture
def issued(badges):
    ana = badges.user("ana@example.org")
    return badges.issue(badges.badge_class(), user=ana)


@pytest.fixture
def access(city, badges, issued):
    """An access token for the issued badge."""
    return _token(city, _offer(badges, issued)).json["access_token"]


@pytest.fixture
def fetch(city):
    def fetch(url):
        path = url.split(HOST, 1)[1]
        response = city.get(path, headers={"Accept": "application/ld+json"}, expect_errors=True)
        return response.status_int, response.body, response.content_type

    return fetch


# -- metadata ------------------------------------------------------------------------------


def test_issuer_metadata_announces_both_forms_with_jwt_proofs(city):
    response = city.get("/.well-known/openid-credential-issuer")
    meta = response.json
    assert meta["credential_issuer"] == ISSUER
    assert meta["credential_endpoint"] == f"{ISSUER}/badges/oid4vci/credential"
    assert meta["nonce_endpoint"] == f"{ISSUER}/badges/oid4vci/nonce"
    configurations = meta["credential_configurations_supported"]
    assert {c["format"] for c in configurations.values()} == {"ldp_vc", "jwt_vc_json"}
    for configuration in configurations.values():
        assert "OpenBadgeCredential" in configuration["credential_definition"]["type"]
        assert "jwt" in configuration["proof_types_supported"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_authorization_server_metadata_names_the_token_endpoint(city):
    meta = city.get("/.well-known/oauth-authorization-server").json
    assert meta["issuer"] == ISSUER
    assert meta["token_endpoint"] == f"{ISSUER}/badges/oid4vci/token"
    assert meta["grant_types_supported"] == [PRE_AUTHORIZED]
    assert meta["pre-authorized_grant_anonymous_access_supported"] is True


# -- the recipient's offer -----------------------------------------------------------------


def test_the_recipient_gets_a_qr_code_and_a_link_on_the_badge_page(city, badges, issued):
    badges.sign_in(city, "ana@example.org")
    page = city.get(f"/badges/share/{issued}").forms["wallet-offer-form"].submit(status=200)
    assert page.headers["Cache-Control"] == "no-store"
    assert "<svg" in page.html.select_one("#wallet-offer-qr").decode()
    link = page.html.select_one("#wallet-offer-link")["href"]
    code = _code(link)
    badges.factories.session.expire_all()
    with badges.factories.within(badges.tenant):
        hashes = set(badges.factories.session.scalars(select(WalletOffer.code_hash)))
    assert digest(code) in hashes and code not in hashes  # a digest is stored, not the code
    assert _token(city, code).json["access_token"]


def test_another_learner_gets_404(city, badges, issued):
    badges.user("bob@example.org")
    badges.sign_in(city, "bob@example.org")
    token = city.get("/badges/wallet").forms
    csrf = next(f["csrf_token"].value for f in token.values() if "csrf_token" in f.fields)
    city.post(f"/badges/share/{issued}/wallet-app", {"csrf_token": csrf}, status=404)


def test_a_revoked_badge_is_offered_to_no_wallet(city, badges, issued):
    badges.sign_in(city, "ana@example.org")
    form = city.get(f"/badges/share/{issued}").forms["wallet-offer-form"]
    badges.revoke(issued)
    response = form.submit(status=400)
    assert "revoked" in response.text


def test_the_award_email_carries_the_offer_and_its_qr_code(city, badges, outbox):
    learner = badges.user("ana@example.org")
    badges.issue(badges.badge_class(), user=learner)
    text = body(mail_to(outbox, learner)[-1])
    link = next(line for line in text.splitlines() if line.startswith("openid-credential-offer"))
    qr_url = next(line for line in text.splitlines() if line.endswith("/qr.svg"))
    qr = city.get(qr_url.split(HOST, 1)[1], status=200)
    assert qr.content_type == "image/svg+xml"
    _token(city, _code(link))
    city.get(qr_url.split(HOST, 1)[1], status=404)  # redeemed: its QR code is gone


def test_mail_offers_can_be_turned_off(badges, outbox, registry, monkeypatch):
    monkeypatch.setitem(registry.settings, "badges.oid4vci.mail_offer_days", "0")
    learner = badges.user("ana@example.org")
    badges.issue(badges.badge_class(), user=learner)
    assert "openid-credential-offer" not in body(mail_to(outbox, learner)[-1])


# -- the flow ------------------------------------------------------------------------------


def test_the_credential_is_the_badge_bound_to_the_wallet_s_key(city, access, issued, fetch):
    wallet = Wallet()
    answer = _credential(city, access, _request(wallet, _nonce(city))).json
    [issued_credential] = answer["credentials"]
    credential = issued_credential["credential"]
    assert credential["id"] == f"{ISSUER}/badges/credentials/{issued}"
    assert credential["credentialSubject"]["id"].startswith("did:jwk:")
    result = verify.verify(json.dumps(credential), fetch, email="ana@example.org")
    assert result.status == "valid" and result.format == "ob3-di", result.reasons


def test_the_vc_jwt_form_names_the_holder_as_subject(city, access, issued, fetch):
    wallet = Wallet(ec.generate_private_key(ec.SECP256R1()))
    body_ = _request(wallet, _nonce(city), "OpenBadgeCredential_jwt_vc_json")
    token = _credential(city, access, body_).json["credentials"][0]["credential"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"].startswith("did:jwk:") and claims["jti"].endswith(issued)
    result = verify.verify(token, fetch, email="ana@example.org")
    assert result.status == "valid", result.reasons


def test_a_draft_13_wallet_gets_the_c_nonce_from_the_token_and_the_old_shape(city, badges, issued):
    token = _token(city, _offer(badges, issued)).json
    wallet = Wallet()
    request = {
        "format": "ldp_vc",
        "proof": {"proof_type": "jwt", "jwt": wallet.proof(token["c_nonce"])},
    }
    answer = _credential(city, token["access_token"], request).json
    assert answer["format"] == "ldp_vc" and answer["credential"]["proof"] and answer["c_nonce"]


def test_a_did_key_holder_is_the_subject(city, access):
    wallet = Wallet()
    did = keys.did_key(wallet.key)
    request = _request(wallet, _nonce(city))
    request["proofs"]["jwt"] = [
        jwt.encode(
            {"aud": ISSUER, "iat": int(time.time()), "nonce": _nonce(city)},
            wallet.key,
            algorithm="EdDSA",
            headers={"typ": PROOF_TYPE, "kid": f"{did}#{did.removeprefix('did:key:')}"},
        )
    ]
    credential = _credential(city, access, request).json["credentials"][0]["credential"]
    assert credential["credentialSubject"]["id"] == did


# -- the token endpoint's refusals ---------------------------------------------------------


def test_a_code_is_redeemed_once(city, badges, issued):
    code = _offer(badges, issued)
    _token(city, code)
    refused = _token(city, code, status=400)
    assert refused.json["error"] == "invalid_grant"
    assert refused.headers["Cache-Control"] == "no-store"


def test_an_expired_code_is_refused(city, badges, issued):
    code = _offer(badges, issued)
    with badges.factories.within(badges.tenant):
        for offer in badges.factories.session.scalars(select(WalletOffer)):
            offer.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        badges.factories.session.commit()
    assert _token(city, code, status=400).json["error"] == "invalid_grant"


def test_an_unknown_code_is_refused(city):
    assert _token(city, "no-such-code", status=400).json["error"] == "invalid_grant"


def test_another_grant_type_is_refused(city, badges, issued):
    refused = _token(city, _offer(badges, issued), status=400, grant="authorization_code")
    assert refused.json["error"] == "unsupported_grant_type"


def test_a_missing_code_is_refused(city):
    refused = city.post("/badges/oid4vci/token", {"grant_type": PRE_AUTHORIZED}, status=400)
    assert refused.json["error"] == "invalid_request"


def test_another_city_s_code_is_unknown_there(city, badges, issued, testapp, factories):
    kaunas = testapp.for_tenant(factories.tenant("kaunas"))
    code = _offer(badges, issued)
    assert _token(kaunas, code, status=400).json["error"] == "invalid_grant"
    access_token = _token(city, code).json["access_token"]
    refused = _credential(kaunas, access_token, _request(Wallet(), _nonce(kaunas)), status=401)
    assert refused.json["error"] == "invalid_token"


# -- the credential endpoint's refusals ----------------------------------------------------


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_a_missing_or_wrong_access_token_is_refused(city, token):
    refused = _credential(city, token, _request(Wallet(), _nonce(city)), status=401)
    assert refused.json["error"] == "invalid_token"
    assert refused.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_an_expired_access_token_is_refused(city, badges, access):
    with badges.factories.within(badges.tenant):
        for offer in badges.factories.session.scalars(select(WalletOffer)):
            offer.token_expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        badges.factories.session.commit()
    refused = _credential(city, access, _request(Wallet(), _nonce(city)), status=401)
    assert refused.json["error"] == "invalid_token"


def test_a_revoked_badge_is_not_issued(city, badges, access, issued):
    badges.revoke(issued)
    refused = _credential(city, access, _request(Wallet(), _nonce(city)), status=400)
    assert refused.json["error"] == "credential_request_denied"


BAD_PROOFS = {
    "another audience": ({"aud": "https://evil.example"}, "invalid_proof"),
    "another typ": ({"typ": "JWT"}, "invalid_proof"),
    "signed by another key": ({"key": ed25519.Ed25519PrivateKey.generate()}, "invalid_proof"),
    "too old": ({"iat": time.time() - 3600}, "invalid_proof"),
    "from the future": ({"iat": time.time() + 3600}, "invalid_proof"),
    "a private jwk": (
        {"header": {"jwk": {"kty": "OKP", "crv": "Ed25519", "d": "x", "x": "y"}}},
        "invalid_proof",
    ),
    "kid and jwk": ({"header": {"kid": "did:key:z6Mkabc"}}, "invalid_proof"),
    "an unresolvable kid": (
        {"header": {"kid": "https://evil.example/key", "jwk": None}},
        "invalid_proof",
    ),
}


@pytest.mark.parametrize("case", list(BAD_PROOFS))
def test_a_bad_proof_is_refused(city, access, case):
    options, error = BAD_PROOFS[case]
    header = options.get("header")
    if header and header.get("jwk", "") is None:
        del header["jwk"]
        wallet = Wallet()
        proof = jwt.encode(
            {"aud": ISSUER, "iat": int(time.time()), "nonce": _nonce(city)},
            wallet.key,
            algorithm="EdDSA",
            headers={"typ": PROOF_TYPE, **header},
        )
        request = {
            "credential_configuration_id": "OpenBadgeCredential_ldp_vc",
            "proofs": {"jwt": [proof]},
        }
    else:
        request = _request(Wallet(), _nonce(city), **options)
    refused = _credential(city, access, request, status=400)
    assert refused.json["error"] == error, refused.json


@pytest.mark.parametrize("nonce", ["made-up", "1.2.3", None])
def test_a_nonce_not_of_ours_is_refused(city, access, nonce):
    refused = _credential(city, access, _request(Wallet(), nonce), status=400)
    assert refused.json["error"] in {"invalid_nonce", "invalid_proof"}


def test_an_unsigned_proof_is_refused(city, access):
    header = {"alg": "none", "typ": PROOF_TYPE, "jwk": Wallet().jwk}
    claims = {"aud": ISSUER, "iat": int(time.time()), "nonce": _nonce(city)}
    proof = jwt.encode(claims, None, algorithm="none", headers=header)
    request = {
        "credential_configuration_id": "OpenBadgeCredential_ldp_vc",
        "proofs": {"jwt": [proof]},
    }
    assert _credential(city, access, request, status=400).json["error"] == "invalid_proof"


BAD_REQUESTS = {
    "no proof": ({"credential_configuration_id": "OpenBadgeCredential_ldp_vc"}, "invalid_proof"),
    "two proofs": (
        {
            "credential_configuration_id": "OpenBadgeCredential_ldp_vc",
            "proofs": {"jwt": ["a", "b"]},
        },
        "invalid_proof",
    ),
    "another proof type": (
        {"format": "ldp_vc", "proof": {"proof_type": "cwt", "cwt": "x"}},
        "invalid_proof",
    ),
    "an unknown configuration": (
        {"credential_configuration_id": "UniversityDegree"},
        "unknown_credential_configuration",
    ),
    "an unsupported format": ({"format": "mso_mdoc"}, "unsupported_credential_format"),
    "neither": ({"proofs": {}}, "invalid_credential_request"),
    "no object": ([1, 2], "invalid_credential_request"),
}


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_a_bad_credential_request_is_refused(city, access, case):
    request, error = BAD_REQUESTS[case]
    assert _credential(city, access, request, status=400).json["error"] == error


def test_a_body_that_is_not_json_is_refused(city, access):
    refused = city.post(
        "/badges/oid4vci/credential",
        b"{not json",
        headers={"Authorization": f"Bearer {access}", "Content-Type": "application/json"},
        status=400,
    )
    assert refused.json["error"] == "invalid_credential_request"


# -- concurrency ---------------------------------------------------------------------------


def test_of_simultaneous_redemptions_exactly_one_wins(live_city, badges, issued):
    """Eight wallets redeem one code at once through a multi-threaded server: the conditional
    UPDATE lets exactly one have a token."""
    code = _offer(badges, issued)
    url = f"{live_city.origin}/badges/oid4vci/token"
    data = urllib.parse.urlencode({"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code})

    def redeem(_n):
        try:
            with urllib.request.urlopen(url, data.encode(), timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as refusal:
            return refusal.code, json.loads(refusal.read())

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(redeem, range(8)))
    statuses = sorted(status for status, _body in answers)
    assert statuses == [200] + [400] * 7, answers
    assert {b["error"] for status, b in answers if status == 400} == {"invalid_grant"}


def test_a_city_without_badges_is_no_credential_issuer(testapp, factories):
    app = testapp.for_tenant(factories.tenant("kaunas", plugins=["map"]))
    app.get("/.well-known/openid-credential-issuer", status=404)
    app.get("/.well-known/oauth-authorization-server", status=404)
    app.post("/badges/oid4vci/token", {"grant_type": PRE_AUTHORIZED}, status=404)
