"""Navigation, the organisation dashboard section, the CLI and ESCO degradation."""

from __future__ import annotations

from sqlalchemy import select

from plugins.badges.models import Assertion


def test_navigation_offers_verification_and_the_wallet(badges, city):
    assert "/badges/verify" in city.get("/")
    badges.user("ana@example.org")
    badges.sign_in(city, "ana@example.org")
    assert "/badges/wallet" in city.get("/")


def test_cli_lists_issues_and_revokes(badges, run_col, monkeypatch):
    monkeypatch.setenv("COL_PUBLIC_URL", "http://example.test")
    class_id = badges.badge_class(name="Command line badge")
    listing = run_col("badges", "classes", "--tenant", badges.tenant.slug)
    assert listing.exit_code == 0 and "Command line badge" in listing.output
    as_json = run_col("badges", "classes", "--tenant", badges.tenant.slug, "--json")
    assert '"name": "Command line badge"' in as_json.output
    issued = run_col(
        "badges",
        "issue",
        "--tenant",
        badges.tenant.slug,
        "--badge-class",
        str(class_id),
        "--email",
        "ana@example.org",
        "--evidence",
        "https://ex.org/proof",
    )
    assert issued.exit_code == 0, issued.output
    with badges.factories.within(badges.tenant):
        assertion = badges.factories.session.scalars(select(Assertion)).one()
    assert f"http://vilnius.example.test/badges/assertions/{assertion.uid}" in issued.output
    assert f"/badges/credentials/{assertion.uid}" in issued.output
    assert f"/badges/assertions/{assertion.uid}/baked-ob2.png" in issued.output
    assert assertion.evidence == [{"url": "https://ex.org/proof"}]
    revoked = run_col("badges", "revoke", assertion.uid, "--reason", "test")
    assert revoked.exit_code == 0 and badges.assertion(assertion.uid).is_revoked
    again = run_col("badges", "revoke", assertion.uid, "--reason", "test")
    assert again.exit_code != 0 and "already revoked" in again.output


def test_cli_errors_are_clear(badges, run_col):
    unknown_city = run_col("badges", "classes", "--tenant", "atlantis")
    assert unknown_city.exit_code != 0 and "no city with the slug 'atlantis'" in unknown_city.output
    no_class = run_col(
        "badges",
        "issue",
        "--tenant",
        badges.tenant.slug,
        "--badge-class",
        "999",
        "--email",
        "ana@example.org",
    )
    assert no_class.exit_code != 0 and "no badge class 999" in no_class.output
    bad_email = run_col(
        "badges",
        "issue",
        "--tenant",
        badges.tenant.slug,
        "--badge-class",
        str(badges.badge_class()),
        "--email",
        "nope",
    )
    assert bad_email.exit_code != 0 and "is not an email address" in bad_email.output
    assert run_col("badges", "revoke", "0" * 32, "--reason", "x").exit_code != 0


def test_documents_work_with_the_esco_plugin_disabled(badges, city):
    tenant = badges.tenant
    tenant.plugins = ["badges"]
    badges.factories.save(tenant)
    class_id = badges.badge_class(
        skills=[{"uri": "http://data.europa.eu/esco/skill/abc", "label": "repair bicycles"}]
    )
    doc = city.get(f"/badges/classes/{class_id}.json").json
    assert doc["alignment"][0]["targetName"] == "repair bicycles"


def test_esco_tags_of_the_badge_class_become_alignments(badges, city, registry):
    from pathlib import Path

    from plugins.esco.cli import import_download
    from plugins.esco.interfaces import ISkillTags

    folder = Path(__file__).resolve().parents[3] / "plugins" / "esco" / "data" / "v1.1.1" / "en"
    with registry["col.session_factory"]() as session:
        import_download(session, str(folder))
        session.commit()
    uri = "http://data.europa.eu/esco/skill/001115fb-569f-4ee6-8381-c6807ef2527f"
    class_id = badges.badge_class()
    with badges.request() as request:
        request.find_service(ISkillTags).add("badge_class", class_id, uri)
    [alignment] = city.get(f"/badges/classes/{class_id}.json").json["alignment"]
    assert alignment["targetUrl"] == uri and alignment["targetName"] == "show initiative"
    credential = city.get(f"/badges/credentials/{badges.issue(class_id)}").json
    [aligned] = credential["credentialSubject"]["achievement"]["alignment"]
    assert aligned["targetFramework"] == "ESCO" and aligned["targetName"] == "show initiative"


def test_demo_seeding_gives_the_demo_learner_badges_and_is_idempotent(badges):
    from plugins.badges.demo import seed

    learner = badges.user(f"learner@{badges.tenant.slug}.demo")
    for _round in range(2):
        with badges.request() as request:
            lines = seed(request, request.tenant)
    with badges.factories.within(badges.tenant):
        [assertion] = badges.factories.session.scalars(select(Assertion)).all()
    assert assertion.user_id == learner.id
    assert any("/badges/claim/" in line for line in lines)


def test_cli_rotates_keys_and_keeps_the_old_ones_published(badges, city, run_col):
    uid = badges.issue(badges.badge_class())
    old = city.get(f"/badges/assertions/{uid}/signed").text
    result = run_col(
        "badges",
        "rotate-keys",
        "--tenant",
        badges.tenant.slug,
        "--organisation",
        str(badges.organisation.id),
    )
    assert result.exit_code == 0 and result.output.count("new ") == 2, result.output
    assert city.get(f"/badges/assertions/{uid}/signed").text != old
    issuer_id = badges.assertion(uid).issuer_id
    profile = city.get(f"/badges/issuers/{issuer_id}/profile").json
    assert len(profile["assertionMethod"]) == 2  # Ed25519: old and new both authorised
    missing = run_col(
        "badges", "rotate-keys", "--tenant", badges.tenant.slug, "--organisation", "999"
    )
    assert missing.exit_code != 0 and "no organisation 999" in missing.output
