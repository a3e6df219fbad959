"""Endorsements: an organisation or the city vouches for another organisation's badge or issuer.

Through the pages (forms with CSRF, who may endorse, what people see) and the documents (the
hosted OB 2.0 Endorsement, the OB 3.0 EndorsementCredential embedded in issued credentials).
The independent validators' view is in tests/conformance/test_badges_endorsements.py.
"""

from __future__ import annotations

import json

import pytest

from plugins.badges.ob import status_list, verify

HOST = "http://vilnius.example.test"
BASE = HOST + "/badges"


@pytest.fixture
def library(badges, people):
    """Another organisation of the city and its owner, signed in (a client with CSRF)."""
    owner = people.user("owner@library.example")
    organisation = people.organisation(badges.tenant, "City Library", owner=owner)
    return organisation, people.client(badges.tenant, owner)


def _endorse(client, organisation_id, subject, comment="Their mentors are excellent.", **kw):
    return client.post(
        f"/badges/endorsers/organisations/{organisation_id}/endorse",
        {"subject": subject, "comment": comment},
        **kw,
    )


def _endorsement_id(city, class_id) -> int:
    """The id of the badge class's (only) standing endorsement, as its BadgeClass names it."""
    [url] = city.get(f"/badges/classes/{class_id}.json").json["endorsement"]
    return int(url.rsplit("/", 1)[1])


def test_an_organisation_endorses_a_badge_class(badges, library, city):
    organisation, client = library
    class_id = badges.badge_class()
    page = client.get(f"/badges/classes/{class_id}")
    assert "Endorse as City Library" in page.text
    done = _endorse(client, organisation.id, f"class:{class_id}", status=303)
    assert done.location.endswith(f"/badges/classes/{class_id}#endorsements")
    # Everyone sees it on the badge's page.
    shown = city.get(f"/badges/classes/{class_id}")
    assert "Endorsed by City Library" in shown.text
    assert "Their mentors are excellent." in shown.text
    # The BadgeClass names the hosted Endorsement, which says who endorsed what.
    badge_class = city.get(f"/badges/classes/{class_id}.json").json
    [url] = badge_class["endorsement"]
    endorsement = city.get(url.removeprefix(HOST) + ".json").json
    assert endorsement["type"] == "Endorsement"
    assert endorsement["claim"] == {
        "id": f"{BASE}/classes/{class_id}",
        "endorsementComment": "Their mentors are excellent.",
    }
    assert endorsement["verification"] == {"type": "hosted"}
    issuer = city.get(endorsement["issuer"].removeprefix(HOST) + ".json").json
    assert issuer["type"] == "Issuer" and issuer["name"] == "City Library"


def test_issued_credentials_embed_the_signed_endorsement(badges, library, city):
    organisation, _client = library
    class_id = badges.badge_class()
    endorsement_id = badges.endorse(organisation.id, f"class:{class_id}", "Good practice")
    uid = badges.issue(class_id)
    credential = city.get(f"/badges/credentials/{uid}").json
    [embedded] = credential["credentialSubject"]["achievement"]["endorsement"]
    assert embedded["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert embedded["id"] == f"{BASE}/endorsements/{endorsement_id}/credential"
    assert embedded["credentialSubject"] == {
        "id": f"{BASE}/classes/{class_id}",
        "type": ["EndorsementSubject"],
        "endorsementComment": "Good practice",
    }
    assert embedded["issuer"]["name"] == "City Library"
    assert embedded["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    # The same credential is served at its id, signed the same way.
    hosted = city.get(f"/badges/endorsements/{endorsement_id}/credential")
    assert hosted.content_type == "application/vc+ld+json" and hosted.json == embedded
    jwt = city.get(f"/badges/endorsements/{endorsement_id}/credential?format=jwt")
    assert jwt.content_type == "application/vc+jwt" and jwt.text.count(".") == 2


@pytest.fixture
def fetch(city):
    def fetch(url):
        assert url.startswith(HOST), url
        response = city.get(
            url[len(HOST) :], headers={"Accept": "application/ld+json"}, expect_errors=True
        )
        return response.status_int, response.body, response.content_type

    return fetch


@pytest.mark.parametrize("form", ["", "?format=jwt"])
def test_the_endorsement_credential_verifies_with_the_endorsers_key(
    badges, library, city, fetch, form
):
    organisation, _client = library
    endorsement_id = badges.endorse(organisation.id, f"class:{badges.badge_class()}")
    url = f"/badges/endorsements/{endorsement_id}/credential{form}"
    assert verify.verify(city.get(url).text, fetch).status == "valid"
    badges.withdraw(organisation.id, endorsement_id)
    assert verify.verify(city.get(url).text, fetch).status == "revoked"


def test_a_forged_endorsement_does_not_verify(badges, library, city, fetch):
    organisation, _client = library
    endorsement_id = badges.endorse(organisation.id, f"class:{badges.badge_class()}")
    credential = city.get(f"/badges/endorsements/{endorsement_id}/credential").json
    credential["credentialSubject"]["endorsementComment"] = "Forged praise"
    assert verify.verify(json.dumps(credential), fetch).status == "invalid"


def test_withdrawing_an_endorsement(badges, library, city):
    organisation, client = library
    class_id = badges.badge_class()
    _endorse(client, organisation.id, f"class:{class_id}", status=303)
    endorsement_id = _endorsement_id(city, class_id)
    page = client.get(f"/badges/classes/{class_id}")
    form = next(f for f in page.forms.values() if "withdraw" in (f.action or ""))
    form.submit(status=303)
    # The hosted Endorsement answers as revoked; nothing lists or embeds it any more.
    gone = city.get(f"/badges/endorsements/{endorsement_id}.json", status=410)
    assert gone.json["revoked"] is True
    assert "endorsement" not in city.get(f"/badges/classes/{class_id}.json").json
    assert "Endorsed by City Library" not in city.get(f"/badges/classes/{class_id}").text
    credential = city.get(f"/badges/credentials/{badges.issue(class_id)}").json
    assert "endorsement" not in credential["credentialSubject"]["achievement"]
    # A credential saved before still verifies, and its status list says it is withdrawn.
    saved = city.get(f"/badges/endorsements/{endorsement_id}/credential").json
    entry = saved["credentialStatus"]
    listed = city.get(entry["statusListCredential"].removeprefix(HOST))
    bits = status_list.StatusList.decode(listed.json["credentialSubject"]["encodedList"])
    assert bits.get(int(entry["statusListIndex"]))
    # It can be endorsed afresh.
    _endorse(client, organisation.id, f"class:{class_id}", "Better than ever", status=303)
    assert "Better than ever" in city.get(f"/badges/classes/{class_id}").text


def test_an_organisation_cannot_endorse_itself(badges, people):
    owner = people.user("owner@bike.example")
    badges.member(owner, "owner")
    client = people.client(badges.tenant, owner)
    class_id = badges.badge_class()
    assert "Endorse as" not in client.get(f"/badges/classes/{class_id}").text
    refused = _endorse(client, badges.organisation.id, f"class:{class_id}", status=400)
    assert "cannot endorse itself" in refused.text
    issuer_id = badges.issuer_id()
    refused = _endorse(client, badges.organisation.id, f"issuer:{issuer_id}", status=400)
    assert "cannot endorse itself" in refused.text


@pytest.mark.parametrize(
    ("comment", "message"),
    [
        ("   ", "Say in a sentence or two why you endorse it."),
        ("x" * 2001, "Keep the endorsement under 2000 characters."),
    ],
)
def test_bad_comments_are_refused_with_a_message(badges, library, comment, message):
    organisation, client = library
    class_id = badges.badge_class()
    refused = _endorse(client, organisation.id, f"class:{class_id}", comment, status=400)
    assert message in refused.text
    assert 'aria-invalid="true"' in refused.text


def test_bad_subjects_are_refused(badges, library):
    organisation, client = library
    refused = _endorse(client, organisation.id, "nonsense", status=400)
    assert "does not say what to endorse" in refused.text
    _endorse(client, organisation.id, "class:999999", status=404)
    _endorse(client, organisation.id, "planet:1", status=404)


def test_endorsing_twice_asks_to_withdraw_first(badges, library):
    organisation, client = library
    class_id = badges.badge_class()
    _endorse(client, organisation.id, f"class:{class_id}", status=303)
    again = _endorse(client, organisation.id, f"class:{class_id}", status=400)
    assert "Withdraw that endorsement first" in again.text


def test_only_owners_and_admins_endorse(badges, library, people, city):
    organisation, _owner_client = library
    class_id = badges.badge_class()
    member = people.user("member@library.example")
    people.membership(badges.tenant, organisation, member, "member")
    client = people.client(badges.tenant, member)
    assert "Endorse as" not in client.get(f"/badges/classes/{class_id}").text
    _endorse(client, organisation.id, f"class:{class_id}", status=403)
    admin = people.user("admin@library.example")
    people.membership(badges.tenant, organisation, admin, "admin")
    _endorse(people.client(badges.tenant, admin), organisation.id, f"class:{class_id}", status=303)
    # Nobody else withdraws it: not a member, not an anonymous visitor.
    endorsement_id = _endorsement_id(city, class_id)
    path = f"/badges/endorsers/organisations/{organisation.id}/endorsements/{endorsement_id}"
    client.post(path + "/withdraw", status=403)
    assert badges.endorsement(endorsement_id).withdrawn_at is None


def test_a_form_without_its_csrf_token_is_refused(badges, library, city):
    organisation, _client = library
    badges.sign_in(city, "owner@library.example")
    subject = f"class:{badges.badge_class()}"
    _endorse(city, organisation.id, subject, status=400)


def test_the_city_endorses_an_issuer(badges, people, city):
    admin = people.city_admin(badges.tenant)
    client = people.client(badges.tenant, admin)
    issuer_id = badges.issuer_id()
    page = client.get(f"/badges/issuers/{issuer_id}")
    assert f"Endorse as {badges.tenant.name}" in page.text
    client.post(
        "/badges/endorsers/city/endorse",
        {"subject": f"issuer:{issuer_id}", "comment": "A pillar of our city"},
        status=303,
    )
    shown = city.get(f"/badges/issuers/{issuer_id}")
    assert f"Endorsed by {badges.tenant.name}" in shown.text and "A pillar" in shown.text
    [url] = city.get(f"/badges/issuers/{issuer_id}.json").json["endorsement"]
    endorsement = city.get(url.removeprefix(HOST) + ".json").json
    assert endorsement["claim"]["id"] == f"{BASE}/issuers/{issuer_id}"
    # The city's own issuer profile: the city's name, and no badges of its own.
    profile = city.get(endorsement["issuer"].removeprefix(HOST) + ".json")
    assert profile.json["name"] == badges.tenant.name and profile.json["url"] == HOST + "/"
    # Credentials name the issuer with its endorsements.
    credential = city.get(f"/badges/credentials/{badges.issue(badges.badge_class())}").json
    [embedded] = credential["issuer"]["endorsement"]
    assert embedded["credentialSubject"]["id"] == credential["issuer"]["id"]
    # The city's issuer is not itself endorsable.
    city_issuer = endorsement["issuer"].rsplit("/", 1)[1]
    assert "Endorse as" not in client.get(f"/badges/issuers/{city_issuer}").text
    refused = client.post(
        "/badges/endorsers/city/endorse",
        {"subject": f"issuer:{city_issuer}", "comment": "Us"},
        status=404,
    )
    assert refused.status_int == 404


def test_only_city_admins_endorse_as_the_city(badges, library):
    _organisation, client = library
    client.post(
        "/badges/endorsers/city/endorse",
        {"subject": f"class:{badges.badge_class()}", "comment": "As the city"},
        status=403,
    )


def test_another_citys_badge_cannot_be_endorsed(badges, library, factories, people):
    organisation, client = library
    kaunas = factories.tenant("kaunas")
    owner = people.user("owner@kaunas.example")
    kaunas_org = people.organisation(kaunas, "Kaunas Club", owner=owner)
    from plugins.badges.testing import Badges

    other = Badges(badges.registry, factories, kaunas)
    other_class = other.badge_class(name="Kaunas badge")
    # A subject of another city is not found here...
    _endorse(client, organisation.id, f"class:{other_class}", status=404)
    # ...nor is another city's organisation as the endorser.
    _endorse(client, kaunas_org.id, f"class:{badges.badge_class()}", status=404)
    # ...nor can Kaunas's own endorsement be withdrawn from here.
    endorsement_id = other.endorse(None, f"class:{other_class}")
    path = f"/badges/endorsers/organisations/{organisation.id}/endorsements/{endorsement_id}"
    client.post(path + "/withdraw", status=404)
    assert other.endorsement(endorsement_id).withdrawn_at is None


def test_another_organisations_endorsement_cannot_be_withdrawn(badges, library, people):
    organisation, client = library
    rival = people.organisation(badges.tenant, "Rival Club", owner=people.user("rival"))
    class_id = badges.badge_class()
    endorsement_id = badges.endorse(rival.id, f"class:{class_id}")
    path = f"/badges/endorsers/organisations/{organisation.id}/endorsements/{endorsement_id}"
    client.post(path + "/withdraw", status=404)
    assert badges.endorsement(endorsement_id).withdrawn_at is None


def test_the_learners_badge_page_and_catalogue_show_endorsements(badges, library, people, city):
    organisation, _client = library
    class_id = badges.badge_class(name="Endorsed skill")
    badges.endorse(organisation.id, f"class:{class_id}", "Proven in practice")
    learner = people.user("ana@example.org")
    uid = badges.issue(class_id, user=learner)
    share = people.client(badges.tenant, learner).get(f"/badges/share/{uid}")
    assert "Endorsed by City Library" in share.text and "Proven in practice" in share.text
    catalogue = city.get("/badges/")
    assert "Endorsed by City Library" in catalogue.text


def test_a_person_is_sent_to_the_endorsed_page(badges, library, city):
    organisation, _client = library
    class_id = badges.badge_class()
    endorsement_id = badges.endorse(organisation.id, f"class:{class_id}")
    page = city.get(f"/badges/endorsements/{endorsement_id}", headers={"Accept": "text/html"})
    assert page.status_int == 303 and page.location.endswith(f"/badges/classes/{class_id}")
