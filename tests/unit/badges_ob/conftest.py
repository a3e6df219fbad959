"""Fixtures for the Open Badges format library: keys, a fake web of issuer documents, images."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from plugins.badges.ob import integrity, keys, ob2, ob3, status_list

BASE = "https://city.example"


class FakeWeb:
    """A ``fetch`` callable over a dict of URL -> JSON document (or (status, body))."""

    def __init__(self):
        self.docs: dict[str, object] = {}
        self.requests: list[str] = []

    def put(self, url: str, doc, status: int = 200) -> None:
        self.docs[url] = (status, doc)

    def __call__(self, url: str):
        self.requests.append(url)
        if url not in self.docs:
            return 404, b"not found", "text/plain"
        status, doc = self.docs[url]
        body = doc.encode() if isinstance(doc, str) else json.dumps(doc).encode()
        return status, body, "application/json"


@pytest.fixture(scope="session")
def rsa_key():
    return keys.generate_rsa()


@pytest.fixture(scope="session")
def ed_key():
    return keys.generate_ed25519()


@pytest.fixture
def web():
    return FakeWeb()


@pytest.fixture
def png_bytes():
    buf = io.BytesIO()
    image = Image.new("RGBA", (16, 16), (10, 120, 200, 255))
    image.putpixel((3, 4), (255, 0, 0, 128))
    image.save(buf, "PNG")
    return buf.getvalue()


SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" data-x="a>b">'
    b'<circle cx="5" cy="5" r="4"/></svg>\n'
)


@pytest.fixture
def svg_bytes():
    return SVG


@pytest.fixture
def ob2_issuer(web, rsa_key):
    """An OB 2.0 issuer with profile, key, revocation list and one badge class on ``web``."""
    issuer_id = f"{BASE}/badges/issuers/1"
    key_id = f"{BASE}/badges/issuers/1/keys/1"
    revocations = f"{BASE}/badges/issuers/1/revocations"
    web.put(
        issuer_id,
        ob2.issuer_profile(
            issuer_id, "City of Learning", BASE, public_keys=[key_id], revocation_list=revocations
        ),
    )
    web.put(key_id, ob2.cryptographic_key(key_id, issuer_id, rsa_key))
    web.put(revocations, ob2.revocation_list(revocations, issuer_id, []))
    badge_id = f"{BASE}/badges/classes/7"
    web.put(
        badge_id,
        ob2.badge_class(
            badge_id,
            issuer_id,
            "Bike repair",
            "Repairs bikes",
            f"{BASE}/img/7.png",
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
    return {"issuer": issuer_id, "key": key_id, "revocations": revocations, "badge": badge_id}


def make_ob3(
    web,
    ed_key,
    *,
    http_key=False,
    revoked=False,
    valid_until=None,
    index=5,
    email="ana@example.org",
    subject_id=None,
):
    """A signed OB 3.0 credential whose issuer, key and status list are served by ``web``."""
    if http_key:
        issuer_id = f"{BASE}/badges/issuers/1"
        method = f"{BASE}/badges/issuers/1/keys/ed1"
        web.put(method, keys.multikey_document(method, issuer_id, ed_key))
        web.put(
            issuer_id, keys.controller_document(issuer_id, [method], {"name": "City of Learning"})
        )
    else:
        issuer_id = keys.did_key(ed_key)
        method = keys.did_key_verification_method(ed_key)
    list_url = f"{BASE}/badges/status/1"
    bits = status_list.StatusList()
    if revoked:
        bits.set(index)
    web.put(
        list_url,
        integrity.sign(status_list.list_credential(list_url, issuer_id, bits), ed_key, method),
    )
    achievement = ob3.achievement(
        f"{BASE}/badges/achievements/7",
        "Bike repair",
        "Repairs bikes",
        criteria_narrative="Repair three bikes",
        image=f"{BASE}/img/7.png",
        alignments=[
            ob3.alignment(
                "repair bicycles", "http://data.europa.eu/esco/skill/abc", target_code="abc"
            )
        ],
    )
    credential = ob3.credential(
        "urn:uuid:6a1c2d3e-0000-4000-8000-000000000001",
        ob3.profile(issuer_id, "City of Learning", url=BASE),
        achievement,
        valid_from="2024-03-01T10:00:00Z",
        valid_until=valid_until,
        recipient_email=email,
        subject_id=subject_id,
        evidence=[ob3.evidence(narrative="Fixed three bikes at the repair café")],
        credential_status=ob3.status_entry(list_url, index),
    )
    return ob3.sign(credential, ed_key, method, created="2024-03-01T10:00:00Z")
