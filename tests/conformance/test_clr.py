"""A learner's CLR 2.0 export, checked against 1EdTech's CLR 2.0 JSON schema and for its proofs.

The learner holds badges from two cities on the live app (``/t/vilnius`` and ``/t/kaunas`` on
127.0.0.1). The export is validated with the bundled 1EdTech schema (``schemas/clr/``, see its
README for where it comes from and the one VCDM 2.0 adjustment), the CLR's own Data Integrity
proof is verified (by our verifier and by the DCC libraries), and every embedded OB 3.0 credential is verified, as it is, by the Digital
Credentials Consortium verifier (skipped without node, like the other conformance tests).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from col_core.testing.people import accept_terms
from plugins.badges.ob import integrity, keys
from plugins.badges.testing import PASSWORD, Badges

from .onetech_schema import schema_errors
from .test_badges_validators import TOOLS, _ob3, _run, validators  # noqa: F401 - fixture

CLR_RUNNER = TOOLS / "ob3" / "clr_verify.mjs"
CLR_CONTEXT = Path(__file__).parents[2] / "plugins/badges/ob/contexts/clr-v2p0-context-2.0.1.json"


@pytest.fixture
def record(badges, live_city, registry, factories):
    """Ana's CLR with one badge from Vilnius and one from Kaunas, downloaded from the live app."""
    ana = badges.user("ana@example.org")
    badges.issue(badges.badge_class(name="Vilnius badge"), user=ana)
    kaunas = Badges(registry, factories, factories.tenant("kaunas"))
    kaunas.issue(kaunas.badge_class(name="Kaunas badge"), user=ana)
    app, prefix = live_city.app, live_city.prefix
    form = next(f for f in app.get(f"{prefix}/signin").forms.values() if "password" in f.fields)
    form["email"], form["password"] = "ana@example.org", PASSWORD
    form.submit(status=303)
    accept_terms(app, prefix)
    return app.get(f"{prefix}/badges/wallet/clr.json").json


def _did_key(method: str) -> integrity.ResolvedMethod:
    return integrity.ResolvedMethod(keys.resolve_did_key(method), method.split("#")[0])


def test_clr_export_validates_against_the_1edtech_schema(record):
    assert schema_errors(record) == []
    embedded = record["credentialSubject"]["verifiableCredential"]
    assert {vc["credentialSubject"]["achievement"]["name"] for vc in embedded} == {
        "Vilnius badge",
        "Kaunas badge",
    }
    cities = {vc["issuer"]["id"].split("/badges/")[0].rsplit("/", 1)[1] for vc in embedded}
    assert cities == {"vilnius", "kaunas"}  # each signed by its own city's issuer


def test_schema_catches_a_broken_clr(record):
    del record["credentialSubject"]["verifiableCredential"]
    assert schema_errors(record)


def test_clr_proof_verifies_and_tampering_breaks_it(record):
    integrity.verify(record, _did_key, expected_controller=record["issuer"]["id"])
    record["credentialSubject"]["achievement"][0]["name"] = "Brain surgery"
    with pytest.raises(integrity.ProofError):
        integrity.verify(record, _did_key, expected_controller=record["issuer"]["id"])


@pytest.mark.validators
def test_each_embedded_credential_verifies_independently(validators, record, tmp_path):  # noqa: F811
    for n, vc in enumerate(record["credentialSubject"]["verifiableCredential"]):
        path = tmp_path / f"credential-{n}.json"
        path.write_text(json.dumps(vc))
        code, log, report = _ob3(validators, path)
        assert code == 0 and log["valid_signature"] and log["revocation_status"], report


@pytest.mark.validators
def test_clr_proof_verifies_with_the_dcc_libraries(validators, record, tmp_path):  # noqa: F811
    """verifier-core bundles no CLR context, so ``clr_verify.mjs`` runs the same DCC libraries
    with the CLR 2.0 context added (our bundled copy of 1EdTech's document)."""
    if not CLR_RUNNER.exists():
        pytest.skip("clr_verify.mjs not built (sh tests/tools/build_ob_validators.sh)")
    path = tmp_path / "clr.json"
    path.write_text(json.dumps(record))
    code, report = _run(["node", CLR_RUNNER, path, CLR_CONTEXT])
    assert code == 0 and report["verified"] is True, report
    record["credentialSubject"]["verifiableCredential"].pop()
    path.write_text(json.dumps(record))
    code, report = _run(["node", CLR_RUNNER, path, CLR_CONTEXT])
    assert code != 0 and report["verified"] is False, report
