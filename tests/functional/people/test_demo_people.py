"""Demo accounts: one per role per city, a platform admin once, idempotent, able to sign in."""

from pyramid.scripting import prepare

from col_core.security.demo import DEMO_PASSWORD, seed_people
from col_core.tenancy.scoping import set_tenant


def _seed(registry, tenant):
    env = prepare(registry=registry)
    request = env["request"]
    request.tenant = tenant
    try:
        with request.tm:
            set_tenant(request.dbsession, tenant.id)
            return seed_people(request, tenant)
    finally:
        env["closer"]()


def test_demo_people_sign_in_with_their_roles(registry, factories, testapp, helpers):
    city = factories.tenant("vilnius")
    lines = _seed(registry, city)
    assert _seed(registry, city) == lines  # idempotent
    assert f"vilnius organiser: organiser@vilnius.demo / {DEMO_PASSWORD}" in lines
    app = testapp.for_tenant(city)
    helpers.sign_in(app, "organiser@vilnius.demo", DEMO_PASSWORD)
    assert app.get("/api/v1/me").json["roles"]["organisations"] == {"youth-centre": "owner"}
    admin = testapp.for_tenant(city)
    helpers.sign_in(admin, "admin@vilnius.demo", DEMO_PASSWORD)
    assert admin.get("/api/v1/me").json["roles"]["city_admin"] is True
