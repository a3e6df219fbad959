"""The default :class:`IAccountService`."""

from __future__ import annotations

import datetime as dt

from pyramid.i18n import TranslationString, make_localizer
from pyramid.interfaces import ITranslationDirectories
from sqlalchemy import delete, func, or_, select
from zope.interface import implementer

from col_core.db.meta import utcnow
from col_core.i18n import _
from col_core.mail import queue_mail
from col_core.security.interfaces import IAccountService
from col_core.security.models import ApiToken, Consent, User, UserSession, UserToken
from col_core.security.passwords import hash_password, verify_password
from col_core.security.tokens import digest, new_secret
from col_core.storage import IFileStorage
from col_core.tenancy.launch import LEGAL_PAGES
from col_core.tenancy.scoping import account_lookup, cross_tenant

TOKEN_LIFETIMES = {
    "verify": dt.timedelta(days=2),
    "reset": dt.timedelta(hours=1),
    "email": dt.timedelta(days=1),
    "guardian": dt.timedelta(days=14),
}
TOKEN_ROUTES = {
    "verify": "verify_email",
    "reset": "reset_password",
    "email": "confirm_email",
    "guardian": "guardian_consent",
}


def age_thresholds(tenant) -> tuple[int, int]:
    """(minimum age, age of digital consent) for the tenant; GDPR Art. 8 lets each country choose
    13 to 16, so both come from the city's settings."""
    return (
        int(tenant.setting("minimum_age", 13) or 0),
        int(tenant.setting("digital_consent_age", 16) or 0),
    )


def legal_version(tenant) -> str:
    """The version of the tenant's terms and privacy notice (setting ``legal_version``); a city
    raises it when the texts change, and everyone is asked to accept them again."""
    return str(tenant.setting("legal_version", "") or "")[:40]


def find_by_email(session, email: str) -> User | None:
    """The account with this address, whichever city it belongs to (a reviewed account
    look-up: row-level security lets it see every account)."""
    with account_lookup(session):
        return session.scalar(select(User).where(func.lower(User.email) == email.lower()))


@implementer(IAccountService)
class AccountService:
    def __init__(self, context, request):  # pyramid_services factory signature
        self.request = request
        self.session = request.dbsession

    # -- email --------------------------------------------------------------------------------

    def _localizer(self, locale: str | None):
        dirs = self.request.registry.queryUtility(ITranslationDirectories) or []
        return make_localizer(locale or self.request.locale_name, dirs)

    def send(self, user_or_address, subject, body, locale=None) -> None:
        if isinstance(user_or_address, User):
            address = user_or_address.email
            locale = locale or user_or_address.preferred_locale
        else:
            address = user_or_address
        localizer = self._localizer(locale)

        def translate(text):
            if isinstance(text, TranslationString):
                return localizer.translate(text)
            return text

        queue_mail(self.request, address, translate(subject), translate(body))

    def _link(self, purpose: str, secret: str) -> str:
        return self.request.route_url(TOKEN_ROUTES[purpose], token=secret)

    # -- tokens -------------------------------------------------------------------------------

    def issue_token(self, user, purpose, data=None) -> str:
        secret = new_secret()
        with account_lookup(self.session):  # for someone not signed in: sign-up, reset
            self.session.add(
                UserToken(
                    user=user,
                    purpose=purpose,
                    token_hash=digest(secret),
                    data=data or {},
                    expires_at=utcnow() + TOKEN_LIFETIMES[purpose],
                )
            )
            self.session.flush()
        return secret

    def consume_token(self, purpose, secret):
        with account_lookup(self.session):  # marked used now, while the token is visible
            token = self.peek_token(purpose, secret)
            if token is not None:
                token.used_at = utcnow()
        return token

    def peek_token(self, purpose, secret) -> UserToken | None:
        with account_lookup(self.session):
            token = self.session.scalar(
                select(UserToken).where(
                    UserToken.token_hash == digest(secret or ""),
                    UserToken.purpose == purpose,
                    UserToken.used_at.is_(None),
                )
            )
            if token is None or _aware(token.expires_at) < utcnow():
                return None
            token.user  # noqa: B018 - loaded now, while every account is visible
        return token

    # -- registration -------------------------------------------------------------------------

    def register(self, values):
        with account_lookup(self.session):
            return self._register(values)

    def _register(self, values):
        tenant = self.request.tenant
        existing = find_by_email(self.session, values["email"])
        if existing is not None:
            self.send(
                existing,
                _("Someone tried to sign up with your address"),
                _(
                    "Someone (maybe you) tried to create an account with this email address, which "
                    "already has one. To get in, sign in or reset your password: ${url}",
                    mapping={"url": self.request.route_url("forgot_password")},
                ),
            )
            return None
        user = User(
            email=values["email"],
            display_name=values["display_name"],
            password_hash=hash_password(values["password"]),
            birth_date=values.get("birth_date"),
            preferred_locale=self.request.locale_name,
            home_tenant_id=None if tenant.is_global else tenant.id,
            guardian_email=values.get("guardian_email") or None,
        )
        self.session.add(user)
        self.session.flush()
        self.record_consents(user)
        self.send_verification(user)
        if user.guardian_email:
            self.send_guardian_request(user)
        return user

    def send_verification(self, user) -> None:
        link = self._link("verify", self.issue_token(user, "verify"))
        self.send(
            user,
            _("Confirm your email address"),
            _(
                "Welcome, ${name}! Confirm your email address to finish creating your account: "
                "${url}\n\nThe link works for 48 hours. If you did not sign up, ignore this email.",
                mapping={"name": user.display_name, "url": link},
            ),
        )

    def send_guardian_request(self, user) -> None:
        link = self._link("guardian", self.issue_token(user, "guardian"))
        self.send(
            user.guardian_email,
            _("Your consent is needed for ${name}", mapping={"name": user.display_name}),
            _(
                "${name} would like to use ${city}, a platform for learning activities and badges. "
                "Because of their age, they need your consent as their parent or guardian. "
                "Read what we store and give consent here: ${url}",
                mapping={"name": user.display_name, "city": self.request.tenant.name, "url": link},
            ),
            locale=user.preferred_locale,
        )

    def needs_guardian(self, birth_date: dt.date | None) -> tuple[bool, bool]:
        """(too young to register at all, needs a guardian's consent)."""
        minimum, consent_age = age_thresholds(self.request.tenant)
        if birth_date is None:
            return False, False
        probe = User(birth_date=birth_date)
        age = probe.age_on(dt.date.today())
        assert age is not None  # the birth date is known
        return age < minimum, age < consent_age

    # -- consent to a city's terms and privacy notice ------------------------------------------

    def missing_consents(self, user) -> list[str]:
        version = legal_version(self.request.tenant)
        accepted = set(
            self.session.scalars(
                select(Consent.document).where(
                    Consent.user_id == user.id, Consent.version == version
                )
            )
        )
        return [document for document in LEGAL_PAGES if document not in accepted]

    def record_consents(self, user) -> None:
        version = legal_version(self.request.tenant)
        for document in LEGAL_PAGES:
            self.session.add(Consent(user_id=user.id, document=document, version=version))
        self.session.flush()

    # -- sign-in and passwords ----------------------------------------------------------------

    def authenticate(self, email, password):
        user = find_by_email(self.session, email)
        valid = verify_password(user.password_hash if user else None, password)
        return user if valid and user.deleted_at is None else None

    def request_reset(self, email) -> None:
        user = find_by_email(self.session, email)
        if user is None or user.deleted_at is not None:
            return
        link = self._link("reset", self.issue_token(user, "reset"))
        self.send(
            user,
            _("Reset your password"),
            _(
                "Someone (maybe you) asked to reset the password of your account. Choose a new "
                "password here within one hour: ${url}\n\nIf it was not you, ignore this email; "
                "your password stays the same.",
                mapping={"url": link},
            ),
        )

    def set_password(self, user, password) -> None:
        user.password_hash = hash_password(password)
        # Outstanding reset links and every signed-in browser die with the old password (the
        # person is not signed in when they reset it: an account look-up).
        with account_lookup(self.session):
            self.session.execute(
                delete(UserToken).where(
                    UserToken.user_id == user.id,
                    UserToken.purpose == "reset",
                    UserToken.used_at.is_(None),
                )
            )
            self.session.execute(delete(UserSession).where(UserSession.user_id == user.id))

    def request_email_change(self, user, new_email) -> None:
        if find_by_email(self.session, new_email) is not None:
            return  # same outcome as a free address, so nobody learns who has an account
        link = self._link("email", self.issue_token(user, "email", {"email": new_email}))
        self.send(
            new_email,
            _("Confirm your new email address"),
            _(
                "Confirm that this is your new email address for your account: ${url}",
                mapping={"url": link},
            ),
            locale=user.preferred_locale,
        )
        self.send(
            user,
            _("Your email address is changing"),
            _(
                "Someone asked to change your account's email address to ${email}. It changes "
                "only when the link sent there is used. If it was not you, change your password.",
                mapping={"email": new_email},
            ),
        )

    def confirm_email_change(self, token) -> bool:
        new_email = token.data.get("email", "")
        if not new_email or find_by_email(self.session, new_email) is not None:
            return False
        token.user.email = new_email
        token.user.email_verified_at = utcnow()
        return True

    # -- erasure ------------------------------------------------------------------------------

    def erase(self, user) -> None:
        storage = self.request.find_service(IFileStorage)
        picture = user.picture
        user.email = f"deleted-{user.id}@invalid"
        user.display_name = ""
        user.picture = None
        user.password_hash = None
        user.birth_date = None
        user.preferred_locale = None
        user.home_tenant_id = None
        user.guardian_email = None
        user.deleted_at = utcnow()
        with account_lookup(self.session):
            for model in (UserToken, ApiToken, UserSession):
                self.session.execute(delete(model).where(model.user_id == user.id))
            self.session.flush()
        # Private files (evidence, documents) and pictures go, with their bytes once nothing
        # else references them; what the person made for an organisation stays with it.
        from col_core.files.interfaces import IStoredFiles

        self.request.find_service(IStoredFiles).erase_owner(user)
        if picture and not _file_in_use(self.session, picture):
            # Only once the erasure is committed: a rolled-back request keeps its picture.
            self.request.tm.get().addAfterCommitHook(lambda ok: ok and storage.delete(picture))


def _aware(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _file_in_use(session, key: str) -> bool:
    """Files are content-addressed and shared: only delete one nobody else shows."""
    from col_core.organisations.models import Organisation

    with cross_tenant(session):
        return session.scalar(
            select(func.count()).select_from(User).where(User.picture == key)
        ) or session.scalar(
            select(func.count())
            .select_from(Organisation)
            .where(or_(Organisation.logo == key, Organisation.verification_document == key))
        )
