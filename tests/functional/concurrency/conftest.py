"""Live servers on the test database and a crowd of learners to send at them."""

from __future__ import annotations

import pytest
from pyramid.csrf import get_csrf_token
from pyramid.request import Request
from pyramid.response import Response
from pyramid.scripting import prepare

from col_core.security.models import ApiToken, Consent, User
from col_core.security.policy import login
from col_core.security.services import legal_version
from col_core.security.tokens import API_TOKEN_PREFIX, digest, new_secret
from col_core.tenancy.launch import LEGAL_PAGES
from col_core.testing.servers import Client, DemoServer, Gunicorn


@pytest.fixture
def serve(registry, app_settings, tmp_path):
    """``serve("demo" | "gunicorn", **settings)``: the app on a free port of 127.0.0.1, on this
    test's (freshly reset) database; stopped after the test."""
    started = []

    def start(kind: str, **settings):
        merged = {**app_settings, **settings}
        server = DemoServer(merged) if kind == "demo" else Gunicorn(merged, tmp_path / "gunicorn")
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


@pytest.fixture
def city(factories):
    return factories.tenant("vilnius")


def host(tenant) -> str:
    return f"{tenant.slug}.example.test"


@pytest.fixture
def city_host(city) -> str:
    """The Host header of the city's site (``<slug>.<col.base_domain>`` of the test settings)."""
    return host(city)


@pytest.fixture
def crowd(factories, city, registry, consented):
    """``crowd(server, n)``: n new learners of the city (terms accepted), each a browser signed
    in to ``server`` with a session cookie and its CSRF token (``client.csrf``), made by the
    app's own sign-in code without the password hash's second per person."""

    def sign_in(user) -> Client:
        environ = Request.blank("/", base_url=f"http://{host(city)}").environ
        env = prepare(request=Request(environ), registry=registry)
        request = env["request"]
        try:
            with request.tm:
                login(request, user)
                csrf = get_csrf_token(request)
            response = Response()
            request._process_response_callbacks(response)
        finally:
            env["closer"]()
        client = Client(0, host(city), user_id=user.id)
        client.remember(response.headers.getall("Set-Cookie"))
        client.csrf = csrf
        return client

    def make(server, count: int) -> list[Client]:
        users = [
            User(
                email=f"learner{factories.next()}@example.org",
                display_name="Learner",
                email_verified_at=city.created_at,
            )
            for _ in range(count)
        ]
        factories.session.add_all(users)
        factories.session.flush()
        consented(users)
        clients = [sign_in(user) for user in users]
        for client in clients:
            client.port = server.port
        return clients

    return make


@pytest.fixture
def consented(factories, city):
    """``consented(users)``: they accepted the city's terms and privacy notice."""

    def accept(users) -> None:
        with factories.within(city):
            factories.session.add_all(
                Consent(user_id=user.id, document=page, version=legal_version(city))
                for user in users
                for page in LEGAL_PAGES
            )
            factories.session.commit()

    return accept


@pytest.fixture
def api_client(factories, city, consented):
    """``api_client(server, user)``: an API client of ``server`` with a write token of ``user``
    (who has accepted the city's terms)."""

    def make(server, user) -> Client:
        consented([user])
        secret = API_TOKEN_PREFIX + new_secret()
        factories.save(
            ApiToken(user_id=user.id, name="tests", scope="write", token_hash=digest(secret))
        )
        return Client(server.port, host(city), token=secret, user_id=user.id)

    return make


@pytest.fixture
def activity(people, city):
    """``activity(capacity)``: a published, publishable activity of a verified organisation;
    ``activity.organiser`` is an owner of that organisation."""
    organisation = people.organisation(city)
    organiser = people.member(city, organisation)

    def make(capacity: int):
        made = people.activity(
            city,
            organisation,
            capacity=capacity,
            description="<p>Come and build robots.</p>",
            contact_email="lab@example.org",
            address="Town hall",
            latitude=54.68,
            longitude=25.28,
        )
        made.organiser = organiser
        return made

    return make
