"""ob/clr.py: the ClrCredential shape, achievements once each, a proof over everything."""

from __future__ import annotations

import pytest

from plugins.badges.ob import clr, integrity, keys, ob3


def _signed_badge(key, n: int, achievement_id: str) -> dict:
    achievement = ob3.achievement(achievement_id, f"Badge {n}", "Did it", criteria_narrative="Do")
    doc = ob3.credential(
        f"https://city.example/badges/credentials/{n}",
        ob3.profile(keys.did_key(key), "Bike Kitchen"),
        achievement,
        valid_from="2026-01-01T00:00:00Z",
        recipient_email="ana@example.org",
    )
    return ob3.sign(doc, key, keys.did_key_verification_method(key))


def _resolve(method: str) -> integrity.ResolvedMethod:
    return integrity.ResolvedMethod(keys.resolve_did_key(method), method.split("#")[0])


def test_clr_holds_the_credentials_as_signed_and_each_achievement_once():
    city, platform = keys.generate_ed25519(), keys.generate_ed25519()
    badges = [_signed_badge(city, 1, "urn:a"), _signed_badge(city, 2, "urn:a")]
    record = clr.clr_credential(
        "urn:uuid:1",
        ob3.profile(keys.did_key(platform), "Platform"),
        badges,
        valid_from="2026-02-01T00:00:00Z",
        name="Record",
        identifier=[ob3.identity_object("ana@example.org")],
    )
    assert record["@context"] == clr.CONTEXT
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = record["credentialSubject"]
    assert subject["verifiableCredential"] == badges
    assert [a["id"] for a in subject["achievement"]] == ["urn:a"]
    signed = clr.sign(record, platform, keys.did_key_verification_method(platform))
    integrity.verify(signed, _resolve, expected_controller=keys.did_key(platform))
    for vc in signed["credentialSubject"]["verifiableCredential"]:
        integrity.verify(vc, _resolve)  # untouched by bundling
    signed["credentialSubject"]["verifiableCredential"].pop()
    with pytest.raises(integrity.ProofError):
        integrity.verify(signed, _resolve)


def test_clr_needs_its_learner():
    with pytest.raises(ValueError, match="learner"):
        clr.clr_credential("urn:uuid:1", {"id": "did:x"}, [], valid_from="2026-01-01", name="x")
