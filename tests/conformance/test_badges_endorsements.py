"""Endorsements checked by the validators nobody on this project wrote (see
test_badges_validators.py for how the app is served and the validators are built).

The 1EdTech OB 2.0 validator fetches a BadgeClass's ``endorsement`` URLs and validates each
Endorsement (its claim, issuer Profile and dates); the DCC verifier verifies the
EndorsementCredential on its own and the OpenBadgeCredential that embeds it.
"""

from __future__ import annotations

import json

import pytest

from .onetech_schema import schema_errors
from .test_badges_validators import _get, _ob2, _ob3, validators  # noqa: F401 - a fixture

pytestmark = pytest.mark.validators


@pytest.fixture
def live(live_city):
    return live_city.origin


def _endorsed(badges, endorser: str | None = "organisation"):
    """A badge class endorsed by another organisation (or, ``None``, by the city) and its
    issuer endorsed too; returns (class id, endorser's organisation id, endorsement ids)."""
    class_id = badges.badge_class(name="Endorsed bike repair")
    library = badges.organisation_of("City Library").id if endorser else None
    first = badges.endorse(library, f"class:{class_id}", "Their mentors are **excellent**.")
    second = badges.endorse(library, f"issuer:{badges.issuer_id()}", "A trusted workshop.")
    return class_id, library, [first, second]


@pytest.mark.parametrize("endorser", ["organisation", None])
def test_ob2_assertion_whose_badge_class_is_endorsed_is_valid(validators, badges, live, endorser):
    class_id, _library, _ids = _endorsed(badges, endorser)
    uid = badges.issue(class_id)
    badge_class = json.loads(_get(f"{live}/badges/classes/{class_id}.json"))
    assert badge_class["endorsement"]
    valid, report = _ob2(validators, f"{live}/badges/assertions/{uid}")
    assert valid, report


def test_ob2_validator_does_check_the_endorsement(validators, badges, live, monkeypatch):
    """The control: the same assertion fails once its badge class's Endorsement lacks its
    required ``issuedOn``, so the validator fetched and validated the Endorsement."""
    from plugins.badges.documents import Documents

    class_id, _library, _ids = _endorsed(badges)
    uid = badges.issue(class_id)
    endorsement = Documents.endorsement

    def broken(self, row):
        return {k: v for k, v in endorsement(self, row).items() if k != "issuedOn"}

    monkeypatch.setattr(Documents, "endorsement", broken)
    valid, report = _ob2(validators, f"{live}/badges/assertions/{uid}")
    assert not valid and "issuedOn" in json.dumps(report["messages"]), report


def test_ob2_withdrawn_endorsement_is_no_longer_listed(validators, badges, live):
    class_id, library, ids = _endorsed(badges)
    badges.withdraw(library, ids[0])
    badge_class = json.loads(_get(f"{live}/badges/classes/{class_id}.json"))
    assert "endorsement" not in badge_class
    valid, report = _ob2(validators, f"{live}/badges/assertions/{badges.issue(class_id)}")
    assert valid, report


def _write(tmp_path, name: str, document: dict):
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("endorser", ["organisation", None])
def test_ob3_endorsement_credential_is_valid(validators, badges, live, tmp_path, endorser):
    _class_id, _library, ids = _endorsed(badges, endorser)
    for endorsement_id in ids:
        credential = json.loads(_get(f"{live}/badges/endorsements/{endorsement_id}/credential"))
        code, log, report = _ob3(validators, _write(tmp_path, "endorsement.json", credential))
        assert code == 0 and log["valid_signature"] and log["revocation_status"], report


def test_ob3_credential_embedding_endorsements_is_valid(validators, badges, live, tmp_path):
    class_id, _library, _ids = _endorsed(badges)
    uid = badges.issue(class_id)
    credential = json.loads(_get(f"{live}/badges/credentials/{uid}"))
    [embedded] = credential["credentialSubject"]["achievement"]["endorsement"]
    [of_issuer] = credential["issuer"]["endorsement"]
    code, log, report = _ob3(validators, _write(tmp_path, "credential.json", credential))
    assert code == 0 and log["valid_signature"] and log["revocation_status"], report
    # Each embedded EndorsementCredential verifies on its own, too.
    for inner in (embedded, of_issuer):
        code, log, report = _ob3(validators, _write(tmp_path, "inner.json", inner))
        assert code == 0 and log["valid_signature"], report


def test_ob3_tampered_embedded_endorsement_is_invalid(validators, badges, live, tmp_path):
    class_id, _library, _ids = _endorsed(badges)
    credential = json.loads(_get(f"{live}/badges/credentials/{badges.issue(class_id)}"))
    [embedded] = credential["credentialSubject"]["achievement"]["endorsement"]
    embedded["credentialSubject"]["endorsementComment"] = "Forged praise"
    code, log, report = _ob3(validators, _write(tmp_path, "credential.json", credential))
    assert code != 0 and log.get("valid_signature") is not True, report
    code, log, report = _ob3(validators, _write(tmp_path, "inner.json", embedded))
    assert code != 0 and log.get("valid_signature") is not True, report


def test_ob3_withdrawn_endorsement_is_reported_revoked(validators, badges, live, tmp_path):
    _class_id, library, ids = _endorsed(badges)
    credential = json.loads(_get(f"{live}/badges/endorsements/{ids[0]}/credential"))
    badges.withdraw(library, ids[0])
    code, log, report = _ob3(validators, _write(tmp_path, "endorsement.json", credential))
    assert log["valid_signature"] is True and log["revocation_status"] is False, report
    assert code != 0


@pytest.mark.parametrize("endorser", ["organisation", None])
def test_ob3_endorsement_credentials_match_the_1edtech_schema(badges, live, endorser):
    """Hosted and embedded EndorsementCredentials against 1EdTech's own JSON schema of the
    class (the OB 3.0 data model that CLR 2.0 shares; see onetech_schema.py)."""
    class_id, _library, ids = _endorsed(badges, endorser)
    hosted = [
        json.loads(_get(f"{live}/badges/endorsements/{endorsement_id}/credential"))
        for endorsement_id in ids
    ]
    credential = json.loads(_get(f"{live}/badges/credentials/{badges.issue(class_id)}"))
    embedded = [
        *credential["credentialSubject"]["achievement"]["endorsement"],
        *credential["issuer"]["endorsement"],
    ]
    for document in hosted + embedded:
        assert schema_errors(document, "EndorsementCredential") == [], document["id"]
    broken = {k: v for k, v in hosted[0].items() if k != "credentialSubject"}
    assert schema_errors(broken, "EndorsementCredential")  # the control: the schema checks
