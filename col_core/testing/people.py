"""People, organisations and signed-in clients for tests, made as real rows.

The ``people`` fixture gives one of these, the one helper for people in every test suite.
Every account it makes signs in with ``PASSWORD`` through the real pages.
"""

from __future__ import annotations

import functools

from col_core.activities.models import Activity, Participation
from col_core.db.meta import utcnow
from col_core.organisations.models import Membership, Organisation
from col_core.security.models import ApiToken, CityAdmin, Consent, User, UserSession
from col_core.security.passwords import hash_password
from col_core.security.services import legal_version
from col_core.security.tokens import API_TOKEN_PREFIX, digest, new_secret
from col_core.tenancy.launch import LEGAL_PAGES

PASSWORD = "correct horse battery"


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # once: hashing is slow on purpose


def accept_terms(app, prefix: str = "") -> None:
    """Accept the terms of the city ``app`` browses through its real consent page (a no-op when
    already accepted): sign-in helpers call it, since people who act in a city have accepted its
    terms and privacy notice.  ``prefix`` is the city's path prefix (``/t/<slug>``) if any."""
    page = app.get(f"{prefix}/consent")
    if page.status_int != 200:
        return
    form = next(f for f in page.forms.values() if "accept_terms" in f.fields)
    form["accept_terms"] = form["accept_privacy"] = True
    form.submit(status=303)


class People:
    def __init__(self, factories, testapp):
        self.factories = factories
        self.testapp = testapp

    def user(self, name: str = "learner", verified: bool = True, **fields) -> User:
        """A new account: ``name`` is the address when it has an ``@``, else the start of a
        new one; its address is confirmed unless ``verified`` is False."""
        number = self.factories.next()
        email = name if "@" in name else f"{name}{number}@example.org"
        local = email.split("@")[0]
        values = {
            "email": email,
            "display_name": local.title() if "@" in name else f"{name.title()} {number}",
            "password_hash": password_hash(),
            "email_verified_at": utcnow() if verified else None,
        }
        values.update(fields)
        return self.factories.save(User(**values))

    def organisation(
        self,
        tenant,
        name: str = "Science Club",
        owner: User | None = None,
        role: str = "owner",
        **fields,
    ) -> Organisation:
        """A verified organisation (``verified_at=None`` for one waiting), with ``owner`` as
        a member in ``role`` if given."""
        organisation = self.factories.organisation(tenant, name, **fields)
        if owner is not None:
            self.membership(tenant, organisation, owner, role)
        return organisation

    def membership(self, tenant, organisation, user: User, role: str = "member") -> Membership:
        with self.factories.within(tenant):
            return self.factories.save(
                Membership(organisation_id=organisation.id, user_id=user.id, role=role)
            )

    def member(self, tenant, organisation, user: User | None = None, role: str = "owner") -> User:
        """``user`` (a new organiser if None) joins ``organisation`` with ``role``."""
        user = user or self.user("organiser")
        self.membership(tenant, organisation, user, role)
        return user

    def organiser(self, tenant, organisation, role: str = "owner") -> User:
        return self.member(tenant, organisation, role=role)

    def city_admin(self, tenant, user: User | None = None) -> User:
        """``user`` (a new one if None) administers ``tenant``'s site."""
        user = user or self.user("admin")
        with self.factories.within(tenant):
            self.factories.save(CityAdmin(user_id=user.id))
        return user

    def activity(self, tenant, organisation, title: str = "Open lab", **fields) -> Activity:
        """A published activity (always open unless ``fields`` give dates)."""
        return self.factories.activity(tenant, organisation, title, **fields)

    def joined(self, tenant, activity, user, **fields) -> Participation:
        return self.factories.participation(tenant, activity, user, **fields)

    def consented(self, tenant, user: User) -> User:
        """``user`` has accepted ``tenant``'s terms and privacy notice (at its current version)."""
        with self.factories.within(tenant):
            self.factories.save(
                *(
                    Consent(user_id=user.id, document=page, version=legal_version(tenant))
                    for page in LEGAL_PAGES
                )
            )
        return user

    def client(self, tenant, user: User | None = None, consent: bool = True):
        """A webtest client for the city, signed in as ``user`` with a browser session (having
        accepted the city's terms, unless ``consent`` is False).  Every request carries the
        session's CSRF token as ``X-CSRF-Token``, so tests post forms and JSON as a page's own
        script would.  ``client.session_cookie`` is ``(name, value)`` for browsers."""
        app = self.testapp.for_tenant(tenant)
        if user is not None:
            if consent:
                self.consented(tenant, user)
            name, value, csrf = self.session_cookie(user)
            app.set_cookie(name, value)
            app.extra_environ["HTTP_X_CSRF_TOKEN"] = csrf
            app.session_cookie = (name, value)
        return app

    def token(self, user: User, scope: str = "write") -> str:
        """A new API token of ``user`` (for ``Authorization: Bearer``, on the API only)."""
        secret = API_TOKEN_PREFIX + new_secret()
        self.factories.save(
            ApiToken(user_id=user.id, name="tests", scope=scope, token_hash=digest(secret))
        )
        return secret

    def session_cookie(self, user: User) -> tuple[str, str, str]:
        """A signed-in session of ``user`` as the app itself makes one (a ``user_sessions`` row
        and the signed cookie naming it): ``(cookie name, cookie value, CSRF token)``."""
        from pyramid.interfaces import ISessionFactory
        from pyramid.request import Request
        from pyramid.response import Response

        secret = new_secret()
        self.factories.save(
            UserSession(
                user_id=user.id,
                session_hash=digest(secret),
                last_seen_at=utcnow(),
                user_agent="tests",
            )
        )
        request = Request.blank("/")
        request.registry = self.factories.registry
        session = request.registry.getUtility(ISessionFactory)(request)
        csrf = new_secret()
        session.update({"sid": secret, "_csrft_": csrf})
        response = Response()
        request._process_response_callbacks(response)
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        name, _, value = cookie.partition("=")
        return name, value, csrf
