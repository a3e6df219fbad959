"""``col doctor``: is this deployment's configuration fit to run, and what to fix if not.

Each check returns a :class:`Finding`: ``OK``, ``WARN`` (works, but not as production should)
or ``FAIL`` (broken, or unsafe in production), with what to do.  The doctor reads the settings
as given (``col_core.settings.merge``), so it also judges a configuration the server refuses,
and it changes nothing: the database, the queue and the mail server are only asked, and the
storage probe leaves no file behind (it makes the storage directory when there is none).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from col_core import settings as col_settings
from col_core.db import make_engine
from col_core.db.migrate import alembic_config
from col_core.jobs.queue import IMMEDIATE, make_huey

OK, WARN, FAIL = "OK", "WARN", "FAIL"


@dataclass
class Finding:
    check: str
    status: str
    message: str
    fix: str = ""

    def as_json(self) -> dict:
        return asdict(self)


def problem(error: Exception) -> str:
    """An error in a line: its kind and its first line (drivers' messages can run long)."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


class Doctor:
    def __init__(self, settings: dict, plugins):
        self.settings = settings
        self.plugins = plugins
        self.production = settings["col.environment"] == "production"

    def run(self) -> list[Finding]:
        return [
            self.secret(),
            self.public_url(),
            self.https(),
            *self.database(),
            self.queue(),
            self.mail(),
            self.storage(),
            self.webhooks(),
        ]

    def secret(self) -> Finding:
        secret = self.settings["col.secret"]
        if not secret and not self.production:
            where = Path(self.settings["col.data_dir"]) / "secret.key"
            return Finding("secret", OK, f"not set: outside production, {where} is used")
        if not secret:
            return Finding(
                "secret",
                FAIL,
                "COL_SECRET is not set",
                "Set COL_SECRET. " + col_settings.GENERATE_SECRET,
            )
        if weak := col_settings.weak_secret(secret):
            return Finding(
                "secret",
                FAIL if self.production else WARN,
                f"COL_SECRET is too weak: {weak}",
                "Set a new COL_SECRET (everyone is signed out). " + col_settings.GENERATE_SECRET,
            )
        return Finding("secret", OK, "COL_SECRET is set and strong")

    def public_url(self) -> Finding:
        url = self.settings["col.public_url"]
        if not url and not self.production:
            return Finding(
                "public_url",
                OK,
                "not set: outside production, links point at the local server (`col serve`)",
            )
        if not url:
            return Finding(
                "public_url",
                FAIL,
                "COL_PUBLIC_URL is not set",
                "Set COL_PUBLIC_URL to the address people use, such as "
                "https://citiesoflearning.eu.",
            )
        if bad := col_settings.bad_public_url(url):
            return Finding(
                "public_url",
                FAIL,
                f"COL_PUBLIC_URL {bad}",
                "Set COL_PUBLIC_URL to scheme, host and optional port and path, "
                "such as https://citiesoflearning.eu.",
            )
        return Finding("public_url", OK, f"links point at {url}")

    def webhooks(self) -> Finding:
        if not col_settings.as_bool(self.settings.get("col.webhooks_allow_private", "false")):
            return Finding("webhooks", OK, "endpoints must be https on public addresses")
        if not self.production:
            return Finding(
                "webhooks",
                OK,
                "endpoints may be http or private addresses, which only tests and development need",
            )
        return Finding(
            "webhooks",
            FAIL,
            "webhook endpoints may be plain http or private addresses: anyone who "
            "subscribes one can make the server post to what only it can reach",
            "Unset COL_WEBHOOKS_ALLOW_PRIVATE (docs/webhooks.md, Security).",
        )

    def https(self) -> Finding:
        url = self.settings["col.public_url"]
        if urlsplit(url).scheme == "https":
            hsts = "with HSTS" if self.settings.get("col.hsts") else "without HSTS (col.hsts)"
            return Finding("https", OK, f"the public URL is https, {hsts}")
        if not self.production:
            return Finding("https", OK, "not https, which only production needs")
        return Finding(
            "https",
            FAIL,
            "the public URL is not https: passwords and sessions would travel unencrypted"
            if url
            else "no public URL, so no https",
            "Terminate TLS at the proxy and set COL_PUBLIC_URL=https://... "
            "(docs/deployment.md, section 4).",
        )

    def database(self) -> list[Finding]:
        url = self.settings["col.database_url"]
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():  # never create it: the doctor changes nothing
                return [
                    Finding(
                        "database",
                        FAIL,
                        f"the SQLite database {path} does not exist",
                        "Run `col db upgrade` (or check COL_DATABASE_URL).",
                    )
                ]
        engine = make_engine(url)
        found: list[Finding] = []
        try:
            with engine.connect() as connection:
                found.append(self.database_kind(connection.dialect.name))
                found.append(self.migrations(connection))
                connection.rollback()
        except Exception as error:  # noqa: BLE001 - reported, with what to do
            return [
                Finding(
                    "database",
                    FAIL,
                    f"cannot connect: {problem(error)}",
                    "Check COL_DATABASE_URL and that the database server runs and "
                    "accepts this machine.",
                )
            ]
        finally:
            engine.dispose()
        return found

    def database_kind(self, dialect: str) -> Finding:
        if dialect == "postgresql":
            return Finding("database", OK, "PostgreSQL reachable")
        return Finding(
            "database",
            WARN if self.production else OK,
            f"{dialect} reachable"
            + (": one machine only, no row-level security" if self.production else ""),
            "Use PostgreSQL in production (docs/deployment.md, section 1)."
            if self.production
            else "",
        )

    def migrations(self, connection) -> Finding:
        config = alembic_config(connection, self.plugins)
        expected = set(ScriptDirectory.from_config(config).get_heads())
        current = set(MigrationContext.configure(connection).get_current_heads())
        if current == expected:
            return Finding("migrations", OK, f"current ({len(expected)} lineages at their head)")
        if not current:
            message = "the database has no schema"
        else:
            missing = len(expected - current)
            message = (
                f"{missing} lineage(s) behind"
                if missing
                else "the database has revisions this code does not know (newer code ran on it?)"
            )
        return Finding(
            "migrations",
            FAIL,
            message,
            "Run `col db upgrade` (with the same settings) before serving.",
        )

    def queue(self) -> Finding:
        url = self.settings["col.jobs_queue"].strip()
        if url == IMMEDIATE:
            return Finding(
                "queue",
                FAIL if self.production else OK,
                "jobs run in the process that commits them (immediate)",
                "Set COL_JOBS_QUEUE=redis://HOST:6379/0 and run `col worker`.",
            )
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            return Finding(
                "queue",
                OK,
                "the SQLite queue file does not exist yet",
                "It is made when the server or `col worker` first starts.",
            )
        try:
            huey = make_huey(self.settings)
            waiting = huey.storage.queue_size()
        except Exception as error:  # noqa: BLE001
            return Finding(
                "queue",
                FAIL,
                f"cannot reach the job queue: {problem(error)}",
                "Check COL_JOBS_QUEUE and that Redis runs and accepts this machine.",
            )
        if url.startswith("sqlite") and self.production:
            return Finding(
                "queue",
                WARN,
                f"SQLite queue reachable ({waiting} waiting): web "
                "servers and workers must share one machine",
                "For several machines set COL_JOBS_QUEUE=redis://HOST:6379/0.",
            )
        return Finding("queue", OK, f"reachable, {waiting} message(s) waiting")

    def mail(self) -> Finding:
        from col_core.mail import SMTPMailer, _TimedSMTP, mailer_factory

        settings = self.settings
        try:
            mailer = mailer_factory(settings)
        except Exception as error:  # noqa: BLE001
            return Finding(
                "mail",
                FAIL,
                f"col.mailer cannot be used: {problem(error)}",
                "Set COL_MAILER=col_core.mail.SMTPMailer.",
            )
        if not isinstance(mailer, SMTPMailer):
            if not self.production:
                return Finding(
                    "mail",
                    OK,
                    f"written to files in {settings['col.outbox_dir']} (the development outbox)",
                )
            return Finding(
                "mail",
                FAIL,
                f"e-mail is written to files in {settings['col.outbox_dir']}, nobody receives it",
                "Set COL_MAILER=col_core.mail.SMTPMailer and COL_SMTP_HOST, "
                "COL_SMTP_PORT, COL_SMTP_USER, COL_SMTP_PASSWORD, COL_SMTP_TLS.",
            )
        server = f"{mailer.host}:{mailer.port}"
        try:
            with _TimedSMTP(mailer.connect_timeout, mailer.timeout) as smtp:
                smtp.connect(mailer.host, mailer.port)
                smtp.ehlo()
                if mailer.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if mailer.user:
                    smtp.login(mailer.user, mailer.password)
                smtp.noop()
        except smtplib.SMTPAuthenticationError:
            return Finding(
                "mail",
                FAIL,
                f"{server} refused the user name and password",
                "Check COL_SMTP_USER and COL_SMTP_PASSWORD.",
            )
        except Exception as error:  # noqa: BLE001
            return Finding(
                "mail",
                FAIL,
                f"cannot talk to the mail server {server}: {problem(error)}",
                "Check COL_SMTP_HOST, COL_SMTP_PORT and COL_SMTP_TLS, and that the "
                "mail server accepts this machine.",
            )
        tls = "with STARTTLS" if mailer.use_tls else "without TLS"
        if (
            not mailer.use_tls
            and self.production
            and mailer.host not in ("localhost", "127.0.0.1", "::1")
        ):
            return Finding(
                "mail",
                WARN,
                f"{server} answers, {tls}",
                "Set COL_SMTP_TLS=true unless the mail server is on a trusted network.",
            )
        return Finding(
            "mail", OK, f"{server} answers, {tls}" + (", signed in" if mailer.user else "")
        )

    def storage(self) -> Finding:
        from col_core.storage import storage_factory

        try:
            storage = storage_factory(self.settings)
            storage.probe()
        except Exception as error:  # noqa: BLE001
            return Finding(
                "storage", FAIL, f"files cannot be stored: {problem(error)}", self._fix()
            )
        return Finding("storage", OK, f"writable ({storage.describe()})")

    def _fix(self) -> str:
        if self.settings["col.storage"] == "s3":
            return (
                "Check col.storage.s3.bucket (COL_STORAGE_S3_BUCKET) names an existing bucket, "
                "that col.storage.s3.endpoint_url answers from this machine, and the "
                "credentials (col.storage.s3.access_key_id or boto3's AWS_* variables)."
            )
        return (
            f"Check col.storage ({self.settings['col.storage']}) and that "
            f"{self.settings['col.storage_dir']} exists and is writable by the "
            "server's user (COL_DATA_DIR)."
        )
