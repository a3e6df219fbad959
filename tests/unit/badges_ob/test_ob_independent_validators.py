"""Our badges checked by validators nobody on this project wrote (see tests/tools/).

Issuer documents are served on 127.0.0.1 by a throwaway HTTP server; the validators run as
subprocesses. Build them first with ``sh tests/tools/build_ob_validators.sh``; without them
(or without node) these tests skip.
"""

from __future__ import annotations

import http.server
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from plugins.badges.ob import baking, integrity, keys, ob2, ob3, status_list

pytestmark = pytest.mark.validators

ROOT = Path(__file__).resolve().parents[3]
TOOLS = ROOT / "tests" / ".tools"
OB2_PYTHON = TOOLS / "ob2-venv" / "bin" / "python"
OB2_RUNNER = ROOT / "tests" / "tools" / "ob2_validate.py"
OB3_RUNNER = TOOLS / "ob3" / "ob3_verify.mjs"


class _Server:
    """Serves ``docs`` (path -> JSON-able or (status, doc)) on an ephemeral 127.0.0.1 port."""

    def __init__(self):
        docs = self.docs = {}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status, doc = docs.get(self.path, (404, {"error": "not found"}))
                body = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def put(self, url: str, doc, status: int = 200):
        assert url.startswith(self.base)
        self.docs[url[len(self.base) :]] = (status, doc)


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.httpd.shutdown()


def _run(cmd, timeout=120):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"validator printed no JSON: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    return proc.returncode, report


# ----------------------------------------------------------------------------- OB 3.0

needs_ob3 = pytest.mark.skipif(
    not (shutil.which("node") and OB3_RUNNER.exists()),
    reason="OB 3.0 verifier not built (sh tests/tools/build_ob_validators.sh) or node missing",
)


def _ob3_issue(server, ed_key, tmp_path, *, http_key, revoked=False):
    if http_key:
        issuer_id = f"{server.base}/issuers/1"
        method = f"{server.base}/issuers/1/keys/ed1"
        server.put(method, keys.multikey_document(method, issuer_id, ed_key))
        server.put(
            issuer_id,
            keys.controller_document(issuer_id, [method], {"type": ["Profile"], "name": "City"}),
        )
    else:
        issuer_id, method = keys.did_key(ed_key), keys.did_key_verification_method(ed_key)
    list_url = f"{server.base}/status/1"
    bits = status_list.StatusList()
    if revoked:
        bits.set(1234)
    server.put(
        list_url,
        integrity.sign(status_list.list_credential(list_url, issuer_id, bits), ed_key, method),
    )
    achievement = ob3.achievement(
        f"{server.base}/achievements/1",
        "Bike repair",
        "Repairs bikes",
        criteria_narrative="Repair three bikes",
        image=f"{server.base}/img/1.png",
        alignments=[
            ob3.alignment(
                "repair bicycles", "http://data.europa.eu/esco/skill/abc", target_code="abc"
            )
        ],
    )
    vc = ob3.credential(
        f"{server.base}/credentials/1",
        ob3.profile(issuer_id, "City of Learning", url=server.base),
        achievement,
        valid_from="2024-03-01T10:00:00Z",
        valid_until="2099-01-01T00:00:00Z",
        recipient_email="ana@example.org",
        evidence=[ob3.evidence(narrative="Fixed three bikes")],
        credential_status=ob3.status_entry(list_url, 1234),
    )
    signed = ob3.sign(vc, ed_key, method)
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(signed))
    return signed, path


def _log(report):
    return {entry["id"]: entry["valid"] for entry in report.get("log", [])}


@needs_ob3
@pytest.mark.parametrize("http_key", [False, True])
def test_dcc_verifier_accepts_our_eddsa_rdfc_2022_credential(server, ed_key, tmp_path, http_key):
    _vc, path = _ob3_issue(server, ed_key, tmp_path, http_key=http_key)
    code, report = _run(["node", str(OB3_RUNNER), str(path)])
    log = _log(report)
    assert log["valid_signature"] is True, report
    assert log["revocation_status"] is True and log["expiration"] is True, report
    assert code == 0, report


@needs_ob3
def test_dcc_verifier_sees_our_revocation(server, ed_key, tmp_path):
    _vc, path = _ob3_issue(server, ed_key, tmp_path, http_key=False, revoked=True)
    code, report = _run(["node", str(OB3_RUNNER), str(path)])
    assert _log(report)["valid_signature"] is True
    assert _log(report)["revocation_status"] is False and code != 0, report


@needs_ob3
def test_dcc_verifier_rejects_tampered_credential(server, ed_key, tmp_path):
    vc, path = _ob3_issue(server, ed_key, tmp_path, http_key=False)
    vc["credentialSubject"]["achievement"]["name"] = "Brain surgery"
    path.write_text(json.dumps(vc))
    code, report = _run(["node", str(OB3_RUNNER), str(path)])
    assert _log(report).get("valid_signature") is not True and code != 0, report


# ----------------------------------------------------------------------------- OB 2.0

needs_ob2 = pytest.mark.skipif(
    not OB2_PYTHON.exists(),
    reason="OB 2.0 validator not built (sh tests/tools/build_ob_validators.sh)",
)


def _ob2_issuer(server, rsa_key, revoked=()):
    issuer_id = f"{server.base}/issuers/1"
    key_id = f"{server.base}/issuers/1/keys/rsa1"
    revocations = f"{server.base}/issuers/1/revocations"
    badge_id = f"{server.base}/badges/1"
    server.put(
        issuer_id,
        ob2.issuer_profile(
            issuer_id,
            "City of Learning",
            server.base,
            email="badges@city.example",
            public_keys=[key_id],
            revocation_list=revocations,
        ),
    )
    server.put(key_id, ob2.cryptographic_key(key_id, issuer_id, rsa_key))
    server.put(revocations, ob2.revocation_list(revocations, issuer_id, revoked))
    server.put(
        badge_id,
        ob2.badge_class(
            badge_id,
            issuer_id,
            "Bike repair",
            "Repairs bikes",
            f"{server.base}/img/1.png",
            criteria_narrative="Repair three bikes",
            alignments=[
                ob2.alignment(
                    "repair bicycles",
                    "http://data.europa.eu/esco/skill/abc",
                    target_framework="ESCO",
                    target_code="abc",
                )
            ],
        ),
    )
    return issuer_id, key_id, badge_id


def _ob2_signed(server, rsa_key, aid="urn:uuid:0b7e7d3c-0000-4000-8000-000000000001"):
    _issuer, key_id, badge_id = _ob2_issuer(server, rsa_key)
    doc = ob2.assertion(
        aid,
        badge_id,
        ob2.recipient("ana@example.org"),
        "2024-03-01T10:00:00Z",
        ob2.signed_verification(key_id),
        evidence=[ob2.evidence(narrative="Fixed three bikes")],
    )
    return ob2.sign_assertion(doc, rsa_key)


@needs_ob2
def test_ob2_validator_accepts_our_signed_assertion(server, rsa_key):
    token = _ob2_signed(server, rsa_key)
    # The validator hashes the email exactly as given (no trimming or lower-casing), so it
    # must be handed the normalised form we hashed.
    code, report = _run([str(OB2_PYTHON), str(OB2_RUNNER), token, "ana@example.org"])
    assert report["report"]["valid"] is True and code == 0, report["report"]


@needs_ob2
def test_ob2_validator_accepts_our_baked_png_and_svg(
    server, rsa_key, png_bytes, svg_bytes, tmp_path
):
    token = _ob2_signed(server, rsa_key)
    for name, baked in (
        ("b.png", baking.bake_png(png_bytes, token)),
        ("b.svg", baking.bake_svg(svg_bytes, token)),
    ):
        (tmp_path / name).write_bytes(baked)
        code, report = _run(
            [str(OB2_PYTHON), str(OB2_RUNNER), str(tmp_path / name), "ana@example.org"]
        )
        assert report["report"]["valid"] is True and code == 0, (name, report["report"])


@needs_ob2
def test_ob2_validator_accepts_our_hosted_assertion(server, rsa_key):
    _issuer, _key, badge_id = _ob2_issuer(server, rsa_key)
    url = f"{server.base}/assertions/1"
    server.put(
        url,
        ob2.assertion(
            url,
            badge_id,
            ob2.recipient("ana@example.org"),
            "2024-03-01T10:00:00Z",
            ob2.hosted_verification(),
        ),
    )
    code, report = _run([str(OB2_PYTHON), str(OB2_RUNNER), url, "ana@example.org"])
    assert report["report"]["valid"] is True and code == 0, report["report"]


@needs_ob2
def test_ob2_validator_rejects_wrong_recipient_and_revoked_signed(server, rsa_key):
    token = _ob2_signed(server, rsa_key)
    code, report = _run([str(OB2_PYTHON), str(OB2_RUNNER), token, "bob@example.org"])
    assert report["report"]["valid"] is False and code != 0
    # Two entries: the validator mis-reads a one-entry RevocationList (see ob/README.md).
    revoked = [
        ("urn:uuid:0b7e7d3c-0000-4000-8000-000000000001", "cheating"),
        ("urn:uuid:00000000-0000-4000-8000-000000000000", None),
    ]
    _ob2_issuer(server, rsa_key, revoked=revoked)
    code, report = _run([str(OB2_PYTHON), str(OB2_RUNNER), token])
    assert report["report"]["valid"] is False and code != 0, report["report"]
