"""Single sign-on in a real browser, with real cookies per host: a learner signs in with a
password on city Alpha and is then signed in on city Beta (by its "Sign in" link, no password)
and on the global site; signing out on Beta signs the browser out on all three.

The live server answers at three host names: the global site at ``127.0.0.1:<port>`` (its
public URL) and the cities at their own domains ``alpha.test`` and ``beta.test`` on the same
port, which Chromium's ``--host-resolver-rules`` sends to 127.0.0.1.  Each host keeps its own
cookies, as in production, so only the handshake can carry the sign-in across.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from col_core.tenancy.models import TenantHost
from col_core.testing.people import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's Chromium: apt-get install -y chromium"
    ),
]
CITY_HOSTS = ("alpha.test", "beta.test")


@pytest.fixture
def chromium_for_city_hosts():
    """Debian's Chromium, headless, resolving the cities' host names to this machine."""
    rules = ",".join(f"MAP {host} 127.0.0.1" for host in CITY_HOSTS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                f"--host-resolver-rules={rules}",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def network(factories, people):
    hub = factories.global_site()
    alpha = factories.tenant("alpha", name="Alpha")
    beta = factories.tenant("beta", name="Beta")
    factories.save(
        TenantHost(hostname="alpha.test", tenant_id=alpha.id),
        TenantHost(hostname="beta.test", tenant_id=beta.id),
    )
    learner = people.user()
    for tenant in (hub, alpha, beta):
        people.consented(tenant, learner)
    return learner


def signed_in(page, site: str) -> bool:
    page.goto(f"{site}/account")
    return urlsplit(page.url).path == "/account"


def test_sign_in_on_one_city_signs_in_on_the_others_and_the_hub(
    live_server, chromium_for_city_hosts, network
):
    server = live_server()
    port = urlsplit(server.origin).port
    hub, alpha, beta = server.origin, f"http://alpha.test:{port}", f"http://beta.test:{port}"
    context = chromium_for_city_hosts.new_context(locale="en")
    page = context.new_page()
    allowed = (hub, alpha, beta)
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(allowed) else route.abort(),
    )

    page.goto(f"{alpha}/signin")
    page.fill("input[name=email]", network.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{alpha}/")
    hosts = {cookie["domain"] for cookie in context.cookies() if cookie["name"] == "col_session"}
    assert hosts == {"127.0.0.1", "alpha.test"}  # signed in at the hub too, by its own cookie
    assert signed_in(page, alpha) and signed_in(page, hub)
    assert not signed_in(page, beta)

    page.goto(f"{beta}/organisations")
    page.locator("details.site-menu > summary").click()
    page.get_by_role("link", name="Sign in").click()  # no password asked
    page.wait_for_url(f"{beta}/organisations")
    assert signed_in(page, beta)

    page.goto(f"{beta}/account")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(f"{beta}/")
    for site in (alpha, hub, beta):
        assert not signed_in(page, site), site
    context.close()
