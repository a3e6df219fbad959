"""API tokens reach the API only, read tokens never write, and tokens never make tokens.

Finding 5 of issue #14: a write token minted new tokens through the HTML form
(``POST /account/tokens`` with ``Authorization: Bearer``), and the minted one outlived the
original's revocation; a read-only token claimed a badge.  The rule is decided in one place,
``col_core.security.policy.token_scope_refusal``; these tests send the attacks as requests.
"""

from __future__ import annotations

import re

import pytest
from pyramid.interfaces import IRoutesMapper
from sqlalchemy import func, select

from col_core.security.models import ApiToken, UserSession
from col_core.security.policy import OWN_BEARER_ROUTES
from col_core.security.tokens import API_TOKEN_PREFIX, digest, new_secret
from col_core.tenancy.scoping import get_city_row
from plugins.badges import claims
from plugins.badges.models import Assertion, BadgeClass
from plugins.badges.testing import badges  # noqa: F401 - the fixture

ONLY_API = "API tokens work only on the API"
READ_ONLY = "This API token may only read"
# Values for route placeholders; anything else gets "1" (every id pattern accepts it).
PLACEHOLDERS = {"ext": "", "version": "2", "uid": "ab12", "key": "ab.png", "subpath": "x.css"}


def token_of(factories, user, scope: str) -> tuple[ApiToken, str]:
    secret = API_TOKEN_PREFIX + new_secret()
    token = factories.save(
        ApiToken(user_id=user.id, name=scope, scope=scope, token_hash=digest(secret))
    )
    return token, secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def count(factories, model, user) -> int:
    factories.session.expire_all()
    return factories.session.scalar(
        select(func.count()).select_from(model).where(model.user_id == user.id)
    )


@pytest.fixture
def city(badges):  # noqa: F811
    return badges.tenant


@pytest.fixture
def learner(people, city):
    return people.consented(city, people.user())


def test_a_write_token_cannot_mint_tokens_through_the_form(testapp, factories, city, learner):
    """The exact attack: the HTML form, with the token instead of a session."""
    _token, secret = token_of(factories, learner, "write")
    app = testapp.for_tenant(city)
    refused = app.post(
        "/account/tokens", {"name": "minted", "scope": "write"}, headers=bearer(secret), status=403
    )
    assert ONLY_API in refused.text
    assert count(factories, ApiToken, learner) == 1
    # Nor through the API, nor with a session cookie beside it.
    api = app.post_json(
        "/api/v1/tokens", {"name": "minted", "scope": "write"}, headers=bearer(secret), status=403
    )
    assert api.json["error"] == "Create API tokens while signed in on the website."
    assert count(factories, ApiToken, learner) == 1


def test_a_signed_in_browser_with_a_token_header_is_still_refused(
    testapp, factories, people, city, learner
):
    _token, secret = token_of(factories, learner, "write")
    browser = people.client(city, learner)
    browser.post(
        "/account/tokens", {"name": "minted", "scope": "write"}, headers=bearer(secret), status=403
    )
    assert count(factories, ApiToken, learner) == 1
    # Without the header the same browser creates one, as before.
    browser.post("/account/tokens", {"name": "mine", "scope": "read"}, status=200)
    assert count(factories, ApiToken, learner) == 2


def test_nothing_derived_from_a_token_survives_its_revocation(testapp, factories, city, learner):
    token, secret = token_of(factories, learner, "write")
    app = testapp.for_tenant(city)
    sessions_before = count(factories, UserSession, learner)
    # Everything a token might make that signs in: tokens, a session, a password reset.
    app.post("/account/tokens", {"name": "m", "scope": "write"}, headers=bearer(secret), status=403)
    app.post_json(
        "/api/v1/tokens", {"name": "m", "scope": "write"}, headers=bearer(secret), status=403
    )
    app.post(
        "/signin", {"email": learner.email, "password": "x"}, headers=bearer(secret), status=403
    )
    app.post("/account/email", {"email": "new@example.org"}, headers=bearer(secret), status=403)
    app.delete(f"/api/v1/tokens/{token.id}", headers=bearer(secret), status=200)
    assert count(factories, ApiToken, learner) == 1
    assert count(factories, UserSession, learner) == sessions_before
    factories.session.expire_all()
    assert (
        factories.session.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(ApiToken.user_id == learner.id, ApiToken.revoked_at.is_(None))
        )
        == 0
    )
    app.get("/api/v1/me", headers=bearer(secret), status=403)


def test_a_read_token_cannot_claim_a_badge(testapp, factories, badges, city, learner):  # noqa: F811
    """The exact attack: the claim form is open to everyone, and claiming is still a write."""
    class_id = badges.badge_class()
    with badges.request() as request:
        code = claims.new_code(
            request.dbsession, get_city_row(request.dbsession, BadgeClass, class_id)
        ).code
    _token, secret = token_of(factories, learner, "read")
    app = testapp.for_tenant(city)
    refused = app.post(
        f"/badges/claim/{code}", {"email": learner.email}, headers=bearer(secret), status=403
    )
    assert ONLY_API in refused.text
    with factories.within(city):
        assert factories.session.scalar(select(func.count()).select_from(Assertion)) == 0


def _path(route) -> str:
    try:
        path = route.generate(
            {name: PLACEHOLDERS.get(name, "1") for name in _placeholders(route.pattern)}
        )
    except KeyError:  # pragma: no cover - a placeholder this test does not know
        raise AssertionError(f"add a value for {route.pattern} to PLACEHOLDERS") from None
    return path if path.startswith("/") else "/" + path


def _placeholders(pattern: str) -> list[str]:
    return [name.rstrip("*") for name in re.findall(r"\{(\w+\*?)", pattern)] + [
        name for name in re.findall(r"\*(\w+)", pattern)
    ]


def test_a_write_token_reaches_no_page_outside_the_api(testapp, registry, factories, city, learner):
    """Every route that is not under /api/, by GET and POST, answers 403 with the reason (but
    the deployment's health, readiness and metrics, which identify nobody: /metrics takes a
    Bearer secret of its own, tested in test_operations.py, and the routes declared with
    ``config.add_bearer_route``, tested below)."""
    _token, secret = token_of(factories, learner, "write")
    app = testapp.for_tenant(city)
    own_bearer = registry.get(OWN_BEARER_ROUTES, set())
    routes = [
        route
        for route in registry.getUtility(IRoutesMapper).get_routes()
        if not route.name.startswith(("api.", "operations."))
        and not route.pattern.startswith("/api/")
        and route.name not in own_bearer
    ]
    assert len(routes) > 60
    for route in routes:
        path = _path(route)
        for method in ("GET", "POST"):
            send = app.get if method == "GET" else app.post
            response = send(path, headers=bearer(secret), status="*")
            assert response.status_int == 403, f"{method} {path}: {response.status}"
            if method == "GET":
                assert ONLY_API in response.text, f"{method} {path}"
    assert count(factories, ApiToken, learner) == 1


def test_an_api_token_is_nobody_on_a_route_with_a_bearer_of_its_own(
    testapp, registry, factories, city, learner
):
    """The OpenID4VCI credential endpoint takes its own access tokens: an API token sent there
    is not refused as out of scope, and it is no access token either (401, nothing issued)."""
    assert "badges.oid4vci_credential" in registry.get(OWN_BEARER_ROUTES, set())
    _token, secret = token_of(factories, learner, "write")
    response = testapp.for_tenant(city).post_json(
        "/badges/oid4vci/credential", {}, headers=bearer(secret), status=401
    )
    assert response.json["error"] == "invalid_token"


def test_a_read_token_writes_through_no_api_operation(testapp, registry, factories, city, learner):
    """Every API operation that is not GET/HEAD/OPTIONS refuses a read token before its view."""
    _token, secret = token_of(factories, learner, "read")
    app = testapp.for_tenant(city)
    writes = [
        operation
        for operation in registry["col.openapi"].operations
        if operation.method not in ("GET", "HEAD", "OPTIONS")
    ]
    assert len(writes) > 10
    for operation in writes:
        path = operation.path
        for name in _placeholders(path):
            path = path.replace("{" + name + "}", PLACEHOLDERS.get(name, "1"))
        send = getattr(app, operation.method.lower() + "_json")
        response = send(path, {}, headers=bearer(secret), status="*")
        assert response.status_int == 403, f"{operation.method} {path}: {response.status}"
        assert READ_ONLY in response.json["error"]


def test_the_api_still_works_for_tokens(testapp, factories, city, learner):
    _read, read = token_of(factories, learner, "read")
    _write, write = token_of(factories, learner, "write")
    app = testapp.for_tenant(city)
    assert app.get("/api/v1/me", headers=bearer(read)).json["id"] == learner.id
    assert app.get("/api/v1/tokens", headers=bearer(write)).json["items"]
    app.delete(f"/api/v1/tokens/{_read.id}", headers=bearer(write), status=200)
