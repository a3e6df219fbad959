"""Every protected route refuses anonymous people, learners, members of another organisation,
and organisers or admins of another city; the right role gets in.  Plus API tokens and CSRF."""

import pytest
from sqlalchemy import select

from col_core.organisations.models import Invitation

ORG_ROUTES = [  # (method, path, permission); {slug}, {member} and {invitation} are filled in
    ("GET", "/organisations/{slug}/edit", "org.edit"),
    ("POST", "/organisations/{slug}/edit", "org.edit"),
    ("GET", "/organisations/{slug}/members", "org.member"),
    ("POST", "/organisations/{slug}/invitations", "org.manage"),
    ("POST", "/organisations/{slug}/members/{member}/remove", "org.manage"),
    ("POST", "/organisations/{slug}/members/{member}/role", "org.manage"),
    ("POST", "/organisations/{slug}/invitations/{invitation}/revoke", "org.manage"),
    ("POST", "/organisations/{slug}/verify", "org.verify"),
    ("POST", "/organisations/{slug}/suspend", "org.verify"),
    ("PATCH", "/api/v1/organisations/{slug}", "org.edit"),
    ("GET", "/admin/organisations", "city.admin"),
    ("GET", "/admin/people", "city.admin"),
    ("POST", "/admin/people", "city.admin"),
    ("POST", "/admin/people/{member_user}/revoke", "city.admin"),
]
LEARNER_ROUTES = [
    ("GET", "/account"),
    ("POST", "/account"),
    ("GET", "/account/privacy"),
    ("POST", "/account/export"),
    ("POST", "/account/delete"),
    ("POST", "/account/email"),
    ("GET", "/organisations/new"),
    ("POST", "/organisations/new"),
    ("GET", "/organisations/mine"),
    ("POST", "/organisations/switch"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens"),
    ("GET", "/account/tokens"),
    ("POST", "/account/tokens"),
    ("GET", "/notifications"),
    ("POST", "/notifications/read"),
    ("POST", "/notifications/emails"),
]


@pytest.fixture
def world(factories, people):
    city = factories.tenant("vilnius")
    elsewhere = factories.tenant("kaunas")
    owner = people.user("owner@example.org")
    organisation = people.organisation(city, owner=owner, slug="target")
    member = people.user("member@example.org")
    membership = people.membership(city, organisation, member)
    other_org_owner = people.user("other@example.org")
    people.organisation(city, owner=other_org_owner, slug="other")
    away = people.user("away@example.org")
    people.organisation(elsewhere, owner=away, slug="target-away")
    people.city_admin(elsewhere, away)
    with factories.within(city):
        invitation = factories.save(
            Invitation(
                organisation_id=organisation.id,
                role="member",
                token_hash="x" * 64,
                tenant_id=city.id,
                expires_at=organisation.created_at,
            )
        )
    return {
        "city": city,
        "owner": owner,
        "member": member,
        "membership": membership,
        "other": other_org_owner,
        "away": away,
        "invitation": invitation,
    }


def _client(testapp, world, helpers, who):
    app = testapp.for_tenant(world["city"])
    if who != "anonymous":
        helpers.sign_in(app, world[who].email)
    return app


def _request(app, helpers, method, path, status):
    token = helpers.csrf_token(app)
    if method == "GET":
        return app.get(path, status=status)
    if path.startswith("/api/"):
        send = app.patch_json if method == "PATCH" else app.post_json
        return send(path, {}, headers={"X-CSRF-Token": token}, status=status)
    return app.post(path, {"csrf_token": token}, status=status)


def _fill(path, world):
    return path.format(
        slug="target",
        member=world["membership"].id,
        member_user=world["member"].id,
        invitation=world["invitation"].id,
    )


def _refused(who, method, path) -> int:
    # Signed-out visitors of a page are sent to sign in; everything else is a plain 403.
    return 303 if who == "anonymous" and method == "GET" and not path.startswith("/api/") else 403


@pytest.mark.parametrize("who", ["anonymous", "other", "away"])
@pytest.mark.parametrize("method,path,permission", ORG_ROUTES)
def test_organisation_routes_refuse_outsiders(
    testapp, world, helpers, who, method, path, permission
):
    app = _client(testapp, world, helpers, who)
    response = _request(
        app, helpers, method, _fill(path, world), status=_refused(who, method, path)
    )
    assert "owner@example.org" not in response.text
    if response.status_int == 303:
        assert "/signin?next=" in response.location


@pytest.mark.parametrize("method,path,permission", [r for r in ORG_ROUTES if r[2] != "org.member"])
def test_plain_members_cannot_manage(testapp, world, helpers, method, path, permission):
    app = _client(testapp, world, helpers, "member")
    _request(app, helpers, method, _fill(path, world), status=403)


@pytest.mark.parametrize("method,path", LEARNER_ROUTES)
def test_account_routes_need_signing_in(testapp, world, helpers, method, path):
    _request(
        _client(testapp, world, helpers, "anonymous"),
        helpers,
        method,
        path,
        status=_refused("anonymous", method, path),
    )


def test_signing_in_returns_to_the_page(testapp, world, helpers):
    app = testapp.for_tenant(world["city"])
    page = app.get("/organisations/target/members", status=303).follow()
    form = helpers.form_with(page, "password")
    form["email"], form["password"] = "owner@example.org", helpers.PASSWORD
    response = form.submit(status=303)
    assert response.location.endswith("/organisations/target/members")


def test_owner_gets_in(testapp, world, helpers):
    app = _client(testapp, world, helpers, "owner")
    app.get("/organisations/target/edit", status=200)
    app.get("/organisations/target/members", status=200)
    response = app.patch_json(
        "/api/v1/organisations/target",
        {"name": "New name"},
        headers={"X-CSRF-Token": helpers.csrf_token(app)},
    )
    assert response.json["name"] == "New name"


def test_missing_csrf_token_is_refused(testapp, world, helpers, factories):
    app = _client(testapp, world, helpers, "owner")
    app.post("/organisations/target/invitations", {"role": "member"}, status=400)
    app.patch_json("/api/v1/organisations/target", {"name": "Forged"}, status=400)
    with factories.within(world["city"]):
        assert factories.session.scalars(select(Invitation)).all() == [world["invitation"]]


def _token(app, helpers, scope):
    return app.post_json(
        "/api/v1/tokens",
        {"name": "script", "scope": scope},
        headers={"X-CSRF-Token": helpers.csrf_token(app)},
        status=201,
    ).json


def test_api_tokens_are_scoped_and_revocable(testapp, world, helpers):
    app = _client(testapp, world, helpers, "owner")
    read, write = _token(app, helpers, "read"), _token(app, helpers, "write")
    api = testapp.for_tenant(world["city"])
    bearer = {"Authorization": f"Bearer {read['token']}"}
    assert api.get("/api/v1/me", headers=bearer).json["roles"]["organisations"] == {
        "target": "owner"
    }
    api.patch_json(
        "/api/v1/organisations/target", {"name": "By read token"}, headers=bearer, status=403
    )
    # A Bearer token is not a browser session: no CSRF token needed.
    api.patch_json(
        "/api/v1/organisations/target",
        {"name": "By write token"},
        headers={"Authorization": f"Bearer {write['token']}"},
        status=200,
    )
    app.delete(f"/api/v1/tokens/{read['id']}", headers={"X-CSRF-Token": helpers.csrf_token(app)})
    api.get("/api/v1/me", headers=bearer, status=403)
    api.get("/api/v1/me", headers={"Authorization": "Bearer col_made-up"}, status=403)
    listed = app.get("/api/v1/tokens").json["items"]
    assert [t["id"] for t in listed] == [write["id"]] and "token" not in listed[0]


def test_tokens_cannot_mint_tokens(testapp, world, helpers):
    app = _client(testapp, world, helpers, "owner")
    write = _token(app, helpers, "write")
    testapp.for_tenant(world["city"]).post_json(
        "/api/v1/tokens",
        {"name": "more", "scope": "write"},
        headers={"Authorization": f"Bearer {write['token']}"},
        status=403,
    )


def test_roles_are_per_city(testapp, world, helpers):
    # The organiser and city admin of Kaunas is a plain learner in Vilnius.
    app = _client(testapp, world, helpers, "away")
    me = app.get("/api/v1/me").json
    assert me["roles"] == {"city_admin": False, "platform_admin": False, "organisations": {}}


def test_api_field_errors(testapp, world, helpers):
    app = _client(testapp, world, helpers, "owner")
    response = app.patch_json(
        "/api/v1/organisations/target",
        {"website": "ftp://x", "colour": "red", "name": 5},
        headers={"X-CSRF-Token": helpers.csrf_token(app)},
        status=422,
    )
    assert set(response.json["fields"]) == {"colour"}
    response = app.patch_json(
        "/api/v1/organisations/target",
        {"website": "ftp://x", "name": 5},
        headers={"X-CSRF-Token": helpers.csrf_token(app)},
        status=422,
    )
    assert set(response.json["fields"]) == {"website", "name"}


def test_tokens_page_shows_the_secret_once_and_revokes(testapp, world, helpers):
    app = _client(testapp, world, helpers, "owner")
    form = helpers.form_with(app.get("/account/tokens"), "name")
    form["name"] = "Calendar sync"
    form["scope"] = "write"
    page = form.submit(status=200)
    secret = page.html.find("input", attrs={"aria-label": "New token"})["value"]
    api = testapp.for_tenant(world["city"])
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_int == 200
    listing = app.get("/account/tokens")
    assert "Calendar sync" in listing.text and secret not in listing.text
    [revoke] = [f for f in listing.forms.values() if "/revoke" in (f.action or "")]
    revoke.submit(status=303)
    api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, status=403)


def test_someone_elses_token_cannot_be_revoked(testapp, world, helpers):
    owner = _client(testapp, world, helpers, "owner")
    token = _token(owner, helpers, "read")
    other = _client(testapp, world, helpers, "other")
    other.post(
        f"/account/tokens/{token['id']}/revoke",
        {"csrf_token": helpers.csrf_token(other)},
        status=404,
    )
    other.delete(
        f"/api/v1/tokens/{token['id']}",
        headers={"X-CSRF-Token": helpers.csrf_token(other)},
        status=404,
    )
    assert [t["id"] for t in owner.get("/api/v1/tokens").json["items"]] == [token["id"]]
