"""Demo accounts: one per role per city, a platform admin once, idempotent, able to sign in."""

from col_core.security.demo import DEMO_PASSWORD, seed_people


def _seed(tenant_request, tenant):
    with tenant_request(tenant) as request:
        return seed_people(request, tenant)


def test_demo_people_sign_in_with_their_roles(tenant_request, factories, testapp, helpers):
    city = factories.tenant("vilnius")
    lines = _seed(tenant_request, city)
    assert _seed(tenant_request, city) == lines  # idempotent
    assert f"vilnius organiser: organiser@vilnius.demo / {DEMO_PASSWORD}" in lines
    app = testapp.for_tenant(city)
    helpers.sign_in(app, "organiser@vilnius.demo", DEMO_PASSWORD)
    assert app.get("/api/v1/me").json["roles"]["organisations"] == {"youth-centre": "owner"}
    admin = testapp.for_tenant(city)
    helpers.sign_in(admin, "admin@vilnius.demo", DEMO_PASSWORD)
    assert admin.get("/api/v1/me").json["roles"]["city_admin"] is True
