"""The contract of notifications."""

from __future__ import annotations

from zope.interface import Interface


class INotifications(Interface):
    """Tell a person of the request's city what happened: a row in their notification list
    (always) and an e-mail in their language (unless they turned that kind off).

    The e-mail is a ``mail`` job (``col_core.mail.queue_mail``): sent after the transaction
    commits, never inside the request, and retried while the mail server is down."""

    def notify(user, kind: str, message, url: str = "", subject=None, details=()) -> None:
        """Notify ``user`` of ``kind`` (registered with ``config.add_notification_kind``).

        ``message`` is a TranslationString (its mapping's values become text); ``subject``
        (default: ``message``) and ``details`` (more lines, TranslationStrings or text) are
        only e-mailed.  Raises ValueError for an unknown kind."""

    def unread_count(user) -> int:
        """How many of ``user``'s notifications in this city are unread."""

    def recent(user, limit: int = 50) -> list:
        """``user``'s newest notifications in this city, newest first."""

    def find(user, notification_id: int):
        """``user``'s notification with this id in this city, or None."""

    def mark_read(user, notification_id: int | None = None) -> int:
        """Mark one (or, with None, every) unread notification of ``user`` read; how many."""

    def text(notification) -> str:
        """The notification's message in the request's language."""

    def kinds() -> dict:
        """The kinds of the request's city (a plugin's only where the city turns it on):
        ``{name: title}`` (titles are TranslationStrings)."""

    def emailed_kinds(user) -> set:
        """The kinds ``user`` gets e-mails of."""

    def choose_emails(user, kinds) -> None:
        """E-mail ``user`` only these kinds (unknown names are ignored)."""
