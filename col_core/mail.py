"""Outgoing e-mail: a ``mail`` job written in the request's transaction, sent by a worker.

``queue_mail`` is how the platform sends e-mail: the finished texts (already in the recipient's
language) become a job, so a rolled-back request sends nothing, a slow or dead mail server never
holds a request, and a refused message is retried with growing waits (see ``col_core.jobs``).
``IMailer`` is the transport the job uses, with two real implementations: SMTP for production
and an on-disk outbox (one ``.eml`` file per message, readable by people and tests).
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import tempfile
import time
import uuid
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid
from pathlib import Path

from pyramid.path import DottedNameResolver
from zope.interface import Interface, implementer

from col_core.jobs import IJobQueue
from col_core.settings import as_bool

MESSAGE_ID_DOMAIN = "cities-of-learning"


class IMailer(Interface):
    """The transport: delivers one built message now (called by the ``mail`` job, which
    retries when this raises)."""

    def build(
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        headers: dict | None = None,
        message_id: str | None = None,
    ) -> EmailMessage:
        """The message, from the mailer's sender."""

    def send_now(message: EmailMessage) -> None:
        """Deliver a built message immediately; raise if it was not accepted."""


def queue_mail(
    request, to: str, subject: str, text: str, html: str | None = None, headers: dict | None = None
) -> None:
    """Send an e-mail when, and only if, the request's transaction commits.

    The texts are final; the Message-ID is chosen now, so a message sent twice (a worker killed
    between sending and recording it) is recognisably one message."""
    payload = {
        "to": to,
        "subject": subject,
        "text": text,
        "html": html,
        "headers": headers or {},
        "message_id": make_msgid(domain=MESSAGE_ID_DOMAIN),
    }
    request.find_service(IJobQueue).enqueue("mail", payload, label=f"{to}: {subject}")


def deliver(request, job) -> None:
    """The ``mail`` job: build the message from the job's texts and hand it to the transport."""
    mailer = request.find_service(IMailer)
    mailer.send_now(mailer.build(**job.payload))


class BaseMailer:
    def __init__(self, sender: str):
        self.sender = sender

    def build(self, to, subject, text, html=None, headers=None, message_id=None) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = message_id or make_msgid(domain=MESSAGE_ID_DOMAIN)
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
        return message

    def send_now(self, message: EmailMessage) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


def _outbox_name() -> str:
    """A unique file name that sorts in the order mail was sent (by the millisecond)."""
    milliseconds = int(1000 * time.time())
    unique = uuid.uuid4().hex
    return f"{milliseconds:015d}-{unique}.eml"


@implementer(IMailer)
class OutboxMailer(BaseMailer):
    """Writes each message to ``<outbox>/<time>-<id>.eml`` atomically."""

    def __init__(self, sender: str, outbox_dir: str | Path):
        super().__init__(sender)
        self.outbox = Path(outbox_dir)

    def send_now(self, message: EmailMessage) -> None:
        outbox = self.outbox
        outbox.mkdir(parents=True, exist_ok=True)
        # Written under a temporary name, then renamed: a reader never sees half a message.
        fd, temporary = tempfile.mkstemp(dir=outbox, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(bytes(message))
        os.replace(temporary, outbox / _outbox_name())

    def messages(self) -> list[EmailMessage]:
        """Every message in the outbox, oldest first (for tests and the demo)."""
        parser = BytesParser(policy=policy.default)
        return [parser.parsebytes(path.read_bytes()) for path in sorted(self.outbox.glob("*.eml"))]

    def clear(self) -> None:
        for path in self.outbox.glob("*.eml"):
            path.unlink()


class _TimedSMTP(smtplib.SMTP):
    """SMTP whose connecting has its own (shorter) timeout than waiting for each answer."""

    def __init__(self, connect_timeout: float, timeout: float):
        self.connect_timeout = connect_timeout
        super().__init__(timeout=timeout)

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((host, port), self.connect_timeout, self.source_address)
        sock.settimeout(timeout)
        return sock


@implementer(IMailer)
class SMTPMailer(BaseMailer):
    def __init__(
        self,
        sender,
        host,
        port,
        user="",
        password="",
        use_tls=False,
        connect_timeout=10.0,
        timeout=30.0,
    ):
        super().__init__(sender)
        self.host, self.port, self.user, self.password, self.use_tls = (
            host,
            int(port),
            user,
            password,
            use_tls,
        )
        self.connect_timeout, self.timeout = float(connect_timeout), float(timeout)

    def send_now(self, message: EmailMessage) -> None:
        with _TimedSMTP(self.connect_timeout, self.timeout) as smtp:
            smtp.connect(self.host, self.port)
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)


def mailer_factory(settings) -> BaseMailer:
    cls = DottedNameResolver().maybe_resolve(settings["col.mailer"])
    if issubclass(cls, SMTPMailer):
        return cls(
            settings["col.mail_from"],
            settings["col.smtp_host"],
            settings["col.smtp_port"],
            settings["col.smtp_user"],
            settings["col.smtp_password"],
            as_bool(settings["col.smtp_tls"]),
            settings["col.smtp_connect_timeout"],
            settings["col.smtp_timeout"],
        )
    return cls(settings["col.mail_from"], settings["col.outbox_dir"])


def includeme(config):
    config.register_service(mailer_factory(config.get_settings()), IMailer)
    config.add_job_kind("mail", deliver)


__all__ = ["IMailer", "OutboxMailer", "SMTPMailer", "queue_mail"]
