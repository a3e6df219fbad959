"""The default :class:`INotifications`."""

from __future__ import annotations

from pyramid.i18n import TranslationString, make_localizer
from pyramid.interfaces import ITranslationDirectories
from sqlalchemy import func, select, update
from zope.interface import implementer

from col_core.db.meta import utcnow
from col_core.mail import queue_mail
from col_core.notifications.interfaces import INotifications
from col_core.notifications.models import Notification

KINDS_KEY = "col.notification_kinds"


def add_notification_kind(config, name: str, title) -> None:
    """Config directive: a kind of notification, with the ``title`` shown on the person's
    choice of e-mails (a TranslationString).  A plugin's kinds are offered only in the cities
    that turn the plugin on."""
    plugin = config.registry["col.plugins"].owner_of(config.package_name)
    config.registry.setdefault(KINDS_KEY, {})[name] = (title, plugin)


def _plain(mapping) -> dict:
    """A mapping that survives JSON (a TranslationString in it becomes its text)."""
    return {key: str(value) for key, value in (mapping or {}).items()}


@implementer(INotifications)
class Notifications:
    def __init__(self, request):
        self.request = request
        self.db = request.dbsession

    def kinds(self) -> dict:
        tenant = getattr(self.request, "tenant", None)
        return {
            name: title
            for name, (title, plugin) in self.request.registry.get(KINDS_KEY, {}).items()
            if plugin is None or tenant is None or tenant.plugin_enabled(plugin)
        }

    def notify(self, user, kind, message, url="", subject=None, details=()) -> None:
        if kind not in self.request.registry.get(KINDS_KEY, {}):
            raise ValueError(f"{kind!r} is no notification kind; add it with add_notification_kind")
        if user is None or user.deleted_at is not None:
            return
        mapping = _plain(message.mapping)
        self.db.add(
            Notification(
                user_id=user.id,
                kind=kind,
                domain=message.domain or "col",
                message=str(message),
                mapping=mapping,
                url=url,
            )
        )
        if kind in self.emailed_kinds(user):
            self._email(user, message, mapping, url, subject, details)

    def _localizer_for(self, user):
        """A localizer in the person's language (or the city's), for mail sent later."""
        locale = user.preferred_locale or self.request.tenant.default_locale or "en"
        directories = self.request.registry.queryUtility(ITranslationDirectories) or []
        return make_localizer(locale, directories)

    def _email(self, user, message, mapping, url, subject, details) -> None:
        localizer = self._localizer_for(user)

        def text(value) -> str:
            if not isinstance(value, TranslationString):
                return str(value)
            plain = _plain(value.mapping)
            return localizer.translate(TranslationString(value, domain=value.domain, mapping=plain))

        first_line = TranslationString(message, domain=message.domain, mapping=mapping)
        lines = [text(first_line), *map(text, details)]
        if url and url not in lines:
            lines += ["", url]
        body = "\n".join(lines)
        queue_mail(self.request, user.email, text(subject or message), body)

    def _mine(self, user):
        return select(Notification).where(Notification.user_id == user.id)

    def unread_count(self, user) -> int:
        return self.db.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )

    def recent(self, user, limit=50) -> list:
        query = self._mine(user).order_by(Notification.id.desc()).limit(limit)
        return list(self.db.scalars(query))

    def find(self, user, notification_id):
        return self.db.scalar(self._mine(user).where(Notification.id == notification_id))

    def mark_read(self, user, notification_id=None) -> int:
        query = (
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
        if notification_id is not None:
            query = query.where(Notification.id == notification_id)
        return self.db.execute(query).rowcount

    def text(self, notification) -> str:
        return self.request.localizer.translate(
            TranslationString(
                notification.message, domain=notification.domain, mapping=notification.mapping
            )
        )

    def emailed_kinds(self, user) -> set:
        return set(self.kinds()) - set(user.email_opt_outs or ())

    def choose_emails(self, user, kinds) -> None:
        # Accounts serve every city: a choice about a kind this city does not offer is kept.
        offered = set(self.kinds())
        kept = set(user.email_opt_outs or ()) - offered
        user.email_opt_outs = sorted(kept | (offered - set(kinds)))


def notifications_factory(context, request) -> Notifications:
    return Notifications(request)
