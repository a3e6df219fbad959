"""Test helpers for the badges plugin (and for plugins that award badges): a city with an
organisation, and the plugin's services run in committed transactions as the app runs them.

Use from a ``conftest.py``: ``from plugins.badges.testing import badges  # noqa: F401``.
"""

from __future__ import annotations

import functools

import pytest
import webtest
from sqlalchemy import select

from col_core.db.meta import utcnow
from col_core.organisations.models import Membership, Organisation
from col_core.scripting import scripted_request
from col_core.security.models import User
from col_core.security.passwords import hash_password
from col_core.tenancy import account_lookup, get_city_row
from col_core.testing.live import LiveServer, TlsFront
from col_core.testing.people import accept_terms
from plugins.badges.interfaces import IBadgeIssuer, IEndorsements, IIssuerKeys
from plugins.badges.models import Assertion, BadgeClass, Endorsement

PASSWORD = "correct horse battery"


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)  # once: hashing is slow on purpose


class Badges:
    """Runs the plugin's services as the app would, in a committed transaction per block."""

    def __init__(self, registry, factories, tenant):
        self.registry = registry
        self.factories = factories
        self.tenant = tenant
        with factories.within(tenant):
            self.organisation = factories.save(
                Organisation(
                    name="Bike Kitchen",
                    slug=f"bike-{factories.next()}",
                    contact_email="hello@bike.example",
                )
            )

    def request(self):
        """``with badges.request() as request:`` a request of the city that commits."""
        return scripted_request(self.registry, self.tenant)

    def badge_class(self, **fields) -> int:
        with self.request() as request:
            organisation = get_city_row(request.dbsession, Organisation, self.organisation.id)
            issuer = request.find_service(IIssuerKeys).issuer_for(organisation)
            prerequisites = [
                request.dbsession.get(BadgeClass, i) for i in fields.pop("prerequisites", ())
            ]
            values = {
                "name": "Bike repair",
                "description": "Repairs bikes",
                "criteria": "Repair three bikes",
            }
            values.update(fields)
            badge = BadgeClass(issuer=issuer, **values)
            badge.set_prerequisites(prerequisites)
            request.dbsession.add(badge)
            request.dbsession.flush()
            return badge.id

    def issue(self, class_id: int, email: str = "ana@example.org", **options) -> str:
        with self.request() as request:
            badge = request.dbsession.get(BadgeClass, class_id)
            person = options.get("user")
            if person is not None:
                # As the issuing service finds people by address: an account look-up.
                with account_lookup(request.dbsession) as session:
                    options["user"] = session.get(User, person.id)
                email = options["user"].email
            issuer = request.find_service(IBadgeIssuer)
            assertion = issuer.issue(badge, email, **options)
            return assertion.uid

    def revoke(self, uid: str, reason: str = "issued by mistake") -> None:
        with self.request() as request:
            assertion = request.dbsession.scalar(select(Assertion).where(Assertion.uid == uid))
            request.find_service(IBadgeIssuer).revoke(assertion, reason)

    def organisation_of(self, name: str) -> Organisation:
        """Another organisation of the city (one that may endorse the first one's badges)."""
        with self.factories.within(self.tenant):
            return self.factories.save(Organisation(name=name, slug=f"org-{self.factories.next()}"))

    def endorse(self, endorser_id: int | None, subject: str, comment: str = "Well run") -> int:
        """Endorse ``subject`` ("class:<id>" or "issuer:<id>") as the organisation
        ``endorser_id`` (None: the city); returns the endorsement's id."""
        kind, _sep, number = subject.partition(":")
        with self.request() as request:
            service = request.find_service(IEndorsements)
            endorser = (
                get_city_row(request.dbsession, Organisation, endorser_id) if endorser_id else None
            )
            endorsed_subject = service.subject(kind, int(number))
            endorsed = service.endorse(endorser, endorsed_subject, comment)
            return endorsed.id

    def withdraw(self, endorser_id: int | None, endorsement_id: int) -> None:
        with self.request() as request:
            endorser = (
                get_city_row(request.dbsession, Organisation, endorser_id) if endorser_id else None
            )
            request.find_service(IEndorsements).withdraw(endorser, endorsement_id)

    def endorsement(self, endorsement_id: int) -> Endorsement | None:
        session = self.factories.session
        session.expire_all()
        with self.factories.within(self.tenant):
            return session.get(Endorsement, endorsement_id)

    def issuer_id(self) -> int:
        """The id of the first organisation's issuer (created when it has none)."""
        with self.request() as request:
            organisation = get_city_row(request.dbsession, Organisation, self.organisation.id)
            return request.find_service(IIssuerKeys).issuer_for(organisation).id

    def assertion(self, uid: str) -> Assertion:
        session = self.factories.session
        session.expire_all()
        with self.factories.within(self.tenant):
            return session.scalar(select(Assertion).where(Assertion.uid == uid))

    def update(self, uid: str, **fields) -> None:
        """Change an assertion's columns directly (e.g. backdate its expiry)."""
        with self.factories.within(self.tenant):
            assertion = self.assertion(uid)
            for name, value in fields.items():
                setattr(assertion, name, value)
            self.factories.session.commit()

    def user(self, email: str = "ana@example.org", **fields) -> User:
        values = {
            "display_name": email.split("@")[0].title(),
            "password_hash": _password_hash(),
            "email_verified_at": utcnow(),
        }
        values.update(fields)
        return self.factories.save(User(email=email, **values))

    def member(self, user: User, role: str = "owner") -> Membership:
        with self.factories.within(self.tenant):
            return self.factories.save(
                Membership(organisation_id=self.organisation.id, user_id=user.id, role=role)
            )

    def organiser(self, app, email: str = "org@example.org", role: str = "owner"):
        """Sign ``app`` in as a new member of the issuing organisation; returns the user."""
        user = self.user(email)
        self.member(user, role)
        self.sign_in(app, email)
        return user

    @staticmethod
    def sign_in(app, email: str) -> None:
        page = app.get("/signin")
        forms = page.forms.values()
        form = next(form for form in forms if "password" in form.fields)
        form["email"] = email
        form["password"] = PASSWORD
        form.submit(status=303)
        accept_terms(app)


@pytest.fixture
def badges(registry, factories):
    return Badges(registry, factories, factories.tenant("vilnius"))


class LiveCity:
    """The whole app served on 127.0.0.1:<port>, badge ids on that origin (``/t/<slug>``)."""

    def __init__(self, app_settings: dict, tenant, front: TlsFront | None = None):
        # mypy cannot tell that the dotted setting name is not LiveServer's `threads`.
        overrides = {"badges.fetch_private": "true"}
        if front is not None:
            overrides["col.public_url"] = front.origin
        self.server = LiveServer(app_settings, **overrides)  # type: ignore[arg-type]
        self.front = front
        server_origin = self.server.origin
        if front is not None:
            _scheme_and_host, port = server_origin.rsplit(":", 1)
            front.serve(int(port))
        self.prefix = f"/t/{tenant.slug}"
        # Where ids point: the HTTPS front when there is one.
        public_origin = front.origin if front else server_origin
        self.origin = public_origin + self.prefix
        host = server_origin.removeprefix("http://")
        # A webtest client of the same app, for posting forms to it.
        self.app = webtest.TestApp(self.server.wsgi_app, extra_environ={"HTTP_HOST": host})

    def close(self) -> None:
        if self.front is not None:
            self.front.close()
        self.server.close()


@pytest.fixture
def live_city(app_settings, badges):
    city = LiveCity(app_settings, badges.tenant)
    yield city
    city.close()


@pytest.fixture
def live_https_city(app_settings, badges, tmp_path):
    """:func:`live_city` behind an HTTPS front (``city.front.cafile`` to trust): its public URL
    is ``https://127.0.0.1:<port>``, so issuers are did:web (``badges.did_issuers = auto``)."""
    city = LiveCity(app_settings, badges.tenant, TlsFront(tmp_path))
    yield city
    city.close()
