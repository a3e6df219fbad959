"""The Open Badges API's pages for the learner on a phone (390x844) in Chromium: the consent
page and the connected applications, in three languages, fit the screen and pass axe-core; the
consent is given with the page's own button and the application is disconnected with its own."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from plugins.badges.services.ob_api import SCOPES

from .test_phone_and_accessibility import check, phone

pytestmark = [pytest.mark.browser]
REDIRECT = "http://127.0.0.1:9/callback"


@pytest.mark.parametrize("language", ["en", "de", "lt"])
def test_consent_and_connected_apps_on_a_phone(live_server, chromium, factories, people, language):
    city = factories.tenant("vilnius", locales=["en", "de", "lt"])
    learner = people.user("ana")
    server = live_server()
    base = server.city(city)
    api = f"{base}/api/ims/ob/v3p0"
    client = requests.post(
        f"{api}/oauth/register",
        json={"client_name": "Backpack", "redirect_uris": [REDIRECT], "scope": " ".join(SCOPES)},
    ).json()
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    query = {
        "response_type": "code",
        "client_id": client["client_id"],
        "redirect_uri": REDIRECT,
        "scope": " ".join(SCOPES),
        "state": "s1",
        "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    page = phone(chromium, server, people.client(city, learner).session_cookie, language)
    found = check(page, "consent", f"{base}/badges/oauth/authorize?{urlencode(query)}")
    # The application's address is the learner's own machine: answered here, not reached.
    page.route(REDIRECT + "*", lambda route: route.fulfill(status=200, body="back"))
    page.locator("#consent-form [value=allow]").click()
    page.wait_for_url(REDIRECT + "*")
    code = parse_qs(urlsplit(page.url).query)["code"][0]
    tokens = requests.post(
        f"{api}/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
        auth=(client["client_id"], client["client_secret"]),
    ).json()
    found += check(page, "connected applications", f"{base}/badges/wallet/apps")
    assert found == []
    page.locator("#connected-apps button").click()
    page.wait_for_load_state("networkidle")
    assert "Backpack" not in page.locator("#connected-apps").inner_text()
    answer = requests.get(
        f"{api}/profile", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert answer.status_code == 401
