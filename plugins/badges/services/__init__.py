"""IBadgeIssuer: award, bulk-award and revoke badges; default badges of activities."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from pyramid.i18n import TranslationString, TranslationStringFactory, make_localizer
from pyramid.interfaces import ITranslationDirectories
from sqlalchemy import func, select
from zope.interface import implementer

from col_core.db.locks import serialise
from col_core.db.meta import utcnow
from col_core.mail import queue_mail
from col_core.notifications import INotifications
from col_core.security.models import User
from col_core.tenancy import account_lookup
from plugins.badges import webhooks
from plugins.badges.artwork import CATEGORY
from plugins.badges.interfaces import IBadgeIssuer, IIssuerKeys, IWalletOffers
from plugins.badges.models import Assertion, BadgeClass, BadgePrerequisite, HeldAward
from plugins.badges.ob import ob2
from plugins.badges.urls import urls_for

_ = TranslationStringFactory("col_badges")


class IssueError(ValueError):
    """A badge cannot be awarded; the message (a TranslationString) says why."""


def verified_emails(user) -> list[str]:
    """The addresses ``user`` has proved to control, normalised as recipients are: the
    account's own address once confirmed (an address change waiting for its link is not)."""
    if user is None or user.email_verified_at is None or user.deleted_at is not None:
        return []
    return [ob2.normalise_email(user.email)]


def mail_address(request, email: str, subject, lines, localizer=None) -> None:
    """E-mail an address that has no account (through the ``mail`` job queue) with
    ``localizer`` or else in the city's language; TranslationStrings among ``lines`` are
    translated."""
    if localizer is None:
        locale = request.tenant.default_locale or "en"
        directories = request.registry.queryUtility(ITranslationDirectories, default=[])
        localizer = make_localizer(locale, directories)
    texts = [
        localizer.translate(line) if isinstance(line, TranslationString) else line for line in lines
    ]
    queue_mail(request, email, localizer.translate(subject), "\n".join(texts))


def valid_email(email: str) -> bool:
    local, _sep, domain = email.partition("@")
    return bool(local) and "." in domain and " " not in email and len(email) <= 254


@implementer(IBadgeIssuer)
class BadgeIssuer:
    def __init__(self, request):
        self.request = request
        self.dbsession = request.dbsession
        self._next_index: dict[int, int] = {}
        self._localizers: dict[str, object] = {}

    # -- awarding ------------------------------------------------------------------------

    def issue(
        self, badge_class, email, *, user=None, evidence=(), source="direct", notify=True
    ) -> Assertion:
        issued, errors = self._award(
            badge_class,
            [{"email": email or (user and user.email), "evidence": evidence, "user": user}],
            source,
            notify,
        )
        if errors:
            raise IssueError(errors[1])
        return issued[0]

    def issue_many(self, badge_class, rows, *, source="csv"):
        return self._award(badge_class, rows, source, notify=True)

    def _award(self, badge_class, rows, source, notify):
        """Check and create every row's assertion with bulk reads and one flush, then announce
        each (email and hook): the same rules as one by one, fast enough for a 10,000-row CSV."""
        emails = [ob2.normalise_email(row.get("email") or "") for row in rows]
        users = self._users(
            {e for e, row in zip(emails, rows, strict=False) if not row.get("user")}
        )
        prerequisites = list(badge_class.prerequisites)
        known = [
            row.get("user") or users.get(email) for email, row in zip(emails, rows, strict=False)
        ]
        holders = _Holders(
            self.dbsession,
            [badge_class.id] + [b.id for b in prerequisites],
            set(emails),
            {u.id for u in known if u is not None},
        )
        results, created, errors = [], [], {}
        for number, (email, row, user) in enumerate(
            zip(emails, rows, known, strict=False), start=1
        ):
            if not valid_email(email):
                errors[row.get("line", number)] = _(
                    "“${email}” is not an email address.", mapping={"email": email}
                )
                continue
            existing = holders.get(badge_class.id, email, user)
            if existing is not None:
                results.append(existing)
                continue
            missing = [b.name for b in prerequisites if holders.get(b.id, email, user) is None]
            if missing:
                errors[row.get("line", number)] = _(
                    "This badge requires these badges first: ${names}.",
                    mapping={"names": ", ".join(missing)},
                )
                continue
            assertion = self._new_assertion(badge_class, email, user, row.get("evidence"), source)
            holders.add(assertion, user)
            results.append(assertion)
            created.append((assertion, user))
        self.dbsession.flush()
        for assertion, user in created:
            if notify:
                self._notify(assertion, user)
            self.request.hooks.col_badge_awarded(request=self.request, assertion=assertion)
            webhooks.emit(self.request, "badge.issued", assertion)
        self._release(created)
        return results, errors

    # -- prerequisites: awards held back until they are earned ---------------------------

    def missing_prerequisites(self, badge_class, user) -> list[BadgeClass]:
        prerequisites = list(badge_class.prerequisites)
        if not prerequisites:
            return []
        email = ob2.normalise_email(user.email or "")
        ids = [prerequisite.id for prerequisite in prerequisites]
        holders = _Holders(self.dbsession, ids, {email}, {user.id})
        missing = []
        for prerequisite in prerequisites:
            if holders.get(prerequisite.id, email, user) is None:
                missing.append(prerequisite)
        return missing

    def held_back(self, badge_class, user) -> HeldAward | None:
        if user is None:
            return None
        return self.dbsession.scalar(
            select(HeldAward).where(
                HeldAward.badge_class_id == badge_class.id, HeldAward.user_id == user.id
            )
        )

    def award(self, badge_class, user, *, evidence=(), source="completion") -> Assertion | None:
        if self.held(badge_class.id, user.email, user) is None and self.missing_prerequisites(
            badge_class, user
        ):
            waiting = self.held_back(badge_class, user)
            if waiting is None:
                waiting = HeldAward(badge_class=badge_class, user=user)
                self.dbsession.add(waiting)
            waiting.evidence = [dict(e) for e in evidence or ()]
            waiting.source = source
            self.dbsession.flush()
            return None
        return self.issue(badge_class, user.email, user=user, evidence=evidence, source=source)

    def _release(self, created) -> None:
        """Issue the awards that waited for one of the badges just ``created``."""
        for assertion, user in created:
            user_id = user.id if user is not None else assertion.user_id
            if user_id is None:
                continue
            waiting = self.dbsession.scalars(
                select(HeldAward)
                .join(
                    BadgePrerequisite, BadgePrerequisite.badge_class_id == HeldAward.badge_class_id
                )
                .where(
                    HeldAward.user_id == user_id,
                    BadgePrerequisite.required_id == assertion.badge_class_id,
                )
                .order_by(HeldAward.id)
            ).all()
            for held in waiting:
                if self.missing_prerequisites(held.badge_class, held.user):
                    continue
                badge_class, learner = held.badge_class, held.user
                evidence, source = list(held.evidence or ()), held.source
                self.dbsession.delete(held)
                self.dbsession.flush()
                self.issue(
                    badge_class, learner.email, user=learner, evidence=evidence, source=source
                )

    def _new_assertion(self, badge_class, email, user, evidence, source) -> Assertion:
        now = utcnow()
        recipient = ob2.recipient(email)
        assertion = Assertion(
            uid=uuid.uuid4().hex,
            badge_class=badge_class,
            issuer=badge_class.issuer,
            recipient_email=email,
            recipient_hash=recipient["identity"],
            salt=recipient["salt"],
            user=user,
            issued_on=now,
            status_index=self._status_index(badge_class.issuer_id),
            expires_at=(
                now + dt.timedelta(days=badge_class.expires_after_days)
                if badge_class.expires_after_days
                else None
            ),
            evidence=[dict(e) for e in evidence or ()],
            source=source,
            accept_token=None if user else secrets.token_urlsafe(24),
        )
        self.dbsession.add(assertion)
        return assertion

    def _users(self, emails: set[str]) -> dict[str, User]:
        """The accounts of these addresses, in any city (an account look-up: badges go to
        people by address, who may not have used this city yet)."""
        found = {}
        with account_lookup(self.dbsession):
            for chunk in _chunks(sorted(emails)):
                for user in self.dbsession.scalars(
                    select(User).where(func.lower(User.email).in_(chunk))
                ):
                    found[user.email.lower()] = user
        return found

    def revoke(self, assertion, reason) -> None:
        if not (reason or "").strip():
            raise IssueError(_("Say why the badge is revoked."))
        assertion.revoked_at = utcnow()
        assertion.revocation_reason = reason.strip()[:500]
        self.dbsession.flush()
        self.request.hooks.col_badge_revoked(request=self.request, assertion=assertion)
        webhooks.emit(self.request, "badge.revoked", assertion)

    def emailed(self, token) -> Assertion | None:
        if not token:
            return None
        return self.dbsession.scalar(select(Assertion).where(Assertion.accept_token == token))

    def accept(self, assertion, user) -> list[Assertion]:
        # The link alone proves nothing about who clicks it (it may be forwarded, or opened
        # by whoever is signed in on a shared computer): the account must own the address.
        if assertion.recipient_email not in verified_emails(user):
            raise IssueError(
                _(
                    "These badges were sent to ${email}. To keep them, sign in with "
                    "the account that uses this address, once it is confirmed.",
                    mapping={"email": assertion.recipient_email},
                )
            )
        moved = list(
            self.dbsession.scalars(
                select(Assertion).where(
                    Assertion.recipient_email == assertion.recipient_email,
                    Assertion.user_id.is_(None),
                )
            )
        )
        for held in moved:
            held.user_id, held.accept_token = user.id, None
        self.dbsession.flush()
        return moved

    def held(self, class_id, email, user=None) -> Assertion | None:
        email = ob2.normalise_email(email or "")
        user_ids = {user.id} if user is not None else set()
        return _Holders(self.dbsession, [class_id], {email}, user_ids).get(class_id, email, user)

    def _status_index(self, issuer_id: int) -> int:
        if issuer_id not in self._next_index:
            # Two awards by one issuer at once would otherwise take the same status list bit.
            serialise(self.dbsession, f"badge-issuer:{issuer_id}")
            highest = self.dbsession.scalar(
                select(func.max(Assertion.status_index)).where(Assertion.issuer_id == issuer_id)
            )
            self._next_index[issuer_id] = -1 if highest is None else highest
        self._next_index[issuer_id] += 1
        return self._next_index[issuer_id]

    def _localizer(self, locale: str):
        if locale not in self._localizers:
            self._localizers[locale] = make_localizer(
                locale, self.request.registry.queryUtility(ITranslationDirectories, default=[])
            )
        return self._localizers[locale]

    def _notify(self, assertion: Assertion, user) -> None:
        """A person with an account is notified (in the site, and by e-mail unless they turned
        it off); an address without one gets the e-mail with its link to keep the badge."""
        tenant = self.request.tenant
        locale = (user.preferred_locale if user else None) or tenant.default_locale or "en"
        urls = self._urls = getattr(self, "_urls", None) or urls_for(self.request)
        mapping = {
            "badge": assertion.badge_class.name,
            "issuer": assertion.issuer.name,
            "city": tenant.display_name(locale),
        }
        message = _(
            "You have earned the badge “${badge}” from ${issuer} (${city}).", mapping=mapping
        )
        subject = _("Your new badge: ${badge}", mapping=mapping)
        share = urls.share(assertion.uid)
        details = ["", _("See and share it:"), share, *self._wallet_lines(assertion)]
        if user is not None:
            self.request.find_service(INotifications).notify(
                user, "badge_issued", message, url=share, subject=subject, details=details
            )
            return
        if assertion.accept_token:
            details += [
                "",
                _("Keep it in your own badge wallet: create your account with this link."),
                urls.accept(assertion.accept_token),
            ]
        lines = [message, *details]
        mail_address(
            self.request, assertion.recipient_email, subject, lines, self._localizer(locale)
        )

    def _wallet_lines(self, assertion: Assertion) -> list:
        """The e-mail's offer to a wallet app (OpenID4VCI): its QR code and its link."""
        offer = self.request.find_service(IWalletOffers).for_mail(assertion)
        if offer is None:
            return []
        return [
            "",
            _("Add it to a wallet app: scan the QR code on this page with the app"),
            offer.qr_url,
            _("or, on the phone that has the app, open this link:"),
            offer.link,
        ]

    # -- badge classes -------------------------------------------------------------------

    def badge_for_subject(
        self, subject_type, subject_id, organisation, *, name, description, skills=()
    ) -> BadgeClass:
        badge = self.dbsession.scalar(
            select(BadgeClass).where(
                BadgeClass.subject_type == subject_type,
                BadgeClass.subject_id == subject_id,
                BadgeClass.is_default.is_(True),
            )
        )
        if badge is None:
            issuer = self.request.find_service(IIssuerKeys).issuer_for(organisation)
            badge = BadgeClass(
                issuer=issuer,
                subject_type=subject_type,
                subject_id=subject_id,
                is_default=True,
                icon=CATEGORY,  # drawn with its activity's category icon
                name=name[:200],
                description=description,
                skills=list(skills),
            )
            self.dbsession.add(badge)
            self.dbsession.flush()
        return badge


def _chunks(values: list, size: int = 900):
    for start in range(0, len(values), size):
        yield values[start : start + size]


class _Holders:
    """Who already holds which badge classes (valid assertions), read in bulk for a batch."""

    def __init__(self, dbsession, class_ids: list[int], emails: set[str], user_ids: set[int]):
        self.by_email: dict[tuple[int, str], Assertion] = {}
        self.by_user: dict[tuple[int, int], Assertion] = {}
        conditions = [Assertion.recipient_email.in_(chunk) for chunk in _chunks(sorted(emails))]
        conditions += [Assertion.user_id.in_(chunk) for chunk in _chunks(sorted(user_ids))]
        for condition in conditions:
            for assertion in dbsession.scalars(
                select(Assertion).where(
                    Assertion.badge_class_id.in_(class_ids),
                    Assertion.revoked_at.is_(None),
                    condition,
                )
            ):
                if not assertion.is_expired:
                    self.add(assertion, None)

    def add(self, assertion: Assertion, user) -> None:
        self.by_email[(assertion.badge_class_id, assertion.recipient_email)] = assertion
        user_id = user.id if user is not None else assertion.user_id
        if user_id is not None:
            self.by_user[(assertion.badge_class_id, user_id)] = assertion

    def get(self, class_id: int, email: str, user=None) -> Assertion | None:
        found = self.by_email.get((class_id, email))
        if found is None and user is not None:
            found = self.by_user.get((class_id, user.id))
        return found


def badge_issuer_factory(context, request) -> BadgeIssuer:
    return BadgeIssuer(request)
