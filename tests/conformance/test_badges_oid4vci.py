"""A badge issued into a wallet app by a client nobody on this project wrote.

The city is served live behind an HTTPS front (did:web issuers, ``live_https_city``); the
OpenWallet Foundation's OpenID4VCI client (``@openid4vc/openid4vci``, npm, built by
``tests/tools/build_ob_validators.sh``) takes the learner's offer link, finds the metadata at the
well-known URLs, redeems the pre-authorized code, gets a nonce, proves its key and receives the
credential; redeeming the same code again is refused.  The credential it got is then checked by
the independent verifiers (the DCC verifier for Data Integrity, did-jwt with the DIF did:web
resolver for the VC-JWT).  Without node these tests skip.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from sqlalchemy import select

from col_core.scripting import scripted_request
from plugins.badges.interfaces import IWalletOffers
from plugins.badges.models import Assertion

from .test_badges_validators import OB3_JWT_RUNNER, OB3_RUNNER, ROOT, TOOLS, _trusting

pytestmark = pytest.mark.validators

WALLET = TOOLS / "oid4vci" / "oid4vci_wallet.mjs"


@pytest.fixture(scope="session")
def wallet_client():
    if not shutil.which("node"):
        pytest.skip("node is not installed: the OpenID4VCI client cannot run (install nodejs)")
    build = subprocess.run(
        ["sh", str(ROOT / "tests" / "tools" / "build_ob_validators.sh")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if build.returncode != 0 or not WALLET.exists():
        pytest.skip(f"could not build the OpenID4VCI client: {build.stderr[-1000:]}")
    return WALLET


def _offer_link(badges, city, uid: str) -> str:
    """The learner's offer as their badge page makes it (tests/functional covers the page), by
    the live server's app, so that it names the city's public HTTPS origin."""
    with scripted_request(city.server.config.registry, badges.tenant) as request:
        assertion = request.dbsession.scalar(select(Assertion).where(Assertion.uid == uid))
        return request.find_service(IWalletOffers).create(assertion).link


def _node(command, cafile) -> tuple[int, dict]:
    proc = subprocess.run(
        ["node", *map(str, command)],
        capture_output=True,
        text=True,
        timeout=180,
        env=_trusting(cafile),
    )
    try:
        return proc.returncode, json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"no JSON from node: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")


def _wallet(client, badges, city, configuration: str) -> dict:
    uid = badges.issue(badges.badge_class(), user=badges.user("ana@example.org"))
    code, report = _node([client, _offer_link(badges, city, uid), configuration], city.front.cafile)
    assert code == 0 and not report["error"], report["error"]
    assert report["second_redemption"] == {"refused": True, "error": "invalid_grant", "status": 400}
    return report


def test_a_wallet_app_gets_the_data_integrity_credential_and_it_verifies(
    wallet_client, badges, live_https_city, tmp_path
):
    report = _wallet(wallet_client, badges, live_https_city, "OpenBadgeCredential_ldp_vc")
    credential = report["credential"]
    assert report["format"] == "ldp_vc" and report["access_token_type"] == "Bearer"
    assert credential["issuer"]["id"].startswith("did:web:127.0.0.1%3A")
    assert credential["credentialSubject"]["id"].startswith("did:jwk:")
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    if not OB3_RUNNER.exists():
        pytest.skip("OB 3.0 verifier not built")
    code, verified = _node([OB3_RUNNER, path], live_https_city.front.cafile)
    log = {entry["id"]: entry["valid"] for entry in verified.get("log", [])}
    assert code == 0 and log["valid_signature"] and log["revocation_status"], verified


def test_a_wallet_app_gets_the_vc_jwt_and_it_verifies(
    wallet_client, badges, live_https_city, tmp_path
):
    report = _wallet(wallet_client, badges, live_https_city, "OpenBadgeCredential_jwt_vc_json")
    assert report["format"] == "jwt_vc_json" and isinstance(report["credential"], str)
    path = tmp_path / "credential.jwt"
    path.write_text(report["credential"])
    if not OB3_JWT_RUNNER.exists():
        pytest.skip("VC-JWT verifier not built")
    code, verified = _node([OB3_JWT_RUNNER, path], live_https_city.front.cafile)
    assert code == 0 and verified["valid_signature"] and verified["revocation_status"], verified
