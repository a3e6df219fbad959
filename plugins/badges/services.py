"""IBadgeIssuer: award, bulk-award and revoke badges; default badges of activities."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from pyramid.i18n import TranslationStringFactory, make_localizer
from pyramid.interfaces import ITranslationDirectories
from sqlalchemy import func, or_, select
from zope.interface import implementer

from col_core.db.meta import utcnow
from col_core.mail import IMailer
from col_core.security.models import User
from plugins.badges.interfaces import IBadgeIssuer, IIssuerKeys
from plugins.badges.models import Assertion, BadgeClass
from plugins.badges.ob import ob2
from plugins.badges.urls import urls_for

_ = TranslationStringFactory("col_badges")


class IssueError(ValueError):
    """A badge cannot be awarded; the message (a TranslationString) says why."""


def valid_email(email: str) -> bool:
    local, _sep, domain = email.partition("@")
    return bool(local) and "." in domain and " " not in email and len(email) <= 254


@implementer(IBadgeIssuer)
class BadgeIssuer:
    def __init__(self, request):
        self.request = request
        self.dbsession = request.dbsession
        self._next_index: dict[int, int] = {}

    # -- awarding ------------------------------------------------------------------------

    def issue(self, badge_class, email, *, user=None, evidence=(), source="direct",
              notify=True) -> Assertion:
        email = ob2.normalise_email(email or (user.email if user else ""))
        if not valid_email(email):
            raise IssueError(_("“${email}” is not an email address.", mapping={"email": email}))
        user = user or self.dbsession.scalar(select(User).where(func.lower(User.email) == email))
        existing = self.held(badge_class.id, email, user)
        if existing is not None:
            return existing
        missing = [b.name for b in badge_class.prerequisites
                   if self.held(b.id, email, user) is None]
        if missing:
            raise IssueError(_("This badge requires these badges first: ${names}.",
                               mapping={"names": ", ".join(missing)}))
        now = utcnow()
        recipient = ob2.recipient(email)
        assertion = Assertion(
            uid=uuid.uuid4().hex, badge_class=badge_class, issuer=badge_class.issuer,
            recipient_email=email, recipient_hash=recipient["identity"], salt=recipient["salt"],
            user=user, issued_on=now, status_index=self._status_index(badge_class.issuer_id),
            expires_at=(now + dt.timedelta(days=badge_class.expires_after_days)
                        if badge_class.expires_after_days else None),
            evidence=[dict(e) for e in evidence], source=source,
            accept_token=None if user else secrets.token_urlsafe(24),
        )
        self.dbsession.add(assertion)
        self.dbsession.flush()
        if notify:
            self._notify(assertion, user)
        self.request.hooks.col_badge_awarded(request=self.request, assertion=assertion)
        return assertion

    def issue_many(self, badge_class, rows, *, source="csv"):
        issued, errors = [], {}
        for number, row in enumerate(rows, start=1):
            try:
                issued.append(self.issue(badge_class, row.get("email", ""),
                                         evidence=row.get("evidence") or (), source=source))
            except IssueError as error:
                errors[row.get("line", number)] = error.args[0]
        return issued, errors

    def revoke(self, assertion, reason) -> None:
        if not (reason or "").strip():
            raise IssueError(_("Say why the badge is revoked."))
        assertion.revoked_at = utcnow()
        assertion.revocation_reason = reason.strip()[:500]

    def held(self, class_id, email, user=None) -> Assertion | None:
        who = [Assertion.recipient_email == email]
        if user is not None:
            who.append(Assertion.user_id == user.id)
        candidates = self.dbsession.scalars(
            select(Assertion).where(Assertion.badge_class_id == class_id,
                                    Assertion.revoked_at.is_(None), or_(*who)))
        return next((a for a in candidates if not a.is_expired), None)

    def _status_index(self, issuer_id: int) -> int:
        if issuer_id not in self._next_index:
            highest = self.dbsession.scalar(
                select(func.max(Assertion.status_index)).where(Assertion.issuer_id == issuer_id))
            self._next_index[issuer_id] = -1 if highest is None else highest
        self._next_index[issuer_id] += 1
        return self._next_index[issuer_id]

    def _notify(self, assertion: Assertion, user) -> None:
        tenant = self.request.tenant
        locale = (user.preferred_locale if user else None) or tenant.default_locale or "en"
        localizer = make_localizer(locale, self.request.registry.queryUtility(
            ITranslationDirectories, default=[]))
        urls = urls_for(self.request)
        mapping = {"badge": assertion.badge_class.name,
                   "issuer": assertion.issuer.organisation.name,
                   "city": tenant.display_name(locale)}
        lines = [localizer.translate(_("You have earned the badge “${badge}” from ${issuer} "
                                       "(${city}).", mapping=mapping)),
                 "", localizer.translate(_("See and share it:")), urls.share(assertion.uid)]
        if assertion.accept_token:
            lines += ["", localizer.translate(_("Keep it in your own badge wallet: create your "
                                                "account with this link.")),
                      urls.accept(assertion.accept_token)]
        subject = localizer.translate(_("Your new badge: ${badge}", mapping=mapping))
        self.request.find_service(IMailer).send(assertion.recipient_email, subject,
                                                "\n".join(lines),
                                                transaction_manager=self.request.tm)

    # -- badge classes -------------------------------------------------------------------

    def badge_for_subject(self, subject_type, subject_id, organisation, *, name, description,
                          skills=()) -> BadgeClass:
        badge = self.dbsession.scalar(
            select(BadgeClass).where(BadgeClass.subject_type == subject_type,
                                     BadgeClass.subject_id == subject_id,
                                     BadgeClass.is_default.is_(True)))
        if badge is None:
            issuer = self.request.find_service(IIssuerKeys).issuer_for(organisation)
            badge = BadgeClass(issuer=issuer, subject_type=subject_type, subject_id=subject_id,
                               is_default=True, name=name[:200], description=description,
                               skills=list(skills))
            self.dbsession.add(badge)
            self.dbsession.flush()
        return badge


def badge_issuer_factory(context, request) -> BadgeIssuer:
    return BadgeIssuer(request)
