"""Outgoing email, sent only when the request's transaction commits.

``IMailer`` has two real transports: SMTP for production and an on-disk outbox (one ``.eml``
file per message, readable by people and tests) for development and tests.
"""

from __future__ import annotations

import os
import time
import smtplib
import ssl
import tempfile
import uuid
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid
from pathlib import Path

import transaction
from pyramid.path import DottedNameResolver
from zope.interface import Interface, implementer

from col_core.settings import as_bool


class IMailer(Interface):
    """Sends email after the current transaction commits (never for a rolled-back request)."""

    def send(to: str, subject: str, text: str, html: str | None = None,
             headers: dict | None = None, transaction_manager=None) -> None:
        """Queue a message to ``to``; it is built and leaves when the transaction commits.

        ``transaction_manager`` defaults to the thread's; pass ``request.tm`` from requests.
        """

    def send_now(message: EmailMessage) -> None:
        """Deliver a built message immediately through the transport."""


class BaseMailer:
    def __init__(self, sender: str):
        self.sender = sender

    def build(self, to, subject, text, html=None, headers=None) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="cities-of-learning")
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
        return message

    def send(self, to, subject, text, html=None, headers=None, transaction_manager=None):
        manager = transaction_manager or transaction.manager
        # Built only once the transaction has committed, so a request that queues thousands of
        # messages holds their text, not thousands of MIME trees.
        manager.get().addAfterCommitHook(
            lambda committed: committed and self.send_now(
                self.build(to, subject, text, html, headers))
        )

    def send_now(self, message: EmailMessage) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


@implementer(IMailer)
class OutboxMailer(BaseMailer):
    """Writes each message to ``<outbox>/<time>-<id>.eml`` atomically."""

    def __init__(self, sender: str, outbox_dir: str | Path):
        super().__init__(sender)
        self.outbox = Path(outbox_dir)

    def send_now(self, message: EmailMessage) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        name = f"{int(1000 * time.time()):015d}-{uuid.uuid4().hex}.eml"
        fd, tmp = tempfile.mkstemp(dir=self.outbox, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(bytes(message))
        os.replace(tmp, self.outbox / name)

    def messages(self) -> list[EmailMessage]:
        """Every message in the outbox, oldest first (for tests and the demo)."""
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in sorted(self.outbox.glob("*.eml"))]

    def clear(self) -> None:
        for path in self.outbox.glob("*.eml"):
            path.unlink()


@implementer(IMailer)
class SMTPMailer(BaseMailer):
    def __init__(self, sender, host, port, user="", password="", use_tls=False):
        super().__init__(sender)
        self.host, self.port, self.user, self.password, self.use_tls = (
            host, int(port), user, password, use_tls)

    def send_now(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)


def mailer_factory(settings) -> BaseMailer:
    cls = DottedNameResolver().maybe_resolve(settings["col.mailer"])
    if issubclass(cls, SMTPMailer):
        return cls(settings["col.mail_from"], settings["col.smtp_host"], settings["col.smtp_port"],
                   settings["col.smtp_user"], settings["col.smtp_password"],
                   as_bool(settings["col.smtp_tls"]))
    return cls(settings["col.mail_from"], settings["col.outbox_dir"])


def includeme(config):
    config.register_service(mailer_factory(config.get_settings()), IMailer)


__all__ = ["IMailer", "OutboxMailer", "SMTPMailer"]
