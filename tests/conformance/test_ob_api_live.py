"""The Open Badges 3.0 API as an outside backpack uses it, against the live app.

The backpack is an independent OAuth 2.0 client (requests-oauthlib, with PKCE S256); the
learner is plain HTTP requests (no webtest): she signs in on the city's site and submits the
consent form.  The backpack registers from the service description, gets its tokens, reads her
credentials (each verified again here, its issuer's documents fetched from the live server),
pushes a credential that a second city issued to her, and reads her profile.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
import requests
from requests_oauthlib import OAuth2Session

from plugins.badges.ob import verify
from plugins.badges.testing import PASSWORD, Badges

REDIRECT = "http://127.0.0.1:9/callback"  # loopback: the learner's own machine (never called)


class _Forms(HTMLParser):
    """Each form of a page: its action and the values it would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "form":
            self.forms.append({"action": values.get("action") or "", "fields": {}})
        elif tag == "input" and self.forms and values.get("name"):
            if values.get("type") != "checkbox" or "checked" in values:
                self.forms[-1]["fields"][values["name"]] = values.get("value") or ""
            else:
                self.forms[-1]["fields"].setdefault("__checkboxes", []).append(values["name"])


def _form(response: requests.Response, field: str = "", action: str = "") -> tuple[str, dict]:
    """The page's form with input ``field`` (or whose action has ``action``): where it posts
    and what it sends."""
    parser = _Forms()
    parser.feed(response.text)
    for form in parser.forms:
        fields = dict(form["fields"])
        checkboxes = fields.pop("__checkboxes", [])
        if (field and (field in fields or field in checkboxes)) or (
            action and action in form["action"]
        ):
            fields.update({name: "1" for name in checkboxes})
            return urljoin(response.url, form["action"] or response.url), fields
    raise AssertionError(f"no form with {field or action} on {response.url}")


def _signed_in_learner(city: str, email: str) -> requests.Session:
    learner = requests.Session()
    action, fields = _form(learner.get(f"{city}/signin"), "password")
    fields.update(email=email, password=PASSWORD)
    assert learner.post(action, fields, allow_redirects=False).status_code == 303
    consent = learner.get(f"{city}/consent")
    if consent.status_code == 200 and "accept_terms" in consent.text:
        action, fields = _form(consent, "accept_terms")
        learner.post(action, fields)
    return learner


def _fetch(url: str):
    response = requests.get(url, headers={"Accept": "application/ld+json, application/json"})
    return response.status_code, response.content, response.headers.get("Content-Type", "")


@pytest.fixture
def setting(badges, live_city, registry, factories, monkeypatch):
    # oauthlib insists on https; the live server is plain http on 127.0.0.1 (loopback).
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    ana = badges.user("ana@example.org")
    badges.issue(badges.badge_class(name="Vilnius badge"), user=ana)
    kaunas = Badges(registry, factories, factories.tenant("kaunas"))
    pushed = kaunas.issue(kaunas.badge_class(name="Kaunas badge"), "ana@example.org")
    city = live_city.origin
    kaunas_city = city.replace(live_city.prefix, f"/t/{kaunas.tenant.slug}")
    return city, f"{kaunas_city}/badges/credentials/{pushed}"


def test_a_backpack_connects_reads_pushes_and_reads_the_profile(setting):
    city, kaunas_credential = setting
    description = requests.get(f"{city}/api/ims/ob/v3p0/discovery").json()
    scheme = description["components"]["securitySchemes"]["OAuth2ACG"]
    endpoints = scheme["flows"]["authorizationCode"]
    base = description["servers"][0]["url"] + "/ims/ob/v3p0"
    scopes = sorted(endpoints["scopes"])

    registered = requests.post(
        scheme["x-imssf-registrationUrl"],
        json={
            "client_name": "Outside backpack",
            "redirect_uris": [REDIRECT],
            "scope": " ".join(scopes),
        },
    )
    assert registered.status_code == 201, registered.text
    client = registered.json()

    backpack = OAuth2Session(client["client_id"], redirect_uri=REDIRECT, scope=scopes, pkce="S256")
    authorization_url, state = backpack.authorization_url(endpoints["authorizationUrl"])

    learner = _signed_in_learner(city, "ana@example.org")
    consent = learner.get(authorization_url)
    assert consent.status_code == 200 and "Outside backpack" in consent.text
    action, fields = _form(consent, action="/oauth/authorize")
    answer = learner.post(action, {**fields, "decision": "allow"}, allow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"].startswith(REDIRECT)

    token = backpack.fetch_token(
        endpoints["tokenUrl"],
        authorization_response=answer.headers["Location"],
        client_secret=client["client_secret"],
    )
    assert set(token["scope"]) == set(scopes)

    listed = backpack.get(f"{base}/credentials")
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "2"
    names = set()
    for credential in listed.json()["credential"]:
        result = verify.verify(json.dumps(credential), _fetch, email="ana@example.org")
        assert result.valid and result.recipient_matches, result.reasons
        names.add(result.badge_name)
    assert names == {"Vilnius badge", "Kaunas badge"}

    pushed = requests.get(kaunas_credential).text
    added = backpack.post(
        f"{base}/credentials", data=pushed, headers={"Content-Type": "application/json"}
    )
    assert added.status_code == 201, added.text
    assert added.json()["id"] == json.loads(pushed)["id"]
    wallet = learner.get(f"{city}/badges/wallet").text
    assert "Badges from elsewhere" in wallet and wallet.count("Kaunas badge") == 2

    profile = backpack.get(f"{base}/profile")
    assert profile.status_code == 200 and profile.json()["name"] == "Ana"

    revoked = requests.post(
        urljoin(endpoints["tokenUrl"], "revoke"),
        data={"token": token["access_token"]},
        auth=(client["client_id"], client["client_secret"]),
    )
    assert revoked.status_code == 200
    assert backpack.get(f"{base}/profile").status_code == 401
