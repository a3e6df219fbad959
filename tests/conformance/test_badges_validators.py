"""Badges issued by the running app, checked by two validators nobody on this project wrote.

The app is served on 127.0.0.1:<free port> in a thread with ``col.public_url`` on that origin, so
every id is a URL the validators can fetch (the city answers at ``/t/<slug>/``, the path form of
tenant resolution).  The validators are built by ``tests/tools/build_ob_validators.sh`` (once per
session) and run as subprocesses; without node the OB 3.0 tests skip, without a Python venv
build the OB 2.0 ones do.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import urllib.request
from pathlib import Path

import pytest

from col_core.tenancy.scoping import get_city_row

pytestmark = pytest.mark.validators

ROOT = Path(__file__).resolve().parents[2]
# COL_OB_TOOLS: validators built elsewhere (build_ob_validators.sh reads the same variable).
TOOLS = Path(os.environ.get("COL_OB_TOOLS") or ROOT / "tests" / ".tools")
OB2_PYTHON = TOOLS / "ob2-venv" / "bin" / "python"
OB2_RUNNER = ROOT / "tests" / "tools" / "ob2_validate.py"
OB3_RUNNER = TOOLS / "ob3" / "ob3_verify.mjs"
OB3_JWT_RUNNER = TOOLS / "ob3" / "ob3_jwt_verify.mjs"
EMAIL = "ana@example.org"


@pytest.fixture(scope="session")
def validators():
    """Build (or find already built) validators; which of them are usable."""
    if not shutil.which("node"):
        pytest.skip("node is not installed: the OB 3.0 verifier cannot run (install nodejs)")
    build = subprocess.run(
        ["sh", str(ROOT / "tests" / "tools" / "build_ob_validators.sh")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if build.returncode != 0:
        pytest.skip(f"could not build the validators: {build.stderr[-1000:]}")
    return {"ob2": OB2_PYTHON.exists(), "ob3": OB3_RUNNER.exists()}


@pytest.fixture
def live(live_city):
    """The city's origin on the live server (``http://127.0.0.1:<port>/t/vilnius``)."""
    return live_city.origin


def _run(command, env=None):
    proc = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, timeout=180, env=env
    )
    try:
        return proc.returncode, json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"validator printed no JSON: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")


def _ob2(validators, target, email=EMAIL):
    if not validators["ob2"]:
        pytest.skip("OB 2.0 validator not built (sh tests/tools/build_ob_validators.sh)")
    code, report = _run([OB2_PYTHON, OB2_RUNNER, target, *([email] if email else [])])
    return code == 0 and report["report"]["valid"] is True, report["report"]


def _ob3(validators, path, cafile=None):
    if not validators["ob3"]:
        pytest.skip("OB 3.0 verifier not built (needs npm; sh tests/tools/build_ob_validators.sh)")
    code, report = _run(["node", OB3_RUNNER, path], env=_trusting(cafile))
    return code, {e["id"]: e["valid"] for e in report.get("log", [])}, report


def _trusting(cafile) -> dict | None:
    """Node's environment trusting the HTTPS front's certificate (did:web needs https)."""
    return {**os.environ, "NODE_EXTRA_CA_CERTS": str(cafile)} if cafile else None


def _get(url: str, cafile=None) -> bytes:
    context = ssl.create_default_context(cafile=str(cafile)) if cafile else None
    with urllib.request.urlopen(url, timeout=30, context=context) as response:
        return response.read()


def _issued(badges, live):
    uid = badges.issue(
        badges.badge_class(
            skills=[{"uri": "http://data.europa.eu/esco/skill/abc", "label": "repair bicycles"}]
        )
    )
    return uid, f"{live}/badges/assertions/{uid}"


def test_ob2_hosted_assertion_is_valid(validators, badges, live):
    _uid, url = _issued(badges, live)
    valid, report = _ob2(validators, url)
    assert valid, report


def test_ob2_signed_assertion_is_valid(validators, badges, live):
    _uid, url = _issued(badges, live)
    valid, report = _ob2(validators, _get(f"{url}/signed").decode())
    assert valid, report


@pytest.mark.parametrize("ext", ["png", "svg"])
def test_ob2_baked_image_is_valid(validators, badges, live, tmp_path, ext):
    _uid, url = _issued(badges, live)
    path = tmp_path / f"badge.{ext}"
    path.write_bytes(_get(f"{url}/baked-ob2.{ext}"))
    valid, report = _ob2(validators, path)
    assert valid, report


def test_ob2_wrong_recipient_is_invalid(validators, badges, live):
    _uid, url = _issued(badges, live)
    valid, _report = _ob2(validators, url, email="bob@example.org")
    assert not valid


def test_ob2_tampered_signature_is_invalid(validators, badges, live):
    _uid, url = _issued(badges, live)
    header, payload, signature = _get(f"{url}/signed").decode().split(".")
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
    valid, _report = _ob2(validators, ".".join((header, payload, flipped)))
    assert not valid


def _rotate(badges, uid: str, kind: str) -> None:
    from plugins.badges.interfaces import IIssuerKeys
    from plugins.badges.models import Issuer

    with badges.request() as request:
        issuer = get_city_row(request.dbsession, Issuer, badges.assertion(uid).issuer_id)
        request.find_service(IIssuerKeys).rotate(issuer, kind)


def _credential(badges, live, tmp_path, uid=None):
    uid = uid or _issued(badges, live)[0]
    credential = json.loads(_get(f"{live}/badges/credentials/{uid}"))
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    return uid, credential, path


def test_ob3_credential_is_valid(validators, badges, live, tmp_path):
    _uid, credential, path = _credential(badges, live, tmp_path)
    assert credential["issuer"]["id"].startswith(live)
    code, log, report = _ob3(validators, path)
    assert code == 0 and log["valid_signature"] and log["revocation_status"], report


def test_ob3_tampered_credential_is_invalid(validators, badges, live, tmp_path):
    _uid, credential, path = _credential(badges, live, tmp_path)
    credential["credentialSubject"]["achievement"]["name"] = "Brain surgery"
    path.write_text(json.dumps(credential))
    code, log, report = _ob3(validators, path)
    assert code != 0 and log.get("valid_signature") is not True, report


def test_ob3_revoked_credential_is_reported_revoked(validators, badges, live, tmp_path):
    uid, _credential_doc, path = _credential(badges, live, tmp_path)
    badges.revoke(uid, "cheating")
    code, log, report = _ob3(validators, path)
    assert log["valid_signature"] is True and log["revocation_status"] is False, report
    assert code != 0


@pytest.mark.parametrize("ext", ["png", "svg"])
def test_ob3_baked_credential_is_valid(validators, badges, live, tmp_path, ext):
    from plugins.badges.ob import baking

    uid, _url = _issued(badges, live)
    baked = baking.unbake(_get(f"{live}/badges/assertions/{uid}/baked-ob3.{ext}"))
    assert baked.version == 3
    path = tmp_path / "credential.json"
    path.write_text(baked.value)
    code, log, report = _ob3(validators, path)
    assert code == 0 and log["valid_signature"], report


def test_ob3_credential_signed_before_a_key_rotation_stays_valid(
    validators, badges, live, tmp_path
):
    uid, _credential_doc, path = _credential(badges, live, tmp_path)
    _rotate(badges, uid, "ed25519")
    code, log, report = _ob3(validators, path)
    assert code == 0 and log["valid_signature"], report


def test_ob2_signed_after_a_key_rotation_is_valid(validators, badges, live):
    """The issuer lists only its active RSA key: this validator refuses an Issuer with several
    ``publicKey`` values and a JWS whose key is not listed, so a JWS made before a rotation
    validates only with our own verifier (tests/functional/badges/test_badges_ob3.py)."""
    uid, url = _issued(badges, live)
    before = _get(f"{url}/signed").decode()
    _rotate(badges, uid, "rsa")
    token = _get(f"{url}/signed").decode()
    assert token != before
    valid, report = _ob2(validators, token)
    assert valid, report


# ---------------------------------------------------------------- did:web issuers (HTTPS front)
# The city served behind an HTTPS front on 127.0.0.1 (its certificate trusted by node through
# NODE_EXTRA_CA_CERTS): badges.did_issuers=auto makes issuers did:web:127.0.0.1%3A<port>:t:...,
# which the DCC verifier and did-jwt resolve over real HTTPS. No key is pinned anywhere.


def _https_credential(badges, city, tmp_path, form="json"):
    uid = badges.issue(badges.badge_class())
    query = "?format=jwt" if form == "jwt" else ""
    body = _get(f"{city.origin}/badges/credentials/{uid}{query}", city.front.cafile)
    path = tmp_path / f"credential.{form}"
    path.write_bytes(body)
    return uid, body, path


def _ob3_jwt(validators, path, cafile):
    if not (validators["ob3"] and OB3_JWT_RUNNER.exists()):
        pytest.skip("VC-JWT verifier not built (needs npm; sh tests/tools/build_ob_validators.sh)")
    return _run(["node", OB3_JWT_RUNNER, path], env=_trusting(cafile))


def test_ob3_did_web_credential_is_valid(validators, badges, live_https_city, tmp_path):
    _uid, body, path = _https_credential(badges, live_https_city, tmp_path)
    credential = json.loads(body)
    assert credential["issuer"]["id"].startswith("did:web:127.0.0.1%3A")
    assert credential["proof"]["verificationMethod"].startswith(credential["issuer"]["id"] + "#")
    code, log, report = _ob3(validators, path, live_https_city.front.cafile)
    assert code == 0 and log["valid_signature"] and log["revocation_status"], report


def test_ob3_did_web_revoked_credential_is_reported_revoked(
    validators, badges, live_https_city, tmp_path
):
    uid, _body, path = _https_credential(badges, live_https_city, tmp_path)
    badges.revoke(uid, "cheating")
    code, log, report = _ob3(validators, path, live_https_city.front.cafile)
    assert log["valid_signature"] is True and log["revocation_status"] is False, report
    assert code != 0


def test_ob3_did_web_credential_signed_before_a_key_rotation_stays_valid(
    validators, badges, live_https_city, tmp_path
):
    uid, _body, path = _https_credential(badges, live_https_city, tmp_path)
    _rotate(badges, uid, "ed25519")
    code, log, report = _ob3(validators, path, live_https_city.front.cafile)
    assert code == 0 and log["valid_signature"], report


def test_ob3_did_web_tampered_credential_is_invalid(validators, badges, live_https_city, tmp_path):
    _uid, body, path = _https_credential(badges, live_https_city, tmp_path)
    credential = json.loads(body)
    credential["credentialSubject"]["achievement"]["name"] = "Brain surgery"
    path.write_text(json.dumps(credential))
    code, log, report = _ob3(validators, path, live_https_city.front.cafile)
    assert code != 0 and log.get("valid_signature") is not True, report


def test_ob3_did_web_vc_jwt_is_valid(validators, badges, live_https_city, tmp_path):
    _uid, _body, path = _https_credential(badges, live_https_city, tmp_path, "jwt")
    code, report = _ob3_jwt(validators, path, live_https_city.front.cafile)
    assert code == 0 and report["valid_signature"] and report["revocation_status"], report
    assert report["issuer"].startswith("did:web:127.0.0.1%3A")


def test_ob3_did_web_vc_jwt_revoked_is_reported_revoked(
    validators, badges, live_https_city, tmp_path
):
    uid, _body, path = _https_credential(badges, live_https_city, tmp_path, "jwt")
    badges.revoke(uid, "cheating")
    code, report = _ob3_jwt(validators, path, live_https_city.front.cafile)
    assert report["valid_signature"] is True and report["revocation_status"] is False, report
    assert code != 0


def test_ob3_did_web_vc_jwt_tampered_is_invalid(validators, badges, live_https_city, tmp_path):
    _uid, body, path = _https_credential(badges, live_https_city, tmp_path, "jwt")
    header, payload, signature = body.decode().split(".")
    flipped = ("A" if signature[10] != "A" else "B").join((signature[:10], signature[11:]))
    path.write_text(".".join((header, payload, flipped)))
    code, report = _ob3_jwt(validators, path, live_https_city.front.cafile)
    assert code != 0 and report["valid_signature"] is False, report


def test_ob3_credential_saved_before_did_issuers_stays_valid(
    validators, badges, live_https_city, tmp_path, monkeypatch
):
    """Switching badges.did_issuers on changes what is signed from then on; a credential saved
    in the URL form before keeps verifying, and the new one is in the DID form."""
    settings = live_https_city.server.config.registry.settings
    monkeypatch.setitem(settings, "badges.did_issuers", "false")
    uid, body, path = _https_credential(badges, live_https_city, tmp_path)
    assert json.loads(body)["issuer"]["id"].startswith("https://127.0.0.1:")
    monkeypatch.setitem(settings, "badges.did_issuers", "auto")
    now = json.loads(
        _get(f"{live_https_city.origin}/badges/credentials/{uid}", live_https_city.front.cafile)
    )
    assert now["issuer"]["id"].startswith("did:web:")
    code, log, report = _ob3(validators, path, live_https_city.front.cafile)
    assert code == 0 and log["valid_signature"] and log["revocation_status"], report


def test_a_playlist_s_badge_aligned_with_its_skills_is_valid(validators, badges, live, tmp_path):
    """The playlist's skills, given after its badge class was made, are the alignments of the
    badge it issues; both validators accept the OB 2.0 assertion and the OB 3.0 credential."""
    from plugins.playlists.awarding import prepare_badges
    from plugins.playlists.models import Playlist, PlaylistBadge

    skill = {"uri": "http://data.europa.eu/esco/skill/abc", "label": "repair bicycles"}
    with badges.request() as request:
        playlist = Playlist(organisation_id=badges.organisation.id, title="Bike pathway")
        playlist.badges = [PlaylistBadge(threshold=0)]
        request.dbsession.add(playlist)
        request.dbsession.flush()
        prepare_badges(request, playlist)  # the badge class, made before the playlist had skills
        playlist.skills = [skill]
        [badge_class] = prepare_badges(request, playlist).values()
        class_id = badge_class.id
    uid = badges.issue(class_id)
    url = f"{live}/badges/assertions/{uid}"
    valid, report = _ob2(validators, url)
    assert valid, report
    badge = json.loads(_get(json.loads(_get(f"{url}.json"))["badge"] + ".json"))
    assert [a["targetUrl"] for a in badge["alignment"]] == [skill["uri"]]
    _uid, credential, path = _credential(badges, live, tmp_path, uid)
    aligned = credential["credentialSubject"]["achievement"]["alignment"]
    assert [a["targetUrl"] for a in aligned] == [skill["uri"]]
    code, log, report = _ob3(validators, path)
    assert code == 0 and log["valid_signature"], report
