"""IOpenBadgesApi: the 1EdTech Open Badges 3.0 API of a city, and its OAuth 2.0 server.

The OAuth parts are authlib's (``authlib.oauth2``): the authorization code grant with PKCE
(RFC 7636, S256 only), refresh tokens, revocation (RFC 7009) and dynamic client registration
(RFC 7591).  This module supplies only what authlib leaves to its host: where clients, codes
and tokens are kept (hashed, per city) and how a Pyramid request is read and answered.  The
resource endpoints' own rules (what a credential list or a profile holds, who may add what to a
wallet) are below them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer, OAuth2Error
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    ClientMixin,
    JsonPayload,
    JsonRequest,
    OAuth2Payload,
    OAuth2Request,
    TokenMixin,
    grants,
    scope_to_list,
)
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint, InvalidRedirectURIError
from authlib.oauth2.rfc7636 import CodeChallenge
from pyramid.response import Response
from sqlalchemy import func, select, update
from zope.interface import implementer

from col_core.db.meta import utcnow
from col_core.security.models import User
from col_core.security.tokens import digest
from col_core.tenancy import account_lookup
from col_core.tenancy.scoping import bind_person, cross_tenant
from plugins.badges.interfaces import IIssuerKeys, IOpenBadgesApi
from plugins.badges.models import ImportedBadge, ObApiClient, ObApiCode, ObApiToken
from plugins.badges.services import IssueError, _

SCOPE_BASE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READ = SCOPE_BASE + "credential.readonly"
CREDENTIAL_UPSERT = SCOPE_BASE + "credential.upsert"
PROFILE_READ = SCOPE_BASE + "profile.readonly"
PROFILE_UPDATE = SCOPE_BASE + "profile.update"
SCOPES = (CREDENTIAL_READ, CREDENTIAL_UPSERT, PROFILE_READ, PROFILE_UPDATE)

CODE_LIFETIME = dt.timedelta(minutes=5)
ACCESS_LIFETIME = dt.timedelta(hours=1)
REFRESH_LIFETIME = dt.timedelta(days=180)
LOOPBACK = ("127.0.0.1", "::1", "localhost")
COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
MAX_LIST = 100


class ApiRefusal(Exception):
    """A resource request refused: ``status`` and the Imsx_StatusInfo ``minor`` code."""

    def __init__(self, status: int, minor: str, description: str):
        super().__init__(description)
        self.status, self.minor, self.description = status, minor, description


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite gives naive datetimes back; every stored time is UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def redirect_uri_allowed(uri: str) -> bool:
    """https anywhere; plain http only back to the person's own machine (RFC 8252 7.3)."""
    if len(uri) > 500 or any(ch in uri for ch in "#\\ "):
        return False
    try:
        parts = urlsplit(uri)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme == "https":
        return bool(host)
    return parts.scheme == "http" and host in LOOPBACK


class _Client(ClientMixin):
    def __init__(self, row: ObApiClient):
        self.row = row

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        # Only when exactly one is registered: otherwise the request must name one.
        uris = self.row.redirect_uris
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope):
        if not scope:
            return None
        allowed = set(scope_to_list(self.row.scope))
        granted = [s for s in scope_to_list(scope) if s in allowed]
        return " ".join(granted) or None

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.row.redirect_uris  # exactly, never a prefix

    def check_client_secret(self, client_secret):
        import hmac

        return hmac.compare_digest(digest(client_secret), self.row.secret_hash)

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "client_secret_basic"

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in ("authorization_code", "refresh_token")


class _Code(AuthorizationCodeMixin):
    def __init__(self, row: ObApiCode):
        self.row = row

    def get_redirect_uri(self):
        return self.row.redirect_uri

    def get_scope(self):
        return self.row.scope


class _Token(TokenMixin):
    def __init__(self, row: ObApiToken):
        self.row = row

    def check_client(self, client):
        return client.get_client_id() == self.row.client_id

    def get_scope(self):
        return self.row.scope

    def get_expires_in(self):
        return int(ACCESS_LIFETIME.total_seconds())

    def is_expired(self):
        return _aware(self.row.expires_at) <= utcnow()

    def is_revoked(self):
        return self.row.revoked_at is not None


def _grouped(request) -> dict[str, list]:
    """Every value of each query and form parameter, in order."""
    grouped: dict[str, list] = {}
    pairs = list(request.GET.items()) + list(request.POST.items())
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


class _Payload(OAuth2Payload):
    def __init__(self, request):
        self._datalist = _grouped(request)
        # A repeated parameter is one value for authlib's checks that look at ``data`` (those
        # that look at ``datalist`` refuse it).
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self):
        return self._data

    @property
    def datalist(self):
        return self._datalist


class _Request(OAuth2Request):
    def __init__(self, request):
        # TLS ends at the deployment's proxy in front of the app (docs/deployment.md), so the
        # app is reached over plain HTTP; the transport authlib checks is that HTTPS.
        uri = "https://" + request.host + request.path_qs
        super().__init__(request.method, uri, headers=request.headers)
        self.payload = _Payload(request)
        self._pyramid = request

    @property
    def args(self):
        return self._pyramid.GET

    @property
    def form(self):
        return self._pyramid.POST


class _JsonPayload(JsonPayload):
    def __init__(self, request):
        try:
            data = json.loads(request.body or b"null")
        except ValueError:
            data = None
        self._data = data if isinstance(data, dict) else {}

    @property
    def data(self):
        return self._data


class _JsonRequest(JsonRequest):
    def __init__(self, request):
        super().__init__(request.method, request.url, request.headers)
        self.payload = _JsonPayload(request)


class _S256Only(CodeChallenge):
    """PKCE for every client, confidential ones too, and S256 only (never "plain")."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send 'code_challenge' (S256).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Only 'code_challenge_method=S256' is supported.")
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code):
        return authorization_code.row.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code):
        return authorization_code.row.code_challenge_method


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]

    def save_authorization_code(self, code, request):
        data = request.payload.data
        self.server.session.add(
            ObApiCode(
                code_hash=digest(code),
                client_id=request.client.get_client_id(),
                user_id=request.user.id,
                redirect_uri=request.payload.redirect_uri or request.client.row.redirect_uris[0],
                scope=request.scope,
                code_challenge=data["code_challenge"],
                code_challenge_method=data.get("code_challenge_method", "S256"),
                expires_at=utcnow() + CODE_LIFETIME,
            )
        )
        self.server.session.flush()

    def query_authorization_code(self, code, client):
        """Spend the code as it is read: one conditional UPDATE, so of two requests racing
        with the same code only one gets a row back (and a failed exchange spends it too)."""
        session, now = self.server.session, utcnow()
        condition = (
            ObApiCode.tenant_id == self.server.tenant_id,
            ObApiCode.code_hash == digest(code),
            ObApiCode.client_id == client.get_client_id(),
            ObApiCode.used_at.is_(None),
            ObApiCode.expires_at > now,
        )
        spent = session.execute(
            update(ObApiCode).where(*condition).values(used_at=now),
            execution_options={"synchronize_session": False},
        )
        if spent.rowcount != 1:
            return None
        row = session.scalar(
            select(ObApiCode).where(
                ObApiCode.tenant_id == self.server.tenant_id, ObApiCode.code_hash == digest(code)
            )
        )
        return _Code(row) if row is not None else None

    def delete_authorization_code(self, authorization_code):
        """Nothing left to do: the code was spent when it was read."""

    def authenticate_user(self, authorization_code):
        return self.server.user(authorization_code.row.user_id)


class _RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic"]
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotated: a refresh token is used once

    def authenticate_refresh_token(self, refresh_token):
        row = self.server.session.scalar(
            select(ObApiToken).where(ObApiToken.refresh_hash == digest(refresh_token))
        )
        if row is None or row.revoked_at is not None:
            return None
        if _aware(row.refresh_expires_at) <= utcnow():
            return None
        return _Token(row)

    def authenticate_user(self, refresh_token):
        return self.server.user(refresh_token.row.user_id)

    def revoke_old_credential(self, refresh_token):
        refresh_token.row.revoked_at = utcnow()


class _Revocation(RevocationEndpoint):
    def query_token(self, token_string, token_type_hint):
        session, hashed = self.server.session, digest(token_string)
        row = session.scalar(
            select(ObApiToken).where(
                (ObApiToken.access_hash == hashed) | (ObApiToken.refresh_hash == hashed)
            )
        )
        return _Token(row) if row is not None else None

    def revoke_token(self, token, request):
        token.row.revoked_at = token.row.revoked_at or utcnow()


class _Registration(ClientRegistrationEndpoint):
    def authenticate_token(self, request):
        return True  # open registration (RFC 7591 3): what a client may do needs a learner

    def get_server_metadata(self):
        return {
            "scopes_supported": list(SCOPES),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def save_client(self, client_info, client_metadata, request):
        uris = client_metadata.get("redirect_uris") or []
        if not uris or not all(isinstance(u, str) and redirect_uri_allowed(u) for u in uris):
            raise InvalidRedirectURIError(
                "Register https redirect URIs (plain http only on 127.0.0.1, [::1] or localhost)."
            )
        if not client_metadata.get("client_name"):
            raise InvalidRequestError("Name the application in 'client_name'.")
        if not client_metadata.get("scope"):
            raise InvalidRequestError("Ask for at least one scope in 'scope'.")
        method = client_metadata.get("token_endpoint_auth_method", "client_secret_basic")
        if method != "client_secret_basic":
            raise InvalidRequestError("Only 'client_secret_basic' is supported.")
        stored = {
            k: v for k, v in {**client_metadata, **client_info}.items() if k != "client_secret"
        }
        row = ObApiClient(
            client_id=client_info["client_id"],
            secret_hash=digest(client_info["client_secret"]),
            name=str(client_metadata["client_name"])[:200],
            uri=str(client_metadata.get("client_uri", ""))[:500],
            redirect_uris=list(uris),
            scope=client_metadata["scope"],
            metadata_=stored,
        )
        self.server.session.add(row)
        self.server.session.flush()
        return _Client(row)


class OAuthServer(AuthorizationServer):
    """authlib's authorization server on one Pyramid request of one city."""

    def __init__(self, request):
        super().__init__(scopes_supported=list(SCOPES))
        self.request = request
        self.session = request.dbsession
        self.tenant_id = request.tenant.id
        self.register_token_generator("default", self._bearer_token)
        self.register_grant(_CodeGrant, [_S256Only(required=True)])
        self.register_grant(_RefreshGrant)
        self.register_endpoint(_Revocation)
        self.register_endpoint(_Registration(self))

    @staticmethod
    def _bearer_token(grant_type, client, user=None, scope=None, expires_in=None, **options):
        token = {
            "token_type": "Bearer",
            "access_token": generate_token(48),
            "expires_in": int(ACCESS_LIFETIME.total_seconds()),
            "scope": scope,
        }
        if options.get("include_refresh_token", True):
            token["refresh_token"] = generate_token(48)
        return token

    def user(self, user_id: int) -> User | None:
        return active_user(self.session, user_id)

    def query_client(self, client_id):
        row = self.session.scalar(select(ObApiClient).where(ObApiClient.client_id == client_id))
        return _Client(row) if row is not None else None

    def save_token(self, token, request):
        now = utcnow()
        self.session.add(
            ObApiToken(
                access_hash=digest(token["access_token"]),
                refresh_hash=digest(token["refresh_token"]),
                client_id=request.client.get_client_id(),
                user_id=request.user.id,
                scope=token.get("scope") or "",
                issued_at=now,
                expires_at=now + ACCESS_LIFETIME,
                refresh_expires_at=now + REFRESH_LIFETIME,
            )
        )
        self.session.flush()

    def create_oauth2_request(self, request):
        return request if isinstance(request, OAuth2Request) else _Request(request)

    def create_json_request(self, request):
        return _JsonRequest(request)

    def handle_response(self, status, body, headers):
        response = Response(status=status)
        for name, value in headers:
            response.headers[name] = value
        if isinstance(body, dict):
            response.json_body = body
        else:
            response.text = body or ""
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def send_signal(self, name, *args, **kwargs):
        """No listeners: authlib's signals are for frameworks that have them."""


def active_user(session, user_id: int) -> User | None:
    # Accounts are read through the reviewed look-up: no person is bound to a token request.
    with account_lookup(session) as lookup:
        user = lookup.get(User, user_id)
    return user if user is not None and user.is_active else None


def _credential_id(data: str) -> str | None:
    """The ``id`` of an OB 3.0 credential given as JSON or a VC-JWT (unverified: for finding
    the wallet entry it replaces, after it has been verified)."""
    import base64

    text = data.strip()
    if COMPACT_JWS.match(text):
        middle = text.split(".")[1]
        try:
            claims = json.loads(base64.urlsafe_b64decode(middle + "=" * (-len(middle) % 4)))
        except ValueError:
            return None
        credential = claims.get("vc", claims) if isinstance(claims, dict) else {}
        found = credential.get("id") if isinstance(credential, dict) else None
        return found or (claims.get("jti") if isinstance(claims, dict) else None)
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc.get("id") if isinstance(doc, dict) else None


@implementer(IOpenBadgesApi)
class OpenBadgesApi:
    def __init__(self, request):
        self.request = request
        self.session = request.dbsession

    def oauth(self) -> OAuthServer:
        return OAuthServer(self.request)

    def consent_grant(self, user):
        return self.oauth().get_consent_grant(self.request, end_user=user)

    def authenticate(self, scope: str) -> tuple[ObApiToken, User]:
        authorization = self.request.authorization
        if not authorization or authorization.authtype.lower() != "bearer":
            raise ApiRefusal(401, "unauthorizedrequest", "Send an access token (Bearer).")
        secret = str(authorization.params or "")
        row = self.session.scalar(
            select(ObApiToken).where(ObApiToken.access_hash == digest(secret))
        )
        if row is None or row.revoked_at is not None or _aware(row.expires_at) <= utcnow():
            raise ApiRefusal(401, "unauthorizedrequest", "The access token is invalid or expired.")
        user = active_user(self.session, row.user_id)
        if user is None:
            raise ApiRefusal(401, "unauthorizedrequest", "The access token is invalid or expired.")
        if scope not in scope_to_list(row.scope):
            raise ApiRefusal(403, "forbidden", f"The access token lacks the scope {scope}.")
        # From here on the request is the learner's: their own rows (imports) are visible to it.
        bind_person(self.session, user.id)
        return row, user

    def credentials(self, user, since: dt.datetime | None) -> list[tuple[dict | str, dt.datetime]]:
        """Each valid credential of ``user``'s wallet: those awarded in any city (signed JSON),
        and OB 3.0 ones added from elsewhere (as they came), newest first."""
        from plugins.badges.documents import Documents
        from plugins.badges.views.wallet import own_assertions

        keyring = self.request.find_service(IIssuerKeys)
        found: list[tuple[dict | str, dt.datetime]] = []
        own: set[str] = set()
        with cross_tenant(self.session):
            for assertion, urls in own_assertions(self.request, user):
                if assertion.is_revoked or assertion.is_expired:
                    continue
                own.add(urls.credential(assertion.uid))
                issued = _aware(assertion.issued_on)
                if since is None or issued > since:
                    credential = Documents(urls, keyring, self.session).signed_credential(assertion)
                    found.append((credential, issued))
        # A badge of this platform added again through the API is listed once.
        for imported in self._imports(user):
            added = _aware(imported.verified_at)
            if _credential_id(imported.data) in own:
                continue
            if since is None or added > since:
                found.append((self._stored(imported), added))
        return sorted(found, key=lambda item: item[1], reverse=True)

    def _imports(self, user) -> Iterable[ImportedBadge]:
        return self.session.scalars(
            select(ImportedBadge)
            .where(
                ImportedBadge.user_id == user.id,
                ImportedBadge.format.in_(("ob3-di", "ob3-jwt")),
                ImportedBadge.status == "valid",
            )
            .order_by(ImportedBadge.id)
        )

    @staticmethod
    def _stored(imported: ImportedBadge) -> dict | str:
        return imported.data if imported.format == "ob3-jwt" else json.loads(imported.data)

    def upsert(self, user, data: str) -> tuple[bool, dict | str]:
        from plugins.badges import verification

        text = data.strip()
        if not (COMPACT_JWS.match(text) or text.startswith("{")):
            raise IssueError(_("Send an OpenBadgeCredential as JSON or as a compact VC-JWT."))
        credential_id = _credential_id(text)
        earlier = [
            row
            for row in self.session.scalars(
                select(ImportedBadge).where(ImportedBadge.user_id == user.id)
            )
            if credential_id and _credential_id(row.data) == credential_id
        ]
        # Verified once, by the wallet's import; what is not OB 3.0 is undone with its savepoint.
        with self.session.begin_nested():
            badge = verification.import_badge(self.request, user, text)
            if badge.format not in ("ob3-di", "ob3-jwt"):
                raise IssueError(_("Only Open Badges 3.0 credentials can be added here."))
        replaced = [row for row in earlier if row.id != badge.id]
        for row in replaced:
            self.session.delete(row)
        self.session.flush()
        return bool(earlier), self._stored(badge)

    def profile(self, user) -> dict:
        return {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            "id": f"urn:uuid:{_person_uuid(self.request, user)}",
            "type": ["Profile"],
            "name": user.display_name,
            "email": user.email,
        }

    def update_profile(self, user, doc: dict) -> dict:
        name = doc.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
            raise IssueError(_("Give the profile a 'name' of 1 to 100 characters."))
        with account_lookup(self.session) as session:
            row = session.get(User, user.id)
            if row is not None:
                row.display_name = name.strip()
                session.flush()
        user.display_name = name.strip()
        return self.profile(user)

    def connected_apps(self, user) -> list[dict]:
        now = utcnow()
        rows = self.session.execute(
            select(ObApiClient, func.max(ObApiToken.issued_at))
            .join(
                ObApiToken,
                (ObApiToken.tenant_id == ObApiClient.tenant_id)
                & (ObApiToken.client_id == ObApiClient.client_id),
            )
            .where(
                ObApiToken.user_id == user.id,
                ObApiToken.revoked_at.is_(None),
                ObApiToken.refresh_expires_at > now,
            )
            .group_by(ObApiClient.tenant_id, ObApiClient.client_id)
            .order_by(ObApiClient.name)
        ).all()
        apps = []
        for client, last in rows:
            scopes = set()
            for token in self.session.scalars(
                select(ObApiToken.scope).where(
                    ObApiToken.user_id == user.id,
                    ObApiToken.client_id == client.client_id,
                    ObApiToken.revoked_at.is_(None),
                )
            ):
                scopes.update(scope_to_list(token))
            apps.append({"client": client, "since": last, "scopes": sorted(scopes)})
        return apps

    def disconnect(self, user, client_id: str) -> int:
        """Revoke every token the person granted ``client_id`` here; how many were live."""
        done = self.session.execute(
            update(ObApiToken)
            .where(
                ObApiToken.tenant_id == self.request.tenant.id,
                ObApiToken.user_id == user.id,
                ObApiToken.client_id == client_id,
                ObApiToken.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
        return int(done.rowcount or 0)


def _person_uuid(request, user) -> str:
    """A stable identifier of the person for API clients that names no address or number."""
    import uuid

    from col_core.security.tokens import keyed_digest

    key = request.registry.settings["col.secret"]
    return str(uuid.UUID(keyed_digest(key, f"ob-profile:{user.id}")[:32]))


def ob_api_factory(context, request) -> OpenBadgesApi:
    return OpenBadgesApi(request)


__all__ = ["SCOPES", "ApiRefusal", "OAuth2Error", "OpenBadgesApi", "ob_api_factory"]
