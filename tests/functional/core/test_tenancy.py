"""Which city a request belongs to: resolved from the host or the /t/<slug>/ prefix, failing closed."""

from col_core.tenancy.models import TenantHost


def test_subdomain_resolves_city(testapp, factories):
    factories.global_site()
    city = factories.tenant("vilnius", name="Vilnius")
    response = testapp.for_tenant(city).get("/api/v1/tenant")
    assert response.json["slug"] == "vilnius"


def test_port_is_ignored(testapp, factories):
    factories.tenant("kaunas")
    response = testapp.get(
        "/api/v1/tenant", extra_environ={"HTTP_HOST": "kaunas.example.test:8080"}
    )
    assert response.json["slug"] == "kaunas"
    # Links keep the configured port (col.public_url's), not the one the request named.
    assert response.json["url"] == "http://kaunas.example.test/"


def test_exact_hostname_resolves_city(testapp, factories):
    city = factories.tenant("gent")
    factories.save(TenantHost(hostname="leren.gent.be", tenant_id=city.id))
    response = testapp.get("/api/v1/tenant", extra_environ={"HTTP_HOST": "leren.gent.be"})
    assert response.json["slug"] == "gent"


def test_bare_host_is_global_site(testapp, factories):
    factories.global_site()
    factories.tenant("vilnius")
    assert testapp.get("/api/v1/tenant").json["kind"] == "global"


def test_path_prefix_resolves_city_and_leads_to_its_subdomain(testapp, factories):
    factories.global_site()
    factories.tenant("vilnius")
    # On the base domain a city's configured address is its subdomain: pages go there.
    response = testapp.get("/t/vilnius/api/v1/tenant?x=1", status=302)
    assert response.location == "http://vilnius.example.test/api/v1/tenant?x=1"
    moved = testapp.get("/t/vilnius/map/%C4%85%20b", status=302)
    assert moved.location == "http://vilnius.example.test/map/%C4%85%20b"
    # Health checks are answered where they are asked, never redirected.
    assert testapp.get("/t/vilnius/healthz").json == {"status": "ok"}


def test_path_prefix_is_the_address_when_the_public_url_is_not_the_base_domain(
    make_testapp, factories
):
    factories.global_site()
    factories.tenant("vilnius")
    app = make_testapp(**{"col.public_url": "http://127.0.0.1:6543"})
    response = app.get("/t/vilnius/api/v1/tenant", extra_environ={"HTTP_HOST": "127.0.0.1:6543"})
    assert response.json["slug"] == "vilnius"
    assert response.json["url"] == "http://127.0.0.1:6543/t/vilnius/"
    page = app.get("/t/vilnius/", extra_environ={"HTTP_HOST": "127.0.0.1:6543"})
    assert 'href="http://127.0.0.1:6543/t/vilnius/"' in page.text
    # The subdomain form of the same city leads to its configured address.
    moved = app.get("/map/?q=a", extra_environ={"HTTP_HOST": "vilnius.example.test"}, status=302)
    assert moved.location == "http://127.0.0.1:6543/t/vilnius/map/?q=a"


def test_unknown_subdomain_is_refused(testapp, factories):
    factories.tenant("vilnius")
    response = testapp.get("/", extra_environ={"HTTP_HOST": "nowhere.example.test"}, status=400)
    assert "does not answer to the host name" in response.text
    assert "vilnius" not in response.text.lower()


def test_unknown_path_slug_is_404(testapp, factories):
    factories.global_site()
    testapp.get("/t/nowhere/", status=404)


def test_unknown_host_is_refused(testapp, factories):
    factories.global_site()
    testapp.get("/", extra_environ={"HTTP_HOST": "evil.example.org"}, status=400)


def test_path_prefix_is_ignored_on_a_city_host(testapp, factories):
    vilnius = factories.tenant("vilnius")
    factories.tenant("kaunas")
    # A city's own host must never serve another city's pages through the prefix.
    testapp.for_tenant(vilnius).get("/t/kaunas/api/v1/tenant", status=404)


def test_disabled_tenant_is_404(testapp, factories):
    city = factories.tenant("vilnius", active=False)
    testapp.for_tenant(city).get("/", status=404)


def test_no_global_site_is_404_not_a_city(testapp, factories):
    factories.tenant("vilnius")
    response = testapp.get("/", status=404)
    assert "Vilnius" not in response.text


def test_api_unknown_host_is_json_error(testapp, factories):
    response = testapp.get(
        "/api/v1/tenant", extra_environ={"HTTP_HOST": "x.example.test"}, status=400
    )
    assert response.json["error"].startswith("This server does not answer to the host name")
    assert response.json["fields"] == {}


def test_api_unknown_tenant_is_json_error(testapp, factories):
    # The bare host is allowed, but with no global site nothing answers there.
    factories.tenant("vilnius")
    response = testapp.get("/api/v1/tenant", status=404)
    assert response.json == {"error": "No city of learning answers at this address.", "fields": {}}
