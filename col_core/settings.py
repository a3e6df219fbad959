"""Every setting the platform reads, with its default, in one place.

Settings come from three layers, later ones winning: the defaults below, the ``.ini`` file
(``[app:main]``), and ``COL_*`` environment variables.  Plugins declare their own namespaced
defaults through the ``col_settings_defaults`` hook; they read them from the same dictionary.
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs
from zxcvbn import zxcvbn

# Environment variable -> setting name.  Kept explicit so `grep COL_` finds every one.
ENVIRONMENT = {
    "COL_DATABASE_URL": "col.database_url",
    "COL_DATABASE_OWNER_URL": "col.database_owner_url",
    "COL_DATABASE_REPLICA_URLS": "col.database_replica_urls",
    "COL_DATABASE_REPLICA_STICKINESS": "col.database_replica_stickiness",
    "COL_DATABASE_PGBOUNCER": "col.database_pgbouncer",
    "COL_SECRET": "col.secret",
    "COL_BASE_DOMAIN": "col.base_domain",
    "COL_PUBLIC_URL": "col.public_url",
    "COL_DATA_DIR": "col.data_dir",
    "COL_GLOBAL_HOSTS": "col.global_hosts",
    "COL_MAILER": "col.mailer",
    "COL_SMTP_HOST": "col.smtp_host",
    "COL_SMTP_PORT": "col.smtp_port",
    "COL_SMTP_USER": "col.smtp_user",
    "COL_SMTP_PASSWORD": "col.smtp_password",
    "COL_SMTP_TLS": "col.smtp_tls",
    "COL_SMTP_TIMEOUT": "col.smtp_timeout",
    "COL_SMTP_CONNECT_TIMEOUT": "col.smtp_connect_timeout",
    "COL_MAIL_FROM": "col.mail_from",
    "COL_DB_ROLE": "col.db_role",
    "COL_STORAGE": "col.storage",
    "COL_STORAGE_S3_BUCKET": "col.storage.s3.bucket",
    "COL_STORAGE_S3_ENDPOINT_URL": "col.storage.s3.endpoint_url",
    "COL_STORAGE_S3_REGION": "col.storage.s3.region",
    "COL_STORAGE_S3_PREFIX": "col.storage.s3.prefix",
    "COL_STORAGE_S3_ACCESS_KEY_ID": "col.storage.s3.access_key_id",
    "COL_STORAGE_S3_SECRET_ACCESS_KEY": "col.storage.s3.secret_access_key",
    "COL_JOBS_QUEUE": "col.jobs_queue",
    "COL_JOBS_NAME": "col.jobs_name",
    "COL_JOBS_ATTEMPTS": "col.jobs_attempts",
    "COL_JOBS_RETRY_SECONDS": "col.jobs_retry_seconds",
    "COL_TALLY_SECONDS": "col.tally_seconds",
    "COL_WEBHOOKS_ALLOW_PRIVATE": "col.webhooks_allow_private",
    "COL_ENVIRONMENT": "col.environment",
    "COL_SEARCH_BACKEND": "col.search_backend",
    "COL_GEOCODER": "col.geocoder",
    "COL_GEOCODER_URL": "col.geocoder_url",
    "COL_TENANTS_DIR": "col.tenants_dir",
    "COL_PLUGINS": "col.plugins",
    "COL_DISABLED_PLUGINS": "col.disabled_plugins",
    "COL_LOG_FORMAT": "col.log_format",
    "COL_METRICS_ALLOW": "col.metrics_allow",
    "COL_METRICS_TOKEN": "col.metrics_token",
}


def default_data_dir() -> Path:
    """Where the demo (and any command given no configuration) keeps its database and files."""
    return Path(os.environ.get("COL_DATA_DIR") or platformdirs.user_data_dir("cities-of-learning"))


def defaults(data_dir: Path | None = None) -> dict[str, str]:
    data_dir = data_dir or default_data_dir()
    return {
        "col.environment": "development",
        "col.data_dir": str(data_dir),
        "col.database_url": f"sqlite:///{data_dir / 'col.sqlite'}",
        # PostgreSQL: the application connects with col.database_url as an ordinary role
        # (col.db_role, which `col db upgrade` grants what it needs); migrations connect with
        # col.database_owner_url as the tables' owner ("": the same URL, for SQLite and
        # single-role development databases).  See docs/deployment.md.
        "col.database_owner_url": "",
        # PostgreSQL beyond one server (docs/deployment.md): read-only standbys that GETs of the
        # search, the map and public pages may read from (URLs separated by spaces), how long a
        # browser that wrote reads from the primary, and whether col.database_url is a PgBouncer
        # in transaction pooling mode (no prepared statements then).
        "col.database_replica_urls": "",
        "col.database_replica_stickiness": "30",
        "col.database_pgbouncer": "false",
        "col.db_role": "",
        "col.secret": "",
        "col.base_domain": "localhost",
        "col.global_hosts": "127.0.0.1 localhost",
        # How long a worker trusts its resolved tenants; changes made in the same process
        # (the city admin's settings page) take effect at once.
        "col.tenant_cache_seconds": "10",
        # The address people use: scheme, host, port and mount path of every absolute URL the
        # platform makes (docs/deployment.md).  Development defaults to the demo's address.
        "col.public_url": "",
        # Strict-Transport-Security, sent when col.public_url is https ("" sends none).
        "col.hsts": "max-age=31536000; includeSubDomains",
        # "local" (files under col.storage_dir: one machine) or "s3" (a bucket: any number of
        # machines; docs/deployment.md, "Files").  Credentials left empty come from boto3's chain.
        "col.storage": "local",
        "col.storage_dir": str(data_dir / "files"),
        "col.storage.s3.bucket": "",
        "col.storage.s3.endpoint_url": "",
        "col.storage.s3.region": "",
        "col.storage.s3.prefix": "",
        "col.storage.s3.access_key_id": "",
        "col.storage.s3.secret_access_key": "",
        "col.upload_max_bytes": str(10 * 1024 * 1024),
        # Input limits (col_core.security.limits; docs/security.md, "Input limits").
        "col.max_request_bytes": str(12 * 1024 * 1024),  # an upload and the form around it
        "col.max_form_fields": "1000",
        "col.max_json_depth": "32",
        "col.max_image_pixels": str(50_000_000),  # a 48-megapixel phone photo fits
        "col.mailer": "col_core.mail.OutboxMailer",
        "col.outbox_dir": str(data_dir / "outbox"),
        "col.smtp_host": "localhost",
        "col.smtp_port": "25",
        "col.smtp_user": "",
        "col.smtp_password": "",
        "col.smtp_tls": "false",
        # Seconds to reach the mail server, then to wait for each of its answers: a dead or
        # hanging server fails the attempt, and the mail job is retried later.
        "col.smtp_connect_timeout": "10",
        "col.smtp_timeout": "30",
        "col.mail_from": "Cities of Learning <no-reply@localhost>",
        # Background jobs (col_core.jobs): where the queue lives (sqlite:///FILE,
        # redis://HOST:PORT/DB, or "immediate": run each job right after the commit that wrote
        # it, in that process), the queue's name, how often a job is tried, and the first wait
        # before a retry (doubled after each failure: 12 attempts from 30 seconds keep trying for
        # about 17 hours).
        "col.jobs_queue": f"sqlite:///{data_dir / 'jobs.sqlite'}",
        "col.jobs_name": "cities-of-learning",
        "col.jobs_attempts": "12",
        "col.jobs_retry_seconds": "30",
        # Finished jobs are kept this long for `col jobs list`, without their content.
        "col.jobs_keep_done_days": "7",
        # Webhooks (col_core.webhooks, docs/webhooks.md): attempts per event (with the job
        # queue's growing waits), consecutive failed attempts before a subscription is turned
        # off, seconds to wait for an endpoint, and whether endpoints may be plain http or
        # private/loopback addresses (tests and development only: the server would otherwise
        # post to what only it can reach).
        "col.webhooks_attempts": "8",
        "col.webhooks_disable_after": "10",
        "col.webhooks_timeout": "10",
        "col.webhooks_allow_private": "false",
        # The activity form's address search: the city's own places, or a Nominatim-compatible
        # service too (col_core.activities.services.geocoding.NominatimGeocoder with col.geocoder_url).
        "col.geocoder": "col_core.activities.services.geocoding.CityPlacesGeocoder",
        "col.geocoder_url": "",
        "col.geocoder_timeout": "5",
        "col.geocoder_allow_private": "false",
        # How often a web process writes the counts its GETs kept (page views, last seen): col_core.db.tallies.
        "col.tally_seconds": "60",
        # Attempts per subject and window (col_core/security/throttle.py).  Sign-up counts per
        # client address and per city: a class signing up together shares one address, and a
        # city-wide limit slows an attacker with many addresses (see docs/security.md).
        "col.login_limit_per_account": "5",
        "col.login_limit_per_address": "30",
        "col.login_limit_minutes": "15",
        "col.reset_limit_per_account": "3",
        "col.reset_limit_per_address": "10",
        "col.reset_limit_minutes": "60",
        "col.signup_limit_per_address": "20",
        "col.signup_limit_per_city": "300",
        "col.signup_limit_minutes": "60",
        # Applications registering themselves with the Open Badges API (RFC 7591 is open).
        "col.registration_limit_per_address": "10",
        "col.registration_limit_per_city": "100",
        "col.registration_limit_minutes": "60",
        "col.search_backend": "database",
        "col.whoosh_dir": str(data_dir / "whoosh"),
        "col.tenants_dir": "tenants",
        "col.plugins": "",
        "col.disabled_plugins": "",
        # Operations (col_core.operations, docs/deployment.md "Operations"): "json" writes every
        # log line as one JSON object with the request id and the city; "text" leaves the ini
        # file's format alone.
        "col.log_format": "text",
        # Who may read /metrics: clients from these networks, or with this bearer secret.
        "col.metrics_allow": "127.0.0.1/32 ::1/128",
        "col.metrics_token": "",
    }


def load(
    ini_settings: dict | None = None,
    environ: dict | None = None,
    plugin_defaults: dict | None = None,
) -> dict[str, str]:
    """Merge defaults, plugins' defaults, ini settings and the ``COL_*`` environment; refuse
    (:class:`SettingsError`) what the platform cannot start with."""
    merged = merge(ini_settings, environ, plugin_defaults)
    production = merged["col.environment"] == "production"
    if not merged["col.secret"]:
        if production:
            raise SettingsError(
                "col.secret (COL_SECRET) must be set in production. " + GENERATE_SECRET
            )
        merged["col.secret"] = _development_secret(Path(merged["col.data_dir"]))
    elif production and (problem := weak_secret(merged["col.secret"])):
        raise SettingsError(
            f"col.secret (COL_SECRET) is too weak for production: {problem}. " + GENERATE_SECRET
        )
    if not merged["col.public_url"]:
        if production:
            raise SettingsError(
                "col.public_url (COL_PUBLIC_URL) must be set in production: the "
                "address people use, such as https://citiesoflearning.eu."
            )
        merged["col.public_url"] = f"http://{merged['col.base_domain'] or 'localhost'}:6543"
    if problem := bad_public_url(merged["col.public_url"]):
        raise SettingsError(
            f"col.public_url (COL_PUBLIC_URL) {problem}, such as https://citiesoflearning.eu."
        )
    return merged


def merge(
    ini_settings: dict | None = None,
    environ: dict | None = None,
    plugin_defaults: dict | None = None,
) -> dict[str, str]:
    """The three layers merged, as given: nothing checked, nothing filled in (``col doctor``
    judges a configuration the server would refuse)."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    ini_settings = dict(ini_settings or {})
    env_values = {}
    for variable, name in ENVIRONMENT.items():
        if env.get(variable):
            env_values[name] = env[variable]
    data_dir = env_values.get("col.data_dir") or ini_settings.get("col.data_dir")
    merged = defaults(Path(data_dir) if data_dir else None)
    merged.update(plugin_defaults or {})
    merged.update(ini_settings)
    merged.update(env_values)
    return merged


class SettingsError(RuntimeError):
    """A setting the platform cannot start with; the message says what to change."""


MIN_SECRET_LENGTH = 32
# 80 bits is beyond any guessing; the estimate of a random 128-bit hex secret falls as low as
# about 90 when its digits happen to form short runs, so a higher bar refuses good secrets.
MIN_SECRET_BITS = 80
GENERATE_SECRET = 'Generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(48))"'


def weak_secret(secret: str) -> str | None:
    """Why ``secret`` is too weak to sign sessions and protect keys, or None.

    zxcvbn estimates how many guesses it would take (it sees repeats, sequences and words);
    random secrets of 32 hexadecimal characters or more pass.
    """
    if len(secret) < MIN_SECRET_LENGTH:
        return f"it has {len(secret)} characters and needs at least {MIN_SECRET_LENGTH}"
    bits = zxcvbn(secret[:72])["guesses_log10"] * math.log2(10)
    if bits < MIN_SECRET_BITS:
        return (
            f"it is too easy to guess (about {bits:.0f} bits; it needs {MIN_SECRET_BITS}): "
            "repeated characters, sequences or words"
        )
    return None


def bad_public_url(url: str) -> str | None:
    """Why ``url`` cannot be the platform's public URL, or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        return f"is not a URL ({url!r})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"must be an http:// or https:// address ({url!r})"
    if parts.username or parts.password or parts.query or parts.fragment:
        return f"must be scheme, host, optional port and path only ({url!r})"
    return None


def _development_secret(data_dir: Path) -> str:
    """A per-data-directory random secret, so development sessions survive restarts."""
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


def as_bool(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def as_list(value) -> list[str]:
    return [item for item in str(value or "").replace(",", " ").split() if item]
